import { referenceKpis, ReferenceKpis, ReferenceTrip } from "../../harness/kpiReference";
import { TripRecord } from "./tripsTable";

export { exactQuantile, referenceDoubles, ReferenceKpis, sortedPayments, topPickupZones } from "../../harness/kpiReference";

/** Cents of a money value generated as whole cents / 100 (or given explicitly in `exactCents`). */
export function cents(value: unknown, exactCents?: number): number {
    if (exactCents !== undefined) return exactCents;
    return typeof value === "number" ? Math.round(value * 100) : 0;
}

/** A trip item as written to the table, read the way the reference reads a trip (exact cents where the seed recorded them). */
function asReferenceTrip(trip: TripRecord, exact: { fare?: number; tip?: number } | undefined): ReferenceTrip {
    return {
        fareCents: cents(trip["fare"], exact?.fare),
        tipCents: cents(trip["tip"], exact?.tip),
        tollsCents: cents(trip["tolls"]),
        distanceKm: typeof trip["distanceKm"] === "number" ? trip["distanceKm"] : String(trip["distanceKm"]),
        durationS: (Date.parse(String(trip["dropoffAt"])) - Date.parse(String(trip["pickupAt"]))) / 1000,
        paymentType: String(trip["paymentType"]),
        pickupZone: String(trip["pickupZone"]),
    };
}

/** The oracle's KPIs (test/harness/kpiReference.ts) of trip items as written to the table. */
export function reference(trips: TripRecord[], exactCents: Map<string, { fare?: number; tip?: number }> = new Map()): ReferenceKpis {
    return referenceKpis(trips.map((trip) => asReferenceTrip(trip, exactCents.get(String(trip["tripId"])))));
}
