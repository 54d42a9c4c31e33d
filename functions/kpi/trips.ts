import { QueryCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue, DynamoDBClient, QueryCommandOutput } from "@aws-sdk/client-dynamodb";

import { KpiThresholds } from "./config";
import { DayWindow } from "./days";
import { createDecimalReader, DecimalReader } from "./decimal";

/**
 * Reading and validating completed trips. One day is read from the sparse GSI (`completedDate`, `completedAt`)
 * with Queries only, every page followed; only the attributes the KPIs need are projected (never rider or
 * driver ids). An item is either a valid trip or a rejection with one reason.
 */

export type TripItem = Record<string, AttributeValue>;

export const REJECT_REASONS = ["missing_field", "wrong_type", "negative_value", "impossible_speed", "impossible_duration", "wrong_currency"] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** What validation yields for one item: a trip, a rejection, or an item that is not (or no longer) a completed trip. */
export type Verdict = "trip" | "not_completed" | RejectReason;

/** A valid completed trip in the units the KPIs use (integers only). Filled in place (one object reused per reader). */
export interface Trip {
    completedAtMs: number;
    durationMs: number;
    /** The distance in millimetres (10^-6 km), read exactly from the decimal text. */
    distanceMm: number;
    fareMinor: number;
    tipMinor: number;
    tollsMinor: number;
    paymentType: string;
    pickupZone: string;
}

export function emptyTrip(): Trip {
    return { completedAtMs: 0, durationMs: 0, distanceMm: 0, fareMinor: 0, tipMinor: 0, tollsMinor: 0, paymentType: "", pickupZone: "" };
}

export interface ValidationRules extends KpiThresholds {
    currency: string;
    minorDigits: number;
}

/** The attributes read from the index: exactly what the KPIs and the retention check need. */
export const PROJECTED_ATTRIBUTES = ["status", "completedAt", "pickupAt", "dropoffAt", "distanceKm", "fare", "tip", "tolls", "currency", "paymentType", "pickupZone", "expiresAt"] as const;

/** Distances are read to the millimetre: 6 decimals of a kilometre. */
export const DISTANCE_SCALE = 6;


/** The per-item readers of trip items (see `createTripReader`). */
export interface TripReader {
    parseUtcMillis: (text: string) => number;
    fasterThan: (distanceMm: number, durationMs: number, maxSpeedKmh: number) => boolean;
    validateTrip: (item: TripItem, rules: ValidationRules, out: Trip) => Verdict;
}

/**
 * Builds the readers once per run (`createItemCounter`): in the serialized closure they are then plain closures
 * that refer only to names of this scope (the globals they need bound here once), never a top-level function of
 * serialized code, which is re-created on every call (docs/kpi.md, "As deployed").
 */
