/**
 * The 6-decimal rounding of every double column, done exactly: a ratio of integers is rounded from its exact
 * quotient (BigInt arithmetic), a double (a percentile from the sketch) from its exact binary value. Both round
 * half away from zero (every KPI is >= 0, so: half up). 0.0000125 -> 0.000013, 0.0000124999 -> 0.000012.
 */

/** Decimals every double column is written with. */
export const DOUBLE_DECIMALS = 6;

/**
 * `numerator / denominator` (non-negative integers, safe or BigInt) rounded half away from zero to 6 decimals,
 * or null when the denominator is 0 (a ratio with nothing to divide by is undefined, not 0 and not infinity).
 */
export function ratio6(numerator: number | bigint, denominator: number | bigint): number | null {
    // BigInt values are made here, not at module scope: closure serialization captures module values.
    const num = BigInt(numerator);
    const den = BigInt(denominator);
    if (den === 0n) return null;
    if (num < 0n || den < 0n) throw new RangeError(`ratio6 takes non-negative integers, got ${num}/${den}`);
    // floor((2 * num * 10^6 + den) / (2 * den)) = the quotient in millionths, halves rounded up.
    const millionths = (2n * num * BigInt(10 ** DOUBLE_DECIMALS) + den) / (2n * den);
    return Number(millionths) / 10 ** DOUBLE_DECIMALS;
}

/** A non-negative double rounded half away from zero to 6 decimals from its exact binary value (Number#toFixed is exact). */
export function round6(value: number): number {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`round6 takes a finite non-negative number, got ${value}`);
    return Number(value.toFixed(DOUBLE_DECIMALS));
}
