import { Deadline } from "../shared/deadline";
import { describeError, InputError, RetryableError } from "../shared/errors";
import { createLogger, type Logger } from "../shared/logger";
import { createMetrics } from "../shared/metrics";
import { publishAccounting, type Counts } from "./accounting";
import { deliveryOptions, sendBulk, type ItemOutcome } from "./bulk";
import type { ShipperFunctionConfig, ShipperSource } from "./config";
import { ConnectionProvider } from "./connection";
import { DeadLetterWriter, type DeadLetter } from "./deadLetter";
import { createDocumentRenderer, type EventFilter } from "./document";
import { originTime, type DecodedBatch, type LogEvent } from "./event";
import { findExisting, type ExistenceTarget } from "./existing";
import { createRetryMemory } from "./retries";
import { decodeCloudWatchLogsEvent, isCloudWatchLogsEvent } from "./sources/cloudwatchLogs";
import { decodeKinesisEvent, isKinesisEvent } from "./sources/kinesis";
import { decodeSqsEvent, isSqsEvent } from "./sources/sqs";
import { installIndexTemplate, templatePattern } from "./template";

export interface LambdaContextLike {
    getRemainingTimeInMillis(): number;
    invokedFunctionArn?: string;
    awsRequestId?: string;
}

/** The invocation's counts (received = shipped + alreadyPresent + deadLettered + failedForRetry + filtered, always) and what Lambda sees. */
export interface ShipperOutcome extends Counts {
    source: "cloudwatch" | "kinesis" | "sqs";
    batchItemFailures: { itemIdentifier: string }[];
    /** true when Lambda would count the invocation as failed (CloudWatch Logs retryable failure => the handler throws). */
    invocationFailed: boolean;
}

/** Time kept back from the invocation's budget to write dead letters and answer. */
const RESERVE_MS = 3_000;

function compileFilters(config: ShipperFunctionConfig): Partial<Record<ShipperSource, EventFilter>> {
    const compiled: Partial<Record<ShipperSource, EventFilter>> = {};
    for (const [source, filter] of Object.entries(config.filters ?? {}) as [ShipperSource, { include?: string; exclude?: string } | undefined][]) {
        if (!filter) continue;
        const compile = (kind: string, pattern: string | undefined) => {
            if (pattern === undefined || pattern === "") return undefined;
            try {
                return new RegExp(pattern);
            } catch (error) {
                throw new InputError(`filters.${source}.${kind} is not a valid regular expression (${describeError(error)}): fix shipper.filters in the stack config`);
            }
        };
        compiled[source] = { include: compile("include", filter.include), exclude: compile("exclude", filter.exclude) };
    }
    return compiled;
}

/** Region and account from `arn:aws:lambda:<region>:<account>:function:<name>`, else the runtime's region. */
function functionEnvironment(arn: string | undefined): { region?: string; accountId?: string } {
    const parts = (arn ?? "").split(":");
    const region = parts[3] || process.env["AWS_REGION"];
    const accountId = parts[4] || undefined;
    return { ...(region ? { region } : {}), ...(accountId ? { accountId } : {}) };
}

function detect(event: unknown, allowed: ShipperFunctionConfig["source"]): ShipperSource {
    const source: ShipperSource | undefined = isCloudWatchLogsEvent(event) ? "cloudwatch" : isKinesisEvent(event) ? "kinesis" : isSqsEvent(event) ? "sqs" : undefined;
    if (!source) {
        throw new InputError("the event is not a CloudWatch Logs subscription event (awslogs.data), nor Kinesis or SQS records (Records[].eventSource aws:kinesis / aws:sqs): invoke the shipper with one of those");
    }
    if (allowed !== "any" && allowed !== source) {
        throw new InputError(`this shipper is deployed for ${allowed} events but received a ${source} event: check the function's trigger`);
    }
    return source;
}

function decode(source: ShipperSource, event: unknown, context: LambdaContextLike): DecodedBatch {
    if (source === "cloudwatch") return decodeCloudWatchLogsEvent(event as Parameters<typeof decodeCloudWatchLogsEvent>[0], `cloudwatch-${context.awsRequestId ?? Date.now()}`);
    if (source === "kinesis") return decodeKinesisEvent(event as Parameters<typeof decodeKinesisEvent>[0]);
    return decodeSqsEvent(event as Parameters<typeof decodeSqsEvent>[0]);
}

export interface ShipperCoreOptions {
    /**
     * Treat every delivery as one that may have been attempted before: its events are looked up across the data
     * stream's backing indices before they are written. `npm run ship` sets it (an event shipped by hand is, as a rule,
     * one that failed before); the deployed function recognises retries by itself (retries.ts).
     */
    everyDeliveryIsRetry?: boolean;
}

