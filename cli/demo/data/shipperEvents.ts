import { gzipSync } from "zlib";

import { cloudWatchLogsData, kplAggregate } from "../../../test/harness/awsDeliveries";
import { Random } from "../random";
import { appLogLines } from "./appLogs";

/**
 * Lambda events for the three shipper sources, shaped exactly as AWS delivers them, with a known number of
 * log events each and a few malformed items whose outcome the shipper documents (dead letter).
 */
export type SourceName = "cloudwatch" | "kinesis" | "sqs";

/** One Lambda invocation's event and what it holds. */
export interface GeneratedBatch {
    source: SourceName;
    event: unknown;
    /** Log events in well-formed items: each must become exactly one document. */
    events: number;
    /** Items the shipper cannot decode (bad base64, truncated gzip, wrong shape...): each must be dead-lettered. */
    malformed: number;
}

export interface SourceSizes {
    cloudwatchPayloads: number;
    eventsPerPayload: number;
    kinesisBatches: number;
    kinesisRecordsPerBatch: number;
    sqsBatches: number;
    sqsMessagesPerBatch: number;
}

export interface SourceNames {
    accountId: string;
    region: string;
    logGroups: string[];
    streamArn: string;
    queueArn: string;
    topicArn: string;
}

/** A CloudWatch Logs event id: 56 decimal digits, as the service assigns them. */
function eventId(random: Random): string {
    let id = "";
    while (id.length < 56) id += String(random.int(0, 999999999)).padStart(9, "0");
    return id.slice(0, 56);
}

function dataMessage(random: Random, names: SourceNames, logGroup: string, start: number, count: number): object {
    const service = logGroup.split("/").filter(Boolean)[1] ?? "app";
    return {
        messageType: "DATA_MESSAGE",
        owner: names.accountId,
        logGroup,
        logStream: `${new Date(start).toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${random.hex(32)}`,
        subscriptionFilters: [`shipper-subscription-${logGroup.replace(/\W+/g, "-")}`],
        logEvents: appLogLines(random, service, start, count).map((line) => ({ id: eventId(random), timestamp: line.timestamp, message: line.message })),
    };
}

/** CloudWatch Logs subscription invocations (asynchronous, one payload each): data, one control message, one truncated payload. */
export function cloudwatchBatches(random: Random, names: SourceNames, sizes: SourceSizes, start: number): GeneratedBatch[] {
    const batches: GeneratedBatch[] = [];
    for (let index = 0; index < sizes.cloudwatchPayloads; index++) {
        const logGroup = names.logGroups[index % names.logGroups.length];
        const data = dataMessage(random, names, logGroup, start + index * 60_000, sizes.eventsPerPayload);
        batches.push({ source: "cloudwatch", event: { awslogs: { data: cloudWatchLogsData(data) } }, events: sizes.eventsPerPayload, malformed: 0 });
    }
    // CloudWatch Logs checks a new subscription with a control message: acknowledged, nothing shipped.
    const control = { messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [{ id: "", timestamp: start, message: "CWL CONTROL MESSAGE: Checking health of destination Lambda." }] };
    batches.push({ source: "cloudwatch", event: { awslogs: { data: cloudWatchLogsData(control) } }, events: 0, malformed: 0 });
    // A payload cut short in transit: the gzip stream is truncated.
    const whole = Buffer.from(cloudWatchLogsData(dataMessage(random, names, names.logGroups[0], start, 5)), "base64");
    batches.push({ source: "cloudwatch", event: { awslogs: { data: whole.subarray(0, Math.floor(whole.length / 2)).toString("base64") } }, events: 0, malformed: 1 });
    return batches;
}

