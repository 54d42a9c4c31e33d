/**
 * How old data can be in each queue and stream of the stack, counted along the paths the stack wires up:
 * a store keeps data its own retention after the data enters it, and data can already be old when it enters.
 *
 * Stores: SQS queues (messageRetentionSeconds, 4 days unset), Kinesis streams (retentionPeriod, 24 h unset) and
 * DynamoDB streams (24 h). Paths into a store, each adding the age data can have when it arrives:
 * - an SQS redrive dead-letter queue: a standard queue's message keeps its original enqueue time, so it adds
 *   nothing; a FIFO queue's dead-letter queue starts the clock again, so the source's retention comes first;
 * - an event source mapping's on-failure destination: the source's records up to its age limit
 *   (maximumRecordAgeInSeconds, or the stream's retention);
 * - a function that reads a source (event source mapping) and whose role may sqs:SendMessage to a queue: the
 *   source's retention;
 * - a Lambda function's asynchronous destinations and dead-letter queue: maximumEventAgeInSeconds (6 h unset);
 * - an EventBridge target's or a schedule's dead-letter queue: its retry policy's maximumEventAgeInSeconds (24 h unset).
 * A loop (data sent back into a store it came from) has no bound.
 */
import { PolicyResource } from "@pulumi/policy";

import { formatHours } from "../../components/dataProtection/ages";
import { allows, coversQueue, roleOf, roleStatements } from "./dataAgeGrants";
import { ofTypes, targets } from "./stack";
import { asNumber, asString, get, UNKNOWN } from "./values";

export const QUEUE_TYPE = "aws:sqs/queue:Queue";
export const STREAM_TYPE = "aws:kinesis/stream:Stream";
const TABLE_TYPE = "aws:dynamodb/table:Table";
const REDRIVE_TYPE = "aws:sqs/redrivePolicy:RedrivePolicy";
const MAPPING_TYPE = "aws:lambda/eventSourceMapping:EventSourceMapping";
const FUNCTION_TYPE = "aws:lambda/function:Function";
const INVOKE_CONFIG_TYPE = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const EVENT_TARGET_TYPE = "aws:cloudwatch/eventTarget:EventTarget";
const SCHEDULE_TYPE = "aws:scheduler/schedule:Schedule";

/** Service defaults when a setting is left out (SQS, Kinesis, DynamoDB Streams, Lambda, EventBridge). */
export const DEFAULT_QUEUE_RETENTION_SECONDS = 345600;
export const DEFAULT_STREAM_RETENTION_HOURS = 24;
export const DYNAMODB_STREAM_RETENTION_HOURS = 24;
export const DEFAULT_ASYNC_EVENT_AGE_SECONDS = 21600;
export const DEFAULT_EVENTBRIDGE_EVENT_AGE_SECONDS = 86400;

/** A store data waits in. `retentionHours` is NaN while not known (preview). */
export interface PathStore {
    key: string;
    resource: PolicyResource;
    kind: "SQS queue" | "Kinesis stream" | "DynamoDB stream";
    retentionHours: number;
    fifo: boolean;
    /** The values other resources name it by (ARN, URL, name; a table's stream ARN). */
    keys: string[];
}

/** A path into a store: from another store (or from outside, `from` undefined), adding `extraHours`. */
export interface PathEdge {
    from?: string;
    to: string;
    extraHours: number;
    how: string;
}

export interface StoreAge {
    store: PathStore;
    /** The oldest data can be when it enters (hours). */
    entryHours: number;
    worstHours: number;
    /** The paths that make entryHours, oldest first ([] when data enters fresh). */
    path: PathEdge[];
}

const hoursOf = (seconds: unknown, defaultSeconds: number): number => {
    if (seconds === UNKNOWN) {
        return NaN;
    }
    return (asNumber(seconds) ?? defaultSeconds) / 3600;
};

const keysOf = (resource: PolicyResource, props: string[]) => props.map((prop) => asString(get(resource.props, prop))).filter((value): value is string => value !== undefined);

function storesOf(resources: PolicyResource[]): PathStore[] {
    const queues = ofTypes(resources, QUEUE_TYPE).map((queue): PathStore => {
        const name = asString(get(queue.props, "name")) ?? "";
        return {
            key: queue.urn,
            resource: queue,
            kind: "SQS queue",
            retentionHours: hoursOf(get(queue.props, "messageRetentionSeconds"), DEFAULT_QUEUE_RETENTION_SECONDS),
            fifo: get(queue.props, "fifoQueue") === true || name.endsWith(".fifo"),
            keys: keysOf(queue, ["arn", "url", "id", "name"]),
        };
    });
    const streams = ofTypes(resources, STREAM_TYPE).map((stream): PathStore => {
        const retention = get(stream.props, "retentionPeriod");
        return {
            key: stream.urn,
            resource: stream,
            kind: "Kinesis stream",
            retentionHours: retention === UNKNOWN ? NaN : (asNumber(retention) ?? DEFAULT_STREAM_RETENTION_HOURS),
            fifo: false,
            keys: keysOf(stream, ["arn", "name"]),
        };
    });
    const tableStreams = ofTypes(resources, TABLE_TYPE)
        .filter((table) => get(table.props, "streamEnabled") === true)
        .map((table): PathStore => ({ key: `${table.urn}#stream`, resource: table, kind: "DynamoDB stream", retentionHours: DYNAMODB_STREAM_RETENTION_HOURS, fifo: false, keys: keysOf(table, ["streamArn"]) }));
    return [...queues, ...streams, ...tableStreams];
}

