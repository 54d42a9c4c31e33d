import { isUtf8 } from "buffer";
import { gunzipSync } from "zlib";

import { InputError } from "../../shared/errors";
import type { DecodedBatch, EventOrigin, LogEvent } from "../event";

/** The largest decompressed payload accepted (CloudWatch Logs sends at most 1 MB of events; leaves room for JSON). */
export const MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;

/**
 * Input that cannot be decoded: caught by the source decoders, which dead-letter the record it came from.
 * An InputError (retrying cannot help), which also keeps its message once serialized by CallbackFunction.
 */
export class MalformedError extends InputError {
    constructor(message: string) {
        super(message);
        this.name = "MalformedError";
    }
}

export function isGzip(data: Buffer): boolean {
    return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * Strict base64: Buffer.from silently skips characters outside the alphabet (and takes the URL-safe one), so
 * the text must be checked. Text that the decoded bytes encode back to is canonical base64 (what AWS sends): that
 * comparison runs at memory speed. Only other text goes through the character check (the standard alphabet,
 * `=` padding at the end only), so what is accepted is unchanged (non-zero padding bits, for one).
 */
export function decodeBase64(text: string, what: string): Buffer {
    if (text.length === 0) throw new MalformedError(`${what} is empty`);
    if (text.length % 4 !== 0) throw new MalformedError(`${what} is not valid base64`);
    const decoded = Buffer.from(text, "base64");
    if (decoded.toString("base64") !== text && !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new MalformedError(`${what} is not valid base64`);
    return decoded;
}

export function gunzip(data: Buffer, what: string): Buffer {
    try {
        return gunzipSync(data, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ERR_BUFFER_TOO_LARGE" || (error as Error).name === "RangeError") {
            throw new MalformedError(`${what} decompresses to more than ${MAX_DECOMPRESSED_BYTES} bytes`);
        }
        throw new MalformedError(`${what} is not a complete gzip stream (${code ?? (error as Error).message})`);
    }
}

export function decodeUtf8(data: Buffer, what: string): string {
    if (!isUtf8(data)) throw new MalformedError(`${what} is not valid UTF-8`);
    return data.toString("utf8");
}

interface CloudWatchLogsPayload {
    messageType: string;
    owner?: string;
    logGroup: string;
    logStream: string;
    logEvents: { id: string; timestamp: number; message: string }[];
}

/**
 * A value of the Lambda event that should have been a string (awslogs.data, a record's data or body), as text for the
 * dead letter's `raw`: its JSON, or, when it cannot be serialized (nested too deep for JSON.stringify, which
 * recurses), a note saying so. Never throws: a malformed record must always reach its dead letter.
 */
export function rawText(value: unknown): string {
    try {
        return JSON.stringify(value ?? null) ?? "null";
    } catch (error) {
        return JSON.stringify({ unserializable: `${typeof value} that JSON.stringify refused (${(error as Error).name})` });
    }
}

/**
 * A CloudWatch Logs subscription payload (the gunzipped JSON): DATA_MESSAGE events are appended to `batch`,
 * CONTROL_MESSAGE is counted. Throws MalformedError on anything else, before appending anything. The events'
 * origin is the payload's group and stream plus `carrier`: the fields of the record it came in (Kinesis, SQS, SNS, arrival),
 * given here so that they go to this payload's events only (a payload that adds none changes nothing).
 */
export function appendCloudWatchPayload(text: string, recordId: string, batch: DecodedBatch, what: string, carrier: Omit<EventOrigin, "recordId"> & { recordId?: string } = { source: batch.source }): void {
    let payload: CloudWatchLogsPayload;
    try {
        payload = JSON.parse(text) as CloudWatchLogsPayload;
    } catch {
        throw new MalformedError(`${what} is not JSON`);
    }
    if (payload === null || typeof payload !== "object") throw new MalformedError(`${what} is not a CloudWatch Logs payload (not an object)`);
    if (payload.messageType === "CONTROL_MESSAGE") {
        batch.controlMessages++;
        return;
    }
    if (payload.messageType !== "DATA_MESSAGE") {
        // Only a string is quoted (String() of a nested array recurses): the error names the type otherwise.
        const messageType: unknown = payload.messageType;
        const type = typeof messageType === "string" ? JSON.stringify(messageType.slice(0, 40)) : `of type ${messageType === null ? "null" : Array.isArray(messageType) ? "array" : typeof messageType}`;
        throw new MalformedError(`${what} has messageType ${type}, expected DATA_MESSAGE or CONTROL_MESSAGE`);
    }
    if (typeof payload.logGroup !== "string" || typeof payload.logStream !== "string" || !Array.isArray(payload.logEvents)) {
        throw new MalformedError(`${what} lacks logGroup, logStream or the logEvents array`);
    }
    const events = payload.logEvents;
    for (let i = 0; i < events.length; i++) {
        const event = events[i];
        if (!event || typeof event.id !== "string" || event.id.length === 0 || typeof event.timestamp !== "number" || typeof event.message !== "string") {
            throw new MalformedError(`${what}: logEvents[${i}] lacks a string id, a numeric timestamp or a string message`);
        }
    }
    const origin: EventOrigin = {
        ...carrier,
        recordId,
        cloudwatch: { logGroup: payload.logGroup, logStream: payload.logStream, ...(typeof payload.owner === "string" ? { owner: payload.owner } : {}) },
    };
    // The parsed events become the LogEvents (their origin added): no copy per event.
    for (let i = 0; i < events.length; i++) {
        const event = events[i] as LogEvent;
        event.origin = origin;
        batch.events.push(event);
    }
    batch.bytes += text.length;
}

/** True when the text looks like a CloudWatch Logs subscription payload (checked before a full parse). */
export function looksLikeCloudWatchPayload(text: string): boolean {
    return text.startsWith("{") && text.includes('"messageType"') && text.includes('"logEvents"');
}

/**
 * A text payload (Kinesis record, SQS body): one JSON value is one document (id `<base>-0`); plain text is one
 * document per non-empty line (id `<base>-<line index>`, counting every line so ids are stable). Returns the
 * number of documents appended; throws MalformedError when there is nothing to ship.
 */
export function appendTextPayload(text: string, idBase: string, timestamp: number, origin: EventOrigin, batch: DecodedBatch, what: string): number {
    const trimmed = text.trim();
    if (trimmed.length === 0) throw new MalformedError(`${what} is empty (or only whitespace)`);
    batch.bytes += text.length;
    const first = trimmed.charCodeAt(0);
    if (first === 123 /* { */ || first === 91 /* [ */) {
        try {
            JSON.parse(trimmed);
            batch.events.push({ id: `${idBase}-0`, timestamp, message: text, origin });
            return 1;
        } catch {
            // not JSON: plain text lines
        }
    }
    if (text.indexOf("\n") === -1) {
        batch.events.push({ id: `${idBase}-0`, timestamp, message: text.endsWith("\r") ? text.slice(0, -1) : text, origin });
        return 1;
    }
    const lines = text.split("\n");
    let appended = 0;
    for (let i = 0; i < lines.length; i++) {
        let line = lines[i];
        if (line.endsWith("\r")) line = line.slice(0, -1);
        if (line.trim().length === 0) continue;
        batch.events.push({ id: `${idBase}-${i}`, timestamp, message: line, origin });
        appended++;
    }
    return appended;
}
