import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { gzipSync } from "zlib";
import { expect } from "chai";

import type { ReplaySummary } from "../../../cli/shipper/replayRun";
import { decodeDeadLetterBody, type DeadLetter } from "../../../functions/shipper/deadLetter";
import { stackReplayMaxDataAgeMs } from "../../../cli/replay";
import { DEFAULT_REPLAY_MAX_DATA_AGE_MS } from "../../../functions/shipper/replay";
import { installIndexTemplate } from "../../../functions/shipper/template";
import { runCommand } from "../cli/commands";
import { baseConfig, cloudWatchEvent, context, cwId, drainQueue, kinesisEvent, namespace, readDocuments, shipperSuite, sqsEvent } from "./fixtures";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Text of the refused messages: it must never appear in the command's output (ids only). */
const MARKER = "replay-expiry-body-marker";

/**
 * Data protection (the 7-day rule, counted end to end): a replay re-creates data in Elasticsearch, so a dead letter
 * whose data entered the platform longer ago than the limit is never shipped again. Letters are written by the
 * deployed closure (their `originAt`: SQS SentTimestamp, Kinesis approximateArrivalTimestamp, a CloudWatch Logs
 * event's own time, when an undecodable CloudWatch Logs payload was received); `npm run replay` runs as a child
 * process against moto and the Elasticsearch node.
 */
