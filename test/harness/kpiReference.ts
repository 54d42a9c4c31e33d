/**
 * The KPI oracle: the KPIs of a set of valid trips computed the simple way (plain sums in exact cents, exact
 * sorts for percentiles), written from the definitions in docs/kpi.md and independent of functions/kpi, so the
 * function's rows can be checked against it. The integration specs (test/integration/kpi) and the demo
 * (cli/demo/kpiStep.ts) both check against this one reference; each maps its own trips to `ReferenceTrip`.
 */

/** One valid completed trip as the reference reads it: money in exact cents, duration in seconds. */
export interface ReferenceTrip {
    fareCents: number;
    tipCents: number;
    tollsCents: number;
    distanceKm: number;
    durationS: number;
    paymentType: string;
    pickupZone: string;
}

export interface ReferenceKpis {
    trips: number;
    revenueCents: number;
    revenueMin: number | null;
    revenueMax: number | null;
    faresCents: number;
    tipsCents: number;
    tollsCents: number;
    distanceKm: number;
    durationS: number;
    /** Every trip's distance, in input order (exactQuantileBounds sorts a copy). */
    distances: number[];
    /** Every trip's duration in seconds, in input order. */
    durations: number[];
    payments: Record<string, number>;
    zones: Map<string, number>;
}

export function referenceKpis(trips: Iterable<ReferenceTrip>): ReferenceKpis {
    const result: ReferenceKpis = { trips: 0, revenueCents: 0, revenueMin: null, revenueMax: null, faresCents: 0, tipsCents: 0, tollsCents: 0, distanceKm: 0, durationS: 0, distances: [], durations: [], payments: {}, zones: new Map() };
    for (const trip of trips) {
        const revenue = trip.fareCents + trip.tipCents + trip.tollsCents;
        result.trips++;
        result.revenueCents += revenue;
        result.revenueMin = result.revenueMin === null ? revenue : Math.min(result.revenueMin, revenue);
        result.revenueMax = result.revenueMax === null ? revenue : Math.max(result.revenueMax, revenue);
        result.faresCents += trip.fareCents;
        result.tipsCents += trip.tipCents;
        result.tollsCents += trip.tollsCents;
        result.distanceKm += trip.distanceKm;
        result.durationS += trip.durationS;
        result.distances.push(trip.distanceKm);
        result.durations.push(trip.durationS);
        result.payments[trip.paymentType] = (result.payments[trip.paymentType] ?? 0) + 1;
        result.zones.set(trip.pickupZone, (result.zones.get(trip.pickupZone) ?? 0) + 1);
    }
    return result;
}

/** The exact values at the ranks around q·(n−1) of a sorted copy: a sketch's answer must lie within its relative error of [lower, upper]. */
export function exactQuantileBounds(values: readonly number[], q: number): { lower: number; upper: number } {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = q * (sorted.length - 1);
    return { lower: sorted[Math.floor(rank)], upper: sorted[Math.ceil(rank)] };
}

/** The reference's payment counts, keys sorted (as the row lists them). */
export function sortedPayments(reference: ReferenceKpis): Record<string, number> {
    return Object.fromEntries(Object.entries(reference.payments).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The reference's `topZones` busiest pickup zones: most trips first, ties by name. */
export function topPickupZones(reference: ReferenceKpis, topZones: number): { zone: string; trips: number }[] {
    return [...reference.zones].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, topZones).map(([zone, trips]) => ({ zone, trips }));
}
