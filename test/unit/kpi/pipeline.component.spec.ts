import * as fs from "fs";
import * as path from "path";

import { expect } from "chai";
import { parse } from "yaml";

import { MOCK_ACCOUNT_ID } from "../../../cli/offline/mockCloud";
import { DayAggregate } from "../../../functions/kpi/aggregate";
import { renderKpiLines, kpiRow } from "../../../functions/kpi/output";
import { emptyTrip, validateTrip } from "../../../functions/kpi/trips";
import { ofType, ProgramRun, RegisteredResource, runStack } from "../../harness/program";
import { ROOT } from "../../harness/services/paths";

type Json = Record<string, unknown>;

/** A nested input as an object (inputs that reach the engine as JSON text are parsed). */
function json(value: unknown): Json {
    return (typeof value === "string" ? JSON.parse(value) : value) as Json;
}

function one(run: ProgramRun, type: string, name: string): RegisteredResource {
    const found = ofType(run, type).filter((resource) => resource.name === name);
    expect(found, `${type} ${name}`).to.have.length(1);
    return found[0];
}

function statementsOf(run: ProgramRun): Json[] {
    return (json(one(run, "aws:iam/rolePolicy:RolePolicy", "kpi-daily-policy").inputs["policy"])["Statement"] as Json[]);
}

const PROD_KPI = (parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, Json> }).config["log-platform:kpi"];
const REGION = "eu-west-1";

/**
 * A real output line: items through the same validation, aggregation and rendering the function writes to S3.
 * Every value is present (no nulls), so the types of all columns can be read from it.
 */
function realOutputLine(): Json {
    const aggregate = new DayAggregate();
    const trip = emptyTrip();
    const item = (fare: string, zone: string, payment: string) => ({
        status: { S: "COMPLETED" },
        completedAt: { S: "2026-11-21T10:20:00Z" },
        pickupAt: { S: "2026-11-21T10:00:00Z" },
        dropoffAt: { S: "2026-11-21T10:20:00Z" },
        distanceKm: { N: "5.25" },
        fare: { N: fare },
        tip: { N: "1.5" },
        tolls: { N: "0" },
        currency: { S: "USD" },
        paymentType: { S: payment },
        pickupZone: { S: zone },
    });
    for (const [fare, zone, payment] of [["12.5", "JFK Airport", "card"], ["20", "SoHo", "cash"], ["-1", "SoHo", "cash"]] as const) {
        aggregate.add(validateTrip(item(fare, zone, payment), { currency: "USD", minorDigits: 2, maxSpeedKmh: 200, maxDurationSeconds: 43200 }, trip), trip);
    }
    const body = renderKpiLines([kpiRow("2026-11-21", aggregate, { timeZone: "UTC", currency: "USD", minorDigits: 2, topZones: 10 })]);
    return JSON.parse(body.trimEnd()) as Json;
}

/** Whether a JSON value fits a Hive type as the OpenX JSON SerDe reads it. */
function fitsHiveType(value: unknown, type: string): boolean {
    if (type === "string") return typeof value === "string";
    if (type === "bigint" || type === "int") return Number.isInteger(value);
    if (type === "double") return typeof value === "number";
    if (type === "boolean") return typeof value === "boolean";
    const map = /^map<string,(.+)>$/.exec(type);
    if (map) return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => fitsHiveType(entry, map[1]));
    const array = /^array<(.+)>$/.exec(type);
    if (array) return Array.isArray(value) && value.length > 0 && value.every((entry) => fitsHiveType(entry, array[1]));
    const struct = /^struct<(.+)>$/.exec(type);
    if (struct) {
        const fields = splitTopLevel(struct[1]).map((field) => [field.slice(0, field.indexOf(":")), field.slice(field.indexOf(":") + 1)] as const);
        if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
        const record = value as Json;
        return JSON.stringify(Object.keys(record)) === JSON.stringify(fields.map(([name]) => name)) && fields.every(([name, fieldType]) => fitsHiveType(record[name], fieldType));
    }
    throw new Error(`type ${type} not understood by this test`);
}

function splitTopLevel(text: string): string[] {
    const parts: string[] = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
        if (text[i] === "<") depth++;
        if (text[i] === ">") depth--;
        if (text[i] === "," && depth === 0) {
            parts.push(text.slice(start, i));
            start = i + 1;
        }
    }
    parts.push(text.slice(start));
    return parts;
}

