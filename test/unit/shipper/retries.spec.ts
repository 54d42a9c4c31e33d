import { expect } from "chai";

import { emptyBatch, type DecodedBatch } from "../../../functions/shipper/event";
import { createRetryMemory, type Retried } from "../../../functions/shipper/retries";

/** A decoded Kinesis batch of these records (`shard:sequence`), in delivery order. */
function kinesis(...records: string[]): DecodedBatch {
    const batch = emptyBatch("kinesis");
    for (const record of records) {
        const [shard, sequence] = record.split(":") as [string, string];
        batch.recordIds.push(sequence);
        batch.shards.push(shard);
    }
    return batch;
}

const ids = (retried: Retried): string[] | "all" => (retried === "all" ? "all" : [...retried].sort());

/**
 * Which deliveries get the existence check across backing indices (functions/shipper/retries.ts): only those that
 * may have been attempted before, so that a first delivery never pays for the lookup (docs/shipper.md, Idempotency).
 */
describe("shipper retry recognition (retries.ts): the existence check only for deliveries that may have been attempted before", () => {
    it("SQS: exactly the messages the event marks as received before (ApproximateReceiveCount > 1), in any environment", () => {
        const memory = createRetryMemory();
        const batch = emptyBatch("sqs");
        batch.recordIds.push("m1", "m2");
        batch.shards.push("", "");
        expect(ids(memory.retried("sqs", batch, "r1"))).to.deep.equal([]);
        batch.redelivered.add("m2");
        expect(ids(memory.retried("sqs", batch, "r2"))).to.deep.equal(["m2"]);
    });

    it("Kinesis: a shard's first batch in an environment, then the records from the first failed one on, the whole batch after a thrown invocation, nothing after a clean batch", () => {
        const memory = createRetryMemory();
        const first = kinesis("a:1", "a:2", "b:7");
        expect(ids(memory.retried("kinesis", first, "r1")), "no memory of either shard").to.deep.equal(["1", "2", "7"]);
        memory.remember("kinesis", first, "r1", new Set(), false);
        const second = kinesis("a:3", "a:4", "a:5", "b:8");
        expect(ids(memory.retried("kinesis", second, "r2")), "a first delivery in a warm environment").to.deep.equal([]);
        memory.remember("kinesis", second, "r2", new Set(["4"]), false);
        // Lambda resumes shard a at 4: 4 and 5 come again; shard b went on.
        const retry = kinesis("a:4", "a:5", "a:6", "b:9");
        expect(ids(memory.retried("kinesis", retry, "r3"))).to.deep.equal(["4", "5"]);
        memory.remember("kinesis", retry, "r3", new Set(), true);
        expect(ids(memory.retried("kinesis", kinesis("a:4", "a:5", "a:6", "b:9"), "r4")), "after a thrown invocation: the whole batch").to.deep.equal(["4", "5", "6", "9"]);
        memory.remember("kinesis", kinesis("a:4", "a:5", "a:6", "b:9"), "r4", new Set(), false);
        expect(ids(memory.retried("kinesis", kinesis("a:7", "b:10"), "r5"))).to.deep.equal([]);
        expect(ids(memory.retried("kinesis", kinesis("c:1"), "r6")), "a shard new to the environment").to.deep.equal(["1"]);
    });

    it("CloudWatch Logs: an environment's first invocation, then a request id that failed here (Lambda's asynchronous retry keeps it) until it succeeds", () => {
        const memory = createRetryMemory();
        const batch = emptyBatch("cloudwatch");
        expect(memory.retried("cloudwatch", batch, "first")).to.equal("all");
        memory.remember("cloudwatch", batch, "first", new Set(), false);
        expect(ids(memory.retried("cloudwatch", batch, "other"))).to.deep.equal([]);
        memory.remember("cloudwatch", batch, "failing", new Set(), true);
        expect(memory.retried("cloudwatch", batch, "failing")).to.equal("all");
        memory.remember("cloudwatch", batch, "failing", new Set(), false);
        expect(ids(memory.retried("cloudwatch", batch, "failing")), "succeeded: forgotten").to.deep.equal([]);
    });

    it("keeps its memory bounded: the oldest failed request ids go first", () => {
        const memory = createRetryMemory();
        const batch = emptyBatch("cloudwatch");
        memory.retried("cloudwatch", batch, "warm");
        for (let i = 0; i < 20_001; i++) memory.remember("cloudwatch", batch, `r${i}`, new Set(), true);
        expect(ids(memory.retried("cloudwatch", batch, "r0")), "the oldest one was let go").to.deep.equal([]);
        expect(memory.retried("cloudwatch", batch, "r20000")).to.equal("all");
    });
});
