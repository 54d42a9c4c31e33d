import type { SQSEvent, SQSRecord } from "aws-lambda";

import { emptyBatch, type DecodedBatch, type EventOrigin } from "../event";
import { appendCloudWatchPayload, appendTextPayload, decodeBase64, decodeUtf8, gunzip, isGzip, looksLikeCloudWatchPayload, MalformedError, rawText } from "./payload";

export function isSqsEvent(event: unknown): event is SQSEvent {
    const records = (event as { Records?: unknown } | null)?.Records;
    return Array.isArray(records) && records.length > 0 && (records[0] as { eventSource?: unknown })?.eventSource === "aws:sqs";
}

function queueName(arn: unknown): string {
    return typeof arn === "string" ? arn.slice(arn.lastIndexOf(":") + 1) : "";
}

/** SentTimestamp (epoch ms) when it is one. */
function sentAt(record: SQSRecord): number | undefined {
    const sent = Number(record?.attributes?.SentTimestamp);
    return Number.isFinite(sent) && sent > 0 ? sent : undefined;
}

interface SnsNotification {
    Type: string;
    MessageId: string;
    TopicArn: string;
    Message: string;
}

function asSnsNotification(body: string): SnsNotification | undefined {
    if (!body.startsWith("{") || !body.includes('"TopicArn"')) return undefined;
    try {
        const parsed = JSON.parse(body) as Partial<SnsNotification>;
        if (parsed.Type === "Notification" && typeof parsed.Message === "string" && typeof parsed.TopicArn === "string" && typeof parsed.MessageId === "string") {
            return parsed as SnsNotification;
        }
    } catch {
        // not JSON: plain text
    }
    return undefined;
}

/**
 * SQS messages: SNS notifications are unwrapped (their `Message` decoded like a body); a CloudWatch Logs payload
 * (as JSON, or base64 gzip) gives its events with their CloudWatch ids; a JSON body is one document; plain
 * text is one document per non-empty line (id `<messageId>-<line index>`). `@timestamp` is SentTimestamp.
 */
export function decodeSqsEvent(event: SQSEvent): DecodedBatch {
    const batch = emptyBatch("sqs");
    for (const record of event.Records) {
        const recordId = typeof record?.messageId === "string" ? record.messageId : "unknown";
        batch.recordIds.push(recordId);
        batch.shards.push("");
        // Received before: Lambda's retry of a failed message (or a visibility timeout that ran out).
        if (Number(record?.attributes?.ApproximateReceiveCount) > 1) batch.redelivered.add(recordId);
        const before = batch.events.length;
        const sent = sentAt(record);
        try {
            if (typeof record.body !== "string") throw new MalformedError("SQS record lacks a string body");
            decodeRecord(record, recordId, batch);
        } catch (error) {
            if (!(error instanceof MalformedError)) throw error;
            batch.events.length = before;
            batch.malformed.push({ source: "sqs", recordId, id: recordId, error: error.message, raw: typeof record?.body === "string" ? record.body : rawText(record), rawEncoding: "utf8", ...(sent === undefined ? {} : { arrivedAt: sent }) });
        }
    }
    return batch;
}

function decodeRecord(record: SQSRecord, recordId: string, batch: DecodedBatch): void {
    const sent = sentAt(record);
    const timestamp = sent ?? Date.now();
    const origin: EventOrigin = { source: "sqs", recordId, sqs: { queue: queueName(record.eventSourceARN), messageId: recordId }, ...(sent === undefined ? {} : { arrivedAt: sent }) };
    let body = record.body;
    let what = `SQS message ${recordId}`;
    const sns = asSnsNotification(body);
    if (sns) {
        origin.sns = { topicArn: sns.TopicArn, messageId: sns.MessageId };
        body = sns.Message;
        what = `SNS message in SQS message ${recordId}`;
    }
    // A CloudWatch Logs payload's events also carry the SQS (and SNS) fields of the message they came in.
    if (looksLikeCloudWatchPayload(body)) {
        appendCloudWatchPayload(body, recordId, batch, what, origin);
        return;
    }
    if (body.startsWith("H4sI")) {
        // base64(gzip(...)): a CloudWatch Logs payload forwarded as is
        const text = decodeUtf8(gunzip(decodeBase64(body.trim(), what), what), what);
        appendCloudWatchPayload(text, recordId, batch, what, origin);
        return;
    }
    if (isGzip(Buffer.from(body.slice(0, 2), "latin1"))) throw new MalformedError(`${what} is raw binary gzip (send it base64-encoded)`);
    appendTextPayload(body, recordId, timestamp, origin, batch, what);
}
