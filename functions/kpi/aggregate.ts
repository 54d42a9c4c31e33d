import type { ExpiryVerdict } from "./expiry";
import { QuantileSketch } from "./sketch";
import { REJECT_REASONS, RejectReason, Trip, Verdict } from "./trips";

/**
 * The running totals of one KPI day. Memory is flat: integer sums, two quantile sketches, and one counter per
 * payment type and pickup zone. Sums are integers (minor units, millimetres of distance, milliseconds), so the
 * result does not depend on the order trips arrive in or on how the day was split; `merge` combines partial
 * aggregates of the same day (parallel Query ranges).
 */
export class DayAggregate {
    trips: number;
    revenueMinor: number;
    revenueMinMinor: number;
    revenueMaxMinor: number;
    faresMinor: number;
    tipsMinor: number;
    tollsMinor: number;
    /** Distance in millimetres (1e-6 km), summed as integers. */
    distanceMm: number;
    durationMs: number;
    readonly distanceKm: QuantileSketch;
    readonly durationSeconds: QuantileSketch;
    readonly paymentTypes: Map<string, number>;
    readonly pickupZones: Map<string, number>;
    readonly rejected: Record<RejectReason, number>;
    recordsRead: number;
    notCompleted: number;
    /** Items read with no usable `expiresAt` / with one later than the retention allows (functions/kpi/expiry.ts). */
    expiresAtMissing: number;
    expiresAtTooLate: number;

    // Assigned in the constructor, not as field initializers: closure serialization keeps constructor bodies only.
    constructor() {
        this.trips = 0;
        this.revenueMinor = 0;
        this.revenueMinMinor = Number.POSITIVE_INFINITY;
        this.revenueMaxMinor = Number.NEGATIVE_INFINITY;
        this.faresMinor = 0;
        this.tipsMinor = 0;
        this.tollsMinor = 0;
        this.distanceMm = 0;
        this.durationMs = 0;
        this.distanceKm = new QuantileSketch();
        this.durationSeconds = new QuantileSketch();
        this.paymentTypes = new Map<string, number>();
        this.pickupZones = new Map<string, number>();
        this.rejected = { missing_field: 0, wrong_type: 0, negative_value: 0, impossible_speed: 0, impossible_duration: 0, wrong_currency: 0 };
        this.recordsRead = 0;
        this.notCompleted = 0;
        this.expiresAtMissing = 0;
        this.expiresAtTooLate = 0;
    }

    /** Counts one validated item (the trip is read only when the verdict is "trip"). */
    add(verdict: Verdict, trip: Trip): void {
        moduleAdder.add(this, verdict, trip);
    }

    addTrip(trip: Trip): void {
        moduleAdder.addTrip(this, trip);
    }

    /** Counts an item whose expiresAt breaks the retention rule (it is counted whatever its verdict). */
    addExpiry(verdict: ExpiryVerdict): void {
        moduleAdder.addExpiry(this, verdict);
    }

    /** Items kept longer than the retention allows: no usable expiresAt, or a later one. */
    get keptTooLong(): number {
        return this.expiresAtMissing + this.expiresAtTooLate;
    }

    get rejectedTotal(): number {
        let total = 0;
        for (const reason of REJECT_REASONS) total += this.rejected[reason];
        return total;
    }

    merge(other: DayAggregate): void {
        this.trips += other.trips;
        this.revenueMinor += other.revenueMinor;
        this.revenueMinMinor = Math.min(this.revenueMinMinor, other.revenueMinMinor);
        this.revenueMaxMinor = Math.max(this.revenueMaxMinor, other.revenueMaxMinor);
        this.faresMinor += other.faresMinor;
        this.tipsMinor += other.tipsMinor;
        this.tollsMinor += other.tollsMinor;
        this.distanceMm += other.distanceMm;
        this.durationMs += other.durationMs;
        this.distanceKm.merge(other.distanceKm);
        this.durationSeconds.merge(other.durationSeconds);
        for (const [key, count] of other.paymentTypes) this.paymentTypes.set(key, (this.paymentTypes.get(key) ?? 0) + count);
        for (const [key, count] of other.pickupZones) this.pickupZones.set(key, (this.pickupZones.get(key) ?? 0) + count);
        for (const reason of REJECT_REASONS) this.rejected[reason] += other.rejected[reason];
        this.recordsRead += other.recordsRead;
        this.notCompleted += other.notCompleted;
        this.expiresAtMissing += other.expiresAtMissing;
        this.expiresAtTooLate += other.expiresAtTooLate;
    }
}

/** What an item adds to a DayAggregate (see `createAggregateAdder`). */
export interface AggregateAdder {
    add: (aggregate: DayAggregate, verdict: Verdict, trip: Trip) => void;
    addTrip: (aggregate: DayAggregate, trip: Trip) => void;
    addExpiry: (aggregate: DayAggregate, verdict: ExpiryVerdict) => void;
}

/**
 * The per-item additions, built once per run (`createItemCounter`): plain closures in the serialized function that
 * refer only to names of this scope; the class's methods (one wrapper per call when serialized) delegate to them
 * (docs/kpi.md, "As deployed").
 */
export function createAggregateAdder(): AggregateAdder {
    function addTrip(aggregate: DayAggregate, trip: Trip): void {
        const revenue = trip.fareMinor + trip.tipMinor + trip.tollsMinor;
        aggregate.trips++;
        aggregate.revenueMinor += revenue;
        if (revenue < aggregate.revenueMinMinor) aggregate.revenueMinMinor = revenue;
        if (revenue > aggregate.revenueMaxMinor) aggregate.revenueMaxMinor = revenue;
        aggregate.faresMinor += trip.fareMinor;
        aggregate.tipsMinor += trip.tipMinor;
        aggregate.tollsMinor += trip.tollsMinor;
        aggregate.distanceMm += trip.distanceMm;
        aggregate.durationMs += trip.durationMs;
        aggregate.distanceKm.sketch.accept(trip.distanceMm / 1e6);
        aggregate.durationSeconds.sketch.accept(trip.durationMs / 1000);
        const payments = aggregate.paymentTypes;
        payments.set(trip.paymentType, (payments.get(trip.paymentType) ?? 0) + 1);
        const zones = aggregate.pickupZones;
        zones.set(trip.pickupZone, (zones.get(trip.pickupZone) ?? 0) + 1);
    }
    function add(aggregate: DayAggregate, verdict: Verdict, trip: Trip): void {
        aggregate.recordsRead++;
        if (verdict === "trip") {
            addTrip(aggregate, trip);
        } else if (verdict === "not_completed") {
            aggregate.notCompleted++;
        } else {
            aggregate.rejected[verdict]++;
        }
    }
    function addExpiry(aggregate: DayAggregate, verdict: ExpiryVerdict): void {
        if (verdict === "missing") aggregate.expiresAtMissing++;
        else if (verdict === "too_late") aggregate.expiresAtTooLate++;
    }
    return { add, addTrip, addExpiry };
}

const moduleAdder = createAggregateAdder();