describe("KpiPipeline component under mocks", function () {
    describe("prod stack (existing trips table named in config)", function () {
        let run: ProgramRun;
        before(async function () {
            run = await runStack("prod");
        });

        it("grants exactly: Query on the index, PutObject under kpis/, the KMS actions on the keys, its logs and failure queue", function () {
            const key = String(run.outputs["kmsKeyArn"]);
            const bucket = String(one(run, "aws:s3/bucket:Bucket", "kpi-bucket").wireState["bucket"] ?? run.outputs["kpiBucketName"]);
            const logGroup = one(run, "aws:cloudwatch/logGroup:LogGroup", "kpi-daily-logs");
            const queue = one(run, "aws:sqs/queue:Queue", "kpi-daily-failures");
            const logGroupName = String(logGroup.wireState["name"]);
            const queueName = String(queue.wireState["name"]);
            expect(statementsOf(run)).to.deep.equal([
                { Effect: "Allow", Sid: "OwnLogGroup", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`arn:aws:logs:${REGION}:${MOCK_ACCOUNT_ID}:log-group:${logGroupName}:*`] },
                { Effect: "Allow", Sid: "DecryptEnvironment", Action: ["kms:Decrypt"], Resource: [key] },
                { Effect: "Allow", Sid: "QueryCompletedTripsIndex", Action: ["dynamodb:Query"], Resource: [`arn:aws:dynamodb:${REGION}:${MOCK_ACCOUNT_ID}:table/trips-prod/index/completedDate-index`] },
                { Effect: "Allow", Sid: "WriteKpiObjects", Action: ["s3:PutObject"], Resource: [`arn:aws:s3:::${bucket}/kpis/*`] },
                { Effect: "Allow", Sid: "ReadKpiObjects", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${bucket}/kpis/*`] },
                { Effect: "Allow", Sid: "ListKpiObjects", Action: ["s3:ListBucket"], Resource: [`arn:aws:s3:::${bucket}`], Condition: { StringLike: { "s3:prefix": ["kpis/*"] } } },
                { Effect: "Allow", Sid: "EncryptKpiObjects", Action: ["kms:GenerateDataKey"], Resource: [key] },
                { Effect: "Allow", Sid: "ReadTripsTableKey", Action: ["kms:Decrypt"], Resource: [String(PROD_KPI["tripsTableKmsKeyArn"])] },
                { Effect: "Allow", Sid: "OnFailureDestination", Action: ["sqs:SendMessage"], Resource: [`arn:aws:sqs:${REGION}:${MOCK_ACCOUNT_ID}:${queueName}`] },
                { Effect: "Allow", Sid: "OnFailureDestinationKey", Action: ["kms:GenerateDataKey"], Resource: [key] },
            ]);
            expect(ofType(run, "aws:dynamodb/table:Table").filter((table) => table.urn.includes("kpi")), "no table created").to.have.length(0);
        });

        it("encrypts (SSE-KMS, bucket key), versions, expires everything within its budget (KPI objects by prod's exemption), blocks public access, denies non-TLS", function () {
            const key = String(run.outputs["kmsKeyArn"]);
            const sse = json(one(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "kpi-bucket-sse").inputs);
            expect(sse["rules"]).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key }, bucketKeyEnabled: true }]);
            expect(json(one(run, "aws:s3/bucketVersioning:BucketVersioning", "kpi-bucket-versioning").inputs["versioningConfiguration"])).to.deep.equal({ status: "Enabled" });
            const rules = one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "kpi-bucket-lifecycle").inputs["rules"] as Json[];
            // docs/retention.md: a versioned object is gone at most expiration + 1 (midnight) + 1 (S3 lag) days after it is
            // written, its old version noncurrent + 1 + 1 days after that: (2 + 2) + (1 + 2) = 7 days. Prod's kpi-objects
            // exemption allows 400 days: (395 + 2) + (1 + 2) = 400.
            const expiring = (id: string, prefix: string, days: number) => ({
                id,
                status: "Enabled",
                filter: { prefix },
                expiration: { days },
                noncurrentVersionExpiration: { noncurrentDays: 1 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            });
            // One rule over the whole bucket: S3 applies the shortest expiry where rules overlap, so the KPI objects get a
            // bucket of their own (Athena's results another, below).
            expect(rules).to.deep.equal([expiring("kpi-objects-expire", "", 395)]);
            const results = one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "kpi-athena-results-lifecycle").inputs["rules"] as Json[];
            expect(results).to.deep.equal([expiring("athena-results-expire", "", 2)]);
            expect(one(run, "aws:s3/bucket:Bucket", "kpi-athena-results").inputs["tags"], "the results bucket is not exempt").to.equal(undefined);
            expect(one(run, "aws:s3/bucket:Bucket", "kpi-bucket").inputs["tags"]).to.deep.equal({ "data-protection-exemption": "kpi-objects" });
            const block = one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "kpi-bucket-public-access").inputs;
            expect([block["blockPublicAcls"], block["blockPublicPolicy"], block["ignorePublicAcls"], block["restrictPublicBuckets"]]).to.deep.equal([true, true, true, true]);
            const policy = json(one(run, "aws:s3/bucketPolicy:BucketPolicy", "kpi-bucket-policy").inputs["policy"]);
            const bucketArn = `arn:aws:s3:::${String(run.outputs["kpiBucketName"])}`;
            expect(policy["Statement"]).to.deep.equal([
                { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
            ]);
        });

        it("declares the Glue table over s3://bucket/kpis/ with dt projection, the OpenX JSON SerDe and the columns of a real output line", function () {
            const table = one(run, "aws:glue/catalogTable:CatalogTable", "kpi-table").inputs;
            const location = `s3://${String(run.outputs["kpiBucketName"])}/kpis/`;
            const descriptor = json(table["storageDescriptor"]);
            expect(descriptor["location"]).to.equal(location);
            expect(json(descriptor["serDeInfo"])["serializationLibrary"]).to.equal("org.openx.data.jsonserde.JsonSerDe");
            expect(table["databaseName"]).to.equal("trip_kpis");
            expect(table["partitionKeys"]).to.deep.equal([{ name: "dt", type: "string", comment: "the KPI day, YYYY-MM-DD" }]);
            expect(json(table["parameters"])).to.deep.include({
                "projection.enabled": "true",
                "projection.dt.type": "date",
                "projection.dt.format": "yyyy-MM-dd",
                "projection.dt.interval": "1",
                "projection.dt.interval.unit": "DAYS",
                "storage.location.template": `${location}dt=\${dt}/`,
            });
            const columns = descriptor["columns"] as { name: string; type: string }[];
            const line = realOutputLine();
            expect(columns.map((column) => column.name), "column names and order = the line's keys").to.deep.equal(Object.keys(line));
            for (const column of columns) {
                expect(fitsHiveType(line[column.name], column.type), `${column.name}: ${JSON.stringify(line[column.name])} as ${column.type}`).to.equal(true);
            }
        });

        it("enforces the Athena workgroup's configuration with SSE-KMS results in their own expiring bucket", function () {
            const configuration = json(one(run, "aws:athena/workgroup:Workgroup", "kpi-athena").inputs["configuration"]);
            expect(configuration["enforceWorkgroupConfiguration"]).to.equal(true);
            expect(json(configuration["resultConfiguration"])).to.deep.equal({
                outputLocation: `s3://${String(one(run, "aws:s3/bucket:Bucket", "kpi-athena-results").wireState["bucket"])}/athena-results/`,
                encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: String(run.outputs["kmsKeyArn"]) },
            });
        });

        it("runs daily on the configured schedule, with retries and a dead-letter queue, invoking only from that rule", function () {
            const rule = one(run, "aws:cloudwatch/eventRule:EventRule", "kpi-schedule");
            expect(rule.inputs["scheduleExpression"]).to.equal(PROD_KPI["schedule"]);
            const target = one(run, "aws:cloudwatch/eventTarget:EventTarget", "kpi-schedule-target").inputs;
            const dlq = one(run, "aws:sqs/queue:Queue", "kpi-schedule-dlq");
            expect(target["retryPolicy"]).to.deep.equal({ maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 });
            expect(target["deadLetterConfig"]).to.deep.equal({ arn: dlq.wireState["arn"] });
            expect(dlq.inputs["sqsManagedSseEnabled"]).to.equal(true);
            const fn = one(run, "aws:lambda/function:Function", "kpi-daily");
            expect(target["arn"]).to.equal(fn.wireState["arn"]);
            const permission = one(run, "aws:lambda/permission:Permission", "kpi-schedule-invoke").inputs;
            expect([permission["principal"], permission["sourceArn"]]).to.deep.equal(["events.amazonaws.com", rule.wireState["arn"]]);
            expect(json(fn.inputs["environment"])["variables"]).to.deep.include({ KPI_BUCKET: run.outputs["kpiBucketName"] });
            expect([fn.inputs["runtime"], fn.inputs["timeout"], fn.inputs["reservedConcurrentExecutions"]]).to.deep.equal(["nodejs22.x", 300, 2]);
        });

        it("alarms on the function's EMF metrics: a zero-trip day, trips kept too long, late trips at the window's edge (missing data not breaching)", function () {
            for (const [name, metric] of [
                ["kpi-zero-trip-day-alarm", "ZeroTripDay"],
                ["kpi-trips-kept-too-long-alarm", "TripsKeptTooLong"],
                ["kpi-late-trips-alarm", "LateTripsAtWindowEdge"],
            ]) {
                const alarm = one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", name).inputs;
                expect([alarm["namespace"], alarm["metricName"], alarm["statistic"], alarm["comparisonOperator"], alarm["threshold"]], name).to.deep.equal(["LogPlatform", metric, "Sum", "GreaterThanThreshold", 0]);
                expect(alarm["dimensions"], name).to.deep.equal({ service: "kpi-pipeline", stack: "prod" });
                expect(alarm["treatMissingData"], `${name}: no datapoint = no run, which the heartbeat reports`).to.equal("notBreaching");
                expect(alarm["alarmActions"], name).to.deep.equal([run.outputs["alarmTopicArn"]]);
            }
            expect(String(one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "kpi-trips-kept-too-long-alarm").inputs["alarmDescription"])).to.contain("3 days");
        });

        it("alarms when no scheduled run has succeeded for the daily interval plus slack, treating silence as breaching", function () {
            const alarm = one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "kpi-daily-heartbeat-alarm").inputs;
            expect([alarm["namespace"], alarm["metricName"], alarm["statistic"], alarm["comparisonOperator"], alarm["threshold"]]).to.deep.equal(["LogPlatform", "ScheduledRunSucceeded", "Sum", "LessThanThreshold", 1]);
            expect(alarm["dimensions"]).to.deep.equal({ service: "kpi-pipeline", stack: "prod" });
            // cron(15 0 * * ? *): 24 h + 2 h of slack, as 26 hourly periods that must all be without a success.
            expect([alarm["period"], alarm["evaluationPeriods"], alarm["datapointsToAlarm"], alarm["treatMissingData"]]).to.deep.equal([3600, 26, 26, "breaching"]);
            expect(alarm["alarmActions"]).to.deep.equal([run.outputs["alarmTopicArn"]]);
        });

        it("keeps every log group of the stack at most 7 days", function () {
            const groups = ofType(run, "aws:cloudwatch/logGroup:LogGroup");
            expect(groups.length).to.be.greaterThan(0);
            for (const group of groups) expect(group.inputs["retentionInDays"], group.name).to.be.within(1, 7);
        });
    });

    describe("with a created trips table and the stream trigger", function () {
        let run: ProgramRun;
        before(async function () {
            const rest = Object.fromEntries(Object.entries(PROD_KPI).filter(([key]) => key !== "tripsTableKmsKeyArn"));
            run = await runStack("prod", { kpi: { ...rest, createTripsTable: true, streamTrigger: true, schedule: "cron(5 1 * * ? *)" } });
        });

        it("creates the table with TTL on expiresAt and the index projecting it, so trips expire and the function can count those kept too long", function () {
            const table = one(run, "aws:dynamodb/table:Table", "kpi-trips").inputs;
            expect(table["ttl"]).to.deep.equal({ attributeName: "expiresAt", enabled: true });
            const [index] = table["globalSecondaryIndexes"] as Json[];
            expect(index?.["nonKeyAttributes"]).to.include("expiresAt");
        });

        it("derives the heartbeat window from a rate() schedule too", async function () {
            const rest = Object.fromEntries(Object.entries(PROD_KPI).filter(([key]) => key !== "tripsTableKmsKeyArn"));
            const hourly = await runStack("prod", { kpi: { ...rest, createTripsTable: true, schedule: "rate(20 minutes)" } });
            const alarm = one(hourly, "aws:cloudwatch/metricAlarm:MetricAlarm", "kpi-daily-heartbeat-alarm").inputs;
            // 20 min + 20 min of slack, as 40 one-minute periods.
            expect([alarm["period"], alarm["evaluationPeriods"], alarm["treatMissingData"]]).to.deep.equal([60, 40, "breaching"]);
        });

        it("creates the table with the platform key, PITR, deletion protection, the sparse index and a NEW_IMAGE stream", function () {
            const table = one(run, "aws:dynamodb/table:Table", "kpi-trips").inputs;
            expect(table["name"]).to.equal("trips-prod");
            expect(table["serverSideEncryption"]).to.deep.equal({ enabled: true, kmsKeyArn: run.outputs["kmsKeyArn"] });
            // 3 days of trips + DynamoDB's 72 h TTL lag leave 1 day of PITR within 7 days (docs/retention.md).
            expect(table["pointInTimeRecovery"]).to.deep.equal({ enabled: true, recoveryPeriodInDays: 1 });
            expect(table["ttl"]).to.deep.equal({ attributeName: "expiresAt", enabled: true });
            expect(table["deletionProtectionEnabled"]).to.equal(true);
            expect([table["streamEnabled"], table["streamViewType"]]).to.deep.equal([true, "NEW_IMAGE"]);
            const [index] = table["globalSecondaryIndexes"] as Json[];
            expect(index).to.deep.include({ name: "completedDate-index", hashKey: "completedDate", rangeKey: "completedAt", projectionType: "INCLUDE" });
            expect(index?.["nonKeyAttributes"]).to.not.include.members(["riderId", "driverId"]);
            expect(one(run, "aws:cloudwatch/eventRule:EventRule", "kpi-schedule").inputs["scheduleExpression"]).to.equal("cron(5 1 * * ? *)");
        });

        it("maps the stream with batch item failures and a filter on completed trips, and grants only the stream's read actions", function () {
            const mapping = one(run, "aws:lambda/eventSourceMapping:EventSourceMapping", "kpi-stream").inputs;
            const table = one(run, "aws:dynamodb/table:Table", "kpi-trips");
            expect(mapping["eventSourceArn"]).to.equal(table.wireState["streamArn"]);
            expect(mapping["functionResponseTypes"]).to.deep.equal(["ReportBatchItemFailures"]);
            expect(JSON.stringify(mapping["filterCriteria"])).to.contain("completedAt");
            const statements = statementsOf(run);
            const tableArn = String(table.wireState["arn"]);
            expect(statements.find((statement) => statement["Sid"] === "QueryCompletedTripsIndex")?.["Resource"]).to.deep.equal([`${tableArn}/index/completedDate-index`]);
            expect(statements.find((statement) => statement["Sid"] === "ReadTripsStream")).to.deep.equal({
                Effect: "Allow",
                Sid: "ReadTripsStream",
                Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
                Resource: [table.wireState["streamArn"]],
            });
            expect(statements.map((statement) => statement["Sid"])).to.not.include("ReadTripsTableKey");
        });
    });

    it("refuses a trip retention that does not outlast the recompute window, or above 7 days, naming the settings", async function () {
        const refused = async (kpi: Json) => {
            try {
                await runStack("prod", { kpi: { ...PROD_KPI, ...kpi } });
            } catch (error) {
                return String(error);
            }
            return "accepted";
        };
        expect(await refused({ recomputeDays: 3, tripRetentionDays: 3 })).to.contain("kpi.tripRetentionDays").and.to.contain("kpi.recomputeDays (3) + 1");
        expect(await refused({ recomputeDays: 2, tripRetentionDays: 3 })).to.equal("accepted");
        expect(await refused({ tripRetentionDays: 8 })).to.contain("log-platform:kpi.tripRetentionDays");
        expect(await refused({ schedule: "cron(0 8 ? * MON *)" })).to.contain("log-platform:kpi.schedule").and.to.contain("a cron that runs every day");
    });

    it("refuses the stream trigger without a created table, naming both settings", async function () {
        let failure: unknown;
        try {
            await runStack("prod", { kpi: { ...PROD_KPI, streamTrigger: true } });
        } catch (error) {
            failure = error;
        }
        expect(String(failure)).to.contain("kpi.streamTrigger").and.to.contain("createTripsTable");
    });
});
