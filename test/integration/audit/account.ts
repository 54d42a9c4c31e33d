import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { CreateWorkGroupCommand } from "@aws-sdk/client-athena";
import { CreateLogGroupCommand, PutAccountPolicyCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateBackupCommand, CreateTableCommand, UpdateContinuousBackupsCommand, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, IncreaseStreamRetentionPeriodCommand } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, LifecycleRule, PutBucketLifecycleConfigurationCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutObjectLockConfigurationCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { Transport } from "@elastic/transport";

import { AuditClients, StaticCredentials } from "../../../functions/audit/clients";
import { createTransport } from "../../../functions/shipper/connection";
import type { ElasticsearchService, MotoService } from "../../harness/services";
import { ROOT } from "../../harness/services/paths";

/** An account of its own in the shared moto: STS AssumeRole into it, and moto keys every later call to that account. */
export interface TestAccount {
    id: string;
    credentials: StaticCredentials;
    /** The SDK clients of this account, per region, straight to moto. */
    clients: AuditClients;
}

/** moto answers STS AssumeRole with credentials whose every call lands in the role's account (moto's multi-account support). */
export async function newAccount(moto: MotoService, id: string): Promise<TestAccount> {
    const response = await fetch(`${moto.endpoint}/`, {
        method: "POST",
        headers: {
            "content-type": "application/x-www-form-urlencoded",
            // moto routes an unsigned request by the service named in its credential scope.
            authorization: "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0",
        },
        body: new URLSearchParams({ Action: "AssumeRole", Version: "2011-06-15", RoleArn: `arn:aws:iam::${id}:role/audit-test`, RoleSessionName: "audit-test" }).toString(),
    });
    const text = await response.text();
    const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(text)?.[1];
    const accessKeyId = field("AccessKeyId");
    const secretAccessKey = field("SecretAccessKey");
    const sessionToken = field("SessionToken");
    if (!accessKeyId || !secretAccessKey || !sessionToken) throw new Error(`moto's AssumeRole did not answer credentials: ${response.status} ${text.slice(0, 200)}`);
    const credentials = { accessKeyId, secretAccessKey, sessionToken };
    return { id, credentials, clients: new AuditClients({ credentials, endpoint: moto.endpoint }) };
}

/** A transport to the harness node, as the audit makes one. */
export function nodeTransport(es: ElasticsearchService): Transport {
    return createTransport({ endpoint: es.endpoint, credentials: { username: es.username, password: es.password }, caCertificatePem: es.caCertificate, requestTimeoutMs: 30_000, name: "audit-test" });
}

// ---- seeding, one store at a time ----

export async function logGroup(account: TestAccount, region: string, name: string, retentionDays?: number): Promise<void> {
    const logs = account.clients.region(region).logs;
    await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    if (retentionDays !== undefined) await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: retentionDays }));
}

export async function retentionAccountPolicy(account: TestAccount, region: string, name: string, days: number, prefixes: string[]): Promise<void> {
    await account.clients.region(region).logs.send(
        new PutAccountPolicyCommand({
            policyName: name,
            policyType: "RETENTION_POLICY",
            policyDocument: JSON.stringify({ retentionInDays: days, enforcementMode: "RETROACTIVE" }),
            selectionCriteria: `LogGroupNamePrefix IN ${JSON.stringify(prefixes)}`,
        }),
    );
}

/** The platform's bucket lifecycle: every key expires after `days`, old versions after 1 day (null: never), uploads after 1 day. */
export function expiring(days: number, noncurrentDays: number | null = 1, prefix = ""): LifecycleRule {
    return {
        ID: `expire-${prefix || "all"}`,
        Status: "Enabled",
        Filter: { Prefix: prefix },
        Expiration: { Days: days },
        ...(noncurrentDays === null ? {} : { NoncurrentVersionExpiration: { NoncurrentDays: noncurrentDays } }),
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    };
}

export async function bucket(
    account: TestAccount,
    region: string,
    name: string,
    options: { versioned?: boolean; rules?: LifecycleRule[]; objectLockDays?: number; tags?: Record<string, string> } = {},
): Promise<void> {
    const s3 = account.clients.region(region).s3;
    await s3.send(
        new CreateBucketCommand({
            Bucket: name,
            ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
            ...(options.objectLockDays === undefined ? {} : { ObjectLockEnabledForBucket: true }),
        }),
    );
    if (options.versioned) await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }));
    if (options.rules) await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: name, LifecycleConfiguration: { Rules: options.rules } }));
    if (options.objectLockDays !== undefined) {
        await s3.send(new PutObjectLockConfigurationCommand({ Bucket: name, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: options.objectLockDays } } } }));
    }
    if (options.tags) await s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: Object.entries(options.tags).map(([Key, Value]) => ({ Key, Value })) } }));
}

