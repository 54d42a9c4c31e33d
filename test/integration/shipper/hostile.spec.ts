import { gzipSync } from "zlib";

import { expect } from "chai";

import { decodeDeadLetterBody, type DeadLetter } from "../../../functions/shipper/deadLetter";
import { TAG_JSON_TRUNCATED } from "../../../functions/shipper/document";
import type { ShipperOutcome } from "../../../functions/shipper/handler";
import { reshipDeadLetters } from "../../../functions/shipper/replay";
import { baseConfig, cloudWatchEvent, cloudWatchPayload, context, cwId, drainQueue, kinesisEvent, kplAggregate, namespace, readDocuments, shipperSuite, sqsEvent, type Doc } from "./fixtures";

/** Objects nested `n` deep: `{"a":{"a":...1...}}`. */
const objects = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
/** Arrays nested `n` deep. */
const arrays = (n: number) => "[".repeat(n) + "1" + "]".repeat(n);
const DEEP = 5_000;
/** The expansion's nesting bound (objects and arrays): docs/shipper.md, "JSON expansion, and its bounds". */
const BOUND = 20;

const sns = (message: string) => JSON.stringify({ Type: "Notification", MessageId: "sns-1", TopicArn: "arn:aws:sns:eu-west-1:123456789012:t", Message: message });

/** A document shipped as its text: the message verbatim, no expansion, the truncation tag. */
function expectText(document: Doc | undefined, message: string, what: string): void {
    expect(document, what).to.not.equal(undefined);
    expect(document?.["message"], what).to.equal(message);
    expect(document?.["json"], `${what}: not expanded`).to.equal(undefined);
    expect(document?.["tags"], `${what}: tagged`).to.deep.equal([TAG_JSON_TRUNCATED]);
}

/**
 * Issue 17, items 1-3: hostile but valid deliveries. No input throws past its record: a message nested deeper than
 * the expansion bound ships as its text, tagged, in every wrapper (CloudWatch Logs, Kinesis plain, CloudWatch Logs in
 * Kinesis, KPL, SQS, SNS in SQS, CloudWatch Logs in SQS) and on the replay path; a dead letter is always written; a
 * record that adds no events leaves its neighbours' record fields alone.
 */
