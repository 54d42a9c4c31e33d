import { expect } from "chai";

import { decodeDeadLetterBody } from "../../../functions/shipper/deadLetter";
import { makeShipperHandler, type LambdaContextLike } from "../../../functions/shipper/handler";
import { indexTemplateBody, templateName } from "../../../functions/shipper/template";
import { loadSerializedFactory } from "../../harness/closure";
import { LoopbackProxy, type Fault, type RecordedRequest } from "../../harness/proxy";
import { useElasticsearch, useMoto, type ElasticsearchService } from "../../harness/services";
import { baseConfig, captureOutput, cloudWatchEvent, context, createQueue, createSecret, cwId, drainQueue, kinesisEvent, namespace, readDocuments, sqsEvent, type KinesisInput, type SqsInput } from "./fixtures";

type Handler = (event: unknown, context: LambdaContextLike) => Promise<unknown>;
type BatchAnswer = { batchItemFailures: { itemIdentifier: string }[] };

const MARKER = "secret-body-marker";

/** Every 23rd message is `{"n":"x<i>"}`: refused by the test's template (json.n is a long), i.e. non-retryable. */
function message(i: number): string {
    if (i % 23 === 0) return `{"n":"x${i}","m":"${MARKER}"}`;
    if (i % 5 === 0) return `{"n":${i},"m":"${MARKER}"}`;
    return `${MARKER} line ${i}`;
}

interface Emf {
    source: string;
    Received: number;
    Shipped: number;
    AlreadyPresent: number;
    DeadLettered: number;
    FailedForRetry: number;
    Filtered: number;
    AccountingBreach: number;
}

type BulkAnswer = { errors: boolean; items?: Record<string, { status: number; error?: unknown }>[] };

