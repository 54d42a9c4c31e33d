import { TripRecord } from "./tripsTable";

/**
 * The KPIs of a set of valid trips computed the simple way (exact sorts, plain sums in cents), to check the
 * function's row against. Written from the definitions in docs/kpi.md, not from the function's code.
 */
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
    distances: number[];
    durations: number[];
    payments: Record<string, number>;
    zones: Map<string, number>;
}

/** Cents of a money value generated as whole cents / 100 (or given explicitly in `exactCents`). */
export function cents(value: unknown, exactCents?: number): number {
    if (exactCents !== undefined) return exactCents;
    return typeof value === "number" ? Math.round(value * 100) : 0;
}

export function reference(trips: TripRecord[], exactCents: Map<string, { fare?: number; tip?: number }> = new Map()): ReferenceKpis {
    const result: ReferenceKpis = { trips: 0, revenueCents: 0, revenueMin: null, revenueMax: null, faresCents: 0, tipsCents: 0, tollsCents: 0, distanceKm: 0, durationS: 0, distances: [], durations: [], payments: {}, zones: new Map() };
    for (const trip of trips) {
        const exact = exactCents.get(String(trip["tripId"]));
        const fare = cents(trip["fare"], exact?.fare);
        const tip = cents(trip["tip"], exact?.tip);
        const tolls = cents(trip["tolls"]);
        const revenue = fare + tip + tolls;
        const duration = (Date.parse(String(trip["dropoffAt"])) - Date.parse(String(trip["pickupAt"]))) / 1000;
        result.trips++;
        result.revenueCents += revenue;
        result.revenueMin = result.revenueMin === null ? revenue : Math.min(result.revenueMin, revenue);
        result.revenueMax = result.revenueMax === null ? revenue : Math.max(result.revenueMax, revenue);
        result.faresCents += fare;
        result.tipsCents += tip;
        result.tollsCents += tolls;
        result.distanceKm += Number(trip["distanceKm"]);
        result.durationS += duration;
        result.distances.push(Number(trip["distanceKm"]));
        result.durations.push(duration);
        const payment = String(trip["paymentType"]);
        result.payments[payment] = (result.payments[payment] ?? 0) + 1;
        const zone = String(trip["pickupZone"]);
        result.zones.set(zone, (result.zones.get(zone) ?? 0) + 1);
    }
    return result;
}

/** The exact values at the ranks around q·(n−1) of a sorted copy: a sketch's answer must lie within 1% of [lower, upper]. */
export function exactQuantileBounds(values: number[], q: number): { lower: number; upper: number } {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = q * (sorted.length - 1);
    return { lower: sorted[Math.floor(rank)], upper: sorted[Math.ceil(rank)] };
}
