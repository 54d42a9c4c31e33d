import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { expect } from "chai";

import { parseEnforceRetentionArgs, UsageError } from "../../../cli/retention/args";
import type { AuditReport } from "../../../cli/audit/report";
import type { EnforceRetentionReport } from "../../../cli/retention/report";
import { LoopbackProxy } from "../../harness/proxy";
import { MotoService, useMoto } from "../../harness/services";
import { ROOT } from "../../harness/services/paths";
import { logGroup, newAccount, queue, TestAccount } from "../audit/account";
import { allGroups, awsError, createGroups, EXCLUDE, groupSpecs, MOTO_ENABLED_REGIONS, nonCompliant, putNames, putRetentionAccountPolicy } from "./groups";

interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `npm run enforce-retention -- <args>` as a pipeline would: a child process, AWS settings from the environment only. */
function enforceRetention(args: string[], endpoint: string, envOverrides: Record<string, string | undefined> = {}): Promise<CliRun> {
    const env = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", LOG_LEVEL: "SILENT", ...envOverrides };
    return new Promise((resolve) => {
        execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "cli", "enforceRetention.ts"), ...args], { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        );
    });
}

/**
 * Runs `.ci/enforce-retention.sh` as a pipeline would, with its settings in the environment; `account` is a moto
 * account of its own (the audit after the sweep inventories the whole account). Never the developer's local node.
 */
