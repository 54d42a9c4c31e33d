import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { CloudWatchLogsEvent, KinesisStreamEvent, SQSEvent } from "aws-lambda";

import type { ShipperFunctionConfig } from "../../../functions/shipper/config";
import { makeShipperHandler, type LambdaContextLike, type ShipperOutcome } from "../../../functions/shipper/handler";
import { cloudWatchLogsData, kplAggregate } from "../../harness/awsDeliveries";
import { loadSerializedFactory } from "../../harness/closure";
import { useElasticsearch, useMoto, type ElasticsearchService } from "../../harness/services";

export { kplAggregate };

export const FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:shipper-test";

export function context(ms = 60_000, requestId = "req-1"): LambdaContextLike {
    const end = Date.now() + ms;
    return { getRemainingTimeInMillis: () => end - Date.now(), invokedFunctionArn: FUNCTION_ARN, awsRequestId: requestId };
}

export interface CwEvent {
    id: string;
    timestamp: number;
    message: string;
}

export function cloudWatchPayload(logGroup: string, logStream: string, events: CwEvent[], messageType = "DATA_MESSAGE"): string {
    return JSON.stringify({ messageType, owner: "123456789012", logGroup, logStream, subscriptionFilters: ["shipper"], logEvents: events });
}

export function cloudWatchEvent(logGroup: string, logStream: string, events: CwEvent[]): CloudWatchLogsEvent {
    return { awslogs: { data: cloudWatchLogsData(cloudWatchPayload(logGroup, logStream, events)) } };
}

/** CloudWatch event ids are 56 digits; these are unique per (seed, index). */
export function cwId(seed: number, index: number): string {
    return `${String(seed).padStart(20, "0")}${String(index).padStart(36, "0")}`;
}

export interface KinesisInput {
    data: Buffer;
    sequenceNumber: string;
    partitionKey?: string;
    arrival?: number;
}

export function kinesisEvent(records: KinesisInput[], stream = "app-logs"): KinesisStreamEvent {
    return {
        Records: records.map((record) => ({
            eventSource: "aws:kinesis",
            eventVersion: "1.0",
            eventID: `shardId-000000000000:${record.sequenceNumber}`,
            eventName: "aws:kinesis:record",
            invokeIdentityArn: "arn:aws:iam::123456789012:role/shipper",
            awsRegion: "eu-west-1",
            eventSourceARN: `arn:aws:kinesis:eu-west-1:123456789012:stream/${stream}`,
            kinesis: {
                kinesisSchemaVersion: "1.0",
                partitionKey: record.partitionKey ?? "pk",
                sequenceNumber: record.sequenceNumber,
                data: record.data.toString("base64"),
                approximateArrivalTimestamp: record.arrival ?? 1_700_000_000.123,
            },
        })),
    };
}

export interface SqsInput {
    messageId: string;
    body: string;
    sent?: number;
}

export function sqsEvent(messages: SqsInput[], queue = "app-logs"): SQSEvent {
    return {
        Records: messages.map((message) => ({
            messageId: message.messageId,
            receiptHandle: `rh-${message.messageId}`,
            body: message.body,
            attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(message.sent ?? 1_700_000_000_000), SenderId: "AIDA", ApproximateFirstReceiveTimestamp: "1700000000001" },
            messageAttributes: {},
            md5OfBody: "",
            eventSource: "aws:sqs",
            eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
            awsRegion: "eu-west-1",
        })),
    };
}

