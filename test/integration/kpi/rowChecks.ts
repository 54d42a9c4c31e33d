import { expect } from "chai";

import { exactQuantile, referenceDoubles, ReferenceKpis, topPickupZones } from "./reference";

/** A KPI line as parsed from the object the function wrote. */
export type Row = Record<string, unknown>;

/** Docs: a percentile is within 1 % of the value at rank ⌊q·(n−1)⌋ (plus the 6-decimal rounding). */
export function expectQuantile(actual: unknown, values: number[], [numerator, denominator]: [number, number], what: string): void {
    const exact = exactQuantile(values, numerator, denominator);
    expect(actual, what).to.be.a("number");
    expect(actual, `${what}: exact value at rank ${exact}`).to.be.closeTo(exact, exact * 0.01 + 5e-7);
}

export const P50: [number, number] = [1, 2];
export const P95: [number, number] = [19, 20];

/** Checks every KPI of a row against the reference of the trips that should count (exactly, percentiles within the sketch's 1 %), and the expected rejections. */
export function expectRowMatches(row: Row, ref: ReferenceKpis, rejected: Record<string, number>, notCompleted: number, topZones: number): void {
    expect(row["trips_completed"], "trips_completed").to.equal(ref.trips);
    expect(row["revenue_total_minor"], "revenue_total_minor").to.equal(ref.revenueCents);
    expect(row["revenue_min_minor"], "revenue_min_minor").to.equal(ref.revenueMin);
    expect(row["revenue_max_minor"], "revenue_max_minor").to.equal(ref.revenueMax);
    expect(row["fares_total_minor"], "fares_total_minor").to.equal(ref.faresCents);
    expect(row["tips_total_minor"], "tips_total_minor").to.equal(ref.tipsCents);
    expect(row["tolls_total_minor"], "tolls_total_minor").to.equal(ref.tollsCents);
    for (const [column, value] of Object.entries(referenceDoubles(ref))) expect(row[column], column).to.equal(value);
    if (ref.trips > 0) {
        expectQuantile(row["distance_km_p50"], ref.distances, P50, "distance_km_p50");
        expectQuantile(row["distance_km_p95"], ref.distances, P95, "distance_km_p95");
        expectQuantile(row["duration_s_p50"], ref.durations, P50, "duration_s_p50");
        expectQuantile(row["duration_s_p95"], ref.durations, P95, "duration_s_p95");
    }
    expect(row["trips_by_payment_type"], "trips_by_payment_type").to.deep.equal(ref.payments);
    expect(row["top_pickup_zones"], "top_pickup_zones").to.deep.equal(topPickupZones(ref, topZones));
    expect(row["pickup_zones_distinct"], "pickup_zones_distinct").to.equal(ref.zones.size);
    const byReason = { missing_field: 0, wrong_type: 0, negative_value: 0, impossible_speed: 0, impossible_duration: 0, wrong_currency: 0, ...rejected };
    expect(row["rejected_by_reason"], "rejected_by_reason").to.deep.equal(byReason);
    const rejectedTotal = Object.values(byReason).reduce((sum, count) => sum + count, 0);
    expect(row["records_rejected"], "records_rejected").to.equal(rejectedTotal);
    expect(row["records_not_completed"], "records_not_completed").to.equal(notCompleted);
    expect(row["records_read"], "records_read").to.equal(ref.trips + rejectedTotal + notCompleted);
}
