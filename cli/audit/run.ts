import * as fs from "fs";

import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

import { DEFAULT_LAGS, DeletionLags, HOURS_PER_DAY } from "../../components/dataProtection/ages";
import { auditAccount } from "../../functions/audit/audit";
import { AuditClients } from "../../functions/audit/clients";
import type { ElasticsearchTarget } from "../../functions/audit/elasticsearch";
import { AuditSettings, DEFAULT_EXEMPTION_TAG } from "../../functions/audit/model";
import { enabledRegions } from "../../functions/audit/regions";
import { awsClientConfig } from "../../functions/shared/awsClient";
import type { ElasticsearchCredentials } from "../../functions/shipper/config";
import { createTransport, parseCredentials } from "../../functions/shipper/connection";
import { readServicesEnv } from "../shared/servicesEnv";
import { AuditRetentionOptions, UsageError } from "./args";
import { AuditContext, AuditReport, buildReport } from "./report";
import type { StackFacts } from "./stack";

/** The local Elasticsearch node as `npm run services -- up` (or the demo) records it. */
export interface LocalNode {
    url: string;
    username: string;
    password: string;
    caFile?: string;
    caPem?: string;
}

/** `.cache/services.env`'s node, when it records one. */
export function recordedNode(): LocalNode | undefined {
    const env = readServicesEnv();
    if (!env?.ELASTICSEARCH_URL || !env.ELASTICSEARCH_USERNAME || !env.ELASTICSEARCH_PASSWORD) return undefined;
    return { url: env.ELASTICSEARCH_URL, username: env.ELASTICSEARCH_USERNAME, password: env.ELASTICSEARCH_PASSWORD, ...(env.ELASTICSEARCH_CA_FILE ? { caFile: env.ELASTICSEARCH_CA_FILE } : {}) };
}

async function secretCredentials(arn: string): Promise<ElasticsearchCredentials> {
    const region = arn.split(":")[3];
    const client = new SecretsManagerClient(awsClientConfig({ ...(region ? { region } : {}), maxAttempts: 3 }));
    try {
        const answer = await client.send(new GetSecretValueCommand({ SecretId: arn }));
        if (typeof answer.SecretString !== "string") throw new UsageError(`--elasticsearch-secret-arn: ${arn} has no SecretString: store the credentials as JSON text`);
        return parseCredentials(answer.SecretString, arn);
    } finally {
        client.destroy();
    }
}

function caPem(file: string | undefined): string | undefined {
    if (file === undefined) return undefined;
    if (!fs.existsSync(file)) throw new UsageError(`the Elasticsearch CA file ${file} does not exist: point ELASTICSEARCH_CA_FILE at the cluster's CA certificate (PEM), or unset it for the system trust store`);
    return fs.readFileSync(file, "utf8");
}

/**
 * The cluster to audit: `--elasticsearch` (else the recorded local node's URL), with credentials from
 * `--elasticsearch-secret-arn`, else the recorded local node's when the URL is its own. Undefined (with the reason)
 * when no cluster is named. The credentials go to the transport only; they are never printed.
 */
export async function elasticsearchTarget(
    options: AuditRetentionOptions,
    pattern: string,
    local: LocalNode | undefined,
): Promise<{ target: ElasticsearchTarget; close(): Promise<void> } | { reason: string }> {
    const url = options.elasticsearch ?? local?.url;
    if (url === undefined) return { reason: "no --elasticsearch given and no local node recorded in .cache/services.env" };
    let credentials: ElasticsearchCredentials;
    let ca: string | undefined;
    if (options.elasticsearchSecretArn) {
        credentials = await secretCredentials(options.elasticsearchSecretArn);
        ca = caPem(process.env["ELASTICSEARCH_CA_FILE"]);
    } else if (local && local.url === url) {
        credentials = { username: local.username, password: local.password };
        ca = local.caPem ?? caPem(local.caFile);
    } else {
        throw new UsageError(`--elasticsearch ${url}: no credentials for it; pass --elasticsearch-secret-arn <ARN of the shipper's secret> (JSON {"username","password"} or {"apiKey"})`);
    }
    const transport = createTransport({ endpoint: url, credentials, ...(ca ? { caCertificatePem: ca } : {}), requestTimeoutMs: 30_000, name: "audit-retention" });
    return { target: { transport, endpoint: url, pattern }, close: () => transport.connectionPool.empty() };
}

/** The settings the audit judges against: flags first, then the stack config, then the defaults. */
export function auditSettings(options: AuditRetentionOptions, stack: StackFacts | undefined): { settings: AuditSettings; limitDays: number } {
    const limitDays = options.maxAgeDays ?? stack?.maxAgeDays ?? 7;
    const lags: DeletionLags = { ...DEFAULT_LAGS, ...(stack?.lags ?? {}), ...options.lags };
    return {
        limitDays,
        settings: {
            limitHours: limitDays * HOURS_PER_DAY,
            lags,
            exemptions: stack?.exemptions ?? [],
            exemptionTag: stack?.exemptionTag ?? DEFAULT_EXEMPTION_TAG,
            ...(stack ? { tripsTable: stack.tripsTable } : {}),
        },
    };
}

/**
 * One audit run: the stack's settings (`--stack`), the regions (every enabled one unless `--regions`), the
 * Elasticsearch cluster, the inventory, and its report. `local` is the local node (default: `.cache/services.env`'s).
 */
export async function runAudit(options: AuditRetentionOptions, local: LocalNode | undefined = recordedNode()): Promise<AuditReport> {
    // The stack module loads Pulumi (components/config): only with --stack.
    const stack = options.stack ? (await import("./stack")).stackFacts(options.stack) : undefined;
    const { settings, limitDays } = auditSettings(options, stack);
    const pattern = stack?.dataStreamPattern ?? "logs-aws.*-*";
    const elasticsearch = await elasticsearchTarget(options, pattern, local);
    const clients = new AuditClients();
    try {
        let regions = options.regions;
        if (!regions) {
            const home = process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"];
            if (!home) throw new UsageError("--regions is missing and no default region is set (AWS_REGION) to list the enabled regions from: pass --regions eu-west-1,... or set AWS_REGION");
            regions = await enabledRegions(clients.region(home).ec2);
        }
        const result = await auditAccount({ regions, settings, clients, ...("target" in elasticsearch ? { elasticsearch: elasticsearch.target } : {}) });
        const context: AuditContext = {
            limitDays,
            lags: settings.lags,
            ...(stack ? { stack: stack.stack } : {}),
            elasticsearch: "target" in elasticsearch ? { audited: true, endpoint: elasticsearch.target.endpoint, pattern } : { audited: false, reason: elasticsearch.reason },
        };
        return buildReport(result, context);
    } finally {
        clients.destroy();
        if ("close" in elasticsearch) await elasticsearch.close();
    }
}
