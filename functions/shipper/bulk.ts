import type { Transport } from "@elastic/transport";

import type { Deadline } from "../shared/deadline";
import { describeError } from "../shared/errors";
import type { BulkBody } from "./bulkBody";
import type { ShipperFunctionConfig } from "./config";

/** What became of one item. `retry`: try again later (Lambda's retry); `rejected`: never will succeed (dead letter). */
export type ItemOutcome = { status: "created" } | { status: "exists" } | { status: "rejected"; error: string; type: string } | { status: "retry"; error: string; type: string };

export interface BulkOptions {
    concurrency: number;
    maxBytes: number;
    requestTimeoutMs: number;
    /** Extra attempts of a request (429, 5xx, connection errors, timeouts) and of retryable items, with backoff, inside the deadline. */
    maxRetries: number;
    /** Base of the exponential backoff (ms); jittered. */
    backoffMs?: number;
    /** Items known to be in Elasticsearch already (the existence check of a retried delivery): not sent, reported `exists`. */
    known?: ReadonlySet<number>;
    /**
     * Before sending again items whose request failed without an answer that says they were not written (a timeout,
     * a reset, a 5xx: the request may have been processed), returns those of them that exist (existing.ts), which
     * are then reported `exists` instead of being sent: a rollover between two attempts would otherwise let `create`
     * write a second copy. A failure of the check sends them all, as before.
     */
    beforeResend?: (indexes: number[]) => Promise<ReadonlySet<number>>;
}

/**
 * The options a shipper config's delivery settings give a send (the handler's and the replay's alike), with what the
 * existence checks found (`known`) and how to check again before a resend.
 */
export function deliveryOptions(delivery: ShipperFunctionConfig["delivery"], known: ReadonlySet<number> | undefined, beforeResend: NonNullable<BulkOptions["beforeResend"]>): BulkOptions {
    return {
        concurrency: delivery.bulkConcurrency,
        maxBytes: delivery.bulkMaxBytes,
        requestTimeoutMs: delivery.requestTimeoutMs,
        maxRetries: delivery.maxRetries,
        ...(known ? { known } : {}),
        beforeResend,
    };
}

/** Only what classifies each item: the response is this small whatever the batch size. */
export const BULK_FILTER_PATH = "errors,items.*.status,items.*.error.type,items.*.error.reason";

interface BulkResponse {
    errors?: boolean;
    items?: Record<string, { status?: number; error?: { type?: string; reason?: string } }>[];
}

/** The outcome of every item of a request answered `errors: false` (one shared object: outcomes are read, never changed). */
const CREATED: ItemOutcome = { status: "created" };
const EXISTS: ItemOutcome = { status: "exists" };

/** Whole-request answers that say nothing was written: rejected before processing (throttled, unauthorized, too large). */
function notProcessed(status: number | undefined): boolean {
    return status === 429 || status === 401 || status === 403 || status === 413;
}

export function isRetryableStatus(status: number): boolean {
    return status === 429 || status >= 500 || status === 408;
}

/**
 * Creates documents with the bulk API: the NDJSON encoded once (BulkBody), sliced into requests and sent through the client's
 * transport (TLS, auth, product check), `create` so a repeat is a 409 (already present), the response trimmed
 * by filter_path. Requests run `concurrency` at a time; a failed request (429, 5xx, reset, timeout) and the
 * retryable items of a response (429, 5xx) are tried again with jittered exponential backoff while the
 * deadline allows; what is still retryable then is reported `retry`.
 */
