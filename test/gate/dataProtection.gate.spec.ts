import * as path from "path";

import { expect } from "chai";

import { analyze } from "../../cli/gate/analyze";
import { PolicyPackProcess } from "../../cli/gate/policyPackProcess";
import { verdictOf } from "../../cli/gate/report";
import { ProgramRun, runFixture, runStack } from "../harness/program";
import { ROOT } from "../harness/services/paths";

const PACK = path.join(ROOT, "policypack");
/** What the engine sends for a value it cannot know yet (the Pulumi RPC "unknown" sentinel). */
const UNKNOWN_ON_THE_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A preview's view of a run: the inputs the program wrote stay, everything the provider computes is unknown. */
const previewOf = (run: ProgramRun): ProgramRun => ({
    ...run,
    resources: run.resources.map((resource) => ({
        ...resource,
        wireState: Object.fromEntries(Object.entries(resource.wireState).map(([key, value]) => [key, key in resource.inputs ? value : UNKNOWN_ON_THE_WIRE])),
    })),
});

describe("offline policy gate: data protection (issue 15), the real pack over the Analyzer gRPC protocol", function () {
    this.timeout(180000);
    let pack: PolicyPackProcess;

    before(async function () {
        pack = await PolicyPackProcess.start(PACK);
    });
    after(async function () {
        await pack?.stop();
    });

    // Fixture, the policy that blocks it, and a phrase of the violation that says why.
    const blocked: [string, string, string][] = [
        ["account-retention-policy", "cloudwatch-logs-no-account-retention-policy", "RETENTION_POLICY"],
        ["log-group-5-days", "cloudwatch-log-group-retention", "72 h"],
        ["bucket-no-lifecycle", "s3-data-retention", "kept forever"],
        ["bucket-old-versions-kept", "s3-data-retention", "old (noncurrent) versions"],
        ["bucket-prefix-uncovered", "s3-data-retention", 'outside "tmp/"'],
        ["bucket-uploads-kept", "s3-data-retention", "incomplete multipart uploads"],
        ["bucket-expiry-sum-too-long", "s3-data-retention", "12d"],
        ["bucket-object-lock-long", "s3-data-retention", "Object Lock"],
        ["directory-bucket-kept", "s3-data-retention", 'bucket "fast"'],
        ["table-pitr-default-window", "dynamodb-data-retention", "recoveryPeriodInDays"],
        ["table-without-ttl", "dynamodb-data-retention", "TTL is off"],
        ["table-window-too-long", "dynamodb-data-retention", "8d"],
        ["table-replica-pitr", "dynamodb-data-retention", "eu-central-1"],
        ["global-table-unmanaged-replica", "dynamodb-data-retention", "us-east-1"],
        ["table-export-kept", "dynamodb-data-retention", "9d"],
        ["backup-kept-35-days", "backup-data-retention", "35 days"],
        ["backup-vault-lock-long", "backup-data-retention", "30 days"],
        ["queue-fifo-dlq-sum", "queue-stream-data-retention", "FIFO"],
        ["queue-async-failure-sum", "queue-stream-data-retention", "7d 6h"],
        ["queue-stream-failure-sum", "queue-stream-data-retention", "8d"],
        ["queue-reader-sends-sum", "queue-stream-data-retention", "sqs:SendMessage"],
        ["queue-eventbridge-dlq-sum", "queue-stream-data-retention", "EventBridge"],
        ["exemption-tag-undeclared", "data-protection-exemption-declared", "the tag alone exempts nothing"],
    ];
    for (const [fixture, policy, why] of blocked) {
        it(`blocks fixture ${fixture} with ${policy}`, async function () {
            const run = await runFixture(fixture);
            const verdict = verdictOf(run.project, run.stack, run.resources.length, await analyze(pack, run), 0);
            expect(verdict.passed).to.equal(false);
            const mandatory = verdict.violations.filter((violation) => violation.enforcementLevel === "mandatory");
            expect([...new Set(mandatory.map((violation) => violation.policyName))], "the fixture breaks only the policy it is for").to.deep.equal([policy]);
            const violation = mandatory.find((entry) => entry.policyName === policy);
            expect(violation?.resourceType, "the violation names its resource").to.be.a("string");
            expect(violation?.message).to.contain(why);
        });
    }

    it("still blocks the data-protection fixtures when the provider's outputs are unknown, as during preview", async function () {
        // The global table's fixture is the exception: its table's region comes only from the table's ARN, so a preview cannot tell it.
        for (const [fixture, policy] of blocked.filter(([name]) => name !== "global-table-unmanaged-replica")) {
            const run = previewOf(await runFixture(fixture));
            expect(JSON.stringify(run.resources.map((resource) => resource.wireState)), fixture).to.contain(UNKNOWN_ON_THE_WIRE);
            const mandatory = (await analyze(pack, run)).violations.filter((violation) => violation.enforcementLevel === "mandatory");
            expect(mandatory.map((violation) => violation.policyName), fixture).to.include(policy);
        }
    });

    it("passes the compliant look-alike of every rule, and prints its exemption as an advisory", async function () {
        const run = await runFixture("data-protection-compliant");
        for (const type of [
            "log-platform:security:DataProtection",
            "aws:cloudwatch/logAccountPolicy:LogAccountPolicy",
            "aws:s3/directoryBucket:DirectoryBucket",
            "aws:dynamodb/table:Table",
            "aws:backup/plan:Plan",
            "aws:lambda/eventSourceMapping:EventSourceMapping",
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
            "aws:cloudwatch/eventTarget:EventTarget",
        ]) {
            expect(run.resources.map((resource) => resource.type), type).to.include(type);
        }
        for (const program of [run, previewOf(run)]) {
            const result = await analyze(pack, program);
            expect(result.violations.filter((violation) => violation.enforcementLevel === "mandatory")).to.deep.equal([]);
            expect(result.violations.filter((violation) => violation.message.includes("can't run"))).to.deep.equal([]);
            const exemptions = result.violations.filter((violation) => violation.policyName === "data-protection-exemption-in-use");
            expect(exemptions.map((violation) => [violation.enforcementLevel, violation.resourceName])).to.deep.equal([["advisory", "kpi-bucket"]]);
            expect(exemptions[0]?.message).to.contain("daily KPI aggregates").and.contain("400 days");
        }
    });

    it("applies the data-protection policy config: the limit and the item lifetime reach the policies", async function () {
        const logGroup = await analyze(pack, await runFixture("log-group-5-days"), { "cloudwatch-log-group-retention": { maxAgeDays: 8 } });
        expect(logGroup.violations.filter((violation) => violation.enforcementLevel === "mandatory")).to.deep.equal([]);
        // 1-day items + 72 h + the bucket's 72 h = 7 days: the export's compliant look-alike.
        const exported = await analyze(pack, await runFixture("table-export-kept"), { "dynamodb-data-retention": { itemLifetimeDays: 1 } });
        expect(exported.violations.filter((violation) => violation.enforcementLevel === "mandatory")).to.deep.equal([]);
        // An exemption from policy config, for a program without the DataProtection component.
        const declared = await analyze(pack, await runFixture("exemption-tag-undeclared"), {
            "data-protection-exemption-declared": { exemptions: [{ store: "kpi-objects", reason: "daily aggregates, no personal data", maxAgeDays: 400 }] },
        });
        expect(declared.violations.filter((violation) => violation.enforcementLevel === "mandatory")).to.deep.equal([]);
    });

    it("passes the dev stack with zero mandatory violations", async function () {
        const result = await analyze(pack, await runStack("dev"));
        const mandatory = result.violations.filter((violation) => violation.enforcementLevel === "mandatory");
        expect(mandatory, JSON.stringify(mandatory, null, 2)).to.deep.equal([]);
    });

    it("passes the prod stack and prints its kpi-objects exemption (declared by the plan, tagged on the KPI bucket)", async function () {
        const result = await analyze(pack, await runStack("prod"));
        expect(result.violations.filter((violation) => violation.enforcementLevel === "mandatory")).to.deep.equal([]);
        const exemptions = result.violations.filter((violation) => violation.policyName === "data-protection-exemption-in-use");
        expect(exemptions.map((violation) => violation.resourceName)).to.deep.equal(["kpi-bucket"]);
        expect(exemptions[0]?.message).to.contain("kpi-objects");
    });
});
