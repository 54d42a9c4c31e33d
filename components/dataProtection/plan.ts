import type { StackConfig } from "../config/schema";
import {
    DeletionLags,
    dynamodbWorstHours,
    elasticsearchWorstHours,
    formatHours,
    HOURS_PER_DAY,
    logGroupWorstHours,
    longestLogGroupRetentionDays,
    parseDurationHours,
    s3WorstHours,
    S3Retention,
    sqsWorstHours,
} from "./ages";

/**
 * The retention plan of a stack: every store the stack creates (or feeds), how long it keeps data, how old the data
 * can already be when it arrives (time upstream, along the platform's paths), its worst-case age, and the verdict
 * against the data-protection limit. Derived from the stack config alone, so the preview can refuse a config whose
 * stores add up past the limit, and the components get their retention values from one place.
 */

/** Lambda keeps an asynchronous event at most this long before its on-failure destination (the functions' setting). */
export const ASYNC_MAX_EVENT_AGE_HOURS = 6;
/** The Kinesis event source mapping skips records older than this to its on-failure queue (LogShipper). */
export const KINESIS_MAX_RECORD_AGE_HOURS = 6;
/** Kinesis keeps records at least 24 h (the shipper's stream keeps them no longer). */
export const KINESIS_RETENTION_HOURS = 24;
/** A DynamoDB stream keeps records 24 h (fixed by the service). */
export const DYNAMODB_STREAM_HOURS = 24;
/** EventBridge retries a target for at most this long before its dead-letter queue (the rules' retry policy). */
export const EVENTBRIDGE_MAX_EVENT_AGE_HOURS = 1;
/** Old versions and incomplete uploads in the platform's buckets go after 1 day. */
export const BUCKET_NONCURRENT_DAYS = 1;
export const BUCKET_ABORT_MULTIPART_DAYS = 1;

export type Verdict = "ok" | "exempt" | "too long";

/** One row of the plan: a store (or a path through several) and its worst-case age. */
export interface StoreBudget {
    /** Short id of the store, e.g. "shipper-sqs" or "elasticsearch". */
    store: string;
    /** What it is, for people. */
    description: string;
    /** How it keeps data, e.g. "retention 1d" or "expires after 2d, old versions 1d". */
    keeps: string;
    /** The age data can already have when it arrives (hours). */
    upstreamHours: number;
    /** Worst-case age of data in it (hours), upstream time included. */
    worstHours: number;
    verdict: Verdict;
    /** The settings that decide this row (for a fix). */
    settings: string[];
    /** For an exempt row: the exemption's reason and bound. */
    exemption?: { reason: string; maxAgeDays: number };
}

/** The retention values the components apply. */
export interface RetentionValues {
    limitHours: number;
    lags: DeletionLags;
    /** Every log group the stack creates, and the enforcer's target. */
    logGroupDays: number;
    /** The longest CloudWatch retention that fits the limit (the account rule the enforcer applies). */
    longestLogGroupDays: number;
    sourceQueueSeconds: number;
    /** The SQS source's redrive DLQ (standard queue: counted from the original enqueue). */
    sourceDlqSeconds: number;
    deadLetterSeconds: number;
    /** On-failure queues and EventBridge dead-letter queues. */
    failureQueueSeconds: number;
    /** Lifecycle of the platform's buckets (trail bucket, Athena results, KPI objects unless exempted). */
    bucket: { expirationDays: number; noncurrentDays: number; abortMultipartDays: number };
    /** The KPI objects' lifecycle: the bucket's, or the exemption's (then `exempt`). */
    kpiObjects: { expirationDays: number; noncurrentDays: number; exempt: boolean };
    /** Trips table: TTL horizon (days after completion) and the PITR window. */
    trips: { retentionDays: number; pitrDays: number };
    /** The shipper's data stream retention, as Elasticsearch reads it. */
    elasticsearchRetention: string;
    /** An `elasticsearch` exemption is configured: the shipper's index template carries the exemption mark. */
    elasticsearchExempt: boolean;
    /** A dead letter is replayed into Elasticsearch only while its data is younger than this (hours). */
    replayMaxDataAgeHours: number;
}

export interface RetentionPlan {
    values: RetentionValues;
    stores: StoreBudget[];
    /** The exemptions of the config, each with the store it covers. */
    exemptions: StackConfig["dataProtection"]["exemptions"];
}

