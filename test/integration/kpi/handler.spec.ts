import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { marshall } from "@aws-sdk/util-dynamodb";
import { DuckDBInstance } from "@duckdb/node-api";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { DEFAULT_THRESHOLDS, KpiFunctionConfig } from "../../../functions/kpi/config";
import { KpiResult, makeKpiHandler } from "../../../functions/kpi/handler";
import { KpiEvent, StreamRecord } from "../../../functions/kpi/events";
import { loadSerializedFactory } from "../../harness/closure";
import { LoopbackProxy, ProxyOptions } from "../../harness/proxy";
import { MotoService, useMoto } from "../../harness/services";
import { cents, reference } from "./reference";
import { expectQuantile, expectRowMatches, P95 } from "./rowChecks";
import { completedTrip, createTripsTable, INDEX_NAME, prng, putTrips, TripRecord } from "./tripsTable";

type Handler = (event: KpiEvent) => Promise<KpiResult>;
type Row = Record<string, unknown>;

const TABLE = "kpi-it-trips";
const BUCKET = "kpi-it-bucket";
const DAYS = ["2026-11-19", "2026-11-20", "2026-11-21"];
const EMPTY_DAY = "2026-11-23";

/** The seed: valid trips (with their days), trips the index never shows, and corrupt items with the reason each must get. */
interface Seed {
    valid: TripRecord[];
    corrupt: { trip: TripRecord; reason: string }[];
    notCompleted: TripRecord[];
    unindexed: TripRecord[];
    exactCents: Map<string, { fare?: number; tip?: number }>;
    late: TripRecord;
}

function buildSeed(): Seed {
    const random = prng(20261121);
    const valid: TripRecord[] = [];
    let n = 0;
    const id = () => `trip-${String(++n).padStart(5, "0")}`;
    for (const day of DAYS) {
        const start = Date.parse(`${day}T00:00:00Z`);
        for (let i = 0; i < 150; i++) valid.push(completedTrip(random, id(), start + Math.floor(random() * 86_400_000)));
        valid.push(completedTrip(random, id(), start + 86_400_000 - 1)); // 23:59:59.999, still this day
        valid.push(completedTrip(random, id(), start + 86_400_000)); // 00:00:00.000, the next day
    }
    const at = (iso: string) => completedTrip(random, id(), Date.parse(iso));
    const rounding: TripRecord = { ...at("2026-11-21T12:00:00Z"), fare: 12.345, tip: 0.125 };
    valid.push(rounding);
    const distinctive = { ...at("2026-11-20T15:00:00Z"), fare: 987.65 };
    valid.push(distinctive);
    const corrupt = [
        { trip: { ...at("2026-11-20T01:00:00Z"), fare: undefined }, reason: "missing_field" },
        { trip: { ...at("2026-11-20T02:00:00Z"), paymentType: undefined }, reason: "missing_field" },
        { trip: { ...at("2026-11-20T03:00:00Z"), distanceKm: "12.5" }, reason: "wrong_type" },
        { trip: { ...at("2026-11-20T04:00:00Z"), pickupAt: "yesterday evening" }, reason: "wrong_type" },
        { trip: { ...at("2026-11-20T05:30:00Z"), tip: -1.5 }, reason: "negative_value" },
        { trip: { ...at("2026-11-20T06:00:00Z"), distanceKm: -3 }, reason: "negative_value" },
        { trip: { ...at("2026-11-20T07:00:00Z"), distanceKm: 300, pickupAt: "2026-11-20T06:30:00.000Z" }, reason: "impossible_speed" },
        { trip: { ...at("2026-11-20T08:00:00Z"), pickupAt: "2026-11-20T09:00:00.000Z" }, reason: "impossible_duration" },
        { trip: { ...at("2026-11-20T09:00:00Z"), pickupAt: "2026-11-18T09:00:00.000Z" }, reason: "impossible_duration" },
        { trip: { ...at("2026-11-20T10:00:00Z"), currency: "EUR" }, reason: "wrong_currency" },
        { trip: { ...at("2026-11-19T23:59:00Z"), fare: "free" }, reason: "wrong_type" },
    ];
    const notCompleted = [{ ...at("2026-11-20T11:00:00Z"), status: "CANCELLED" }];
    // Cancelled trips as writers should store them: no completedDate, so the sparse index never holds them.
    const unindexed = DAYS.flatMap((day) => [1, 2, 3].map(() => ({ ...at(`${day}T13:00:00Z`), status: "CANCELLED", completedDate: undefined, completedAt: undefined })));
    const late = at("2026-11-21T18:45:00Z");
    return {
        valid,
        corrupt,
        notCompleted,
        unindexed,
        exactCents: new Map([
            [String(rounding.tripId), { fare: 1235, tip: 13 }],
        ]),
        late,
    };
}

