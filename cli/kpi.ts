import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SingleBar } from "cli-progress";

import { awsClientConfig } from "../functions/shared/awsClient";
import { describeError } from "../functions/shared/errors";
import { DEFAULT_THRESHOLDS, KpiFunctionConfig } from "../functions/kpi/config";
import { KpiRow, renderKpiLines, writeKpiObject } from "../functions/kpi/output";
import { computeDay } from "../functions/kpi/pipeline";
import { KpiCliOptions, parseKpiArgs, UsageError, USAGE } from "./kpi/args";
import { applyServicesEnv } from "./shared/servicesEnv";

/**
 * `npm run kpi`: computes (and writes, unless --dry-run) the KPIs of one day or a range of days with the
 * function's own code, against the standard AWS credential chain (AWS_ENDPOINT_URL honoured, and taken from
 * .cache/services.env when `npm run services -- up` wrote it).
 */
async function main(argv: string[]): Promise<number> {
    applyServicesEnv();
    let options: KpiCliOptions;
    try {
        options = parseKpiArgs(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`kpi: ${error.message}\n\n${USAGE}\n`);
            return 2;
        }
        throw error;
    }
    const config: KpiFunctionConfig = {
        tableName: options.table,
        indexName: options.index,
        bucket: options.bucket ?? "",
        timeZone: options.timeZone,
        recomputeDays: 1,
        currency: options.currency,
        topZones: options.topZones,
        expectTripsDaily: false,
        tripRetentionDays: options.tripRetentionDays,
        thresholds: DEFAULT_THRESHOLDS,
        querySegments: options.segments,
        maxAttempts: 8,
    };
    const clientConfig = awsClientConfig({ maxAttempts: config.maxAttempts });
    const dynamodb = new DynamoDBClient(clientConfig);
    const s3 = new S3Client(clientConfig);
    const bar = options.json || !process.stderr.isTTY ? undefined : new SingleBar({ format: "KPI days {bar} {value}/{total} {date}", stream: process.stderr, hideCursor: true });
    bar?.start(options.dates.length, 0, { date: "" });
    const rows: { row: KpiRow; key: string; ms: number; keptTooLong: number }[] = [];
    let failed = 0;
    for (const date of options.dates) {
        const started = Date.now();
        try {
            const day = await computeDay(dynamodb, config, date);
            const key = options.dryRun ? "(dry run: not written)" : (await writeKpiObject(s3, config.bucket, date, renderKpiLines([day.row]))).key;
            rows.push({ row: day.row, key, ms: Date.now() - started, keptTooLong: day.expiresAtMissing + day.expiresAtTooLate });
            if (options.json) process.stdout.write(renderKpiLines([day.row]));
        } catch (error) {
            failed++;
            process.stderr.write(`kpi: ${date} failed: ${describeError(error)}\n`);
        }
        bar?.increment(1, { date });
    }
    bar?.stop();
    if (!options.json) process.stdout.write(summaryTable(rows, options));
    return failed === 0 ? 0 : 1;
}

function summaryTable(rows: { row: KpiRow; key: string; ms: number; keptTooLong: number }[], options: KpiCliOptions): string {
    const money = (minor: number | null, digits: number) => (minor === null ? "-" : (minor / 10 ** digits).toFixed(digits));
    const header = ["day", "trips", "revenue", "mean", "tip rate", "km p50", "km p95", "min p50", "rejected", "kept too long", "object", "ms"];
    const lines = rows.map(({ row, key, ms, keptTooLong }) => [
        row.kpi_date,
        String(row.trips_completed),
        money(row.revenue_total_minor, row.currency_minor_digits),
        money(row.revenue_mean_minor, row.currency_minor_digits),
        row.tip_rate === null ? "-" : `${(row.tip_rate * 100).toFixed(1)}%`,
        row.distance_km_p50 === null ? "-" : row.distance_km_p50.toFixed(2),
        row.distance_km_p95 === null ? "-" : row.distance_km_p95.toFixed(2),
        row.duration_s_p50 === null ? "-" : (row.duration_s_p50 / 60).toFixed(1),
        String(row.records_rejected),
        String(keptTooLong),
        options.dryRun ? key : `s3://${options.bucket ?? ""}/${key}`,
        String(ms),
    ]);
    const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? "").length)));
    const render = (cells: string[]) => cells.map((cell, i) => (i === 0 || i >= 10 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ").trimEnd();
    return `${[render(header), render(widths.map((width) => "-".repeat(width))), ...lines.map(render)].join("\n")}\n(${options.currency}, days in ${options.timeZone}; kept too long: items with no expiresAt or one later than ${options.tripRetentionDays} days after completedAt)\n`;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`kpi: ${describeError(error)}\n`);
        process.exit(1);
    },
);