describe("shipper on hostile deliveries: deep nesting never fails a batch, empty records change no neighbour (serialized closure, real Elasticsearch)", function () {
    this.timeout(180_000);
    const shipper = shipperSuite();

    it("CloudWatch Logs: 5,000-deep objects, a deep array under a key, the bound and one over: every event ships, the deep ones as text, tagged", async () => {
        const ns = namespace("h");
        const { handler, dlq } = await shipper.deploy(ns);
        const messages = ["before", objects(DEEP), `{"a":${arrays(DEEP)}}`, arrays(DEEP), objects(BOUND), objects(BOUND + 1), `{"a":${arrays(BOUND - 1)}}`, `{"a":${arrays(BOUND)}}`, '{"after":true}'];
        const events = messages.map((message, i) => ({ id: cwId(60, i), timestamp: 1_700_000_000_000 + i, message }));
        const outcome = (await handler(cloudWatchEvent("/app/deep", "s", events), context())) as ShipperOutcome;
        expect(outcome).to.include({ received: messages.length, shipped: messages.length, deadLettered: 0, failedForRetry: 0, invocationFailed: false });
        const documents = await readDocuments(shipper.es, ns);
        expectText(documents.get(cwId(60, 1)) as Doc, messages[1] ?? "", "5,000-deep object");
        expectText(documents.get(cwId(60, 2)) as Doc, messages[2] ?? "", "5,000-deep array under a key");
        expect((documents.get(cwId(60, 3)) as Doc)["json"], "a top-level array is never expanded").to.equal(undefined);
        // At the bound: expanded (deeper than jsonMaxDepth 3, so the rest is kept as text, tagged); one over: text only.
        expect(((documents.get(cwId(60, 4)) as Doc)["json"])["a"]["a"]).to.deep.equal({ a: objects(BOUND - 3) });
        expectText(documents.get(cwId(60, 5)) as Doc, messages[5] ?? "", "one over the bound");
        expect((documents.get(cwId(60, 6)) as Doc)["json"], "arrays at the bound: expanded as is").to.deep.equal(JSON.parse(messages[6] ?? "") as Doc);
        expectText(documents.get(cwId(60, 7)) as Doc, messages[7] ?? "", "arrays one over the bound");
        expect((documents.get(cwId(60, 8)) as Doc)["json"]).to.deep.equal({ after: true });
        expect(await drainQueue(dlq)).to.deep.equal([]);
    });

    it("Kinesis and SQS: deep messages in every wrapper (plain, CloudWatch Logs payload, KPL, SNS) ship as text, tagged; their neighbours ship; nothing fails", async () => {
        const ns = namespace("h");
        const { handler, dlq } = await shipper.deploy(ns);
        const deepCw = (seed: number) => cloudWatchPayload("/app/wrapped", "s", [{ id: cwId(seed, 0), timestamp: 1_700_000_000_000, message: objects(DEEP) }]);
        const aggregated = await kplAggregate([
            { partitionKey: "a", data: Buffer.from(objects(DEEP)) },
            { partitionKey: "b", data: Buffer.from("kpl neighbour") },
        ]);
        const kinesis = await handler(
            kinesisEvent([
                { sequenceNumber: "1", data: Buffer.from(objects(DEEP)) },
                { sequenceNumber: "2", data: gzipSync(deepCw(61)) },
                { sequenceNumber: "3", data: aggregated },
                { sequenceNumber: "4", data: Buffer.from(`{"a":${arrays(DEEP)}}`) },
                { sequenceNumber: "5", data: Buffer.from("kinesis neighbour") },
            ]),
            context(),
        );
        expect(kinesis).to.deep.equal({ batchItemFailures: [] });
        const sqs = await handler(
            sqsEvent([
                { messageId: "m1", body: objects(DEEP) },
                { messageId: "m2", body: sns(objects(DEEP)) },
                { messageId: "m3", body: deepCw(62) },
                { messageId: "m4", body: gzipSync(deepCw(63)).toString("base64") },
                { messageId: "m5", body: sns(`{"a":${arrays(DEEP)}}`) },
                { messageId: "m6", body: "sqs neighbour" },
            ]),
            context(),
        );
        expect(sqs).to.deep.equal({ batchItemFailures: [] });
        const documents = await readDocuments(shipper.es, ns);
        expect(documents.size).to.equal(12);
        for (const id of ["1-0-0", cwId(61, 0), "3-0-0", "m1-0", "m2-0", cwId(62, 0), cwId(63, 0)]) expectText(documents.get(id) as Doc, objects(DEEP), id);
        for (const id of ["4-0-0", "m5-0"]) expectText(documents.get(id) as Doc, `{"a":${arrays(DEEP)}}`, id);
        expect((documents.get("3-1-0") as Doc)["message"]).to.equal("kpl neighbour");
        expect((documents.get("5-0-0") as Doc)["message"]).to.equal("kinesis neighbour");
        expect((documents.get("m6-0") as Doc)["message"]).to.equal("sqs neighbour");
        expect((documents.get("m2-0") as Doc)["aws"]["sns"]["message_id"]).to.equal("sns-1");
        expect(await drainQueue(dlq)).to.deep.equal([]);
    });

    it("dead letters are always written: a rejected document holding a 5,000-deep message, a payload whose messageType or logEvents nest 5,000 deep", async () => {
        const ns = namespace("h");
        // Someone's template maps message as a number: a text message is refused (400), so its document is dead-lettered.
        const client = shipper.es.client();
        await client.indices.putIndexTemplate({ name: `conflict-${ns}`, index_patterns: [`logs-aws.sqs-${ns}`], data_stream: {}, priority: 500, template: { mappings: { properties: { message: { type: "long" } } } } });
        await client.close();
        const { handler, dlq } = await shipper.deploy(ns, { elasticsearch: { ...baseConfig(shipper.es, ns).elasticsearch, installIndexTemplate: false } });
        const deepType = gzipSync(`{"messageType":${arrays(DEEP)},"logGroup":"/g","logStream":"s","logEvents":[]}`).toString("base64");
        const deepEvents = gzipSync(`{"messageType":"DATA_MESSAGE","logGroup":"/g","logStream":"s","logEvents":${arrays(DEEP)}}`);
        const sqs = await handler(sqsEvent([{ messageId: "deep", body: objects(DEEP) }, { messageId: "neighbour", body: "a neighbour" }]), context());
        expect(sqs, "no record fails for retry: both are dead-lettered").to.deep.equal({ batchItemFailures: [] });
        const cw = (await handler({ awslogs: { data: deepType } }, context(60_000, "deep-type"))) as ShipperOutcome;
        expect(cw).to.include({ received: 1, deadLettered: 1, failedForRetry: 0, invocationFailed: false });
        expect(await handler(kinesisEvent([{ sequenceNumber: "7", data: deepEvents }]), context())).to.deep.equal({ batchItemFailures: [] });

        const letters = new Map((await drainQueue(dlq)).map((body) => [decodeDeadLetterBody(body).id, decodeDeadLetterBody(body)] as [string, DeadLetter]));
        expect([...letters.keys()].sort()).to.deep.equal(["7", "cloudwatch-deep-type", "deep-0", "neighbour-0"]);
        const deep = letters.get("deep-0") as DeadLetter;
        expect(deep).to.include({ reason: "rejected", index: `logs-aws.sqs-${ns}` });
        const document = JSON.parse(deep.documentJson ?? "") as Doc;
        expectText(document, objects(DEEP), "the dead-lettered document");
        expect(letters.get("cloudwatch-deep-type")?.error).to.equal("awslogs.data has messageType of type array, expected DATA_MESSAGE or CONTROL_MESSAGE");
        expect(letters.get("cloudwatch-deep-type")?.raw).to.equal(deepType);
        expect(letters.get("7")?.error).to.match(/logEvents\[0\] lacks a string id/);
        expect(Buffer.from(letters.get("7")?.raw ?? "", "base64").equals(deepEvents), "the original bytes").to.equal(true);
    });

    it("the replay path: a letter whose record now decodes into a 5,000-deep message ships it as text, tagged; a deep document refused again stays a letter", async () => {
        const ns = namespace("h");
        const now = new Date().toISOString();
        const malformed: DeadLetter = { version: 1, source: "sqs", reason: "malformed", error: "was not decodable", id: "replayed", recordId: "replayed", at: now, originAt: now, raw: objects(DEEP), rawEncoding: "utf8" };
        const refused: DeadLetter = {
            version: 1,
            source: "sqs",
            reason: "rejected",
            error: "HTTP 400",
            id: "refused-0",
            recordId: "refused",
            at: now,
            originAt: now,
            index: `logs-aws.sqs-${ns}`,
            documentJson: `{"@timestamp":"${now}","message":"m","json":{"a":${arrays(DEEP)}}}`,
        };
        const config = baseConfig(shipper.es, ns);
        const { handler } = await shipper.deploy(ns); // installs the template (the namespace's data streams)
        await handler(sqsEvent([{ messageId: "first", body: "first" }]), context());
        config.elasticsearch.credentials = { username: shipper.es.username, password: shipper.es.password };
        const results = await reshipDeadLetters(config, [malformed, refused]);
        expect(results.find((result) => result.id === "replayed")?.outcome).to.equal("shipped");
        expect(results.find((result) => result.id === "refused-0")?.outcome).to.equal("dead-letter-again");
        const documents = await readDocuments(shipper.es, ns);
        expectText(documents.get("replayed-0") as Doc, objects(DEEP), "replayed");
        expect(documents.has("refused-0")).to.equal(false);
    });

    it("a record that adds no events (empty logEvents, CONTROL_MESSAGE) leaves the record fields of its neighbours' documents alone (Kinesis and SQS)", async () => {
        const ns = namespace("h");
        const { handler } = await shipper.deploy(ns);
        const payload = (seed: number, count: number, type = "DATA_MESSAGE") =>
            cloudWatchPayload(`/app/g${seed}`, "s", Array.from({ length: count }, (_, i) => ({ id: cwId(seed, i), timestamp: 1_700_000_000_000 + i, message: `event ${seed}-${i}` })), type);
        expect(
            await handler(
                kinesisEvent([
                    { sequenceNumber: "11", data: gzipSync(payload(70, 2)) },
                    { sequenceNumber: "12", data: gzipSync(payload(71, 0)) },
                    { sequenceNumber: "13", data: gzipSync(payload(72, 0, "CONTROL_MESSAGE")) },
                    { sequenceNumber: "14", data: gzipSync(payload(73, 1)) },
                    { sequenceNumber: "15", data: gzipSync(payload(74, 0)) },
                ]),
                context(),
            ),
        ).to.deep.equal({ batchItemFailures: [] });
        expect(
            await handler(
                sqsEvent([
                    { messageId: "q1", body: payload(80, 2) },
                    { messageId: "q2", body: payload(81, 0) },
                    { messageId: "q3", body: gzipSync(payload(82, 0, "CONTROL_MESSAGE")).toString("base64") },
                    { messageId: "q4", body: sns(payload(83, 1)) },
                    { messageId: "q5", body: sns(payload(84, 0)) },
                ]),
                context(),
            ),
        ).to.deep.equal({ batchItemFailures: [] });
        const documents = await readDocuments(shipper.es, ns);
        expect(documents.size).to.equal(6);
        for (const [id, sequence] of [[cwId(70, 0), "11"], [cwId(70, 1), "11"], [cwId(73, 0), "14"]] as const) {
            expect((documents.get(id) as Doc)["aws"]["kinesis"]["sequence_number"], id).to.equal(sequence);
        }
        for (const id of [cwId(80, 0), cwId(80, 1)]) {
            expect((documents.get(id) as Doc)["aws"], id).to.deep.equal({ sqs: { queue: "app-logs", message_id: "q1" }, cloudwatch: { log_group: "/app/g80", log_stream: "s", owner: "123456789012", event_id: id } });
        }
        expect((documents.get(cwId(83, 0)) as Doc)["aws"]["sqs"]["message_id"]).to.equal("q4");
        expect((documents.get(cwId(83, 0)) as Doc)["aws"]["sns"]["message_id"]).to.equal("sns-1");
    });
});
