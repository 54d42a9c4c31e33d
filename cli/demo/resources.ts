import { AthenaClient, CreateWorkGroupCommand } from "@aws-sdk/client-athena";
import { CloudWatchLogsClient, CreateLogGroupCommand, PutAccountPolicyCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient, UpdateContinuousBackupsCommand, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, DescribeStreamSummaryCommand, IncreaseStreamRetentionPeriodCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, PutBucketLifecycleConfigurationCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";

import type { PlatformConfig } from "../../components/config";
import type { ElasticsearchService } from "../../test/harness/services/elasticsearch";
import { createTripsTable } from "../../test/harness/tripsTable";
import type { DeclaredStores } from "./declaredStores";
import type { StackNames } from "./stack";

/** What the demo created in moto, with the identifiers moto gave it. */
export interface CreatedResources {
    accountId: string;
    streamArn: string;
    sourceQueueUrl: string;
    sourceQueueArn: string;
    deadLetterQueueUrl: string;
    secretArn: string;
    bucket: string;
    tripsTable: string;
    tripsIndex: string;
    logGroups: string[];
    /** Every store created with its declared retention, by kind (what the audit step judges). */
    stores: Record<"queues" | "streams" | "buckets" | "logGroups" | "workgroups" | "tables", string[]>;
}

export interface AwsClients {
    logs: CloudWatchLogsClient;
    dynamodb: DynamoDBClient;
    kinesis: KinesisClient;
    s3: S3Client;
    secrets: SecretsManagerClient;
    sqs: SQSClient;
    athena: AthenaClient;
    destroy(): void;
}

/** SDK clients for moto (endpoint and dummy credentials from the environment the services step set). */
export function awsClients(region: string): AwsClients {
    const options = { region, maxAttempts: 5 };
    const clients = {
        logs: new CloudWatchLogsClient(options),
        dynamodb: new DynamoDBClient(options),
        // The Kinesis client defaults to HTTP/2 (for SubscribeToShard); moto speaks HTTP/1.1.
        kinesis: new KinesisClient({ ...options, requestHandler: new NodeHttpHandler() }),
        s3: new S3Client({ ...options, forcePathStyle: true }),
        secrets: new SecretsManagerClient(options),
        sqs: new SQSClient(options),
        athena: new AthenaClient(options),
    };
    return { ...clients, destroy: () => Object.values(clients).forEach((client) => client.destroy()) };
}

/**
 * Creates the sources and stores the stack declares, each with the retention settings the offline preview gives it
 * (`declared`: queues with their redrive, the stream, buckets with versioning, lifecycle and tags, log groups, the
 * Athena workgroup, the trips table with TTL and PITR, account-level log policies), plus the subscribed log groups,
 * the trips table's sparse GSI and the Elasticsearch credentials secret (holding the local node's credentials).
 * Dead-letter queues are created before the queues that name them.
 */
export async function createStackResources(clients: AwsClients, config: PlatformConfig, names: StackNames, elasticsearch: ElasticsearchService, declared: DeclaredStores): Promise<CreatedResources> {
    const queueArns = new Map<string, Promise<{ url: string; arn: string }>>();
    const declaredQueue = (name: string) => declared.queues.find((queue) => queue.name === name);
    const createQueue = (name: string): Promise<{ url: string; arn: string }> => {
        let created = queueArns.get(name);
        if (!created) {
            const spec = declaredQueue(name);
            created = (async () => {
                const attributes: Record<string, string> = { MessageRetentionPeriod: String(spec?.retentionSeconds ?? config.shipper.sqsMessageRetentionSeconds) };
                if (spec?.fifo) attributes["FifoQueue"] = "true";
                if (spec?.deadLetterTarget) attributes["RedrivePolicy"] = JSON.stringify({ deadLetterTargetArn: (await createQueue(spec.deadLetterTarget)).arn, maxReceiveCount: 5 });
                const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
                const answer = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
                return { url: QueueUrl!, arn: answer.Attributes!["QueueArn"]! };
            })();
            queueArns.set(name, created);
        }
        return created;
    };
    const streamSpecs = declared.streams.some((stream) => stream.name === names.streamName) ? declared.streams : [...declared.streams, { logical: "(existing stream)", name: names.streamName, retentionHours: 24 }];
    const bucketSpecs = declared.buckets.some((bucket) => bucket.name === names.kpiBucketName)
        ? declared.buckets
        : [...declared.buckets, { logical: "(kpi bucket)", name: names.kpiBucketName, versioned: false, rules: [], tags: {} }];
    const tripsSpec = declared.tables.find((table) => table.name === names.tripsTableName);
    const logGroupSpecs = [
        ...declared.logGroups,
        ...names.subscribedLogGroups.filter((name) => !declared.logGroups.some((group) => group.name === name)).map((name) => ({ logical: "(subscribed)", name, retentionDays: config.retention.maxRetentionDays })),
    ];
    const locationConstraint = config.region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: config.region as never } };

    const [streams, source, deadLetters, secret] = await Promise.all([
        Promise.all(
            streamSpecs.map(async (spec) => {
                await clients.kinesis.send(new CreateStreamCommand({ StreamName: spec.name, ShardCount: spec.name === names.streamName ? config.shipper.kinesisShardCount : 1 }));
                if (spec.retentionHours > 24) await clients.kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: spec.name, RetentionPeriodHours: spec.retentionHours }));
                const summary = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: spec.name }));
                return { name: spec.name, arn: summary.StreamDescriptionSummary!.StreamARN! };
            }),
        ),
        createQueue(names.sourceQueueName),
        createQueue(names.deadLetterQueueName),
        clients.secrets.send(
            new CreateSecretCommand({ Name: names.secretName, SecretString: JSON.stringify({ username: elasticsearch.username, password: elasticsearch.password }), Description: "Elasticsearch credentials of the log shipper (local node)" }),
        ),
        ...declared.queues.map((queue) => createQueue(queue.name)),
        (async () => {
            await createTripsTable(clients.dynamodb, { tableName: names.tripsTableName, indexName: names.tripsIndexName });
            if (tripsSpec?.ttlAttribute) await clients.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: names.tripsTableName, TimeToLiveSpecification: { Enabled: true, AttributeName: tripsSpec.ttlAttribute } }));
            if (tripsSpec?.pitrDays !== undefined) {
                await clients.dynamodb.send(
                    new UpdateContinuousBackupsCommand({ TableName: names.tripsTableName, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: tripsSpec.pitrDays } }),
                );
            }
        })(),
        ...bucketSpecs.map(async (bucket) => {
            await clients.s3.send(new CreateBucketCommand({ Bucket: bucket.name, ...locationConstraint }));
            if (bucket.versioned) await clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucket.name, VersioningConfiguration: { Status: "Enabled" } }));
            if (bucket.rules.length > 0) await clients.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket.name, LifecycleConfiguration: { Rules: bucket.rules } }));
            const tags = Object.entries(bucket.tags);
            if (tags.length > 0) await clients.s3.send(new PutBucketTaggingCommand({ Bucket: bucket.name, Tagging: { TagSet: tags.map(([Key, Value]) => ({ Key, Value })) } }));
        }),
        ...logGroupSpecs.map(async (group) => {
            await clients.logs.send(new CreateLogGroupCommand({ logGroupName: group.name }));
            if (group.retentionDays !== undefined) await clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: group.name, retentionInDays: group.retentionDays }));
        }),
        ...declared.workgroups.map((workgroup) =>
            clients.athena.send(
                new CreateWorkGroupCommand({
                    Name: workgroup.name,
                    Configuration: { EnforceWorkGroupConfiguration: workgroup.enforced, ...(workgroup.outputLocation ? { ResultConfiguration: { OutputLocation: workgroup.outputLocation } } : {}) },
                }),
            ),
        ),
        ...declared.accountPolicies.map((policy) =>
            clients.logs.send(
                new PutAccountPolicyCommand({ policyName: policy.name, policyType: policy.type as never, policyDocument: policy.document, ...(policy.selectionCriteria ? { selectionCriteria: policy.selectionCriteria } : {}) }),
            ),
        ),
    ]);
    const streamArn = streams.find((stream) => stream.name === names.streamName)!.arn;
    return {
        accountId: streamArn.split(":")[4] ?? "123456789012",
        streamArn,
        sourceQueueUrl: source.url,
        sourceQueueArn: source.arn,
        deadLetterQueueUrl: deadLetters.url,
        secretArn: secret.ARN!,
        bucket: names.kpiBucketName,
        tripsTable: names.tripsTableName,
        tripsIndex: names.tripsIndexName,
        logGroups: names.subscribedLogGroups,
        stores: {
            queues: [...queueArns.keys()],
            streams: streamSpecs.map((stream) => stream.name),
            buckets: bucketSpecs.map((bucket) => bucket.name),
            logGroups: logGroupSpecs.map((group) => group.name),
            workgroups: declared.workgroups.map((workgroup) => workgroup.name),
            tables: [names.tripsTableName],
        },
    };
}
