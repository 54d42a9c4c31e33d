import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { expect } from "chai";

import { main as replayMain } from "../../../cli/replay";
import { main as shipMain } from "../../../cli/ship";
import { parseArgs, UsageError } from "../../../cli/shipper/args";
import { readCapturedEvent } from "../../../cli/shipper/eventFile";
import { safeError } from "../../../cli/shipper/replayRun";
import { applyServicesEnv, readServicesEnv, writeServicesEnv, type ServicesEnv } from "../../../cli/shared/servicesEnv";
import { localShipperConfig } from "../../../cli/shipper/settings";
import { EventFiles } from "./events";

/** Rejections that happen before any service is called: in this process, no services needed (the commands as child processes: operatorCommands.spec.ts). */
describe("operator commands: flag, event file, settings and services.env errors name the input and the fix", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-inputs-"));
    const files = new EventFiles(dir);
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function usageError(run: Promise<number>): Promise<string> {
        try {
            await run;
        } catch (error) {
            expect(error).to.be.instanceOf(UsageError);
            return (error as Error).message;
        }
        throw new Error("expected a UsageError");
    }

    it("ship: a missing --event, a flag without its value, an unknown flag or a bad queue URL", async () => {
        expect(await usageError(shipMain(["--json"]))).to.match(/^--event <file\.json> is required: the captured Lambda event to ship\nusage: npm run ship/);
        expect(await usageError(shipMain(["--event", "--json"]))).to.match(/^--event needs a value\n/);
        expect(await usageError(shipMain(["--evnt", "x.json"]))).to.match(/^unknown option --evnt\n/);
        expect(await usageError(shipMain(["--event", "x.json", "--json=yes"]))).to.match(/^--json takes no value\n/);
        expect(await usageError(shipMain(["--event", "x.json", "extra"]))).to.match(/^unexpected argument extra\n/);
        expect(await usageError(shipMain(["--event", "x.json", "--dead-letter-queue", "shipper-dlq"]))).to.match(
            /^--dead-letter-queue: expected an SQS queue URL like https:\/\/sqs\.eu-west-1\.amazonaws\.com\/123456789012\/shipper-dead-letters, got shipper-dlq$/,
        );
    });

    it("replay: a missing or malformed --queue", async () => {
        expect(await usageError(replayMain(["--dry-run"]))).to.match(/^--queue <url> is required: the URL of the shipper's dead-letter queue/);
        expect(await usageError(replayMain(["--queue", "shipper-dead-letters"]))).to.match(/^--queue: expected an SQS queue URL like https:\/\/sqs\.eu-west-1\.amazonaws\.com\/123456789012\/shipper-dead-letters, got shipper-dead-letters$/);
        expect(await usageError(replayMain(["--queue=http://127.0.0.1:5000/123456789012/dlq", "--dryrun"]))).to.match(/^unknown option --dryrun\n/);
    });

    it("parses --flag value, --flag=value and switches", () => {
        const parsed = parseArgs(["--event=a.json", "--json", "--namespace", "prod"], { values: ["--event", "--namespace"], switches: ["--json"] }, "usage");
        expect(parsed.values).to.deep.equal({ "--event": "a.json", "--namespace": "prod" });
        expect([...parsed.switches]).to.deep.equal(["--json"]);
    });

    it("event files: each source is detected; arrays, mixed records and a non-string awslogs.data are refused", () => {
        expect(readCapturedEvent(files.cloudWatch("cw", 1, 2).file)).to.include({ source: "cloudwatch", records: 1 });
        expect(readCapturedEvent(files.kinesis("k", [{ sequenceNumber: "1", text: "a" }, { sequenceNumber: "2", text: "b" }]))).to.include({ source: "kinesis", records: 2 });
        expect(readCapturedEvent(files.sqs("q", [{ messageId: "m", body: "x" }]))).to.include({ source: "sqs", records: 1 });
        const refused = (file: string) => {
            try {
                readCapturedEvent(file);
            } catch (error) {
                expect(error).to.be.instanceOf(UsageError);
                return (error as Error).message;
            }
            throw new Error(`${file} was accepted`);
        };
        expect(refused(files.write("array", [{ awslogs: { data: "x" } }]))).to.match(/array\.json holds a JSON array: pass one event per invocation/);
        expect(refused(files.write("mixed", { Records: [{ eventSource: "aws:sqs", messageId: "a", body: "x" }, { eventSource: "aws:kinesis" }] }))).to.match(
            /mixed\.json: Records\[1\] is not an aws:sqs record like Records\[0\]: one event holds records of one source only$/,
        );
        expect(refused(files.write("cw-number", { awslogs: { data: 42 } }))).to.match(/cw-number\.json: awslogs\.data must be a string \(base64 of the gzip payload\)/);
        expect(refused(files.write("empty", { Records: [] }))).to.match(/empty\.json is not an event the shipper accepts/);
        expect(refused(dir)).to.match(/is not a file: pass the path of a JSON file/);
    });

    it("Elasticsearch settings: URL, TLS, credentials, CA file, secret ARN and namespace", () => {
        const refused = (options: Parameters<typeof localShipperConfig>[0], env: NodeJS.ProcessEnv) => {
            try {
                localShipperConfig(options, env);
            } catch (error) {
                expect(error).to.be.instanceOf(UsageError);
                return (error as Error).message;
            }
            throw new Error("accepted");
        };
        const url = "https://127.0.0.1:9200";
        expect(refused({}, {})).to.match(/^ELASTICSEARCH_URL is not set: run `npm run services -- up`/);
        expect(refused({}, { ELASTICSEARCH_URL: "http://127.0.0.1:9200" })).to.match(/^ELASTICSEARCH_URL must be an https:\/\/ URL \(TLS is always verified\)/);
        expect(refused({}, { ELASTICSEARCH_URL: url, ELASTICSEARCH_USERNAME: "elastic" })).to.match(/^no Elasticsearch credentials: set ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD/);
        expect(refused({ secretArn: "prod/elasticsearch" }, { ELASTICSEARCH_URL: url })).to.match(/^--secret-arn: expected a Secrets Manager secret ARN like arn:aws:secretsmanager:/);
        expect(refused({ namespace: "Prod-1" }, { ELASTICSEARCH_URL: url, ELASTICSEARCH_API_KEY: "k" })).to.match(/^--namespace: expected lower-case letters, digits and underscores/);
        expect(refused({}, { ELASTICSEARCH_URL: url, ELASTICSEARCH_API_KEY: "k", ELASTICSEARCH_CA_FILE: path.join(dir, "none.pem") })).to.match(/^ELASTICSEARCH_CA_FILE names \S+none\.pem, which does not exist/);
        const config = localShipperConfig({ secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:es-AbCdEf" }, { ELASTICSEARCH_URL: url, ELASTICSEARCH_PASSWORD: "ignored" });
        expect(config.elasticsearch).to.include({ endpoint: url, credentialsSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:es-AbCdEf", namespace: "default" });
        expect(config.elasticsearch.credentials).to.equal(undefined);
    });

    describe("services.env", () => {
        const settings: ServicesEnv = {
            AWS_ENDPOINT_URL: "http://127.0.0.1:5001",
            AWS_REGION: "eu-west-1",
            ELASTICSEARCH_URL: "https://127.0.0.1:9201",
            ELASTICSEARCH_USERNAME: "elastic",
            ELASTICSEARCH_PASSWORD: "local-test-only_123",
            ELASTICSEARCH_CA_FILE: "/tmp/ca.pem",
            MOTO_PID: "1",
            MOTO_RUN_DIR: "/tmp/moto-x",
            ELASTICSEARCH_PID: "2",
            ELASTICSEARCH_RUN_DIR: "/tmp/es-test-x",
        };

        it("is written owner-only (even over a file others could read), and read back", () => {
            const file = path.join(dir, "services.env");
            fs.writeFileSync(file, "old", { mode: 0o644 });
            writeServicesEnv(settings, file);
            expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
            expect(readServicesEnv(file)).to.deep.equal(settings);
            expect(fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"))).to.deep.equal([]);
            expect(() => writeServicesEnv({ ...settings, ELASTICSEARCH_PASSWORD: "a$(reboot)" }, file)).to.throw(/ELASTICSEARCH_PASSWORD holds characters a shell would interpret/);
        });

        it("fills the variables not set already, by group; only dummy AWS credentials ever reach the local moto", () => {
            const file = path.join(dir, "apply.env");
            writeServicesEnv(settings, file);
            const keys = [
                "AWS_ENDPOINT_URL",
                "AWS_REGION",
                "ELASTICSEARCH_URL",
                "ELASTICSEARCH_USERNAME",
                "ELASTICSEARCH_PASSWORD",
                "ELASTICSEARCH_CA_FILE",
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_PROFILE",
            ];
            const saved = Object.fromEntries(keys.map((key) => [key, process.env[key]]));
            const clear = () => keys.forEach((key) => delete process.env[key]);
            try {
                clear();
                process.env["ELASTICSEARCH_PASSWORD"] = "exported";
                process.env["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLEREALKEY";
                process.env["AWS_PROFILE"] = "prod";
                expect(applyServicesEnv(file)).to.equal(true);
                expect(process.env["ELASTICSEARCH_URL"]).to.equal(settings.ELASTICSEARCH_URL);
                expect(process.env["ELASTICSEARCH_PASSWORD"], "an exported variable wins").to.equal("exported");
                expect(process.env["ELASTICSEARCH_CA_FILE"]).to.equal(settings.ELASTICSEARCH_CA_FILE);
                expect([process.env["AWS_ENDPOINT_URL"], process.env["AWS_ACCESS_KEY_ID"], process.env["AWS_PROFILE"]]).to.deep.equal([settings.AWS_ENDPOINT_URL, "testing", undefined]);

                clear();
                process.env["ELASTICSEARCH_URL"] = "https://logs.example.internal:9243";
                process.env["AWS_ENDPOINT_URL"] = "https://sqs.eu-west-1.amazonaws.com";
                process.env["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLEREALKEY";
                applyServicesEnv(file);
                expect(process.env["ELASTICSEARCH_PASSWORD"], "the local password never goes to another cluster").to.equal(undefined);
                expect(process.env["ELASTICSEARCH_CA_FILE"]).to.equal(undefined);
                expect(process.env["AWS_REGION"]).to.equal(undefined);
                expect(process.env["AWS_ACCESS_KEY_ID"], "credentials for a real endpoint are left alone").to.equal("AKIAEXAMPLEREALKEY");
                expect(applyServicesEnv(path.join(dir, "absent.env"))).to.equal(false);
            } finally {
                for (const key of keys) {
                    if (saved[key] === undefined) delete process.env[key];
                    else process.env[key] = saved[key];
                }
            }
        });
    });

    it("replay shows only the head of an Elasticsearch item error (its reason can quote the document)", () => {
        expect(safeError("HTTP 400 document_parsing_exception: [1:23] failed to parse field [message] of type [long]. Preview of field's value: 'text k'")).to.equal("HTTP 400 document_parsing_exception");
        expect(safeError("bulk request failed: HTTP 503")).to.equal("bulk request failed: HTTP 503");
    });
});
