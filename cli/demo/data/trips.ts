import type { AttributeValue } from "@aws-sdk/client-dynamodb";

import { Random } from "../random";

/**
 * Synthetic taxi trips for the KPI step, written as DynamoDB items in the trips table's contract (see
 * functions/kpi/trips.ts): completed trips carry `completedDate` (the sparse GSI's key), cancelled ones do
 * not. Money is generated in integer cents, so the reference below is exact. Shapes follow the NYC TLC
 * trip-record dictionary (zones, payment types, fare + tip + tolls); nothing here is a real person.
 */
export type TripItem = Record<string, AttributeValue>;

/** Why a generated item must be rejected by the KPI validation (one reason each, unambiguous). */
export type CorruptKind = "missing_field" | "wrong_type" | "negative_value" | "impossible_speed" | "impossible_duration" | "wrong_currency";
const CORRUPT_KINDS: readonly CorruptKind[] = ["missing_field", "wrong_type", "negative_value", "impossible_speed", "impossible_duration", "wrong_currency"];

const ZONES = [
    "JFK Airport", "LaGuardia Airport", "Midtown Center", "Midtown East", "Upper East Side South", "Upper West Side South", "Times Sq/Theatre District",
    "Murray Hill", "Penn Station/Madison Sq West", "Lincoln Square East", "East Village", "Clinton East", "Gramercy", "Union Sq", "West Village",
    "Lenox Hill West", "Financial District North", "TriBeCa/Civic Center", "Yorkville West", "Astoria", "Williamsburg (North Side)", "Park Slope",
    "Long Island City/Hunters Point", "Downtown Brooklyn/MetroTech",
] as const;
const PAYMENT_TYPES = [
    ["credit_card", 70],
    ["cash", 20],
    ["app_wallet", 9],
    ["dispute", 1],
] as const;

/** One valid trip as the generator knows it (the reference is computed from these, not from the KPI code). */
export interface GeneratedTrip {
    date: string;
    completedAtMs: number;
    durationMs: number;
    distanceKm: number;
    fareCents: number;
    tipCents: number;
    tollsCents: number;
    paymentType: string;
    pickupZone: string;
}

export interface TripSet {
    /** Items written before the first KPI run. */
    onTime: TripItem[];
    /** Completed trips whose items arrive after their day's first KPI run (counted by the recompute). */
    late: TripItem[];
    /** The valid trips per day (on-time and late). */
    valid: Map<string, GeneratedTrip[]>;
    /** The late valid trips per day. */
    lateValid: Map<string, number>;
    /** Corrupt completed items per day and reason. */
    corrupt: Map<string, Record<CorruptKind, number>>;
    cancelled: number;
}

export interface TripSizes {
    trips: number;
    days: string[];
    /** Days whose late trips arrive after the first KPI run (the days a scheduled run recomputes); other days get none. */
    lateDays: string[];
    currency: string;
}

const DAY_MS = 86_400_000;

function isoMs(ms: number): string {
    return new Date(ms).toISOString();
}

function money(cents: number): AttributeValue {
    return { N: (cents / 100).toFixed(2) };
}

/**
 * About `trips` items over `days` (UTC dates): ~0.5% corrupt (one reason each, rotating), ~1% cancelled,
 * ~0.5% late; completion times spread over the day with a share just before and after midnight.
 */
