/**
 * Exact reading of DynamoDB number text (`N`: decimal notation, optionally with an exponent) as an integer at a
 * fixed scale: money in minor units, distances in millimetres, expiry instants in milliseconds. No floating
 * point is involved, so `1.1` km is exactly 1 100 000 mm and a threshold compared with it is compared exactly.
 */

/**
 * How digits below the scale are dropped: "half-away" from zero (the first dropped digit decides: 12.345 at 2
 * places -> 12.35, -2.005 -> -2.01) or "ceiling" (toward +infinity: any nonzero dropped digit rounds a positive
 * value up; a negative one is truncated).
 */
export type Rounding = "half-away" | "ceiling";

/** The two readers the pipeline uses per item. */
export interface DecimalReader {
    scaledDecimal: (text: string, scale: number, rounding?: Rounding) => number;
    isNegativeDecimal: (text: string) => boolean;
}

/**
 * Builds the readers. The KPI function calls this once per run (`createItemCounter`), so in the serialized closure
 * they are plain closures: a top-level function of serialized code is re-created on every call and looks its free
 * names up through `with` scopes, which per item cost the deployed function 30x its time (docs/kpi.md). So the
 * readers refer only to names of this scope, the globals they need bound here once.
 */
export function createDecimalReader(): DecimalReader {
    const MAX_SAFE = Number.MAX_SAFE_INTEGER;
    const NAN = Number.NaN;
    const toNumber = Number;
    const EXPONENT_FORM = /^(-?)(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/;

    /**
     * `text` as an integer count of 10^-scale units, or NaN when it is not a decimal number or its value at that
     * scale is not a safe integer (beyond 2^53 - 1 it could not be summed exactly). `-0` and `-0.001` at scale 2
     * both give 0: whether the written number is below zero is `isNegativeDecimal`'s question.
     */
    function scaledDecimal(text: string, scale: number, rounding: Rounding = "half-away"): number {
        const n = text.length;
        let i = 0;
        let negative = false;
        if (n > 0 && text.charCodeAt(0) === 45 /* - */) {
            negative = true;
            i = 1;
        }
        let units = 0;
        let fraction = -1; // digits seen after the point; -1 before it
        let firstDropped = -1; // the first digit below the scale
        let stickyDropped = false; // a nonzero digit after the first dropped one
        let sawDigit = false;
        for (; i < n; i++) {
            const code = text.charCodeAt(i);
            if (code === 46 /* . */) {
                if (fraction >= 0) return NAN;
                fraction = 0;
                continue;
            }
            if (code === 101 /* e */ || code === 69 /* E */) {
                return sawDigit ? withExponent(text, scale, rounding) : NAN;
            }
            const digit = code - 48;
            if (digit < 0 || digit > 9) return NAN;
            sawDigit = true;
            if (fraction < scale) {
                units = units * 10 + digit;
                if (fraction >= 0) fraction++;
            } else if (firstDropped < 0) {
                firstDropped = digit;
            } else if (digit !== 0) {
                stickyDropped = true;
            }
        }
        if (!sawDigit) return NAN;
        for (let f = fraction < 0 ? 0 : fraction; f < scale; f++) units *= 10;
        return finish(units, negative, firstDropped, stickyDropped, rounding);
    }

    /** Whether the written number is below zero, however small (`-0.0000001` is, `-0` and `-0.00` are not). Call it on text scaledDecimal accepted. */
    function isNegativeDecimal(text: string): boolean {
        if (text.charCodeAt(0) !== 45 /* - */) return false;
        for (let i = 1; i < text.length; i++) {
            const code = text.charCodeAt(i);
            if (code === 101 || code === 69) return false; // only the mantissa's digits count
            if (code >= 49 && code <= 57) return true;
        }
        return false;
    }

    function finish(units: number, negative: boolean, firstDropped: number, stickyDropped: boolean, rounding: Rounding): number {
        if (units > MAX_SAFE) return NAN;
        let magnitude = units;
        if (rounding === "half-away") {
            if (firstDropped >= 5) magnitude++;
        } else if (!negative && (firstDropped > 0 || stickyDropped)) {
            magnitude++;
        }
        if (magnitude > MAX_SAFE) return NAN;
        return magnitude === 0 ? 0 : negative ? -magnitude : magnitude;
    }

    /** The general case: `mantissa e exponent`. Each mantissa digit has a power of ten; those at or above 10^-scale are kept. */
    function withExponent(text: string, scale: number, rounding: Rounding): number {
        const match = EXPONENT_FORM.exec(text);
        if (match === null) return NAN;
        const whole = match[2] ?? "";
        const fractionDigits = match[3] ?? "";
        if (whole.length + fractionDigits.length === 0) return NAN;
        const digits = whole + fractionDigits;
        const exponent = toNumber(match[4]);
        const negative = match[1] === "-";
        // The power of ten of digits[k] is (whole.length - 1 - k) + exponent; it is kept when that is >= -scale.
        const topPower = whole.length - 1 + exponent;
        let units = 0;
        let firstDropped = -1;
        let stickyDropped = false;
        let kept = 0;
        for (let k = 0; k < digits.length; k++) {
            const digit = digits.charCodeAt(k) - 48;
            const power = topPower - k;
            if (power >= -scale) {
                units = units * 10 + digit;
                kept++;
                if (units > MAX_SAFE) return NAN;
            } else if (firstDropped < 0) {
                firstDropped = digit;
            } else if (digit !== 0) {
                stickyDropped = true;
            }
        }
        if (kept > 0) {
            // Zeros below the last written digit down to 10^-scale.
            const lowestKept = topPower - (kept - 1);
            for (let p = lowestKept; units !== 0 && p > -scale; p--) {
                units *= 10;
                if (units > MAX_SAFE) return NAN;
            }
        } else if (topPower < -scale - 1) {
            // Every digit lies below the first dropped place: none decides the rounding half-away, any nonzero one rounds a ceiling up.
            stickyDropped = stickyDropped || firstDropped > 0;
            firstDropped = 0;
        }
        return finish(units, negative, firstDropped, stickyDropped, rounding);
    }

    return { scaledDecimal, isNegativeDecimal };
}

const moduleReader = createDecimalReader();
/** See `DecimalReader`; these are for callers off the per-item path (tests, the CLI). */
export const scaledDecimal = moduleReader.scaledDecimal;
export const isNegativeDecimal = moduleReader.isNegativeDecimal;
