import { gunzipSync, gzipSync } from "zlib";

import type * as S3Module from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";
import type * as SqsModule from "@aws-sdk/client-sqs";
import type { SQSClient } from "@aws-sdk/client-sqs";

import { awsClientConfig } from "../shared/awsClient";
import { describeError } from "../shared/errors";
import type { ShipperSource } from "./config";

/**
 * One dead letter: a document Elasticsearch refused for good (`rejected`: mapping error, other 4xx, oversize),
 * or input that could not be decoded (`malformed`). It keeps what is needed to ship it again after a fix.
 * Its payload is text (the document's JSON as sent, or the record as received), never a parsed object: writing a
 * letter walks no user data, so any input, however deeply nested, can be dead-lettered.
 */
export interface DeadLetter {
    version: 1;
    source: ShipperSource;
    reason: "rejected" | "malformed";
    /** Log-safe description of why (no payload). */
    error: string;
    /** Deterministic: the document `_id` (rejected) or the record's id (malformed); a repeat letter has the same id. */
    id: string;
    /** The batch item it came from (SQS message id, Kinesis sequence number; "" for CloudWatch Logs). */
    recordId: string;
    /** When the letter was written (ISO 8601). */
    at: string;
    /**
     * When its data first entered the platform (ISO 8601): SQS SentTimestamp, Kinesis approximateArrivalTimestamp, a
     * CloudWatch Logs event's own time (an undecodable CloudWatch Logs payload: when it was received). A replay
     * ships no letter whose data is older than its limit (replay.ts). Letters written before it existed: use `at`.
     */
    originAt?: string;
    /** rejected: the data stream, and the ECS document as sent (its JSON text). */
    index?: string;
    documentJson?: string;
    /** rejected, in letters written before `documentJson`: the document as an object. */
    document?: Record<string, unknown>;
    /** malformed: the original record as received, and how `raw` is encoded. */
    raw?: string;
    rawEncoding?: "base64" | "utf8";
    /** Set by decodeDeadLetterBody when the letter's content is in S3 (see loadDeadLetter). */
    offloaded?: { bucket: string; key: string };
    /** Set by decodeDeadLetterBody when the body is one part of a split letter (see joinDeadLetterParts). */
    part?: { index: number; count: number; data: string };
}

/** The SQS message size limit is 262,144 bytes; leave room for the envelope and attributes. */
export const MAX_BODY_BYTES = 250_000;

type Header = Pick<DeadLetter, "version" | "source" | "reason" | "error" | "id" | "recordId" | "at" | "originAt">;

/** Message bodies: a plain letter, a gzip+base64 letter, a letter offloaded to S3, or one part of a split gzip+base64 letter. */
type Envelope =
    | (DeadLetter & { encoding?: undefined })
    | (Header & { encoding: "gzip+base64"; data: string; part?: { index: number; count: number } })
    | (Header & { encoding: "s3"; bucket: string; key: string });

function header(letter: DeadLetter): Header {
    return { version: 1, source: letter.source, reason: letter.reason, error: letter.error, id: letter.id, recordId: letter.recordId, at: letter.at, ...(letter.originAt === undefined ? {} : { originAt: letter.originAt }) };
}

/** A rejected letter's document as JSON text: `documentJson`, or the object of a letter written before it (which JSON.stringify could always serialize: it was written). */
export function letterDocumentJson(letter: DeadLetter): string | undefined {
    if (letter.documentJson !== undefined) return letter.documentJson;
    return letter.document === undefined ? undefined : JSON.stringify(letter.document);
}

/** When a letter's data entered the platform (epoch ms): `originAt`, else (a letter written before it existed) `at`. NaN when neither is a time. */
export function letterOriginTime(letter: DeadLetter): number {
    const origin = letter.originAt === undefined ? Number.NaN : Date.parse(letter.originAt);
    return Number.isNaN(origin) ? Date.parse(letter.at) : origin;
}