/**
 * The stores `holder`'s `property` (a dotted path) names: by value (ARN, URL or name) when it matches a store's
 * known value; otherwise (the value or the store's own ARN not known yet, as in a preview) by the dependencies of
 * its top-level property.
 */
function named(holder: PolicyResource, property: string, value: unknown, stores: PathStore[]): PathStore[] {
    if (value === undefined || value === null || value === "") {
        return [];
    }
    const text = asString(value);
    const byValue = text === undefined ? [] : stores.filter((store) => store.keys.includes(text));
    if (byValue.length > 0) {
        return byValue;
    }
    const dependencies = holder.propertyDependencies[property.split(".")[0] ?? property] ?? [];
    return stores.filter((store) => dependencies.some((dependency) => dependency.urn === store.resource.urn));
}

/** The dead-letter target of a redrive policy (a JSON string or an object). */
function deadLetterTarget(policy: unknown): unknown {
    if (policy === UNKNOWN) {
        return UNKNOWN;
    }
    const text = asString(policy);
    if (text !== undefined) {
        try {
            return (JSON.parse(text) as Record<string, unknown>)["deadLetterTargetArn"];
        } catch {
            return undefined;
        }
    }
    return get(policy, "deadLetterTargetArn");
}

function redriveEdges(resources: PolicyResource[], stores: PathStore[]): PathEdge[] {
    const queues = stores.filter((store) => store.kind === "SQS queue");
    const pairs: { source: PathStore; holder: PolicyResource; policy: unknown }[] = queues.map((source) => ({ source, holder: source.resource, policy: get(source.resource.props, "redrivePolicy") }));
    for (const redrive of ofTypes(resources, REDRIVE_TYPE)) {
        for (const source of named(redrive, "queueUrl", get(redrive.props, "queueUrl"), queues)) {
            pairs.push({ source, holder: redrive, policy: get(redrive.props, "redrivePolicy") });
        }
    }
    return pairs.flatMap(({ source, holder, policy }) =>
        named(holder, "redrivePolicy", deadLetterTarget(policy), queues)
            .filter((dlq) => dlq.key !== source.key)
            .map((dlq) =>
                source.fifo
                    ? { from: source.key, to: dlq.key, extraHours: source.retentionHours, how: `dead-letter queue of FIFO queue "${source.resource.name}", where messages wait up to ${formatHours(source.retentionHours)} before the clock starts again` }
                    : { from: source.key, to: dlq.key, extraHours: 0, how: `dead-letter queue of standard queue "${source.resource.name}" (a message keeps its original enqueue time)` },
            ),
    );
}

/** How old a record can be when an event source mapping gives up on it: the age limit, or the source's retention. */
function recordAgeLimit(mapping: PolicyResource, source: PathStore): number {
    if (source.kind === "SQS queue") {
        return source.retentionHours;
    }
    const limit = get(mapping.props, "maximumRecordAgeInSeconds");
    if (limit === UNKNOWN) {
        return NaN;
    }
    const seconds = asNumber(limit);
    return seconds === undefined || seconds < 0 ? source.retentionHours : Math.min(seconds / 3600, source.retentionHours);
}

function mappingEdges(resources: PolicyResource[], stores: PathStore[]): PathEdge[] {
    const queues = stores.filter((store) => store.kind === "SQS queue");
    const edges: PathEdge[] = [];
    for (const mapping of ofTypes(resources, MAPPING_TYPE)) {
        for (const source of named(mapping, "eventSourceArn", get(mapping.props, "eventSourceArn"), stores)) {
            const limit = recordAgeLimit(mapping, source);
            for (const destination of named(mapping, "destinationConfig", get(mapping.props, "destinationConfig.onFailure.destinationArn"), queues)) {
                edges.push({ from: source.key, to: destination.key, extraHours: limit, how: `on-failure destination of event source mapping "${mapping.name}", which gives up on records up to ${formatHours(limit)} old` });
            }
            for (const fn of ofTypes(resources, FUNCTION_TYPE).filter((candidate) => targets(mapping, "functionName", candidate, ["arn", "name"]))) {
                const role = roleOf(resources, fn);
                const statements = role ? roleStatements(resources, role) : [];
                for (const queue of queues) {
                    if (allows(statements, "sqs:SendMessage", coversQueue(queue.resource))) {
                        edges.push({ from: source.key, to: queue.key, extraHours: source.retentionHours, how: `function "${fn.name}" reads ${source.kind} "${source.resource.name}" (kept up to ${formatHours(source.retentionHours)}) and its role may sqs:SendMessage to it` });
                    }
                }
            }
        }
    }
    return edges;
}

