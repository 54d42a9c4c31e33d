import type { ShipperSource } from "./config";
import type { DecodedBatch } from "./event";

/** How many failed records (Kinesis) or request ids (CloudWatch Logs) one execution environment remembers. */
const MAX_REMEMBERED = 20_000;

/** The records of a batch that may have been attempted before: "all", or a set of record ids (empty: none). */
export type Retried = "all" | ReadonlySet<string>;

/**
 * Recognises a delivery that may have been attempted before, so that only its events get the existence check
 * across the data stream's backing indices (existing.ts): a first delivery never pays for it.
 *
 * - SQS: a message whose `ApproximateReceiveCount` is over 1 (the decoder marks it): exact, whichever environment
 *   gets it.
 * - Kinesis: the records this environment reported in `batchItemFailures` and the ones after them in that batch
 *   (Lambda resumes the shard at the lowest failed sequence number), the whole batch when the invocation failed, and
 *   the first batch of each shard an environment sees (it remembers nothing of what another one failed).
 * - CloudWatch Logs (asynchronous invoke, retried whole with the same request id): a request id this environment
 *   failed, and an environment's first invocation.
 *
 * What stays open (docs/shipper.md, Idempotency): a Kinesis or CloudWatch Logs retry that runs in a warm environment
 * other than the one that failed it, after that one processed the shard before (Kinesis) or at all (CloudWatch Logs).
 *
 * One per container (made in the handler factory); the memory is bounded.
 */
export interface RetryMemory {
    /** Which records of `batch` may have been attempted before. */
    retried(source: ShipperSource, batch: DecodedBatch, requestId: string): Retried;
    /** After an invocation: what failed for retry (record ids), or `invocationFailed` (the whole event comes back). */
    remember(source: ShipperSource, batch: DecodedBatch, requestId: string, failedRecords: ReadonlySet<string>, invocationFailed: boolean): void;
}

export function createRetryMemory(): RetryMemory {
    /** Kinesis: shards this environment has seen, and per shard the records that will come back. */
    const seenShards = new Set<string>();
    const pendingByShard = new Map<string, Set<string>>();
    /** CloudWatch Logs: request ids of invocations that failed here (insertion order: the oldest go first). */
    const failedRequests = new Set<string>();
    let firstInvocation = true;

    const bound = <T>(set: Set<T>): void => {
        for (const oldest of set) {
            if (set.size <= MAX_REMEMBERED) break;
            set.delete(oldest);
        }
    };

    const retried = (source: ShipperSource, batch: DecodedBatch, requestId: string): Retried => {
        const first = firstInvocation;
        firstInvocation = false;
        if (source === "sqs") return batch.redelivered;
        if (source === "cloudwatch") return first || failedRequests.has(requestId) ? "all" : new Set<string>();
        const records = new Set<string>();
        for (let i = 0; i < batch.recordIds.length; i++) {
            const shard = batch.shards[i] ?? "";
            const id = batch.recordIds[i] ?? "";
            if (!seenShards.has(shard) || pendingByShard.get(shard)?.has(id)) records.add(id);
        }
        for (const shard of batch.shards) seenShards.add(shard);
        bound(seenShards);
        return records;
    };

    const remember = (source: ShipperSource, batch: DecodedBatch, requestId: string, failedRecords: ReadonlySet<string>, invocationFailed: boolean): void => {
        if (source === "cloudwatch") {
            if (invocationFailed) {
                failedRequests.add(requestId);
                bound(failedRequests);
            } else {
                failedRequests.delete(requestId);
            }
            return;
        }
        if (source !== "kinesis") return;
        // Per shard, in delivery order: from the first failed record on, every record comes back.
        const coming = new Map<string, Set<string>>();
        const failing = new Set<string>();
        for (let i = 0; i < batch.recordIds.length; i++) {
            const shard = batch.shards[i] ?? "";
            const id = batch.recordIds[i] ?? "";
            if (invocationFailed || failedRecords.has(id)) failing.add(shard);
            if (failing.has(shard)) {
                const set = coming.get(shard) ?? new Set<string>();
                set.add(id);
                coming.set(shard, set);
            }
        }
        for (const shard of new Set(batch.shards)) {
            const set = coming.get(shard);
            if (set) pendingByShard.set(shard, set);
            else pendingByShard.delete(shard);
        }
        let total = 0;
        for (const [shard, set] of pendingByShard) {
            total += set.size;
            if (total > MAX_REMEMBERED) pendingByShard.delete(shard);
        }
    };

    return { retried, remember };
}
