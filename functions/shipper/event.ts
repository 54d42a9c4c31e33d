import type { ShipperSource } from "./config";

/**
 * The one event model every source decodes into. What is common to many events (a CloudWatch Logs payload's
 * group and stream, a Kinesis record, an SQS message) lives once in an `EventOrigin` the events point to:
 * decoding copies nothing per event but its id, time and message.
 */
export interface EventOrigin {
    source: ShipperSource;
    /** The batch item this came from: SQS message id, Kinesis sequence number; "" for CloudWatch Logs (no partial batches). */
    recordId: string;
    cloudwatch?: { logGroup: string; logStream: string; owner?: string };
    kinesis?: { stream: string; shardId: string; partitionKey: string; sequenceNumber: string; subSequenceNumber?: number };
    sqs?: { queue: string; messageId: string };
    sns?: { topicArn: string; messageId: string };
    /**
     * When the record entered AWS (epoch ms): SQS `SentTimestamp`, Kinesis `approximateArrivalTimestamp`; unset for a
     * CloudWatch Logs subscription event (its events carry their own time). A dead letter's `originAt` comes from it.
     */
    arrivedAt?: number;
}

export interface LogEvent {
    /** Deterministic document `_id` (CloudWatch event id; Kinesis sequence + sub-record + line; SQS message id + line). */
    id: string;
    /** The event's own time, epoch milliseconds. */
    timestamp: number;
    /** Verbatim. */
    message: string;
    origin: EventOrigin;
}

/** Input that could not be decoded: dead-lettered whole, with the original. */
export interface MalformedInput {
    source: ShipperSource;
    recordId: string;
    /** Deterministic id of the letter (the record's id, or the record's id + sub-record). */
    id: string;
    /** Why, log-safe (no payload). */
    error: string;
    /** The original raw record as received (base64 for Kinesis data, the text otherwise). */
    raw: string;
    rawEncoding: "base64" | "utf8";
    /** When the record entered AWS (epoch ms: SQS SentTimestamp, Kinesis approximateArrivalTimestamp); unset: when it was received. */
    arrivedAt?: number;
}

/** One trigger event, decoded. `recordIds` lists every batch item in delivery order (for batchItemFailures). */
export interface DecodedBatch {
    source: ShipperSource;
    recordIds: string[];
    /** Per record (as recordIds): the Kinesis shard it came from; "" for the other sources. */
    shards: string[];
    /** Records the event itself says were delivered before (SQS `ApproximateReceiveCount` > 1). */
    redelivered: Set<string>;
    events: LogEvent[];
    malformed: MalformedInput[];
    /** CloudWatch Logs CONTROL_MESSAGE payloads: acknowledged, nothing to ship. */
    controlMessages: number;
    /** Characters of decoded text (a size hint for the bulk body). */
    bytes: number;
}

export function emptyBatch(source: ShipperSource): DecodedBatch {
    return { source, recordIds: [], shards: [], redelivered: new Set<string>(), events: [], malformed: [], controlMessages: 0, bytes: 0 };
}

/**
 * When an event's data entered the platform (epoch ms), for the data-protection age of its dead letter: a CloudWatch
 * Logs event's own time (earlier than any record it later travelled in), else the record's arrival (SQS
 * SentTimestamp, Kinesis approximateArrivalTimestamp). NaN when neither is a time.
 */
export function originTime(event: LogEvent): number {
    const arrived = event.origin.arrivedAt;
    if (event.origin.cloudwatch) {
        const own = Number.isFinite(event.timestamp) ? event.timestamp : Number.NaN;
        return arrived === undefined || !Number.isFinite(arrived) ? own : Number.isNaN(own) ? arrived : Math.min(own, arrived);
    }
    if (arrived !== undefined && Number.isFinite(arrived)) return arrived;
    return Number.isFinite(event.timestamp) ? event.timestamp : Number.NaN;
}
