import { expect } from "chai";

import type { ShipperFunctionConfig } from "../../../functions/shipper/config";
import { makeShipperHandler, type LambdaContextLike, type ShipperOutcome } from "../../../functions/shipper/handler";
import { loadSerializedFactory } from "../../harness/closure";
import { LoopbackProxy, type Fault, type RecordedRequest } from "../../harness/proxy";
import { useElasticsearch, useMoto, type ElasticsearchService } from "../../harness/services";
import { baseConfig, cloudWatchEvent, context, createQueue, createSecret, cwId, kinesisEvent, namespace, sqsEvent, type KinesisInput, type SqsInput } from "./fixtures";

type Handler = (event: unknown, context: LambdaContextLike) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | ShipperOutcome>;
type BulkAnswer = { errors: boolean; items?: Record<string, { status: number; error?: unknown }>[] };

/** The `_id`s of a bulk request body, in order. */
function bulkIds(body: Buffer): string[] {
    const lines = body.toString("utf8").split("\n");
    const ids: string[] = [];
    for (let i = 0; i < lines.length; i += 2) {
        const line = lines[i];
        if (line) ids.push((JSON.parse(line) as { create: { _id: string } }).create._id);
    }
    return ids;
}

/**
 * Issue 17, item 4: `create` with a deterministic `_id` only sees the data stream's write index, so a delivery that
 * comes again after a rollover used to create a second copy of what its first attempt wrote. Each case here writes
 * a first attempt through a proxy that can hide answers (a 201 rewritten to a 429, or the answer dropped: written,
 * but the shipper is told to retry), rolls the data stream over, then delivers again as Lambda would, and reads
 * back every document with the backing index it is in.
 */
