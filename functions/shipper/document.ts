import type { ShipperFunctionConfig, ShipperSource } from "./config";
import { BulkBody } from "./bulkBody";
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

interface OriginRendering {
    index: string;
    actionPrefix: string;
    /** What follows the event's own fields: the origin's pre-serialized fields (`,"key":value...`), up to `"event_id":` for CloudWatch Logs events, else to the end. */
    tail: string;
    /** Whether the CloudWatch event id (then `}}}`) follows `tail`. */
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
 * loop (`renderBatch`) and its helpers reference only those locals, keep the same identity from one invocation
 * to the next (their optimized code stays), and build the NDJSON of the whole batch as one string that is
 * encoded into the bulk body at once.
 */
export function createDocumentRenderer(config: Pick<ShipperFunctionConfig, "routing" | "json"> & { elasticsearch: Pick<ShipperFunctionConfig["elasticsearch"], "namespace"> }): DocumentRenderer {
    const stringify = JSON.stringify;
    const parse = JSON.parse;
    const isArray = Array.isArray;
    const isFinite = Number.isFinite;
    const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");
    const DateClass = Date;
    const Body = BulkBody;
    const CHUNK_CHARS = 64 * 1024;
    const sourceDatasets = SOURCE_DATASETS;
    const groupDataset = logGroupDataset;
    const streamName = dataStreamName;
    const truncatedTag = `,"tags":["${TAG_JSON_TRUNCATED}"]`;
    const maxDepth = config.json.maxDepth;
    const maxFields = config.json.maxFields;
    const jsonPrefix = `,${stringify(config.json.field)}:`;
    const namespace = config.elasticsearch.namespace;
    const byLogGroup = config.routing.datasetBy === "logGroup";

    /** `mmmZ","message":` for 0..999: the end of an item's `@timestamp` and the start of its `message`. */
    const millisecondTexts: string[] = [];
    for (let i = 0; i < 1000; i++) millisecondTexts.push(`${i < 10 ? "00" : i < 100 ? "0" : ""}${i}Z","message":`);

    /** A finished body's buffer, for the next batch (taken by one batch at a time; a concurrent one allocates its own). */
    let spare: Buffer | null = null;
    const MAX_SPARE_BYTES = 32 * 1024 * 1024;

    // The batch being rendered (renderBatch is synchronous).
    let ingestedStamp = "";
    const NaN_ = Number.NaN;
    const Infinity_ = Number.POSITIVE_INFINITY;
    const ceil = Math.ceil;
    let second = NaN_;
    let secondPrefix = "";

    /**
     * What goes between an item's action and its message: `}}` and the newline ending the action line, then
     * `{"@timestamp":"<ISO 8601 of epoch milliseconds>","message":`. The text up to the second is reused while events
     * stay in the same second, so this is one concatenation per event. An invalid time is the invocation's start.
     */
    const timestampHead = (time: number): string => {
        if (!isFinite(time) || time > 8.64e15 || time < -8.64e15) return ingestedStamp;
        const fraction = ((time % 1000) + 1000) % 1000;
        const start = time - fraction;
        if (start !== second) {
            second = start;
            secondPrefix = '}}\n{"@timestamp":"' + new DateClass(start).toISOString().slice(0, -4);
        }
        return secondPrefix + (millisecondTexts[fraction | 0]);
    };

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
     * The expansion of a message that is a JSON object (first and last non-space characters `{` `}`), as the
     * text to add to the document (field name, value, and the truncation tag when cut); "" when the message is
     * not one. Bounded: at most maxFields leaf values and maxDepth levels of objects. A deeper object is kept as
     * its JSON text (one field); fields past the budget are left out. `message` always keeps the full text.
     */
    const expansion = (message: string): string => {
        const first = message.charCodeAt(0);
        if (first !== 123 /* { */ || message.charCodeAt(message.length - 1) !== 125 /* } */) {
            // Printable ASCII other than `{` first: not an object (trim would not remove it). Else look past the spaces.
            if (first > 32 && first < 127 && first !== 123) return "";
            const trimmed = message.trim();
            if (!trimmed.startsWith("{") || !trimmed.endsWith("}")) return "";
        }
        let value: unknown;
        try {
            value = parse(message);
        } catch {
            return "";
        }
        if (value === null || typeof value !== "object" || isArray(value)) return "";
        if (withinBounds(value as Record<string, unknown>, 1, { fields: maxFields }) && message.indexOf("\n") === -1 && message.indexOf("\r") === -1) {
            // Within bounds and on one line: the message text is already the JSON to write.
            return jsonPrefix + message;
        }
        const state = { fields: maxFields, truncated: false };
        const bounded = stringify(boundedCopy(value as Record<string, unknown>, 1, state));
        return state.truncated ? jsonPrefix + bounded + truncatedTag : jsonPrefix + bounded;
    };

    const datasetOf = (origin: EventOrigin): string => (byLogGroup && origin.cloudwatch ? groupDataset(origin.cloudwatch.logGroup) : sourceDatasets[origin.source]);
    const indexOf = (origin: EventOrigin): string => streamName(datasetOf(origin), namespace);

    /** What every event of an origin shares: data_stream, cloud, then aws last (the CloudWatch event id goes inside aws.cloudwatch). */
    const originRendering = (origin: EventOrigin, cloud: string): OriginRendering => {
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
        return { index, actionPrefix: `{"create":{"_index":${stringify(index)},"_id":`, tail: cloudwatch ? `${fragment.slice(0, -2)},"event_id":` : `${fragment}}`, cloudwatch };
    };

    const renderBatch = (events: readonly LogEvent[], environment: DocumentEnvironment, filter: EventFilter | undefined, maxBytes: number): RenderedBatch => {
        ingestedStamp = '}}\n{"@timestamp":' + stringify(environment.ingested) + ',"message":';
        second = NaN_;
        const eventIngested = `,"ingested":${stringify(environment.ingested)}}`;
        const cloudFields: Record<string, unknown> = { provider: "aws" };
        if (environment.region) cloudFields["region"] = environment.region;
        if (environment.accountId) cloudFields["account"] = { id: environment.accountId };
        const cloud = stringify(cloudFields);
        // null, not undefined: `undefined` is a global, looked up dynamically in the serialized code.
        const include = filter?.include ?? null;
        const exclude = filter?.exclude ?? null;
        const itemEvents: LogEvent[] = [];
        const oversize: OversizeDocument[] = [];
        const body = spare === null ? new Body(0) : new Body(0, spare);
        spare = null;
        // Items are encoded a chunk of text at a time (one huge string costs more to flatten than it saves in calls).
        let ends: number[] = [];
        let text = "";
        let filtered = 0;
        let origin: EventOrigin | null = null;
        let rendering: OriginRendering | null = null;
        for (let i = 0; ; i++) {
            // The flush is at the top so that the last one is the same call site as the others (a call site
            // that only runs after the loop had no type feedback in the loop's optimized code: one deopt per batch).
            const done = i === events.length;
            if (done || text.length >= CHUNK_CHARS) {
                // Size the body for the whole batch from what the events so far took.
                body.appendItems(text, ends, done ? 0 : ceil(((body.byteLength + text.length) / i) * events.length * 1.05));
                text = "";
                ends = [];
                if (done) break;
            }
            const event = events[i];
            const message = event.message;
            if ((include !== null && !include.test(message)) || (exclude !== null && exclude.test(message))) {
                filtered++;
                continue;
            }
            if (event.origin !== origin || rendering === null) {
                origin = event.origin;
                rendering = originRendering(origin, cloud);
            }
            const id = stringify(event.id);
            // The item in one expression (action line, document line): the document alone is cut out of it only when too large.
            const action = rendering.actionPrefix + id;
            const item =
                action + timestampHead(event.timestamp) + stringify(message) + ',"event":{"id":' + id + eventIngested + expansion(message) + (rendering.cloudwatch ? rendering.tail + id + "}}}\n" : rendering.tail + "\n");
            // A UTF-16 code unit is at most 3 UTF-8 bytes: only items that might be too large are measured.
            if (item.length * 3 > maxBytes) {
                const bytes = byteLength(item);
                if (bytes > maxBytes) {
                    oversize.push({ event, index: rendering.index, document: item.slice(action.length + 3, -1), bytes });
                    continue;
                }
            }
            text += item;
            ends.push(text.length);
            itemEvents.push(event);
        }
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
