import type { KpiRow } from "../../functions/kpi/output";
import { exactQuantileBounds, referenceKpis, ReferenceKpis, sortedPayments, topPickupZones } from "../../test/harness/kpiReference";
import type { CorruptKind, TripSet } from "./data/trips";
import { check } from "./ui";

/** The oracle's KPIs (test/harness/kpiReference.ts, independent of functions/kpi) of one generated day, with its corrupt items by reason. */
export interface ReferenceDay extends ReferenceKpis {
    date: string;
    rejected: Record<CorruptKind, number>;
}

/** The reference for `date` from every valid trip generated for it (on-time and late) and its corrupt items. */
export function referenceDay(set: TripSet, date: string): ReferenceDay {
    const trips = (set.valid.get(date) ?? []).map((trip) => ({ ...trip, durationS: trip.durationMs / 1000 }));
    return {
        ...referenceKpis(trips),
        date,
        rejected: { ...(set.corrupt.get(date) ?? { missing_field: 0, wrong_type: 0, negative_value: 0, impossible_speed: 0, impossible_duration: 0, wrong_currency: 0 }) },
    };
}

/** The documented relative error of the percentile sketch. */
const SKETCH_RELATIVE_ERROR = 0.01;

function close(actual: number | null, expected: number, what: string, relative = 1e-6): void {
    check(actual !== null && Math.abs(actual - expected) <= Math.max(relative * Math.abs(expected), 1e-6), `${what}: the function wrote ${String(actual)}, the reference from the generated trips is ${expected}`);
}

function quantileWithin(actual: number | null, values: number[], q: number, what: string): void {
    const { lower, upper } = exactQuantileBounds(values, q);
    const ok = actual !== null && actual >= lower * (1 - SKETCH_RELATIVE_ERROR) - 1e-6 && actual <= upper * (1 + SKETCH_RELATIVE_ERROR) + 1e-6;
    check(ok, `${what}: the function wrote ${String(actual)}, the exact value is ${lower === upper ? lower : `${lower}..${upper}`} (allowed relative error ${SKETCH_RELATIVE_ERROR * 100}%)`);
}

/** Asserts that a KPI line (as functions/kpi/output.ts writes it) equals the reference: integers exactly, means to 1e-6, percentiles within the sketch's error. */
export function assertMatchesReference(line: KpiRow, reference: ReferenceDay, topZones: number): void {
    const at = `KPI ${reference.date}`;
    const equal = (actual: unknown, expected: unknown, what: string) =>
        check(JSON.stringify(actual) === JSON.stringify(expected), `${at} ${what}: the function wrote ${JSON.stringify(actual)}, the reference from the generated trips is ${JSON.stringify(expected)}`);
    equal(line.trips_completed, reference.trips, "trips_completed");
    equal(line.revenue_total_minor, reference.revenueCents, "revenue_total_minor");
    equal(line.revenue_min_minor, reference.revenueMin, "revenue_min_minor");
    equal(line.revenue_max_minor, reference.revenueMax, "revenue_max_minor");
    equal(line.fares_total_minor, reference.faresCents, "fares_total_minor");
    equal(line.tips_total_minor, reference.tipsCents, "tips_total_minor");
    equal(line.tolls_total_minor, reference.tollsCents, "tolls_total_minor");
    equal(line.trips_by_payment_type, sortedPayments(reference), "trips_by_payment_type");
    equal(line.top_pickup_zones, topPickupZones(reference, topZones), "top_pickup_zones");
    equal(line.pickup_zones_distinct, reference.zones.size, "pickup_zones_distinct");
    const rejectedTotal = Object.values(reference.rejected).reduce((sum, count) => sum + count, 0);
    equal(line.records_rejected, rejectedTotal, "records_rejected");
    for (const [reason, count] of Object.entries(reference.rejected)) equal(line.rejected_by_reason[reason as CorruptKind], count, `rejected_by_reason.${reason}`);
    if (reference.trips === 0) return;
    close(line.tip_rate, reference.tipsCents / reference.faresCents, `${at} tip_rate`);
    close(line.distance_km_total, reference.distanceKm, `${at} distance_km_total`);
    close(line.distance_km_mean, reference.distanceKm / reference.trips, `${at} distance_km_mean`);
    close(line.duration_s_mean, reference.durationS / reference.trips, `${at} duration_s_mean`);
    close(line.speed_kmh_mean, reference.distanceKm / (reference.durationS / 3600), `${at} speed_kmh_mean`);
    quantileWithin(line.distance_km_p50, reference.distances, 0.5, `${at} distance_km_p50`);
    quantileWithin(line.distance_km_p95, reference.distances, 0.95, `${at} distance_km_p95`);
    quantileWithin(line.duration_s_p50, reference.durations, 0.5, `${at} duration_s_p50`);
    quantileWithin(line.duration_s_p95, reference.durations, 0.95, `${at} duration_s_p95`);
}
