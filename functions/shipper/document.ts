import type { ShipperFunctionConfig, ShipperSource } from "./config";
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
    /** The pre-serialized fields common to every event of the origin, as `,"key":value...`. */
    fragment: string;
    /** `fragment` without its two closing braces (aws.cloudwatch is last, left open for event_id). */
    fragmentOpen: string;
}

/**
 * Renders LogEvents into ECS documents and bulk lines. What is common to an origin (data stream, cloud,
 * aws.*, data_stream) is serialized once per origin and spliced into each event's document, so the per-event
 * cost is the event's own fields and the message.
 */
export class DocumentRenderer {
    // Assigned in the constructor, not as field initializers: the closure serializer keeps constructors only.
    private readonly origins: Map<EventOrigin, OriginRendering>;
    private readonly ingested: string;
    private readonly ingestedText: string;
    private readonly cloud: string;
    private readonly jsonKey: string;
    private second: number;
    private secondPrefix: string;

    constructor(
        private readonly config: Pick<ShipperFunctionConfig, "routing" | "json"> & { elasticsearch: Pick<ShipperFunctionConfig["elasticsearch"], "namespace"> },
        environment: DocumentEnvironment,
    ) {
        this.origins = new Map();
        this.ingested = JSON.stringify(environment.ingested);
        this.ingestedText = environment.ingested;
        this.jsonKey = JSON.stringify(config.json.field);
        this.second = Number.NaN;
        this.secondPrefix = "";
        const cloud: Record<string, unknown> = { provider: "aws" };
        if (environment.region) cloud["region"] = environment.region;
        if (environment.accountId) cloud["account"] = { id: environment.accountId };
        this.cloud = JSON.stringify(cloud);
    }

    render(event: LogEvent): RenderedDocument {
        const origin = this.originRendering(event.origin);
        const id = JSON.stringify(event.id);
        let document = `{"@timestamp":"${this.isoTime(event.timestamp)}","message":${JSON.stringify(event.message)},"event":{"id":${id},"ingested":${this.ingested}}`;
        const expanded = expandJson(event.message, this.config.json.maxDepth, this.config.json.maxFields);
        if (expanded) {
            document += `,${this.jsonKey}:${expanded.text}`;
            if (expanded.truncated) document += `,"tags":["${TAG_JSON_TRUNCATED}"]`;
        }
        document += event.origin.cloudwatch ? `${origin.fragmentOpen},"event_id":${id}}}}` : `${origin.fragment}}`;
        return { index: origin.index, document, action: `${origin.actionPrefix}${id}}}` };
    }

    /**
     * ISO 8601 of epoch milliseconds; the text up to the second is reused while events stay in the same second
     * (a payload's events are close in time). An invalid time is the invocation's start.
     */
    private isoTime(milliseconds: number): string {
        if (!Number.isFinite(milliseconds) || Math.abs(milliseconds) > 8.64e15) return this.ingestedText;
        const fraction = ((milliseconds % 1000) + 1000) % 1000;
        const second = milliseconds - fraction;
        if (second !== this.second) {
            this.second = second;
            this.secondPrefix = new Date(second).toISOString().slice(0, -4);
        }
        return `${this.secondPrefix}${fraction < 10 ? "00" : fraction < 100 ? "0" : ""}${Math.floor(fraction)}Z`;
    }

    /** The data stream an origin's events go to. */
    indexOf(origin: EventOrigin): string {
        return this.originRendering(origin).index;
    }

    private originRendering(origin: EventOrigin): OriginRendering {
        let rendering = this.origins.get(origin);
        if (rendering) return rendering;
        const dataset = this.config.routing.datasetBy === "logGroup" && origin.cloudwatch ? logGroupDataset(origin.cloudwatch.logGroup) : SOURCE_DATASETS[origin.source];
        const namespace = this.config.elasticsearch.namespace;
        const index = dataStreamName(dataset, namespace);
        // data_stream, cloud, then aws last: the CloudWatch event id is appended inside aws.cloudwatch by render().
        let fragment = `,"data_stream":{"type":"logs","dataset":${JSON.stringify(dataset)},"namespace":${JSON.stringify(namespace)}},"cloud":${this.cloud}`;
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
        fragment += `,"aws":${JSON.stringify(aws)}`;
        rendering = { index, fragment, fragmentOpen: fragment.slice(0, -2), actionPrefix: `{"create":{"_index":${JSON.stringify(index)},"_id":` };
        this.origins.set(origin, rendering);
        return rendering;
    }
}

/**
 * A message that is a JSON object, as the JSON text to write under the expansion field, bounded: at most
 * `maxFields` leaf values and `maxDepth` levels of objects. A deeper object is kept as its JSON string (one
 * field); fields past the budget are left out. `truncated` says either happened (the document gets the
 * `shipper_json_truncated` tag). The message itself is always kept verbatim in `message`.
 * Undefined when the message is not a JSON object.
 */
export function expandJson(message: string, maxDepth: number, maxFields: number): { text: string; truncated: boolean } | undefined {
    if (message.charCodeAt(0) !== 123 /* { */ || message.charCodeAt(message.length - 1) !== 125 /* } */) {
        const trimmed = message.trim();
        if (!trimmed.startsWith("{") || !trimmed.endsWith("}")) return undefined;
    }
    let value: unknown;
    try {
        value = JSON.parse(message);
    } catch {
        return undefined;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const budget = { fields: maxFields };
    if (withinBounds(value as Record<string, unknown>, 1, maxDepth, budget) && message.indexOf("\n") === -1 && message.indexOf("\r") === -1) {
        // Within bounds and on one line: the message text is already the JSON to write.
        return { text: message, truncated: false };
    }
    const state = { fields: maxFields, truncated: false };
    const bounded = boundedCopy(value as Record<string, unknown>, 1, maxDepth, state);
    return { text: JSON.stringify(bounded), truncated: state.truncated };
}

function withinBounds(object: Record<string, unknown>, depth: number, maxDepth: number, budget: { fields: number }): boolean {
    for (const key in object) {
        const value = object[key];
        if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            if (depth >= maxDepth || !withinBounds(value as Record<string, unknown>, depth + 1, maxDepth, budget)) return false;
        } else if (--budget.fields < 0) {
            return false;
        }
    }
    return true;
}

function boundedCopy(object: Record<string, unknown>, depth: number, maxDepth: number, state: { fields: number; truncated: boolean }): Record<string, unknown> {
    const copy: Record<string, unknown> = {};
    for (const key in object) {
        if (state.fields <= 0) {
            state.truncated = true;
            break;
        }
        const value = object[key];
        if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            if (depth >= maxDepth) {
                copy[key] = JSON.stringify(value);
                state.fields--;
                state.truncated = true;
            } else {
                copy[key] = boundedCopy(value as Record<string, unknown>, depth + 1, maxDepth, state);
            }
        } else {
            copy[key] = value;
            state.fields--;
        }
    }
    return copy;
}
