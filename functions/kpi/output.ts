import { createHash } from "crypto";

import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";

import { DayAggregate } from "./aggregate";
import { kpiObjectKey } from "./config";
import { KPI_SCHEMA_VERSION } from "./schema";

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

/** Doubles are written rounded to 6 decimals, so a line is short and identical across reruns. */
export function round6(value: number): number {
    const rounded = Math.round(value * 1e6) / 1e6;
    return Object.is(rounded, -0) ? 0 : rounded;
}

function ratio(numerator: number, denominator: number): number | null {
    return denominator === 0 ? null : round6(numerator / denominator);
}

/** The KPI row of one day. An empty day gives zero counts and totals, nulls for means, extremes, rates and percentiles. */
export function kpiRow(date: string, aggregate: DayAggregate, options: { timeZone: string; currency: string; minorDigits: number; topZones: number }): KpiRow {
    const n = aggregate.trips;
    const distanceKm = aggregate.distanceMm / 1e6;
    const p = (value: number | null) => (value === null ? null : round6(value));
    const payments: Record<string, number> = {};
    for (const key of [...aggregate.paymentTypes.keys()].sort()) payments[key] = aggregate.paymentTypes.get(key) ?? 0;
    const zones = [...aggregate.pickupZones.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .slice(0, options.topZones)
        .map(([zone, trips]) => ({ zone, trips }));
    return {
        kpi_date: date,
        time_zone: options.timeZone,
        currency: options.currency,
        currency_minor_digits: options.minorDigits,
        trips_completed: n,
        revenue_total_minor: aggregate.revenueMinor,
        revenue_mean_minor: ratio(aggregate.revenueMinor, n),
        revenue_min_minor: n === 0 ? null : aggregate.revenueMinMinor,
        revenue_max_minor: n === 0 ? null : aggregate.revenueMaxMinor,
        fares_total_minor: aggregate.faresMinor,
        tips_total_minor: aggregate.tipsMinor,
        tolls_total_minor: aggregate.tollsMinor,
        tip_rate: ratio(aggregate.tipsMinor, aggregate.faresMinor),
        distance_km_total: round6(distanceKm),
        distance_km_mean: ratio(distanceKm, n),
        distance_km_p50: p(aggregate.distanceKm.quantile(0.5)),
        distance_km_p95: p(aggregate.distanceKm.quantile(0.95)),
        duration_s_mean: ratio(aggregate.durationMs / 1000, n),
        duration_s_p50: p(aggregate.durationSeconds.quantile(0.5)),
        duration_s_p95: p(aggregate.durationSeconds.quantile(0.95)),
        speed_kmh_mean: ratio(distanceKm, aggregate.durationMs / 3_600_000),
        revenue_per_km_minor: distanceKm === 0 ? null : round6(aggregate.revenueMinor / distanceKm),
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

/** The object body: one JSON line (the row's key order is fixed by kpiRow), newline-terminated. */
export function renderKpiLines(rows: KpiRow[]): string {
    return rows.map((row) => `${JSON.stringify(row)}\n`).join("");
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
