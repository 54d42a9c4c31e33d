import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Client } from "@elastic/elasticsearch";
import { expect } from "chai";

import type { ShipReport } from "../../../cli/shipper/shipReport";
import type { ReplaySummary } from "../../../cli/shipper/replayRun";
import { readServicesEnv, type ServicesEnv } from "../../../cli/shared/servicesEnv";
import { decodeDeadLetterBody } from "../../../functions/shipper/deadLetter";
import { freePort, groupAlive, stopProcessGroup } from "../../harness/services/process";
import { parseJsonOutput, processesMentioning, processesWithEnvironment, runCommand, spawnCommand, type CommandResult } from "./commands";
import { EventFiles } from "./events";

/**
 * The operator commands as an operator runs them (flag errors that need no service: flagErrors.spec.ts): `npm run services -- up` starts the real moto and
 * Elasticsearch and writes services.env (here a file of the test's own, never the developer's
 * .cache/services.env); `ship` and `replay` run as child processes that read it; `down` stops everything.
 */
describe("operator commands: services up, ship, replay, services down (child processes, real services)", function () {
    this.timeout(180_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "operator-commands-"));
    const envFile = path.join(dir, "services.env");
    const files = new EventFiles(dir);
    let up: CommandResult;
    let env: ServicesEnv;
    let sqs: SQSClient;
    let secrets: SecretsManagerClient;
    let elasticsearch: Client;

    const run = (command: "services" | "ship" | "replay", args: string[], extraEnv: Record<string, string | undefined> = {}) => runCommand(command, args, envFile, extraEnv);

    before(async function () {
        this.timeout(300_000);
        up = await run("services", ["up"]);
        const recorded = readServicesEnv(envFile);
        if (up.code !== 0 || !recorded) throw new Error(`npm run services -- up failed (exit ${up.code}):\n${up.stdout}\n${up.stderr}`);
        env = recorded as ServicesEnv;
        const aws = { endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
        sqs = new SQSClient(aws);
        secrets = new SecretsManagerClient(aws);
        elasticsearch = new Client({
            node: env.ELASTICSEARCH_URL,
            auth: { username: env.ELASTICSEARCH_USERNAME, password: env.ELASTICSEARCH_PASSWORD },
            tls: { ca: fs.readFileSync(env.ELASTICSEARCH_CA_FILE, "utf8"), rejectUnauthorized: true },
        });
    });

    after(async function () {
        this.timeout(60_000);
        sqs?.destroy();
        secrets?.destroy();
        await elasticsearch?.close();
        // A failed test must not leave the services running: stop whatever the env file still records.
        const recorded = readServicesEnv(envFile);
        for (const pid of [recorded?.MOTO_PID, recorded?.ELASTICSEARCH_PID]) {
            if (pid && /^\d+$/.test(pid)) await stopProcessGroup(Number(pid));
        }
        for (const runDir of [recorded?.MOTO_RUN_DIR, recorded?.ELASTICSEARCH_RUN_DIR]) {
            if (runDir && /\/(moto|es-test)-[^/]+$/.test(runDir)) fs.rmSync(runDir, { recursive: true, force: true });
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function documents(namespace: string): Promise<Map<string, Record<string, unknown>>> {
        await elasticsearch.indices.refresh({ index: `logs-*-${namespace}`, ignore_unavailable: true, allow_no_indices: true });
        const answer = await elasticsearch.search<Record<string, unknown>>({ index: `logs-*-${namespace}`, size: 1000, ignore_unavailable: true, allow_no_indices: true });
        return new Map(answer.hits.hits.map((hit) => [hit._id as string, hit._source as Record<string, unknown>]));
    }

    async function queueCounts(url: string): Promise<{ visible: number; held: number }> {
        const answer = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
        return { visible: Number(answer.Attributes?.["ApproximateNumberOfMessages"]), held: Number(answer.Attributes?.["ApproximateNumberOfMessagesNotVisible"]) };
    }

    /** Every body in the queue, read without hiding any (visibility 0). */
    async function queueBodies(url: string): Promise<string[]> {
        const bodies = new Map<string, string>();
        for (let round = 0; round < 5; round++) {
            const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
            for (const message of answer.Messages ?? []) bodies.set(message.MessageId as string, message.Body as string);
        }
        return [...bodies.values()];
    }

    describe("npm run services -- up", () => {
        it("starts moto and Elasticsearch on loopback, persistent, and writes their settings to an owner-only file", async () => {
            expect(up.stdout).to.match(/moto \S+ at http:\/\/127\.0\.0\.1:\d+/);
            expect(up.stdout).to.match(/Elasticsearch 8\.\S+ at https:\/\/127\.0\.0\.1:\d+/);
            expect(up.stdout).to.not.include(env.ELASTICSEARCH_PASSWORD);
            expect(fs.statSync(envFile).mode & 0o777).to.equal(0o600);
            expect(env.AWS_ENDPOINT_URL).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
            expect(env.ELASTICSEARCH_URL).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
            expect(env.ELASTICSEARCH_USERNAME).to.equal("elastic");
            expect(env.ELASTICSEARCH_PASSWORD).to.have.length.greaterThan(16);
            expect(fs.readFileSync(env.ELASTICSEARCH_CA_FILE, "utf8")).to.include("BEGIN CERTIFICATE");
            // They outlived the command that started them, and answer.
            expect(groupAlive(Number(env.MOTO_PID)) && groupAlive(Number(env.ELASTICSEARCH_PID))).to.equal(true);
            expect((await fetch(`${env.AWS_ENDPOINT_URL}/moto-api/`)).ok).to.equal(true);
            const health = await elasticsearch.cluster.health({ wait_for_status: "yellow", timeout: "10s" });
            expect(health.status).to.be.oneOf(["green", "yellow"]);
        });

        it("up again says they are running and starts nothing; status exits 0; a bad command exits 2", async () => {
            const before = fs.readFileSync(envFile, "utf8");
            const [again, status, bad] = await Promise.all([run("services", ["up"]), run("services", ["status"]), run("services", ["start"])]);
            expect(again.code).to.equal(0);
            expect(again.stdout).to.match(/^Already running \(moto at http:\/\/127\.0\.0\.1:\d+, Elasticsearch at https:\/\/127\.0\.0\.1:\d+\)/);
            expect(fs.readFileSync(envFile, "utf8")).to.equal(before);
            expect(status.code).to.equal(0);
            expect(status.stdout).to.include(`moto: running at ${env.AWS_ENDPOINT_URL}`).and.include(`Elasticsearch: running at ${env.ELASTICSEARCH_URL}`);
            expect(bad.code).to.equal(2);
            expect(bad.stderr).to.include('unknown command "start"').and.include("usage: npm run services -- up|down|status");
        });
    });

    describe("npm run ship", () => {
        const ns = `cli${Date.now().toString(36)}`;
        let results: Record<string, CommandResult>;
        let cloudWatchIds: string[];
        let secretArn: string;

        before(async function () {
            this.timeout(240_000);
            secretArn = (await secrets.send(new CreateSecretCommand({ Name: `es-${ns}`, SecretString: JSON.stringify({ username: env.ELASTICSEARCH_USERNAME, password: env.ELASTICSEARCH_PASSWORD }) }))).ARN as string;
            const cloudWatch = files.cloudWatch("cloudwatch", 7, 3);
            cloudWatchIds = cloudWatch.ids;
            const kinesis = files.kinesis("kinesis", [
                { sequenceNumber: "100", text: "line a\nline b\n" },
                { sequenceNumber: "101", text: '{"level":"warn","latency_ms":87}' },
            ]);
            const sqsFile = files.sqs("sqs", [
                { messageId: "m1", body: "queued line" },
                { messageId: "m2", body: '{"level":"info"}' },
            ]);
            const secretFile = files.sqs("sqs-secret", [{ messageId: "s1", body: "via the secret" }]);
            // Nothing listens there. Another endpoint takes none of services.env's Elasticsearch settings: give credentials too.
            const unreachable = { ELASTICSEARCH_URL: `https://127.0.0.1:${await freePort()}`, ELASTICSEARCH_USERNAME: "elastic", ELASTICSEARCH_PASSWORD: "unused" };
            const notJson = files.writeText("truncated.json", '{"Records": [');
            const wrongShape = files.write("s3-event", { Records: [{ eventSource: "aws:s3", s3: {} }] });
            // Independent commands run side by side (each is a Node process of its own).
            const started = {
                cloudwatch: run("ship", ["--event", cloudWatch.file, "--json", "--namespace", ns, "--install-template"]),
                kinesis: run("ship", ["--event", kinesis, "--json", "--namespace", ns, "--install-template"]),
                sqsText: run("ship", ["--event", sqsFile, "--namespace", ns, "--install-template"]),
                secret: run("ship", ["--event", secretFile, "--json", "--namespace", `${ns}s`, "--secret-arn", secretArn], { ELASTICSEARCH_PASSWORD: "wrong-on-purpose" }),
                cloudwatchDown: run("ship", ["--event", files.cloudWatch("cloudwatch-down", 8, 2).file, "--json", "--namespace", `${ns}x`], unreachable),
                sqsDown: run("ship", ["--event", sqsFile, "--json", "--namespace", `${ns}x`], unreachable),
                missingFile: run("ship", ["--event", path.join(dir, "missing.json"), "--namespace", `${ns}bad`]),
                notJson: run("ship", ["--event", notJson, "--namespace", `${ns}bad`]),
                wrongShape: run("ship", ["--event", wrongShape, "--namespace", `${ns}bad`]),
                noSuchSecret: run("ship", ["--event", sqsFile, "--namespace", `${ns}bad`, "--secret-arn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nope-AbCdEf"]),
            };
            results = Object.fromEntries(await Promise.all(Object.entries(started).map(async ([name, result]) => [name, await result] as const)));
        });

        it("ships a CloudWatch Logs subscription event: documents in Elasticsearch, counts in --json, exit 0", async () => {
            const result = results["cloudwatch"];
            expect(result.code, result.stderr).to.equal(0);
            const report = parseJsonOutput<ShipReport>(result);
            expect(report).to.deep.include({ source: "cloudwatch", records: 1, received: 3, shipped: 3, alreadyPresent: 0, deadLettered: 0, failedForRetry: 0, filtered: 0, batchItemFailures: [], invocationFailed: false, lambda: "succeeded" });
            const shipped = await documents(ns);
            for (const [index, id] of cloudWatchIds.entries()) {
                const document = shipped.get(id) as { message: string; "@timestamp": string; aws: { cloudwatch: { log_group: string } } };
                expect(document.message).to.equal(`request ${index} served`);
                expect(document["@timestamp"]).to.equal(new Date(Date.UTC(2024, 4, 1, 12, 0, index)).toISOString());
                expect(document.aws.cloudwatch.log_group).to.equal("/app/api");
            }
        });

        it("ships a Kinesis event (a multi-line record is one document per line)", async () => {
            const result = results["kinesis"];
            expect(result.code, result.stderr).to.equal(0);
            expect(parseJsonOutput<ShipReport>(result)).to.deep.include({ source: "kinesis", records: 2, received: 3, shipped: 3, batchItemFailures: [], lambda: "succeeded" });
            const shipped = await documents(ns);
            expect((shipped.get("100-0-1") as { message: string }).message).to.equal("line b");
            expect((shipped.get("101-0-0") as { json: unknown }).json).to.deep.equal({ level: "warn", latency_ms: 87 });
        });

        it("ships an SQS event and prints a readable summary; shipped again, the same events are already present", async () => {
            const result = results["sqsText"];
            expect(result.code, result.stderr).to.equal(0);
            expect(result.stdout).to.match(/: SQS event, 2 records\n/);
            expect(result.stdout).to.match(/ {2}events in +2\n {2}shipped +2\n {2}already present +0\n {2}dead-lettered +0\n {2}failed for retry +0\n {2}filtered out +0\n/);
            expect(result.stdout).to.include("batchItemFailures none").and.include("Lambda would count this invocation as succeeded");
            expect(result.stdout, "no message body in the output").to.not.include("queued line");
            const shipped = await documents(ns);
            expect(shipped.has("m1-0") && shipped.has("m2-0")).to.equal(true);
            const again = await run("ship", ["--event", path.join(dir, "sqs.json"), "--json", "--namespace", ns]);
            expect(again.code, again.stderr).to.equal(0);
            expect(parseJsonOutput<ShipReport>(again)).to.deep.include({ received: 2, shipped: 0, alreadyPresent: 2 });
            expect((await documents(ns)).size).to.equal(3 + 3 + 2);
        });

        it("--secret-arn reads the credentials from Secrets Manager (the variables' wrong password is not used)", async () => {
            const result = results["secret"];
            expect(result.code, result.stderr).to.equal(0);
            expect(parseJsonOutput<ShipReport>(result)).to.deep.include({ received: 1, shipped: 1 });
            expect([...(await documents(`${ns}s`)).keys()]).to.deep.equal(["s1-0"]);
        });

        it("Elasticsearch unreachable: CloudWatch Logs exits 1 (the invocation fails), SQS exits 3 with every record in batchItemFailures", () => {
            const cloudwatch = results["cloudwatchDown"];
            expect(cloudwatch.code).to.equal(1);
            expect(parseJsonOutput<ShipReport>(cloudwatch)).to.deep.include({ received: 2, shipped: 0, failedForRetry: 2, invocationFailed: true, lambda: "failed" });
            const queued = results["sqsDown"];
            expect(queued.code).to.equal(3);
            expect(parseJsonOutput<ShipReport>(queued)).to.deep.include({ received: 2, failedForRetry: 2, batchItemFailures: [{ itemIdentifier: "m1" }, { itemIdentifier: "m2" }], invocationFailed: false, lambda: "partial" });
            // The shipper's error log (stderr) says why, by count; never a message.
            expect(queued.stderr).to.include("documents failed for retry").and.not.include("queued line");
        });

        it("a bad event file or secret exits 2 with a message naming the input and the fix, and ships nothing", async () => {
            const cases: [string, RegExp][] = [
                ["missingFile", /^error: --event \S+missing\.json cannot be read \(ENOENT\): pass the path of a JSON file holding one captured Lambda event\n/],
                ["notJson", /^error: --event \S+truncated\.json is not valid JSON .*: the file must hold one Lambda event object, as captured\n/],
                ["wrongShape", /^error: --event \S+s3-event\.json is not an event the shipper accepts: expected a CloudWatch Logs subscription event .*Kinesis \/ SQS records/],
                ["noSuchSecret", /--secret-arn \S+nope-AbCdEf: Secrets Manager answered ResourceNotFoundException .*: check the ARN, the region and that your credentials may call secretsmanager:GetSecretValue/],
            ];
            for (const [name, message] of cases) {
                const result = results[name];
                expect(result.code, `${name}: ${result.stderr}`).to.equal(2);
                expect(result.stderr, name).to.match(message);
                expect(result.stdout, name).to.equal("");
            }
            expect((await documents(`${ns}bad`)).size).to.equal(0);
        });
    });

    describe("npm run replay", () => {
        const ns = `rp${Date.now().toString(36)}`;
        let dlq: string;

        /** A template someone else installed maps `message` as a number: text messages are refused (400) and dead-lettered. */
        async function breakMapping(dataset: string): Promise<void> {
            await elasticsearch.indices.putIndexTemplate({ name: `conflict-${dataset}-${ns}`, index_patterns: [`logs-${dataset}-${ns}`], data_stream: {}, priority: 500, template: { mappings: { properties: { message: { type: "long" } } } } });
        }

        /** The fix: remove the conflicting template and roll the data stream over onto the shipper's template. */
        async function fixMapping(dataset: string): Promise<void> {
            await elasticsearch.indices.deleteIndexTemplate({ name: `conflict-${dataset}-${ns}` });
            await elasticsearch.indices.rollover({ alias: `logs-${dataset}-${ns}` });
        }

        before(async function () {
            this.timeout(120_000);
            dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `shipper-dead-letters-${ns}` }))).QueueUrl as string;
            await Promise.all([breakMapping("aws.sqs"), breakMapping("aws.kinesis")]);
            const sqsFile = files.sqs("replay-sqs", [
                { messageId: "a", body: "text a" },
                { messageId: "b", body: "text b" },
                { messageId: "n", body: "7" },
            ]);
            const kinesisFile = files.kinesis("replay-kinesis", [{ sequenceNumber: "200", text: "text k" }]);
            const [fromSqs, fromKinesis] = await Promise.all([
                run("ship", ["--event", sqsFile, "--json", "--namespace", ns, "--install-template", "--dead-letter-queue", dlq]),
                run("ship", ["--event", kinesisFile, "--json", "--namespace", ns, "--install-template", "--dead-letter-queue", dlq]),
            ]);
            // ship dead-letters what Elasticsearch refuses, and says so.
            expect(fromSqs.code, fromSqs.stderr).to.equal(0);
            expect(parseJsonOutput<ShipReport>(fromSqs)).to.deep.include({ received: 3, shipped: 1, deadLettered: 2, failedForRetry: 0, batchItemFailures: [] });
            expect(fromKinesis.code, fromKinesis.stderr).to.equal(0);
            expect(parseJsonOutput<ShipReport>(fromKinesis)).to.deep.include({ received: 1, deadLettered: 1 });
            // Something that is not a shipper dead letter, in the same queue: replay must never delete it.
            await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: "someone else's message" }));
        });

        it("--dry-run reads and counts the letters, ships nothing and leaves every message visible in the queue", async () => {
            const result = await run("replay", ["--queue", dlq, "--dry-run", "--json"]);
            expect(result.code, result.stderr).to.equal(0);
            const summary = parseJsonOutput<ReplaySummary>(result);
            expect(summary).to.deep.include({ dryRun: true, messages: 4, letters: { "sqs/rejected": 2, "kinesis/rejected": 1 }, shipped: 0, unreadable: 1, deleted: 0, kept: 4, notGivenBack: 0 });
            expect(await queueCounts(dlq)).to.deep.equal({ visible: 4, held: 0 });
            expect([...(await documents(ns)).keys()]).to.deep.equal(["n-0"]);
        });

        it("after a fix, re-ships with progress and deletes exactly the letters now in Elasticsearch", async () => {
            await fixMapping("aws.sqs");
            const result = await run("replay", ["--queue", dlq]);
            expect(result.code, "letters stay in the queue: exit 1").to.equal(1);
            expect(result.stderr, `stderr:\n${result.stderr}\nstdout:\n${result.stdout}`).to.match(/replay: read 4\/~4 messages: 2 shipped, 0 already present, 0 expired, 2 deleted, 2 kept/);
            expect(result.stdout).to.match(/shipped +2\n {2}already present +0\n {2}rejected again +1\n {2}failed +0\n/);
            expect(result.stdout).to.match(/deleted +2\n {2}kept in queue +2/);
            expect(result.stdout).to.include("200-0-0: dead-letter-again (HTTP 400 ");
            expect(result.stdout, "no Elasticsearch reason (it quotes the document)").to.not.include("text k");
            const shipped = await documents(ns);
            expect([...shipped.keys()].sort()).to.deep.equal(["a-0", "b-0", "n-0"]);
            expect((shipped.get("a-0") as { message: string }).message).to.equal("text a");
            // Left in the queue, visible at once: the Kinesis letter (still refused) and the foreign message.
            expect(await queueCounts(dlq)).to.deep.equal({ visible: 2, held: 0 });
            const bodies = await queueBodies(dlq);
            expect(bodies).to.include("someone else's message");
            expect(bodies.filter((body) => body !== "someone else's message").map((body) => decodeDeadLetterBody(body).id)).to.deep.equal(["200-0-0"]);
        });

        it("after the last fix, ships the rest; a message that is not a shipper letter is never deleted", async () => {
            await fixMapping("aws.kinesis");
            const result = await run("replay", ["--queue", dlq, "--json"]);
            expect(result.code).to.equal(1);
            const summary = parseJsonOutput<ReplaySummary>(result);
            expect(summary).to.deep.include({ messages: 2, shipped: 1, alreadyPresent: 0, deadLetterAgain: 0, failed: 0, unreadable: 1, deleted: 1, kept: 1 });
            expect(summary.keptLetters).to.have.length(1);
            expect(summary.keptLetters[0]).to.include({ reason: "unreadable" });
            expect((await documents(ns)).has("200-0-0")).to.equal(true);
            expect(await queueBodies(dlq)).to.deep.equal(["someone else's message"]);
        });

    });

    describe("npm run services -- down", () => {
        it("stops both, removes their run directories and the env file, and leaves no process behind", async () => {
            const down = await run("services", ["down"]);
            expect(down.code, down.stderr).to.equal(0);
            expect(down.stdout).to.include("Stopped moto and Elasticsearch");
            expect(fs.existsSync(envFile)).to.equal(false);
            expect(fs.existsSync(env.ELASTICSEARCH_CA_FILE)).to.equal(false);
            expect(groupAlive(Number(env.MOTO_PID)) || groupAlive(Number(env.ELASTICSEARCH_PID))).to.equal(false);
            expect(processesMentioning(env.ELASTICSEARCH_RUN_DIR)).to.deep.equal([]);
            expect(processesMentioning(`-p ${new URL(env.AWS_ENDPOINT_URL).port}`)).to.deep.equal([]);
            expect(fs.existsSync(env.MOTO_RUN_DIR) || fs.existsSync(env.ELASTICSEARCH_RUN_DIR)).to.equal(false);
            const [status, again] = await Promise.all([run("services", ["status"]), run("services", ["down"])]);
            expect(status.code).to.equal(1);
            expect(status.stdout).to.include("Not running");
            expect(again.code).to.equal(0);
            expect(again.stdout).to.include("Not running");
        });

        it("an interrupted up (Ctrl-C while Elasticsearch starts) leaves no process, env file or lock behind", async () => {
            const otherEnvFile = path.join(dir, "interrupted", "services.env");
            const child = spawnCommand("services", ["up"], otherEnvFile);
            await new Promise<void>((resolve, reject) => {
                child.stdout.on("data", (chunk: Buffer) => (chunk.toString().includes("Starting moto and Elasticsearch") ? resolve() : undefined));
                child.on("close", () => reject(new Error("services up ended before starting")));
            });
            await new Promise((resolve) => setTimeout(resolve, 3000));
            const marker = `LOG_PLATFORM_SERVICES_ENV=${otherEnvFile}`;
            expect(processesWithEnvironment(marker), "the services were starting").to.have.length.greaterThan(1);
            const code = await new Promise<number | null>((resolve) => {
                child.on("close", resolve);
                child.kill("SIGINT");
            });
            expect(code).to.equal(130);
            // SIGKILLed process groups leave /proc once reaped: give that a moment.
            for (let waited = 0; processesWithEnvironment(marker).length > 0 && waited < 5000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
            expect(processesWithEnvironment(marker)).to.deep.equal([]);
            expect(fs.existsSync(otherEnvFile) || fs.existsSync(`${otherEnvFile}.lock`)).to.equal(false);
        });
    });
});
