import { SweepResult } from "../../functions/retention/sweep";

/** One region's outcome: a finished sweep, or the error that stopped it. */
export type RegionOutcome = { region: string; ms: number; result: SweepResult } | { region: string; ms: number; error: string };

/** What `--json` prints: every region's counts and names, and whether the run succeeded. */
export interface EnforceRetentionReport {
    ok: boolean;
    dryRun: boolean;
    targetDays: number;
    regions: RegionOutcome[];
}

/** A region failed when its sweep stopped with an error or left a group it could not set. */
export function regionFailed(outcome: RegionOutcome): boolean {
    return "error" in outcome || outcome.result.failed > 0 || !outcome.result.complete;
}

export function buildReport(outcomes: RegionOutcome[], dryRun: boolean, targetDays: number): EnforceRetentionReport {
    return { ok: outcomes.every((outcome) => !regionFailed(outcome)), dryRun, targetDays, regions: outcomes };
}

/** The summary table, then the names of failed groups (and, in a dry run, of the groups that would change). */
export function renderSummary(report: EnforceRetentionReport): string {
    const changedTitle = report.dryRun ? "would change" : "changed";
    const header = ["region", "scanned", changedTitle, "compliant", "delivery", "excluded", "failed", "vanished", "seconds", "status"];
    const rows = report.regions.map((outcome) => {
        const seconds = (outcome.ms / 1000).toFixed(1);
        if ("error" in outcome) return [outcome.region, "-", "-", "-", "-", "-", "-", "-", seconds, "ERROR"];
        const r = outcome.result;
        return [
            outcome.region,
            String(r.scanned),
            String(report.dryRun ? r.wouldChange : r.changed),
            String(r.compliant),
            String(r.deliverySkipped),
            String(r.excluded),
            String(r.failed),
            String(r.vanished),
            seconds,
            regionFailed(outcome) ? "FAILED" : "ok",
        ];
    });
    const totals = ["total", ...[1, 2, 3, 4, 5, 6, 7].map((column) => String(rows.reduce((sum, row) => sum + (Number(row[column]) || 0), 0))), "", report.ok ? "ok" : "FAILED"];
    const all = [...rows, totals];
    const widths = header.map((title, i) => Math.max(title.length, ...all.map((row) => (row[i] ?? "").length)));
    const render = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === 9 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ").trimEnd();
    const lines = [render(header), render(widths.map((width) => "-".repeat(width))), ...rows.map(render), render(widths.map((width) => "-".repeat(width))), render(totals)];
    lines.push(`(${report.dryRun ? "dry run: nothing changed; " : ""}target ${report.targetDays} days)`);
    for (const outcome of report.regions) {
        if ("error" in outcome) {
            lines.push(`${outcome.region}: sweep stopped: ${outcome.error}`);
            continue;
        }
        const r = outcome.result;
        const more = r.listsTruncated ? " (list capped; see the counts)" : "";
        if (r.failedGroups.length > 0) lines.push(`${outcome.region}: could not set ${r.failed} group(s)${more}:`, ...r.failedGroups.map((name) => `  ${name}`));
        if (report.dryRun && r.changedGroups.length > 0) lines.push(`${outcome.region}: would set ${report.targetDays} days on ${r.wouldChange} group(s)${more}:`, ...r.changedGroups.map((name) => `  ${name}`));
        if (r.deliveryGroups.length > 0) lines.push(`${outcome.region}: ${r.deliverySkipped} DELIVERY-class group(s) skipped (their retention is set by the service)`);
    }
    return `${lines.join("\n")}\n`;
}
