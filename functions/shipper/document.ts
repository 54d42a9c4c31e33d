import type { ShipperFunctionConfig, ShipperSource } from "./config";
import { BulkBody } from "./bulkBody";
import { createJsonObjectCheck, JSON_MAX_NESTING, jsonNestingExceeds } from "./jsonCheck";
import type { EventOrigin, LogEvent } from "./event";

/** data_stream.dataset per source (datasetBy "source"). */
export const SOURCE_DATASETS: Record<ShipperSource, string> = { cloudwatch: "aws.cloudwatch_logs", kinesis: "aws.kinesis", sqs: "aws.sqs" };

/** Tags written on documents whose JSON expansion was cut (ECS `tags`). */
export const TAG_JSON_TRUNCATED = "shipper_json_truncated";

/**
 * The dataset of a CloudWatch log group (datasetBy "logGroup"): `aws.cloudwatch_logs.<group>` with the group
 * lower-cased, every run of characters other than [a-z0-9] turned into one `_`, trimmed, cut to 60
 * characters (data stream names allow no `-` in the dataset, nor upper case, and are at most 255 bytes).
 */
export function logGroupDataset(logGroup: string): string {
    const sanitized = logGroup.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60).replace(/_+$/, "");
    return `${SOURCE_DATASETS.cloudwatch}.${sanitized || "unnamed"}`;
}

export function dataStreamName(dataset: string, namespace: string): string {
    return `logs-${dataset}-${namespace}`;
}

export interface DocumentEnvironment {
    region?: string;
    accountId?: string;
    /** event.ingested: the invocation's start (one per invocation, ISO 8601). */
    ingested: string;
}

/** One rendered document: its data stream, its bulk `create` action line and its source line (without newlines). */
export interface RenderedDocument {
    index: string;
    /** `{"create":{"_index":...,"_id":...}}` */
    action: string;
    /** The document (also what a dead letter keeps). */
    document: string;
}

/** What every event of one origin shares, encoded once per batch and origin (UTF-8). */
interface OriginRendering {
    index: string;
    /** `{"create":{"_index":"<index>","_id":` */
    actionPrefix: Buffer;
    /**
     * What follows `event` (and the JSON expansion): the origin's fields (data_stream, cloud, aws), up to
     * `"event_id":` for CloudWatch Logs events (the id then `}}}` and the newline follow), else to the end of the
     * document and its newline.
     */
    tail: Buffer;
    /** `,"ingested":"…"}` (the end of `event`) then `tail`: what follows `event.id` when the message has no JSON expansion. */
    ingestedTail: Buffer;
    /** Whether the CloudWatch event id (then `}}}\n`) follows `tail`. */
    cloudwatch: boolean;
}

/** Per-source include/exclude filters on the message (compiled by the handler). */
export interface EventFilter {
    include?: RegExp;
    exclude?: RegExp;
}

/** A document too large for any bulk request (over `maxBytes`): dead-lettered, never sent. */
export interface OversizeDocument {
    event: LogEvent;
    index: string;
    document: string;
    bytes: number;
}

/** One batch rendered: the bulk body (item i is `events[i]`), what was too large, and how many were filtered out. */
export interface RenderedBatch {
    body: BulkBody;
    events: LogEvent[];
    oversize: OversizeDocument[];
    filtered: number;
}

/**
 * Renders LogEvents into ECS documents and bulk lines. What is common to an origin (data stream, cloud,
 * aws.*, data_stream) is serialized once per origin and spliced into each event's document, so the per-event
 * cost is the event's own fields and the message.
 */
export interface DocumentRenderer {
    /**
     * Renders the events that pass `filter` into one bulk body, in order. A document whose bulk item
     * (action, document, newlines) is over `maxBytes` bytes is left out of the body and returned in `oversize`.
     */
    renderBatch(events: readonly LogEvent[], environment: DocumentEnvironment, filter: EventFilter | undefined, maxBytes: number): RenderedBatch;
    /** One event's data stream, bulk action and document (replay; the handler renders whole batches). */
    render(event: LogEvent, environment: DocumentEnvironment): RenderedDocument;
    /** The data stream an origin's events go to. */
    indexOf(origin: EventOrigin): string;
    /**
     * Takes back a batch's body once nothing reads it any more: its buffer is reused by the next batch (a new
     * multi-megabyte buffer per invocation made the garbage collector run full collections for the external memory).
     */
    recycle(body: BulkBody): void;
}

