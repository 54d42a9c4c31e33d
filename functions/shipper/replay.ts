import { S3Client } from "@aws-sdk/client-s3";

import { awsClientConfig } from "../shared/awsClient";
import { Deadline } from "../shared/deadline";
import { describeError } from "../shared/errors";
import { sendBulk } from "./bulk";
import { BulkBody } from "./bulkBody";
import type { ShipperFunctionConfig } from "./config";
import { ConnectionProvider } from "./connection";
import { joinDeadLetterParts, loadDeadLetter, type DeadLetter } from "./deadLetter";
import { createDocumentRenderer } from "./document";
import type { DecodedBatch } from "./event";
import { decodeCloudWatchLogsEvent } from "./sources/cloudwatchLogs";
import { decodeKinesisEvent } from "./sources/kinesis";
import { decodeSqsEvent } from "./sources/sqs";

export interface ReshipResult {
    id: string;
    outcome: "shipped" | "already-present" | "dead-letter-again" | "failed";
    error?: string;
}

/** Rebuilds the batch a malformed letter's original record would give (after a decoder fix it may decode). */
function redecode(letter: DeadLetter): DecodedBatch {
    const raw = letter.raw ?? "";
    if (letter.source === "cloudwatch") return decodeCloudWatchLogsEvent({ awslogs: { data: raw } }, letter.id);
    if (letter.source === "kinesis") {
        return decodeKinesisEvent({
            Records: [
                {
                    eventSource: "aws:kinesis",
                    eventSourceARN: "",
                    eventID: "",
                    kinesis: { data: raw, sequenceNumber: letter.recordId, partitionKey: "", kinesisSchemaVersion: "1.0", approximateArrivalTimestamp: Date.parse(letter.at) / 1000 },
                },
            ],
        } as unknown as Parameters<typeof decodeKinesisEvent>[0]);
    }
    return decodeSqsEvent({
        Records: [{ eventSource: "aws:sqs", eventSourceARN: "", messageId: letter.recordId, body: raw, attributes: { SentTimestamp: String(Date.parse(letter.at)) } }],
    } as unknown as Parameters<typeof decodeSqsEvent>[0]);
}

/**
 * Ships dead letters again through the same bulk path (`create`, deterministic ids: a letter shipped twice is
 * `already-present`). Rejected documents are sent as they were written; malformed input is decoded again and
 * counts as shipped only when every document it gives is. Nothing is written to the dead-letter queue here:
 * the caller keeps (does not delete) every letter whose outcome is not shipped / already-present.
 */
export async function reshipDeadLetters(config: ShipperFunctionConfig, letters: DeadLetter[]): Promise<ReshipResult[]> {
    const results: ReshipResult[] = [];
    const s3 = letters.some((letter) => letter.offloaded) ? new S3Client(awsClientConfig()) : undefined;
    const joined = joinDeadLetterParts(letters);
    for (const part of joined.incomplete) results.push({ id: part.id, outcome: "failed", error: "parts of this split dead letter are missing: receive the rest of the queue first" });

    // Each letter becomes one or more bulk items; a letter's result is the worst of its items'.
    const items = new BulkBody(64 * 1024);
    const owners: number[] = [];
    const pending: { id: string; items: number; outcomes: string[]; error?: string }[] = [];
    const renderer = createDocumentRenderer(config);
    const environment = { ingested: new Date().toISOString() };
    for (const reference of joined.letters) {
        let letter: DeadLetter;
        try {
            letter = await loadDeadLetter(reference, s3);
        } catch (error) {
            results.push({ id: reference.id, outcome: "failed", error: `reading the offloaded letter failed: ${describeError(error)}` });
            continue;
        }
        const slot = pending.push({ id: letter.id, items: 0, outcomes: [] }) - 1;
        const entry = pending[slot];
        if (letter.reason === "rejected" && letter.document && letter.index) {
            items.append(`{"create":{"_index":${JSON.stringify(letter.index)},"_id":${JSON.stringify(letter.id)}}}`, JSON.stringify(letter.document));
            owners.push(slot);
            entry.items++;
            continue;
        }
        const batch = redecode(letter);
        if (batch.malformed.length > 0 || batch.events.length === 0) {
            entry.error = batch.malformed[0]?.error ?? "the original record holds no events";
            continue;
        }
        for (const event of batch.events) {
            const rendered = renderer.render(event, environment);
            items.append(rendered.action, rendered.document);
            owners.push(slot);
            entry.items++;
        }
    }

    const connections = new ConnectionProvider({ ...config.elasticsearch, requestTimeoutMs: config.delivery.requestTimeoutMs });
    try {
        const client = items.count > 0 ? await connections.get() : undefined;
        const outcomes = client
            ? await sendBulk(client, items, { concurrency: config.delivery.bulkConcurrency, maxBytes: config.delivery.bulkMaxBytes, requestTimeoutMs: config.delivery.requestTimeoutMs, maxRetries: config.delivery.maxRetries }, new Deadline(undefined, 0, 15 * 60_000))
            : [];
        outcomes.forEach((outcome, index) => {
            const entry = pending[owners[index]];
            entry.outcomes.push(outcome.status);
            if ("error" in outcome && !entry.error) entry.error = outcome.error;
        });
    } catch (error) {
        for (const entry of pending) if (entry.items > 0 && !entry.error) entry.error = describeError(error);
    } finally {
        await connections.close();
        s3?.destroy();
    }
    for (const entry of pending) {
        const statuses = entry.outcomes;
        let outcome: ReshipResult["outcome"];
        if (entry.items === 0) outcome = "dead-letter-again";
        else if (statuses.length < entry.items || statuses.includes("retry")) outcome = "failed";
        else if (statuses.includes("rejected")) outcome = "dead-letter-again";
        else if (statuses.every((status) => status === "exists")) outcome = "already-present";
        else outcome = "shipped";
        results.push({ id: entry.id, outcome, ...(entry.error && outcome !== "shipped" && outcome !== "already-present" ? { error: entry.error } : {}) });
    }
    return results;
}