export async function queue(account: TestAccount, region: string, name: string, retentionSeconds: number, deadLetterArn?: string): Promise<{ url: string; arn: string }> {
    const sqs = account.clients.region(region).sqs;
    const attributes: Record<string, string> = { MessageRetentionPeriod: String(retentionSeconds) };
    if (name.endsWith(".fifo")) attributes["FifoQueue"] = "true";
    if (deadLetterArn) attributes["RedrivePolicy"] = JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: 3 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const answer = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    return { url: QueueUrl ?? "", arn: answer.Attributes?.["QueueArn"] ?? "" };
}

export async function stream(account: TestAccount, region: string, name: string, retentionHours: number): Promise<void> {
    const kinesis = account.clients.region(region).kinesis;
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    if (retentionHours > 24) await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: retentionHours }));
}

export async function table(account: TestAccount, region: string, name: string, options: { ttl?: string; pitrDays?: number | "default"; backup?: boolean } = {}): Promise<void> {
    const dynamodb = account.clients.region(region).dynamodb;
    await dynamodb.send(
        new CreateTableCommand({ TableName: name, BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }] }),
    );
    if (options.ttl) await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: options.ttl } }));
    if (options.pitrDays !== undefined) {
        await dynamodb.send(
            new UpdateContinuousBackupsCommand({
                TableName: name,
                PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, ...(options.pitrDays === "default" ? {} : { RecoveryPeriodInDays: options.pitrDays }) },
            }),
        );
    }
    if (options.backup) await dynamodb.send(new CreateBackupCommand({ TableName: name, BackupName: `${name}-backup` }));
}

export async function workgroup(account: TestAccount, region: string, name: string, outputLocation: string): Promise<void> {
    await account.clients.region(region).athena.send(
        new CreateWorkGroupCommand({ Name: name, Configuration: { ResultConfiguration: { OutputLocation: outputLocation }, EnforceWorkGroupConfiguration: true } }),
    );
}

/** A data stream on the node, from an index template of its own (with `data_retention`, or none), holding one document. */
export async function dataStream(transport: Transport, name: string, dataRetention: string | undefined, meta?: Record<string, string>): Promise<void> {
    await transport.request({
        method: "PUT",
        path: `/_index_template/audit-${name}`,
        body: { index_patterns: [name], data_stream: {}, priority: 500, template: dataRetention ? { lifecycle: { data_retention: dataRetention } } : {}, ...(meta ? { _meta: meta } : {}) },
    });
    await transport.request({ method: "POST", path: `/${name}/_doc`, querystring: { refresh: "true" }, body: { "@timestamp": new Date().toISOString(), message: "audit test" } });
}

// ---- the command as a child process ----

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

/**
 * Runs `npm run audit-retention -- <args>` as a pipeline would: a child process with the account's credentials in
 * the environment. `node` is the Elasticsearch node to record in a services.env of the run's own (never the
 * developer's .cache/services.env); without it the file does not exist.
 */
export async function auditCli(args: string[], options: { moto: MotoService; account?: TestAccount; node?: ElasticsearchService; region?: string }): Promise<CliRun> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-cli-"));
    const servicesEnv = path.join(dir, "services.env");
    if (options.node) {
        const ca = path.join(dir, "ca.pem");
        fs.writeFileSync(ca, options.node.caCertificate);
        const lines = [`ELASTICSEARCH_URL=${options.node.endpoint}`, `ELASTICSEARCH_USERNAME=${options.node.username}`, `ELASTICSEARCH_PASSWORD=${options.node.password}`, `ELASTICSEARCH_CA_FILE=${ca}`];
        fs.writeFileSync(servicesEnv, `${lines.join("\n")}\n`, { mode: 0o600 });
    }
    const credentials = options.account?.credentials;
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        AWS_ENDPOINT_URL: options.moto.endpoint,
        AWS_REGION: options.region ?? "eu-west-1",
        AWS_ACCESS_KEY_ID: credentials?.accessKeyId ?? "testing",
        AWS_SECRET_ACCESS_KEY: credentials?.secretAccessKey ?? "testing",
        AWS_SESSION_TOKEN: credentials?.sessionToken ?? "testing",
        LOG_PLATFORM_SERVICES_ENV: servicesEnv,
        NODE_NO_WARNINGS: "1",
    };
    delete env["ELASTICSEARCH_URL"];
    delete env["ELASTICSEARCH_CA_FILE"];
    try {
        return await new Promise((resolve) => {
            execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "cli", "auditRetention.ts"), ...args], { cwd: ROOT, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
                resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
            );
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