let counter = 0;
/** A fresh namespace per test so data streams never collide. */
export function namespace(prefix = "t"): string {
    return `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;
}

export async function createSecret(es: ElasticsearchService): Promise<string> {
    const client = new SecretsManagerClient({});
    const answer = await client.send(new CreateSecretCommand({ Name: `es-${namespace()}`, SecretString: JSON.stringify({ username: es.username, password: es.password }) }));
    client.destroy();
    return answer.ARN as string;
}

export async function createQueue(): Promise<string> {
    const client = new SQSClient({});
    const answer = await client.send(new CreateQueueCommand({ QueueName: `dlq-${namespace()}` }));
    client.destroy();
    return answer.QueueUrl as string;
}

/** Receives (and deletes) every message of a queue. */
export async function drainQueue(queueUrl: string): Promise<string[]> {
    const client = new SQSClient({});
    const bodies: string[] = [];
    for (let empty = 0; empty < 2; ) {
        const answer = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        const messages = answer.Messages ?? [];
        if (messages.length === 0) {
            empty++;
            continue;
        }
        bodies.push(...messages.map((message) => message.Body as string));
        await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle as string })) }));
    }
    client.destroy();
    return bodies;
}

export function baseConfig(es: { endpoint: string; caCertificate: string }, ns: string, overrides: Partial<ShipperFunctionConfig> = {}): ShipperFunctionConfig {
    return {
        source: "any",
        elasticsearch: { endpoint: es.endpoint, caCertificatePem: es.caCertificate, installIndexTemplate: true, dataRetention: "7d", namespace: ns },
        routing: { datasetBy: "source" },
        filters: {},
        json: { field: "json", maxDepth: 3, maxFields: 100 },
        delivery: { bulkConcurrency: 2, bulkMaxBytes: 5 * 1024 * 1024, requestTimeoutMs: 10_000, maxRetries: 2 },
        ...overrides,
    };
}

/** The serialized shipper handler, as Lambda loads it. */
export type ShipperTestHandler = (event: unknown, context: LambdaContextLike) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | ShipperOutcome>;

/** What every shipper spec runs against: the Elasticsearch node (moto started too) and the credentials secret in moto. */
export interface ShipperServices {
    es: ElasticsearchService;
    secretArn: string;
}

/** Starts (or reuses) Elasticsearch and moto and stores the node's credentials as a Secrets Manager secret. */
export async function shipperServices(): Promise<ShipperServices> {
    const [es] = await Promise.all([useElasticsearch(), useMoto()]);
    return { es, secretArn: await createSecret(es) };
}

/** A shipper function as deployed, for namespace `ns`: its own dead-letter queue, the credentials secret, the serialized closure. */
export async function deployShipper(services: ShipperServices, ns: string, overrides: Partial<ShipperFunctionConfig> = {}): Promise<{ handler: ShipperTestHandler; dlq: string }> {
    const dlq = await createQueue();
    const config = baseConfig(services.es, ns, { deadLetterQueueUrl: dlq, ...overrides });
    config.elasticsearch.credentialsSecretArn = services.secretArn;
    return { handler: (await loadSerializedFactory(makeShipperHandler(config))).handler, dlq };
}

/**
 * For a shipper spec's describe block: registers the before hook that starts the services (shipperServices),
 * and gives the tests the node and `deploy` (deployShipper) once it ran.
 */
export function shipperSuite(): { readonly es: ElasticsearchService; deploy(ns: string, overrides?: Partial<ShipperFunctionConfig>): ReturnType<typeof deployShipper> } {
    let services: ShipperServices | undefined;
    before(async function () {
        this.timeout(300_000);
        services = await shipperServices();
    });
    const started = (): ShipperServices => {
        if (services === undefined) throw new Error("shipper services are not started: call shipperSuite() inside a describe block");
        return services;
    };
    return {
        get es() {
            return started().es;
        },
        deploy: (ns, overrides = {}) => deployShipper(started(), ns, overrides),
    };
}

/** A document read back: any path can be indexed (leaves are compared with chai). */
export interface Doc {
    readonly [key: string]: Doc;
}

/** A leaf of a Doc that must be a string. */
export function text(value: unknown): string {
    if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`);
    return value;
}

/**
 * Captures what the process writes to stdout and stderr until `restore()`: the Powertools Logger and Metrics
 * print through their own `Console` bound to both streams (INFO and EMF to stdout, WARN and ERROR to stderr),
 * which calls each stream's `write`, so both are patched.
 */
export function captureOutput(): { lines: string[]; restore(): void } {
    const lines: string[] = [];
    const streams = [process.stdout, process.stderr];
    const saved = streams.map((stream) => stream.write.bind(stream));
    for (const stream of streams) {
        stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
            lines.push(...(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")).split("\n").filter((line) => line.length > 0));
            const callback = rest.find((arg): arg is () => void => typeof arg === "function");
            callback?.();
            return true;
        });
    }
    return {
        lines,
        restore: () => streams.forEach((stream, index) => (stream.write = saved[index])),
    };
}

/** Every document of the namespace's data streams, by _id. */
export async function readDocuments(es: ElasticsearchService, ns: string): Promise<Map<string, Record<string, unknown>>> {
    const client = es.client();
    try {
        await client.indices.refresh({ index: `logs-*-${ns}`, ignore_unavailable: true, allow_no_indices: true });
        const documents = new Map<string, Record<string, unknown>>();
        let response = await client.search<Record<string, unknown>>({ index: `logs-*-${ns}`, size: 10_000, scroll: "1m", query: { match_all: {} }, ignore_unavailable: true, allow_no_indices: true });
        while (response.hits.hits.length > 0) {
            for (const hit of response.hits.hits) {
                if (documents.has(hit._id as string)) throw new Error(`duplicate _id ${hit._id}`);
                documents.set(hit._id as string, { ...(hit._source as Record<string, unknown>), _index: hit._index });
            }
            if (!response._scroll_id) break;
            response = await client.scroll<Record<string, unknown>>({ scroll_id: response._scroll_id, scroll: "1m" });
        }
        return documents;
    } finally {
        await client.close();
    }
}
