import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";

import { analyze } from "../../cli/gate/analyze";
import { PolicyPackProcess } from "../../cli/gate/policyPackProcess";
import { verdictOf } from "../../cli/gate/report";
import { runFixture, runStack } from "../harness/program";
import { ROOT } from "../harness/services/paths";

const PACK = path.join(ROOT, "policypack");

/** Runs `npm run gate -- <args>` as a user would; resolves with its exit code and output. */
function gateCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "cli", "gate.ts"), ...args], { cwd: ROOT, timeout: 120000 }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        );
    });
}

describe("offline policy gate: the real pack over the Analyzer gRPC protocol", function () {
    this.timeout(120000);
    let pack: PolicyPackProcess;

    before(async function () {
        pack = await PolicyPackProcess.start(PACK);
    });
    after(async function () {
        await pack?.stop();
    });

    it("passes this repository's program with Pulumi.prod.yaml: zero mandatory violations", async function () {
        const run = await runStack("prod");
        const result = await analyze(pack, run);
        expect(result.policies.length).to.be.greaterThan(20);
        const mandatory = result.violations.filter((violation) => violation.enforcementLevel === "mandatory");
        expect(mandatory, JSON.stringify(mandatory, null, 2)).to.deep.equal([]);
    });

    // Fixture, the policy that blocks it, and any other mandatory policy the same fault necessarily trips.
    const blocked: [string, string, string[]?][] = [
        ["wildcard-action", "iam-no-wildcard"],
        ["star-resource", "iam-no-wildcard"],
        ["full-access-attachment", "iam-no-admin-managed-policies"],
        // The role CallbackFunction creates by default is the fault: it carries *FullAccess managed policies.
        ["callback-without-role", "lambda-callback-function-explicit-role", ["iam-no-admin-managed-policies"]],
        ["bucket-unencrypted", "s3-bucket-encryption"],
        ["bucket-encryption-other-bucket", "s3-bucket-encryption"],
        ["log-group-no-retention", "cloudwatch-log-group-retention"],
        ["log-group-14-days", "cloudwatch-log-group-retention"],
        ["lambda-without-log-group", "lambda-managed-log-group"],
        ["security-group-open", "security-group-no-open-cidr"],
        ["queue-unencrypted", "sqs-queue-encrypted-retention"],
        // Issue 11's classes, one program each.
        ["federated-trust-unpinned", "iam-federated-trust-pinned"],
        ["condition-pins-nothing", "iam-no-wildcard"],
        ["kinesis-resource-policy-open", "iam-no-wildcard"],
        ["ssm-parameter-secret", "ssm-parameter-no-plaintext-secrets"],
        ["service-wide-arn", "iam-no-wildcard"],
        ["foreign-account-trust", "iam-no-wildcard"],
        // Issue 11's "resource types the three systems bring": one program per mandatory control.
        ["trail-unencrypted", "cloudtrail-trail-kms"],
        ["trail-no-log-file-validation", "cloudtrail-log-file-validation"],
        ["trail-single-region", "cloudtrail-multi-region"],
        // Its bucket keeps data too long: the data-protection rule on buckets trips too.
        ["trail-bucket-keeps-logs", "cloudtrail-bucket-expiry", ["s3-data-retention"]],
        ["event-data-store-kept", "cloudtrail-event-data-store-retention"],
        ["athena-not-enforced", "athena-workgroup-enforce-configuration"],
        ["athena-results-unencrypted", "athena-workgroup-results-encrypted"],
        // Its bucket keeps data too long: the data-protection rule on buckets trips too.
        ["athena-results-kept", "athena-workgroup-results-expire", ["s3-data-retention"]],
        ["glue-catalog-unencrypted", "glue-data-catalog-encryption"],
        ["account-subscription-feedback", "cloudwatch-logs-account-subscription-no-feedback"],
        // Its bucket keeps data too long: the data-protection rule on buckets trips too.
        ["access-log-bucket-kept", "s3-log-bucket-expiry", ["s3-data-retention"]],
        // Issue 16's classes, one program each (the unit specs hold the other members of each class).
        ["policy-document-merged-wildcard", "iam-no-wildcard"],
        ["policy-document-star-principal", "iam-no-wildcard"],
        ["oidc-subject-unpinned", "iam-federated-trust-pinned"],
        ["condition-trusts-foreign-account", "iam-no-wildcard"],
        ["exclusive-attachment-admin", "iam-no-admin-managed-policies"],
        ["auth-header-secret", "lambda-no-plaintext-secrets"],
        ["lambda-log-group-other-region", "lambda-managed-log-group"],
        ["bucket-encryption-declared-twice", "s3-bucket-encryption"],
        ["directory-bucket-sse-s3", "s3-bucket-encryption"],
        // Object Lock keeps every version a year: the data-protection rule on buckets trips too.
        ["log-bucket-object-lock", "s3-log-bucket-expiry", ["s3-data-retention"]],
    ];
    for (const [fixture, policy, alsoTripped = []] of blocked) {
        it(`blocks fixture ${fixture} with ${policy}`, async function () {
            const run = await runFixture(fixture);
            const verdict = verdictOf(run.project, run.stack, run.resources.length, await analyze(pack, run), 0);
            expect(verdict.passed).to.equal(false);
            const mandatory = verdict.violations.filter((violation) => violation.enforcementLevel === "mandatory");
            expect([...new Set(mandatory.map((violation) => violation.policyName))].sort(), "the fixture breaks only the policy it is for").to.deep.equal([policy, ...alsoTripped].sort());
            expect(mandatory.find((violation) => violation.policyName === policy)?.resourceType, "the violation names its resource").to.be.a("string");
        });
    }

    it("passes the compliant fixture, which has a compliant look-alike of every new control's resource", async function () {
        const run = await runFixture("compliant");
        for (const type of [
            "aws:cloudtrail/trail:Trail",
            "aws:cloudtrail/eventDataStore:EventDataStore",
            "aws:athena/workgroup:Workgroup",
            "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
            "aws:cloudwatch/logAccountPolicy:LogAccountPolicy",
            "aws:s3/bucketLogging:BucketLogging",
            // Issue 16's look-alikes.
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
            "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
            "aws:s3/directoryBucket:DirectoryBucket",
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        ]) {
            expect(run.resources.map((resource) => resource.type), type).to.include(type);
        }
        const verdict = verdictOf(run.project, run.stack, run.resources.length, await analyze(pack, run), 0);
        expect(verdict.violations.filter((violation) => violation.enforcementLevel === "mandatory")).to.deep.equal([]);
        expect(verdict.passed).to.equal(true);
    });

    it("passes prod with the optional resources on: the shipper's account-level subscription (own log groups excluded) and the retention enforcer's trail", async function () {
        // (CI gates every Pulumi.<stack>.yaml, dev included, with `npm run gate -- --stack <stack>`.)
        const base = (parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, Record<string, unknown>> }).config;
        const run = await runStack("prod", {
            "log-platform:shipper": { ...base["log-platform:shipper"], accountLevelSubscription: true },
            "log-platform:retention": { ...base["log-platform:retention"], createTrail: true },
        });
        expect(run.resources.map((resource) => resource.type)).to.include.members(["aws:cloudwatch/logAccountPolicy:LogAccountPolicy", "aws:cloudtrail/trail:Trail"]);
        const result = await analyze(pack, run);
        expect(result.violations.filter((violation) => violation.enforcementLevel === "mandatory"), "prod with the optional resources").to.deep.equal([]);
        // The KPI pipeline's Glue table and no catalog settings in the stack: reported, as advisory only.
        expect(result.violations.filter((violation) => violation.policyName === "glue-data-catalog-encryption-settings-present").map((violation) => violation.enforcementLevel)).to.deep.equal(["advisory"]);
    });

    it("never reports a false violation or fails a policy when computed values are unknown, as during preview", async function () {
        // What the engine sends for a value it cannot know yet (the Pulumi RPC "unknown" sentinel).
        const UNKNOWN_ON_THE_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const computed = (value: unknown): unknown => {
            if (typeof value === "string" && /^(arn:aws|sg-|vpce-|[0-9a-f]{8}-)/.test(value)) return UNKNOWN_ON_THE_WIRE;
            if (typeof value === "string" && value.includes('"arn:aws')) return UNKNOWN_ON_THE_WIRE; // JSON documents built from ARNs
            if (Array.isArray(value)) return value.map(computed);
            if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, computed(inner)]));
            return value;
        };
        for (const program of ["compliant", "prod"]) {
            const run = program === "prod" ? await runStack("prod") : await runFixture(program);
            const previewed = { ...run, resources: run.resources.map((resource) => ({ ...resource, wireState: computed(resource.wireState) as Record<string, unknown> })) };
            expect(JSON.stringify(previewed.resources.map((resource) => resource.wireState))).to.contain(UNKNOWN_ON_THE_WIRE);
            const result = await analyze(pack, previewed);
            expect(result.violations.filter((violation) => violation.enforcementLevel === "mandatory"), program).to.deep.equal([]);
            expect(result.violations.filter((violation) => violation.message.includes("can't run")), program).to.deep.equal([]);
        }
    });

    it("still blocks issue 11's and 16's cases when every computed (provider-output) value is unknown, and names the config when the account cannot be told", async function () {
        const UNKNOWN_ON_THE_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        // Inputs the program wrote stay; everything the provider computes (ARNs, ids, names) is unknown.
        const previewOf = (run: Awaited<ReturnType<typeof runFixture>>) => ({
            ...run,
            resources: run.resources.map((resource) => ({
                ...resource,
                wireState: Object.fromEntries(Object.entries(resource.wireState).map(([key, value]) => [key, key in resource.inputs ? value : UNKNOWN_ON_THE_WIRE])),
            })),
        });
        for (const [fixture, policy] of [
            ["federated-trust-unpinned", "iam-federated-trust-pinned"],
            ["service-wide-arn", "iam-no-wildcard"],
            ["ssm-parameter-secret", "ssm-parameter-no-plaintext-secrets"],
            ["foreign-account-trust", "iam-no-wildcard"],
            ["trail-unencrypted", "cloudtrail-trail-kms"],
            ["trail-single-region", "cloudtrail-multi-region"],
            ["athena-not-enforced", "athena-workgroup-enforce-configuration"],
            ["glue-catalog-unencrypted", "glue-data-catalog-encryption"],
            // Issue 16's.
            ["policy-document-merged-wildcard", "iam-no-wildcard"],
            ["policy-document-star-principal", "iam-no-wildcard"],
            ["oidc-subject-unpinned", "iam-federated-trust-pinned"],
            ["condition-trusts-foreign-account", "iam-no-wildcard"],
            ["exclusive-attachment-admin", "iam-no-admin-managed-policies"],
            ["auth-header-secret", "lambda-no-plaintext-secrets"],
            ["bucket-encryption-declared-twice", "s3-bucket-encryption"],
            ["directory-bucket-sse-s3", "s3-bucket-encryption"],
            ["log-bucket-object-lock", "s3-log-bucket-expiry"],
        ]) {
            const run = previewOf(await runFixture(fixture));
            expect(JSON.stringify(run.resources.map((resource) => resource.wireState)), fixture).to.contain(UNKNOWN_ON_THE_WIRE);
            const mandatory = (await analyze(pack, run)).violations.filter((violation) => violation.enforcementLevel === "mandatory");
            expect(mandatory.map((violation) => violation.policyName), fixture).to.include(policy);
        }
        const foreign = (await analyze(pack, previewOf(await runFixture("foreign-account-trust")))).violations.find((violation) => violation.policyName === "iam-no-wildcard");
        expect(foreign?.message).to.contain("accountId");
        // With the account given by policy config, the same preview names the foreign account instead.
        const configured = await analyze(pack, previewOf(await runFixture("foreign-account-trust")), { "iam-no-wildcard": { accountId: "123456789012" } });
        expect(configured.violations.find((violation) => violation.policyName === "iam-no-wildcard")?.message).to.contain("outside the account");
    });

    it("applies policy config: a policy turned advisory no longer blocks, and settings reach the policy", async function () {
        const run = await runFixture("log-group-14-days");
        const advisory = await analyze(pack, run, { "cloudwatch-log-group-retention": { enforcementLevel: "advisory" } });
        const retention = advisory.violations.filter((violation) => violation.policyName === "cloudwatch-log-group-retention");
        expect(retention.map((violation) => violation.enforcementLevel)).to.deep.equal(["advisory"]);
        const allowed = await analyze(pack, run, { "cloudwatch-log-group-retention": { maxRetentionDays: 14 } });
        expect(allowed.violations.filter((violation) => violation.policyName === "cloudwatch-log-group-retention")).to.deep.equal([]);
        // The configuration is per call: the default level is back for the next run.
        const again = await analyze(pack, run);
        expect(again.violations.find((violation) => violation.policyName === "cloudwatch-log-group-retention")?.enforcementLevel).to.equal("mandatory");
    });

    it("rejects policy config that names an unknown policy", async function () {
        const run = await runFixture("compliant");
        try {
            await analyze(pack, run, { "no-such-policy": "advisory" });
            expect.fail("unknown policy accepted");
        } catch (error) {
            expect((error as Error).message).to.contain("no-such-policy");
        }
    });
});

