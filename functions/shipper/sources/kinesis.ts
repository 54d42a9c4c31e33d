import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";

import { emptyBatch, type DecodedBatch, type EventOrigin } from "../event";
import { appendCloudWatchPayload, appendTextPayload, decodeBase64, decodeUtf8, gunzip, isGzip, MalformedError, rawText } from "./payload";

/** The KPL aggregation magic number f3 89 9a c2 (https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md). */
function isAggregated(data: Buffer): boolean {
    return data.length >= 20 && data[0] === 0xf3 && data[1] === 0x89 && data[2] === 0x9a && data[3] === 0xc2;
}

export function isKinesisEvent(event: unknown): event is KinesisStreamEvent {
    const records = (event as { Records?: unknown } | null)?.Records;
    return Array.isArray(records) && records.length > 0 && (records[0] as { eventSource?: unknown })?.eventSource === "aws:kinesis";
}

interface UserRecord {
    subSequenceNumber: number;
    partitionKey: string;
    data: Buffer;
}

type Deaggregate = (record: { data: string; partitionKey: string; sequenceNumber: string }, checksums: boolean, done: (error: Error | null | undefined, records?: { subSequenceNumber: number; partitionKey: string; data: string }[]) => void) => void;

/**
 * aws-kinesis-agg's de-aggregation side only (`lib/kpl-deagg`: protobufjs), required when an aggregated record
 * first arrives: its index also loads the aggregation side (async, lodash), which the zip leaves out.
 */
function deaggregate(record: KinesisStreamRecord["kinesis"]): UserRecord[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { deaggregateSync } = require("aws-kinesis-agg/lib/kpl-deagg") as { deaggregateSync: Deaggregate };
    let result: UserRecord[] | undefined;
    let failure: Error | undefined;
    deaggregateSync({ data: record.data, partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber }, true, (error, records) => {
        if (error) failure = error;
        else result = (records ?? []).map((user) => ({ subSequenceNumber: user.subSequenceNumber, partitionKey: user.partitionKey, data: Buffer.from(user.data, "base64") }));
    });
    if (failure || !result) throw new MalformedError(`KPL-aggregated record could not be de-aggregated (${failure?.message ?? "no result"})`);
    return result;
}

function streamName(arn: unknown): string {
    if (typeof arn !== "string") return "";
    const slash = arn.indexOf(":stream/");
    return slash === -1 ? arn : arn.slice(slash + 8);
}

/**
 * Kinesis records: gzip CloudWatch Logs payloads (ids: the CloudWatch event ids), KPL-aggregated records
 * (de-aggregated; each user record decoded like a plain one, id `<sequence>-<sub>-<line>`), and raw text or
 * JSON (`<sequence>-0-<line>`). A record that cannot be decoded is dead-lettered whole (data as base64).
 */
export function decodeKinesisEvent(event: KinesisStreamEvent): DecodedBatch {
    const batch = emptyBatch("kinesis");
    for (const record of event.Records) {
        const kinesis = record.kinesis as KinesisStreamRecord["kinesis"] | undefined;
        const recordId = typeof kinesis?.sequenceNumber === "string" ? kinesis.sequenceNumber : `${typeof record.eventID === "string" ? record.eventID : "unknown"}`;
        const shardId = typeof record.eventID === "string" ? (record.eventID.split(":")[0] ?? "") : "";
        const arrival = typeof kinesis?.approximateArrivalTimestamp === "number" && Number.isFinite(kinesis.approximateArrivalTimestamp) ? Math.round(kinesis.approximateArrivalTimestamp * 1000) : undefined;
        batch.recordIds.push(recordId);
        batch.shards.push(shardId);
        const eventsBefore = batch.events.length;
        try {
            if (!kinesis || typeof kinesis.data !== "string" || typeof kinesis.sequenceNumber !== "string") {
                throw new MalformedError("Kinesis record lacks kinesis.data or kinesis.sequenceNumber");
            }
            const data = decodeBase64(kinesis.data, "kinesis.data");
            const timestamp = arrival ?? Date.now();
            const base: Omit<NonNullable<EventOrigin["kinesis"]>, "subSequenceNumber"> = {
                stream: streamName(record.eventSourceARN),
                shardId,
                partitionKey: typeof kinesis.partitionKey === "string" ? kinesis.partitionKey : "",
                sequenceNumber: kinesis.sequenceNumber,
            };
            const arrived = arrival === undefined ? {} : { arrivedAt: arrival };
            if (isAggregated(data)) {
                for (const user of deaggregate(kinesis)) {
                    const origin: EventOrigin = { source: "kinesis", recordId, kinesis: { ...base, partitionKey: user.partitionKey, subSequenceNumber: user.subSequenceNumber }, ...arrived };
                    appendData(user.data, `${kinesis.sequenceNumber}-${user.subSequenceNumber}`, timestamp, origin, batch, `kinesis record ${recordId} sub-record ${user.subSequenceNumber}`);
                }
            } else {
                appendData(data, `${kinesis.sequenceNumber}-0`, timestamp, { source: "kinesis", recordId, kinesis: base, ...arrived }, batch, `kinesis record ${recordId}`);
            }
        } catch (error) {
            if (!(error instanceof MalformedError)) throw error;
            batch.events.length = eventsBefore; // the record is dead-lettered whole
            batch.malformed.push({ source: "kinesis", recordId, id: recordId, error: error.message, raw: typeof kinesis?.data === "string" ? kinesis.data : rawText(record), rawEncoding: "base64", ...(arrival === undefined ? {} : { arrivedAt: arrival }) });
        }
    }
    return batch;
}

function appendData(data: Buffer, idBase: string, timestamp: number, origin: EventOrigin, batch: DecodedBatch, what: string): void {
    if (data.length === 0) throw new MalformedError(`${what} is empty`);
    if (isGzip(data)) {
        // Events of a payload inside a Kinesis record keep the record's Kinesis fields (and arrival) beside their log group.
        appendCloudWatchPayload(decodeUtf8(gunzip(data, what), what), origin.recordId, batch, what, origin);
        return;
    }
    appendTextPayload(decodeUtf8(data, what), idBase, timestamp, origin, batch, what);
}