/** The `_id`s of a bulk request body, in order (every action line of the NDJSON). */
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
 * What Elasticsearch really did, seen from the proxy: per `_id`, how many times it answered 201 (created), and
 * how many of those 201s never reached the shipper (rewritten to a per-item 429, or the whole answer arrived
 * after the client's timeout because the proxy delayed the request).
 */
class Ledger {
    readonly created = new Map<string, number>();
    hidden = 0;
    private readonly delayed = new Set<RecordedRequest>();

    /** 201s in answers that took longer than `lateMs` from the proxy's receipt: the client may have given up on them. */
    late = 0;
    private readonly arrivals = new Map<RecordedRequest, number>();

    constructor(private readonly lateMs: number) {}

    arrived(request: RecordedRequest): void {
        this.arrivals.set(request, Date.now());
    }

    markDelayed(request: RecordedRequest): void {
        this.delayed.add(request);
    }

    /** Records the upstream answer, then rewrites every 7th created item to a 429 (written, but the client is told to retry). */
    observe(request: RecordedRequest, answer: BulkAnswer): BulkAnswer {
        const ids = bulkIds(request.body);
        const delayed = this.delayed.has(request);
        const late = !delayed && Date.now() - (this.arrivals.get(request) ?? 0) >= this.lateMs;
        let position = 0;
        (answer.items ?? []).forEach((item, index) => {
            const result = item["create"];
            if (!result || result.status !== 201) return;
            const id = ids[index];
            this.created.set(id, (this.created.get(id) ?? 0) + 1);
            if (late) this.late++;
            if (delayed) this.hidden++;
            else if (position++ % 7 === 3) {
                result.status = 429;
                result.error = { type: "es_rejected_execution_exception", reason: "rejected execution" };
                answer.errors = true;
                this.hidden++;
            }
        });
        if (answer.items === undefined) answer.items = [];
        return answer;
    }
}

describe("shipper under faults: 10,000 events, Lambda's retries, every event accounted for", function () {
    this.timeout(240_000);
    let es: ElasticsearchService;
    let proxy: LoopbackProxy;
    let secretArn: string;
    /** The client's request timeout; an answer slower than most of it may not reach the shipper (a loaded machine). */
    const REQUEST_TIMEOUT_MS = 1_200;
    const ledger = new Ledger(REQUEST_TIMEOUT_MS - 300);

    before(async function () {
        this.timeout(300_000);
        [es] = await Promise.all([useElasticsearch(), useMoto()]);
        secretArn = await createSecret(es);
        let bulkIndex = 0;
        proxy = await LoopbackProxy.start({
            upstream: es.endpoint,
            upstreamCa: es.caCertificate,
            tls: es.serverTls,
            fault: (request): Fault | undefined => {
                if (!request.path.startsWith("/_bulk")) return undefined;
                const i = bulkIndex++;
                ledger.arrived(request);
                if (i % 9 === 1) return { kind: "respond", status: 429, body: '{"error":{"type":"es_rejected_execution_exception"},"status":429}' };
                if (i % 9 === 3) return { kind: "respond", status: 503, body: '{"error":{"type":"unavailable"},"status":503}' };
                if (i % 13 === 5) return { kind: "reset" };
                if (i % 29 === 7) return { kind: "hang" };
                if (i % 17 === 8) {
                    ledger.markDelayed(request);
                    return { kind: "delay", ms: 1_600 }; // forwarded after the client gave up (timeout 1.2 s): written, answer lost
                }
                return undefined;
            },
            transformResponse: (request, status, body) => {
                if (!request.path.startsWith("/_bulk") || status !== 200) return undefined;
                const answer = ledger.observe(request, JSON.parse(body.toString("utf8")) as BulkAnswer);
                return { status: 200, body: Buffer.from(JSON.stringify(answer)) };
            },
        });
    });

    after(async () => {
        await proxy?.stop();
    });

    it("ends with exactly the shippable documents, created once each; the refused ones dead-lettered; every delivery accounted for", async () => {
        const started = Date.now();
        const ns = namespace("f");
        const client = es.client();
        // Someone's stricter template: json.n must be a number.
        const strict = indexTemplateBody(ns, { dataRetention: "7d" }) as { template: { mappings: { properties: Record<string, unknown> } } };
        strict.template.mappings.properties["json"] = { type: "object", dynamic: false, properties: { n: { type: "long" } } };
        await client.indices.putIndexTemplate({ name: templateName(ns), ...(strict as object) });
        await client.close();

        const dlq = await createQueue();
        const config = baseConfig({ endpoint: proxy.endpoint, caCertificate: es.caCertificate }, ns, {
            deadLetterQueueUrl: dlq,
            delivery: { bulkConcurrency: 2, bulkMaxBytes: 128 * 1024, requestTimeoutMs: REQUEST_TIMEOUT_MS, maxRetries: 1 },
        });
        config.elasticsearch.installIndexTemplate = false;
        config.elasticsearch.credentialsSecretArn = secretArn;

        // Capture stdout and stderr: the EMF metrics and the logs (INFO to stdout, WARN/ERROR to stderr) of the deployed code.
        const saved = { log: process.env["LOG_LEVEL"], metrics: process.env["POWERTOOLS_METRICS_DISABLED"] };
        process.env["LOG_LEVEL"] = "INFO";
        process.env["POWERTOOLS_METRICS_DISABLED"] = "false";
        const output = captureOutput();
        const expected = new Set<string>();
        const refused = new Set<string>();
        const note = (id: string, i: number) => (i % 23 === 0 ? refused : expected).add(id);
        let n = 0;
        // CloudWatch Logs: 20 payloads x 200 events.
        const payloads = Array.from({ length: 20 }, (_, p) => {
            const events = Array.from({ length: 200 }, (_, k) => {
                const i = n++;
                note(cwId(10 + p, k), i);
                return { id: cwId(10 + p, k), timestamp: 1_700_000_000_000 + i, message: message(i) };
            });
            return { event: cloudWatchEvent(`/app/g${p % 3}`, "s", events), delivered: events.length };
        });
        // Kinesis: 40 records x 100 lines.
        const records: KinesisInput[] = Array.from({ length: 40 }, (_, r) => {
            const seq = String(5_000_000 + r);
            const text = Array.from({ length: 100 }, (_, line) => {
                const i = n++;
                note(`${seq}-0-${line}`, i);
                return message(i);
            }).join("\n");
            return { data: Buffer.from(text), sequenceNumber: seq };
        });
        // SQS: 200 messages x 10 lines.
        const queue: SqsInput[] = Array.from({ length: 200 }, (_, m) => {
            const body = Array.from({ length: 10 }, (_, line) => {
                const i = n++;
                note(`msg-${m}-${line}`, i);
                return message(i);
            }).join("\n");
            return { messageId: `msg-${m}`, body };
        });

        /** Per source, per invocation in order: events delivered, and whether Lambda was told to retry something. */
        const invocations: Record<string, { delivered: number; retryRequested: boolean }[]> = { cloudwatch: [], kinesis: [], sqs: [] };
        const deploy = async () => (await loadSerializedFactory(makeShipperHandler(config))).handler as Handler;
        try {
            // One container per source (as deployed: one function per source), driven concurrently the way Lambda retries each.
            const [cloudwatch, kinesis, sqs] = await Promise.all([deploy(), deploy(), deploy()]);
            const driveCloudWatch = async () => {
                // A thrown invocation is retried whole (asynchronous invoke).
                for (const { event, delivered } of payloads) {
                    for (let attempt = 0; ; attempt++) {
                        expect(attempt, "CloudWatch retries").to.be.below(30);
                        try {
                            await cloudwatch(event, context(30_000));
                            invocations["cloudwatch"]?.push({ delivered, retryRequested: false });
                            break;
                        } catch (error) {
                            expect((error as Error).name).to.equal("RetryableError");
                            invocations["cloudwatch"]?.push({ delivered, retryRequested: true });
                        }
                    }
                }
            };
            const driveKinesis = async () => {
                // Batches of 10 from the checkpoint; Lambda resumes at the lowest failed sequence number.
                for (let checkpoint = 0, rounds = 0; checkpoint < records.length; rounds++) {
                    expect(rounds, "Kinesis rounds").to.be.below(200);
                    const batch = records.slice(checkpoint, checkpoint + 10);
                    const answer = (await kinesis(kinesisEvent(batch), context(30_000))) as BatchAnswer;
                    invocations["kinesis"]?.push({ delivered: batch.length * 100, retryRequested: answer.batchItemFailures.length > 0 });
                    const failed = answer.batchItemFailures.map((failure) => batch.findIndex((record) => record.sequenceNumber === failure.itemIdentifier));
                    expect(failed).to.not.include(-1);
                    checkpoint += failed.length === 0 ? batch.length : Math.min(...failed);
                }
            };
            const driveSqs = async () => {
                // Batches of 10; failed messages come back in a later batch.
                for (let rounds = 0; queue.length > 0; rounds++) {
                    expect(rounds, "SQS rounds").to.be.below(400);
                    const batch = queue.splice(0, 10);
                    const answer = (await sqs(sqsEvent(batch), context(30_000))) as BatchAnswer;
                    invocations["sqs"]?.push({ delivered: batch.length * 10, retryRequested: answer.batchItemFailures.length > 0 });
                    for (const failure of answer.batchItemFailures) {
                        const retried = batch.find((queued) => queued.messageId === failure.itemIdentifier);
                        expect(retried, `batchItemFailures names ${failure.itemIdentifier}, not in the batch`).to.not.equal(undefined);
                        queue.push(retried as SqsInput);
                    }
                }
            };
            await Promise.all([driveCloudWatch(), driveKinesis(), driveSqs()]);
        } finally {
            output.restore();
            process.env["LOG_LEVEL"] = saved.log;
            process.env["POWERTOOLS_METRICS_DISABLED"] = saved.metrics;
        }
        expect(n).to.equal(10_000);
        expect(expected.size + refused.size).to.equal(10_000);

        // Elasticsearch: exactly the shippable documents (readDocuments throws on a duplicate _id).
        const documents = await readDocuments(es, ns);
        expect([...expected].filter((id) => !documents.has(id)), "missing from Elasticsearch").to.deep.equal([]);
        expect([...documents.keys()].filter((id) => !expected.has(id)), "unexpected in Elasticsearch").to.deep.equal([]);
        expect(documents.size).to.equal(expected.size);
        // ...each created exactly once (every later attempt was a 409), and no refused one ever created.
        expect([...ledger.created].filter(([, times]) => times !== 1), "created more than once").to.deep.equal([]);
        expect(ledger.created.size).to.equal(expected.size);

        // Dead letters: exactly the refused ones (a letter repeats when its record was delivered again: same id).
        const letters = (await drainQueue(dlq)).map(decodeDeadLetterBody);
        expect(new Set(letters.map((letter) => letter.id))).to.deep.equal(refused);
        expect(letters.filter((letter) => letter.reason !== "rejected" || !/^HTTP 400 /.test(letter.error)), "letters that are not 400 rejections").to.deep.equal([]);

        // The faults really happened.
        const outcomes = proxy.requests.filter((request) => request.path.startsWith("/_bulk")).map((request) => request.outcome);
        for (const kind of ["fault 429", "fault 503", "reset", "hang", "rewritten 200"]) expect(outcomes, kind).to.include(kind);
        expect(ledger.hidden, "creations whose answer never reached the shipper").to.be.greaterThan(0);

        // Accounting, from the EMF the deployed code printed: one document per invocation, each adding up, each
        // received count = the events Lambda delivered, and a retry asked for exactly when something failed for retry.
        const emf = output.lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Emf);
        for (const source of ["cloudwatch", "kinesis", "sqs"]) {
            const ofSource = emf.filter((metric) => metric.source === source);
            const driven = invocations[source] ?? [];
            expect(ofSource, `${source}: one EMF document per invocation`).to.have.length(driven.length);
            ofSource.forEach((metric, index) => {
                const invocation = driven[index];
                expect(metric.Received, `${source} invocation ${index}: ${JSON.stringify(metric)}`).to.equal(invocation.delivered);
                expect(metric.Received, JSON.stringify(metric)).to.equal(metric.Shipped + metric.AlreadyPresent + metric.DeadLettered + metric.FailedForRetry + metric.Filtered);
                expect(metric.AccountingBreach).to.equal(0);
                expect(metric.FailedForRetry > 0, `${source} invocation ${index}: retry requested iff failed for retry`).to.equal(invocation.retryRequested);
            });
        }
        expect(emf).to.have.length(Object.values(invocations).reduce((sum, driven) => sum + driven.length, 0));
        const total = (key: keyof Emf) => emf.reduce((sum, metric) => sum + (metric[key] as number), 0);
        expect(total("Received")).to.equal(Object.values(invocations).flat().reduce((sum, invocation) => sum + invocation.delivered, 0));
        console.log(
            `      ${Object.values(invocations).flat().length} invocations, ${outcomes.length} bulk requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
                `shipped ${total("Shipped")}, already present ${total("AlreadyPresent")}, dead-lettered ${total("DeadLettered")}, failed for retry ${total("FailedForRetry")}; ` +
                `creations hidden by the proxy ${ledger.hidden}, answered late ${ledger.late}`,
        );
        // Shipped counts the 201s the shipper saw: every creation but the ones whose answer the proxy hid, and
        // at most the ones Elasticsearch answered so late that the client may have timed out first.
        expect(total("Shipped")).to.be.at.most(expected.size - ledger.hidden);
        expect(total("Shipped")).to.be.at.least(expected.size - ledger.hidden - ledger.late);
        expect(total("AlreadyPresent")).to.be.greaterThan(0);
        expect(total("DeadLettered")).to.equal(letters.length);
        expect(total("FailedForRetry")).to.be.greaterThan(0);

        // Logs: counts and ids, never a message body; WARN lines prove stderr was captured too.
        const logs = output.lines.filter((line) => line.includes('"level"'));
        expect(logs.some((line) => line.includes('"level":"WARN"'))).to.equal(true);
        expect(logs.some((line) => line.includes('"level":"INFO"'))).to.equal(true);
        expect(output.lines.filter((line) => line.includes(MARKER))).to.deep.equal([]);
    });
});