/** Shared core: returns the outcome instead of the Lambda response (the `ship` CLI and tests use it). */
export function makeShipperCore(config: ShipperFunctionConfig, options: ShipperCoreOptions = {}): { handle(event: unknown, context: LambdaContextLike): Promise<ShipperOutcome>; close(): Promise<void> } {
    const logger: Logger = createLogger("log-shipper");
    const metrics = createMetrics("log-shipper");
    const filters = compileFilters(config);
    const renderer = createDocumentRenderer(config);
    const connections = new ConnectionProvider({ ...config.elasticsearch, requestTimeoutMs: config.delivery.requestTimeoutMs });
    const deadLetters = new DeadLetterWriter(config.deadLetterQueueUrl, config.deadLetterBucket);
    const retries = createRetryMemory();
    const pattern = templatePattern(config.elasticsearch.namespace);
    let templateReady: Promise<void> | undefined;

    const ensureTemplate = (): Promise<void> => {
        if (!config.elasticsearch.installIndexTemplate) return Promise.resolve();
        templateReady ??= connections
            .get()
            .then((transport) =>
                installIndexTemplate(transport, config.elasticsearch.namespace, { jsonField: config.json.field, dataRetention: config.elasticsearch.dataRetention, dataProtectionExemption: config.elasticsearch.dataProtectionExemption }),
            )
            .then(
                (result) => logger.info("index template ready", { template: result.name, changed: result.changed }),
                (error: unknown) => {
                    templateReady = undefined; // tried again by the next invocation
                    throw error;
                },
            );
        return templateReady;
    };

    /**
     * The documents of `retried` records (or all) already anywhere in their data stream: looked up before they are
     * written (existing.ts), so that a delivery that comes again after a rollover writes no second copy. A failed
     * lookup is logged, and the documents are written with `create` as before.
     */
    const lookUp = async (transport: Parameters<typeof findExisting>[0], itemEvents: readonly LogEvent[], indexes: readonly number[], source: ShipperSource, deadline: Deadline): Promise<Set<number>> => {
        const targets: ExistenceTarget[] = indexes.map((index) => ({ index: renderer.indexOf(itemEvents[index].origin), id: itemEvents[index].id }));
        const present = new Set<number>();
        try {
            const found = await findExisting(transport, targets, pattern, config.delivery.requestTimeoutMs, deadline);
            found.forEach((exists, position) => {
                if (exists) present.add(indexes[position]);
            });
        } catch (error) {
            logger.warn("existence check of a retried delivery failed: its documents are written with create only (a rollover since the first attempt would let a second copy in)", {
                source,
                documents: indexes.length,
                error: (error as Error).name || "error",
            });
        }
        return present;
    };

    const ship = async (source: ShipperSource, batch: DecodedBatch, retried: "all" | ReadonlySet<string>, deadline: Deadline, context: LambdaContextLike): Promise<ShipperOutcome> => {
        const counts: Counts = { received: batch.events.length + batch.malformed.length, shipped: 0, alreadyPresent: 0, deadLettered: 0, failedForRetry: 0, filtered: 0 };
        const failedRecords = new Set<string>();
        const environment = { ...functionEnvironment(context.invokedFunctionArn), ingested: new Date().toISOString() };
        const filter = filters[source];

        // Render what passes the filters, once, into the bulk body (one pass for the batch); a document over the
        // bulk size limit can never be sent: dead letter.
        const rendered = renderer.renderBatch(batch.events, environment, filter, config.delivery.bulkMaxBytes);
        const items = rendered.body;
        const itemEvents = rendered.events;
        counts.filtered = rendered.filtered;
        const letters: DeadLetter[] = [];
        const letterRecords: string[] = [];
        const at = new Date().toISOString();
        for (const { event: logEvent, index, document, bytes } of rendered.oversize) {
            letters.push(rejectedLetter(source, logEvent, index, document, `document of ${bytes} bytes exceeds the bulk request limit of ${config.delivery.bulkMaxBytes} bytes (delivery.bulkMaxBytes)`, at));
            letterRecords.push(logEvent.origin.recordId);
        }
        for (const malformed of batch.malformed) {
            // Its data entered the platform when the record arrived (SQS, Kinesis), or, undecodable, when it was received.
            const originAt = isoTime(malformed.arrivedAt, at);
            letters.push({ version: 1, source, reason: "malformed", error: malformed.error, id: malformed.id, recordId: malformed.recordId, at, originAt, raw: malformed.raw, rawEncoding: malformed.rawEncoding });
            letterRecords.push(malformed.recordId);
            logger.warn("malformed input dead-lettered", { source, id: malformed.id, error: malformed.error });
        }

        let outcomes: ItemOutcome[] = [];
        let checked = 0;
        let found = 0;
        if (items.count > 0) {
            try {
                await ensureTemplate();
                const transport = await connections.get();
                // A delivery that may have been attempted before: its documents already anywhere in the data stream are not written again.
                const toCheck: number[] = [];
                if (retried === "all") for (let index = 0; index < itemEvents.length; index++) toCheck.push(index);
                else if (retried.size > 0) for (let index = 0; index < itemEvents.length; index++) if (retried.has(itemEvents[index].origin.recordId)) toCheck.push(index);
                const known = toCheck.length > 0 ? await lookUp(transport, itemEvents, toCheck, source, deadline) : undefined;
                checked = toCheck.length;
                found = known?.size ?? 0;
                outcomes = await sendBulk(
                    transport,
                    items,
                    deliveryOptions(config.delivery, known, (indexes) => lookUp(transport, itemEvents, indexes, source, deadline)),
                    deadline,
                );
            } catch (error) {
                // Credentials, template or transport failures: nothing was shipped; Lambda's retry will try again.
                logger.error("Elasticsearch is not reachable for this invocation", { source, error: describeError(error), documents: items.count });
                outcomes = itemEvents.map(() => ({ status: "retry", error: describeError(error), type: (error as Error).name || "error" }));
            }
        }
        let retryErrors = 0;
        let firstRetryError = "";
        for (let index = 0; index < outcomes.length; index++) {
            const outcome = outcomes[index];
            const logEvent = itemEvents[index];
            if (outcome.status === "created") counts.shipped++;
            else if (outcome.status === "exists") counts.alreadyPresent++;
            else if (outcome.status === "retry") {
                counts.failedForRetry++;
                failedRecords.add(logEvent.origin.recordId);
                if (retryErrors++ === 0) firstRetryError = outcome.type;
            } else {
                letters.push(rejectedLetter(source, logEvent, renderer.indexOf(logEvent.origin), items.document(index), outcome.error, at));
                letterRecords.push(logEvent.origin.recordId);
                logger.warn("document rejected by Elasticsearch, dead-lettered", { source, id: logEvent.id, error: outcome.type });
            }
        }

        // Every request is answered and the rejected documents are copied into their letters: the body's buffer
        // goes to the next invocation. Not after a failed request (a timed-out one may still be unwinding its socket).
        if (retryErrors === 0) renderer.recycle(items);

        if (letters.length > 0) {
            const { written, errors } = await deadLetters.write(letters);
            written.forEach((ok, index) => {
                if (ok) counts.deadLettered++;
                else {
                    counts.failedForRetry++;
                    failedRecords.add(letterRecords[index]);
                }
            });
            for (const error of errors) logger.error("dead letter not written; its record fails for retry", { source, error });
        }

        const batchItemFailures = source === "cloudwatch" ? [] : batch.recordIds.filter((id) => failedRecords.has(id)).map((itemIdentifier) => ({ itemIdentifier }));
        const invocationFailed = source === "cloudwatch" && counts.failedForRetry > 0;
        if (retryErrors > 0) logger.warn("documents failed for retry", { source, documents: retryErrors, firstError: firstRetryError });
        publishAccounting(metrics, logger, source, counts, {
            records: batch.recordIds.length,
            controlMessages: batch.controlMessages,
            failedRecords: batchItemFailures.length,
            requestId: context.awsRequestId,
            ...(checked > 0 ? { existenceChecked: checked, existenceFound: found } : {}),
        });
        return { source, ...counts, batchItemFailures, invocationFailed };
    };

    const handle = async (event: unknown, context: LambdaContextLike): Promise<ShipperOutcome> => {
        const deadline = new Deadline(context, RESERVE_MS);
        const source = detect(event, config.source);
        const batch = decode(source, event, context);
        const requestId = context.awsRequestId ?? "";
        const retried = options.everyDeliveryIsRetry ? "all" : retries.retried(source, batch, requestId);
        try {
            const outcome = await ship(source, batch, retried, deadline, context);
            retries.remember(source, batch, requestId, new Set(outcome.batchItemFailures.map((failure) => failure.itemIdentifier)), outcome.invocationFailed);
            return outcome;
        } catch (error) {
            // Lambda delivers the whole event again.
            retries.remember(source, batch, requestId, new Set(batch.recordIds), true);
            throw error;
        }
    };

    return {
        handle,
        close: async () => {
            deadLetters.close();
            await connections.close();
        },
    };
}

