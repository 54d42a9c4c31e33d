import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { DEFAULT_THRESHOLDS, KpiFunctionConfig } from "../functions/kpi/config";
import { makeKpiHandler } from "../functions/kpi/handler";
import { KPI_COLUMNS } from "../functions/kpi/schema";
import { METRICS_NAMESPACE } from "../functions/shared/metrics";
import { PROJECTED_ATTRIBUTES } from "../functions/kpi/trips";
import { StackConfig } from "./config";
import { EXEMPTION_TAG } from "./dataProtection/component";
import { ASYNC_MAX_EVENT_AGE_HOURS } from "./dataProtection/plan";
import { ManagedFunction, PlatformRefs, queueDepthAlarm, Statement } from "./managedFunction";
import { secureBucket } from "./shared/secureBucket";

/** The packages the KPI function's handler loads: the only ones in its zip (ManagedFunction leaves out the rest). */
export const KPI_PACKAGES = ["@aws-lambda-powertools/logger", "@aws-lambda-powertools/metrics", "@datadog/sketches-js"];

export interface KpiPipelineArgs {
    /** The `kpi` section of the stack config. */
    kpi: StackConfig["kpi"];
    platform: PlatformRefs;
}

/** Prefix of the KPI objects (`kpis/dt=YYYY-MM-DD/kpis.json`) in the KPI bucket, and of Athena's query results in theirs. */
export const KPI_PREFIX = "kpis/";
export const ATHENA_RESULTS_PREFIX = "athena-results/";
/** The attribute the trips table's TTL reads (epoch seconds; docs/kpi.md, item contract). */
export const TRIP_EXPIRY_ATTRIBUTE = "expiresAt";
/** The attributes the created table's completedDate index projects besides its keys: only what the KPIs read, no rider or driver id. */
export const TRIPS_INDEX_NON_KEY_ATTRIBUTES: string[] = PROJECTED_ATTRIBUTES.filter((attribute: string) => !["completedDate", "completedAt"].includes(attribute));
/** The Glue table Athena queries. */
export const KPI_TABLE_NAME = "daily_kpis";
/** Service name of the function's EMF metrics (their `service` dimension). */
export const KPI_METRICS_SERVICE = "kpi-pipeline";

/** The plain configuration serialized into the KPI function, from the stack's `kpi` section and the bucket it writes to. */
export function kpiFunctionConfig(kpi: StackConfig["kpi"], bucket: string): KpiFunctionConfig {
    return {
        tableName: kpi.tripsTableName,
        indexName: kpi.completedDateIndexName,
        bucket,
        timeZone: kpi.timeZone,
        recomputeDays: kpi.recomputeDays,
        currency: kpi.currency,
        topZones: kpi.topZones,
        expectTripsDaily: kpi.expectTripsDaily,
        tripRetentionDays: kpi.tripRetentionDays,
        thresholds: DEFAULT_THRESHOLDS,
        querySegments: 1,
        maxAttempts: 8,
    };
}

/**
 * The KPI pipeline: completed trips (a created or an existing DynamoDB table with the sparse completedDate
 * index) -> a scheduled function -> one JSON line per day in an encrypted, versioned bucket -> a Glue table with
 * partition projection and an Athena workgroup with encrypted, 7-day results, queryable right after `pulumi up`.
 */