/** A budget problem: the store, what adds up past the limit, and what to change. */
export interface BudgetProblem {
    key: string;
    message: string;
    fix: string;
}

function lagsOf(config: StackConfig): DeletionLags {
    const lag = config.dataProtection.deletionLagHours;
    return { cloudwatchHours: lag.cloudwatch, s3Hours: lag.s3, dynamodbTtlHours: lag.dynamodbTtl };
}

/** The longest expiration (days) a versioned platform bucket can have and keep data no longer than `maxHours`. */
export function longestBucketExpirationDays(maxHours: number, lags: DeletionLags): number | undefined {
    for (let days = Math.floor(maxHours / HOURS_PER_DAY); days >= 1; days -= 1) {
        const worst = s3WorstHours(
            { expirationDays: days, versioned: true, noncurrentDays: BUCKET_NONCURRENT_DAYS, abortIncompleteMultipartDays: BUCKET_ABORT_MULTIPART_DAYS },
            lags,
        );
        if (worst <= maxHours) return days;
    }
    return undefined;
}

function bucketRetention(expirationDays: number, noncurrentDays = BUCKET_NONCURRENT_DAYS): S3Retention {
    return { expirationDays, versioned: true, noncurrentDays, abortIncompleteMultipartDays: BUCKET_ABORT_MULTIPART_DAYS };
}

/**
 * Builds the plan of a validated stack config, with the problems that make it break the limit. The plan's values are
 * usable only when there is no problem.
 */