/** `time` (epoch ms) as ISO 8601, or `fallback` when it is not a time. */
function isoTime(time: number | undefined, fallback: string): string {
    return time !== undefined && Number.isFinite(time) && Math.abs(time) <= 8.64e15 ? new Date(time).toISOString() : fallback;
}

/** A rejected document's letter: the document as the JSON text that was sent (nothing parsed or serialized again). */
function rejectedLetter(source: ShipperSource, event: LogEvent, index: string, document: string, error: string, at: string): DeadLetter {
    return { version: 1, source, reason: "rejected", error, id: event.id, recordId: event.origin.recordId, at, originAt: isoTime(originTime(event), at), index, documentJson: document };
}

/** The Lambda handler factory the component serializes: SQS/Kinesis => { batchItemFailures }; CloudWatch Logs => throws a RetryableError on retryable failure. */
export function makeShipperHandler(
    config: ShipperFunctionConfig,
): () => (event: unknown, context: LambdaContextLike) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | ShipperOutcome> {
    return () => {
        const core = makeShipperCore(config);
        return async (event, context) => {
            const outcome = await core.handle(event, context);
            if (outcome.source === "cloudwatch") {
                if (outcome.invocationFailed) {
                    throw new RetryableError(`${outcome.failedForRetry} of ${outcome.received} CloudWatch Logs events failed for retry: the invocation fails so that Lambda retries it`);
                }
                return outcome;
            }
            return { batchItemFailures: outcome.batchItemFailures };
        };
    };
}
