import { execFile } from "child_process";
import * as path from "path";

import { expect } from "chai";

import type { PreviewDocument } from "../../../cli/preview/document";
import { runStack } from "../../harness/program";
import { ROOT } from "../../harness/services/paths";

interface Result {
    code: number;
    stdout: string;
    stderr: string;
}

/** `npm run preview -- <args>` as an operator runs it (ts-node, transpile only), in a child process. */
function preview(args: string[]): Promise<Result> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "cli", "preview.ts"), ...args],
            { cwd: ROOT, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        );
    });
}

function documentOf(result: Result): PreviewDocument {
    expect(result.code, result.stderr).to.equal(0);
    // stdout is exactly one JSON document: nothing the program logs may precede or follow it.
    return JSON.parse(result.stdout) as PreviewDocument;
}

// The functions of this program, each read once in its physical name (`<name>-` + 7 characters Pulumi picks).
const FUNCTIONS = ["kpi-daily", "retention-sweep", "shipper-cloudwatch", "shipper-kinesis", "shipper-sqs"];

describe("npm run preview -- --json (cli/preview.ts): the machine-readable offline preview", function () {
    this.timeout(300_000);
    const runs: Record<string, Promise<Result>> = {};
    before(function () {
        // Started together: each is a separate process, and the three take about as long as one.
        runs["prod"] = preview(["--stack", "prod", "--json"]);
        runs["dev"] = preview(["--stack", "dev", "--json"]);
        runs["fixture"] = preview(["--program", path.join(ROOT, "test", "fixtures", "programs", "preview-secrets"), "--stack", "test", "--json"]);
    });

    for (const stack of ["prod", "dev"]) {
        describe(`Pulumi.${stack}.yaml`, function () {
            let doc: PreviewDocument;
            before(async function () {
                doc = documentOf(await (runs[stack]));
            });

            it("is one document of the documented format, naming the project and stack", function () {
                expect(doc.format).to.equal("log-platform-preview/1");
                expect([doc.project, doc.stack]).to.deep.equal(["log-platform", stack]);
                expect(doc.resourceCount).to.equal(doc.resources.length).and.to.be.greaterThan(50);
                expect(Object.keys(doc).sort()).to.deep.equal(["diagnostics", "format", "outputs", "project", "redactions", "resourceCount", "resources", "stack"]);
            });

            it("gives every resource its type, name, URN, parent, provider, dependencies and inputs, consistently", function () {
                const urns = new Set(doc.resources.map((resource) => resource.urn));
                expect(urns.size, "URNs are unique").to.equal(doc.resources.length);
                expect(doc.resources.map((resource) => resource.urn), "sorted by URN").to.deep.equal([...urns].sort((a, b) => a.localeCompare(b)));
                for (const resource of doc.resources) {
                    expect(resource.urn.startsWith(`urn:pulumi:${stack}::log-platform::`), resource.urn).to.equal(true);
                    expect(resource.urn.endsWith(`${resource.type}::${resource.name}`), resource.urn).to.equal(true);
                    if (resource.parent !== null) {
                        expect(urns.has(resource.parent), `${resource.urn}: parent ${resource.parent} is in the document`).to.equal(true);
                        const parentType = resource.parent.split("::")[2]?.split("$").pop() ?? "";
                        expect(resource.urn.split("::")[2], "the URN's type chain runs through the parent").to.contain(`${parentType}$`);
                    }
                    for (const dependency of resource.dependencies) expect(urns.has(dependency), `${resource.urn} depends on ${dependency}`).to.equal(true);
                    if (resource.custom && !resource.type.startsWith("pulumi:providers:")) {
                        expect(resource.provider, resource.urn).to.match(/^urn:pulumi:.*::pulumi:providers:aws::aws-platform::/);
                    }
                    expect(resource.inputs, resource.urn).to.be.an("object");
                }
                const alarm = doc.resources.find((resource) => resource.name === "shipper-sqs-errors-alarm");
                expect(alarm?.inputs).to.include({ namespace: "AWS/Lambda", metricName: "Errors" });
            });

            it("names each function once: <function>-*, its log group /aws/lambda/log-platform/<stack>/<function>-*", function () {
                const functions = doc.resources.filter((resource) => resource.type === "aws:lambda/function:Function");
                expect(functions.map((fn) => fn.physicalName).sort()).to.deep.equal(FUNCTIONS.map((name) => `${name}-*`));
                const groups = doc.resources.filter((resource) => resource.type === "aws:cloudwatch/logGroup:LogGroup" && resource.name.endsWith("-logs"));
                expect(groups.map((group) => group.physicalName).sort()).to.include.members(FUNCTIONS.map((name) => `/aws/lambda/log-platform/${stack}/${name}-*`));
                expect(JSON.stringify(doc.resources.map((resource) => [resource.name, resource.physicalName]))).to.not.match(/-fn-/);
            });

            it("carries the program's messages (the data-protection plan) and redacts nothing of this program: it holds no secret", function () {
                expect(doc.diagnostics.some((entry) => entry.severity === "info" && entry.message.startsWith("Data protection: nothing kept longer than 7 days"))).to.equal(true);
                expect(doc.redactions).to.deep.equal([]);
                expect(doc.outputs["region"]).to.equal("eu-west-1");
            });
        });
    }

    it("lists exactly the resources the program registers (prod, run in this process through the shared harness)", async function () {
        const [run, result] = await Promise.all([runStack("prod"), runs["prod"]]);
        const doc = documentOf(result);
        expect(doc.resources.map((resource) => resource.urn).sort()).to.deep.equal(run.resources.map((resource) => resource.urn).sort());
    });

    describe("secrets (test/fixtures/programs/preview-secrets)", function () {
        let result: Result;
        let doc: PreviewDocument;
        before(async function () {
            result = await (runs["fixture"]);
            doc = documentOf(result);
        });

        it("never prints a secret: Pulumi secrets (config and code), credential-looking inputs, secret outputs", function () {
            for (const secret of ["fixture-db-Pa55word-91c2", "fixture-plain-Pa55word-7f3e", "fixture-url-Pa55word", "AKIAIOSFODNN7FIXTURE", "fixture-output-token-5d1a"]) {
                expect(result.stdout).to.not.contain(secret);
                expect(result.stderr).to.not.contain(secret);
            }
        });

        it("lists each redaction with its path and reason, and keeps every other value", function () {
            const at = (name: string, rest: string) => `resources["urn:pulumi:test::fixture-preview-secrets::${name}"].inputs.${rest}`;
            const reasons = Object.fromEntries(doc.redactions.map((entry) => [entry.path, entry.reason]));
            expect(Object.keys(reasons).sort()).to.deep.equal(
                [
                    at("aws:lambda/function:Function::worker", "environment.variables.DATABASE_URL"),
                    at("aws:lambda/function:Function::worker", "environment.variables.DB_PASSWORD"),
                    at("aws:lambda/function:Function::worker", "environment.variables.UPSTREAM_KEY_ID"),
                    at("aws:ssm/parameter:Parameter::api-token", "value"),
                    at("aws:ssm/parameter:Parameter::db-password", "value"),
                    "outputs.token",
                ].sort(),
            );
            expect(reasons["outputs.token"]).to.equal("a Pulumi secret");
            expect(reasons[at("aws:lambda/function:Function::worker", "environment.variables.DB_PASSWORD")]).to.match(/name says it holds a secret/);
            const worker = doc.resources.find((resource) => resource.name === "worker");
            expect(worker?.inputs["environment"]).to.deep.equal({ variables: { DATABASE_URL: "[redacted]", DB_PASSWORD: "[redacted]", LOG_LEVEL: "INFO", UPSTREAM_KEY_ID: "[redacted]" } });
            expect(worker?.inputs["role"]).to.equal("arn:aws:iam::123456789012:role/worker");
            expect(doc.outputs).to.deep.equal({ token: "[redacted]", region: "eu-west-1" });
        });
    });

    it("refuses bad flags with exit 2 and the usage, and a missing stack file with exit 1 naming it", async function () {
        const [unknown, missing] = await Promise.all([preview(["--stak", "prod"]), preview(["--stack", "nosuch", "--json"])]);
        expect(unknown.code).to.equal(2);
        expect(unknown.stderr).to.contain("--stak").and.contain("usage: npm run preview");
        expect(missing.code).to.equal(1);
        expect(missing.stderr).to.contain("Pulumi.nosuch.yaml not found");
        expect(missing.stdout).to.equal("");
    });
});
