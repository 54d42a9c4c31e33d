import { DEFAULT_LAGS, formatHours, HOURS_PER_DAY, logGroupWorstHours, longestLogGroupRetentionDays } from "../../components/dataProtection/ages";
import { ALLOWED_TARGET_DAYS, DEFAULT_SETTINGS, PUT_QUOTA_PER_SECOND, resolveSettings, RetentionSettings } from "../../functions/retention/config";
import { REGION_PATTERN } from "../../functions/retention/regions";
import { parseFlags, UsageError } from "../shared/args";

export { UsageError };

/** `npm run enforce-retention` options, validated. */
export interface EnforceRetentionOptions {
    /** The regions to sweep; undefined = every region enabled in the account (EC2 DescribeRegions). */
    regions?: string[];
    settings: RetentionSettings;
    /** The data-protection limit and CloudWatch's deletion lag the target was checked against. */
    maxAgeDays: number;
    deletionLagHours: number;
    dryRun: boolean;
    json: boolean;
}

/** The data-protection limit (days) when --max-age-days is not given: the platform's rule. */
export const DEFAULT_MAX_AGE_DAYS = 7;

export const USAGE = `Usage: npm run enforce-retention -- [--regions eu-west-1[,eu-west-2...]] [--days N] [--max-age-days ${DEFAULT_MAX_AGE_DAYS}] [--deletion-lag-hours ${DEFAULT_LAGS.cloudwatchHours}]
  [--stack prod] [--dry-run] [--json] [--exclude-prefix /aws/vendedlogs/]... [--exclude-pattern '^/legal-hold/']... [--puts-per-second ${DEFAULT_SETTINGS.putsPerSecond}]
Sets --days on every log group of each region that keeps logs longer or forever. --days defaults to the longest CloudWatch
retention whose data is gone within --max-age-days once CloudWatch's deletion lag (--deletion-lag-hours, "typically up to
72 hours" after the retention) is added: 3 days for 7 days and 72 h; a longer --days is refused. Without --regions, every
region enabled in the account (EC2 DescribeRegions from the default region). Groups of this platform's other stacks
(/aws/lambda/log-platform/<stack>/) are left alone: --stack names yours, which is swept. DELIVERY-class, excluded groups and
groups governed by an account-level retention policy are reported and left alone. --dry-run changes nothing and lists what
would change; --json prints one JSON document instead of the table. Exit 0 when every group is compliant, 1 when a group or
region failed or an account-level retention policy (RETENTION_POLICY) exists, 2 on bad flags.
AWS credentials come from the standard chain; AWS_ENDPOINT_URL is honoured (and read from .cache/services.env when
\`npm run services -- up\` wrote it). PutRetentionPolicy is limited to ${PUT_QUOTA_PER_SECOND}/s per account and region: keep --puts-per-second under it.`;

const STACK = /^[A-Za-z0-9_.-]+$/;

function wholeNumber(flag: string, text: string | undefined, fallback: number, max: number): number {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0 || value > max) throw new UsageError(`--${flag} ${JSON.stringify(text)} must be a whole number from 0 to ${max}`);
    return value;
}

