import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

import { createAggregateAdder, DayAggregate } from "./aggregate";
import { KpiFunctionConfig } from "./config";
import { dayWindow } from "./days";
import { minorUnitDigits } from "./money";
import { KpiRow, kpiRow } from "./output";
import { createDecimalReader } from "./decimal";
import { createExpiryCheck } from "./expiry";
import { createTripReader, emptyTrip, queryRange, queryRanges, Trip, TripItem, ValidationRules } from "./trips";

/** What reading and aggregating one day gives: its row and the counts the logs and metrics carry. */
export interface DayKpis {
    date: string;
    row: KpiRow;
    queries: number;
    pages: number;
    items: number;
    /** Items outside [start, end) of the day (only possible for items that break the completedAt contract). */
    outsideWindow: number;
    /** Items read with no usable expiresAt, and with one later than completedAt + tripRetentionDays. */
    expiresAtMissing: number;
    expiresAtTooLate: number;
}

/** The validation rules of a config. The thresholds must be whole numbers, so every comparison with them is exact. */
export function validationRules(config: Pick<KpiFunctionConfig, "currency" | "thresholds">): ValidationRules {
    for (const [name, value] of Object.entries(config.thresholds)) {
        if (!Number.isSafeInteger(value) || value <= 0) {
            throw new RangeError(`KPI threshold ${name} ${String(value)} must be a positive whole number (thresholds are compared exactly, in integers)`);
        }
    }
    return { ...config.thresholds, currency: config.currency, minorDigits: minorUnitDigits(config.currency) };
}

/**
 * Validates one index item into a day's aggregate (the per-item work of a run; the benchmark measures it):
 * its expiresAt is checked whatever its verdict, and a trip whose completedAt lies outside [fromMs, toMs) is not
 * counted (false: only items that break the completedAt contract can be).
 */
export type ItemCounter = (aggregate: DayAggregate, item: TripItem, rules: ValidationRules, tripRetentionDays: number, trip: Trip, range: { fromMs: number; toMs: number }) => boolean;

/**
 * Builds the item counter and everything it calls, once per run: in the serialized function these are plain
 * closures, whereas a top-level function of serialized code is re-created on every call and looks its free names up
 * through `with` scopes (30x the per-item time; docs/kpi.md, "As deployed"). `computeDay` calls it; so does the
 * benchmark, on the serialized closure.
 */
export function createItemCounter(): ItemCounter {
    const decimal = createDecimalReader();
    const { validateTrip: validate, parseUtcMillis: parseTime } = createTripReader(decimal);
    const expiry = createExpiryCheck(decimal);
    const adder = createAggregateAdder();
    return function countItem(aggregate, item, rules, tripRetentionDays, trip, range): boolean {
        const verdict = validate(item, rules, trip);
        const completedAtMs = verdict === "trip" ? trip.completedAtMs : parseTime(item["completedAt"]?.S ?? "");
        adder.addExpiry(aggregate, expiry(item, completedAtMs, tripRetentionDays));
        if (verdict === "trip" && (trip.completedAtMs < range.fromMs || trip.completedAtMs >= range.toMs)) return false;
        adder.add(aggregate, verdict, trip);
        return true;
    };
}

/**
 * Reads one KPI day from the index (every page of every range; ranges run in parallel when the day is split
 * into `querySegments`) and aggregates it. Partial aggregates are merged in range order; all sums are
 * integers, so the row does not depend on the split.
 */
export async function computeDay(client: DynamoDBClient, config: KpiFunctionConfig, date: string): Promise<DayKpis> {
    const window = dayWindow(date, config.timeZone);
    const rules = validationRules(config);
    const ranges = queryRanges(window, config.querySegments);
    const count = createItemCounter();
    let outsideWindow = 0;
    const parts = await Promise.all(
        ranges.map(async (range) => {
            const aggregate = new DayAggregate();
            const trip = emptyTrip();
            const counts = await queryRange(client, { tableName: config.tableName, indexName: config.indexName }, range, (items: TripItem[]) => {
                for (const item of items) {
                    if (!count(aggregate, item, rules, config.tripRetentionDays, trip, range)) outsideWindow++;
                }
            });
            return { aggregate, ...counts };
        }),
    );
    const total = new DayAggregate();
    for (const part of parts) total.merge(part.aggregate);
    return {
        date,
        row: kpiRow(date, total, { timeZone: config.timeZone, currency: config.currency, minorDigits: rules.minorDigits, topZones: config.topZones }),
        queries: ranges.length,
        pages: parts.reduce((sum, part) => sum + part.pages, 0),
        items: parts.reduce((sum, part) => sum + part.items, 0),
        outsideWindow,
        expiresAtMissing: total.expiresAtMissing,
        expiresAtTooLate: total.expiresAtTooLate,
    };
}
