import { GetObjectCommand } from "@aws-sdk/client-s3";

import type { PlatformConfig } from "../../components/config";
import { kpiFunctionConfig } from "../../components/kpiPipeline";
import { kpiObjectKey, KpiFunctionConfig } from "../../functions/kpi/config";
import { makeKpiHandler } from "../../functions/kpi/handler";
import type { KpiRow } from "../../functions/kpi/output";
import type { KpiEvent } from "../../functions/kpi/events";
import { loadSerializedFactory } from "../../test/harness/closure";
import { generateTrips } from "./data/trips";
import { Random } from "./random";
import { runExampleAthenaQuery } from "./athenaQuery";
import { assertMatchesReference, referenceDay } from "./kpiReference";
import type { AwsClients, CreatedResources } from "./resources";
import { writeItems } from "./tripWriter";
import { check, n, Print, progress, rate, StepReport, table } from "./ui";

export interface KpiSizes {
    trips: number;
    days: number;
}

/** The KPI function's configuration for the stack, built by the KpiPipeline component's own builder, with the local table, index and bucket. */
export function demoKpiFunctionConfig(config: PlatformConfig, created: CreatedResources): KpiFunctionConfig {
    return kpiFunctionConfig({ ...config.kpi, tripsTableName: created.tripsTable, completedDateIndexName: created.tripsIndex }, created.bucket);
}

/** The `count` complete UTC days before `now`, oldest first. */
export function lastDays(now: number, count: number): string[] {
    const today = Date.parse(new Date(now).toISOString().slice(0, 10));
    return Array.from({ length: count }, (_, index) => new Date(today - (count - index) * 86_400_000).toISOString().slice(0, 10));
}

const LAMBDA_CONTEXT = { getRemainingTimeInMillis: () => 900_000 };

/**
 * Step 4: seeds trips over a few days (corrupt and late ones included), runs the serialized KPI closure for
 * those days, writes the late trips, runs a scheduled invocation (which recomputes the last days), reads the
 * KPI objects back from S3 and asserts them against a reference computed from the generated trips.
 */
