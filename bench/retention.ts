/**
 * Retention enforcer benchmark (not a test), every figure measured in one run against a fresh moto:
 *  1. a sweep of N log groups (default 10,000; mixed retention, some excluded) to the deployed target (the longest
 *     retention that fits 7 days with CloudWatch's 72 h deletion lag: 3 days) through a recording loopback proxy:
 *     API calls made / the minimum (one DescribeAccountPolicies, ceil(N/50) DescribeLogGroups and one
 *     PutRetentionPolicy per non-compliant group),
 *     the highest number of puts in any one-second window / the configured pace, and the wall time / the floor
 *     (non-compliant groups ÷ pace). Moto has no quota, so this run paces above AWS's 5/s to keep it short (at
 *     100/s the sweep becomes bound by moto's DescribeLogGroups latency over 10,000 groups, the page-token chain
 *     being sequential; 50/s measures the enforcer, not moto);
 *  2. the same at the deployed pace (retention.putsPerSecond default 4/s, within the quota) on a smaller sample;
 *  3. the zipped size of the deployed function (bench/lib/bundle.ts, the component's packages).
 * Creating the groups is not timed (done concurrently, straight to moto).
 *
 * Usage: npm run bench:retention [-- --groups 10000 --pace 50 --sample 150]
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

import { DEFAULT_LAGS, HOURS_PER_DAY, longestLogGroupRetentionDays } from "../components/dataProtection/ages";
import { retentionFunctionConfig } from "../components/retentionEnforcer";
import { DEFAULT_SETTINGS, resolveSettings } from "../functions/retention/config";
import { makeRetentionHandler } from "../functions/retention/handler";
import { createPacedLogsClient } from "../functions/retention/logsClient";
import { PAGE_SIZE, sweepRegion } from "../functions/retention/sweep";
import { LoopbackProxy } from "../test/harness/proxy";
import { startMoto } from "../test/harness/services/moto";
import { createGroups, EXCLUDE, groupSpecs, maxPerSecond, nonCompliant } from "../test/integration/retention/groups";
import { RETENTION_PACKAGES } from "../components/retentionEnforcer";
import { bundleSize } from "./lib/bundle";

/** The target the deployed function applies with the default limit and lag (3 days). */
const TARGET_DAYS = longestLogGroupRetentionDays(7 * HOURS_PER_DAY, DEFAULT_LAGS) ?? 1;

function flag(name: string, fallback: number): number {
    const index = process.argv.indexOf(`--${name}`);
    const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
}

interface Row {
    metric: string;
    measured: string;
    target: string;
    pass: boolean;
}

interface SweepFigures {
    groups: number;
    nonCompliant: number;
    describes: number;
    puts: number;
    minimum: number;
    highestPutsPerSecond: number;
    wallMs: number;
    floorMs: number;
    pace: number;
}

/** Creates `count` groups in `region` (untimed), then times one sweep of them through the recording proxy. */
async function measuredSweep(motoEndpoint: string, region: string, count: number, pace: number, describesPerSecond: number): Promise<SweepFigures> {
    const specs = groupSpecs(count, `bench-${count}`);
    const direct = new CloudWatchLogsClient({ region, endpoint: motoEndpoint });
    const createStarted = Date.now();
    await createGroups(direct, specs, 32);
    console.log(`  created ${count.toLocaleString("en")} groups in ${region} in ${((Date.now() - createStarted) / 1000).toFixed(1)} s (not timed)`);
    const proxy = await LoopbackProxy.start({ upstream: motoEndpoint });
    try {
        const settings = resolveSettings({ ...EXCLUDE, targetDays: TARGET_DAYS, putsPerSecond: pace, describesPerSecond }, { allowAboveQuota: true });
        const client = createPacedLogsClient(region, settings, { endpoint: proxy.endpoint });
        const started = Date.now();
        const result = await sweepRegion({ region, settings, client });
        const wallMs = Date.now() - started;
        const expected = nonCompliant(specs, TARGET_DAYS).length;
        if (!result.complete || result.failed > 0 || result.changed !== expected || result.scanned !== count) {
            throw new Error(`the sweep did not do its job: ${JSON.stringify({ complete: result.complete, scanned: result.scanned, changed: result.changed, expected, failed: result.failed })}`);
        }
        const puts = proxy.calls("PutRetentionPolicy");
        return {
            groups: count,
            nonCompliant: expected,
            describes: proxy.calls("DescribeLogGroups").length + proxy.calls("DescribeAccountPolicies").length,
            puts: puts.length,
            // One DescribeAccountPolicies (the region's account-level retention policies), then the pages and the puts.
            minimum: 1 + Math.ceil(count / PAGE_SIZE) + expected,
            highestPutsPerSecond: maxPerSecond(puts.map((call) => call.at)),
            wallMs,
            floorMs: (expected / pace) * 1000,
            pace,
        };
    } finally {
        await proxy.stop();
    }
}

