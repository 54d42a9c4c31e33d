import { MAX_DAYS_PER_INVOCATION } from "../../functions/kpi/config";
import { dateRange, daysPastTripRetention, parseDate } from "../../functions/kpi/days";
import { parseFlags, UsageError } from "../shared/args";

export { UsageError };

/** `npm run kpi` options, validated. */
export interface KpiCliOptions {
    dates: string[];
    table: string;
    index: string;
    bucket?: string;
    dryRun: boolean;
    json: boolean;
    timeZone: string;
    currency: string;
    topZones: number;
    segments: number;
    /** Days a trip item may be kept after completedAt (kpi.tripRetentionDays): items kept longer are counted. */
    tripRetentionDays: number;
    /** Write days whose trips may already have expired (their objects become partial days). */
    allowExpiredDays: boolean;
}


export const USAGE = `Usage: npm run kpi -- (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD) --table NAME (--bucket NAME | --dry-run)
  [--index completedDate-index] [--time-zone UTC] [--currency USD] [--top-zones 10] [--segments 1] [--trip-retention-days 3] [--json]
  [--allow-expired-days]   write days that began more than --trip-retention-days ago too (their trips may be gone)
AWS credentials come from the standard chain; AWS_ENDPOINT_URL is honoured (the local moto of \`npm run services -- up\`).
--dry-run prints the KPIs without writing; --json prints them as JSON lines instead of a table.
(backfills of more than ${MAX_DAYS_PER_INVOCATION} days are fine here; the Lambda takes at most ${MAX_DAYS_PER_INVOCATION} a call)`;

function positiveInt(flag: string, text: string | undefined, fallback: number, max: number): number {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`--${flag} ${JSON.stringify(text)} must be a whole number from 1 to ${max}`);
    return value;
}

export function parseKpiArgs(argv: string[], env: NodeJS.ProcessEnv = process.env, nowMs = Date.now()): KpiCliOptions {
    const values = parseFlags(argv, {
        date: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        table: { type: "string" },
        index: { type: "string" },
        bucket: { type: "string" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        "time-zone": { type: "string" },
        currency: { type: "string" },
        "top-zones": { type: "string" },
        segments: { type: "string" },
        "trip-retention-days": { type: "string" },
        "allow-expired-days": { type: "boolean" },
    });
    const wrap = <T>(flag: string, action: () => T): T => {
        try {
            return action();
        } catch (error) {
            const message = (error as Error).message;
            throw new UsageError(message.startsWith(`--${flag}`) ? message : `--${flag}: ${message}`);
        }
    };
    let dates: string[];
    if (values.date !== undefined) {
        if (values.from !== undefined || values.to !== undefined) throw new UsageError("--date cannot be combined with --from/--to: give one day with --date, or a range with --from and --to");
        wrap("date", () => parseDate(values.date as string, "--date"));
        dates = [values.date];
    } else if (values.from !== undefined && values.to !== undefined) {
        const from = values.from;
        const to = values.to;
        dates = wrap("from/--to", () => dateRange(from, to));
    } else if (values.from !== undefined || values.to !== undefined) {
        throw new UsageError(`--${values.from === undefined ? "from" : "to"} is missing: a backfill needs both --from and --to`);
    } else {
        throw new UsageError("no day given: pass --date YYYY-MM-DD, or --from and --to for a backfill");
    }
    const table = values.table ?? env["KPI_TABLE"];
    if (table === undefined || !/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
        throw new UsageError(`--table ${table === undefined ? "is missing" : `${JSON.stringify(table)} is not a DynamoDB table name`}: pass --table <trips table> (or set KPI_TABLE)`);
    }
    const bucket = values.bucket ?? env["KPI_BUCKET"];
    const dryRun = values["dry-run"] ?? false;
    if (bucket === undefined && !dryRun) throw new UsageError("--bucket is missing: pass --bucket <KPI bucket> (the stack output kpiBucketName), or --dry-run to only print the KPIs");
    const timeZone = values["time-zone"] ?? "UTC";
    wrap("time-zone", () => new Intl.DateTimeFormat("en-US", { timeZone }));
    const currency = values.currency ?? "USD";
    if (!/^[A-Z]{3}$/.test(currency)) throw new UsageError(`--currency ${JSON.stringify(currency)} must be an ISO 4217 code like USD`);
    const tripRetentionDays = positiveInt("trip-retention-days", values["trip-retention-days"], 3, 7);
    const allowExpiredDays = values["allow-expired-days"] ?? false;
    // A day whose trips have started to expire (TTL) would be written as a partial day over the object computed when
    // they were all there: refused unless asked for. A dry run writes nothing, so it may look at any day.
    const expired = dryRun || allowExpiredDays ? [] : daysPastTripRetention(dates, timeZone, tripRetentionDays, nowMs);
    if (expired.length > 0) {
        const span = expired.length === 1 ? expired[0] : `${expired[0]} .. ${expired[expired.length - 1]} (${expired.length} days)`;
        throw new UsageError(
            `the trips of ${span} may already have expired: a trip is kept at most --trip-retention-days ${tripRetentionDays} (kpi.tripRetentionDays) after it completes, so recomputing would overwrite their KPI objects with partial days. ` +
                "Leave those days out, look with --dry-run, or pass --allow-expired-days to write them anyway",
        );
    }
    return {
        dates,
        table,
        index: values.index ?? "completedDate-index",
        ...(bucket === undefined ? {} : { bucket }),
        dryRun,
        json: values.json ?? false,
        timeZone,
        currency,
        topZones: positiveInt("top-zones", values["top-zones"], 10, 100),
        segments: positiveInt("segments", values.segments, 1, 32),
        tripRetentionDays,
        allowExpiredDays,
    };
}