export class KpiPipeline extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly tableName: pulumi.Output<string>;
    readonly functionName: pulumi.Output<string>;
    readonly athenaWorkgroup: pulumi.Output<string>;
    readonly glueTable: pulumi.Output<string>;

    constructor(name: string, args: KpiPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("log-platform:kpi:KpiPipeline", name, {}, opts);
        const parent = { parent: this };
        const { kpi, platform } = args;
        if (kpi.streamTrigger && !kpi.createTripsTable) {
            throw new Error(
                "kpi.streamTrigger needs a trips table created by this stack (its stream): set `pulumi config set --path 'log-platform:kpi.createTripsTable' true`, or turn the trigger off with `pulumi config set --path 'log-platform:kpi.streamTrigger' false`",
            );
        }
        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;

        // --- trips table (created here, or an existing one by name) ---
        let tableArn: pulumi.Output<string>;
        let table: aws.dynamodb.Table | undefined;
        if (kpi.createTripsTable) {
            table = new aws.dynamodb.Table(
                `${name}-trips`,
                {
                    name: kpi.tripsTableName,
                    billingMode: "PAY_PER_REQUEST",
                    hashKey: "tripId",
                    attributes: [
                        { name: "tripId", type: "S" },
                        { name: "completedDate", type: "S" },
                        { name: "completedAt", type: "S" },
                    ],
                    globalSecondaryIndexes: [
                        {
                            name: kpi.completedDateIndexName,
                            hashKey: "completedDate",
                            rangeKey: "completedAt",
                            projectionType: "INCLUDE",
                            nonKeyAttributes: TRIPS_INDEX_NON_KEY_ATTRIBUTES,
                        },
                    ],
                    serverSideEncryption: { enabled: true, kmsKeyArn: platform.kmsKeyArn },
                    // Trips are personal data: TTL removes them (writers set expiresAt), PITR reaches back only what the
                    // data-protection plan leaves room for.
                    ttl: { attributeName: TRIP_EXPIRY_ATTRIBUTE, enabled: true },
                    pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: platform.retention.trips.pitrDays },
                    deletionProtectionEnabled: true,
                    ...(kpi.streamTrigger ? { streamEnabled: true, streamViewType: "NEW_IMAGE" } : {}),
                },
                parent,
            );
            tableArn = table.arn;
        } else {
            tableArn = pulumi.interpolate`arn:${partition}:dynamodb:${region}:${account}:table/${kpi.tripsTableName}`;
            // An existing table is not ours to change, but the preview refuses one that keeps trips past the limit.
            checkExistingTripsTable(kpi.tripsTableName, platform, this);
        }
        const indexArn = pulumi.interpolate`${tableArn}/index/${kpi.completedDateIndexName}`;
        const tableKeyArn: pulumi.Input<string> | undefined = kpi.createTripsTable ? platform.kmsKeyArn : kpi.tripsTableKmsKeyArn;

        // --- buckets: the KPI objects in one, Athena's query results in another. S3 applies the shortest expiry when
        // lifecycle rules overlap, and a prefix no rule covers keeps its objects forever, so one bucket could not give
        // the KPI objects their exemption and everything else the limit. ---
        const { bucket: bucketDays, kpiObjects } = platform.retention;
        const expireEverything = (id: string, days: { expirationDays: number; noncurrentDays: number }) => ({
            id,
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: days.expirationDays },
            noncurrentVersionExpiration: { noncurrentDays: days.noncurrentDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: bucketDays.abortMultipartDays },
        });
        const { bucket } = secureBucket(
            `${name}-bucket`,
            {
                kmsKeyArn: platform.kmsKeyArn,
                // The audit and the policy pack accept the exemption's expiry only with this tag and the config's entry.
                tags: kpiObjects.exempt ? { [EXEMPTION_TAG]: "kpi-objects" } : undefined,
                lifecycleRules: [expireEverything("kpi-objects-expire", kpiObjects)],
            },
            this,
        );
        const { bucket: resultsBucket } = secureBucket(`${name}-athena-results`, { kmsKeyArn: platform.kmsKeyArn, lifecycleRules: [expireEverything("athena-results-expire", bucketDays)] }, this);

        // --- Glue table + Athena workgroup ---
        const database = new aws.glue.CatalogDatabase(`${name}-database`, { name: kpi.athenaDatabase, description: "Daily trip KPIs written by the KPI pipeline" }, parent);
        const location = pulumi.interpolate`s3://${bucket.bucket}/${KPI_PREFIX}`;
        const glueTable = new aws.glue.CatalogTable(
            `${name}-table`,
            {
                databaseName: database.name,
                name: KPI_TABLE_NAME,
                description: "One row per KPI day (docs/kpi.md); partition dt is projected, no crawler or MSCK needed",
                tableType: "EXTERNAL_TABLE",
                parameters: {
                    EXTERNAL: "TRUE",
                    classification: "json",
                    "projection.enabled": "true",
                    "projection.dt.type": "date",
                    "projection.dt.format": "yyyy-MM-dd",
                    "projection.dt.range": "2020-01-01,NOW",
                    "projection.dt.interval": "1",
                    "projection.dt.interval.unit": "DAYS",
                    "storage.location.template": pulumi.interpolate`${location}dt=\${dt}/`,
                },
                partitionKeys: [{ name: "dt", type: "string", comment: "the KPI day, YYYY-MM-DD" }],
                storageDescriptor: {
                    location,
                    inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
                    outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    serDeInfo: { name: "json", serializationLibrary: "org.openx.data.jsonserde.JsonSerDe", parameters: { "ignore.malformed.json": "false", "case.insensitive": "false" } },
                    columns: KPI_COLUMNS.map((column) => ({ name: column.name, type: column.type, comment: column.comment })),
                },
            },
            parent,
        );
        const workgroup = new aws.athena.Workgroup(
            `${name}-athena`,
            {
                description: `Queries of the daily trip KPIs; results encrypted, expired after ${bucketDays.expirationDays} days`,
                state: "ENABLED",
                forceDestroy: true,
                configuration: {
                    enforceWorkgroupConfiguration: true,
                    publishCloudwatchMetricsEnabled: true,
                    bytesScannedCutoffPerQuery: 10 * 1024 * 1024 * 1024,
                    resultConfiguration: {
                        outputLocation: pulumi.interpolate`s3://${resultsBucket.bucket}/${ATHENA_RESULTS_PREFIX}`,
                        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: platform.kmsKeyArn },
                    },
                },
            },
            parent,
        );

        // --- function ---
        const statements: Statement[] = [
            { Sid: "QueryCompletedTripsIndex", Action: ["dynamodb:Query"], Resource: [indexArn] },
            { Sid: "WriteKpiObjects", Action: ["s3:PutObject"], Resource: [pulumi.interpolate`${bucket.arn}/${KPI_PREFIX}*`] },
            // The oldest day of a scheduled window is compared with its previous object (LateTripsAtWindowEdge);
            // ListBucket under kpis/ only, so a day without an object is a 404, not a 403.
            { Sid: "ReadKpiObjects", Action: ["s3:GetObject"], Resource: [pulumi.interpolate`${bucket.arn}/${KPI_PREFIX}*`] },
            { Sid: "ListKpiObjects", Action: ["s3:ListBucket"], Resource: [bucket.arn], Condition: { StringLike: { "s3:prefix": [`${KPI_PREFIX}*`] } } },
            // SSE-KMS with a bucket key: PutObject asks KMS for a data key under the caller's permissions.
            { Sid: "EncryptKpiObjects", Action: ["kms:GenerateDataKey"], Resource: [platform.kmsKeyArn] },
        ];
        // A created table uses the platform key, whose kms:Decrypt ManagedFunction already grants.
        if (!kpi.createTripsTable && tableKeyArn !== undefined) {
            statements.push({ Sid: "ReadTripsTableKey", Action: ["kms:Decrypt"], Resource: [tableKeyArn] });
        }
        if (table && kpi.streamTrigger) {
            statements.push({
                Sid: "ReadTripsStream",
                Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
                Resource: [table.streamArn],
            });
        }
        const functionConfig = kpiFunctionConfig(kpi, ""); // the bucket is set below, once its name is known
        const fn = new ManagedFunction<unknown, unknown>(
            `${name}-daily`,
            {
                description: "Computes daily trip KPIs from the completedDate index and writes them to S3 (one JSON line per day)",
                // The bucket name is only known at deployment: it reaches the function in its (KMS-encrypted) environment.
                callbackFactory: () => {
                    const handler = makeKpiHandler({ ...functionConfig, bucket: process.env["KPI_BUCKET"] ?? "" });
                    return (event: unknown, context: unknown) => handler(event as Parameters<typeof handler>[0], context as Parameters<typeof handler>[1]);
                },
                statements,
                packages: KPI_PACKAGES,
                platform,
                environment: { KPI_BUCKET: bucket.bucket, POWERTOOLS_SERVICE_NAME: KPI_METRICS_SERVICE },
                memorySize: 512,
                timeoutSeconds: 300,
                reservedConcurrency: 2,
                asyncFailures: { maximumRetryAttempts: 2, maximumEventAgeSeconds: ASYNC_MAX_EVENT_AGE_HOURS * 3600 },
                // Silence means the pipeline stopped: no scheduled run succeeded for the schedule's interval plus slack.
                heartbeat: {
                    schedule: kpi.schedule,
                    setting: "kpi.schedule",
                    metric: { namespace: METRICS_NAMESPACE, metricName: "ScheduledRunSucceeded", dimensions: { service: KPI_METRICS_SERVICE, stack: platform.stack }, meaning: "a scheduled KPI run succeeded" },
                    runbook: "docs/kpi.md#operations-and-alarms",
                },
            },
            parent,
        );

        // --- daily schedule (EventBridge retries, then its own dead-letter queue) ---
        const rule = new aws.cloudwatch.EventRule(
            `${name}-schedule`,
            { description: `Recomputes the last ${kpi.recomputeDays} KPI days`, scheduleExpression: kpi.schedule, state: "ENABLED" },
            parent,
        );
        // SSE-SQS: EventBridge can send to it without a grant in the platform key's policy.
        const scheduleDlq = new aws.sqs.Queue(
            `${name}-schedule-dlq`,
            { sqsManagedSseEnabled: true, messageRetentionSeconds: platform.retention.failureQueueSeconds },
            parent,
        );
        new aws.sqs.QueuePolicy(
            `${name}-schedule-dlq-policy`,
            {
                queueUrl: scheduleDlq.url,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ScheduleDeadLetters",
                            Effect: "Allow",
                            Principal: { Service: "events.amazonaws.com" },
                            Action: "sqs:SendMessage",
                            Resource: scheduleDlq.arn,
                            Condition: { ArnEquals: { "aws:SourceArn": rule.arn } },
                        },
                    ],
                }),
            },
            parent,
        );
        queueDepthAlarm(`${name}-schedule-dlq-alarm`, scheduleDlq, platform.alarmTopicArn, `${name}: a scheduled KPI run could not be delivered to the function`, this);
        const permission = new aws.lambda.Permission(
            `${name}-schedule-invoke`,
            { action: "lambda:InvokeFunction", function: fn.functionName, principal: "events.amazonaws.com", sourceArn: rule.arn },
            parent,
        );
        new aws.cloudwatch.EventTarget(
            `${name}-schedule-target`,
            {
                rule: rule.name,
                arn: fn.functionArn,
                retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 },
                deadLetterConfig: { arn: scheduleDlq.arn },
            },
            { parent: this, dependsOn: [permission] },
        );

        // --- optional stream trigger: keeps the touched days (today) current ---
        if (table && kpi.streamTrigger) {
            new aws.lambda.EventSourceMapping(
                `${name}-stream`,
                {
                    eventSourceArn: table.streamArn,
                    functionName: fn.functionArn,
                    startingPosition: "LATEST",
                    batchSize: 1000,
                    // A day is recomputed per batch: a long window keeps recomputes to about one a minute.
                    maximumBatchingWindowInSeconds: 60,
                    functionResponseTypes: ["ReportBatchItemFailures"],
                    maximumRetryAttempts: 5,
                    bisectBatchOnFunctionError: false,
                    destinationConfig: fn.failureQueue ? { onFailure: { destinationArn: fn.failureQueue.arn } } : undefined,
                    filterCriteria: { filters: [{ pattern: JSON.stringify({ dynamodb: { NewImage: { completedAt: { S: [{ exists: true }] } } } }) }] },
                },
                parent,
            );
        }

        // --- alarms on the function's EMF metrics (docs/kpi.md, operations: why each treats missing data as it does) ---
        const metricAlarm = (suffix: string, description: string, metricName: string, treatMissingData: "notBreaching" | "breaching", window: { period: number; evaluationPeriods: number }, threshold: { value: number; comparison: "GreaterThanThreshold" | "LessThanThreshold" }) =>
            new aws.cloudwatch.MetricAlarm(
                `${name}-${suffix}`,
                {
                    alarmDescription: `${name}: ${description}`,
                    namespace: METRICS_NAMESPACE,
                    metricName,
                    dimensions: { service: KPI_METRICS_SERVICE, stack: platform.stack },
                    statistic: "Sum",
                    period: window.period,
                    evaluationPeriods: window.evaluationPeriods,
                    datapointsToAlarm: window.evaluationPeriods,
                    threshold: threshold.value,
                    comparisonOperator: threshold.comparison,
                    treatMissingData,
                    alarmActions: [platform.alarmTopicArn],
                    okActions: [platform.alarmTopicArn],
                },
                parent,
            );
        const hourly = { period: 3600, evaluationPeriods: 1 };
        const aboveZero = { value: 0, comparison: "GreaterThanThreshold" as const };
        if (kpi.expectTripsDaily) {
            // No datapoint = no scheduled run computed a day: that is the heartbeat's alarm, not this one.
            metricAlarm("zero-trip-day-alarm", "a complete KPI day has no completed trip (trips were expected; check the writers and the completedDate index)", "ZeroTripDay", "notBreaching", hourly, aboveZero);
        }
        metricAlarm(
            "trips-kept-too-long-alarm",
            `trip items without expiresAt, or expiring later than ${kpi.tripRetentionDays} days after completedAt, are kept longer than the retention allows (docs/kpi.md, runbook)`,
            "TripsKeptTooLong",
            "notBreaching",
            hourly,
            aboveZero,
        );
        metricAlarm(
            "late-trips-alarm",
            `trips still arrive for the oldest day of the ${kpi.recomputeDays}-day recompute window, so later ones are missed: raise kpi.recomputeDays or enable kpi.streamTrigger, and backfill (docs/kpi.md)`,
            "LateTripsAtWindowEdge",
            "notBreaching",
            hourly,
            aboveZero,
        );

        this.bucketName = bucket.bucket;
        this.tableName = table ? table.name : pulumi.output(kpi.tripsTableName);
        this.functionName = fn.functionName;
        this.athenaWorkgroup = workgroup.name;
        this.glueTable = pulumi.interpolate`${database.name}.${glueTable.name}`;
        this.registerOutputs({ bucketName: this.bucketName, tableName: this.tableName, functionName: this.functionName, athenaWorkgroup: this.athenaWorkgroup, glueTable: this.glueTable });
    }
}

