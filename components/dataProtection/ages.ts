/**
 * How long each kind of store can hold a piece of data, at worst, given its retention settings: the arithmetic
 * behind "nothing in the account is kept longer than the limit". Pure functions of numbers (no Pulumi, no SDK), so
 * the stack config's budget check, the components, the account audit (`npm run audit-retention`) and the policy
 * pack all count the same way.
 *
 * Every duration here is in hours. `Infinity` means "kept until someone deletes it".
 *
 * The facts each function relies on, with their sources, are in docs/retention.md ("What 7 days means").
 */

export const HOURS_PER_DAY = 24;

/** Deletion lags: how long after its retention a store may still hold data. Documented or assumed; configurable. */
export interface DeletionLags {
    /**
     * CloudWatch Logs: "log events ... typically up to 72 hours after they reach their retention setting" (API
     * reference, PutRetentionPolicy). Default 72.
     */
    cloudwatchHours: number;
    /**
     * S3 lifecycle: expiration is queued and removed asynchronously, and S3 publishes no bound for it (user guide,
     * "Expiring objects"). Default 24: an assumption, stated as one. The rounding of expiry dates to the next
     * midnight UTC is documented and counted separately (S3_MIDNIGHT_ROUNDING_HOURS).
     */
    s3Hours: number;
    /** DynamoDB TTL: "typically deletes expired items within a few days" (developer guide, "Time to Live"). Default 72. */
    dynamodbTtlHours: number;
}

export const DEFAULT_LAGS: DeletionLags = { cloudwatchHours: 72, s3Hours: 24, dynamodbTtlHours: 72 };

/**
 * S3 "calculates the time by adding the number of days specified in the rule to the object creation time and rounding
 * the resulting time to the next day midnight UTC" (user guide, lifecycle configuration elements): up to 24 h more.
 */
export const S3_MIDNIGHT_ROUNDING_HOURS = 24;

/** The retention values CloudWatch Logs accepts (API reference, PutRetentionPolicy `retentionInDays`). */
export const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** A log group: its retention (undefined = never expires) plus the deletion lag. */
export function logGroupWorstHours(retentionInDays: number | undefined, lags: DeletionLags): number {
    if (retentionInDays === undefined || retentionInDays <= 0) return Infinity;
    return retentionInDays * HOURS_PER_DAY + lags.cloudwatchHours;
}

/**
 * The longest log-group retention CloudWatch accepts whose data is gone within the limit (retention + lag <= limit),
 * or undefined when even 1 day does not fit (the limit is shorter than 1 day + the lag).
 */
export function longestLogGroupRetentionDays(limitHours: number, lags: DeletionLags): number | undefined {
    const fitting = CLOUDWATCH_RETENTION_DAYS.filter((days) => logGroupWorstHours(days, lags) <= limitHours);
    return fitting.length > 0 ? fitting[fitting.length - 1] : undefined;
}

/** What an S3 bucket (or one prefix of it) keeps: the lifecycle rule that applies, versioning and Object Lock. */
export interface S3Retention {
    /** Days after creation the current version expires; undefined = never. */
    expirationDays?: number;
    /** Versioned (or versioning suspended, which keeps the versions already made). */
    versioned: boolean;
    /** Days after becoming noncurrent an old version is removed; undefined = never (only matters when versioned). */
    noncurrentDays?: number;
    /** Days an incomplete multipart upload's parts are kept; undefined = never. */
    abortIncompleteMultipartDays?: number;
    /** The default Object Lock retention in days (GOVERNANCE or COMPLIANCE): no version can be removed earlier. */
    objectLockDays?: number;
}

/**
 * The worst age of data in S3 under lifecycle rules. A current object expires at most `expiration + rounding + lag`
 * after creation. In a versioned bucket expiry only adds a delete marker: the data stays as a noncurrent version
 * until `noncurrent + rounding + lag` after that. Object Lock holds every version at least its lock period.
 */
export function s3WorstHours(retention: S3Retention, lags: DeletionLags): number {
    const phase = (days: number | undefined) => (days === undefined ? Infinity : days * HOURS_PER_DAY + S3_MIDNIGHT_ROUNDING_HOURS + lags.s3Hours);
    let worst = phase(retention.expirationDays);
    if (retention.versioned) worst += phase(retention.noncurrentDays);
    // The parts of an upload never completed are data too: without an abort rule they stay.
    worst = Math.max(worst, phase(retention.abortIncompleteMultipartDays));
    if (retention.objectLockDays !== undefined) worst = Math.max(worst, retention.objectLockDays * HOURS_PER_DAY);
    return worst;
}