describe("dead letters too old to replay: originAt on every letter, `npm run replay` expires and deletes them, ships the fresh ones (closure, CLI, moto, real Elasticsearch)", function () {
    this.timeout(240_000);
    const shipper = shipperSuite();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "replay-expiry-"));
    const envFile = path.join(dir, "services.env");

    before(() => {
        // What `npm run services -- up` would record, pointing at this run's services (the command reads it as an operator's shell would).
        const caFile = path.join(dir, "ca.pem");
        fs.writeFileSync(caFile, shipper.es.caCertificate);
        const settings = {
            AWS_ENDPOINT_URL: process.env["AWS_ENDPOINT_URL"] ?? "",
            AWS_REGION: process.env["AWS_REGION"] ?? "",
            ELASTICSEARCH_URL: shipper.es.endpoint,
            ELASTICSEARCH_USERNAME: shipper.es.username,
            ELASTICSEARCH_PASSWORD: shipper.es.password,
            ELASTICSEARCH_CA_FILE: caFile,
        };
        fs.writeFileSync(envFile, Object.entries(settings).map(([key, value]) => `${key}=${value}`).join("\n") + "\n", { mode: 0o600 });
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** A template that maps `message` as a number for the namespace's data streams: text messages are refused (400), i.e. dead-lettered. */
    async function refuseText(ns: string): Promise<void> {
        const client = shipper.es.client();
        const patterns = ["sqs", "kinesis", "cloudwatch_logs"].map((dataset) => `logs-aws.${dataset}-${ns}`);
        await client.indices.putIndexTemplate({ name: `refuse-${ns}`, index_patterns: patterns, data_stream: {}, priority: 500, template: { mappings: { properties: { message: { type: "long" } } } } });
        await client.close();
    }

    it("every new letter records when its data entered the platform (originAt), per source", async () => {
        const ns = namespace("x");
        await refuseText(ns);
        const { handler, dlq } = await shipper.deploy(ns, { elasticsearch: { ...baseConfig(shipper.es, ns).elasticsearch, installIndexTemplate: false } });
        const sent = Date.now() - 5 * HOUR;
        const arrival = Date.now() - 3 * HOUR;
        const logged = Date.now() - 2 * DAY;
        await handler(sqsEvent([{ messageId: "sqs", body: `${MARKER} sqs`, sent }, { messageId: "sqs-bad", body: "", sent }]), context());
        await handler(kinesisEvent([{ sequenceNumber: "77", data: Buffer.from(`${MARKER} kinesis`), arrival: arrival / 1000 }]), context());
        // A CloudWatch Logs payload inside a Kinesis record: the log event's own time, earlier than the record's arrival.
        const wrapped = gzipSync(JSON.stringify({ messageType: "DATA_MESSAGE", owner: "1", logGroup: "/g", logStream: "s", logEvents: [{ id: cwId(91, 0), timestamp: logged, message: `${MARKER} wrapped` }] }));
        await handler(kinesisEvent([{ sequenceNumber: "78", data: wrapped, arrival: arrival / 1000 }]), context());
        await handler(cloudWatchEvent("/app/x", "s", [{ id: cwId(90, 0), timestamp: logged, message: `${MARKER} cloudwatch` }]), context());
        const received = Date.now();
        await handler({ awslogs: { data: "not base64!" } }, context(60_000, "undecodable"));
        const letters = new Map((await drainQueue(dlq)).map((body) => decodeDeadLetterBody(body)).map((letter) => [letter.id, letter] as [string, DeadLetter]));
        expect([...letters.keys()].sort()).to.deep.equal(["77-0-0", cwId(90, 0), cwId(91, 0), "cloudwatch-undecodable", "sqs-0", "sqs-bad"].sort());
        const originAt = (id: string) => Date.parse(letters.get(id)?.originAt ?? "");
        expect(originAt("sqs-0"), "SQS: SentTimestamp").to.equal(sent);
        expect(originAt("sqs-bad"), "a malformed SQS message: SentTimestamp").to.equal(sent);
        expect(originAt("77-0-0"), "Kinesis: approximateArrivalTimestamp").to.equal(arrival);
        expect(originAt(cwId(90, 0)), "CloudWatch Logs: the event's own time").to.equal(logged);
        expect(originAt(cwId(91, 0)), "CloudWatch Logs in Kinesis: the event's own time").to.equal(logged);
        expect(originAt("cloudwatch-undecodable"), "an undecodable CloudWatch Logs payload: when it was received").to.be.within(received - 1_000, Date.now() + 1_000);
    });

    it("--dry-run lists the expired letters by id and deletes nothing; the run deletes them unshipped, ships the fresh one; a letter without originAt counts from `at`", async () => {
        const ns = namespace("x");
        await refuseText(ns);
        const { handler, dlq } = await shipper.deploy(ns, { elasticsearch: { ...baseConfig(shipper.es, ns).elasticsearch, installIndexTemplate: false } });
        const now = Date.now();
        const answer = await handler(
            sqsEvent([
                { messageId: "old", body: `${MARKER} old`, sent: now - 5 * DAY },
                { messageId: "fresh", body: `${MARKER} fresh`, sent: now - HOUR },
            ]),
            context(),
        );
        expect(answer).to.deep.equal({ batchItemFailures: [] });
        // A letter written before originAt existed: its age counts from `at`.
        const legacy: DeadLetter = { version: 1, source: "sqs", reason: "rejected", error: "HTTP 400 document_parsing_exception", id: "legacy-0", recordId: "legacy", at: new Date(now - 5 * DAY).toISOString(), index: `logs-aws.sqs-${ns}`, document: { "@timestamp": new Date(now - 5 * DAY).toISOString(), message: `${MARKER} legacy` } };
        const sqs = new SQSClient({});
        await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: JSON.stringify(legacy) }));
        const visible = async () => Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["ApproximateNumberOfMessages"] }))).Attributes?.["ApproximateNumberOfMessages"]);
        expect(await visible()).to.equal(3);

        // The fix: the refusing template drops below the shipper's own (a template in use cannot be deleted), which the
        // data stream's next backing index then takes.
        const client = shipper.es.client();
        const patterns = ["sqs", "kinesis", "cloudwatch_logs"].map((dataset) => `logs-aws.${dataset}-${ns}`);
        await client.indices.putIndexTemplate({ name: `refuse-${ns}`, index_patterns: patterns, data_stream: {}, priority: 100, template: { mappings: { properties: { message: { type: "long" } } } } });
        const config = baseConfig(shipper.es, ns);
        config.elasticsearch.credentials = { username: shipper.es.username, password: shipper.es.password };
        await installIndexTemplate(config, ns, { dataRetention: "3d" });
        await client.transport.request({ method: "POST", path: `/logs-aws.sqs-${ns}/_rollover` });
        await client.close();

        const dry = await runCommand("replay", ["--queue", dlq, "--dry-run", "--json"], envFile);
        expect(dry.code, dry.stderr).to.equal(0);
        const drySummary = JSON.parse(dry.stdout) as ReplaySummary;
        expect(drySummary).to.include({ dryRun: true, messages: 3, expired: 2, deleted: 0, kept: 3 });
        expect([...drySummary.expiredIds].sort()).to.deep.equal(["legacy-0", "old-0"]);
        expect(await visible(), "a dry run deletes nothing").to.equal(3);
        const human = await runCommand("replay", ["--queue", dlq, "--dry-run"], envFile);
        expect(human.code, human.stderr).to.equal(0);
        expect(human.stdout).to.match(/too old \(would be deleted\)\s+2/);
        expect(human.stdout).to.include("old-0").and.include("legacy-0");
        expect(`${human.stdout}${human.stderr}${dry.stdout}${dry.stderr}`, "ids only, never content").to.not.include(MARKER);

        const run = await runCommand("replay", ["--queue", dlq, "--json"], envFile);
        expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
        const summary = JSON.parse(run.stdout) as ReplaySummary;
        expect(summary).to.include({ dryRun: false, messages: 3, shipped: 1, expired: 2, deleted: 3, kept: 0 });
        expect([...summary.expiredIds].sort()).to.deep.equal(["legacy-0", "old-0"]);
        expect(`${run.stdout}${run.stderr}`).to.not.include(MARKER);
        expect(await visible(), "the expired letters are deleted too").to.equal(0);
        const documents = await readDocuments(shipper.es, ns);
        expect(documents.has("fresh-0"), "the fresh letter is shipped").to.equal(true);
        expect(documents.has("old-0"), "the expired letter is never shipped").to.equal(false);
        expect(documents.has("legacy-0")).to.equal(false);
        sqs.destroy();
    });

    it("--max-data-age takes hours or days (default 71 h: 7 days minus Elasticsearch's worst case at 3d), --stack the stack plan's; anything else exits 2 naming the flag", async () => {
        // 168 h - (1 d rollover + 3 d + two 5-minute lifecycle runs) = 71 h 50 min, in whole hours.
        expect(DEFAULT_REPLAY_MAX_DATA_AGE_MS).to.equal(71 * HOUR);
        // prod keeps 3d in Elasticsearch (71 h); dev 1d: 168 h - (1 d + 1 d + 10 min) = 119 h 50 min.
        expect(stackReplayMaxDataAgeMs("prod")).to.equal(71 * HOUR);
        expect(stackReplayMaxDataAgeMs("dev")).to.equal(119 * HOUR);
        const bad = await runCommand("replay", ["--queue", "http://127.0.0.1:1/123456789012/q", "--max-data-age", "4x"], envFile);
        expect(bad.code).to.equal(2);
        expect(bad.stderr).to.match(/--max-data-age: expected a duration in hours or days like 96h or 4d, got 4x/);
        const both = await runCommand("replay", ["--queue", "http://127.0.0.1:1/123456789012/q", "--max-data-age", "3d", "--stack", "prod"], envFile);
        expect(both.code).to.equal(2);
        expect(both.stderr).to.include("--stack and --max-data-age both set the data-age limit");
        const missing = await runCommand("replay", ["--queue", "http://127.0.0.1:1/123456789012/q", "--stack", "nope"], envFile);
        expect(missing.code).to.equal(2);
        expect(missing.stderr).to.match(/--stack nope: .*Pulumi\.nope\.yaml not found/);
    });
});