export function parseEnforceRetentionArgs(argv: string[]): EnforceRetentionOptions {
    const values = parseFlags(argv, {
        regions: { type: "string" },
        days: { type: "string" },
        "max-age-days": { type: "string" },
        "deletion-lag-hours": { type: "string" },
        stack: { type: "string" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        "exclude-prefix": { type: "string", multiple: true },
        "exclude-pattern": { type: "string", multiple: true },
        "puts-per-second": { type: "string" },
    });
    let regions: string[] | undefined;
    if (values.regions !== undefined) {
        regions = [...new Set(values.regions.split(",").map((region) => region.trim()).filter((region) => region.length > 0))];
        const bad = regions.filter((region) => !REGION_PATTERN.test(region));
        if (regions.length === 0 || bad.length > 0) {
            throw new UsageError(`--regions ${JSON.stringify(values.regions)}: ${bad.length > 0 ? `${bad.join(", ")} is not an AWS region` : "no region given"}; pass a comma-separated list like eu-west-1,eu-west-2, or leave --regions out to sweep every enabled region`);
        }
    }

    const maxAgeDays = wholeNumber("max-age-days", values["max-age-days"], DEFAULT_MAX_AGE_DAYS, 3653);
    if (maxAgeDays < 1) throw new UsageError(`--max-age-days ${JSON.stringify(values["max-age-days"])} must be at least 1`);
    const deletionLagHours = wholeNumber("deletion-lag-hours", values["deletion-lag-hours"], DEFAULT_LAGS.cloudwatchHours, 336);
    const lags = { ...DEFAULT_LAGS, cloudwatchHours: deletionLagHours };
    const limitHours = maxAgeDays * HOURS_PER_DAY;
    const longest = longestLogGroupRetentionDays(limitHours, lags);
    const fits = longest === undefined ? [] : ALLOWED_TARGET_DAYS.filter((days) => days <= longest);
    const limits = `--max-age-days ${maxAgeDays} and --deletion-lag-hours ${deletionLagHours}`;
    if (fits.length === 0) {
        throw new UsageError(`no retention fits ${limits}: even 1 day + the ${deletionLagHours} h deletion lag is longer than ${maxAgeDays} day(s); raise --max-age-days or check --deletion-lag-hours`);
    }
    const longestAllowed = fits[fits.length - 1] as number;
    let days = longestAllowed;
    if (values.days !== undefined) {
        days = Number(values.days);
        if (!(ALLOWED_TARGET_DAYS as readonly number[]).includes(days)) {
            throw new UsageError(`--days ${JSON.stringify(values.days)} must be one of ${fits.join(", ")} (CloudWatch retention values whose data is gone within ${limits}); leave it out for ${longestAllowed}`);
        }
        const worst = logGroupWorstHours(days, lags);
        if (worst > limitHours) {
            throw new UsageError(
                `--days ${days}: CloudWatch deletes events up to ${deletionLagHours} h after their retention, so data could be kept ${formatHours(worst)}, past --max-age-days ${maxAgeDays}. Use --days ${longestAllowed} (the longest that fits; the default), or if your limit or lag differs, say so with --max-age-days / --deletion-lag-hours`,
            );
        }
    }

    const putsPerSecond = values["puts-per-second"] === undefined ? DEFAULT_SETTINGS.putsPerSecond : Number(values["puts-per-second"]);
    if (!Number.isFinite(putsPerSecond) || putsPerSecond <= 0 || putsPerSecond > PUT_QUOTA_PER_SECOND) {
        throw new UsageError(`--puts-per-second ${JSON.stringify(values["puts-per-second"])} must be a number above 0 and at most ${PUT_QUOTA_PER_SECOND} (the account's PutRetentionPolicy quota per region)`);
    }
    if (values.stack !== undefined && !STACK.test(values.stack)) {
        throw new UsageError(`--stack ${JSON.stringify(values.stack)} must be a Pulumi stack name (letters, digits, _ . -), e.g. --stack prod`);
    }
    const excludePrefixes = values["exclude-prefix"] ?? [];
    if (excludePrefixes.some((prefix) => prefix.length === 0)) throw new UsageError("--exclude-prefix '' would exclude every log group: give a prefix like /aws/vendedlogs/");
    const excludePatterns = values["exclude-pattern"] ?? [];
    for (const pattern of excludePatterns) {
        try {
            new RegExp(pattern);
        } catch (error) {
            throw new UsageError(`--exclude-pattern ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message}): quote it for the shell, e.g. '^/legal-hold/'`);
        }
    }
    return {
        ...(regions === undefined ? {} : { regions }),
        settings: resolveSettings({ targetDays: days, putsPerSecond, excludePrefixes, excludePatterns, ...(values.stack === undefined ? {} : { stack: values.stack }) }),
        maxAgeDays,
        deletionLagHours,
        dryRun: values["dry-run"] ?? false,
        json: values.json ?? false,
    };
}
