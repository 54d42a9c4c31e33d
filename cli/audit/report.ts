import { formatHours, HOURS_PER_DAY, DeletionLags } from "../../components/dataProtection/ages";
import type { AuditResult } from "../../functions/audit/audit";
import { AuditRow, AuditVerdict, STORE_KINDS, StoreKind } from "../../functions/audit/model";

/** What the audit judged against, and where, for the report's header. */
export interface AuditContext {
    limitDays: number;
    lags: DeletionLags;
    stack?: string;
    elasticsearch: { audited: true; endpoint: string; pattern: string } | { audited: false; reason: string };
}

/** One store in the JSON report: the row, with its worst case as hours ("forever" when unbounded) and as text. */
export interface ReportStore extends Omit<AuditRow, "worstHours"> {
    worstHours: number | "forever" | null;
    worstCase: string;
}

/** `npm run audit-retention -- --json`: one document. */
export interface AuditReport {
    passed: boolean;
    limitDays: number;
    deletionLagHours: { cloudwatch: number; s3: number; dynamodbTtl: number };
    stack: string | null;
    regions: string[];
    elasticsearch: AuditContext["elasticsearch"];
    /** Stores per verdict (a summary row of compliant log groups counts each group). */
    counts: Record<AuditVerdict, number>;
    bucketsOutsideRegions: number;
    stores: ReportStore[];
}

const TITLES: Record<StoreKind, string> = {
    "log-groups": "CloudWatch Logs log groups (effective retention, account policies included, + deletion lag)",
    "log-account-policies": "CloudWatch Logs account retention policies (RETENTION_POLICY; 30 days at least)",
    s3: "S3 buckets (every key: lifecycle, versions, incomplete uploads, Object Lock; + midnight rounding and removal lag)",
    sqs: "SQS queues (retention; FIFO dead-letter queues add their sources' time)",
    kinesis: "Kinesis data streams (retention)",
    dynamodb: "DynamoDB tables (item lifetime + TTL lag, point-in-time recovery, backups)",
    athena: "Athena workgroups (their result location's lifecycle)",
    elasticsearch: "Elasticsearch data streams of the shipper (rollover + data_retention + lifecycle runs)",
};

function worstText(row: AuditRow): string {
    return row.worstHours === undefined ? "?" : formatHours(row.worstHours);
}

export function buildReport(result: AuditResult, context: AuditContext): AuditReport {
    return {
        passed: result.passed,
        limitDays: context.limitDays,
        deletionLagHours: { cloudwatch: context.lags.cloudwatchHours, s3: context.lags.s3Hours, dynamodbTtl: context.lags.dynamodbTtlHours },
        stack: context.stack ?? null,
        regions: result.regions,
        elasticsearch: context.elasticsearch,
        counts: result.counts,
        bucketsOutsideRegions: result.bucketsElsewhere,
        stores: result.rows.map((row) => ({
            ...row,
            worstHours: row.worstHours === undefined ? null : Number.isFinite(row.worstHours) ? Math.round(row.worstHours * 100) / 100 : "forever",
            worstCase: worstText(row),
        })),
    };
}

function table(header: string[], rows: string[][]): string[] {
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
    const line = (cells: string[]) => `  ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd()}`;
    return [line(header), ...rows.map(line)];
}

/** The text report: a table per store kind (name, region, how it keeps data, worst case, verdict, note), then the summary. */
export function renderReport(report: AuditReport): string {
    const lines: string[] = [];
    const lags = report.deletionLagHours;
    lines.push(
        `Retention audit: nothing kept longer than ${report.limitDays} days (${report.limitDays * HOURS_PER_DAY}h), deletion lags cloudwatch ${lags.cloudwatch}h, s3 ${lags.s3}h, dynamodbTtl ${lags.dynamodbTtl}h` +
            `${report.stack ? `, stack ${report.stack}` : ""}; regions ${report.regions.join(", ")}`,
    );
    for (const kind of STORE_KINDS) {
        const rows = report.stores.filter((store) => store.kind === kind);
        lines.push("", TITLES[kind]);
        if (kind === "elasticsearch" && !report.elasticsearch.audited) {
            lines.push(`  not audited: ${report.elasticsearch.reason}`);
            continue;
        }
        if (rows.length === 0) {
            lines.push(kind === "elasticsearch" && report.elasticsearch.audited ? `  no data stream matches ${report.elasticsearch.pattern}` : "  none");
            continue;
        }
        const withNotes = rows.some((row) => row.note !== undefined);
        const header = ["name", "region", "keeps", "worst case", "verdict", ...(withNotes ? ["note"] : [])];
        lines.push(...table(header, rows.map((row) => [row.name, row.region, row.keeps, row.worstCase, row.verdict, ...(withNotes ? [row.note ?? ""] : [])])));
    }
    const counts = report.counts;
    const total = counts.ok + counts.exempt + counts["too long"] + counts.unknown;
    lines.push(
        "",
        `Summary: ${total} store${total === 1 ? "" : "s"}: ${counts.ok} ok, ${counts.exempt} exempt, ${counts["too long"]} too long, ${counts.unknown} unknown` +
            (report.bucketsOutsideRegions > 0 ? `; ${report.bucketsOutsideRegions} bucket${report.bucketsOutsideRegions === 1 ? "" : "s"} in other regions not audited` : ""),
    );
    if (report.passed) {
        lines.push(`PASS: every store keeps data at most ${report.limitDays} days (or within its exemption)`);
    } else {
        const failing = report.stores.filter((store) => store.verdict === "too long" || store.verdict === "unknown");
        lines.push(`FAIL: ${failing.length} store${failing.length === 1 ? "" : "s"} can keep data longer than ${report.limitDays} days or could not be read:`);
        for (const store of failing) lines.push(`  ${store.verdict === "unknown" ? "unknown " : "too long"}  ${store.kind} ${store.name} (${store.region}): ${store.worstCase}${store.note ? ` - ${store.note}` : ""}`);
    }
    return `${lines.join("\n")}\n`;
}
