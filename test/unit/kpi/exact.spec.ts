import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";

import { compareCodePoints } from "../../../functions/kpi/codePoints";
import { isNegativeDecimal, scaledDecimal } from "../../../functions/kpi/decimal";
import { expiryVerdict } from "../../../functions/kpi/expiry";
import { ratio6, round6 } from "../../../functions/kpi/rounding";
import { QuantileSketch } from "../../../functions/kpi/sketch";
import { fasterThan, parseUtcMillis } from "../../../functions/kpi/trips";
import { validationRules } from "../../../functions/kpi/pipeline";
import { mulberry32 } from "../../harness/prng";
import { byCodePoints, referenceRatio, referenceScaled } from "../../harness/kpiReference";

describe("KPI exact arithmetic: decimals, thresholds, rounding, order, percentiles, expiry, schedules", function () {
    it("reads decimal text at a scale exactly, exponents included, and refuses what cannot be summed exactly", function () {
        const cases: [string, number, number][] = [
            ["1.1", 6, 1_100_000],
            ["1.1E0", 6, 1_100_000],
            ["11e-1", 6, 1_100_000],
            ["0.07", 6, 70_000],
            ["1.0000005", 6, 1_000_001], // half away from zero
            ["2.0000004999", 6, 2_000_000],
            ["0.0000004", 6, 0],
            ["5e-7", 6, 1],
            ["4.9e-7", 6, 0],
            ["1e-9", 6, 0],
            ["-2.005", 2, -201],
            ["-0", 2, 0],
            ["-0.001", 2, 0],
            ["1.5E3", 0, 1500],
            ["12.", 2, 1200],
            [".5", 2, 50],
            ["9007199254740991", 0, Number.MAX_SAFE_INTEGER],
        ];
        for (const [text, scale, expected] of cases) {
            expect(scaledDecimal(text, scale), text).to.equal(expected);
            expect(referenceScaled(text, scale), `oracle ${text}`).to.equal(BigInt(expected));
        }
        for (const text of ["9007199254740992", "1e400", "1.2.3", "", "-", "e5", "1e", "free", "+1"]) expect(scaledDecimal(text, 2), text).to.be.NaN;
        expect(scaledDecimal("0e999999999", 6), "a zero with a huge exponent is zero, at once").to.equal(0);
        // Ceiling: any nonzero dropped digit rounds a positive value up.
        expect([scaledDecimal("1.0001", 3, "ceiling"), scaledDecimal("1.000", 3, "ceiling"), scaledDecimal("1e-9", 3, "ceiling"), scaledDecimal("-1.0001", 3, "ceiling")]).to.deep.equal([1001, 1000, 1, -1000]);
    });

    it("says a written number is negative however small, and that minus zero is not", function () {
        expect(["-0.0000001", "-1", "-0.001", "-1e-9"].map(isNegativeDecimal)).to.deep.equal([true, true, true, true]);
        expect(["0", "-0", "-0.00", "-0e5", "5", "1e-3"].map(isNegativeDecimal)).to.deep.equal([false, false, false, false, false, false]);
    });

    it("compares speeds exactly: 200 km/h is not above 200, a millimetre more is", function () {
        expect(1.1 * 3600 / 19.8 > 200, "the double comparison the issue reported").to.equal(true);
        expect(fasterThan(1_100_000, 19_800, 200)).to.equal(false);
        expect(fasterThan(70_000, 1_260, 200)).to.equal(false);
        expect(fasterThan(1_100_001, 19_800, 200)).to.equal(true);
        expect(fasterThan(70_000, 1_259, 200)).to.equal(true);
        // Beyond 2^53 the comparison goes through BigInt: 9e15 mm in 45e12 ms is exactly 720 km/h.
        expect(fasterThan(9_000_000_000_000_000, 45_000_000_000_000, 720)).to.equal(false);
        expect(fasterThan(9_000_000_000_000_000, 45_000_000_000_000 - 1, 720)).to.equal(true);
    });

    it("refuses thresholds that are not positive whole numbers", function () {
        expect(() => validationRules({ currency: "USD", thresholds: { maxSpeedKmh: 200.5, maxDurationSeconds: 43_200 } })).to.throw(/maxSpeedKmh 200.5 must be a positive whole number/);
        expect(() => validationRules({ currency: "USD", thresholds: { maxSpeedKmh: 200, maxDurationSeconds: 0 } })).to.throw(/maxDurationSeconds/);
        expect(validationRules({ currency: "JPY", thresholds: { maxSpeedKmh: 200, maxDurationSeconds: 43_200 } }).minorDigits).to.equal(0);
    });

    it("reads instants to the millisecond, truncating longer fractions exactly", function () {
        expect(parseUtcMillis("2026-11-21T10:20:30.1239999999999999999Z")).to.equal(Date.parse("2026-11-21T10:20:30.123Z"));
        expect(parseUtcMillis("2026-11-21T10:20:30.0009Z")).to.equal(Date.parse("2026-11-21T10:20:30Z"));
        expect(parseUtcMillis("2026-11-21T10:20:30.12x4Z")).to.be.NaN;
    });

    it("rounds ratios and doubles to 6 decimals half away from zero, exactly, as the oracle does", function () {
        expect(Math.round((41 / 640) * 1e6) / 1e6, "what doubles give").to.equal(0.064062);
        expect(ratio6(41, 640)).to.equal(0.064063);
        expect(ratio6(1, 80_000)).to.equal(0.000013);
        expect(ratio6(1, 3)).to.equal(0.333333);
        expect(ratio6(2, 3)).to.equal(0.666667);
        expect(ratio6(5, 0)).to.equal(null);
        expect(ratio6(0, 7)).to.equal(0);
        const random = mulberry32(18);
        for (let i = 0; i < 2000; i++) {
            const numerator = Math.floor(random() * 1e9);
            const denominator = 1 + Math.floor(random() * 1e6);
            expect(ratio6(numerator, denominator), `${numerator}/${denominator}`).to.equal(referenceRatio(BigInt(numerator), BigInt(denominator)));
        }
        expect([round6(0.0000125), round6(2.5e-7), round6(1.2345675), round6(0)]).to.deep.equal([0.000013, 0, 1.234568, 0]);
        expect(() => round6(-1)).to.throw(RangeError);
    });

    it("orders strings by code point (UTF-8 bytes), not by UTF-16 unit", function () {
        expect(["😀", "Ａ", "B", "a", "é"].sort(compareCodePoints)).to.deep.equal(["B", "a", "é", "Ａ", "😀"]);
        expect("😀" < "Ａ", "UTF-16 order differs").to.equal(true);
        const random = mulberry32(7);
        const alphabet = ["a", "Z", "é", "Ａ", "\uffff", "😀", "𝄞", "\u0000", ""];
        for (let i = 0; i < 2000; i++) {
            const make = () => Array.from({ length: Math.floor(random() * 4) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
            const [a, b] = [make(), make()];
            expect(Math.sign(compareCodePoints(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).to.equal(Math.sign(byCodePoints(a, b)));
        }
    });

    it("reports the value at rank floor(q*(n-1)) of the sorted values, within 1 %", function () {
        const sketch = new QuantileSketch();
        expect(sketch.quantile(1, 2)).to.equal(null);
        const values = [1, 2, 3, 100];
        for (const value of values) sketch.add(value);
        expect(sketch.quantile(1, 2)).to.be.closeTo(2, 0.02); // rank floor(1.5) = 1
        expect(sketch.quantile(19, 20)).to.be.closeTo(3, 0.03); // rank floor(2.85) = 2
        const many = new QuantileSketch();
        const sorted = Array.from({ length: 21 }, (_, i) => 10 * 1.5 ** i);
        for (const value of [...sorted].reverse()) many.add(value);
        expect(many.quantile(19, 20)).to.be.closeTo(sorted[19], sorted[19] * 0.01); // 19·20/20 = 19, an integer rank
        expect(many.quantile(1, 2)).to.be.closeTo(sorted[10], sorted[10] * 0.01);
    });

    it("tells items kept longer than the retention: no expiresAt, not a number, later, in milliseconds, or ignored by TTL", function () {
        const completed = Date.parse("2026-11-21T10:00:00Z");
        const limit = completed / 1000 + 3 * 86_400;
        const verdict = (expiresAt: AttributeValue | undefined, at = completed) => expiryVerdict(expiresAt === undefined ? {} : { expiresAt }, at, 3);
        expect(verdict({ N: String(limit) })).to.equal("ok");
        expect(verdict({ N: String(limit - 1) })).to.equal("ok");
        expect(verdict({ N: `${limit}.0001` }), "a fraction of a millisecond late").to.equal("too_late");
        expect(verdict({ N: String(limit + 1) })).to.equal("too_late");
        expect(verdict({ N: String(limit * 1000) })).to.equal("too_late");
        expect(verdict({ N: "0" })).to.equal("too_late");
        expect(verdict(undefined)).to.equal("missing");
        expect(verdict({ S: String(limit) })).to.equal("missing");
        expect(verdict({ N: String(limit * 1000) }, NaN), "no completedAt to compare with").to.equal("ok");
    });
});
