import { S3Client } from "@aws-sdk/client-s3";

import { awsClientConfig } from "../shared/awsClient";
import { Deadline } from "../shared/deadline";
import { describeError } from "../shared/errors";
import { deliveryOptions, sendBulk } from "./bulk";
import { BulkBody } from "./bulkBody";
import type { ShipperFunctionConfig } from "./config";
import { ConnectionProvider } from "./connection";
import { joinDeadLetterParts, letterDocumentJson, letterOriginTime, loadDeadLetter, type DeadLetter } from "./deadLetter";
import { createDocumentRenderer } from "./document";
import type { DecodedBatch } from "./event";
import { findExisting } from "./existing";
import { templatePattern } from "./template";
import { decodeCloudWatchLogsEvent } from "./sources/cloudwatchLogs";
import { decodeKinesisEvent } from "./sources/kinesis";
import { decodeSqsEvent } from "./sources/sqs";

/**
 * The default of `maxDataAgeMs` (and of `npm run replay -- --max-data-age`): 71 hours. Data is kept 7 days at most,
 * counted end to end from when it entered the platform; a replay re-creates it in Elasticsearch, where it can then
 * stay its rollover (1 day), its retention (prod's 3 days) and two lifecycle runs: 168 h - 96 h 10 min, rounded down
 * (components/dataProtection/plan.ts computes it for each stack: `npm run replay -- --stack <name>`).
 */
export const DEFAULT_REPLAY_MAX_DATA_AGE_MS = 71 * 3600 * 1000;

export interface ReshipResult {
    id: string;
    /** `expired`: the letter's data is older than `maxDataAgeMs`: never shipped (the caller deletes it). */
    outcome: "shipped" | "already-present" | "dead-letter-again" | "failed" | "expired";
    error?: string;
}

export interface ReshipOptions {
    /** Letters whose data entered the platform longer ago than this are `expired`, not shipped (default DEFAULT_REPLAY_MAX_DATA_AGE_MS). */
    maxDataAgeMs?: number;
    /** The time the age is counted to (epoch ms; default now). */
    now?: number;
}

/**
 * Whether a letter's data is too old to be shipped again: it entered the platform (`originAt`, else `at` for a
 * letter written before it existed) more than `maxDataAgeMs` before `now`. A letter with no readable time counts as
 * too old: its age cannot be shown to be within the limit.
 */
export function isExpired(letter: DeadLetter, maxDataAgeMs: number, now: number): boolean {
    const origin = letterOriginTime(letter);
    return Number.isNaN(origin) || now - origin > maxDataAgeMs;
}

/** Rebuilds the batch a malformed letter's original record would give (after a decoder fix it may decode). */
function redecode(letter: DeadLetter): DecodedBatch {
    const raw = letter.raw ?? "";
    // The record's arrival, as it was delivered (SQS SentTimestamp, Kinesis approximateArrivalTimestamp).
    const arrival = letterOriginTime(letter);
    if (letter.source === "cloudwatch") return decodeCloudWatchLogsEvent({ awslogs: { data: raw } }, letter.id);
    if (letter.source === "kinesis") {
        return decodeKinesisEvent({
            Records: [
                {
                    eventSource: "aws:kinesis",
                    eventSourceARN: "",
                    eventID: "",
                    kinesis: { data: raw, sequenceNumber: letter.recordId, partitionKey: "", kinesisSchemaVersion: "1.0", approximateArrivalTimestamp: arrival / 1000 },
                },
            ],
        } as unknown as Parameters<typeof decodeKinesisEvent>[0]);
    }
    return decodeSqsEvent({
        Records: [{ eventSource: "aws:sqs", eventSourceARN: "", messageId: letter.recordId, body: raw, attributes: { SentTimestamp: String(arrival) } }],
    } as unknown as Parameters<typeof decodeSqsEvent>[0]);
}

/**
 * Ships dead letters again through the same bulk path (`create`, deterministic ids: a letter shipped twice is
 * `already-present`). Rejected documents are sent as they were written; malformed input is decoded again and
 * counts as shipped only when every document it gives is. Documents already anywhere in their data stream (any
 * backing index: a replay often comes after a rollover) are `already-present` and not written again. A letter
 * whose data is older than `maxDataAgeMs` is `expired` and never shipped: the caller deletes it (it would outlive
 * the data-protection limit). Nothing is written to the dead-letter queue here: the caller keeps (does not delete)
 * every letter whose outcome is not shipped / already-present / expired.
 */
export async function reshipDeadLetters(config: ShipperFunctionConfig, allLetters: DeadLetter[], options: ReshipOptions = {}): Promise<ReshipResult[]> {
    const results: ReshipResult[] = [];
    const maxDataAgeMs = options.maxDataAgeMs ?? DEFAULT_REPLAY_MAX_DATA_AGE_MS;
    const now = options.now ?? Date.now();
    // Decided from the letter's header (split and offloaded letters carry originAt there too): nothing of an expired letter is read or sent.
    const expiredIds = new Set<string>();
    const letters: DeadLetter[] = [];
    for (const letter of allLetters) {
        if (isExpired(letter, maxDataAgeMs, now)) expiredIds.add(letter.id);
        else letters.push(letter);
    }
    for (const id of expiredIds) results.push({ id, outcome: "expired", error: `its data entered the platform more than ${Math.round(maxDataAgeMs / 3_600_000)} h ago (maxDataAgeMs): not shipped again` });
    const s3 = letters.some((letter) => letter.offloaded) ? new S3Client(awsClientConfig()) : undefined;
    const joined = joinDeadLetterParts(letters);
    for (const part of joined.incomplete) results.push({ id: part.id, outcome: "failed", error: "parts of this split dead letter are missing: receive the rest of the queue first" });

    // Each letter becomes one or more bulk items; a letter's result is the worst of its items'.
    const items = new BulkBody(64 * 1024);
    const owners: number[] = [];
    const targets: { index: string; id: string }[] = [];
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
        if (letter.reason === "rejected" && letter.index) {
            let document: string | undefined;
            try {
                document = letterDocumentJson(letter);
            } catch (error) {
                entry.error = `the letter's document cannot be serialized: ${describeError(error)}`;
                continue;
            }
            if (document !== undefined) {
                items.append(`{"create":{"_index":${JSON.stringify(letter.index)},"_id":${JSON.stringify(letter.id)}}}`, document);
                owners.push(slot);
                targets.push({ index: letter.index, id: letter.id });
                entry.items++;
                continue;
            }
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
            targets.push({ index: rendered.index, id: event.id });
            entry.items++;
        }
    }

    const connections = new ConnectionProvider({ ...config.elasticsearch, requestTimeoutMs: config.delivery.requestTimeoutMs });
    try {
        const client = items.count > 0 ? await connections.get() : undefined;
        const deadline = new Deadline(undefined, 0, 15 * 60_000);
        const lookUp = async (indexes: number[]): Promise<Set<number>> => {
            const found = await findExisting(client as NonNullable<typeof client>, indexes.map((index) => targets[index]), templatePattern(config.elasticsearch.namespace), config.delivery.requestTimeoutMs, deadline);
            return new Set(indexes.filter((_, position) => found[position]));
        };
        // Every letter may have been shipped before (by an earlier replay, or before a rollover): looked up first.
        const known = client ? await lookUp(targets.map((_, index) => index)).catch(() => undefined) : undefined;
        const outcomes = client
            ? await sendBulk(client, items, deliveryOptions(config.delivery, known, lookUp), deadline)
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
