import { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import { DEFAULT_THRESHOLDS, KpiFunctionConfig } from "../../../functions/kpi/config";
import { KpiResult, makeKpiHandler } from "../../../functions/kpi/handler";
import { KpiEvent } from "../../../functions/kpi/events";
import { KPI_COLUMNS } from "../../../functions/kpi/schema";
import { loadSerializedFactory } from "../../harness/closure";
import { referenceKpis, referenceTripOf, referenceVerdict, ReferenceItem } from "../../harness/kpiReference";
import { MotoService, useMoto } from "../../harness/services";
import { expectRowMatches, Row } from "./rowChecks";
import { createTripsTable, putItems, TRIP_RETENTION_DAYS } from "./tripsTable";

/**
 * The answers of docs/kpi.md to the contract's edge questions, each checked on the deployed closure against moto:
 * the exact boundaries (200 km/h, 12 h, tiny negatives), the status rule, millimetres, null ratios, the rounding
 * mode, code point order, the percentile rank, the key order, schema_version, a misfiled completedDate, the day a
 * scheduled run computes, and the retention, heartbeat and late-trip metrics. Each day of the seed holds the items
 * of one question; every row is also checked against the oracle (test/harness/kpiReference.ts).
 */
type Handler = (event: KpiEvent) => Promise<KpiResult>;
type Item = Record<string, AttributeValue>;

const TABLE = "kpi-contract-trips";
const BUCKET = "kpi-contract-bucket";

let counter = 0;
const S = (value: string): AttributeValue => ({ S: value });
const N = (value: string): AttributeValue => ({ N: value });
const iso = (ms: number) => new Date(ms).toISOString();

/** A valid trip item completed at `completedAt` (10 min, 3.5 km, 12.50 + 2.00 USD), with `over` replacing (or, as undefined, removing) attributes. */
function trip(completedAt: string, over: Record<string, AttributeValue | undefined> = {}): Item {
    const completedMs = Date.parse(completedAt);
    const item: Record<string, AttributeValue | undefined> = {
        tripId: S(`contract-${++counter}`),
        status: S("COMPLETED"),
        completedDate: S(completedAt.slice(0, 10)),
        completedAt: S(completedAt),
        pickupAt: S(iso(completedMs - 600_000)),
        dropoffAt: S(completedAt),
        distanceKm: N("3.5"),
        fare: N("12.50"),
        tip: N("2.00"),
        tolls: N("0"),
        currency: S("USD"),
        paymentType: S("card"),
        pickupZone: S("SoHo"),
        riderId: S(`rider-contract-${counter}-q8x`),
        expiresAt: N(String(Math.floor(completedMs / 1000) + TRIP_RETENTION_DAYS * 86_400)),
        ...over,
    };
    return Object.fromEntries(Object.entries(item).filter((entry): entry is [string, AttributeValue] => entry[1] !== undefined));
}

/** A trip of `distanceKm` (text) over `durationMs` ending at `completedAt`. */
function ride(completedAt: string, distanceKm: string, durationMs: number, over: Record<string, AttributeValue | undefined> = {}): Item {
    return trip(completedAt, { distanceKm: N(distanceKm), pickupAt: S(iso(Date.parse(completedAt) - durationMs)), ...over });
}

/** Every EMF document and log line written to stdout while `action` runs. */
async function captureStdout(action: () => Promise<unknown>): Promise<{ lines: Record<string, unknown>[]; text: string; error?: unknown }> {
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
        written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
        return true;
    });
    let error: unknown;
    try {
        await action();
    } catch (caught) {
        error = caught;
    } finally {
        process.stdout.write = write;
    }
    const text = written.join("");
    const lines = text
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { lines, text, error };
}

/** The value of EMF metric `name` in each document that carries it. */
function metricValues(lines: Record<string, unknown>[], name: string): number[] {
    return lines.filter((line) => line["_aws"] !== undefined && name in line).map((line) => Number(line[name]));
}

