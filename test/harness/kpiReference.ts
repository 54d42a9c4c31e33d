/**
 * The KPI oracle: what docs/kpi.md says a day's row must hold, computed the simple way and independent of
 * functions/kpi: items classified by the documented rules (BigInt and string arithmetic, exact), plain integer
 * sums, exact sorts for percentiles, ratios rounded as the docs define. The integration specs
 * (test/integration/kpi) and the demo (cli/demo/kpiStep.ts) both check against this one reference; each maps its
 * own trips to `ReferenceTrip`, or hands raw items to `referenceVerdict` / `referenceTripOf`.
 */

/** One valid completed trip as the reference reads it: money in exact cents, duration in seconds. */
export interface ReferenceTrip {
    fareCents: number;
    tipCents: number;
    tollsCents: number;
    /** As written (a number is read through its shortest decimal text, a string as it is). */
    distanceKm: number | string;
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
    /** Σ distance in km (from the exact millimetre sum) and the millimetres themselves. */
    distanceKm: number;
    distanceMm: bigint;
    durationS: number;
    durationMs: bigint;
    /** Every trip's distance in km (to the millimetre), in input order (the quantile helpers sort a copy). */
    distances: number[];
    /** Every trip's duration in seconds, in input order. */
    durations: number[];
    payments: Record<string, number>;
    zones: Map<string, number>;
}

// --- exact decimals (docs: "Numbers are read from DynamoDB's decimal text exactly") ---

const DECIMAL = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** `text` at `scale` decimals as a BigInt, rounded half away from zero, or null when it is not a decimal number. */
export function referenceScaled(text: string, scale: number): bigint | null {
    const match = DECIMAL.exec(text);
    if (match === null) return null;
    const [, sign, whole = "", fraction = "", exponent = "0"] = match;
    if (whole.length + fraction.length === 0) return null;
    const digits = BigInt(whole + fraction);
    const shift = Number(exponent) - fraction.length + scale; // value = digits * 10^(shift - scale)
    let magnitude: bigint;
    if (shift >= 0) {
        magnitude = digits * 10n ** BigInt(shift);
    } else {
        const divisor = 10n ** BigInt(-shift);
        magnitude = digits / divisor;
        if ((digits % divisor) * 2n >= divisor) magnitude += 1n;
    }
    return sign === "-" ? -magnitude : magnitude;
}

/** Docs: "written below zero, however small"; "-0" is zero. */
function writtenNegative(text: string): boolean {
    const match = DECIMAL.exec(text);
    return match !== null && match[1] === "-" && /[1-9]/.test(`${match[2] ?? ""}${match[3] ?? ""}`);
}

// --- timestamps (docs: strict UTC ISO-8601, read to the millisecond, truncated) ---

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$/;

/** Milliseconds of a strict UTC timestamp (fraction truncated to the millisecond), or null. */
export function referenceInstant(text: string): number | null {
    const match = TIMESTAMP.exec(text);
    if (match === null) return null;
    const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number);
    const ms = Number(((match[7] ?? "") + "000").slice(0, 3));
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
    date.setUTCFullYear(y); // years 0-99 too
    if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
    return date.getTime();
}

// --- classification (docs: Validation) ---

/** A DynamoDB attribute as the low-level client gives it (only the types the contract uses). */
export type ReferenceAttribute = { S?: string; N?: string; NULL?: boolean; BOOL?: boolean };
export type ReferenceItem = Record<string, ReferenceAttribute>;
export type ReferenceVerdict = "trip" | "not_completed" | "missing_field" | "wrong_type" | "negative_value" | "wrong_currency" | "impossible_duration" | "impossible_speed";

export interface ReferenceRules {
    currency: string;
    minorDigits: number;
    maxSpeedKmh: number;
    maxDurationSeconds: number;
}

export const REFERENCE_RULES: ReferenceRules = { currency: "USD", minorDigits: 2, maxSpeedKmh: 200, maxDurationSeconds: 43_200 };

const LIMIT = BigInt(Number.MAX_SAFE_INTEGER);