export function retentionPlan(config: StackConfig, project = "log-platform"): { plan: RetentionPlan; problems: BudgetProblem[] } {
    const dp = config.dataProtection;
    const lags = lagsOf(config);
    const limitHours = dp.maxAgeDays * HOURS_PER_DAY;
    const problems: BudgetProblem[] = [];
    const exemption = (store: string) => dp.exemptions.find((entry) => entry.store === store);
    const set = (key: string, value: string) => `pulumi config set --path '${project}:${key}' ${value}`;

    // --- log groups: retention + CloudWatch's deletion lag ---
    const longestLogGroupDays = longestLogGroupRetentionDays(limitHours, lags) ?? 0;
    if (longestLogGroupDays === 0) {
        problems.push({
            key: `${project}:dataProtection.deletionLagHours.cloudwatch`,
            message: `no CloudWatch retention fits ${dp.maxAgeDays} days with a ${lags.cloudwatchHours} h deletion lag (1 day + the lag is longer)`,
            fix: set("dataProtection.maxAgeDays", "7"),
        });
    }
    const logGroupDays = config.retention.maxRetentionDays ?? longestLogGroupDays;
    if (config.retention.maxRetentionDays !== undefined && config.retention.maxRetentionDays > longestLogGroupDays) {
        problems.push({
            key: `${project}:retention.maxRetentionDays`,
            message: `${config.retention.maxRetentionDays} days + CloudWatch's ${lags.cloudwatchHours} h deletion lag is longer than the ${dp.maxAgeDays}-day limit; at most ${longestLogGroupDays}`,
            fix: longestLogGroupDays > 0 ? set("retention.maxRetentionDays", String(longestLogGroupDays)) : `pulumi config rm --path '${project}:retention.maxRetentionDays'`,
        });
    }

    // --- the on-create rule reads CloudTrail's records: a trail must exist ---
    if (config.retention.onCreate && !config.retention.createTrail && config.retention.existingTrailArn === undefined) {
        problems.push({
            key: `${project}:retention.createTrail`,
            message: "retention.onCreate needs CloudTrail management events, but this stack creates no trail and names none: the rule would never fire",
            fix: `${set("retention.createTrail", "true")} (or name the account's trail: ${set("retention.existingTrailArn", "arn:aws:cloudtrail:<region>:<account>:trail/<name>")}, or ${set("retention.onCreate", "false")})`,
        });
    }

    // --- buckets (versioned: expiry adds a delete marker, the old version goes after noncurrentDays) ---
    const bucketDays = longestBucketExpirationDays(limitHours, lags) ?? 0;
    if (bucketDays === 0) {
        problems.push({
            key: `${project}:dataProtection.deletionLagHours.s3`,
            message: `no bucket lifecycle keeps data within ${dp.maxAgeDays} days with a ${lags.s3Hours} h S3 removal lag (1 day + 1 day of old versions + 2 midnight roundings + 2 lags)`,
            fix: set("dataProtection.deletionLagHours.s3", "24"),
        });
    }
    const kpiExemption = exemption("kpi-objects");
    let kpiObjectDays = bucketDays;
    if (kpiExemption) {
        const exemptHours = kpiExemption.maxAgeDays * HOURS_PER_DAY;
        kpiObjectDays = longestBucketExpirationDays(exemptHours, lags) ?? 0;
        if (kpiObjectDays === 0) {
            problems.push({
                key: `${project}:dataProtection.exemptions`,
                message: `the kpi-objects exemption's maxAgeDays ${kpiExemption.maxAgeDays} leaves no room for an expiry (old versions and S3's lags come on top)`,
                fix: "raise its maxAgeDays, or remove the exemption",
            });
        }
    }

    // --- queues ---
    const failureQueueSeconds = dp.failureQueueRetentionHours * 3600;
    const deadLetterSeconds = dp.deadLetterRetentionHours * 3600;
    const sourceQueueSeconds = config.shipper.sqsMessageRetentionSeconds;
    const sourceQueueHours = sourceQueueSeconds / 3600;

    // --- Elasticsearch ---
    const esRetentionHours = parseDurationHours(config.elasticsearch.dataRetention) ?? Infinity;
    const esSpan = elasticsearchWorstHours(esRetentionHours);
    const esExemption = exemption("elasticsearch");

    // --- trips table (created here: TTL + PITR; an existing one is checked at preview and by the audit) ---
    const tripRetentionDays = config.kpi.tripRetentionDays;
    if (tripRetentionDays < config.kpi.recomputeDays + 1) {
        problems.push({
            key: `${project}:kpi.tripRetentionDays`,
            message: `${tripRetentionDays} day(s) is shorter than kpi.recomputeDays (${config.kpi.recomputeDays}) + 1: the scheduled recompute would read expired trips`,
            fix: set("kpi.tripRetentionDays", String(config.kpi.recomputeDays + 1)),
        });
    }
    const tripsWithoutPitr = tripRetentionDays * HOURS_PER_DAY + lags.dynamodbTtlHours;
    const pitrDays = Math.floor((limitHours - tripsWithoutPitr) / HOURS_PER_DAY);

    const values: RetentionValues = {
        limitHours,
        lags,
        logGroupDays,
        longestLogGroupDays,
        sourceQueueSeconds,
        sourceDlqSeconds: sourceQueueSeconds,
        deadLetterSeconds,
        failureQueueSeconds,
        bucket: { expirationDays: bucketDays, noncurrentDays: BUCKET_NONCURRENT_DAYS, abortMultipartDays: BUCKET_ABORT_MULTIPART_DAYS },
        kpiObjects: { expirationDays: kpiObjectDays, noncurrentDays: BUCKET_NONCURRENT_DAYS, exempt: kpiExemption !== undefined },
        trips: { retentionDays: tripRetentionDays, pitrDays: Math.max(1, pitrDays) },
        elasticsearchRetention: config.elasticsearch.dataRetention,
        elasticsearchExempt: esExemption !== undefined,
        replayMaxDataAgeHours: Math.max(0, limitHours - esSpan),
    };

    // --- the rows: each store with the time data can have spent upstream of it ---
    const rows: Omit<StoreBudget, "verdict">[] = [];
    const row = (entry: Omit<StoreBudget, "verdict">) => rows.push(entry);
    const shipperUpstream = Math.max(sourceQueueHours, ASYNC_MAX_EVENT_AGE_HOURS, KINESIS_MAX_RECORD_AGE_HOURS);

    row({
        store: "log-groups",
        description: "every CloudWatch log group (the stack's own, and every other one the enforcer sweeps)",
        keeps: `retention ${logGroupDays}d + deletion lag ${lags.cloudwatchHours}h`,
        upstreamHours: 0,
        worstHours: logGroupWorstHours(logGroupDays, lags),
        settings: ["retention.maxRetentionDays", "dataProtection.deletionLagHours.cloudwatch"],
    });
    if (config.shipper.existingKinesisStreamArn === undefined) {
        row({ store: "shipper-kinesis", description: "the shipper's Kinesis stream", keeps: `retention ${KINESIS_RETENTION_HOURS}h`, upstreamHours: 0, worstHours: KINESIS_RETENTION_HOURS, settings: ["shipper.kinesisRetentionHours"] });
    }
    row({ store: "shipper-sqs", description: "the shipper's SQS source queue", keeps: `retention ${formatHours(sourceQueueHours)}`, upstreamHours: 0, worstHours: sqsWorstHours(sourceQueueSeconds), settings: ["shipper.sqsMessageRetentionSeconds"] });
    row({
        store: "shipper-sqs-dlq",
        description: "the SQS source's redrive DLQ (standard queue: its clock is the original enqueue)",
        keeps: `retention ${formatHours(sourceQueueHours)}`,
        upstreamHours: 0,
        worstHours: sqsWorstHours(sourceQueueSeconds),
        settings: ["shipper.sqsMessageRetentionSeconds"],
    });
    row({
        store: "shipper-dead-letters",
        description: "the shipper's dead-letter queue (new messages: documents refused, input not decodable)",
        keeps: `retention ${dp.deadLetterRetentionHours}h`,
        upstreamHours: shipperUpstream,
        worstHours: sqsWorstHours(deadLetterSeconds, shipperUpstream),
        settings: ["dataProtection.deadLetterRetentionHours", "shipper.sqsMessageRetentionSeconds"],
    });
    row({
        store: "failure-queues",
        description: "on-failure queues of the functions (async events after 6 h of retries; Kinesis batches older than 6 h)",
        keeps: `retention ${dp.failureQueueRetentionHours}h`,
        upstreamHours: Math.max(ASYNC_MAX_EVENT_AGE_HOURS, KINESIS_MAX_RECORD_AGE_HOURS),
        worstHours: sqsWorstHours(failureQueueSeconds, Math.max(ASYNC_MAX_EVENT_AGE_HOURS, KINESIS_MAX_RECORD_AGE_HOURS)),
        settings: ["dataProtection.failureQueueRetentionHours"],
    });
    row({
        store: "eventbridge-dlqs",
        description: "the schedules' and CreateLogGroup rule's dead-letter queues",
        keeps: `retention ${dp.failureQueueRetentionHours}h`,
        upstreamHours: EVENTBRIDGE_MAX_EVENT_AGE_HOURS,
        worstHours: sqsWorstHours(failureQueueSeconds, EVENTBRIDGE_MAX_EVENT_AGE_HOURS),
        settings: ["dataProtection.failureQueueRetentionHours"],
    });
    // Elasticsearch is fed by the sources directly, by a failure record shipped by hand (`npm run ship`), and by a
    // message redriven from the source DLQ to the source queue (a redrive starts the queue's clock again).
    const esUpstream = Math.max(
        shipperUpstream,
        ASYNC_MAX_EVENT_AGE_HOURS + failureQueueSeconds / 3600,
        sourceQueueHours + sourceQueueHours,
    );
    row({
        store: "elasticsearch",
        description: "the shipper's data streams (rollover + data_retention + two lifecycle runs), fed by the sources, a shipped failure record or a redriven source message",
        keeps: `data_retention ${config.elasticsearch.dataRetention}`,
        upstreamHours: esUpstream,
        worstHours: esUpstream + esSpan,
        settings: ["elasticsearch.dataRetention", "shipper.sqsMessageRetentionSeconds", "dataProtection.failureQueueRetentionHours"],
    });
    row({
        store: "kpi-objects",
        description: "the KPI bucket: only the daily KPI objects (aggregates) under kpis/",
        keeps: `expire after ${kpiObjectDays}d, old versions ${BUCKET_NONCURRENT_DAYS}d`,
        upstreamHours: 0,
        worstHours: s3WorstHours(bucketRetention(kpiObjectDays), lags),
        settings: ["dataProtection.exemptions", "dataProtection.deletionLagHours.s3"],
    });
    row({
        store: "athena-results",
        description: "the Athena workgroup's results bucket (query results)",
        keeps: `expire after ${bucketDays}d, old versions ${BUCKET_NONCURRENT_DAYS}d`,
        upstreamHours: 0,
        worstHours: s3WorstHours(bucketRetention(bucketDays), lags),
        settings: ["dataProtection.deletionLagHours.s3"],
    });
    if (config.retention.createTrail) {
        row({
            store: "trail-bucket",
            description: "the CloudTrail trail's bucket (API call records)",
            keeps: `expire after ${bucketDays}d, old versions ${BUCKET_NONCURRENT_DAYS}d`,
            upstreamHours: 0,
            worstHours: s3WorstHours(bucketRetention(bucketDays), lags),
            settings: ["dataProtection.deletionLagHours.s3"],
        });
    }
    row({
        store: "trips-table",
        description: config.kpi.createTripsTable
            ? "the trips table (TTL on expiresAt; point-in-time recovery window)"
            : "the existing trips table (checked at preview: TTL on expiresAt, PITR window; and by audit-retention)",
        keeps: `items ${tripRetentionDays}d + TTL lag ${lags.dynamodbTtlHours}h, PITR ${values.trips.pitrDays}d`,
        upstreamHours: 0,
        worstHours: dynamodbWorstHours(
            { ttlEnabled: true, itemLifetimeHours: tripRetentionDays * HOURS_PER_DAY, pitrEnabled: true, pitrRecoveryDays: values.trips.pitrDays, onDemandBackups: 0 },
            lags,
        ),
        settings: ["kpi.tripRetentionDays", "dataProtection.deletionLagHours.dynamodbTtl"],
    });
    if (config.kpi.streamTrigger) {
        row({ store: "trips-stream", description: "the trips table's stream", keeps: `${DYNAMODB_STREAM_HOURS}h (fixed)`, upstreamHours: 0, worstHours: DYNAMODB_STREAM_HOURS, settings: [] });
    }

    const exemptions = { "kpi-objects": kpiExemption, elasticsearch: esExemption } as Record<string, (typeof dp.exemptions)[number] | undefined>;
    const stores: StoreBudget[] = rows.map((entry) => {
        const exempt = exemptions[entry.store];
        if (entry.worstHours <= limitHours) return { ...entry, verdict: "ok" };
        if (exempt && entry.worstHours <= exempt.maxAgeDays * HOURS_PER_DAY) {
            return { ...entry, verdict: "exempt", exemption: { reason: exempt.reason, maxAgeDays: exempt.maxAgeDays } };
        }
        return { ...entry, verdict: "too long" };
    });
    for (const entry of stores) {
        if (entry.verdict !== "too long") continue;
        const bound = exemptions[entry.store] ? `its exemption's ${exemptions[entry.store]?.maxAgeDays} days` : `the ${dp.maxAgeDays}-day limit`;
        problems.push({
            key: `${project}:${entry.settings[0] ?? "dataProtection"}`,
            message: `${entry.store} (${entry.description}) can keep data ${formatHours(entry.worstHours)} (${entry.keeps}, ${formatHours(entry.upstreamHours)} upstream), longer than ${bound}`,
            fix: fixFor(entry.store, config, project),
        });
    }
    // Exemptions only for stores that need one: an unused exemption is a mistake worth saying.
    for (const entry of dp.exemptions) {
        const covered = stores.find((candidate) => candidate.store === entry.store);
        if (covered && covered.verdict === "ok" && entry.store === "elasticsearch") {
            problems.push({
                key: `${project}:dataProtection.exemptions`,
                message: `the elasticsearch exemption is not needed: its data streams keep data within the limit (${formatHours(covered.worstHours)})`,
                fix: "remove the exemption from dataProtection.exemptions",
            });
        }
    }
    // One problem per setting: a setting refused on its own is not refused again as the store it sizes.
    const unique = problems.filter((problem, index) => problems.findIndex((other) => other.key === problem.key) === index);
    return { plan: { values, stores, exemptions: dp.exemptions }, problems: unique };
}

