import { InputError } from "../shared/errors";

/** What a sweep-all decides from the enabled regions, the configured narrowing and the role's coverage. */
export interface RegionPlan {
    /** Enabled in the account (EC2 DescribeRegions), sorted. */
    discovered: string[];
    /** Enabled, within `retention.regions` when set, and covered by the role: each gets its own sweep. */
    toSweep: string[];
    /** Enabled and wanted, but the role's log-group grant does not name them (enabled after the last deployment). */
    notCovered: string[];
    /** Named in `retention.regions` but not enabled in the account: nothing to sweep there. */
    notEnabled: string[];
}

/**
 * The regions a sweep-all starts a sweep in. `onlyRegions` (retention.regions) narrows the discovered ones when it is
 * not empty; a wanted region the role does not cover is never skipped silently: it is returned in `notCovered` for
 * the caller to report.
 */
export function planRegions(discovered: string[], onlyRegions: string[], covered: string[]): RegionPlan {
    const wanted = onlyRegions.length > 0 ? discovered.filter((region) => onlyRegions.includes(region)) : discovered;
    return {
        discovered,
        toSweep: wanted.filter((region) => covered.includes(region)),
        notCovered: wanted.filter((region) => !covered.includes(region)),
        notEnabled: onlyRegions.filter((region) => !discovered.includes(region)).sort(),
    };
}

/** Reads the regions the role covers from the environment variable the component sets (comma-separated). */
export function parseCoveredRegions(text: string | undefined, variable: string): string[] {
    if (text === undefined || text.trim().length === 0) {
        throw new InputError(`${variable} is not set: the function cannot tell which regions its role covers; redeploy the stack (the RetentionEnforcer component sets it)`);
    }
    return [...new Set(text.split(",").map((region) => region.trim()).filter((region) => region.length > 0))];
}