export async function runKpiStep(options: { config: PlatformConfig; created: CreatedResources; clients: AwsClients; sizes: KpiSizes; seed: number; print: Print }): Promise<StepReport> {
    const { config, created, clients, sizes, print } = options;
    const now = Date.now();
    const days = lastDays(now, sizes.days);
    const recomputed = days.slice(-config.kpi.recomputeDays);
    const set = generateTrips(new Random(options.seed).fork("trips"), { trips: sizes.trips, days, lateDays: recomputed, currency: config.kpi.currency });

    const writeStarted = performance.now();
    const bar = progress("writing trips", set.onTime.length, print);
    await writeItems(clients.dynamodb, created.tripsTable, set.onTime, 16, bar);
    bar.done();
    const writeMs = performance.now() - writeStarted;
    const corrupt = [...set.corrupt.values()].reduce((sum, byKind) => sum + Object.values(byKind).reduce((a, b) => a + b, 0), 0);
    print(`    wrote ${n(set.onTime.length)} trip items in ${(writeMs / 1000).toFixed(1)}s (${n(corrupt)} corrupt, ${n(set.cancelled)} cancelled); ${n(set.late.length)} late ones held back`);

    const functionConfig = demoKpiFunctionConfig(config, created);
    // The component's closure: the bucket's name reaches the function through its environment.
    process.env["KPI_BUCKET"] = created.bucket;
    const { handler } = await loadSerializedFactory(() => makeKpiHandler({ ...functionConfig, bucket: process.env["KPI_BUCKET"] ?? "" }));
    const invoke = (event: KpiEvent) => handler(event, LAMBDA_CONTEXT);

    // A backfill, one invocation per day (as `npm run kpi -- --from --to` drives it), so progress shows per day.
    const firstStarted = performance.now();
    let itemsRead = 0;
    for (const [index, date] of days.entries()) {
        const dayStarted = performance.now();
        const result = await invoke({ dates: [date] });
        check("days" in result && result.days.length === 1 && result.days[0].date === date, `the KPI function did not compute ${date}`);
        const day = result.days[0];
        itemsRead += day.trips + day.rejected;
        print(`    KPI closure: ${date} computed (${index + 1}/${days.length}): ${n(day.trips)} trips, ${n(day.rejected)} rejected, in ${((performance.now() - dayStarted) / 1000).toFixed(1)}s`);
    }
    const firstMs = performance.now() - firstStarted;
    const firstBodies = await readBodies(clients, created.bucket, days);

    // Late trips arrive after their day's first run; the next scheduled run recomputes the last days and counts them.
    await writeItems(clients.dynamodb, created.tripsTable, set.late, 16);
    const scheduled = await invoke({ "detail-type": "Scheduled Event", source: "aws.events", time: new Date(now).toISOString() });
    check("days" in scheduled && JSON.stringify(scheduled.days.map((day) => day.date)) === JSON.stringify(recomputed), `the scheduled run recomputed ${"days" in scheduled ? scheduled.days.map((day) => day.date).join(", ") : "nothing"}, expected ${recomputed.join(", ")}`);
    const bodies = await readBodies(clients, created.bucket, days);

    const rows: (string | number)[][] = [];
    for (const date of days) {
        const line = JSON.parse(bodies.get(date)!) as KpiRow;
        const firstLine = JSON.parse(firstBodies.get(date)!) as KpiRow;
        assertMatchesReference(line, referenceDay(set, date), config.kpi.topZones);
        const late = set.lateValid.get(date) ?? 0;
        check(line.trips_completed - firstLine.trips_completed === late, `KPI ${date}: the recompute added ${line.trips_completed - firstLine.trips_completed} trips, ${late} late ones were written`);
        if (!recomputed.includes(date)) {
            check(bodies.get(date) === firstBodies.get(date), `KPI ${date}: the object changed although the scheduled run does not recompute that day`);
        }
        rows.push([
            date,
            line.trips_completed,
            late,
            money(line.revenue_total_minor),
            line.tip_rate === null ? "-" : `${(line.tip_rate * 100).toFixed(1)}%`,
            fixed(line.distance_km_p50, 1),
            fixed(line.distance_km_p95, 1),
            line.duration_s_p50 === null ? "-" : `${(line.duration_s_p50 / 60).toFixed(1)} min`,
            fixed(line.speed_kmh_mean, 1),
            line.records_rejected,
        ]);
    }
    // A rerun of the same input writes the same bytes.
    await invoke({ dates: [days[0]] });
    const rerun = await readBodies(clients, created.bucket, [days[0]]);
    check(rerun.get(days[0]) === bodies.get(days[0]), `KPI ${days[0]}: a rerun wrote different bytes`);

    print(`    s3://${created.bucket}/kpis/dt=YYYY-MM-DD/kpis.json, read back (currency ${config.kpi.currency}, ${config.kpi.timeZone} days):`);
    print(table(["day", "trips", "late", "revenue", "tip rate", "km p50", "km p95", "time p50", "km/h", "rejected"], rows));

    // The docs' example Athena query, answered by DuckDB over the same objects, must agree with the objects.
    const athena = await runExampleAthenaQuery(bodies, days);
    check(JSON.stringify(athena.rows.map((row) => row["dt"])) === JSON.stringify(days), `the example Athena query returned days ${athena.rows.map((row) => String(row["dt"])).join(", ")}, expected ${days.join(", ")}`);
    for (const row of athena.rows) {
        const line = JSON.parse(bodies.get(String(row["dt"]))!) as KpiRow;
        check(Number(row["trips_completed"]) === line.trips_completed, `the example Athena query says ${String(row["trips_completed"])} trips on ${String(row["dt"])}, the object says ${line.trips_completed}`);
    }
    print(`    the example Athena query of docs/kpi.md (run by DuckDB over the same objects, as the Glue table reads them):`);
    const columns = Object.keys(athena.rows[0] ?? {});
    print(table(columns, athena.rows.map((row) => columns.map((column) => cell(row[column])))));
    const validTotal = [...set.valid.values()].reduce((sum, trips) => sum + trips.length, 0);
    return {
        outcome: `${n(validTotal)} trips over ${days.length} days = reference; ${n(set.late.length)} late trips counted by the scheduled recompute; rerun byte-identical`,
        proves: "the KPI closure as deployed reads a day by Query, rejects corrupt items by reason, writes exact KPIs to S3, catches late trips and is idempotent",
        figures: { "trips/s through the KPI closure (moto)": rate(itemsRead, firstMs), "trip items written to moto": rate(set.onTime.length, writeMs) },
    };
}

async function readBodies(clients: AwsClients, bucket: string, days: readonly string[]): Promise<Map<string, string>> {
    const bodies = new Map<string, string>();
    await Promise.all(
        days.map(async (date) => {
            const object = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: kpiObjectKey(date) }));
            bodies.set(date, await object.Body!.transformToString("utf8"));
        }),
    );
    return bodies;
}

function cell(value: unknown): string | number {
    if (typeof value === "bigint") return Number(value);
    if (typeof value === "number") return Number.isInteger(value) ? value : Number(value.toFixed(3));
    return String(value);
}

function money(minor: number): string {
    return (minor / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function fixed(value: number | null, digits: number): string {
    return value === null ? "-" : value.toFixed(digits);
}
