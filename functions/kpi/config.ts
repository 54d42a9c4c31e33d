/**
 * The plain configuration the KpiPipeline component (and `npm run kpi`) hands to `makeKpiHandler`
 * (functions/kpi/handler.ts). Serialized by value into the function: ids and settings only, no secret.
 */
export interface KpiThresholds {
    /** A trip faster than this (distance / (dropoff - pickup)) is rejected as `impossible_speed`. A whole number: compared exactly. */
    maxSpeedKmh: number;
    /** A trip longer than this (dropoff - pickup) is rejected as `impossible_duration`; zero or negative durations are too. A whole number. */
    maxDurationSeconds: number;
}

export interface KpiFunctionConfig {
    /** The trips table and its sparse GSI (partition key `completedDate`, sort key `completedAt`). */
    tableName: string;
    indexName: string;
    /** Bucket that receives `kpis/dt=YYYY-MM-DD/kpis.json`. */
    bucket: string;
    /** IANA time zone that defines a KPI day (UTC by default). */
    timeZone: string;
    /** A scheduled run recomputes this many days, ending with the day before the run (late trips are counted). */
    recomputeDays: number;
    /** ISO 4217 code every trip must carry; others are rejected as `wrong_currency`. */
    currency: string;
    /** Pickup zones listed in `top_pickup_zones`. */
    topZones: number;
    /** Emit `ZeroTripDay` = 1 (alarmed) when a complete day has no trip. */
    expectTripsDaily: boolean;
    /**
     * Days a trip item may be kept after its completedAt (`kpi.tripRetentionDays`): items with no `expiresAt`, or a
     * later one, are counted (`TripsKeptTooLong`), never rejected.
     */
    tripRetentionDays: number;
    thresholds: KpiThresholds;
    /** Parallel Queries per day (the day split by completedAt ranges). 1 = one paginated Query per UTC partition. */
    querySegments: number;
    /** Attempts per AWS call (throttling and 5xx are retried with jittered backoff). */
    maxAttempts: number;
}

/** Documented defaults of the validation thresholds (docs/kpi.md). */
export const DEFAULT_THRESHOLDS: KpiThresholds = { maxSpeedKmh: 200, maxDurationSeconds: 12 * 3600 };

/** Most days an event may ask for: longer backfills belong to `npm run kpi -- --from --to`. */
export const MAX_DAYS_PER_INVOCATION = 31;

/** Where a day's KPIs live in the bucket. */
export function kpiObjectKey(date: string): string {
    return `kpis/dt=${date}/kpis.json`;
}
