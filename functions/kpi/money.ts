import { scaledDecimal } from "./decimal";

/**
 * Money as integer minor units (cents for USD), read exactly from DynamoDB's decimal text, so sums never drift.
 * More decimals than the currency has are rounded half away from zero: 12.345 USD -> 1235 cents.
 */

/** The minor-unit digits of an ISO 4217 currency (USD 2, JPY 0, BHD 3). */
export function minorUnitDigits(currency: string): number {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** `text` (a DynamoDB N value) in minor units, rounded half away from zero; NaN when it is not a number or too large to sum exactly. */
export function toMinorUnits(text: string, digits: number): number {
    return scaledDecimal(text, digits, "half-away");
}