export function generateTrips(random: Random, sizes: TripSizes): TripSet {
    const set: TripSet = { onTime: [], late: [], valid: new Map(), lateValid: new Map(), corrupt: new Map(), cancelled: 0 };
    for (const day of sizes.days) {
        set.valid.set(day, []);
        set.lateValid.set(day, 0);
        set.corrupt.set(day, Object.fromEntries(CORRUPT_KINDS.map((kind) => [kind, 0])) as Record<CorruptKind, number>);
    }
    let corruptIndex = 0;
    for (let index = 0; index < sizes.trips; index++) {
        const date = sizes.days[index % sizes.days.length];
        const dayStart = Date.parse(`${date}T00:00:00Z`);
        // Some trips finish in the first or last seconds of the day, where day boundaries are easy to get wrong.
        const offset = random.chance(0.01) ? (random.chance(0.5) ? random.int(0, 2_000) : DAY_MS - 1 - random.int(0, 2_000)) : random.int(0, DAY_MS - 1);
        const completedAtMs = dayStart + offset;
        const durationMs = Math.max(60_000, Math.round(random.logNormal(14 * 60_000, 0.5)));
        const speedKmh = Math.min(90, random.logNormal(19, 0.35));
        const distanceKm = Math.round(((speedKmh * durationMs) / 3_600_000) * 1000) / 1000;
        const fareCents = 300 + Math.round(distanceKm * 175) + Math.round((durationMs / 60_000) * 50);
        const paymentType = random.weighted(PAYMENT_TYPES);
        const tipCents = paymentType === "credit_card" ? Math.round(fareCents * random.pick([0, 0.15, 0.18, 0.2, 0.25])) : 0;
        const tollsCents = random.chance(0.05) ? 694 : 0;
        const pickupZone = random.pick(ZONES);
        const item: TripItem = {
            tripId: { S: `trip-${random.hex(16)}` },
            status: { S: "COMPLETED" },
            completedAt: { S: isoMs(completedAtMs) },
            completedDate: { S: date },
            pickupAt: { S: isoMs(completedAtMs - durationMs) },
            dropoffAt: { S: isoMs(completedAtMs) },
            distanceKm: { N: String(distanceKm) },
            fare: money(fareCents),
            tip: money(tipCents),
            tolls: money(tollsCents),
            currency: { S: sizes.currency },
            paymentType: { S: paymentType },
            pickupZone: { S: pickupZone },
            dropoffZone: { S: random.pick(ZONES) },
            driverId: { S: `drv-${random.hex(10)}` },
            riderId: { S: `rdr-${random.hex(10)}` },
            // DynamoDB TTL (docs/kpi.md, item contract): gone 3 days (kpi.tripRetentionDays' default) after completion.
            expiresAt: { N: String(Math.floor(completedAtMs / 1000) + 3 * 86_400) },
        };
        const roll = random.next();
        if (roll < 0.01) {
            // Cancelled: no completion, so not in the sparse index and never read by the KPI function.
            delete item["completedAt"];
            delete item["completedDate"];
            delete item["dropoffAt"];
            item["status"] = { S: "CANCELLED" };
            set.cancelled++;
            set.onTime.push(item);
        } else if (roll < 0.015) {
            const kind = CORRUPT_KINDS[corruptIndex++ % CORRUPT_KINDS.length];
            corrupt(item, kind, sizes.currency);
            set.corrupt.get(date)![kind]++;
            set.onTime.push(item);
        } else {
            set.valid.get(date)!.push({ date, completedAtMs, durationMs, distanceKm, fareCents, tipCents, tollsCents, paymentType, pickupZone });
            if (roll < 0.02 && sizes.lateDays.includes(date)) {
                set.late.push(item);
                set.lateValid.set(date, set.lateValid.get(date)! + 1);
            } else {
                set.onTime.push(item);
            }
        }
    }
    return set;
}

/** Breaks exactly one rule, so the expected rejection reason is unambiguous. */
function corrupt(item: TripItem, kind: CorruptKind, currency: string): void {
    switch (kind) {
        case "missing_field":
            delete item["fare"];
            break;
        case "wrong_type":
            item["distanceKm"] = { S: "twelve" };
            break;
        case "negative_value":
            item["fare"] = { N: "-12.50" };
            break;
        case "wrong_currency":
            item["currency"] = { S: currency === "EUR" ? "GBP" : "EUR" };
            break;
        case "impossible_duration": {
            // Dropped off before being picked up.
            const dropoff = item["dropoffAt"].S!;
            item["pickupAt"] = { S: isoMs(Date.parse(dropoff) + 60_000) };
            break;
        }
        case "impossible_speed":
            item["distanceKm"] = { N: "480.5" }; // 480 km in well under an hour
            item["pickupAt"] = { S: isoMs(Date.parse(item["dropoffAt"].S!) - 20 * 60_000) };
            break;
    }
}