export function createTripReader(decimal: DecimalReader = createDecimalReader()): TripReader {
    const NOTHING = undefined;
    const NAN = Number.NaN;
    const MAX_SAFE = Number.MAX_SAFE_INTEGER;
    const floor = Math.floor;
    const toBigInt = BigInt;
    const distanceScale = DISTANCE_SCALE;
    const { scaledDecimal, isNegativeDecimal } = decimal;

    /**
     * Milliseconds of a strict UTC ISO-8601 timestamp (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`), or NaN. Digits of the
     * fraction after the third are checked but dropped (the instant is truncated to its millisecond, as Date.parse
     * does). Parsed from the character codes (about 4x faster than Date.parse, which is the hot spot of validation).
     */
    function parseUtcMillis(text: string): number {
        const n = text.length;
        if (n < 20 || text.charCodeAt(n - 1) !== 90 /* Z */ || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 /* T */ || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
            return NAN;
        }
        const year = digits(text, 0, 4);
        const month = digits(text, 5, 2);
        const day = digits(text, 8, 2);
        const hour = digits(text, 11, 2);
        const minute = digits(text, 14, 2);
        const second = digits(text, 17, 2);
        let millis = 0;
        if (n > 20) {
            const fractionDigits = n - 21;
            if (text.charCodeAt(19) !== 46 /* . */ || fractionDigits === 0) return NAN;
            const kept = fractionDigits < 3 ? fractionDigits : 3;
            millis = digits(text, 20, kept) * 10 ** (3 - kept);
            if (millis !== millis || !allDigits(text, 23, n - 1)) return NAN;
        }
        if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59)) return NAN; // false for NaN too
        return (daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * 1000 + millis;
    }

    function daysInMonth(year: number, month: number): number {
        if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
        return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), integer arithmetic only. */
    function daysFromCivil(year: number, month: number, day: number): number {
        const y = month <= 2 ? year - 1 : year;
        const era = floor(y / 400);
        const yoe = y - era * 400;
        const doy = floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
        const doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy;
        return era * 146097 + doe - 719468;
    }

    /** The decimal value of `count` digits at `start`, or NaN when one is not a digit. */
    function digits(text: string, start: number, count: number): number {
        let value = 0;
        for (let i = start; i < start + count; i++) {
            const code = text.charCodeAt(i) - 48;
            if (code < 0 || code > 9) return NAN;
            value = value * 10 + code;
        }
        return value;
    }

    /** Whether every character in [start, end) is a digit. */
    function allDigits(text: string, start: number, end: number): boolean {
        for (let i = start; i < end; i++) {
            const code = text.charCodeAt(i) - 48;
            if (code < 0 || code > 9) return false;
        }
        return true;
    }

    /**
     * Whether `distanceMm` over `durationMs` is faster than `maxSpeedKmh` (a whole number), compared exactly:
     * mm / ms * 3.6 > max  <=>  mm * 36 > max * ms * 10, in integers (BigInt when a product leaves the safe range).
     */
    function fasterThan(distanceMm: number, durationMs: number, maxSpeedKmh: number): boolean {
        const left = distanceMm * 36;
        const right = maxSpeedKmh * durationMs * 10;
        if (left <= MAX_SAFE && right <= MAX_SAFE) return left > right;
        return toBigInt(distanceMm) * 36n > toBigInt(maxSpeedKmh) * toBigInt(durationMs) * 10n;
    }

    /**
     * Validates one item into `out`. A `status` that is a string other than `COMPLETED` makes the item
     * "not_completed" before any other check; otherwise the checks run in a fixed order and the first failure is
     * the reason: missing field, wrong type, negative value, wrong currency, impossible duration, impossible speed.
     * `tip` and `tolls` may be absent (0). Every comparison is exact (integers: minor units, millimetres, milliseconds).
     */
    function validateTrip(item: TripItem, rules: ValidationRules, out: Trip): Verdict {
        const status = item["status"];
        if (status !== NOTHING && status.S !== NOTHING && status.S !== "COMPLETED") {
            return "not_completed";
        }
        // Each attribute read once, by its literal name (a loop over the names was a keyed lookup per name and item).
        const completedAtValue = item["completedAt"];
        const pickupAtValue = item["pickupAt"];
        const dropoffAtValue = item["dropoffAt"];
        const currencyValue = item["currency"];
        const paymentTypeValue = item["paymentType"];
        const pickupZoneValue = item["pickupZone"];
        const distanceValue = item["distanceKm"];
        const fareValue = item["fare"];
        if (
            status === NOTHING ||
            completedAtValue === NOTHING ||
            pickupAtValue === NOTHING ||
            dropoffAtValue === NOTHING ||
            currencyValue === NOTHING ||
            paymentTypeValue === NOTHING ||
            pickupZoneValue === NOTHING ||
            distanceValue === NOTHING ||
            fareValue === NOTHING
        ) {
            return "missing_field";
        }
        if (status.S === NOTHING) return "wrong_type";

        const tipValue = item["tip"];
        const tollsValue = item["tolls"];
        const completedAt = completedAtValue.S;
        const pickupAt = pickupAtValue.S;
        const dropoffAt = dropoffAtValue.S;
        const currency = currencyValue.S;
        const paymentType = paymentTypeValue.S;
        const pickupZone = pickupZoneValue.S;
        const distanceText = distanceValue.N;
        const fareText = fareValue.N;
        const tipText = tipValue?.N;
        const tollsText = tollsValue?.N;
        if (
            completedAt === NOTHING ||
            pickupAt === NOTHING ||
            dropoffAt === NOTHING ||
            currency === NOTHING ||
            paymentType === NOTHING ||
            pickupZone === NOTHING ||
            distanceText === NOTHING ||
            fareText === NOTHING ||
            (tipText === NOTHING && tipValue !== NOTHING) ||
            (tollsText === NOTHING && tollsValue !== NOTHING)
        ) {
            return "wrong_type";
        }
        const completedAtMs = parseUtcMillis(completedAt);
        const pickupMs = parseUtcMillis(pickupAt);
        // Writers usually set completedAt = dropoffAt: parse once.
        const dropoffMs = dropoffAt === completedAt ? completedAtMs : parseUtcMillis(dropoffAt);
        const distanceMm = scaledDecimal(distanceText, distanceScale, "half-away");
        const fareMinor = scaledDecimal(fareText, rules.minorDigits, "half-away");
        const tipMinor = tipText === NOTHING ? 0 : scaledDecimal(tipText, rules.minorDigits, "half-away");
        const tollsMinor = tollsText === NOTHING ? 0 : scaledDecimal(tollsText, rules.minorDigits, "half-away");
        if (completedAtMs !== completedAtMs || pickupMs !== pickupMs || dropoffMs !== dropoffMs || distanceMm !== distanceMm || fareMinor !== fareMinor || tipMinor !== tipMinor || tollsMinor !== tollsMinor) {
            return "wrong_type"; // NaN !== NaN: unparseable
        }
        // The written sign decides: -0.001 is negative even where it rounds to 0 minor units; -0 is not.
        if (isNegativeDecimal(distanceText) || isNegativeDecimal(fareText) || (tipText !== NOTHING && isNegativeDecimal(tipText)) || (tollsText !== NOTHING && isNegativeDecimal(tollsText))) {
            return "negative_value";
        }
        if (currency !== rules.currency) return "wrong_currency";
        const durationMs = dropoffMs - pickupMs;
        if (durationMs <= 0 || durationMs > rules.maxDurationSeconds * 1000) return "impossible_duration";
        if (fasterThan(distanceMm, durationMs, rules.maxSpeedKmh)) return "impossible_speed";

        out.completedAtMs = completedAtMs;
        out.durationMs = durationMs;
        out.distanceMm = distanceMm;
        out.fareMinor = fareMinor;
        out.tipMinor = tipMinor;
        out.tollsMinor = tollsMinor;
        out.paymentType = paymentType;
        out.pickupZone = pickupZone;
        return "trip";
    }

    return { parseUtcMillis, fasterThan, validateTrip };
}

