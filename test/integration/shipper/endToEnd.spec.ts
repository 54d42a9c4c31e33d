import { expect } from "chai";
import { gzipSync } from "zlib";

import type { ShipperOutcome } from "../../../functions/shipper/handler";
import { decodeDeadLetterBody } from "../../../functions/shipper/deadLetter";
import { baseConfig, cloudWatchEvent, context, cwId, drainQueue, kinesisEvent, namespace, readDocuments, sqsEvent, kplAggregate, text, type Doc, shipperSuite } from "./fixtures";

describe("shipper end to end (serialized closure, real Elasticsearch + moto)", function () {
    this.timeout(120_000);
    const shipper = shipperSuite();

    it("ships CloudWatch Logs events with their own time, ids, ECS fields and expanded JSON", async () => {
        const ns = namespace();
        const { handler, dlq } = await shipper.deploy(ns);
        const events = [
            { id: cwId(1, 0), timestamp: Date.UTC(2024, 0, 2, 3, 4, 5, 678), message: "plain line with ünïcode" },
            { id: cwId(1, 1), timestamp: Date.UTC(2024, 0, 2, 3, 4, 6, 0), message: '{"level":"error","http":{"status":503,"path":"/x"},"user":{"id":"u1"}}' },
        ];
        const before = Date.now();
        const answer = (await handler(cloudWatchEvent("/app/api", "stream-1", events), context())) as ShipperOutcome;
        expect(answer).to.include({ source: "cloudwatch", received: 2, shipped: 2, alreadyPresent: 0, deadLettered: 0, failedForRetry: 0, filtered: 0, invocationFailed: false });
        const documents = await readDocuments(shipper.es, ns);
        expect([...documents.keys()].sort()).to.deep.equal([cwId(1, 0), cwId(1, 1)]);
        const first = documents.get(cwId(1, 0)) as Doc;
        expect(first["_index"]).to.match(new RegExp(`^\\.ds-logs-aws\\.cloudwatch_logs-${ns}-`));
        expect(first["@timestamp"]).to.equal("2024-01-02T03:04:05.678Z");
        expect(first["message"]).to.equal("plain line with ünïcode");
        expect(first["event"]["id"]).to.equal(cwId(1, 0));
        expect(Date.parse(text(first["event"]["ingested"]))).to.be.within(before - 1000, Date.now() + 1000);
        expect(first["cloud"]).to.deep.equal({ provider: "aws", region: "eu-west-1", account: { id: "123456789012" } });
        expect(first["aws"]).to.deep.equal({ cloudwatch: { log_group: "/app/api", log_stream: "stream-1", owner: "123456789012", event_id: cwId(1, 0) } });
        expect(first["data_stream"]).to.deep.equal({ type: "logs", dataset: "aws.cloudwatch_logs", namespace: ns });
        expect(first["json"]).to.equal(undefined);
        const second = documents.get(cwId(1, 1)) as Doc;
        expect(second["message"]).to.equal(events[1]?.message);
        expect(second["json"]).to.deep.equal({ level: "error", http: { status: 503, path: "/x" }, user: { id: "u1" } });
        // the flattened field is searchable by key
        const client = shipper.es.client();
        const hits = await client.search({ index: `logs-*-${ns}`, query: { term: { "json.http.status": "503" } } });
        await client.close();
        expect(hits.hits.hits.map((hit) => hit._id)).to.deep.equal([cwId(1, 1)]);
        expect(await drainQueue(dlq)).to.deep.equal([]);
        // the same event again: already present, nothing duplicated
        const again = (await handler(cloudWatchEvent("/app/api", "stream-1", events), context())) as ShipperOutcome;
        expect(again).to.include({ received: 2, shipped: 0, alreadyPresent: 2 });
        expect((await readDocuments(shipper.es, ns)).size).to.equal(2);
    });

    it("ships Kinesis raw text, JSON, CloudWatch payloads and KPL-aggregated records", async () => {
        const ns = namespace();
        const { handler } = await shipper.deploy(ns);
        const aggregated = await kplAggregate([
            { partitionKey: "a", data: Buffer.from("agg one") },
            { partitionKey: "b", data: Buffer.from('{"k":"v"}') },
        ]);
        const cwPayload = gzipSync(JSON.stringify({ messageType: "DATA_MESSAGE", owner: "123456789012", logGroup: "/k/g", logStream: "s", logEvents: [{ id: cwId(2, 0), timestamp: 1_700_000_001_000, message: "from cw" }] }));
        const answer = (await handler(
            kinesisEvent([
                { data: Buffer.from("line a\nline b\n"), sequenceNumber: "100", arrival: 1_700_000_000.5 },
                { data: Buffer.from('{"a":{"b":1}}'), sequenceNumber: "101", partitionKey: "p2" },
                { data: cwPayload, sequenceNumber: "102" },
                { data: aggregated, sequenceNumber: "103" },
            ]),
            context(),
        )) as { batchItemFailures: unknown[] };
        expect(answer).to.deep.equal({ batchItemFailures: [] });
        const documents = await readDocuments(shipper.es, ns);
        expect([...documents.keys()].sort()).to.deep.equal(["100-0-0", "100-0-1", "101-0-0", "103-0-0", "103-1-0", cwId(2, 0)].sort());
        const line = documents.get("100-0-1") as Doc;
        expect(line["message"]).to.equal("line b");
        expect(line["@timestamp"]).to.equal("2023-11-14T22:13:20.500Z");
        expect(line["aws"]).to.deep.equal({ kinesis: { stream: "app-logs", shard_id: "shardId-000000000000", partition_key: "pk", sequence_number: "100" } });
        expect(line["data_stream"]["dataset"]).to.equal("aws.kinesis");
        expect((documents.get("101-0-0") as Doc)["json"]).to.deep.equal({ a: { b: 1 } });
        const fromCw = documents.get(cwId(2, 0)) as Doc;
        expect(fromCw["aws"]["cloudwatch"]).to.deep.equal({ log_group: "/k/g", log_stream: "s", owner: "123456789012", event_id: cwId(2, 0) });
        expect(fromCw["aws"]["kinesis"]["sequence_number"]).to.equal("102");
        expect(fromCw["@timestamp"]).to.equal(new Date(1_700_000_001_000).toISOString());
        const sub = documents.get("103-1-0") as Doc;
        expect(sub["message"]).to.equal('{"k":"v"}');
        expect(sub["aws"]["kinesis"]).to.deep.include({ partition_key: "b", sub_sequence_number: 1, sequence_number: "103" });
    });

    it("ships SQS plain text per line, JSON whole, SNS-wrapped and CloudWatch payloads; filters count", async () => {
        const ns = namespace();
        const { handler } = await shipper.deploy(ns, { filters: { sqs: { exclude: "^DEBUG" } } });
        const sns = JSON.stringify({ Type: "Notification", MessageId: "sns-1", TopicArn: "arn:aws:sns:eu-west-1:123456789012:t", Message: "from sns", Timestamp: "2024-01-01T00:00:00.000Z" });
        const cw = JSON.stringify({ messageType: "DATA_MESSAGE", owner: "123456789012", logGroup: "/q/g", logStream: "s", logEvents: [{ id: cwId(3, 0), timestamp: 1_700_000_002_000, message: "cw via sqs" }] });
        const answer = (await handler(
            sqsEvent([
                { messageId: "m1", body: "first\r\n\nDEBUG noisy\nthird", sent: 1_700_000_000_000 },
                { messageId: "m2", body: '{\n  "multi": "line json"\n}' },
                { messageId: "m3", body: sns },
                { messageId: "m4", body: cw },
            ]),
            context(),
        )) as { batchItemFailures: unknown[] };
        expect(answer).to.deep.equal({ batchItemFailures: [] });
        const documents = await readDocuments(shipper.es, ns);
        expect([...documents.keys()].sort()).to.deep.equal(["m1-0", "m1-3", "m2-0", "m3-0", cwId(3, 0)].sort());
        const m1 = documents.get("m1-0") as Doc;
        expect(m1["message"]).to.equal("first");
        expect(m1["@timestamp"]).to.equal(new Date(1_700_000_000_000).toISOString());
        expect(m1["aws"]).to.deep.equal({ sqs: { queue: "app-logs", message_id: "m1" } });
        expect((documents.get("m2-0") as Doc)["json"]).to.deep.equal({ multi: "line json" });
        expect((documents.get("m2-0") as Doc)["message"]).to.equal('{\n  "multi": "line json"\n}');
        expect((documents.get("m3-0") as Doc)["aws"]).to.deep.equal({ sqs: { queue: "app-logs", message_id: "m3" }, sns: { topic_arn: "arn:aws:sns:eu-west-1:123456789012:t", message_id: "sns-1" } });
        expect((documents.get(cwId(3, 0)) as Doc)["aws"]["sqs"]).to.deep.equal({ queue: "app-logs", message_id: "m4" });
    });

    it("dead-letters a document Elasticsearch rejects (mapping conflict) with the document and the error", async () => {
        const ns = namespace();
        // A template someone else installed maps message as a number: text messages are refused with a 400.
        const client = shipper.es.client();
        await client.indices.putIndexTemplate({ name: `conflict-${ns}`, index_patterns: [`logs-aws.sqs-${ns}`], data_stream: {}, priority: 500, template: { mappings: { properties: { message: { type: "long" } } } } });
        await client.close();
        const { handler, dlq } = await shipper.deploy(ns, { elasticsearch: { ...baseConfig(shipper.es, ns).elasticsearch, installIndexTemplate: false } });
        const answer = (await handler(sqsEvent([{ messageId: "text", body: "not a number" }, { messageId: "num", body: "42" }]), context())) as { batchItemFailures: unknown[] };
        expect(answer).to.deep.equal({ batchItemFailures: [] });
        const letters = (await drainQueue(dlq)).map(decodeDeadLetterBody);
        expect(letters).to.have.length(1);
        const letter = letters[0];
        expect(letter).to.include({ version: 1, source: "sqs", reason: "rejected", id: "text-0", recordId: "text", index: `logs-aws.sqs-${ns}` });
        expect(letter.error).to.match(/^HTTP 400 document_parsing_exception|^HTTP 400 mapper_parsing_exception/);
        expect((JSON.parse(letter.documentJson ?? "") as Record<string, unknown>)["message"], "the document as sent, as its JSON text").to.equal("not a number");
        const documents = await readDocuments(shipper.es, ns);
        expect([...documents.keys()]).to.deep.equal(["num-0"]);
    });
});