/** The docs' verdict for one index item: a status other than COMPLETED first, then the checks in the documented order. */
export function referenceVerdict(item: ReferenceItem, rules: ReferenceRules = REFERENCE_RULES): ReferenceVerdict {
    const status = item["status"];
    if (status !== undefined && typeof status.S === "string" && status.S !== "COMPLETED") return "not_completed";
    const required = ["status", "completedAt", "pickupAt", "dropoffAt", "distanceKm", "fare", "currency", "paymentType", "pickupZone"];
    if (required.some((name) => item[name] === undefined)) return "missing_field";
    const strings = ["status", "completedAt", "pickupAt", "dropoffAt", "currency", "paymentType", "pickupZone"];
    if (strings.some((name) => typeof item[name]?.S !== "string")) return "wrong_type";
    const numbers = ["distanceKm", "fare", "tip", "tolls"].filter((name) => item[name] !== undefined);
    if (numbers.some((name) => typeof item[name]?.N !== "string")) return "wrong_type";
    const scaleOf = (name: string) => (name === "distanceKm" ? 6 : rules.minorDigits);
    for (const name of numbers) {
        const value = referenceScaled(item[name]?.N ?? "", scaleOf(name));
        if (value === null || value > LIMIT || value < -LIMIT) return "wrong_type";
    }
    for (const name of ["completedAt", "pickupAt", "dropoffAt"]) if (referenceInstant(item[name]?.S ?? "") === null) return "wrong_type";
    if (numbers.some((name) => writtenNegative(item[name]?.N ?? ""))) return "negative_value";
    if (item["currency"]?.S !== rules.currency) return "wrong_currency";
    const durationMs = BigInt((referenceInstant(item["dropoffAt"]?.S ?? "") ?? 0) - (referenceInstant(item["pickupAt"]?.S ?? "") ?? 0));
    if (durationMs <= 0n || durationMs > BigInt(rules.maxDurationSeconds) * 1000n) return "impossible_duration";
    // km/h = (mm / 10^6) / (ms / 3 600 000) > max  <=>  mm * 3 600 000 > max * ms * 10^6
    const distanceMm = referenceScaled(item["distanceKm"]?.N ?? "", 6) ?? 0n;
    if (distanceMm * 3_600_000n > BigInt(rules.maxSpeedKmh) * durationMs * 1_000_000n) return "impossible_speed";
    return "trip";
}

/** The trip of an item whose verdict is "trip", in the reference's units. */
export function referenceTripOf(item: ReferenceItem, rules: ReferenceRules = REFERENCE_RULES): ReferenceTrip {
    const minor = (name: string) => Number(item[name] === undefined ? 0n : (referenceScaled(item[name]?.N ?? "", rules.minorDigits) ?? 0n));
    return {
        fareCents: minor("fare"),
        tipCents: minor("tip"),
        tollsCents: minor("tolls"),
        distanceKm: item["distanceKm"]?.N ?? "",
        durationS: ((referenceInstant(item["dropoffAt"]?.S ?? "") ?? 0) - (referenceInstant(item["pickupAt"]?.S ?? "") ?? 0)) / 1000,
        paymentType: item["paymentType"]?.S ?? "",
        pickupZone: item["pickupZone"]?.S ?? "",
    };
}

// --- aggregation (docs: KPI definitions) ---

