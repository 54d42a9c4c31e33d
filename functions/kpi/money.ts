/**
 * Money as integer minor units (cents for USD), parsed from DynamoDB's decimal text, so sums never drift.
 * More decimals than the currency has are rounded half away from zero: 12.345 USD -> 1235 cents.
 */

/** The minor-unit digits of an ISO 4217 currency (USD 2, JPY 0, BHD 3). */
export function minorUnitDigits(currency: string): number {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** `text` (a DynamoDB N value, decimal notation) in minor units, or NaN when it is not a number. */
export function toMinorUnits(text: string, digits: number): number {
    let sign = 1;
    let start = 0;
    if (text.charCodeAt(0) === 45 /* - */) {
        sign = -1;
        start = 1;
    }
    let units = 0;
    let fraction = -1; // digits seen after the point; -1 before it
    let roundUp = false;
    let sawDigit = false;
    for (let i = start; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code === 46 /* . */) {
            if (fraction >= 0) return NaN;
            fraction = 0;
            continue;
        }
        if (code < 48 || code > 57) {
            return exponentFallback(text, digits);
        }
        sawDigit = true;
        if (fraction < 0) {
            units = units * 10 + (code - 48);
        } else if (fraction < digits) {
            units = units * 10 + (code - 48);
            fraction++;
        } else {
            if (fraction === digits) roundUp = code >= 53; // the first dropped digit decides
            fraction++;
        }
    }
    if (!sawDigit) return NaN;
    for (let f = Math.max(fraction, 0); f < digits; f++) units *= 10;
    return sign * (units + (roundUp ? 1 : 0));
}

function exponentFallback(text: string, digits: number): number {
    if (!/^-?\d+(\.\d+)?[eE][+-]?\d+$/.test(text)) return NaN;
    const value = Number(text) * 10 ** digits;
    return Math.sign(value) * Math.round(Math.abs(value));
}
