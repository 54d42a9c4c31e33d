import { deletePolicyCommand, describeRetention } from "../../functions/retention/accountPolicies";
import { PLATFORM_LOG_GROUP_ROOT } from "../../functions/retention/config";
import { SweepResult } from "../../functions/retention/sweep";

/** One region's outcome: a finished sweep, or the error that stopped it. */
export type RegionOutcome = { region: string; ms: number; result: SweepResult } | { region: string; ms: number; error: string };

/** An account-level retention policy found by the sweep, with what it overrides and how to remove it. */
export interface AccountPolicyFinding {
    region: string;
    policyName: string;
    /** "60 days", "never expires" or "unreadable document". */
    retention: string;
    enforcementMode?: string;
    /** `LogGroupNamePrefix IN [...]`, or "every log group". */
    selects: string;
    /** Log groups of the region it governs (their own retention has no effect). */
    overriddenGroups: number;
    fix: string;
}

/** What `--json` prints: every region's counts and names, the account policies, and whether the run succeeded. */
export interface EnforceRetentionReport {
    /** False when a region failed or an account-level retention policy exists. */
    ok: boolean;
    dryRun: boolean;
    targetDays: number;
    maxAgeDays: number;
    deletionLagHours: number;
    /** Where the regions came from: the --regions flag, or EC2 DescribeRegions (every enabled region). */
    regionsFrom: "--regions" | "discovered";
    /** The stack whose own groups were swept (other stacks' are left alone); absent: every platform stack's were left alone. */
    stack?: string;
    accountPolicies: AccountPolicyFinding[];
    regions: RegionOutcome[];
}

/** A region failed when its sweep stopped with an error, left a group it could not set, or could not list the account policies. */
export function regionFailed(outcome: RegionOutcome): boolean {
    return "error" in outcome || outcome.result.failed > 0 || !outcome.result.complete || outcome.result.accountPoliciesError !== undefined;
}

export function buildReport(
    outcomes: RegionOutcome[],
    run: { dryRun: boolean; targetDays: number; maxAgeDays: number; deletionLagHours: number; regionsFrom: "--regions" | "discovered"; stack?: string },
): EnforceRetentionReport {
    const accountPolicies = outcomes.flatMap((outcome) =>
        "error" in outcome
            ? []
            : outcome.result.accountPolicies.map((policy) => ({
                  region: outcome.region,
                  policyName: policy.policyName,
                  retention: describeRetention(policy),
                  ...(policy.enforcementMode === undefined ? {} : { enforcementMode: policy.enforcementMode }),
                  selects: policy.selectionCriteria ?? "every log group",
                  overriddenGroups: outcome.result.overriddenByPolicy[policy.policyName] ?? 0,
                  fix: deletePolicyCommand(policy.policyName, outcome.region),
              })),
    );
    return { ok: outcomes.every((outcome) => !regionFailed(outcome)) && accountPolicies.length === 0, ...run, accountPolicies, regions: outcomes };
}

/** The summary table, then the account policies, then the names of failed, overridden (and, in a dry run, to-be-changed) groups. */
export function renderSummary(report: EnforceRetentionReport): string {
    const changedTitle = report.dryRun ? "would change" : "changed";
    const header = ["region", "scanned", changedTitle, "compliant", "delivery", "excluded", "overridden", "failed", "vanished", "seconds", "status"];
    const withPolicy = new Set(report.accountPolicies.map((finding) => finding.region));
    const rows = report.regions.map((outcome) => {
        const seconds = (outcome.ms / 1000).toFixed(1);
        if ("error" in outcome) return [outcome.region, "-", "-", "-", "-", "-", "-", "-", "-", seconds, "ERROR"];
        const r = outcome.result;
        return [
            outcome.region,
            String(r.scanned),
            String(report.dryRun ? r.wouldChange : r.changed),
            String(r.compliant),
            String(r.deliverySkipped),
            String(r.excluded),
            String(r.overridden),
            String(r.failed),
            String(r.vanished),
            seconds,
            regionFailed(outcome) ? "FAILED" : withPolicy.has(outcome.region) ? "POLICY" : "ok",
        ];
    });
    const status = header.length - 1;
    const totals = ["total", ...[1, 2, 3, 4, 5, 6, 7, 8].map((column) => String(rows.reduce((sum, row) => sum + (Number(row[column]) || 0), 0))), "", report.ok ? "ok" : "FAILED"];
    const all = [...rows, totals];
    const widths = header.map((title, i) => Math.max(title.length, ...all.map((row) => (row[i] ?? "").length)));
    const render = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === status ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ").trimEnd();
    const lines = [render(header), render(widths.map((width) => "-".repeat(width))), ...rows.map(render), render(widths.map((width) => "-".repeat(width))), render(totals)];
    const limit = `within --max-age-days ${report.maxAgeDays} with a ${report.deletionLagHours} h deletion lag`;
    lines.push(`(${report.dryRun ? "dry run: nothing changed; " : ""}target ${report.targetDays} days, ${limit}; regions ${report.regionsFrom === "discovered" ? "discovered: every enabled region" : "from --regions"})`);
    for (const finding of report.accountPolicies) {
        lines.push(
            `${finding.region}: ACCOUNT-LEVEL RETENTION POLICY "${finding.policyName}" keeps logs ${finding.retention} (${finding.enforcementMode ?? "mode unknown"}, selects ${finding.selects}) and overrides ${finding.overriddenGroups} log group(s): their retention cannot be enforced. Delete it: ${finding.fix}`,
        );
    }
    for (const outcome of report.regions) {
        if ("error" in outcome) {
            lines.push(`${outcome.region}: sweep stopped: ${outcome.error}`);
            continue;
        }
        const r = outcome.result;
        const more = r.listsTruncated ? " (list capped; see the counts)" : "";
        if (r.accountPoliciesError !== undefined) lines.push(`${outcome.region}: account-level retention policies could not be listed (the region is not verified): ${r.accountPoliciesError}`);
        if (r.failedGroups.length > 0) lines.push(`${outcome.region}: could not set ${r.failed} group(s)${more}:`, ...r.failedGroups.map((name) => `  ${name}`));
        if (r.overriddenGroups.length > 0) lines.push(`${outcome.region}: ${r.overridden} group(s) governed by an account-level retention policy, not put${more}:`, ...r.overriddenGroups.map((name) => `  ${name}`));
        if (report.dryRun && r.changedGroups.length > 0) lines.push(`${outcome.region}: would set ${report.targetDays} days on ${r.wouldChange} group(s)${more}:`, ...r.changedGroups.map((name) => `  ${name}`));
        if (r.otherStack > 0) {
            const yours = report.stack === undefined ? "pass --stack to sweep your own" : `yours, ${report.stack}, was swept`;
            lines.push(`${outcome.region}: ${r.otherStack} group(s) of other stacks of this platform left alone (${PLATFORM_LOG_GROUP_ROOT}<stack>/: their own enforcer keeps them; ${yours})`);
        }
        if (r.deliveryGroups.length > 0) lines.push(`${outcome.region}: ${r.deliverySkipped} DELIVERY-class group(s) skipped (their retention is set by the service)`);
    }
    return `${lines.join("\n")}\n`;
}