describe("offline policy gate CLI (npm run gate)", function () {
    this.timeout(180000);

    it("exits 1 on a mandatory violation and writes SARIF 2.1.0 that validates against the schema", async function () {
        const sarifFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gate-")), "gate.sarif");
        const result = await gateCli(["--program", "test/fixtures/programs/bucket-unencrypted", "--stack", "test", "--sarif", sarifFile]);
        expect(result.code, result.stderr).to.equal(1);
        expect(result.stdout).to.match(/security \(\d+\)/).and.contain("[mandatory] s3-bucket-encryption").and.contain("Verdict: FAIL");
        const log = JSON.parse(fs.readFileSync(sarifFile, "utf8")) as { runs: { results: { ruleId: string; level: string }[] }[] };
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const schema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object;
        const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
        addFormats(ajv);
        const validate = ajv.compile(schema);
        expect(validate(log), JSON.stringify(validate.errors)).to.equal(true);
        expect(log.runs[0]?.results.find((entry) => entry.ruleId === "s3-bucket-encryption")?.level).to.equal("error");
    });

    it("prints machine-readable JSON with --json and exits 0 for the prod stack", async function () {
        const result = await gateCli(["--json"]);
        expect(result.code, result.stderr).to.equal(0);
        const verdict = JSON.parse(result.stdout) as { passed: boolean; mandatory: number; stack: string };
        expect(verdict).to.include({ passed: true, mandatory: 0, stack: "prod" });
    });

    it("exits 1 with a clear message when the policy pack throws while loading", async function () {
        // The fixture pack, installed as the real one is (its node_modules are the real pack's).
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-"));
        fs.cpSync(path.join(ROOT, "test", "fixtures", "packs", "throws-at-load"), dir, { recursive: true });
        fs.symlinkSync(path.join(PACK, "node_modules"), path.join(dir, "node_modules"), "dir");
        const result = await gateCli(["--policy-pack", dir]);
        expect(result.code).to.equal(1);
        expect(result.stderr).to.contain("the policy pack failed to load").and.contain("fails to load on purpose");
    });

    it("exits 1 naming the fix when the policy pack's dependencies are not installed", async function () {
        const result = await gateCli(["--policy-pack", "test/fixtures/packs/throws-at-load"]);
        expect(result.code).to.equal(1);
        expect(result.stderr).to.contain("the policy pack failed to load").and.contain("npm ci");
    });

    it("exits 1 with a clear message when the program throws", async function () {
        const result = await gateCli(["--program", "test/fixtures/programs/program-throws", "--stack", "test"]);
        expect(result.code).to.equal(1);
        expect(result.stderr).to.contain("the program failed to run").and.contain("failed on purpose");
    });
});
