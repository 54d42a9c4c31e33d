import type { CorruptKind, GeneratedTrip, TripSet } from "./data/trips";
import { check } from "./ui";

/**
 * The KPIs of one day computed the simplest way from the generated trips (exact sums in cents, exact sorts
 * for percentiles), independently of functions/kpi, so the demo can assert the function's output.
 */
export interface ReferenceDay {
    date: string;
    trips: number;
    revenueCents: number;
    revenueMin: number | null;
    revenueMax: number | null;
    faresCents: number;
    tipsCents: number;
    tollsCents: number;
    distanceKm: number;
    durationS: number;
    distances: number[];
    durations: number[];
    paymentTypes: Record<string, number>;
    zones: Map<string, number>;
    rejected: Record<CorruptKind, number>;
}

/** The reference for `date` from every valid trip generated for it (on-time and late) and its corrupt items. */
export function referenceDay(set: TripSet, date: string): ReferenceDay {
    const trips: GeneratedTrip[] = set.valid.get(date) ?? [];
    const day: ReferenceDay = {
        date,
        trips: trips.length,
        revenueCents: 0,
        revenueMin: null,
        revenueMax: null,
        faresCents: 0,
        tipsCents: 0,
        tollsCents: 0,
        distanceKm: 0,
        durationS: 0,
        distances: [],
        durations: [],
        paymentTypes: {},
        zones: new Map(),
        rejected: { ...(set.corrupt.get(date) ?? { missing_field: 0, wrong_type: 0, negative_value: 0, impossible_speed: 0, impossible_duration: 0, wrong_currency: 0 }) },
    };
    for (const trip of trips) {
        const revenue = trip.fareCents + trip.tipCents + trip.tollsCents;
        day.revenueCents += revenue;
        day.revenueMin = day.revenueMin === null ? revenue : Math.min(day.revenueMin, revenue);
        day.revenueMax = day.revenueMax === null ? revenue : Math.max(day.revenueMax, revenue);
        day.faresCents += trip.fareCents;
        day.tipsCents += trip.tipCents;
        day.tollsCents += trip.tollsCents;
        day.distanceKm += trip.distanceKm;
        day.durationS += trip.durationMs / 1000;
        day.distances.push(trip.distanceKm);
        day.durations.push(trip.durationMs / 1000);
        day.paymentTypes[trip.paymentType] = (day.paymentTypes[trip.paymentType] ?? 0) + 1;
        day.zones.set(trip.pickupZone, (day.zones.get(trip.pickupZone) ?? 0) + 1);
    }
    day.distances.sort((a, b) => a - b);
    day.durations.sort((a, b) => a - b);
    return day;
}

/** The subset of a KPI output line the demo checks (functions/kpi/output.ts writes it; docs/kpi.md documents it). */
export interface KpiLine {
    kpi_date: string;
    trips_completed: number;
    revenue_total_minor: number;
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
    trips_by_payment_type: Record<string, number>;
    top_pickup_zones: { zone: string; trips: number }[];
    pickup_zones_distinct: number;
    records_rejected: number;
    rejected_by_reason: Record<string, number>;
}

/** The documented relative error of the percentile sketch. */
const SKETCH_RELATIVE_ERROR = 0.01;

function close(actual: number | null, expected: number, what: string, relative = 1e-6): void {
    check(actual !== null && Math.abs(actual - expected) <= Math.max(relative * Math.abs(expected), 1e-6), `${what}: the function wrote ${String(actual)}, the reference from the generated trips is ${expected}`);
}

function quantileWithin(actual: number | null, sorted: number[], q: number, what: string): void {
    const rank = q * (sorted.length - 1);
    const low = sorted[Math.floor(rank)];
    const high = sorted[Math.ceil(rank)];
    const ok = actual !== null && actual >= low * (1 - SKETCH_RELATIVE_ERROR) - 1e-6 && actual <= high * (1 + SKETCH_RELATIVE_ERROR) + 1e-6;
    check(ok, `${what}: the function wrote ${String(actual)}, the exact value is ${low === high ? low : `${low}..${high}`} (allowed relative error ${SKETCH_RELATIVE_ERROR * 100}%)`);
}

/** Asserts that a KPI line equals the reference: integers exactly, means to 1e-6, percentiles within the sketch's error. */
export function assertMatchesReference(line: KpiLine, reference: ReferenceDay, topZones: number): void {
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
    const sortedPayments = Object.fromEntries(Object.entries(reference.paymentTypes).sort(([a], [b]) => (a < b ? -1 : 1)));
    equal(line.trips_by_payment_type, sortedPayments, "trips_by_payment_type");
    const zones = [...reference.zones].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, topZones).map(([zone, trips]) => ({ zone, trips }));
    equal(line.top_pickup_zones, zones, "top_pickup_zones");
    equal(line.pickup_zones_distinct, reference.zones.size, "pickup_zones_distinct");
    const rejectedTotal = Object.values(reference.rejected).reduce((sum, count) => sum + count, 0);
    equal(line.records_rejected, rejectedTotal, "records_rejected");
    for (const [reason, count] of Object.entries(reference.rejected)) equal(line.rejected_by_reason[reason], count, `rejected_by_reason.${reason}`);
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