/**
 * Fails the preview when the existing trips table keeps trips past the data-protection limit: TTL must be on
 * `expiresAt`, and point-in-time recovery (when on) may reach back no further than the plan allows. Read with the
 * provider's table data source, so `pulumi preview` checks the real table.
 */
function checkExistingTripsTable(tableName: string, platform: PlatformRefs, parent: pulumi.Resource): void {
    const table = aws.dynamodb.getTableOutput({ name: tableName }, { parent });
    pulumi.all([table.ttl, table.pointInTimeRecovery]).apply(([ttl, pitr]) => {
        const problems = existingTableProblems(tableName, ttl, pitr, platform.retention.trips.pitrDays);
        if (problems.length > 0) {
            // An error diagnostic fails the preview and the update (an exception inside an apply would only be an
            // unhandled rejection).
            void pulumi.log.error(`The trips table ${tableName} keeps trips past the data-protection limit (docs/retention.md):\n  - ${problems.join("\n  - ")}`, parent);
        }
    });
}

/** What is wrong with an existing trips table's TTL and PITR, each with the command that fixes it. */
export function existingTableProblems(
    tableName: string,
    ttl: { attributeName: string; enabled: boolean } | undefined,
    pitr: { enabled: boolean; recoveryPeriodInDays?: number } | undefined,
    pitrDays: number,
): string[] {
    const problems: string[] = [];
    if (!ttl || !ttl.enabled || ttl.attributeName !== TRIP_EXPIRY_ATTRIBUTE) {
        problems.push(
            `TTL is ${ttl?.enabled ? `on ${ttl.attributeName}` : "off"}, not on ${TRIP_EXPIRY_ATTRIBUTE}: aws dynamodb update-time-to-live --table-name ${tableName} --time-to-live-specification Enabled=true,AttributeName=${TRIP_EXPIRY_ATTRIBUTE}`,
        );
    }
    if (pitr?.enabled) {
        // 0 or unset: DynamoDB's default window, 35 days.
        const window = pitr.recoveryPeriodInDays || 35;
        if (window > pitrDays) {
            problems.push(
                `point-in-time recovery reaches back ${window} days (at most ${pitrDays}): aws dynamodb update-continuous-backups --table-name ${tableName} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=${pitrDays}`,
            );
        }
    }
    return problems;
}