/**
 * The SQS bodies for one letter: as JSON when it fits; gzip+base64 when that fits; else offloaded to S3 (when a
 * bucket is configured: `put` stores the gzip JSON); else split into parts that each fit.
 */
export async function encodeDeadLetter(letter: DeadLetter, bucket: string | undefined, put: (bucket: string, key: string, body: Buffer) => Promise<void>): Promise<string[]> {
    const json = JSON.stringify(letter);
    if (Buffer.byteLength(json) <= MAX_BODY_BYTES) return [json];
    const gzipped = gzipSync(json);
    const data = gzipped.toString("base64");
    const envelope = (extra: Record<string, unknown>) => JSON.stringify({ ...header(letter), ...extra });
    const single = envelope({ encoding: "gzip+base64", data });
    if (Buffer.byteLength(single) <= MAX_BODY_BYTES) return [single];
    if (bucket) {
        const key = `dead-letters/${letter.source}/${letter.at.slice(0, 10)}/${encodeURIComponent(letter.id)}-${Date.now()}.json.gz`;
        await put(bucket, key, gzipped);
        return [envelope({ encoding: "s3", bucket, key })];
    }
    const room = MAX_BODY_BYTES - Buffer.byteLength(envelope({ encoding: "gzip+base64", data: "", part: { index: 99999, count: 99999 } }));
    const count = Math.ceil(data.length / room);
    return Array.from({ length: count }, (_, index) => envelope({ encoding: "gzip+base64", data: data.slice(index * room, (index + 1) * room), part: { index, count } }));
}

/** Decodes one SQS body written by the shipper: plain or compressed letters in full; S3 and split letters as references (see loadDeadLetter, joinDeadLetterParts). */
export function decodeDeadLetterBody(body: string): DeadLetter {
    let envelope: Envelope;
    try {
        envelope = JSON.parse(body) as Envelope;
    } catch {
        throw new Error("dead letter body is not JSON: not a message written by the log shipper");
    }
    if (envelope === null || typeof envelope !== "object" || envelope.version !== 1 || typeof envelope.id !== "string") {
        throw new Error("dead letter body lacks version 1 and an id: not a message written by the log shipper");
    }
    if (envelope.encoding === undefined) return envelope;
    const head: DeadLetter = header(envelope as DeadLetter);
    if (envelope.encoding === "s3") return { ...head, offloaded: { bucket: envelope.bucket, key: envelope.key } };
    if (envelope.encoding === "gzip+base64") {
        if (envelope.part) return { ...head, part: { ...envelope.part, data: envelope.data } };
        return JSON.parse(gunzipSync(Buffer.from(envelope.data, "base64")).toString("utf8")) as DeadLetter;
    }
    throw new Error(`dead letter body has an unknown encoding ${JSON.stringify(String((envelope as { encoding: unknown }).encoding))}`);
}

/** Joins the parts of split letters (by id); complete letters pass through. Letters with missing parts are returned in `incomplete`. */
export function joinDeadLetterParts(letters: DeadLetter[]): { letters: DeadLetter[]; incomplete: DeadLetter[] } {
    const whole: DeadLetter[] = [];
    const groups = new Map<string, DeadLetter[]>();
    for (const letter of letters) {
        if (!letter.part) whole.push(letter);
        else groups.set(`${letter.id}\u0000${letter.at}`, [...(groups.get(`${letter.id}\u0000${letter.at}`) ?? []), letter]);
    }
    const incomplete: DeadLetter[] = [];
    for (const parts of groups.values()) {
        const count = parts[0]?.part?.count ?? 0;
        const byIndex = new Map(parts.map((part) => [part.part?.index, part.part?.data]));
        if (byIndex.size !== count) {
            incomplete.push(...parts);
            continue;
        }
        const data = Array.from({ length: count }, (_, index) => byIndex.get(index) ?? "").join("");
        whole.push(JSON.parse(gunzipSync(Buffer.from(data, "base64")).toString("utf8")) as DeadLetter);
    }
    return { letters: whole, incomplete };
}