/** Trips whose completedAt lies in [startMs, endMs). */
function inWindow(trips: TripRecord[], startMs: number, endMs: number): TripRecord[] {
    return trips.filter((trip) => {
        const ms = Date.parse(String(trip["completedAt"]));
        return ms >= startMs && ms < endMs;
    });
}

function utcDay(trips: TripRecord[], day: string): TripRecord[] {
    const start = Date.parse(`${day}T00:00:00Z`);
    return inWindow(trips, start, start + 86_400_000);
}

function countReasons(entries: { trip: TripRecord; reason: string }[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of entries) counts[entry.reason] = (counts[entry.reason] ?? 0) + 1;
    return counts;
}

describe("KPI function (serialized closure) against moto", function () {
    let moto: MotoService;
    let dynamodb: DynamoDBClient;
    let s3: S3Client;
    let seed: Seed;
    const baseConfig: KpiFunctionConfig = {
        tableName: TABLE,
        indexName: INDEX_NAME,
        bucket: BUCKET,
        timeZone: "UTC",
        recomputeDays: 2,
        currency: "USD",
        topZones: 5,
        expectTripsDaily: true,
        tripRetentionDays: 3,
        thresholds: DEFAULT_THRESHOLDS,
        querySegments: 1,
        maxAttempts: 8,
    };
    const bodies = new Map<string, string>();

    async function load(config: KpiFunctionConfig): Promise<Handler> {
        return (await loadSerializedFactory(() => makeKpiHandler(config))).handler;
    }

    async function readObject(day: string, bucket = BUCKET): Promise<string> {
        const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `kpis/dt=${day}/kpis.json` }));
        return answer.Body?.transformToString("utf8") ?? "";
    }

    function rowOf(body: string): Row {
        const lines = body.split("\n");
        expect(lines, "one JSON line, newline-terminated").to.have.length(2);
        expect(lines[1]).to.equal("");
        return JSON.parse(lines[0]) as Row;
    }

    before(async function () {
        this.timeout(120000);
        moto = await useMoto();
        dynamodb = new DynamoDBClient({});
        s3 = new S3Client({ forcePathStyle: true });
        seed = buildSeed();
        await createTripsTable(dynamodb, TABLE);
        await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: moto.region as "eu-west-1" } }));
        await putTrips(dynamodb, TABLE, [...seed.valid, ...seed.corrupt.map((entry) => entry.trip), ...seed.notCompleted, ...seed.unindexed]);
    });

    it("computes every KPI of each UTC day as the reference computed from the seed does", async function () {
        const handler = await load(baseConfig);
        const result = await handler({ dates: DAYS });
        expect("days" in result && result.days.map((day) => day.date)).to.deep.equal(DAYS);
        for (const day of DAYS) {
            const body = await readObject(day);
            bodies.set(day, body);
            const row = rowOf(body);
            expect(row["kpi_date"]).to.equal(day);
            expect(row["time_zone"]).to.equal("UTC");
            expect(row["currency"]).to.equal("USD");
            const corrupt = seed.corrupt.filter((entry) => utcDay([entry.trip], day).length === 1);
            expectRowMatches(row, reference(utcDay(seed.valid, day), seed.exactCents), countReasons(corrupt), utcDay(seed.notCompleted, day).length, 5);
        }
        // Sanity of the seed itself: the checks above saw each reject reason and the midnight edges.
        expect(Object.keys(countReasons(seed.corrupt))).to.have.members(["missing_field", "wrong_type", "negative_value", "impossible_speed", "impossible_duration", "wrong_currency"]);
    });

    it("rounds money with more decimals than the currency half away from zero (12.345 USD -> 1235 cents)", function () {
        const row = rowOf(bodies.get("2026-11-21") ?? "");
        const others = utcDay(seed.valid, "2026-11-21").filter((trip) => !seed.exactCents.has(String(trip["tripId"])));
        expect(row["fares_total_minor"]).to.equal(others.reduce((sum, trip) => sum + cents(trip["fare"]), 0) + 1235);
        expect(row["tips_total_minor"]).to.equal(others.reduce((sum, trip) => sum + cents(trip["tip"]), 0) + 13);
    });

    it("rewrites byte-identical objects on a rerun, also when the day is read as parallel ranges", async function () {
        await (await load(baseConfig))({ from: DAYS[0], to: DAYS[2] });
        for (const day of DAYS) expect(await readObject(day), day).to.equal(bodies.get(day));
        await (await load({ ...baseConfig, querySegments: 4 }))({ dates: DAYS });
        for (const day of DAYS) expect(await readObject(day), `${day}, 4 ranges`).to.equal(bodies.get(day));
    });

    it("counts a trip written after its day's first run on the next scheduled run (the last recomputeDays days)", async function () {
        await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: marshall(seed.late, { removeUndefinedValues: true }) }));
        const handler = await load(baseConfig);
        const result = await handler({ "detail-type": "Scheduled Event", source: "aws.events", time: "2026-11-22T00:15:00Z" });
        expect("days" in result && result.days.map((day) => day.date)).to.deep.equal(["2026-11-20", "2026-11-21"]);
        const before = rowOf(bodies.get("2026-11-21") ?? "");
        const after = rowOf(await readObject("2026-11-21"));
        expect(after["trips_completed"]).to.equal((before["trips_completed"] as number) + 1);
        expect(after["revenue_total_minor"]).to.equal((before["revenue_total_minor"] as number) + cents(seed.late["fare"]) + cents(seed.late["tip"]) + cents(seed.late["tolls"]));
        expect(await readObject("2026-11-20"), "an unchanged day is rewritten identically").to.equal(bodies.get("2026-11-20"));
        bodies.set("2026-11-21", await readObject("2026-11-21"));
        seed.valid.push(seed.late);
    });

    it("writes the documented zero-trip row for a day without trips", async function () {
        await (await load(baseConfig))({ dates: [EMPTY_DAY] });
        const body = await readObject(EMPTY_DAY);
        expect(body).to.equal(
            `{"kpi_date":"${EMPTY_DAY}","time_zone":"UTC","currency":"USD","currency_minor_digits":2,"trips_completed":0,"revenue_total_minor":0,"revenue_mean_minor":null,` +
                `"revenue_min_minor":null,"revenue_max_minor":null,"fares_total_minor":0,"tips_total_minor":0,"tolls_total_minor":0,"tip_rate":null,"distance_km_total":0,` +
                `"distance_km_mean":null,"distance_km_p50":null,"distance_km_p95":null,"duration_s_mean":null,"duration_s_p50":null,"duration_s_p95":null,"speed_kmh_mean":null,` +
                `"revenue_per_km_minor":null,"trips_by_payment_type":{},"top_pickup_zones":[],"pickup_zones_distinct":0,"records_read":0,"records_not_completed":0,"records_rejected":0,` +
                `"rejected_by_reason":{"missing_field":0,"wrong_type":0,"negative_value":0,"impossible_speed":0,"impossible_duration":0,"wrong_currency":0},"schema_version":1}\n`,
        );
    });

    it("defines a day in a non-UTC zone by completedAt across both UTC partitions", async function () {
        const zone = "America/New_York"; // UTC-5 in November
        const handler = await load({ ...baseConfig, timeZone: zone, bucket: BUCKET });
        await handler({ dates: ["2026-11-20"] });
        const row = rowOf(await readObject("2026-11-20"));
        const start = Date.parse("2026-11-20T05:00:00Z");
        const end = Date.parse("2026-11-21T05:00:00Z");
        expect(row["time_zone"]).to.equal(zone);
        const corrupt = seed.corrupt.filter((entry) => inWindow([entry.trip], start, end).length === 1);
        expectRowMatches(row, reference(inWindow(seed.valid, start, end), seed.exactCents), countReasons(corrupt), inWindow(seed.notCompleted, start, end).length, 5);
        // Put the UTC object back for the specs below.
        await (await load(baseConfig))({ dates: ["2026-11-20"] });
        expect(await readObject("2026-11-20")).to.equal(bodies.get("2026-11-20"));
    });

    describe("through a fault-injecting proxy", function () {
        let proxy: LoopbackProxy | undefined;
        let endpoint: string | undefined;
        afterEach(async function () {
            if (endpoint !== undefined) process.env["AWS_ENDPOINT_URL"] = endpoint;
            await proxy?.stop();
            proxy = undefined;
        });

        async function viaProxy(fault: ProxyOptions["fault"]): Promise<LoopbackProxy> {
            proxy = await LoopbackProxy.start({ upstream: moto.endpoint, fault });
            endpoint = process.env["AWS_ENDPOINT_URL"];
            process.env["AWS_ENDPOINT_URL"] = proxy.endpoint;
            return proxy;
        }

        it("retries throttled Queries (both DynamoDB throttling errors) and writes the same bytes", async function () {
            let queries = 0;
            const started = await viaProxy((request) => {
                if (!request.operation?.endsWith(".Query")) return undefined;
                queries++;
                if (queries % 3 === 0) return undefined;
                const type = queries % 3 === 1 ? "ProvisionedThroughputExceededException" : "ThrottlingException";
                return { kind: "respond", status: 400, body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: "Rate exceeded" }), headers: { "content-type": "application/x-amz-json-1.0" } };
            });
            const handler = await load({ ...baseConfig, querySegments: 2 });
            await handler({ dates: DAYS });
            const outcomes = started.calls("Query").map((request) => request.outcome);
            expect(outcomes.filter((outcome) => outcome.startsWith("fault")).length, "throttled answers").to.be.greaterThan(3);
            expect(outcomes.filter((outcome) => outcome === "forwarded 200").length, "answered Queries").to.be.greaterThan(3);
            for (const day of DAYS) expect(await readObject(day), day).to.equal(bodies.get(day));
        });

        it("fails the invocation and leaves no object when the PutObject fails", async function () {
            const day = "2026-11-24";
            const started = await viaProxy((request) =>
                request.method === "PUT" && request.path.includes("/kpis/")
                    ? { kind: "respond", status: 500, body: "<Error><Code>InternalError</Code><Message>injected</Message></Error>", headers: { "content-type": "application/xml" } }
                    : undefined,
            );
            const handler = await load({ ...baseConfig, maxAttempts: 2 });
            let failure: unknown;
            try {
                await handler({ dates: [day] });
            } catch (error) {
                failure = error;
            }
            expect(String(failure)).to.match(/InternalError|injected|500/);
            expect(started.requests.filter((request) => request.method === "PUT").length, "PutObject attempts").to.equal(2);
            let status = 0;
            try {
                await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `kpis/dt=${day}/kpis.json` }));
                status = 200;
            } catch (error) {
                status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
            }
            expect(status, "no object at the day's key").to.equal(404);
        });
    });

    it("logs dates, counts and keys at INFO, never rider or driver ids, zones or fares", async function () {
        const level = process.env["LOG_LEVEL"];
        process.env["LOG_LEVEL"] = "INFO";
        const written: string[] = [];
        const write = process.stdout.write.bind(process.stdout);
        let handler: Handler;
        try {
            // A config no spec loaded before, so the closure is loaded (and its logger made) under LOG_LEVEL=INFO even
            // where require's cache outlives loadSerializedFactory's reload (a symlinked .cache resolves elsewhere).
            handler = await load({ ...baseConfig, topZones: 7 });
            process.stdout.write = ((chunk: string | Uint8Array) => {
                written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
                return true;
            });
            await handler({ dates: ["2026-11-20"] });
        } finally {
            process.stdout.write = write;
            process.env["LOG_LEVEL"] = level;
        }
        const output = written.join("");
        expect(output, "the day's log line").to.contain("KPI day written").and.to.contain("2026-11-20").and.to.contain("kpis/dt=2026-11-20/kpis.json");
        const day = utcDay(seed.valid, "2026-11-20");
        for (const trip of [...day, ...seed.corrupt.map((entry) => entry.trip)]) {
            for (const field of ["riderId", "driverId", "tripId"]) {
                expect(output, `${field} of a trip`).to.not.contain(String(trip[field]));
            }
        }
        for (const zone of new Set(day.map((trip) => String(trip["pickupZone"])))) expect(output, "a zone name").to.not.contain(zone);
        expect(output, "a fare").to.not.contain("987.65");
        expect(output).to.not.contain("98765");
    });

    it("answers the docs' example Athena query (its DuckDB equivalent over the objects read back from moto) as the reference does", async function () {
        const docs = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "kpi.md"), "utf8");
        const query = /```sql\n([\s\S]+?)```/.exec(docs)?.[1];
        expect(query, "the example query in docs/kpi.md").to.be.a("string");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpi-duckdb-"));
        try {
            for (const day of DAYS) {
                fs.mkdirSync(path.join(dir, `dt=${day}`));
                fs.writeFileSync(path.join(dir, `dt=${day}`, "kpis.json"), await readObject(day));
            }
            // Athena's table is the Glue table over s3://bucket/kpis/ partitioned by dt; DuckDB reads the same layout.
            const table = `read_json('${dir}/*/kpis.json', format = 'newline_delimited', hive_partitioning = true, hive_types = {'dt': VARCHAR})`;
            const sql = (query as string).replace("trip_kpis.daily_kpis", table);
            expect(sql, "the query's FROM was rewritten").to.contain("read_json(");
            const instance = await DuckDBInstance.create(":memory:");
            const connection = await instance.connect();
            const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
            connection.closeSync();
            expect(rows.map((row) => row["dt"])).to.deep.equal(DAYS);
            for (const row of rows) {
                const day = row["dt"];
                if (typeof day !== "string") throw new Error(`dt is not a string: ${typeof day}`);
                const ref = reference(utcDay(seed.valid, day), seed.exactCents);
                expect(Number(row["trips_completed"]), day).to.equal(ref.trips);
                expect(Number(row["revenue_usd"]), day).to.be.closeTo(ref.revenueCents / 100, 1e-9);
                expect(Number(row["tip_pct"]), day).to.equal(Math.round((ref.tipsCents / ref.faresCents) * 1000) / 10);
                expectQuantile(Number(row["distance_km_p95"]), ref.distances, P95, `${day} distance_km_p95`);
                const speed = seed.corrupt.filter((entry) => entry.reason === "impossible_speed" && utcDay([entry.trip], day).length === 1).length;
                expect(Number(row["rejected_speed"]), day).to.equal(speed);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reports the stream records of a day that failed as batch item failures, once per day", async function () {
        const record = (sequence: string, completedAt?: string): StreamRecord => ({
            eventID: `e${sequence}`,
            eventName: "MODIFY",
            eventSource: "aws:dynamodb",
            dynamodb: { SequenceNumber: sequence, NewImage: completedAt === undefined ? { status: { S: "CANCELLED" } } : { completedAt: { S: completedAt } } },
        });
        const event = { Records: [record("100", "2026-11-21T10:00:00Z"), record("101"), record("102", "2026-11-21T23:00:00Z"), record("103", "2026-11-25T08:00:00Z")] };
        const handler = await load(baseConfig);
        expect(await handler(event)).to.deep.equal({ batchItemFailures: [] });
        expect(await readObject("2026-11-21")).to.equal(bodies.get("2026-11-21"));
        const failing = await load({ ...baseConfig, bucket: "kpi-no-such-bucket", maxAttempts: 1 });
        expect(await failing(event)).to.deep.equal({ batchItemFailures: [{ itemIdentifier: "100" }, { itemIdentifier: "102" }, { itemIdentifier: "103" }] });
    });
});
