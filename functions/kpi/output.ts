import { createHash } from "crypto";

import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";

import { DayAggregate } from "./aggregate";
import { compareCodePoints } from "./codePoints";
import { kpiObjectKey } from "./config";
import { ratio6, round6 } from "./rounding";
import { KPI_COLUMNS, KPI_SCHEMA_VERSION } from "./schema";
import { REJECT_REASONS } from "./trips";

/** One day's KPIs, keys in the order of KPI_COLUMNS (functions/kpi/schema.ts). */
export interface KpiRow {
    kpi_date: string;
    time_zone: string;
    currency: string;
    currency_minor_digits: number;
    trips_completed: number;
    revenue_total_minor: number;
    revenue_mean_minor: number | null;
    revenue_min_minor: number | null;
    revenue_max_minor: number | null;
    fares_total_minor: number;
    tips_total_minor: number;
    tolls_total_minor: number;
    tip_rate: number | null;
    distance_km_total: number;
    distance_km_mean: number | null;
    distance_km_p50: number | null;
    distance_km_p95: number | null;
    duration_s_mean: number | null;
    duration_s_p50: number | null;
    duration_s_p95: number | null;
    speed_kmh_mean: number | null;
    revenue_per_km_minor: number | null;
    trips_by_payment_type: Record<string, number>;
    top_pickup_zones: { zone: string; trips: number }[];
    pickup_zones_distinct: number;
    records_read: number;
    records_not_completed: number;
    records_rejected: number;
    rejected_by_reason: DayAggregate["rejected"];
    schema_version: number;
}

/** The percentiles reported, as exact fractions (p50 = 1/2, p95 = 19/20). */
const P50: [number, number] = [1, 2];
const P95: [number, number] = [19, 20];

/**
 * The KPI row of one day. An empty day gives zero counts and totals, nulls for means, extremes, rates and
 * percentiles. Every double is rounded exactly to 6 decimals (functions/kpi/rounding.ts): ratios from their integer
 * terms, percentiles from the sketch's double. Throws when a total leaves the range in which it is exact (2^53 - 1).
 */
export function kpiRow(date: string, aggregate: DayAggregate, options: { timeZone: string; currency: string; minorDigits: number; topZones: number }): KpiRow {
    const n = aggregate.trips;
    for (const [name, total] of [["revenue", aggregate.revenueMinor], ["distance", aggregate.distanceMm], ["duration", aggregate.durationMs]] as const) {
        if (!Number.isSafeInteger(total)) {
            throw new RangeError(`KPI ${date}: the ${name} total ${total} is beyond 2^53 - 1 and cannot be summed exactly; find the trips with implausible ${name} values`);
        }
    }
    const percentile = (sketch: DayAggregate["distanceKm"], [numerator, denominator]: [number, number]) => {
        const value = sketch.quantile(numerator, denominator);
        return value === null ? null : round6(value);
    };
    // A null-prototype record: a payment type named "__proto__" is a key like any other.
    const payments = Object.create(null) as Record<string, number>;
    for (const key of [...aggregate.paymentTypes.keys()].sort(compareCodePoints)) payments[key] = aggregate.paymentTypes.get(key) ?? 0;
    const zones = [...aggregate.pickupZones.entries()]
        .sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]))
        .slice(0, options.topZones)
        .map(([zone, trips]) => ({ zone, trips }));
    return {
        kpi_date: date,
        time_zone: options.timeZone,
        currency: options.currency,
        currency_minor_digits: options.minorDigits,
        trips_completed: n,
        revenue_total_minor: aggregate.revenueMinor,
        revenue_mean_minor: ratio6(aggregate.revenueMinor, n),
        revenue_min_minor: n === 0 ? null : aggregate.revenueMinMinor,
        revenue_max_minor: n === 0 ? null : aggregate.revenueMaxMinor,
        fares_total_minor: aggregate.faresMinor,
        tips_total_minor: aggregate.tipsMinor,
        tolls_total_minor: aggregate.tollsMinor,
        tip_rate: ratio6(aggregate.tipsMinor, aggregate.faresMinor),
        distance_km_total: aggregate.distanceMm / 1e6,
        distance_km_mean: ratio6(aggregate.distanceMm, n * 1e6),
        distance_km_p50: percentile(aggregate.distanceKm, P50),
        distance_km_p95: percentile(aggregate.distanceKm, P95),
        duration_s_mean: ratio6(aggregate.durationMs, n * 1000),
        duration_s_p50: percentile(aggregate.durationSeconds, P50),
        duration_s_p95: percentile(aggregate.durationSeconds, P95),
        // km / h = (mm / 10^6) / (ms / 3.6 * 10^6) = mm * 36 / (ms * 10)
        speed_kmh_mean: n === 0 ? null : ratio6(BigInt(aggregate.distanceMm) * 36n, BigInt(aggregate.durationMs) * 10n),
        // minor / km = minor * 10^6 / mm
        revenue_per_km_minor: n === 0 ? null : ratio6(BigInt(aggregate.revenueMinor) * 1_000_000n, aggregate.distanceMm),
        trips_by_payment_type: payments,
        top_pickup_zones: zones,
        pickup_zones_distinct: aggregate.pickupZones.size,
        records_read: aggregate.recordsRead,
        records_not_completed: aggregate.notCompleted,
        records_rejected: aggregate.rejectedTotal,
        rejected_by_reason: { ...aggregate.rejected },
        schema_version: KPI_SCHEMA_VERSION,
    };
}

/**
 * The object body: one JSON line per row, newline-terminated, keys in the order of KPI_COLUMNS
 * (functions/kpi/schema.ts). `trips_by_payment_type` is written in code point order of its keys, which
 * JSON.stringify would not keep for keys that look like integers ("1", "2").
 */
export function renderKpiLines(rows: KpiRow[]): string {
    return rows.map((row) => `{${KPI_COLUMNS.map((column) => `${JSON.stringify(column.name)}:${renderValue(column.name, row)}`).join(",")}}\n`).join("");
}

function renderValue(name: string, row: KpiRow): string {
    if (name === "trips_by_payment_type") {
        const map = row.trips_by_payment_type;
        return `{${Object.keys(map)
            .sort(compareCodePoints)
            .map((key) => `${JSON.stringify(key)}:${JSON.stringify(map[key])}`)
            .join(",")}}`;
    }
    if (name === "rejected_by_reason") {
        return `{${REJECT_REASONS.map((reason) => `${JSON.stringify(reason)}:${row.rejected_by_reason[reason]}`).join(",")}}`;
    }
    const value = (row as unknown as Record<string, unknown>)[name];
    if (value === undefined) throw new Error(`KPI row has no column ${name}`);
    return JSON.stringify(value);
}

export interface WrittenObject {
    key: string;
    bytes: number;
    sha256: string;
}

/**
 * Writes a day's object with one PutObject: S3 stores it whole or not at all, and rejects a body whose
 * Content-MD5 / SHA-256 does not match. An error is thrown to the caller (the invocation fails).
 */
export async function writeKpiObject(client: S3Client, bucket: string, date: string, body: string): Promise<WrittenObject> {
    const bytes = Buffer.from(body, "utf8");
    const sha256 = createHash("sha256").update(bytes).digest("base64");
    const key = kpiObjectKey(date);
    await client.send(
        new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes,
            ContentType: "application/x-ndjson",
            ContentMD5: createHash("md5").update(bytes).digest("base64"),
            ChecksumSHA256: sha256,
        }),
    );
    return { key, bytes: bytes.length, sha256 };
}