export async function sendBulk(transport: Transport, items: BulkBody, options: BulkOptions, deadline: Deadline): Promise<ItemOutcome[]> {
    const count = items.count;
    const outcomes: (ItemOutcome | undefined)[] = new Array<ItemOutcome | undefined>(count);
    // Decided once, not per item: in the serialized closure every `undefined` is a scope lookup through its `with`
    // blocks, which per item of a 10,000-item batch was 5% of the handler's CPU.
    const known = options.known ?? null;
    let pending: number[] = [];
    if (known === null || known.size === 0) {
        for (let index = 0; index < count; index++) pending.push(index);
    } else {
        for (let index = 0; index < count; index++) {
            if (known.has(index)) outcomes[index] = EXISTS;
            else pending.push(index);
        }
    }
    /** Items whose last request failed with no answer that rules out that it was processed. */
    const unknownFate = new Set<number>();
    const backoffMs = options.backoffMs ?? 200;
    for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) {
            const wait = Math.min(5_000, backoffMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
            if (attempt > options.maxRetries || deadline.msLeft() < wait + 1_000) break;
            await new Promise((resolve) => setTimeout(resolve, wait));
            const uncertain = options.beforeResend ? pending.filter((index) => unknownFate.has(index)) : [];
            if (uncertain.length > 0 && options.beforeResend) {
                const present = await options.beforeResend(uncertain).catch(() => new Set<number>());
                if (present.size > 0) {
                    for (const index of present) outcomes[index] = EXISTS;
                    pending = pending.filter((index) => !present.has(index));
                    if (pending.length === 0) break;
                }
            }
        }
        const chunks = items.chunks(pending, options.maxBytes);
        const retry: number[] = [];
        let next = 0;
        const worker = async () => {
            while (next < chunks.length) {
                const chunk = chunks[next++];
                if (deadline.expired()) {
                    for (const index of chunk) outcomes[index] = { status: "retry", error: "invocation time budget exhausted", type: "deadline" };
                    continue;
                }
                const { answers, unanswered } = await sendChunk(transport, chunk, items, options, deadline);
                for (let position = 0; position < chunk.length; position++) {
                    const index = chunk[position];
                    const answer = answers[position];
                    outcomes[index] = answer;
                    if (answer.status === "retry") retry.push(index);
                    if (unanswered) unknownFate.add(index);
                    else if (unknownFate.size > 0) unknownFate.delete(index);
                }
            }
        };
        await Promise.all(Array.from({ length: Math.min(options.concurrency, chunks.length) }, worker));
        pending = retry.sort((a, b) => a - b);
    }
    const answered: ItemOutcome[] = new Array<ItemOutcome>(count);
    for (let index = 0; index < count; index++) answered[index] = outcomes[index] ?? { status: "retry", error: "not sent", type: "not_sent" };
    return answered;
}

/** One request's answers; `unanswered`: the request failed in a way that leaves open whether it was processed. */
async function sendChunk(transport: Transport, chunk: number[], items: BulkBody, options: BulkOptions, deadline: Deadline): Promise<{ answers: ItemOutcome[]; unanswered: boolean }> {
    const body = items.request(chunk);
    let response: BulkResponse;
    try {
        response = (await transport.request<BulkResponse>(
            { method: "POST", path: "/_bulk", querystring: { filter_path: BULK_FILTER_PATH }, bulkBody: body },
            { requestTimeout: deadline.timeoutMs(options.requestTimeoutMs), maxRetries: 0 },
        ));
    } catch (error) {
        // The whole request failed. Even a 4xx here (401/403 after a credential rotation, 413 from a lower
        // http.max_content_length, a proxy's 400) says nothing against the documents: retry, never dead-letter.
        const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
        const type = typeof status === "number" ? `http_${status}` : (error as Error).name || "error";
        const message = `bulk request failed: ${typeof status === "number" ? `HTTP ${status}` : describeError(error).slice(0, 300)}`;
        return { answers: chunk.map(() => ({ status: "retry", error: message, type })), unanswered: !notProcessed(status) };
    }
    if (response.errors === false) return { answers: new Array<ItemOutcome>(chunk.length).fill(CREATED), unanswered: false };
    const answers = response.items;
    if (!Array.isArray(answers) || answers.length !== chunk.length) {
        const message = `bulk response has ${Array.isArray(answers) ? answers.length : "no"} items for ${chunk.length} documents`;
        return { answers: chunk.map(() => ({ status: "retry", error: message, type: "bad_bulk_response" })), unanswered: true };
    }
    return { answers: answers.map((answer) => classify(answer)), unanswered: false };
}

function classify(answer: Record<string, { status?: number; error?: { type?: string; reason?: string } }>): ItemOutcome {
    const result = answer["create"] ?? Object.values(answer)[0];
    const status = result?.status ?? 0;
    if (status >= 200 && status < 300) return { status: "created" };
    if (status === 409) return { status: "exists" };
    // The reason can quote the document ("Preview of field's value"): it goes to the dead letter, never to logs (type only).
    const type = result?.error?.type ?? "unknown";
    const error = `HTTP ${status} ${type}: ${(result?.error?.reason ?? "").slice(0, 500)}`;
    return isRetryableStatus(status) || status === 0 ? { status: "retry", error, type: `${status} ${type}` } : { status: "rejected", error, type: `${status} ${type}` };
}