/**
 * The renderer of a container: create it once (in the handler factory) and call it for every batch.
 *
 * Performance: CallbackFunction serializes every function of this module wrapped in a `with(...)` scope, so
 * each call of a serialized function allocates that scope and a fresh closure, and every identifier not
 * declared inside it (globals such as `JSON`, imports, module constants) is looked up dynamically. Hence the
 * shape: this factory runs once, binds what the hot path needs to locals, and returns closures; the per-event
 * loop (`renderBatch`) and its helpers reference only those locals and keep the same identity from one
 * invocation to the next (their optimized code stays).
 *
 * Each item is written straight into the batch's buffer as UTF-8, piece by piece: what an origin's events share
 * (action prefix, data_stream, cloud, aws) is encoded once per batch and copied as bytes, the event's id is
 * written once and copied twice, the time is copied from per-second and per-millisecond bytes, the message is
 * written between two quote bytes when nothing in it needs escaping, else copied from one JSON.stringify of all
 * the batch's messages that do. No per-event string is built: building each item as a string and encoding the
 * batch's text allocated 1.8 KB per event and made garbage collection the handler's largest single cost
 * (docs/shipper.md, Performance).
 */
export function createDocumentRenderer(config: Pick<ShipperFunctionConfig, "routing" | "json"> & { elasticsearch: Pick<ShipperFunctionConfig["elasticsearch"], "namespace"> }): DocumentRenderer {
    const stringify = JSON.stringify;
    const parse = JSON.parse;
    const isArray = Array.isArray;
    const isFinite = Number.isFinite;
    const max = Math.max;
    const ceil = Math.ceil;
    const DateClass = Date;
    const Body = BulkBody;
    const BufferClass = Buffer;
    const encode = (text: string): Buffer => BufferClass.from(text, "utf8");
    const allocate = (bytes: number): Buffer => BufferClass.allocUnsafe(bytes);
    const sourceDatasets = SOURCE_DATASETS;
    const groupDataset = logGroupDataset;
    const streamName = dataStreamName;
    const truncatedTag = encode(`,"tags":["${TAG_JSON_TRUNCATED}"]`);
    // The object depth bound stays within the nesting bound, so that the bounds' walks are as shallow as it.
    const maxDepth = Math.min(config.json.maxDepth, JSON_MAX_NESTING);
    const maxFields = config.json.maxFields;
    const maxNesting = JSON_MAX_NESTING;
    const nestingExceeds = jsonNestingExceeds;
    const jsonPrefix = encode(`,${stringify(config.json.field)}:`);
    const eventIdPrefix = encode(',"event":{"id":');
    const cloudwatchEnd = encode("}}}\n");
    const namespace = config.elasticsearch.namespace;
    const byLogGroup = config.routing.datasetBy === "logGroup";
    /**
     * Text that JSON.stringify returns unchanged between two quotes: no `"`, `\\`, control character or
     * surrogate (a lone one is escaped; pairs are left to JSON.stringify too).
     */
    // eslint-disable-next-line no-control-regex -- the control characters are what the class excludes
    const plain = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

    /** `mmmZ","message":` for 0..999: the end of an item's `@timestamp` and the start of its `message`. */
    const millisecondBytes: Buffer[] = [];
    for (let i = 0; i < 1000; i++) millisecondBytes.push(encode(`${i < 10 ? "00" : i < 100 ? "0" : ""}${i}Z","message":`));

    /** A finished body's buffer, for the next batch (taken by one batch at a time; a concurrent one allocates its own). */
    let spare: Buffer | null = null;
    const MAX_SPARE_BYTES = 32 * 1024 * 1024;
    const NaN_ = Number.NaN;
    const Infinity_ = Number.POSITIVE_INFINITY;

    // The batch being rendered (renderBatch is synchronous): its buffer, the next byte to write, and its times.
    let out: Buffer = allocate(0);
    let at = 0;
    /** Bytes per item of the last batch: sizes the next batch's buffer. */
    let itemBytes = 1024;
    let ingestedHead: Buffer = allocate(0);
    let second = NaN_;
    let secondHead: Buffer = allocate(0);
    /** Set by `expansion`: the expanded fields were cut (the tag follows them). */
    let expansionTruncated = false;
    /** Per event of the batch: 0 filtered out, 1 message written as is between quotes, 2 message escaped (JSON.stringify). */
    let kinds = new Uint8Array(0);
    /** The batch's messages that need escaping, as one JSON array (UTF-8), and where the next one starts in it. */
    let escaped: Buffer = allocate(0);
    let escapedUsed = 0;
    let escapedAt = 0;
    const separator = encode('","');

    /** Makes room for `bytes` more bytes at `at` (the buffer at least doubles: appends cost linear time). */
    const reserve = (bytes: number): void => {
        if (at + bytes <= out.length) return;
        const grown = allocate(max(out.length * 2, at + bytes));
        out.copy(grown, 0, 0, at);
        out = grown;
    };

    const put = (bytes: Buffer): void => {
        out.set(bytes, at);
        at += bytes.length;
    };

    /** Whether the `"` at `position` is escaped: an odd run of backslashes before it. */
    const escapedQuote = (bytes: Buffer, position: number): boolean => {
        let backslashes = 0;
        while (bytes[position - 1 - backslashes] === 92) backslashes++;
        return (backslashes & 1) === 1;
    };

    /** Writes `text`, which `plain` accepts, between two quotes: that is its JSON string. */
    const putPlain = (text: string): void => {
        // A UTF-16 code unit is at most 3 UTF-8 bytes.
        reserve(text.length * 3 + 2);
        out[at++] = 34;
        at += out.write(text, at);
        out[at++] = 34;
    };

    /** Writes `text` as a JSON string. */
    const putString = (text: string): void => {
        if (plain.test(text)) {
            putPlain(text);
        } else {
            const quoted = stringify(text);
            reserve(quoted.length * 3);
            at += out.write(quoted, at);
        }
    };

    /**
     * Writes what goes between an item's action id and its message: `}}` and the newline ending the action line,
     * then `{"@timestamp":"<ISO 8601 of epoch milliseconds>","message":`, copied from the bytes of its second
     * (encoded once while events stay in the same second) and of its millisecond. An invalid time is the
     * invocation's start. The caller reserves room for the longer of the two.
     */
    const putTimestampHead = (time: number): void => {
        if (!isFinite(time) || time > 8.64e15 || time < -8.64e15) {
            put(ingestedHead);
            return;
        }
        let fraction = time % 1000;
        if (fraction < 0) fraction += 1000;
        const start = time - fraction;
        if (start !== second) {
            second = start;
            secondHead = encode('}}\n{"@timestamp":"' + new DateClass(start).toISOString().slice(0, -4));
        }
        put(secondHead);
        put(millisecondBytes[fraction | 0]);
    };

    /** A surrogate without its pair (a RegExp from text: the closure serializer misreads a lookbehind literal). */
    const loneSurrogate = new RegExp("[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]");

    const withinBounds = (object: Record<string, unknown>, depth: number, budget: { fields: number }): boolean => {
        for (const key in object) {
            const value = object[key];
            if (value !== null && typeof value === "object" && !isArray(value)) {
                if (depth >= maxDepth || !withinBounds(value as Record<string, unknown>, depth + 1, budget)) return false;
            } else if (--budget.fields < 0) {
                return false;
            }
        }
        return true;
    };

    const boundedCopy = (object: Record<string, unknown>, depth: number, state: { fields: number; truncated: boolean }): Record<string, unknown> => {
        const copy: Record<string, unknown> = {};
        for (const key in object) {
            if (state.fields <= 0) {
                state.truncated = true;
                break;
            }
            const value = object[key];
            if (value !== null && typeof value === "object" && !isArray(value)) {
                if (depth >= maxDepth) {
                    copy[key] = stringify(value);
                    state.fields--;
                    state.truncated = true;
                } else {
                    copy[key] = boundedCopy(value as Record<string, unknown>, depth + 1, state);
                }
            } else {
                copy[key] = value;
                state.fields--;
            }
        }
        return copy;
    };

    /**
     * The expansion of a message that is a JSON object (first and last non-space characters `{` `}`): the JSON text
     * of the field's value, "" when the message is not one; `expansionTruncated` tells whether it was cut.
     * Bounded: at most maxFields leaf values and maxDepth levels of objects. A deeper object is kept as its JSON
     * text (one field); fields past the budget are left out. `message` always keeps the full text.
     * A message whose objects and arrays nest deeper than the nesting bound is not expanded at all ("", cut): it is
     * measured first by a loop over its text, so nothing recursive (the bounds, the copy, JSON.stringify of the
     * kept text) ever walks more than that many levels of it. JSON.parse itself does not recurse (V8).
     */
    const expansion = (message: string): string => {
        expansionTruncated = false;
        const first = message.charCodeAt(0);
        if (first !== 123 /* { */ || message.charCodeAt(message.length - 1) !== 125 /* } */) {
            // Printable ASCII other than `{` first: not an object (trim would not remove it). Else look past the spaces.
            if (first > 32 && first < 127 && first !== 123) return "";
            const trimmed = message.trim();
            if (!trimmed.startsWith("{") || !trimmed.endsWith("}")) return "";
        }
        if (nestingExceeds(message, maxNesting)) {
            expansionTruncated = true;
            return "";
        }
        let value: unknown;
        try {
            value = parse(message);
        } catch {
            return "";
        }
        if (value === null || typeof value !== "object" || isArray(value)) return "";
        if (withinBounds(value as Record<string, unknown>, 1, { fields: maxFields }) && message.indexOf("\n") === -1 && message.indexOf("\r") === -1 && !loneSurrogate.test(message)) {
            // Within bounds and on one line: the message text is already the JSON to write (unless a lone
            // surrogate, which UTF-8 cannot carry, is in it: JSON.stringify writes it as an escape).
            return message;
        }
        const state = { fields: maxFields, truncated: false };
        const bounded = stringify(boundedCopy(value as Record<string, unknown>, 1, state));
        expansionTruncated = state.truncated;
        return bounded;
    };

    const fitsAsIs = createJsonObjectCheck(maxDepth, maxFields, maxNesting);

    const datasetOf = (origin: EventOrigin): string => (byLogGroup && origin.cloudwatch ? groupDataset(origin.cloudwatch.logGroup) : sourceDatasets[origin.source]);
    const indexOf = (origin: EventOrigin): string => streamName(datasetOf(origin), namespace);

    /** What every event of an origin shares: data_stream, cloud, then aws last (the CloudWatch event id goes inside aws.cloudwatch). */
    const originRendering = (origin: EventOrigin, cloud: string, eventIngested: Buffer): OriginRendering => {
        const dataset = datasetOf(origin);
        const index = streamName(dataset, namespace);
        const aws: Record<string, unknown> = {};
        if (origin.kinesis) {
            const k = origin.kinesis;
            aws["kinesis"] = {
                stream: k.stream,
                shard_id: k.shardId,
                partition_key: k.partitionKey,
                sequence_number: k.sequenceNumber,
                ...(k.subSequenceNumber === undefined ? {} : { sub_sequence_number: k.subSequenceNumber }),
            };
        }
        if (origin.sqs) aws["sqs"] = { queue: origin.sqs.queue, message_id: origin.sqs.messageId };
        if (origin.sns) aws["sns"] = { topic_arn: origin.sns.topicArn, message_id: origin.sns.messageId };
        if (origin.cloudwatch) {
            // kept last, its closing braces open for event_id
            aws["cloudwatch"] = { log_group: origin.cloudwatch.logGroup, log_stream: origin.cloudwatch.logStream, ...(origin.cloudwatch.owner ? { owner: origin.cloudwatch.owner } : {}) };
        }
        const fragment = `,"data_stream":{"type":"logs","dataset":${stringify(dataset)},"namespace":${stringify(namespace)}},"cloud":${cloud},"aws":${stringify(aws)}`;
        const cloudwatch = origin.cloudwatch !== undefined;
        const tail = encode(cloudwatch ? `${fragment.slice(0, -2)},"event_id":` : `${fragment}}\n`);
        return {
            index,
            actionPrefix: encode(`{"create":{"_index":${stringify(index)},"_id":`),
            tail,
            ingestedTail: BufferClass.concat([eventIngested, tail]),
            cloudwatch,
        };
    };

    const renderBatch = (events: readonly LogEvent[], environment: DocumentEnvironment, filter: EventFilter | undefined, maxBytes: number): RenderedBatch => {
        const ingested = stringify(environment.ingested);
        ingestedHead = encode('}}\n{"@timestamp":' + ingested + ',"message":');
        second = NaN_;
        const eventIngested = encode(`,"ingested":${ingested}}`);
        const cloudFields: Record<string, unknown> = { provider: "aws" };
        if (environment.region) cloudFields["region"] = environment.region;
        if (environment.accountId) cloudFields["account"] = { id: environment.accountId };
        const cloud = stringify(cloudFields);
        // null, not undefined: `undefined` is a global, looked up dynamically in the serialized code.
        const include = filter?.include ?? null;
        const exclude = filter?.exclude ?? null;
        const itemEvents: LogEvent[] = [];
        const oversize: OversizeDocument[] = [];
        /** starts[i]: where item i begins; starts[count]: the end of the last one. */
        const starts: number[] = [0];
        // Sized from the last batch's bytes per item, with room to spare so that the next batches of about this
        // size reuse it (a fresh multi-megabyte buffer costs its page faults again).
        const expected = max(64 * 1024, ceil(events.length * itemBytes * 1.1));
        out = spare !== null && spare.length >= expected ? spare : allocate(ceil(expected * 1.25));
        spare = null;
        at = 0;
        // First pass: the filters, and which messages need escaping. Those are escaped by one JSON.stringify of
        // all of them (one call instead of one per message: most of its cost is per call), encoded once; each is
        // then copied out of it: an element ends at the first `","` whose quote is not escaped (inside an escaped
        // string a `"` always follows an odd run of `\`; a message ending in `",` shows `\","` before its end).
        if (kinds.length < events.length) kinds = new Uint8Array(max(events.length, kinds.length * 2));
        let filtered = 0;
        const needEscaping: string[] = [];
        for (let i = 0; i < events.length; i++) {
            const message = events[i].message;
            if ((include !== null && !include.test(message)) || (exclude !== null && exclude.test(message))) {
                kinds[i] = 0;
                filtered++;
            } else if (plain.test(message)) {
                kinds[i] = 1;
            } else {
                kinds[i] = 2;
                needEscaping.push(message);
            }
        }
        escapedUsed = 0;
        escapedAt = 1; // after `[`
        if (needEscaping.length > 0) {
            const text = stringify(needEscaping);
            if (escaped.length < text.length * 3) escaped = allocate(max(text.length * 3, escaped.length * 2));
            escapedUsed = escaped.write(text, 0);
        }
        const escapedView = escaped.subarray(0, escapedUsed);
        let origin: EventOrigin | null = null;
        let rendering: OriginRendering | null = null;
        for (let i = 0; i < events.length; i++) {
            const kind = kinds[i];
            if (kind === 0) continue;
            const event = events[i];
            const message = event.message;
            if (event.origin !== origin || rendering === null) {
                origin = event.origin;
                rendering = originRendering(origin, cloud, eventIngested);
            }
            const start = at;
            reserve(rendering.actionPrefix.length);
            put(rendering.actionPrefix);
            const idStart = at;
            putString(event.id);
            const idEnd = at;
            const idBytes = idEnd - idStart;
            reserve(ingestedHead.length + 64);
            const documentStart = at + 3; // after `}}\n`
            putTimestampHead(event.timestamp);
            if (kind === 1) {
                putPlain(message);
            } else {
                // Its escaped UTF-8 is at least as long as the message in UTF-16 units: the search starts there.
                let separatorAt = escapedView.indexOf(separator, escapedAt + message.length + 1);
                while (separatorAt !== -1 && escapedQuote(escapedView, separatorAt)) separatorAt = escapedView.indexOf(separator, separatorAt + 1);
                const end = separatorAt === -1 ? escapedUsed - 1 : separatorAt + 1; // the last one ends before `]`
                reserve(end - escapedAt);
                at += escapedView.copy(out, at, escapedAt, end);
                escapedAt = end + 1;
            }
            reserve(eventIdPrefix.length + 2 * idBytes + rendering.ingestedTail.length + cloudwatchEnd.length);
            put(eventIdPrefix);
            out.copyWithin(at, idStart, idEnd);
            at += idBytes;
            const first = message.charCodeAt(0);
            if (first > 32 && first < 127 && first !== 123) {
                // Printable ASCII other than `{` first: not a JSON object, no expansion.
                put(rendering.ingestedTail);
            } else {
                put(eventIngested);
                // A message from `{` to `}` is written as the expansion's value and kept when its bytes fit as they
                // are (most structured logs); anything else goes through `expansion`.
                let expandedAsIs = false;
                if (first === 123 && message.charCodeAt(message.length - 1) === 125) {
                    const fieldStart = at;
                    reserve(jsonPrefix.length + message.length * 3);
                    put(jsonPrefix);
                    const valueStart = at;
                    at += out.write(message, at);
                    expandedAsIs = fitsAsIs(out, valueStart, at);
                    if (!expandedAsIs) at = fieldStart;
                }
                if (!expandedAsIs) {
                    // The per-event boundary: whatever the message holds, the event ships. `expansion` walks
                    // nothing deeper than the nesting bound; should it throw all the same, the message ships as
                    // its text, tagged, like a message over the bound.
                    let expanded = "";
                    try {
                        expanded = expansion(message);
                    } catch {
                        expanded = "";
                        expansionTruncated = true;
                    }
                    reserve(jsonPrefix.length + expanded.length * 3 + truncatedTag.length);
                    if (expanded !== "") {
                        put(jsonPrefix);
                        at += out.write(expanded, at);
                    }
                    if (expansionTruncated) put(truncatedTag);
                }
                reserve(rendering.tail.length + idBytes + cloudwatchEnd.length);
                put(rendering.tail);
            }
            if (rendering.cloudwatch) {
                out.copyWithin(at, idStart, idEnd);
                at += idBytes;
                put(cloudwatchEnd);
            }
            if (at - start > maxBytes) {
                // Too large for any request: cut out (the document, without its newline) and taken back.
                oversize.push({ event, index: rendering.index, document: out.toString("utf8", documentStart, at - 1), bytes: at - start });
                at = start;
                continue;
            }
            starts.push(at);
            itemEvents.push(event);
        }
        if (itemEvents.length > 0) itemBytes = at / itemEvents.length;
        const body = new Body(0);
        body.adopt(out, starts);
        out = allocate(0);
        return { body, events: itemEvents, oversize, filtered };
    };

    const render = (event: LogEvent, environment: DocumentEnvironment): RenderedDocument => {
        const batch = renderBatch([event], environment, undefined, Infinity_);
        const item = batch.body.request([0]).toString("utf8");
        return { index: indexOf(event.origin), action: item.slice(0, item.indexOf("\n")), document: batch.body.document(0) };
    };

    const recycle = (body: BulkBody): void => {
        const buffer = body.release();
        if (buffer.length <= MAX_SPARE_BYTES && (spare === null || buffer.length > spare.length)) spare = buffer;
    };

    return { renderBatch, render, indexOf, recycle };
}
