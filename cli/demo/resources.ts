import { CloudWatchLogsClient, CreateLogGroupCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";

import type { PlatformConfig } from "../../components/config";
import type { ElasticsearchService } from "../../test/harness/services/elasticsearch";
import { createTripsTable } from "../../test/harness/tripsTable";
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
}

export interface AwsClients {
    logs: CloudWatchLogsClient;
    dynamodb: DynamoDBClient;
    kinesis: KinesisClient;
    s3: S3Client;
    secrets: SecretsManagerClient;
    sqs: SQSClient;
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
    };
    return { ...clients, destroy: () => Object.values(clients).forEach((client) => client.destroy()) };
}

/**
 * Creates, all at once, the sources and stores the stack declares: the subscribed log groups, the Kinesis
 * stream, the SQS source queue and the shipper's dead-letter queue, the trips table with its sparse GSI,
 * the KPI bucket and the Elasticsearch credentials secret (holding the local node's credentials).
 */
export async function createStackResources(clients: AwsClients, config: PlatformConfig, names: StackNames, elasticsearch: ElasticsearchService): Promise<CreatedResources> {
    const createQueue = async (name: string) => {
        const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { MessageRetentionPeriod: String(config.shipper.sqsMessageRetentionSeconds) } }));
        const attributes = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
        return { url: QueueUrl!, arn: attributes.Attributes!["QueueArn"]! };
    };
    const [stream, source, deadLetters, secret] = await Promise.all([
        (async () => {
            await clients.kinesis.send(new CreateStreamCommand({ StreamName: names.streamName, ShardCount: config.shipper.kinesisShardCount }));
            const summary = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: names.streamName }));
            return summary.StreamDescriptionSummary!.StreamARN!;
        })(),
        createQueue(names.sourceQueueName),
        createQueue(names.deadLetterQueueName),
        clients.secrets.send(
            new CreateSecretCommand({ Name: names.secretName, SecretString: JSON.stringify({ username: elasticsearch.username, password: elasticsearch.password }), Description: "Elasticsearch credentials of the log shipper (local node)" }),
        ),
        createTripsTable(clients.dynamodb, { tableName: names.tripsTableName, indexName: names.tripsIndexName }),
        clients.s3.send(new CreateBucketCommand({ Bucket: names.kpiBucketName, ...(config.region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: config.region as never } }) })),
        ...names.subscribedLogGroups.map(async (logGroupName) => {
            await clients.logs.send(new CreateLogGroupCommand({ logGroupName }));
            await clients.logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: config.retention.maxRetentionDays }));
        }),
    ]);
    return {
        accountId: stream.split(":")[4] ?? "123456789012",
        streamArn: stream,
        sourceQueueUrl: source.url,
        sourceQueueArn: source.arn,
        deadLetterQueueUrl: deadLetters.url,
        secretArn: secret.ARN!,
        bucket: names.kpiBucketName,
        tripsTable: names.tripsTableName,
        tripsIndex: names.tripsIndexName,
        logGroups: names.subscribedLogGroups,
    };
}
