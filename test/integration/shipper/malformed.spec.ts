import { randomBytes } from "crypto";
import { gzipSync } from "zlib";

import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { expect } from "chai";

import { decodeDeadLetterBody, joinDeadLetterParts, loadDeadLetter, type DeadLetter } from "../../../functions/shipper/deadLetter";
import type { ShipperOutcome } from "../../../functions/shipper/handler";
import { baseConfig, cloudWatchEvent, cloudWatchPayload, context, cwId, drainQueue, kinesisEvent, namespace, readDocuments, sqsEvent, shipperSuite } from "./fixtures";

const gzip = (text: string | Buffer) => gzipSync(text);
/** Valid gzip, cut in the middle of its deflate stream. */
const truncatedGzip = () => gzip("x".repeat(2000) + randomBytes(2000).toString("hex")).subarray(0, 200);
/** Bytes that are not UTF-8 (a lone continuation byte, an overlong form). */
const notUtf8 = Buffer.from([0x6c, 0x6f, 0x67, 0x20, 0x80, 0xc0, 0xaf, 0xff]);

/**
 * Malformed input never crashes a batch: each case below has one documented outcome (docs/shipper.md,
 * "Malformed input"), asserted on the deployed closure against Elasticsearch and the dead-letter queue.
 */
describe("shipper on malformed input: each case has its documented outcome, the rest of the batch ships", function () {
    this.timeout(120_000);
    const shipper = shipperSuite();

    async function letters(dlq: string): Promise<Map<string, DeadLetter>> {
        const all = (await drainQueue(dlq)).map(decodeDeadLetterBody);
        const byId = new Map(all.map((letter) => [letter.id, letter]));
        expect(byId.size, "one letter per malformed input").to.equal(all.length);
        return byId;
    }

    it("CloudWatch Logs: bad base64, truncated gzip, invalid UTF-8, wrong shape, empty, oversize => one malformed dead letter each, invocation succeeds; CONTROL_MESSAGE acknowledged", async () => {
        const ns = namespace("m");
        const { handler, dlq } = await shipper.deploy(ns);
        const cases: { name: string; data: unknown; error: RegExp }[] = [
            { name: "bad-base64", data: "not base64 at all!", error: /^awslogs\.data is not valid base64$/ },
            { name: "truncated-gzip", data: truncatedGzip().toString("base64"), error: /^awslogs\.data is not a complete gzip stream/ },
            { name: "not-gzip", data: Buffer.from("plain text").toString("base64"), error: /^awslogs\.data is not a complete gzip stream/ },
            { name: "invalid-utf8", data: gzip(notUtf8).toString("base64"), error: /^awslogs\.data is not valid UTF-8$/ },
            { name: "not-json", data: gzip("{not json").toString("base64"), error: /^awslogs\.data is not JSON$/ },
            { name: "no-log-events", data: gzip(JSON.stringify({ messageType: "DATA_MESSAGE", logGroup: "/g", logStream: "s" })).toString("base64"), error: /lacks logGroup, logStream or the logEvents array/ },
            { name: "bad-event", data: gzip(cloudWatchPayload("/g", "s", [{ id: "", timestamp: 1, message: "m" }])).toString("base64"), error: /logEvents\[0\] lacks a string id/ },
            { name: "unknown-type", data: gzip(JSON.stringify({ messageType: "OTHER" })).toString("base64"), error: /has messageType "OTHER"/ },
            { name: "data-not-string", data: 42, error: /^awslogs\.data is not a string$/ },
            { name: "empty", data: "", error: /^awslogs\.data is empty$/ },
            { name: "oversize", data: gzip(Buffer.alloc(17 * 1024 * 1024, 0x20)).toString("base64"), error: /^awslogs\.data decompresses to more than 16777216 bytes$/ },
        ];
        for (const { name, data } of cases) {
            const answer = (await handler({ awslogs: { data } }, context(60_000, name))) as ShipperOutcome;
            expect(answer, name).to.include({ received: 1, deadLettered: 1, shipped: 0, failedForRetry: 0, invocationFailed: false });
        }
        const control = (await handler({ awslogs: { data: gzip(cloudWatchPayload("", "", [], "CONTROL_MESSAGE")).toString("base64") } }, context(60_000, "control"))) as ShipperOutcome;
        expect(control).to.include({ received: 0, deadLettered: 0, invocationFailed: false });
        const good = (await handler(cloudWatchEvent("/g", "s", [{ id: cwId(7, 0), timestamp: 1_700_000_000_000, message: "fine" }]), context())) as ShipperOutcome;
        expect(good).to.include({ received: 1, shipped: 1 });

        const byId = await letters(dlq);
        expect([...byId.keys()].sort()).to.deep.equal(cases.map(({ name }) => `cloudwatch-${name}`).sort());
        for (const { name, data, error } of cases) {
            const letter = byId.get(`cloudwatch-${name}`) as DeadLetter;
            expect(letter, name).to.include({ version: 1, source: "cloudwatch", reason: "malformed", recordId: "", rawEncoding: "utf8" });
            expect(letter.error, name).to.match(error);
            // the original, as received, so it can be fixed and replayed
            expect(letter.raw, name).to.equal(typeof data === "string" ? data : JSON.stringify(data));
        }
        expect([...(await readDocuments(shipper.es, ns)).keys()]).to.deep.equal([cwId(7, 0)]);
    });

    it("Kinesis: each malformed record is dead-lettered whole (data as base64); the others ship; no batch item failure", async () => {
        const ns = namespace("m");
        const { handler, dlq } = await shipper.deploy(ns);
        const aggregatedGarbage = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), randomBytes(40)]);
        const records = [
            { sequenceNumber: "1", data: Buffer.from("good line") },
            { sequenceNumber: "2", data: truncatedGzip(), error: /^kinesis record 2 is not a complete gzip stream/ },
            { sequenceNumber: "3", data: notUtf8, error: /^kinesis record 3 is not valid UTF-8$/ },
            { sequenceNumber: "4", data: Buffer.alloc(0), error: /^kinesis\.data is empty$/ },
            { sequenceNumber: "5", data: Buffer.from(" \n\t\n"), error: /^kinesis record 5 is empty \(or only whitespace\)$/ },
            { sequenceNumber: "6", data: aggregatedGarbage, error: /^KPL-aggregated record could not be de-aggregated/ },
            { sequenceNumber: "7", data: gzip(Buffer.alloc(17 * 1024 * 1024, 0x20)), error: /^kinesis record 7 decompresses to more than 16777216 bytes$/ },
            { sequenceNumber: "8", data: gzip(JSON.stringify({ messageType: "DATA_MESSAGE" })), error: /^kinesis record 8 lacks logGroup, logStream or the logEvents array$/ },
            { sequenceNumber: "9", data: Buffer.from("another good line\nand a second") },
        ];
        const event = kinesisEvent(records);
        // wrong shape: a record whose data is not base64, and one without data at all
        const badBase64 = structuredClone(event.Records[0]);
        Object.assign(badBase64?.kinesis ?? {}, { sequenceNumber: "10", data: "%%%not-base64%%%" });
        const noData = structuredClone(event.Records[0]);
        Object.assign(noData?.kinesis ?? {}, { sequenceNumber: "11", data: undefined });
        if (badBase64) event.Records.push(badBase64);
        if (noData) event.Records.push(noData);

        const answer = await handler(event, context());
        expect(answer).to.deep.equal({ batchItemFailures: [] });
        const byId = await letters(dlq);
        expect([...byId.keys()].sort()).to.deep.equal(["2", "3", "4", "5", "6", "7", "8", "10", "11"].sort());
        for (const record of records.filter((candidate) => candidate.error)) {
            const letter = byId.get(record.sequenceNumber) as DeadLetter;
            expect(letter, record.sequenceNumber).to.include({ source: "kinesis", reason: "malformed", recordId: record.sequenceNumber, rawEncoding: "base64" });
            expect(letter.error, record.sequenceNumber).to.match(record.error as RegExp);
            expect(Buffer.from(letter.raw as string, "base64").equals(record.data), `${record.sequenceNumber} keeps the original bytes`).to.equal(true);
        }
        expect(byId.get("10")).to.include({ error: "kinesis.data is not valid base64", raw: "%%%not-base64%%%" });
        expect(byId.get("11")?.error).to.equal("Kinesis record lacks kinesis.data or kinesis.sequenceNumber");
        expect([...(await readDocuments(shipper.es, ns)).keys()].sort()).to.deep.equal(["1-0-0", "9-0-0", "9-0-1"]);
    });

    it("SQS: empty, bad base64 gzip, raw binary gzip, truncated gzip, invalid payload, empty SNS message, no body => dead letter each; the others ship", async () => {
        const ns = namespace("m");
        const { handler, dlq } = await shipper.deploy(ns);
        const sns = (message: string) => JSON.stringify({ Type: "Notification", MessageId: "sns-x", TopicArn: "arn:aws:sns:eu-west-1:123456789012:t", Message: message });
        const messages = [
            { messageId: "ok", body: "fine\nalso fine" },
            { messageId: "empty", body: "", error: /^SQS message empty is empty \(or only whitespace\)$/ },
            { messageId: "blank", body: "  \n  ", error: /^SQS message blank is empty \(or only whitespace\)$/ },
            { messageId: "b64", body: "H4sI%%%%", error: /^SQS message b64 is not valid base64$/ },
            { messageId: "binary", body: gzip("x").toString("latin1"), error: /^SQS message binary is raw binary gzip \(send it base64-encoded\)$/ },
            { messageId: "truncated", body: truncatedGzip().toString("base64"), error: /^SQS message truncated is not a complete gzip stream/ },
            { messageId: "cw-shape", body: JSON.stringify({ messageType: "DATA_MESSAGE", logEvents: [] }), error: /^SQS message cw-shape lacks logGroup, logStream or the logEvents array$/ },
            { messageId: "sns-empty", body: sns(""), error: /^SNS message in SQS message sns-empty is empty/ },
        ];
        const event = sqsEvent(messages);
        const noBody = structuredClone(event.Records[0]);
        if (noBody) {
            Object.assign(noBody, { messageId: "nobody", body: undefined });
            event.Records.push(noBody);
        }
        const answer = await handler(event, context());
        expect(answer).to.deep.equal({ batchItemFailures: [] });
        const byId = await letters(dlq);
        expect([...byId.keys()].sort()).to.deep.equal(["empty", "blank", "b64", "binary", "truncated", "cw-shape", "sns-empty", "nobody"].sort());
        for (const message of messages.filter((candidate) => candidate.error)) {
            const letter = byId.get(message.messageId) as DeadLetter;
            expect(letter, message.messageId).to.include({ source: "sqs", reason: "malformed", recordId: message.messageId, rawEncoding: "utf8", raw: message.body });
            expect(letter.error, message.messageId).to.match(message.error as RegExp);
        }
        expect(byId.get("nobody")?.error).to.equal("SQS record lacks a string body");
        expect([...(await readDocuments(shipper.es, ns)).keys()].sort()).to.deep.equal(["ok-0", "ok-1"]);
    });

    it("an event of no known shape, or of another source than the function's, fails the invocation (InputError): Lambda retries it, then its failure destination keeps it", async () => {
        const ns = namespace("m");
        const { handler } = await shipper.deploy(ns);
        for (const event of [{}, { Records: [] }, { Records: [{ eventSource: "aws:s3" }] }, null, "text"]) {
            let thrown: unknown;
            await handler(event, context()).catch((error: unknown) => (thrown = error));
            expect((thrown as Error | undefined)?.name, JSON.stringify(event)).to.equal("InputError");
        }
        const sqsOnly = await shipper.deploy(ns, { source: "sqs" });
        let thrown: unknown;
        await sqsOnly.handler(kinesisEvent([{ sequenceNumber: "1", data: Buffer.from("x") }]), context()).catch((error: unknown) => (thrown = error));
        expect((thrown as Error | undefined)?.message).to.match(/deployed for sqs events but received a kinesis event/);
    });

    it("a document over bulkMaxBytes is dead-lettered with the document: compressed, split into parts that fit SQS, or offloaded to S3 when a bucket is set", async () => {
        const ns = namespace("m");
        // 600 KB of incompressible text in one line: larger than an SQS message even gzip+base64.
        const huge = randomBytes(450 * 1024).toString("base64");
        const delivery = { ...baseConfig(shipper.es, ns).delivery, bulkMaxBytes: 256 * 1024 };
        const split = await shipper.deploy(ns, { delivery });
        expect(await split.handler(kinesisEvent([{ sequenceNumber: "1", data: Buffer.from(huge) }, { sequenceNumber: "2", data: Buffer.from("small") }]), context())).to.deep.equal({ batchItemFailures: [] });
        const parts = (await drainQueue(split.dlq)).map(decodeDeadLetterBody);
        expect(parts.length).to.be.greaterThan(1);
        expect(parts.every((part) => part.part !== undefined && part.id === "1-0-0")).to.equal(true);
        const joined = joinDeadLetterParts(parts);
        expect(joined.incomplete).to.deep.equal([]);
        expect(joined.letters).to.have.length(1);
        expect(joined.letters[0]).to.include({ reason: "rejected", id: "1-0-0", recordId: "1", index: `logs-aws.kinesis-${ns}` });
        expect(joined.letters[0]?.error).to.match(/exceeds the bulk request limit of 262144 bytes/);
        expect((JSON.parse(joined.letters[0]?.documentJson ?? "") as Record<string, unknown>)["message"]).to.equal(huge);

        const bucket = `dead-letters-${ns}`;
        const s3 = new S3Client({});
        await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
        const offload = await shipper.deploy(ns, { delivery, deadLetterBucket: bucket });
        expect(await offload.handler(kinesisEvent([{ sequenceNumber: "3", data: Buffer.from(huge) }]), context())).to.deep.equal({ batchItemFailures: [] });
        const references = (await drainQueue(offload.dlq)).map(decodeDeadLetterBody);
        expect(references).to.have.length(1);
        expect(references[0]?.offloaded?.bucket).to.equal(bucket);
        const loaded = await loadDeadLetter(references[0], s3);
        s3.destroy();
        expect(loaded).to.include({ reason: "rejected", id: "3-0-0" });
        expect((JSON.parse(loaded.documentJson ?? "") as Record<string, unknown>)["message"]).to.equal(huge);
        expect([...(await readDocuments(shipper.es, ns)).keys()]).to.deep.equal(["2-0-0"]);
    });
});