/** The asynchronous event age limit of a function: its FunctionEventInvokeConfig's, or Lambda's default. */
function asyncEventAgeHours(resources: PolicyResource[], fn: PolicyResource): number {
    const config = ofTypes(resources, INVOKE_CONFIG_TYPE).find((candidate) => targets(candidate, "functionName", fn, ["name", "arn"]));
    return hoursOf(config ? get(config.props, "maximumEventAgeInSeconds") : undefined, DEFAULT_ASYNC_EVENT_AGE_SECONDS);
}

function asyncEdges(resources: PolicyResource[], stores: PathStore[]): PathEdge[] {
    const queues = stores.filter((store) => store.kind === "SQS queue");
    const edges: PathEdge[] = [];
    for (const config of ofTypes(resources, INVOKE_CONFIG_TYPE)) {
        const age = hoursOf(get(config.props, "maximumEventAgeInSeconds"), DEFAULT_ASYNC_EVENT_AGE_SECONDS);
        const fn = asString(get(config.props, "functionName")) ?? config.name;
        const destinations = new Set(["onFailure", "onSuccess"].flatMap((outcome) => named(config, "destinationConfig", get(config.props, `destinationConfig.${outcome}.destination`), queues)));
        for (const queue of destinations) {
            edges.push({ to: queue.key, extraHours: age, how: `asynchronous destination of "${fn}" (FunctionEventInvokeConfig "${config.name}": events up to ${formatHours(age)} old)` });
        }
    }
    for (const fn of ofTypes(resources, FUNCTION_TYPE)) {
        const age = asyncEventAgeHours(resources, fn);
        for (const queue of named(fn, "deadLetterConfig", get(fn.props, "deadLetterConfig.targetArn"), queues)) {
            edges.push({ to: queue.key, extraHours: age, how: `dead-letter queue of function "${fn.name}" (asynchronous events up to ${formatHours(age)} old)` });
        }
    }
    for (const target of ofTypes(resources, EVENT_TARGET_TYPE)) {
        const age = hoursOf(get(target.props, "retryPolicy.maximumEventAgeInSeconds"), DEFAULT_EVENTBRIDGE_EVENT_AGE_SECONDS);
        for (const queue of named(target, "deadLetterConfig", get(target.props, "deadLetterConfig.arn"), queues)) {
            edges.push({ to: queue.key, extraHours: age, how: `dead-letter queue of EventBridge target "${target.name}" (events retried up to ${formatHours(age)})` });
        }
    }
    for (const schedule of ofTypes(resources, SCHEDULE_TYPE)) {
        const age = hoursOf(get(schedule.props, "target.retryPolicy.maximumEventAgeInSeconds"), DEFAULT_EVENTBRIDGE_EVENT_AGE_SECONDS);
        for (const queue of named(schedule, "target", get(schedule.props, "target.deadLetterConfig.arn"), queues)) {
            edges.push({ to: queue.key, extraHours: age, how: `dead-letter queue of schedule "${schedule.name}" (events retried up to ${formatHours(age)})` });
        }
    }
    return edges;
}

/** Every store's worst age: the oldest data can be on entry (over all paths) plus its own retention. */
export function storeAges(resources: PolicyResource[]): StoreAge[] {
    const stores = storesOf(resources);
    const edges = [...redriveEdges(resources, stores), ...mappingEdges(resources, stores), ...asyncEdges(resources, stores)];
    const entry = new Map<string, number>(stores.map((store) => [store.key, 0]));
    const via = new Map<string, PathEdge>();
    const relax = (): string[] => {
        const changed: string[] = [];
        for (const edge of edges) {
            const upstream = edge.from === undefined ? 0 : (entry.get(edge.from) ?? 0);
            const candidate = upstream + edge.extraHours;
            if (candidate > (entry.get(edge.to) ?? 0)) {
                entry.set(edge.to, candidate);
                via.set(edge.to, edge);
                changed.push(edge.to);
            }
        }
        return changed;
    };
    // Longest paths by relaxation: a path visits each store once, so more rounds than stores means a loop.
    let changed: string[] = [];
    for (let round = 0; round <= stores.length + 1; round += 1) {
        changed = relax();
        if (changed.length === 0) {
            break;
        }
    }
    if (changed.length > 0) {
        changed.forEach((key) => entry.set(key, Infinity));
        for (let round = 0; round <= stores.length; round += 1) {
            relax();
        }
    }
    return stores.map((store) => {
        const entryHours = entry.get(store.key) ?? 0;
        const path: PathEdge[] = [];
        for (let edge = via.get(store.key); edge && path.length <= stores.length && !path.includes(edge); edge = edge.from ? via.get(edge.from) : undefined) {
            path.unshift(edge);
        }
        return { store, entryHours, worstHours: entryHours + store.retentionHours, path };
    });
}
