import { MultiBar, Presets } from "cli-progress";

import { describeError } from "../functions/shared/errors";
import { discoverEnabledRegions } from "../functions/retention/regions";
import { sweepRegion } from "../functions/retention/sweep";
import { EnforceRetentionOptions, parseEnforceRetentionArgs, USAGE, UsageError } from "./retention/args";
import { buildReport, RegionOutcome, renderSummary } from "./retention/report";
import { applyServicesEnv } from "./shared/servicesEnv";

/**
 * `npm run enforce-retention`: the same sweep the scheduled function runs, for every given region (or every region
 * enabled in the account) at once (quotas are per region), with the standard AWS credential chain. Exit 0 = every
 * group compliant, 1 = a group or a region failed or an account-level retention policy exists, 2 = bad flags.
 */
async function main(argv: string[]): Promise<number> {
    let options: EnforceRetentionOptions;
    try {
        options = parseEnforceRetentionArgs(argv);
    } catch (error) {
        if (error instanceof UsageError || (error instanceof Error && error.name === "InputError")) {
            process.stderr.write(`enforce-retention: ${error.message}\n\n${USAGE}\n`);
            return 2;
        }
        throw error;
    }
    applyServicesEnv();

    let regions = options.regions;
    if (regions === undefined) {
        const home = process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"];
        if (home === undefined || home.length === 0) {
            process.stderr.write(`enforce-retention: no --regions and no default region to discover the enabled ones from: set AWS_REGION (e.g. AWS_REGION=eu-west-1) or pass --regions\n\n${USAGE}\n`);
            return 2;
        }
        regions = await discoverEnabledRegions(home);
        if (!options.json) process.stderr.write(`enforce-retention: ${regions.length} enabled region(s) discovered from ${home}: ${regions.join(", ")}\n`);
    }

    const showProgress = !options.json && process.stderr.isTTY === true;
    const bars = showProgress
        ? new MultiBar({ format: "{region} {bar} {value} groups scanned, {changed} {verb}, {failed} failed", stream: process.stderr, hideCursor: true, clearOnComplete: false }, Presets.shades_classic)
        : undefined;
    const verb = options.dryRun ? "would change" : "changed";

    const outcomes: RegionOutcome[] = await Promise.all(
        regions.map(async (region): Promise<RegionOutcome> => {
            // The total is unknown until the last page: it grows one page ahead of what was scanned.
            const bar = bars?.create(50, 0, { region: region.padEnd(14), changed: 0, failed: 0, verb });
            const started = Date.now();
            try {
                const result = await sweepRegion({
                    region,
                    settings: options.settings,
                    dryRun: options.dryRun,
                    onPage: (totals) => {
                        bar?.setTotal(totals.scanned + 50);
                        bar?.update(totals.scanned, { changed: options.dryRun ? totals.wouldChange : totals.changed, failed: totals.failed });
                    },
                });
                bar?.setTotal(result.scanned);
                bar?.update(result.scanned, { changed: options.dryRun ? result.wouldChange : result.changed, failed: result.failed });
                return { region, ms: Date.now() - started, result };
            } catch (error) {
                return { region, ms: Date.now() - started, error: describeError(error) };
            }
        }),
    );
    bars?.stop();

    const report = buildReport(outcomes, {
        dryRun: options.dryRun,
        targetDays: options.settings.targetDays,
        maxAgeDays: options.maxAgeDays,
        deletionLagHours: options.deletionLagHours,
        regionsFrom: options.regions === undefined ? "discovered" : "--regions",
        ...(options.settings.stack === undefined ? {} : { stack: options.settings.stack }),
    });
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderSummary(report));
    return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`enforce-retention: ${describeError(error)}\n`);
        process.exit(1);
    },
);