function sweepRows(label: string, figures: SweepFigures): Row[] {
    const calls = figures.describes + figures.puts;
    const callRatio = calls / figures.minimum;
    const rateRatio = figures.highestPutsPerSecond / figures.pace;
    const wallRatio = figures.wallMs / figures.floorMs;
    console.log(
        `  ${label}: ${figures.groups.toLocaleString("en")} groups, ${figures.nonCompliant.toLocaleString("en")} non-compliant; ${figures.describes} describes + ${figures.puts.toLocaleString("en")} puts; ` +
            `busiest second ${figures.highestPutsPerSecond} puts at a pace of ${figures.pace}/s; ${(figures.wallMs / 1000).toFixed(1)} s against a floor of ${(figures.floorMs / 1000).toFixed(1)} s`,
    );
    return [
        { metric: `${label}: API calls / minimum (${calls.toLocaleString("en")} / ${figures.minimum.toLocaleString("en")})`, measured: callRatio.toFixed(3), target: "1.00", pass: callRatio <= 1.0 },
        { metric: `${label}: highest puts in 1 s / pace (${figures.highestPutsPerSecond} / ${figures.pace})`, measured: rateRatio.toFixed(3), target: "<= 1.00", pass: rateRatio <= 1.0 },
        { metric: `${label}: wall time / floor (${(figures.wallMs / 1000).toFixed(1)} s / ${(figures.floorMs / 1000).toFixed(1)} s)`, measured: wallRatio.toFixed(3), target: "<= 1.10", pass: wallRatio <= 1.1 },
    ];
}

function printTable(rows: Row[]): void {
    const header = ["metric", "measured", "target", "verdict"];
    const cells = rows.map((row) => [row.metric, row.measured, row.target, row.pass ? "PASS" : "MISS"]);
    const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => (line[i] ?? "").length)));
    const render = (line: string[]) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
    console.log([render(header), render(widths.map((width) => "-".repeat(width))), ...cells.map(render)].join("\n"));
}

async function main(): Promise<void> {
    const groups = flag("groups", 10_000);
    const pace = flag("pace", 50);
    const sample = flag("sample", 150);
    const rows: Row[] = [];

    console.log("3. bundle");
    const config = retentionFunctionConfig(
        { maxRetentionDays: TARGET_DAYS, schedule: "rate(1 hour)", regions: [], excludePrefixes: [], excludePatterns: [], putsPerSecond: DEFAULT_SETTINGS.putsPerSecond, onCreate: true, createTrail: true },
        "eu-west-1",
        "prod",
    );
    const bundle = await bundleSize(makeRetentionHandler(config), RETENTION_PACKAGES);
    console.log(`  zipped function: ${(bundle.zipBytes / 1024).toFixed(0)} KiB, ${bundle.files} files, packages: ${bundle.packages.join(", ")}`);

    const moto = await startMoto();
    // Every client here is given moto's (or the proxy's) loopback endpoint; moto accepts any credentials.
    process.env["AWS_ACCESS_KEY_ID"] = "testing";
    process.env["AWS_SECRET_ACCESS_KEY"] = "testing";
    try {
        console.log(`1. one sweep of ${groups.toLocaleString("en")} groups at ${pace} puts/s (above AWS's 5/s: moto has no quota), describes at 10/s`);
        rows.push(...sweepRows(`${groups.toLocaleString("en")} groups @ ${pace}/s`, await measuredSweep(moto.endpoint, "eu-west-2", groups, pace, 10)));
        console.log(`2. one sweep of ${sample} groups at the deployed pace (${DEFAULT_SETTINGS.putsPerSecond} puts/s, ${DEFAULT_SETTINGS.describesPerSecond} describes/s)`);
        rows.push(...sweepRows(`${sample} groups @ ${DEFAULT_SETTINGS.putsPerSecond}/s`, await measuredSweep(moto.endpoint, "eu-west-3", sample, DEFAULT_SETTINGS.putsPerSecond, DEFAULT_SETTINGS.describesPerSecond)));
    } finally {
        await moto.stop();
    }
    rows.push({ metric: "zipped size of the deployed function", measured: `${(bundle.zipBytes / 1024 / 1024).toFixed(3)} MB`, target: "<= 0.500 MB", pass: bundle.zipBytes <= 0.5 * 1024 * 1024 });
    console.log();
    printTable(rows);
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(`bench:retention: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        process.exit(1);
    },
);