function fixFor(store: string, config: StackConfig, project: string): string {
    const set = (key: string, value: string) => `pulumi config set --path '${project}:${key}' ${value}`;
    switch (store) {
        case "elasticsearch":
            return `shorten it: ${set("elasticsearch.dataRetention", "3d")} (and/or shorten shipper.sqsMessageRetentionSeconds or dataProtection.failureQueueRetentionHours); or add an elasticsearch exemption with its reason to dataProtection.exemptions`;
        case "shipper-dead-letters":
            return `${set("dataProtection.deadLetterRetentionHours", "72")} or shorten shipper.sqsMessageRetentionSeconds`;
        case "shipper-sqs":
        case "shipper-sqs-dlq":
            return set("shipper.sqsMessageRetentionSeconds", "86400");
        case "failure-queues":
        case "eventbridge-dlqs":
            return set("dataProtection.failureQueueRetentionHours", "48");
        case "log-groups":
            return `pulumi config rm --path '${project}:retention.maxRetentionDays' (the longest value that fits is then used)`;
        case "trips-table":
            return set("kpi.tripRetentionDays", String(Math.max(1, config.kpi.recomputeDays + 1)));
        default:
            return `check dataProtection.deletionLagHours and dataProtection.maxAgeDays (docs/retention.md)`;
    }
}