function ciScript(settings: Record<string, string>, endpoint: string, account?: TestAccount): Promise<CliRun> {
    const credentials = account?.credentials;
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...settings,
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: credentials?.accessKeyId ?? "testing",
        AWS_SECRET_ACCESS_KEY: credentials?.secretAccessKey ?? "testing",
        LOG_PLATFORM_SERVICES_ENV: path.join(os.tmpdir(), "no-such-services.env"),
    };
    if (credentials) env["AWS_SESSION_TOKEN"] = credentials.sessionToken;
    else delete env["AWS_SESSION_TOKEN"];
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
            [["--regions", "eu-west-1,mars-north-9x"], /mars-north-9x is not an AWS region/],
            [
                ["--regions", "eu-west-1", "--days", "5"],
                /--days 5: CloudWatch deletes events up to 72 h after their retention, so data could be kept 8d, past --max-age-days 7\. Use --days 3 \(the longest that fits; the default\), or if your limit or lag differs, say so with --max-age-days \/ --deletion-lag-hours/,
            ],
            [["--regions", "eu-west-1", "--frobnicate"], /Unknown option '--frobnicate'/],
        ];
        for (const [args, message] of cases) {
            it(`${args.join(" ")} (the command)`, async function () {
                const run = await enforceRetention(args, moto.endpoint);
                expect(run.code, run.stderr).to.equal(2);
                expect(run.stderr).to.match(message);
                expect(run.stderr).to.include("Usage: npm run enforce-retention");
                expect(run.stdout).to.equal("");
            });
        }

        // The same parser, in process (each child process costs seconds): every other refusal and its message.
        const parsed: [string[], RegExp][] = [
            [["--days", "30"], /--days "30" must be one of 1, 3 \(CloudWatch retention values whose data is gone within --max-age-days 7 and --deletion-lag-hours 72\); leave it out for 3/],
            [["--days", "7", "--max-age-days", "9"], /--days 7: .* data could be kept 10d, past --max-age-days 9\. Use --days 5/],
            [["--max-age-days", "3"], /no retention fits --max-age-days 3 and --deletion-lag-hours 72: even 1 day \+ the 72 h deletion lag is longer than 3 day\(s\)/],
            [["--deletion-lag-hours", "400"], /--deletion-lag-hours "400" must be a whole number from 0 to 336/],
            [["--stack", "my stack"], /--stack "my stack" must be a Pulumi stack name/],
            [["--puts-per-second", "9"], /at most 5 \(the account's PutRetentionPolicy quota per region\)/],
            [["--exclude-pattern", "(["], /is not a valid regular expression/],
            [["--regions", ","], /no region given; pass a comma-separated list like eu-west-1,eu-west-2, or leave --regions out to sweep every enabled region/],
        ];
        for (const [args, message] of parsed) {
            it(`${args.join(" ")}`, function () {
                expect(() => parseEnforceRetentionArgs(args)).to.throw(UsageError, message);
            });
        }

        it("accepts what fits: --days 5 with --max-age-days 9; --days 7 without a lag; nothing given is 3 days, every enabled region", function () {
            expect(parseEnforceRetentionArgs(["--days", "5", "--max-age-days", "9"]).settings.targetDays).to.equal(5);
            expect(parseEnforceRetentionArgs(["--days", "7", "--deletion-lag-hours", "0"]).settings.targetDays).to.equal(7);
            const defaults = parseEnforceRetentionArgs([]);
            expect(defaults).to.deep.include({ maxAgeDays: 7, deletionLagHours: 72 });
            expect(defaults.settings.targetDays).to.equal(3);
            expect(defaults.regions).to.equal(undefined);
        });
    });

    it("--dry-run --json reports what would change in each region and changes nothing; --days defaults to 3 (3 days + the 72 h lag fit 7 days) (exit 0)", async function () {
        const specs = { "af-south-1": groupSpecs(30, "cli-dry-a"), "me-south-1": groupSpecs(20, "cli-dry-b") };
        for (const [region, list] of Object.entries(specs)) await createGroups(direct(region), list);

        const run = await enforceRetention(["--regions", "af-south-1,me-south-1", "--dry-run", "--json", ...excludeFlags], moto.endpoint);

        expect(run.code, run.stderr).to.equal(0);
        const report = JSON.parse(run.stdout) as EnforceRetentionReport;
        expect(report).to.deep.include({ ok: true, dryRun: true, targetDays: 3, maxAgeDays: 7, deletionLagHours: 72, regionsFrom: "--regions", accountPolicies: [] });
        expect(report.regions.map((outcome) => outcome.region)).to.deep.equal(["af-south-1", "me-south-1"]);
        for (const outcome of report.regions) {
            if ("error" in outcome) throw new Error(`${outcome.region}: ${outcome.error}`);
            const list = specs[outcome.region as keyof typeof specs];
            expect(outcome.result).to.deep.include({ scanned: list.length, wouldChange: nonCompliant(list, 3).length, changed: 0, failed: 0, complete: true });
            expect(outcome.result.changedGroups).to.have.members(nonCompliant(list, 3).map((spec) => spec.name));
            const after = await allGroups(direct(outcome.region));
            expect(list.every((spec) => after.get(spec.name)?.retentionInDays === spec.retention), "dry run changed nothing").to.equal(true);
        }
        expect(run.stderr, "no progress bar when not a TTY or with --json").to.not.include("groups scanned");

        // Another limit or lag gives another default: no lag, 7 days fit.
        const noLag = JSON.parse((await enforceRetention(["--regions", "af-south-1", "--dry-run", "--json", "--deletion-lag-hours", "0"], moto.endpoint)).stdout) as EnforceRetentionReport;
        expect(noLag).to.deep.include({ targetDays: 7, deletionLagHours: 0 });
    });

    it("sets every non-compliant group to the default 3 days and prints the summary table (exit 0)", async function () {
        const list = groupSpecs(40, "cli-run");
        await createGroups(direct("ap-south-2"), list);

        const run = await enforceRetention(["--regions", "ap-south-2", "--puts-per-second", "5", ...excludeFlags], moto.endpoint);

        expect(run.code, run.stderr).to.equal(0);
        const expected = nonCompliant(list, 3);
        const lines = run.stdout.split("\n");
        expect(lines[0]).to.match(/^region\s+scanned\s+changed\s+compliant\s+delivery\s+excluded\s+overridden\s+failed\s+vanished\s+seconds\s+status$/);
        const row = lines.find((line) => line.startsWith("ap-south-2"))?.trim().split(/\s+/);
        const excluded = list.filter((spec) => spec.excluded).length;
        expect(row?.slice(0, 9)).to.deep.equal(["ap-south-2", "40", String(expected.length), String(40 - expected.length - excluded), "0", String(excluded), "0", "0", "0"]);
        expect(row?.[10]).to.equal("ok");
        expect(run.stdout).to.include("target 3 days, within --max-age-days 7 with a 72 h deletion lag; regions from --regions");
        const after = await allGroups(direct("ap-south-2"));
        for (const spec of list) expect(after.get(spec.name)?.retentionInDays, spec.name).to.equal(spec.excluded || (spec.retention !== undefined && spec.retention <= 3) ? spec.retention : 3);
    });

    it("exits 1 on an account-level retention policy: lists it with what it selects and overrides and the command that deletes it, and never puts on the groups it governs", async function () {
        const region = "ap-east-2";
        await createGroups(direct(region), [
            { name: "/app/cli-policy/forever", excluded: false },
            { name: "/governed/cli-policy/forever", excluded: false },
        ]);
        const remove = await putRetentionAccountPolicy(direct(region), "org-keep-60", 60, ["/governed/"]);
        const proxy = await LoopbackProxy.start({ upstream: moto.endpoint });
        try {
            const run = await enforceRetention(["--regions", region, "--json"], proxy.endpoint);

            expect(run.code, run.stderr).to.equal(1);
            const report = JSON.parse(run.stdout) as EnforceRetentionReport;
            expect(report.ok).to.equal(false);
            expect(report.accountPolicies).to.deep.equal([
                {
                    region,
                    policyName: "org-keep-60",
                    retention: "60 days",
                    enforcementMode: "RETROACTIVE",
                    selects: 'LogGroupNamePrefix IN ["/governed/"]',
                    overriddenGroups: 1,
                    fix: `aws logs delete-account-policy --policy-type RETENTION_POLICY --policy-name 'org-keep-60' --region ${region}`,
                },
            ]);
            const outcome = report.regions[0];
            if (!outcome || "error" in outcome) throw new Error(JSON.stringify(outcome));
            expect(outcome.result).to.deep.include({ changed: 1, overridden: 1, overriddenGroups: ["/governed/cli-policy/forever"], failed: 0 });
            expect(putNames(proxy.calls("PutRetentionPolicy"))).to.deep.equal(["/app/cli-policy/forever"]);

            const table = await enforceRetention(["--regions", region], proxy.endpoint);
            expect(table.code).to.equal(1);
            expect(table.stdout).to.match(new RegExp(`^${region}\\s.*\\sPOLICY$`, "m"));
            expect(table.stdout).to.include(
                `${region}: ACCOUNT-LEVEL RETENTION POLICY "org-keep-60" keeps logs 60 days (RETROACTIVE, selects LogGroupNamePrefix IN ["/governed/"]) and overrides 1 log group(s): their retention cannot be enforced. Delete it: aws logs delete-account-policy`,
            );
            expect(table.stdout).to.include(`${region}: 1 group(s) governed by an account-level retention policy, not put:\n  /governed/cli-policy/forever`);
        } finally {
            await proxy.stop();
            await remove();
        }
    });

    it("without --regions sweeps every region enabled in the account (EC2 DescribeRegions from AWS_REGION)", async function () {
        await createGroups(direct("us-east-2"), [{ name: "/app/cli-discovered/forever", excluded: false }]);

        const run = await enforceRetention(["--dry-run", "--json"], moto.endpoint);

        expect(run.code, run.stderr).to.equal(0);
        const report = JSON.parse(run.stdout) as EnforceRetentionReport;
        expect(report).to.deep.include({ regionsFrom: "discovered", ok: true });
        expect(report.regions.map((outcome) => outcome.region)).to.deep.equal(MOTO_ENABLED_REGIONS);
        const east2 = report.regions.find((outcome) => outcome.region === "us-east-2");
        if (!east2 || "error" in east2) throw new Error(JSON.stringify(east2));
        expect(east2.result.changedGroups).to.include("/app/cli-discovered/forever");

        const nowhere = await enforceRetention(["--dry-run"], moto.endpoint, { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
        expect(nowhere.code).to.equal(2);
        expect(nowhere.stderr).to.include("no --regions and no default region to discover the enabled ones from: set AWS_REGION (e.g. AWS_REGION=eu-west-1) or pass --regions");
    });

    it("leaves alone the log groups of this platform's other stacks and sweeps the one --stack names", async function () {
        const region = "me-central-1";
        await createGroups(direct(region), [
            { name: "/aws/lambda/log-platform/prod/kpi-daily-1a2b3c", excluded: false },
            { name: "/aws/lambda/log-platform/dev/kpi-daily-4d5e6f", excluded: false },
        ]);

        const run = await enforceRetention(["--regions", region, "--stack", "dev"], moto.endpoint);

        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.include(`${region}: 1 group(s) of other stacks of this platform left alone (/aws/lambda/log-platform/<stack>/: their own enforcer keeps them; yours, dev, was swept)`);
        const after = await allGroups(direct(region));
        expect(after.get("/aws/lambda/log-platform/dev/kpi-daily-4d5e6f")?.retentionInDays).to.equal(3);
        expect(after.get("/aws/lambda/log-platform/prod/kpi-daily-1a2b3c")?.retentionInDays, "prod's group is not dev's to cut").to.equal(undefined);
    });

    it("exits 1 and names the group when a put keeps failing, after setting the others", async function () {
        const list = groupSpecs(20, "cli-denied");
        await createGroups(direct("il-central-1"), list);
        const denied = nonCompliant(list, 3)[1]?.name ?? "";
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
            expect(outcome.result).to.deep.include({ failed: 1, failedGroups: [denied], changed: nonCompliant(list, 3).length - 1 });
            expect(putNames(proxy.calls("PutRetentionPolicy")).filter((name) => name !== denied)).to.have.length(nonCompliant(list, 3).length - 1);
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

            const run = await ciScript({ RETENTION_REGIONS: "ap-southeast-3", RETENTION_EXCLUDE_PREFIXES: EXCLUDE.excludePrefixes.join(","), RETENTION_EXCLUDE_PATTERNS: EXCLUDE.excludePatterns.join(","), RETENTION_REPORT: report, RETENTION_AUDIT: "false" }, moto.endpoint);

            expect(run.code, run.stderr).to.equal(0);
            expect(run.stdout).to.include("retention: target 3 days (limit 7 days, deletion lag 72 h), regions from RETENTION_REGIONS");
            expect(run.stdout).to.include(`ap-southeast-3: scanned 15, changed ${nonCompliant(list, 3).length},`);
            expect(run.stdout).to.include("retention: ok");
            expect((JSON.parse(fs.readFileSync(report, "utf8")) as EnforceRetentionReport).ok).to.equal(true);
            const after = await allGroups(direct("ap-southeast-3"));
            expect(nonCompliant(list, 3).every((spec) => after.get(spec.name)?.retentionInDays === 3)).to.equal(true);
        });

        it("without RETENTION_REGIONS covers every enabled region (dry run here)", async function () {
            const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "retention-ci-")), "retention.json");

            const run = await ciScript({ RETENTION_REGIONS: "", RETENTION_DRY_RUN: "true", RETENTION_REPORT: report, RETENTION_AUDIT: "false" }, moto.endpoint);

            expect(run.code, run.stderr).to.equal(0);
            expect(run.stdout).to.include("regions discovered: every enabled region");
            for (const region of MOTO_ENABLED_REGIONS) expect(run.stdout).to.match(new RegExp(`^${region}: scanned \\d+, would change \\d+,`, "m"));
        });

        it("fails the build on bad settings (exit 2, the CLI's message)", async function () {
            const run = await ciScript({ RETENTION_REGIONS: "eu-west-1", RETENTION_DAYS: "7" }, moto.endpoint);
            expect(run.code).to.equal(2);
            expect(run.stderr).to.include("--days 7: CloudWatch deletes events up to 72 h after their retention");
        });

        describe("then the audit of the whole account (an account of its own in moto)", function () {
            const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), "retention-ci-"));

            it("audits after the sweep: log groups kept forever before it pass after it (exit 0, both reports written)", async function () {
                const account = await newAccount(moto, "520987654321");
                try {
                    await Promise.all([logGroup(account, "eu-south-1", "/app/forever"), logGroup(account, "eu-south-1", "/app/month", 30), queue(account, "eu-south-1", "orders", 86_400)]);
                    const reports = dir();
                    const auditReport = path.join(reports, "audit.json");

                    const run = await ciScript({ RETENTION_REGIONS: "eu-south-1", RETENTION_REPORT: path.join(reports, "retention.json"), RETENTION_AUDIT_REPORT: auditReport }, moto.endpoint, account);

                    expect(run.code, run.stderr + run.stdout).to.equal(0);
                    expect(run.stdout).to.match(/^eu-south-1: scanned 2, changed 2,/m);
                    expect(run.stdout).to.match(/^audit: limit 7 days, regions eu-south-1, elasticsearch not audited: \d+ ok, 0 exempt, 0 too long, 0 unknown$/m);
                    expect(run.stdout).to.include("audit: ok");
                    const audit = JSON.parse(fs.readFileSync(auditReport, "utf8")) as AuditReport;
                    expect(audit.passed).to.equal(true);
                    expect(audit.stores.filter((store) => store.kind === "sqs").map((store) => [store.name, store.verdict])).to.deep.equal([["orders", "ok"]]);
                } finally {
                    account.clients.destroy();
                }
            });

            it("fails the build when the sweep is clean but another store keeps data too long, naming it", async function () {
                const account = await newAccount(moto, "530987654321");
                try {
                    await Promise.all([logGroup(account, "eu-south-1", "/app/api", 3), queue(account, "eu-south-1", "archive", 14 * 86_400)]);
                    const reports = dir();

                    const run = await ciScript({ RETENTION_REGIONS: "eu-south-1", RETENTION_REPORT: path.join(reports, "retention.json"), RETENTION_AUDIT_REPORT: path.join(reports, "audit.json") }, moto.endpoint, account);

                    expect(run.code, run.stderr + run.stdout).to.equal(1);
                    expect(run.stdout).to.include("retention: ok");
                    expect(run.stdout).to.match(/^ {2}too long {2}sqs archive \(eu-south-1\): 14d/m);
                    expect(run.stdout).to.include("audit: FAILED");
                } finally {
                    account.clients.destroy();
                }
            });
        });
    });
});