function kinesisRecord(names: SourceNames, sequence: bigint, arrival: number, partitionKey: string, data: Buffer): object {
    const sequenceNumber = sequence.toString().padStart(56, "4");
    return {
        kinesis: { kinesisSchemaVersion: "1.0", partitionKey, sequenceNumber, data: data.toString("base64"), approximateArrivalTimestamp: arrival / 1000 },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `shardId-000000000000:${sequenceNumber}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: `arn:aws:iam::${names.accountId}:role/shipper-kinesis-role`,
        awsRegion: names.region,
        eventSourceARN: names.streamArn,
    };
}

/**
 * Kinesis batches: raw JSON and text lines, CloudWatch Logs payloads delivered through the stream, and
 * KPL-aggregated records (8 user records each); one record per batch with invalid base64-decoded gzip.
 */
export async function kinesisBatches(random: Random, names: SourceNames, sizes: SourceSizes, start: number): Promise<GeneratedBatch[]> {
    const batches: GeneratedBatch[] = [];
    let sequence = 10_000_000n;
    for (let batchIndex = 0; batchIndex < sizes.kinesisBatches; batchIndex++) {
        const records: object[] = [];
        let events = 0;
        let malformed = 0;
        for (let index = 0; index < sizes.kinesisRecordsPerBatch; index++) {
            const arrival = start + batchIndex * 5_000 + index * 7;
            const partitionKey = random.hex(8);
            const kind = index === 0 && batchIndex % 4 === 3 ? "malformed" : random.weighted([["raw", 6], ["cloudwatch", 2], ["kpl", 2]] as const);
            sequence += BigInt(random.int(1, 1000));
            if (kind === "raw") {
                const line = appLogLines(random, "stream-producer", arrival - 50, 1)[0];
                records.push(kinesisRecord(names, sequence, arrival, partitionKey, Buffer.from(line.message)));
                events += 1;
            } else if (kind === "cloudwatch") {
                const count = random.int(2, 6);
                const data = dataMessage(random, names, names.logGroups[0], arrival - 1_000, count);
                records.push(kinesisRecord(names, sequence, arrival, partitionKey, gzipSync(Buffer.from(JSON.stringify(data)))));
                events += count;
            } else if (kind === "kpl") {
                const users = appLogLines(random, "kpl-producer", arrival - 200, 8).map((line) => ({ partitionKey: random.hex(8), data: Buffer.from(line.message) }));
                records.push(kinesisRecord(names, sequence, arrival, partitionKey, await kplAggregate(users)));
                events += users.length;
            } else {
                // gzip magic bytes followed by garbage: a CloudWatch Logs payload corrupted on the way.
                records.push(kinesisRecord(names, sequence, arrival, partitionKey, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from(random.hex(40), "hex")])));
                malformed += 1;
            }
        }
        batches.push({ source: "kinesis", event: { Records: records }, events, malformed });
    }
    return batches;
}

function sqsRecord(random: Random, names: SourceNames, sent: number, body: string): object {
    return {
        messageId: random.uuid(),
        receiptHandle: `AQEB${random.hex(120)}`,
        body,
        attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(sent), SenderId: "AROAEXAMPLEPRODUCER:app", ApproximateFirstReceiveTimestamp: String(sent + random.int(5, 900)) },
        messageAttributes: {},
        md5OfBody: random.hex(32),
        eventSource: "aws:sqs",
        eventSourceARN: names.queueArn,
        awsRegion: names.region,
    };
}

/** SQS batches: plain text, JSON, SNS-wrapped notifications and CloudWatch Logs payloads; one empty body per batch. */
export function sqsBatches(random: Random, names: SourceNames, sizes: SourceSizes, start: number): GeneratedBatch[] {
    const batches: GeneratedBatch[] = [];
    for (let batchIndex = 0; batchIndex < sizes.sqsBatches; batchIndex++) {
        const records: object[] = [];
        let events = 0;
        let malformed = 0;
        for (let index = 0; index < sizes.sqsMessagesPerBatch; index++) {
            const sent = start + batchIndex * 3_000 + index * 11;
            const kind = index === 0 && batchIndex % 3 === 2 ? "malformed" : random.weighted([["plain", 5], ["sns", 3], ["cloudwatch", 1]] as const);
            if (kind === "plain") {
                records.push(sqsRecord(random, names, sent, appLogLines(random, "queue-producer", sent - 20, 1)[0].message));
                events += 1;
            } else if (kind === "sns") {
                const line = appLogLines(random, "sns-publisher", sent - 30, 1)[0];
                const notification = {
                    Type: "Notification",
                    MessageId: random.uuid(),
                    TopicArn: names.topicArn,
                    Message: line.message,
                    Timestamp: new Date(line.timestamp).toISOString(),
                    SignatureVersion: "1",
                    Signature: Buffer.from(random.hex(64), "hex").toString("base64"),
                    SigningCertURL: `https://sns.${names.region}.amazonaws.com/SimpleNotificationService-${random.hex(32)}.pem`,
                    UnsubscribeURL: `https://sns.${names.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${names.topicArn}:${random.uuid()}`,
                };
                records.push(sqsRecord(random, names, sent, JSON.stringify(notification)));
                events += 1;
            } else if (kind === "cloudwatch") {
                const count = random.int(2, 5);
                records.push(sqsRecord(random, names, sent, cloudWatchLogsData(dataMessage(random, names, names.logGroups[0], sent - 1_000, count))));
                events += count;
            } else {
                records.push(sqsRecord(random, names, sent, ""));
                malformed += 1;
            }
        }
        batches.push({ source: "sqs", event: { Records: records }, events, malformed });
    }
    return batches;
}