/**
 * The SQS and S3 clients' modules, required on first use: only invocations that dead-letter need them, and loading
 * them at cold start would cost every container (the Lambda runtime provides them; see docs/shipper.md, Performance).
 */
function sqsModule(): typeof SqsModule {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-sqs") as typeof SqsModule;
}

function s3Module(): typeof S3Module {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-s3") as typeof S3Module;
}

/** Reads an offloaded letter's content from S3 (other letters are returned as they are). */
export async function loadDeadLetter(letter: DeadLetter, s3?: S3Client): Promise<DeadLetter> {
    if (!letter.offloaded) return letter;
    const { GetObjectCommand, S3Client: Client } = s3Module();
    const answer = await (s3 ?? new Client(awsClientConfig())).send(new GetObjectCommand({ Bucket: letter.offloaded.bucket, Key: letter.offloaded.key }));
    const bytes = Buffer.from(await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    return JSON.parse(gunzipSync(bytes).toString("utf8")) as DeadLetter;
}

/**
 * Writes dead letters to the SQS queue (SendMessageBatch, 10 bodies and 256 KiB at most per call). Returns, per
 * letter, whether all of its bodies were accepted; a letter that was not must fail its record for retry.
 */
export class DeadLetterWriter {
    private sqs?: SQSClient;
    private s3?: S3Client;

    constructor(
        private readonly queueUrl: string | undefined,
        private readonly bucket: string | undefined,
    ) {}

    async write(letters: DeadLetter[]): Promise<{ written: boolean[]; errors: string[] }> {
        const written = letters.map(() => false);
        const errors: string[] = [];
        if (letters.length === 0) return { written, errors };
        if (!this.queueUrl) return { written, errors: ["no dead-letter queue is configured (deadLetterQueueUrl)"] };
        const { SQSClient: Client, SendMessageBatchCommand } = sqsModule();
        this.sqs ??= new Client(awsClientConfig());
        const bodies: { letter: number; body: string }[] = [];
        const encodeFailed = new Set<number>();
        for (let i = 0; i < letters.length; i++) {
            try {
                for (const body of await encodeDeadLetter(letters[i], this.bucket, (bucket, key, data) => this.put(bucket, key, data))) bodies.push({ letter: i, body });
            } catch (error) {
                encodeFailed.add(i);
                errors.push(`offloading dead letter ${letters[i]?.id} failed: ${describeError(error)}`);
            }
        }
        const failed = new Set<number>(encodeFailed);
        let batch: typeof bodies = [];
        let batchBytes = 0;
        const flush = async () => {
            if (batch.length === 0) return;
            const entries = batch;
            batch = [];
            batchBytes = 0;
            try {
                const answer = await (this.sqs as SQSClient).send(
                    new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries.map((entry, index) => ({ Id: String(index), MessageBody: entry.body })) }),
                );
                for (const failure of answer.Failed ?? []) {
                    const entry = entries[Number(failure.Id)];
                    if (entry) failed.add(entry.letter);
                    errors.push(`dead letter refused by SQS: ${failure.Code ?? "unknown"}`);
                }
            } catch (error) {
                for (const entry of entries) failed.add(entry.letter);
                errors.push(`writing dead letters failed: ${describeError(error)}`);
            }
        };
        for (const entry of bodies) {
            const size = Buffer.byteLength(entry.body);
            if (batch.length === 10 || batchBytes + size > 262_144 - 1_000) await flush();
            batch.push(entry);
            batchBytes += size;
        }
        await flush();
        for (let i = 0; i < letters.length; i++) written[i] = !failed.has(i);
        return { written, errors };
    }

    private async put(bucket: string, key: string, body: Buffer): Promise<void> {
        const { S3Client: Client, PutObjectCommand } = s3Module();
        this.s3 ??= new Client(awsClientConfig());
        await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json", ContentEncoding: "gzip" }));
    }

    close(): void {
        this.sqs?.destroy();
        this.s3?.destroy();
    }
}