const moduleReader = createTripReader();
/** See `TripReader`; these are for callers off the per-item path (events, tests, the CLI). */
export const parseUtcMillis = moduleReader.parseUtcMillis;
export const fasterThan = moduleReader.fasterThan;
export const validateTrip = moduleReader.validateTrip;

/** One Query range: a UTC partition and a completedAt range [fromMs, toMs) inside the day's window. */
export interface QueryRange {
    partition: string;
    fromMs: number;
    toMs: number;
}

/**
 * The Query ranges of a day: the window split into `segments` slices of whole seconds, each cut at the UTC
 * partition boundaries. Ranges are disjoint, so an item is read once.
 */
export function queryRanges(window: DayWindow, segments: number): QueryRange[] {
    const cuts: number[] = [window.startMs];
    const span = window.endMs - window.startMs;
    for (let i = 1; i < segments; i++) cuts.push(window.startMs + Math.floor((span * i) / segments / 1000) * 1000);
    for (const partition of window.partitions.slice(1)) cuts.push(Date.parse(`${partition}T00:00:00Z`));
    cuts.push(window.endMs);
    const sorted = [...new Set(cuts)].sort((a, b) => a - b);
    const ranges: QueryRange[] = [];
    for (let i = 0; i + 1 < sorted.length; i++) {
        const fromMs = sorted[i];
        const toMs = sorted[i + 1];
        ranges.push({ partition: new Date(fromMs).toISOString().slice(0, 10), fromMs, toMs });
    }
    return ranges;
}

/** A second-precision sort-key bound without suffix: it sorts before every timestamp of that second. */
function secondPrefix(ms: number): string {
    return new Date(ms).toISOString().slice(0, 19);
}

/**
 * Reads every page of one range and hands each page's items to `onPage`. The key condition selects
 * [from, to) by second prefixes: `BETWEEN "…T05:00:00" AND "…T06:00:00"` holds every timestamp of 05:xx:xx and
 * none of 06:00:00.x (a prefix sorts before its extensions).
 */
export async function queryRange(
    client: DynamoDBClient,
    table: { tableName: string; indexName: string },
    range: QueryRange,
    onPage: (items: TripItem[]) => void,
): Promise<{ pages: number; items: number }> {
    const names: Record<string, string> = { "#pk": "completedDate", "#sk": "completedAt" };
    const projection = PROJECTED_ATTRIBUTES.map((name, i) => {
        names[`#a${i}`] = name;
        return `#a${i}`;
    }).join(", ");
    let exclusiveStartKey: TripItem | undefined;
    let pages = 0;
    let items = 0;
    do {
        const page: QueryCommandOutput = await client.send(
            new QueryCommand({
                TableName: table.tableName,
                IndexName: table.indexName,
                KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: { ":pk": { S: range.partition }, ":from": { S: secondPrefix(range.fromMs) }, ":to": { S: secondPrefix(range.toMs) } },
                ProjectionExpression: projection,
                ExclusiveStartKey: exclusiveStartKey,
            }),
        );
        pages++;
        items += page.Items?.length ?? 0;
        onPage(page.Items ?? []);
        exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
    return { pages, items };
}
