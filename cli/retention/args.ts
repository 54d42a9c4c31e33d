import { ALLOWED_TARGET_DAYS, DEFAULT_SETTINGS, PUT_QUOTA_PER_SECOND, resolveSettings, RetentionSettings } from "../../functions/retention/config";
import { parseFlags, UsageError } from "../shared/args";

export { UsageError };

/** `npm run enforce-retention` options, validated. */
export interface EnforceRetentionOptions {
    regions: string[];
    settings: RetentionSettings;
    dryRun: boolean;
    json: boolean;
}


export const USAGE = `Usage: npm run enforce-retention -- --regions eu-west-1[,eu-west-2...] [--days 7] [--dry-run] [--json]
  [--exclude-prefix /aws/vendedlogs/]... [--exclude-pattern '^/legal-hold/']... [--puts-per-second ${DEFAULT_SETTINGS.putsPerSecond}]
Sets --days (one of ${ALLOWED_TARGET_DAYS.join(", ")}; default 7) on every log group of each region that keeps logs longer or forever;
DELIVERY-class and excluded groups are reported and left alone. --dry-run changes nothing and lists what would change;
--json prints one JSON document instead of the table. Exit 0 when every group is compliant, 1 when a group or region failed, 2 on bad flags.
AWS credentials come from the standard chain; AWS_ENDPOINT_URL is honoured (and read from .cache/services.env when
\`npm run services -- up\` wrote it). PutRetentionPolicy is limited to ${PUT_QUOTA_PER_SECOND}/s per account and region: keep --puts-per-second under it.`;

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export function parseEnforceRetentionArgs(argv: string[]): EnforceRetentionOptions {
    const values = parseFlags(argv, {
        regions: { type: "string" },
        days: { type: "string" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        "exclude-prefix": { type: "string", multiple: true },
        "exclude-pattern": { type: "string", multiple: true },
        "puts-per-second": { type: "string" },
    });
    if (values.regions === undefined) throw new UsageError("--regions is missing: pass the regions to sweep, e.g. --regions eu-west-1,eu-west-2");
    const regions = [...new Set(values.regions.split(",").map((region) => region.trim()).filter((region) => region.length > 0))];
    const bad = regions.filter((region) => !REGION.test(region));
    if (regions.length === 0 || bad.length > 0) {
        throw new UsageError(`--regions ${JSON.stringify(values.regions)}: ${bad.length > 0 ? `${bad.join(", ")} is not an AWS region` : "no region given"}; pass a comma-separated list like eu-west-1,eu-west-2`);
    }
    const days = values.days === undefined ? DEFAULT_SETTINGS.targetDays : Number(values.days);
    if (!(ALLOWED_TARGET_DAYS as readonly number[]).includes(days)) {
        throw new UsageError(`--days ${JSON.stringify(values.days)} must be one of ${ALLOWED_TARGET_DAYS.join(", ")} (CloudWatch retention values within the 7-day rule)`);
    }
    const putsPerSecond = values["puts-per-second"] === undefined ? DEFAULT_SETTINGS.putsPerSecond : Number(values["puts-per-second"]);
    if (!Number.isFinite(putsPerSecond) || putsPerSecond <= 0 || putsPerSecond > PUT_QUOTA_PER_SECOND) {
        throw new UsageError(`--puts-per-second ${JSON.stringify(values["puts-per-second"])} must be a number above 0 and at most ${PUT_QUOTA_PER_SECOND} (the account's PutRetentionPolicy quota per region)`);
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
        regions,
        settings: resolveSettings({ targetDays: days, putsPerSecond, excludePrefixes, excludePatterns }),
        dryRun: values["dry-run"] ?? false,
        json: values.json ?? false,
    };
}
