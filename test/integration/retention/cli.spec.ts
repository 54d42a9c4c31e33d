import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { expect } from "chai";

import type { EnforceRetentionReport } from "../../../cli/retention/report";
import { LoopbackProxy } from "../../harness/proxy";
import { MotoService, useMoto } from "../../harness/services";
import { ROOT } from "../../harness/services/paths";
import { allGroups, awsError, createGroups, EXCLUDE, groupSpecs, nonCompliant, putNames } from "./groups";

interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `npm run enforce-retention -- <args>` as a pipeline would: a child process, AWS settings from the environment only. */
function enforceRetention(args: string[], endpoint: string): Promise<CliRun> {
    const env = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", LOG_LEVEL: "SILENT" };
    return new Promise((resolve) => {
        execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "cli", "enforceRetention.ts"), ...args], { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        );
    });
}

/** Runs `.ci/enforce-retention.sh` as a pipeline would, with its settings in the environment. */
function ciScript(settings: Record<string, string>, endpoint: string): Promise<CliRun> {
    const env = { ...process.env, ...settings, AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" };
    return new Promise((resolve) => {
        execFile("bash", [path.join(ROOT, ".ci", "enforce-retention.sh")], { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        );
    });
}

const excludeFlags = ["--exclude-prefix", ...EXCLUDE.excludePrefixes, "--exclude-pattern", ...EXCLUDE.excludePatterns];

describe("npm run enforce-retention end to end against moto (cli/enforceRetention.ts)", function () {
    this.timeout(180_000);
    let moto: MotoService;
    const direct = (region: string) => new CloudWatchLogsClient({ region, endpoint: moto.endpoint });

    before(async function () {
        moto = await useMoto();
    });

    describe("bad flags exit 2 naming the fix", function () {
        const cases: [string[], RegExp][] = [
            [[], /--regions is missing: pass the regions to sweep, e\.g\. --regions eu-west-1,eu-west-2/],
            [["--regions", "eu-west-1,mars-north-9x"], /mars-north-9x is not an AWS region/],
            [["--regions", "eu-west-1", "--days", "30"], /--days "30" must be one of 1, 3, 5, 7/],
            [["--regions", "eu-west-1", "--puts-per-second", "9"], /at most 5 \(the account's PutRetentionPolicy quota per region\)/],
            [["--regions", "eu-west-1", "--exclude-pattern", "(["], /is not a valid regular expression/],
            [["--regions", "eu-west-1", "--frobnicate"], /Unknown option '--frobnicate'/],
        ];
        for (const [args, message] of cases) {
            it(`${args.join(" ") || "(no flags)"}`, async function () {
                const run = await enforceRetention(args, moto.endpoint);
                expect(run.code, run.stderr).to.equal(2);
                expect(run.stderr).to.match(message);
                expect(run.stderr).to.include("Usage: npm run enforce-retention");
                expect(run.stdout).to.equal("");
            });
        }
    });

    it("--dry-run --json reports what would change in each region and changes nothing (exit 0)", async function () {
        const specs = { "af-south-1": groupSpecs(30, "cli-dry-a"), "me-south-1": groupSpecs(20, "cli-dry-b") };
        for (const [region, list] of Object.entries(specs)) await createGroups(direct(region), list);

        const run = await enforceRetention(["--regions", "af-south-1,me-south-1", "--dry-run", "--json", "--days", "5", ...excludeFlags], moto.endpoint);

        expect(run.code, run.stderr).to.equal(0);
        const report = JSON.parse(run.stdout) as EnforceRetentionReport;
        expect(report).to.deep.include({ ok: true, dryRun: true, targetDays: 5 });
        expect(report.regions.map((outcome) => outcome.region)).to.deep.equal(["af-south-1", "me-south-1"]);
        for (const outcome of report.regions) {
            if ("error" in outcome) throw new Error(`${outcome.region}: ${outcome.error}`);
            const list = specs[outcome.region as keyof typeof specs];
            expect(outcome.result).to.deep.include({ scanned: list.length, wouldChange: nonCompliant(list, 5).length, changed: 0, failed: 0, complete: true });
            expect(outcome.result.changedGroups).to.have.members(nonCompliant(list, 5).map((spec) => spec.name));
            const after = await allGroups(direct(outcome.region));
            expect(list.every((spec) => after.get(spec.name)?.retentionInDays === spec.retention), "dry run changed nothing").to.equal(true);
        }
        expect(run.stderr, "no progress bar when not a TTY or with --json").to.not.include("groups scanned");
    });

    it("sets every non-compliant group and prints the summary table (exit 0)", async function () {
        const list = groupSpecs(40, "cli-run");
        await createGroups(direct("ap-south-2"), list);

        const run = await enforceRetention(["--regions", "ap-south-2", "--puts-per-second", "5", ...excludeFlags], moto.endpoint);

        expect(run.code, run.stderr).to.equal(0);
        const expected = nonCompliant(list);
        const lines = run.stdout.split("\n");
        expect(lines[0]).to.match(/^region\s+scanned\s+changed\s+compliant\s+delivery\s+excluded\s+failed\s+vanished\s+seconds\s+status$/);
        const row = lines.find((line) => line.startsWith("ap-south-2"))?.trim().split(/\s+/);
        const excluded = list.filter((spec) => spec.excluded).length;
        expect(row?.slice(0, 8)).to.deep.equal(["ap-south-2", "40", String(expected.length), String(40 - expected.length - excluded), "0", String(excluded), "0", "0"]);
        expect(row?.[9]).to.equal("ok");
        const after = await allGroups(direct("ap-south-2"));
        for (const spec of list) expect(after.get(spec.name)?.retentionInDays, spec.name).to.equal(spec.excluded || (spec.retention !== undefined && spec.retention <= 7) ? spec.retention : 7);
    });

    it("exits 1 and names the group when a put keeps failing, after setting the others", async function () {
        const list = groupSpecs(20, "cli-denied");
        await createGroups(direct("il-central-1"), list);
        const denied = nonCompliant(list)[1]?.name ?? "";
        const proxy = await LoopbackProxy.start({
            upstream: moto.endpoint,
            fault: (request) => (request.operation?.endsWith(".PutRetentionPolicy") && request.body.toString("utf8").includes(denied) ? awsError("AccessDeniedException", "not authorized") : undefined),
        });
        try {
            const run = await enforceRetention(["--regions", "il-central-1", "--puts-per-second", "5", "--json", ...excludeFlags], proxy.endpoint);

            expect(run.code, run.stderr).to.equal(1);
            const report = JSON.parse(run.stdout) as EnforceRetentionReport;
            expect(report.ok).to.equal(false);
            const outcome = report.regions[0];
            if (!outcome || "error" in outcome) throw new Error(JSON.stringify(outcome));
            expect(outcome.result).to.deep.include({ failed: 1, failedGroups: [denied], changed: nonCompliant(list).length - 1 });
            expect(putNames(proxy.calls("PutRetentionPolicy")).filter((name) => name !== denied)).to.have.length(nonCompliant(list).length - 1);
        } finally {
            await proxy.stop();
        }
    });

    it("exits 1 naming the region when its sweep cannot run (DescribeLogGroups refused)", async function () {
        const proxy = await LoopbackProxy.start({
            upstream: moto.endpoint,
            fault: (request) => (request.operation?.endsWith(".DescribeLogGroups") ? awsError("AccessDeniedException", "not authorized to perform logs:DescribeLogGroups") : undefined),
        });
        try {
            const run = await enforceRetention(["--regions", "eu-central-2"], proxy.endpoint);
            expect(run.code, run.stderr).to.equal(1);
            expect(run.stdout).to.match(/^eu-central-2\s.*ERROR$/m);
            expect(run.stdout).to.match(/eu-central-2: sweep stopped: RetryableError: DescribeLogGroups in eu-central-2 failed after retries: AccessDeniedException/);
        } finally {
            await proxy.stop();
        }
    });

    describe(".ci/enforce-retention.sh (how a pipeline calls it)", function () {
        it("sweeps the regions of RETENTION_REGIONS with the exclusions, writes the JSON report and prints the counts (exit 0)", async function () {
            const list = groupSpecs(15, "ci-script");
            await createGroups(direct("ap-southeast-3"), list);
            const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "retention-ci-")), "retention.json");

            const run = await ciScript({ RETENTION_REGIONS: "ap-southeast-3", RETENTION_EXCLUDE_PREFIXES: EXCLUDE.excludePrefixes.join(","), RETENTION_EXCLUDE_PATTERNS: EXCLUDE.excludePatterns.join(","), RETENTION_REPORT: report }, moto.endpoint);

            expect(run.code, run.stderr).to.equal(0);
            expect(run.stdout).to.include(`ap-southeast-3: scanned 15, changed ${nonCompliant(list).length},`);
            expect(run.stdout).to.include("retention: ok");
            expect((JSON.parse(fs.readFileSync(report, "utf8")) as EnforceRetentionReport).ok).to.equal(true);
            const after = await allGroups(direct("ap-southeast-3"));
            expect(nonCompliant(list).every((spec) => after.get(spec.name)?.retentionInDays === 7)).to.equal(true);
        });

        it("fails the build without RETENTION_REGIONS (exit 2, naming the variable)", async function () {
            const run = await ciScript({ RETENTION_REGIONS: "" }, moto.endpoint);
            expect(run.code).to.equal(2);
            expect(run.stderr).to.include("set RETENTION_REGIONS");
        });
    });
});