/**
 * An SQS queue: messages are deleted when their retention period has passed since they were enqueued. For a standard
 * queue's dead-letter queue the clock is the original enqueue time; a FIFO dead-letter queue and a redrive (message
 * move task) start it again (developer guide, "dead-letter queue retention" and "redrive"). `upstreamHours` is the age
 * the data can already have when it is enqueued.
 */
export function sqsWorstHours(retentionSeconds: number, upstreamHours = 0): number {
    return upstreamHours + retentionSeconds / 3600;
}

/**
 * Elasticsearch data stream lifecycle: a backing index is deleted once its rollover is older than `data_retention`,
 * on the lifecycle's next run (`data_streams.lifecycle.poll_interval`, 5 minutes by default). Rollover with the
 * default `max_age=auto` happens after 1 day for retentions up to 14 days (newer releases: 1 hour up to 1 day), 7 days
 * up to 90 days, else 30 days (RolloverConfiguration.evaluateMaxAgeCondition; the larger, older rule is used here).
 * Worst age = rollover + a poll + retention + a poll. No retention = kept forever.
 */
export function elasticsearchWorstHours(dataRetentionHours: number | undefined, pollIntervalMinutes = 5): number {
    if (dataRetentionHours === undefined) return Infinity;
    return autoRolloverMaxAgeHours(dataRetentionHours) + dataRetentionHours + (2 * pollIntervalMinutes) / 60;
}

/** `max_age=auto` as a function of the data stream's retention (see elasticsearchWorstHours). */
export function autoRolloverMaxAgeHours(dataRetentionHours: number): number {
    if (dataRetentionHours <= 14 * HOURS_PER_DAY) return HOURS_PER_DAY;
    if (dataRetentionHours <= 90 * HOURS_PER_DAY) return 7 * HOURS_PER_DAY;
    return 30 * HOURS_PER_DAY;
}

/** What a DynamoDB table keeps: item lifetime under TTL, point-in-time recovery, and on-demand backups. */
export interface DynamoDbRetention {
    /** TTL enabled; without it items stay until a writer deletes them. */
    ttlEnabled: boolean;
    /** The longest `expiresAt - arrival` the writers' contract allows (hours); undefined = not bounded by contract. */
    itemLifetimeHours?: number;
    /** Point-in-time recovery on, and its window (1-35 days; 35 when not set). */
    pitrEnabled: boolean;
    pitrRecoveryDays?: number;
    /** On-demand (USER) backups are kept until deleted. */
    onDemandBackups: number;
}

/** Default PITR window when `RecoveryPeriodInDays` is not set (DynamoDB API reference, PointInTimeRecoverySpecification). */
export const DYNAMODB_DEFAULT_PITR_DAYS = 35;

/**
 * The worst age of data in a table: an item lives its TTL lifetime plus the TTL deletion lag; a deleted item can still
 * be restored for the PITR window after that. An on-demand backup keeps everything until it is deleted.
 */
export function dynamodbWorstHours(table: DynamoDbRetention, lags: DeletionLags): number {
    if (table.onDemandBackups > 0) return Infinity;
    if (!table.ttlEnabled || table.itemLifetimeHours === undefined) return Infinity;
    const pitr = table.pitrEnabled ? (table.pitrRecoveryDays ?? DYNAMODB_DEFAULT_PITR_DAYS) * HOURS_PER_DAY : 0;
    return table.itemLifetimeHours + lags.dynamodbTtlHours + pitr;
}

/** "2d", "72h", "90m" (Elasticsearch time units d, h, m, s) in hours; undefined for anything else. */
export function parseDurationHours(value: string): number | undefined {
    const match = /^(\d+)(d|h|m|s)$/.exec(value.trim());
    if (!match) return undefined;
    const amount = Number(match[1]);
    const unit = match[2];
    if (unit === "d") return amount * HOURS_PER_DAY;
    if (unit === "h") return amount;
    if (unit === "m") return amount / 60;
    return amount / 3600;
}

/** Hours as a short readable duration: "6d 4h", "3h", "forever". */
export function formatHours(hours: number): string {
    if (!Number.isFinite(hours)) return "forever";
    const totalMinutes = Math.round(hours * 60);
    const days = Math.floor(totalMinutes / (24 * 60));
    const restHours = Math.floor((totalMinutes % (24 * 60)) / 60);
    const minutes = totalMinutes % 60;
    const parts = [days > 0 ? `${days}d` : "", restHours > 0 ? `${restHours}h` : "", minutes > 0 ? `${minutes}m` : ""].filter(Boolean);
    return parts.length > 0 ? parts.join(" ") : "0h";
}