describe("shipper across a rollover: a delivery that comes again writes no second copy (serialized closure, real Elasticsearch)", function () {
    this.timeout(240_000);
    let es: ElasticsearchService;
    let proxy: LoopbackProxy;
    let secretArn: string;
    /** Ids whose 201 the proxy rewrites to a per-item 429 (written, but the shipper is told to retry). */
    const hideCreated = new Set<string>();
    /** Set: the next bulk request is forwarded, this runs, then its answer is dropped. */
    let dropNextBulk: (() => Promise<void>) | undefined;
    /** Per `_id`: how many times Elasticsearch answered 201. */
    const created = new Map<string, number>();

    before(async function () {
        this.timeout(300_000);
        [es] = await Promise.all([useElasticsearch(), useMoto()]);
        secretArn = await createSecret(es);
        proxy = await LoopbackProxy.start({
            upstream: es.endpoint,
            upstreamCa: es.caCertificate,
            tls: es.serverTls,
            fault: (request): Fault | undefined => {
                if (!request.path.startsWith("/_bulk") || dropNextBulk === undefined) return undefined;
                const afterForward = dropNextBulk;
                dropNextBulk = undefined;
                return { kind: "drop-answer", afterForward };
            },
            transformResponse: (request: RecordedRequest, status, body) => {
                if (!request.path.startsWith("/_bulk") || status !== 200) return undefined;
                const answer = JSON.parse(body.toString("utf8")) as BulkAnswer;
                const ids = bulkIds(request.body);
                (answer.items ?? []).forEach((item, index) => {
                    const result = item["create"];
                    const id = ids[index] ?? "";
                    if (result?.status !== 201) return;
                    created.set(id, (created.get(id) ?? 0) + 1);
                    if (hideCreated.has(id)) {
                        result.status = 429;
                        result.error = { type: "es_rejected_execution_exception", reason: "rejected execution" };
                        answer.errors = true;
                    }
                });
                return { status: 200, body: Buffer.from(JSON.stringify(answer)) };
            },
        });
    });

    after(async () => {
        await proxy?.stop();
    });

    afterEach(() => {
        hideCreated.clear();
        dropNextBulk = undefined;
    });

    /** A shipper function as deployed behind the proxy: a fresh execution environment (the serialized closure, loaded anew). */
    async function deploy(ns: string, delivery: Partial<ShipperFunctionConfig["delivery"]> = {}): Promise<Handler> {
        const config = baseConfig({ endpoint: proxy.endpoint, caCertificate: es.caCertificate }, ns, { deadLetterQueueUrl: await createQueue() });
        config.delivery = { ...config.delivery, maxRetries: 0, ...delivery };
        config.elasticsearch.credentialsSecretArn = secretArn;
        return (await loadSerializedFactory(makeShipperHandler(config))).handler;
    }

    async function rollover(dataStream: string): Promise<void> {
        const client = es.client();
        try {
            const answer = await client.transport.request<{ rolled_over?: boolean }>({ method: "POST", path: `/${dataStream}/_rollover` });
            expect(answer.rolled_over, `rollover of ${dataStream}`).to.equal(true);
        } finally {
            await client.close();
        }
    }

    /** Every document of the namespace: per `_id`, the backing indices holding a copy (two entries = a duplicate). */
    async function copies(ns: string): Promise<Map<string, string[]>> {
        const client = es.client();
        try {
            await client.indices.refresh({ index: `logs-*-${ns}` });
            const answer = await client.search({ index: `logs-*-${ns}`, size: 10_000, _source: false, query: { match_all: {} } });
            const byId = new Map<string, string[]>();
            for (const hit of answer.hits.hits) byId.set(hit._id as string, [...(byId.get(hit._id as string) ?? []), hit._index]);
            return byId;
        } finally {
            await client.close();
        }
    }

    const duplicates = (byId: Map<string, string[]>) => [...byId.values()].filter((indexes) => indexes.length > 1).length;
    const searches = () => proxy.requests.filter((request) => /\/_search/.test(request.path)).length;

    function sqsMessages(prefix: string): SqsInput[] {
        return Array.from({ length: 5 }, (_, m) => ({ messageId: `${prefix}-m${m}`, body: Array.from({ length: 5 }, (_, line) => `message ${m} line ${line}`).join("\n") }));
    }

    /** `sqsEvent`, with each message's ApproximateReceiveCount. */
    function sqsDelivery(messages: SqsInput[], receiveCount: number): ReturnType<typeof sqsEvent> {
        const event = sqsEvent(messages);
        for (const record of event.Records) record.attributes.ApproximateReceiveCount = String(receiveCount);
        return event;
    }

    it("SQS: the whole batch again after a rollover (ApproximateReceiveCount 2): 25 ids, 25 documents, one ids search, none on the first delivery", async () => {
        const ns = namespace("r");
        const handler = await deploy(ns);
        const messages = sqsMessages(ns);
        const searchesBefore = searches();
        const first = await handler(sqsDelivery(messages, 1), context());
        expect(first).to.deep.equal({ batchItemFailures: [] });
        expect(searches() - searchesBefore, "a first delivery is not looked up").to.equal(0);
        await rollover(`logs-aws.sqs-${ns}`);

        const again = await handler(sqsDelivery(messages, 2), context());
        expect(again).to.deep.equal({ batchItemFailures: [] });
        expect(searches() - searchesBefore, "one ids search for the retried batch").to.equal(1);
        const byId = await copies(ns);
        expect(byId.size).to.equal(25);
        expect(duplicates(byId), "documents with a second copy").to.equal(0);
        expect(new Set([...byId.values()].flat()).size, "all in the first backing index").to.equal(1);
    });

    it("SQS: a partial failure, a rollover, the failed message again: created once each", async () => {
        const ns = namespace("r");
        const handler = await deploy(ns);
        const messages = sqsMessages(ns);
        // The third message's lines are written, but their answers say 429: Lambda delivers that message again.
        for (let line = 0; line < 5; line++) hideCreated.add(`${ns}-m2-${line}`);
        const first = (await handler(sqsDelivery(messages, 1), context()));
        expect(first.batchItemFailures).to.deep.equal([{ itemIdentifier: `${ns}-m2` }]);
        hideCreated.clear();
        await rollover(`logs-aws.sqs-${ns}`);
        const retry = await handler(sqsDelivery([messages[2]], 2), context());
        expect(retry).to.deep.equal({ batchItemFailures: [] });
        const byId = await copies(ns);
        expect(byId.size).to.equal(25);
        expect(duplicates(byId)).to.equal(0);
        expect([...byId.keys()].filter((id) => (created.get(id) ?? 0) !== 1), "created more than once").to.deep.equal([]);
    });

    it("Kinesis: the records from the failed one on, after a rollover, in the same environment and in a fresh one: no second copy", async () => {
        const ns = namespace("r");
        const handler = await deploy(ns);
        const records: KinesisInput[] = Array.from({ length: 5 }, (_, r) => ({ sequenceNumber: `${r + 1}`, data: Buffer.from(Array.from({ length: 5 }, (_, line) => `record ${r} line ${line}`).join("\n")) }));
        for (let line = 0; line < 5; line++) hideCreated.add(`3-0-${line}`);
        const first = (await handler(kinesisEvent(records), context()));
        expect(first.batchItemFailures).to.deep.equal([{ itemIdentifier: "3" }]);
        hideCreated.clear();
        await rollover(`logs-aws.kinesis-${ns}`);
        // Lambda resumes the shard at the lowest failed sequence number: records 3, 4 and 5 again (4 and 5 were written whole).
        const searchesBefore = searches();
        expect(await handler(kinesisEvent(records.slice(2)), context())).to.deep.equal({ batchItemFailures: [] });
        expect(searches() - searchesBefore).to.equal(1);
        // The same records reach a fresh environment (another one's retry): its first batch of the shard is looked up too.
        const fresh = await deploy(ns);
        expect(await fresh(kinesisEvent(records.slice(2)), context())).to.deep.equal({ batchItemFailures: [] });
        const byId = await copies(ns);
        expect(byId.size).to.equal(25);
        expect(duplicates(byId)).to.equal(0);
        // A first delivery of new records in a warm environment is not looked up.
        const later = searches();
        expect(await handler(kinesisEvent([{ sequenceNumber: "6", data: Buffer.from("later") }]), context())).to.deep.equal({ batchItemFailures: [] });
        expect(searches() - later).to.equal(0);
    });

    it("CloudWatch Logs: a failed invocation, a rollover, Lambda's retry (same request id) in the same and in a fresh environment: no second copy", async () => {
        const ns = namespace("r");
        const handler = await deploy(ns);
        const events = Array.from({ length: 25 }, (_, i) => ({ id: cwId(900, i), timestamp: 1_700_000_000_000 + i, message: `event ${i}` }));
        const delivery = cloudWatchEvent("/app/rollover", "s", events);
        for (let i = 10; i < 15; i++) hideCreated.add(cwId(900, i));
        const thrown = await handler(delivery, context(60_000, "req-rollover")).then(
            () => undefined,
            (error: unknown) => error as Error,
        );
        expect(thrown?.name).to.equal("RetryableError");
        hideCreated.clear();
        await rollover(`logs-aws.cloudwatch_logs-${ns}`);
        const retried = (await handler(delivery, context(60_000, "req-rollover"))) as ShipperOutcome;
        expect(retried).to.include({ received: 25, shipped: 0, alreadyPresent: 25, invocationFailed: false });
        const fresh = await deploy(ns);
        expect(await fresh(delivery, context(60_000, "req-rollover"))).to.include({ received: 25, alreadyPresent: 25 });
        const byId = await copies(ns);
        expect(byId.size).to.equal(25);
        expect(duplicates(byId)).to.equal(0);
    });

    it("the shipper's own retry after an answer it never got, with a rollover in between: found, not written again", async () => {
        const ns = namespace("r");
        const handler = await deploy(ns, { maxRetries: 2 });
        const events = Array.from({ length: 25 }, (_, i) => ({ id: cwId(901, i), timestamp: 1_700_000_000_000 + i, message: `event ${i}` }));
        // Warm the environment (its first invocation is looked up as a possible retry), then the case itself.
        await handler(cloudWatchEvent("/app/warm", "s", [{ id: cwId(902, 0), timestamp: 1_700_000_000_000, message: "warm" }]), context(60_000, "warm"));
        dropNextBulk = () => rollover(`logs-aws.cloudwatch_logs-${ns}`);
        const outcome = (await handler(cloudWatchEvent("/app/own-retry", "s", events), context(60_000, "own-retry"))) as ShipperOutcome;
        expect(dropNextBulk, "the proxy dropped an answer").to.equal(undefined);
        expect(outcome).to.include({ received: 25, shipped: 0, alreadyPresent: 25, failedForRetry: 0, invocationFailed: false });
        const byId = await copies(ns);
        expect(byId.size).to.equal(26);
        expect(duplicates(byId)).to.equal(0);
    });

    it("what stays open, measured: a retry in a warm environment that did not fail it writes a second copy of exactly what the failed attempt wrote", async () => {
        // Kinesis: environment A processed the shard before; environment B fails records 13-15 (14 hidden); the retry
        // (14, 15) reaches A, which has no memory of B's failure.
        const ns = namespace("r");
        const [a, b] = [await deploy(ns), await deploy(ns)];
        const record = (sequence: number): KinesisInput => ({ sequenceNumber: String(sequence), data: Buffer.from(Array.from({ length: 5 }, (_, line) => `record ${sequence} line ${line}`).join("\n")) });
        expect(await a(kinesisEvent([record(10), record(11), record(12)]), context())).to.deep.equal({ batchItemFailures: [] });
        await b(kinesisEvent([record(1)]), context()); // B's first batch of the shard
        for (let line = 0; line < 5; line++) hideCreated.add(`14-0-${line}`);
        const failed = (await b(kinesisEvent([record(13), record(14), record(15)]), context()));
        expect(failed.batchItemFailures).to.deep.equal([{ itemIdentifier: "14" }]);
        hideCreated.clear();
        await rollover(`logs-aws.kinesis-${ns}`);
        expect(await a(kinesisEvent([record(14), record(15)]), context())).to.deep.equal({ batchItemFailures: [] });
        const kinesisCopies = await copies(ns);
        // The bound: the events of the retried records that the failed attempt wrote (records 14 and 15: 10).
        expect(duplicates(kinesisCopies), "Kinesis: second copies").to.equal(10);

        // CloudWatch Logs: environment A handled an invocation before; environment B fails a payload; Lambda's retry reaches A.
        const cw = namespace("r");
        const [c, d] = [await deploy(cw), await deploy(cw)];
        await c(cloudWatchEvent("/app/open", "s", [{ id: cwId(903, 0), timestamp: 1_700_000_000_000, message: "warm" }]), context(60_000, "warm-c"));
        await d(cloudWatchEvent("/app/open", "s", [{ id: cwId(904, 0), timestamp: 1_700_000_000_000, message: "warm" }]), context(60_000, "warm-d"));
        const events = Array.from({ length: 25 }, (_, i) => ({ id: cwId(905, i), timestamp: 1_700_000_000_000 + i, message: `event ${i}` }));
        const delivery = cloudWatchEvent("/app/open", "s", events);
        hideCreated.add(cwId(905, 0));
        await d(delivery, context(60_000, "req-open")).catch((error: unknown) => expect((error as Error).name).to.equal("RetryableError"));
        hideCreated.clear();
        await rollover(`logs-aws.cloudwatch_logs-${cw}`);
        expect(await c(delivery, context(60_000, "req-open"))).to.include({ received: 25, shipped: 25 });
        // The bound: every event the failed attempt wrote (all 25: only their answers were lost or refused).
        expect(duplicates(await copies(cw)), "CloudWatch Logs: second copies").to.equal(25);
    });
});
