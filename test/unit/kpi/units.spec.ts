import { expect } from "chai";

import { parseKpiArgs, UsageError } from "../../../cli/kpi/args";
import { dayWindow, scheduledDates } from "../../../functions/kpi/days";
import { minorUnitDigits, toMinorUnits } from "../../../functions/kpi/money";
import { parseUtcMillis, queryRanges } from "../../../functions/kpi/trips";

describe("KPI units: money, days, query ranges, CLI flags", function () {
    it("parses decimal money into minor units, rounding half away from zero", function () {
        const cases: [string, number, number][] = [
            ["12.345", 2, 1235],
            ["12.344", 2, 1234],
            ["0.125", 2, 13],
            ["7", 2, 700],
            ["7.5", 2, 750],
            ["1500", 0, 1500],
            ["1500.5", 0, 1501],
            ["-2.005", 2, -201],
            ["1.2e2", 2, 12000],
        ];
        for (const [text, digits, expected] of cases) expect(toMinorUnits(text, digits), text).to.equal(expected);
        expect(toMinorUnits("free", 2)).to.be.NaN;
        expect(toMinorUnits("1.2.3", 2)).to.be.NaN;
        expect([minorUnitDigits("USD"), minorUnitDigits("JPY"), minorUnitDigits("BHD")]).to.deep.equal([2, 0, 3]);
    });

    it("parses strict UTC ISO-8601 timestamps as Date.parse does, and refuses loose or impossible ones", function () {
        for (const text of ["2026-11-21T10:20:30Z", "2026-11-21T10:20:30.123Z", "2026-11-21T10:20:30.5Z", "2026-11-21T10:20:30.123456789Z", "2024-02-29T23:59:59.999Z", "1999-12-31T23:59:59Z", "2100-03-01T00:00:00Z"]) {
            expect(parseUtcMillis(text), text).to.equal(Date.parse(text));
        }
        for (const text of ["2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21 10:20:30Z", "2026-11-21T10:20:30+01:00", "2026-11-21T10:20:30.Z", "yesterday evening"]) {
            expect(parseUtcMillis(text), text).to.be.NaN;
        }
    });

    it("defines a zoned day as [local midnight, next local midnight), also across a DST change", function () {
        expect(dayWindow("2026-11-21", "UTC")).to.deep.equal({ date: "2026-11-21", startMs: Date.parse("2026-11-21T00:00:00Z"), endMs: Date.parse("2026-11-22T00:00:00Z"), partitions: ["2026-11-21"] });
        const ny = dayWindow("2026-11-21", "America/New_York");
        expect([ny.startMs, ny.endMs, ny.partitions]).to.deep.equal([Date.parse("2026-11-21T05:00:00Z"), Date.parse("2026-11-22T05:00:00Z"), ["2026-11-21", "2026-11-22"]]);
        const berlinDst = dayWindow("2026-03-29", "Europe/Berlin"); // 23 hours long
        expect([berlinDst.startMs, berlinDst.endMs]).to.deep.equal([Date.parse("2026-03-28T23:00:00Z"), Date.parse("2026-03-29T22:00:00Z")]);
        expect(dayWindow("2026-11-21", "Asia/Tokyo").partitions).to.deep.equal(["2026-11-20", "2026-11-21"]);
    });

    it("recomputes the recomputeDays days ending yesterday in the zone", function () {
        expect(scheduledDates(Date.parse("2026-11-22T00:15:00Z"), "UTC", 2)).to.deep.equal(["2026-11-20", "2026-11-21"]);
        expect(scheduledDates(Date.parse("2026-11-22T00:15:00Z"), "America/New_York", 1)).to.deep.equal(["2026-11-20"]);
    });

    it("splits a day into disjoint second-aligned ranges cut at the UTC partition boundary", function () {
        const ranges = queryRanges(dayWindow("2026-11-21", "America/New_York"), 3);
        // 05:00-13:00, 13:00-21:00, 21:00-24:00 UTC on the 21st, then 00:00-05:00 on the 22nd
        expect(ranges.map((range) => range.partition)).to.deep.equal(["2026-11-21", "2026-11-21", "2026-11-21", "2026-11-22"]);
        expect(ranges.map((range) => new Date(range.fromMs).toISOString().slice(11, 16))).to.deep.equal(["05:00", "13:00", "21:00", "00:00"]);
        for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.fromMs).to.equal(ranges[i - 1]?.toMs);
        expect(ranges[0]?.fromMs).to.equal(Date.parse("2026-11-21T05:00:00Z"));
        expect(ranges.at(-1)?.toMs).to.equal(Date.parse("2026-11-22T05:00:00Z"));
        for (const range of ranges) expect(range.fromMs % 1000).to.equal(0);
    });

    it("accepts --date, --from/--to and --dry-run, and names the flag and the fix for bad ones", function () {
        expect(parseKpiArgs(["--date", "2026-11-21", "--table", "trips", "--dry-run"], {})).to.include({ table: "trips", dryRun: true, json: false, tripRetentionDays: 3 });
        expect(parseKpiArgs(["--from", "2026-11-01", "--to", "2026-11-03", "--table", "trips", "--bucket", "b"], {}, Date.parse("2026-11-03T12:00:00Z")).dates).to.deep.equal(["2026-11-01", "2026-11-02", "2026-11-03"]);
        const bad: [string[], RegExp][] = [
            [["--date", "2026-02-30", "--table", "trips", "--dry-run"], /--date.*YYYY-MM-DD/],
            [["--from", "2026-11-01", "--table", "trips", "--dry-run"], /--to is missing.*both --from and --to/],
            [["--from", "2026-11-03", "--to", "2026-11-01", "--table", "trips", "--dry-run"], /--from\/--to.*from <= to/],
            [["--date", "2026-11-01", "--dry-run"], /--table is missing: pass --table/],
            [["--date", "2026-11-01", "--table", "trips"], /--bucket is missing.*--dry-run/],
            [["--date", "2026-11-01", "--table", "trips", "--dry-run", "--segments", "0"], /--segments "0" must be a whole number from 1 to 32/],
            [["--date", "2026-11-01", "--table", "trips", "--dry-run", "--time-zone", "Mars/Olympus"], /--time-zone/],
            [["--date", "2026-11-01", "--tabel", "trips"], /tabel/],
            [["--date", "2026-11-01", "--table", "trips", "--dry-run", "--trip-retention-days", "8"], /--trip-retention-days "8" must be a whole number from 1 to 7/],
        ];
        for (const [argv, message] of bad) expect(() => parseKpiArgs(argv, {}), argv.join(" ")).to.throw(UsageError, message);
    });

    it("refuses to write a day whose trips may have expired (midnight + kpi.tripRetentionDays), unless asked; a dry run looks at any day", function () {
        const now = Date.parse("2026-11-24T10:00:00Z");
        const write = (args: string[]) => parseKpiArgs(["--table", "trips", "--bucket", "b", ...args], {}, now);
        // 2026-11-21 began 3 d 10 h ago: with 3 days of retention its first trips can be gone; 2026-11-22 began 2 d 10 h ago.
        expect(() => write(["--date", "2026-11-21"])).to.throw(UsageError, /the trips of 2026-11-21 may already have expired: .*--trip-retention-days 3.*--allow-expired-days/);
        expect(write(["--date", "2026-11-22"]).dates).to.deep.equal(["2026-11-22"]);
        expect(() => write(["--from", "2026-11-18", "--to", "2026-11-23"])).to.throw(UsageError, /the trips of 2026-11-18 \.\. 2026-11-21 \(4 days\)/);
        expect(write(["--date", "2026-11-21", "--trip-retention-days", "4"]).dates).to.deep.equal(["2026-11-21"]);
        // In New York 2026-11-21 began at 05:00Z: 3 days later is 2026-11-24T05:00Z, before now as well.
        expect(() => write(["--date", "2026-11-21", "--time-zone", "America/New_York"])).to.throw(UsageError);
        // Exactly at the boundary it is refused (the first trips' expiresAt can be reached).
        expect(() => parseKpiArgs(["--table", "trips", "--bucket", "b", "--date", "2026-11-21"], {}, Date.parse("2026-11-24T00:00:00Z"))).to.throw(UsageError);
        expect(parseKpiArgs(["--table", "trips", "--bucket", "b", "--date", "2026-11-21"], {}, Date.parse("2026-11-23T23:59:59.999Z")).dates).to.deep.equal(["2026-11-21"]);
        expect(write(["--date", "2026-11-01", "--allow-expired-days"])).to.include({ allowExpiredDays: true });
        expect(write(["--date", "2026-11-01", "--dry-run"]).dates).to.deep.equal(["2026-11-01"]);
    });
});
