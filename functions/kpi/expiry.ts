import { createDecimalReader, DecimalReader } from "./decimal";
import type { TripItem } from "./trips";

/**
 * The trips table holds personal data, so every item must expire (DynamoDB TTL on `expiresAt`, epoch seconds)
 * at most `tripRetentionDays` days after its `completedAt`. The KPIs never depend on it; the pipeline only
 * counts the items that break it, so the writers can be told (the TripsKeptTooLong metric and alarm).
 */
export type ExpiryVerdict = "ok" | "missing" | "too_late";

const DAY_MS = 86_400_000;
/** DynamoDB TTL ignores an expiry more than five years in the past: such an item is never deleted. */
const TTL_IGNORED_BEFORE_MS = 5 * 365 * DAY_MS;

/**
 * Builds the check once per run (`createItemCounter`): a plain closure in the serialized function, referring only to
 * names of this scope (docs/kpi.md, "As deployed").
 *
 * The check: whether an item's `expiresAt` keeps it no longer than `retentionDays` after `completedAtMs`:
 * "missing" when there is no usable expiresAt (absent, not a number: TTL ignores it), "too_late" when it is
 * later than completedAt + retentionDays (compared exactly, in milliseconds) or so far in the past that TTL
 * ignores it. An item whose completedAt is not a timestamp (NaN) is only checked for "missing".
 */
export function createExpiryCheck(decimal: DecimalReader = createDecimalReader()): (item: TripItem, completedAtMs: number, retentionDays: number) => ExpiryVerdict {
    const NOTHING = undefined;
    const dayMs = DAY_MS;
    const ignoredBeforeMs = TTL_IGNORED_BEFORE_MS;
    const scaledDecimal = decimal.scaledDecimal;
    return function expiryVerdict(item: TripItem, completedAtMs: number, retentionDays: number): ExpiryVerdict {
        const text = item["expiresAt"]?.N;
        if (text === NOTHING) return "missing";
        // Ceiling to the millisecond: an expiry a fraction of a millisecond after the limit is after it.
        const expiresMs = scaledDecimal(text, 3, "ceiling");
        if (expiresMs !== expiresMs) return "too_late"; // beyond 2^53 ms: centuries away
        if (completedAtMs !== completedAtMs) return "ok";
        if (expiresMs > completedAtMs + retentionDays * dayMs || expiresMs < completedAtMs - ignoredBeforeMs) return "too_late";
        return "ok";
    };
}

/** See `createExpiryCheck`; for callers off the per-item path (tests). */
export const expiryVerdict = createExpiryCheck();