export function referenceKpis(trips: Iterable<ReferenceTrip>): ReferenceKpis {
    const payments = new Map<string, number>();
    const result: ReferenceKpis = { trips: 0, revenueCents: 0, revenueMin: null, revenueMax: null, faresCents: 0, tipsCents: 0, tollsCents: 0, distanceKm: 0, distanceMm: 0n, durationS: 0, durationMs: 0n, distances: [], durations: [], payments: {}, zones: new Map() };
    for (const trip of trips) {
        const revenue = trip.fareCents + trip.tipCents + trip.tollsCents;
        const mm = referenceScaled(typeof trip.distanceKm === "number" ? String(trip.distanceKm) : trip.distanceKm, 6);
        if (mm === null) throw new Error(`reference: distance ${String(trip.distanceKm)} is not a decimal`);
        const ms = BigInt(Math.round(trip.durationS * 1000));
        result.trips++;
        result.revenueCents += revenue;
        result.revenueMin = result.revenueMin === null ? revenue : Math.min(result.revenueMin, revenue);
        result.revenueMax = result.revenueMax === null ? revenue : Math.max(result.revenueMax, revenue);
        result.faresCents += trip.fareCents;
        result.tipsCents += trip.tipCents;
        result.tollsCents += trip.tollsCents;
        result.distanceMm += mm;
        result.durationMs += ms;
        result.distances.push(Number(mm) / 1e6);
        result.durations.push(Number(ms) / 1000);
        payments.set(trip.paymentType, (payments.get(trip.paymentType) ?? 0) + 1);
        result.zones.set(trip.pickupZone, (result.zones.get(trip.pickupZone) ?? 0) + 1);
    }
    // fromEntries defines own properties: a payment type named "__proto__" is kept like any other.
    result.payments = Object.fromEntries(payments);
    result.distanceKm = Number(result.distanceMm) / 1e6;
    result.durationS = Number(result.durationMs) / 1000;
    return result;
}

/** Docs: "rounded to 6 decimals, half away from zero, exactly": numerator / denominator (integers >= 0), or null for a zero denominator. */
export function referenceRatio(numerator: bigint, denominator: bigint): number | null {
    if (denominator === 0n) return null;
    const scaled = numerator * 1_000_000n;
    let millionths = scaled / denominator;
    if ((scaled % denominator) * 2n >= denominator) millionths += 1n;
    return Number(millionths) / 1e6;
}

/** The exact doubles of a reference day (means, rate, speed, revenue per km), as the docs define and round them. */
export function referenceDoubles(reference: ReferenceKpis): Record<string, number | null> {
    const n = BigInt(reference.trips);
    const empty = reference.trips === 0;
    return {
        revenue_mean_minor: referenceRatio(BigInt(reference.revenueCents), n),
        tip_rate: referenceRatio(BigInt(reference.tipsCents), BigInt(reference.faresCents)),
        distance_km_total: Number(reference.distanceMm) / 1e6,
        distance_km_mean: referenceRatio(reference.distanceMm, n * 1_000_000n),
        duration_s_mean: referenceRatio(reference.durationMs, n * 1000n),
        // Σ km / Σ h = (mm / 10^6) / (ms / 3 600 000)
        speed_kmh_mean: empty ? null : referenceRatio(reference.distanceMm * 3_600_000n, reference.durationMs * 1_000_000n),
        revenue_per_km_minor: empty ? null : referenceRatio(BigInt(reference.revenueCents) * 1_000_000n, reference.distanceMm),
    };
}

/** Docs: the value at 0-based rank ⌊q·(n−1)⌋ of the sorted values, q = numerator / denominator (the lower neighbour). */
export function exactQuantile(values: readonly number[], numerator: number, denominator: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Number((BigInt(numerator) * BigInt(sorted.length - 1)) / BigInt(denominator));
    return sorted[rank];
}

/** The exact values at the ranks around q·(n−1) of a sorted copy: a sketch's answer must lie within its relative error of [lower, upper]. */
export function exactQuantileBounds(values: readonly number[], q: number): { lower: number; upper: number } {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = q * (sorted.length - 1);
    return { lower: sorted[Math.floor(rank)], upper: sorted[Math.ceil(rank)] };
}

/** Docs: Unicode code point order, the order of the UTF-8 bytes. */
export function byCodePoints(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** The reference's payment counts, keys in code point order (as the row lists them). */
export function sortedPayments(reference: ReferenceKpis): Record<string, number> {
    return Object.fromEntries(Object.entries(reference.payments).sort(([a], [b]) => byCodePoints(a, b)));
}

/** The reference's `topZones` busiest pickup zones: most trips first, ties by name in code point order. */
export function topPickupZones(reference: ReferenceKpis, topZones: number): { zone: string; trips: number }[] {
    return [...reference.zones].sort((a, b) => b[1] - a[1] || byCodePoints(a[0], b[0])).slice(0, topZones).map(([zone, trips]) => ({ zone, trips }));
}