describe("KPI contract of docs/kpi.md, on the serialized closure against moto", function () {
    let moto: MotoService;
    let dynamodb: DynamoDBClient;
    let s3: S3Client;
    const config: KpiFunctionConfig = {
        tableName: TABLE,
        indexName: "completedDate-index",
        bucket: BUCKET,
        timeZone: "UTC",
        recomputeDays: 2,
        currency: "USD",
        topZones: 3,
        expectTripsDaily: false,
        tripRetentionDays: TRIP_RETENTION_DAYS,
        thresholds: DEFAULT_THRESHOLDS,
        querySegments: 1,
        maxAttempts: 8,
    };

    async function load(overrides: Partial<KpiFunctionConfig> = {}): Promise<Handler> {
        return (await loadSerializedFactory(() => makeKpiHandler({ ...config, ...overrides }))).handler;
    }

    async function body(day: string): Promise<string> {
        const answer = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `kpis/dt=${day}/kpis.json` }));
        return (await answer.Body?.transformToString("utf8")) ?? "";
    }

    /** Writes the items, computes `day` and returns its row; the row is first checked against the oracle's verdicts and KPIs. */
    async function computeDay(day: string, items: Item[], handler?: Handler): Promise<{ row: Row; text: string }> {
        await putItems(dynamodb, TABLE, items);
        await (handler ?? (await load()))({ dates: [day] });
        const text = await body(day);
        const row = JSON.parse(text) as Row;
        const inDay = items.filter((item) => item["completedAt"]?.S?.startsWith(day) && item["completedDate"]?.S === day);
        const verdicts = inDay.map((item) => referenceVerdict(item as ReferenceItem));
        const rejected: Record<string, number> = {};
        for (const verdict of verdicts) if (verdict !== "trip" && verdict !== "not_completed") rejected[verdict] = (rejected[verdict] ?? 0) + 1;
        const trips = inDay.filter((_, index) => verdicts[index] === "trip").map((item) => referenceTripOf(item as ReferenceItem));
        expectRowMatches(row, referenceKpis(trips), rejected, verdicts.filter((verdict) => verdict === "not_completed").length, config.topZones);
        return { row, text };
    }

    before(async function () {
        moto = await useMoto();
        dynamodb = new DynamoDBClient({});
        s3 = new S3Client({ forcePathStyle: true });
        await createTripsTable(dynamodb, TABLE);
        await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: moto.region as "eu-west-1" } }));
    });

    it("passes exactly 200 km/h and exactly 12 h, rejects a hair above either, and rejects negatives however small", async function () {
        const day = "2026-10-01";
        const at = `${day}T10:00:00.000Z`;
        const cases: [Item, string][] = [
            [ride(at, "1.1", 19_800), "trip"], // 1.1·3600/19.8 is 200.00000000000003 in doubles
            [ride(at, "0.07", 1_260), "trip"],
            [ride(at, "1.1E0", 19_800), "trip"], // an exponent is read exactly too
            [ride(at, "1.100001", 19_800), "impossible_speed"],
            [ride(at, "0.07", 1_259), "impossible_speed"],
            [ride(`${day}T06:00:00.000Z`, "10", 12 * 3_600_000), "trip"], // exactly maxDurationSeconds
            [ride(`${day}T06:00:00.001Z`, "10", 12 * 3_600_000 + 1), "impossible_duration"],
            // Instants are read to the millisecond, truncated: 12 h + 0.9 ms is 12 h.
            [trip(`${day}T06:00:00.000Z`, { pickupAt: S(`2026-09-30T18:00:00.0000Z`), dropoffAt: S(`${day}T06:00:00.0009Z`), distanceKm: N("10") }), "trip"],
            [trip(at, { fare: N("-0.001") }), "negative_value"], // rounds to 0 cents, but is written below zero
            [trip(at, { tip: N("-0.004") }), "negative_value"],
            [trip(at, { distanceKm: N("-0.0000001") }), "negative_value"],
            [trip(at, { tolls: N("-0") }), "trip"], // minus zero is zero
        ];
        for (const [item, expected] of cases) expect(referenceVerdict(item), `oracle: ${JSON.stringify(item["distanceKm"])} ${JSON.stringify(item["fare"])}`).to.equal(expected);
        const { row } = await computeDay(day, cases.map(([item]) => item));
        expect(row["trips_completed"]).to.equal(cases.filter(([, expected]) => expected === "trip").length);
        expect(row["rejected_by_reason"]).to.deep.include({ impossible_speed: 2, impossible_duration: 1, negative_value: 3 });
    });

    it("reads distances to the millimetre, rounding finer digits half away from zero", async function () {
        const day = "2026-10-02";
        const at = `${day}T10:00:00.000Z`;
        const { row } = await computeDay(day, [ride(at, "0.0000004", 600_000), ride(at, "1.0000005", 600_000), ride(at, "2.0000004999", 600_000)]);
        // 0 mm + 1 000 001 mm + 2 000 000 mm
        expect(row["distance_km_total"]).to.equal(3.000001);
        expect(row["trips_completed"]).to.equal(3);
    });

    it("writes tip_rate null when the fares total 0, and revenue_per_km_minor null when the distances total 0, on a day with trips", async function () {
        const day = "2026-10-03";
        const { row } = await computeDay(day, [trip(`${day}T08:00:00Z`, { fare: N("0"), tip: N("1.00"), distanceKm: N("0") }), trip(`${day}T09:00:00Z`, { fare: N("0.00"), tip: N("0"), distanceKm: N("0.0000") })]);
        expect(row["trips_completed"]).to.equal(2);
        expect([row["tip_rate"], row["revenue_per_km_minor"]]).to.deep.equal([null, null]);
        expect([row["speed_kmh_mean"], row["distance_km_mean"], row["revenue_mean_minor"]]).to.deep.equal([0, 0, 50]);
    });

    it("rounds doubles to 6 decimals half away from zero from the exact ratio (41/640 = 0.0640625 -> 0.064063)", async function () {
        const day = "2026-10-04";
        // In doubles 41 / 640 * 1e6 is 64062.49999999999, which Math.round takes to 0.064062.
        const { row } = await computeDay(day, [trip(`${day}T08:00:00Z`, { fare: N("6.40"), tip: N("0.41") })]);
        expect(row["tip_rate"]).to.equal(0.064063);
    });

    it("counts a status string other than COMPLETED as not completed before any fault, and checks an absent or non-string status in order", async function () {
        const day = "2026-10-05";
        const at = `${day}T10:00:00Z`;
        const { row } = await computeDay(day, [
            trip(at, { status: S("CANCELLED"), fare: undefined, currency: S("EUR") }), // not completed, whatever else is wrong
            trip(at, { status: S("completed") }), // case-sensitive
            trip(at, { status: N("1") }), // wrong type
            trip(at, { status: N("1"), fare: undefined }), // missing_field comes first
            trip(at, { status: undefined }), // missing
            trip(at, { status: { NULL: true } }),
            trip(at, { tip: { NULL: true } }), // present with another type: not "absent = 0"
            trip(at),
        ]);
        expect(row["records_not_completed"]).to.equal(2);
        expect(row["rejected_by_reason"]).to.deep.include({ missing_field: 2, wrong_type: 3 });
        expect(row["trips_completed"]).to.equal(1);
    });

    it("writes the keys in the order docs/kpi.md lists, payment types and zone ties in code point order, and schema_version 1", async function () {
        const day = "2026-10-06";
        const at = `${day}T10:00:00Z`;
        // Ties at one trip: code point order puts B (U+0042) < Ａ (U+FF21) < 😀 (U+1F600); UTF-16 order would put 😀 before Ａ.
        const { row, text } = await computeDay(day, [
            trip(at, { pickupZone: S("Z"), paymentType: S("2") }),
            trip(at, { pickupZone: S("Z"), paymentType: S("10") }),
            trip(at, { pickupZone: S("😀"), paymentType: S("card") }),
            trip(at, { pickupZone: S("Ａ"), paymentType: S("card") }),
            trip(at, { pickupZone: S("B"), paymentType: S("__proto__") }),
        ]);
        expect(row["top_pickup_zones"]).to.deep.equal([
            { zone: "Z", trips: 2 },
            { zone: "B", trips: 1 },
            { zone: "Ａ", trips: 1 },
        ]);
        // As written, not as JSON.parse orders integer-like keys.
        expect(text).to.contain(`"trips_by_payment_type":{"10":1,"2":1,"__proto__":1,"card":2}`);
        const docs = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "kpi.md"), "utf8");
        const listed = /The keys are in this fixed order[^:]*:\n\n([\s\S]+?)\n\n/.exec(docs)?.[1];
        expect(listed, "the key list in docs/kpi.md").to.be.a("string");
        const documented = [...(listed ?? "").matchAll(/`([a-z0-9_]+)`/g)].map((match) => match[1]);
        expect(Object.keys(row), "the line's keys").to.deep.equal(documented);
        expect(KPI_COLUMNS.map((column) => column.name), "schema.ts").to.deep.equal(documented);
        expect(row["schema_version"]).to.equal(1);
        expect(text.split("\n"), "one line, newline-terminated").to.have.length(2).and.to.satisfy((lines: string[]) => lines[1] === "");
    });

    it("reports the value at rank floor(q*(n-1)), the lower neighbour, for p50 and p95", async function () {
        const day = "2026-10-07";
        const at = `${day}T10:00:00Z`;
        // Sorted 1, 2, 3, 100 km: p50 rank floor(1.5) = 1 -> 2 km (not 2.5), p95 rank floor(2.85) = 2 -> 3 km (not 85.45).
        const { row } = await computeDay(day, ["1", "2", "3", "100"].map((km) => ride(at, km, 3_600_000)));
        expect(row["distance_km_p50"]).to.be.closeTo(2, 0.02);
        expect(row["distance_km_p95"]).to.be.closeTo(3, 0.03);
    });

    it("counts an item whose completedDate disagrees with its completedAt on no day", async function () {
        const misfiled = trip("2026-10-08T10:00:00Z", { completedDate: S("2026-10-09") });
        await putItems(dynamodb, TABLE, [misfiled]);
        const handler = await load();
        await handler({ dates: ["2026-10-08", "2026-10-09"] });
        for (const day of ["2026-10-08", "2026-10-09"]) {
            const row = JSON.parse(await body(day)) as Row;
            expect([row["records_read"], row["trips_completed"]], day).to.deep.equal([0, 0]);
        }
    });

    it("computes the recomputeDays days before the local date of the event's time, and refuses a time that is not a timestamp", async function () {
        const handler = await load({ timeZone: "America/New_York" });
        // 00:15Z on the 22nd is 19:15 on the 21st in New York: yesterday there is the 20th.
        const result = await handler({ "detail-type": "Scheduled Event", source: "aws.events", time: "2026-11-22T00:15:00Z" });
        expect("days" in result && result.days.map((entry) => entry.date)).to.deep.equal(["2026-11-19", "2026-11-20"]);
        let failure: unknown;
        try {
            await handler({ "detail-type": "Scheduled Event", source: "aws.events", time: "Sunday" });
        } catch (error) {
            failure = error;
        }
        expect(String(failure)).to.match(/event\.time "Sunday" is not a UTC timestamp/);
    });

    describe("metrics (EMF on stdout) and log counts", function () {
        let disabled: string | undefined;
        let level: string | undefined;
        before(function () {
            disabled = process.env["POWERTOOLS_METRICS_DISABLED"];
            level = process.env["LOG_LEVEL"];
            process.env["POWERTOOLS_METRICS_DISABLED"] = "false";
            process.env["LOG_LEVEL"] = "INFO";
        });
        after(function () {
            process.env["POWERTOOLS_METRICS_DISABLED"] = disabled;
            process.env["LOG_LEVEL"] = level;
        });

        it("counts items with no expiresAt or a later one in TripsKeptTooLong and the log line, and still counts their trips", async function () {
            const day = "2026-10-10";
            const at = `${day}T10:00:00Z`;
            const limit = Date.parse(at) / 1000 + TRIP_RETENTION_DAYS * 86_400;
            const items = [
                trip(at, { expiresAt: N(String(limit)) }), // exactly the retention: fine
                trip(at, { expiresAt: N(String(limit - 3600)) }), // earlier: fine
                trip(at, { expiresAt: undefined }), // missing
                trip(at, { expiresAt: S(String(limit)) }), // not a number: TTL ignores it
                trip(at, { expiresAt: N(`${limit}.001`) }), // a millisecond late
                trip(at, { expiresAt: N(String(limit * 1000)) }), // milliseconds instead of seconds
                trip(at, { expiresAt: N("0") }), // so far in the past that TTL ignores it
                trip(at, { currency: S("EUR"), expiresAt: undefined }), // rejected items are personal data too
                trip(at, { status: S("CANCELLED"), expiresAt: undefined }),
            ];
            // A config of its own, so this closure (with metrics on) is not one loaded before.
            const handler = await load({ topZones: 4 });
            const captured = await captureStdout(() => computeDay(day, items, handler));
            expect(captured.error).to.equal(undefined);
            expect(metricValues(captured.lines, "TripsKeptTooLong")).to.deep.equal([7]);
            expect(metricValues(captured.lines, "TripsCompleted")).to.deep.equal([7]);
            const logLine = captured.lines.find((line) => line["message"] === "KPI day written");
            expect(logLine?.["keptTooLong"]).to.deep.equal({ expiresAtMissing: 4, expiresAtTooLate: 3 });
            expect(captured.text).to.not.contain("rider-contract-");
            expect(captured.text).to.not.contain(String(limit * 1000));
        });

        it("emits ScheduledRunSucceeded after a successful scheduled run only, and LateTripsAtWindowEdge for items new on the window's oldest day", async function () {
            const edge = "2026-10-11";
            await putItems(dynamodb, TABLE, [trip(`${edge}T09:00:00Z`), trip(`${edge}T10:00:00Z`)]);
            const handler = await load({ topZones: 5 });
            await captureStdout(() => handler({ dates: [edge] })); // its first computation
            await putItems(dynamodb, TABLE, [trip(`${edge}T11:00:00Z`), trip(`${edge}T12:00:00Z`), trip(`${edge}T13:00:00Z`, { currency: S("EUR") })]);
            const scheduled = { "detail-type": "Scheduled Event" as const, source: "aws.events", time: "2026-10-13T00:15:00Z" };
            const run = await captureStdout(() => handler(scheduled));
            expect(run.error).to.equal(undefined);
            expect(metricValues(run.lines, "LateTripsAtWindowEdge"), "3 items arrived for the edge day, the other day has no edge count").to.deep.equal([3]);
            expect(metricValues(run.lines, "ScheduledRunSucceeded")).to.deep.equal([1]);
            const rerun = await captureStdout(() => handler(scheduled));
            expect(metricValues(rerun.lines, "LateTripsAtWindowEdge"), "nothing new since").to.deep.equal([0]);
            const failing = await load({ topZones: 6, bucket: "kpi-contract-no-such-bucket", maxAttempts: 1 });
            const failed = await captureStdout(() => failing(scheduled));
            expect(failed.error, "the run failed").to.not.equal(undefined);
            expect(metricValues(failed.lines, "ScheduledRunSucceeded"), "no heartbeat from a failed run").to.deep.equal([]);
        });
    });
});
