/**
 * How long an S3 bucket of the stack can keep data, at worst, from the resources that configure it together:
 * its lifecycle rules (configuration resources or the legacy inline rules of Bucket and BucketV2), versioning
 * and Object Lock default retention. Counted with the program's s3WorstHours (midnight rounding, S3's lag,
 * noncurrent versions, incomplete multipart uploads, Object Lock).
 *
 * A rule counts only when it is enabled and has no tag or object-size filter (those leave other objects under
 * its prefix alone). When several rules cover an object, S3 honours the shortest expiration (user guide,
 * "How S3 handles conflicts in lifecycle configurations"), so each action takes the shortest covering rule.
 */
import { PolicyResource } from "@pulumi/policy";

import { DeletionLags, formatHours, HOURS_PER_DAY, S3_MIDNIGHT_ROUNDING_HOURS, S3Retention, s3WorstHours } from "../../components/dataProtection/ages";
import { attachedTo, BUCKET_TYPES, LIFECYCLE_TYPES, VERSIONING_TYPES } from "./buckets";
import { asArray, asNumber, asString, containsUnknown, get, UNKNOWN } from "./values";

export const DIRECTORY_BUCKET_TYPE = "aws:s3/directoryBucket:DirectoryBucket";
export const OUTPOSTS_BUCKET_TYPE = "aws:s3control/bucket:Bucket";
/** Every bucket type that holds objects: general purpose (Bucket, BucketV2), directory (S3 Express) and Outposts. */
export const DATA_BUCKET_TYPES = [...BUCKET_TYPES, DIRECTORY_BUCKET_TYPE, OUTPOSTS_BUCKET_TYPE];
const ALL_LIFECYCLE_TYPES = [...LIFECYCLE_TYPES, "aws:s3control/bucketLifecycleConfiguration:BucketLifecycleConfiguration"];
export const OBJECT_LOCK_TYPES = [
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
];
/** Object Lock counts years as calendar years: a leap year is 366 days. */
const DAYS_PER_LOCK_YEAR = 366;

/** One lifecycle rule, reduced to what decides how long data stays. */
interface Rule {
    id: string;
    prefix: string;
    /** Tag or object-size filters: the rule covers only some of the objects under its prefix. */
    narrowed: boolean;
    expirationDays?: number;
    noncurrentDays?: number;
    /** `newerNoncurrentVersions`: that many old versions are kept whatever their age. */
    keepsNewerVersions: boolean;
    abortDays?: number;
}

const firstOf = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);
const hasEntries = (value: unknown) => value !== undefined && value !== null && typeof value === "object" && Object.keys(value).length > 0;

/** A rule of a BucketLifecycleConfiguration(V2) or an s3control one; undefined when disabled. */
function configurationRule(rule: unknown): Rule | undefined | typeof UNKNOWN {
    if (containsUnknown(rule)) {
        return UNKNOWN;
    }
    const status = asString(get(rule, "status"));
    if (status !== undefined && status !== "Enabled") {
        return undefined;
    }
    const filter = get(rule, "filter");
    const and = get(filter, "and");
    const sizes = ["objectSizeGreaterThan", "objectSizeLessThan"];
    const newer = asNumber(get(rule, "noncurrentVersionExpiration.newerNoncurrentVersions"));
    return {
        id: asString(get(rule, "id")) ?? "",
        prefix: asString(get(filter, "prefix")) ?? asString(get(and, "prefix")) ?? asString(get(rule, "prefix")) ?? "",
        narrowed: get(filter, "tag") !== undefined || hasEntries(get(filter, "tags")) || hasEntries(get(and, "tags")) || sizes.some((size) => get(filter, size) !== undefined || get(and, size) !== undefined),
        expirationDays: asNumber(get(rule, "expiration.days")),
        noncurrentDays: asNumber(get(rule, "noncurrentVersionExpiration.noncurrentDays")),
        keepsNewerVersions: newer !== undefined && newer > 0,
        abortDays: asNumber(get(rule, "abortIncompleteMultipartUpload.daysAfterInitiation")),
    };
}

/** A legacy inline rule: Bucket's `lifecycleRules` (expiration, noncurrentVersionExpiration) or BucketV2's (expirations[], noncurrentVersionExpirations[]). */
function inlineRule(rule: unknown): Rule | undefined | typeof UNKNOWN {
    if (containsUnknown(rule)) {
        return UNKNOWN;
    }
    if (get(rule, "enabled") !== true) {
        return undefined;
    }
    const expiration = get(rule, "expiration") ?? firstOf(get(rule, "expirations"));
    const noncurrent = get(rule, "noncurrentVersionExpiration") ?? firstOf(get(rule, "noncurrentVersionExpirations"));
    return {
        id: asString(get(rule, "id")) ?? "",
        prefix: asString(get(rule, "prefix")) ?? "",
        narrowed: hasEntries(get(rule, "tags")),
        expirationDays: asNumber(get(expiration, "days")),
        noncurrentDays: asNumber(get(noncurrent, "days")),
        keepsNewerVersions: false,
        abortDays: asNumber(get(rule, "abortIncompleteMultipartUploadDays")),
    };
}

/** The enabled rules of a bucket; UNKNOWN when any of them cannot be read yet (preview). */
function rulesOf(resources: PolicyResource[], bucket: PolicyResource): Rule[] | typeof UNKNOWN {
    const read: (Rule | undefined | typeof UNKNOWN)[] = [];
    const unreadable: (Rule | undefined | typeof UNKNOWN)[] = [UNKNOWN];
    for (const configuration of attachedTo(resources, bucket, ALL_LIFECYCLE_TYPES)) {
        const rules = get(configuration.props, "rules");
        read.push(...(rules === UNKNOWN ? unreadable : asArray(rules).map(configurationRule)));
    }
    const inline = get(bucket.props, "lifecycleRules");
    read.push(...(inline === UNKNOWN ? unreadable : asArray(inline).map(inlineRule)));
    if (read.includes(UNKNOWN)) {
        return UNKNOWN;
    }
    return read.filter((rule): rule is Rule => rule !== undefined && rule !== UNKNOWN);
}

/** Versioned, or suspended (the versions already made stay); directory and Outposts buckets here have none. */
function isVersioned(resources: PolicyResource[], bucket: PolicyResource): boolean | typeof UNKNOWN {
    if (!BUCKET_TYPES.includes(bucket.type)) {
        return false;
    }
    const statuses = [
        ...attachedTo(resources, bucket, VERSIONING_TYPES).map((versioning) => get(versioning.props, "versioningConfiguration.status")),
        get(bucket.props, "versioning.enabled") === true ? "Enabled" : get(bucket.props, "versioning.enabled"),
        ...asArray(get(bucket.props, "versionings")).map((versioning) => (get(versioning, "enabled") === true ? "Enabled" : get(versioning, "enabled"))),
    ];
    if (statuses.some((status) => status === "Enabled" || status === "Suspended")) {
        return true;
    }
    return statuses.includes(UNKNOWN) ? UNKNOWN : false;
}

/** Days of a default retention ({ days } or { years }); UNKNOWN while not known. */
function retentionDays(retention: unknown): number | undefined | typeof UNKNOWN {
    if (containsUnknown(retention)) {
        return UNKNOWN;
    }
    const days = asNumber(get(retention, "days"));
    const years = asNumber(get(retention, "years"));
    return days ?? (years !== undefined ? years * DAYS_PER_LOCK_YEAR : undefined);
}

/** The longest Object Lock default retention of the bucket, in days (a configuration resource or inline). */
function objectLockDays(resources: PolicyResource[], bucket: PolicyResource): number | undefined | typeof UNKNOWN {
    const found = [
        ...attachedTo(resources, bucket, OBJECT_LOCK_TYPES).map((lock) => retentionDays(get(lock.props, "rule.defaultRetention"))),
        retentionDays(get(bucket.props, "objectLockConfiguration.rule.defaultRetention")),
        ...asArray(get(bucket.props, "objectLockConfiguration.rules")).flatMap((rule) => asArray(get(rule, "defaultRetentions")).map(retentionDays)),
    ];
    if (found.includes(UNKNOWN)) {
        return UNKNOWN;
    }
    const days = found.filter((value): value is number => typeof value === "number");
    return days.length > 0 ? Math.max(...days) : undefined;
}

/** How long a bucket (or the objects under one key prefix) can keep data, and why. */
export type BucketAge =
    | { kind: "unknown" }
    | {
          kind: "known";
          worstHours: number;
          retention: S3Retention;
          /** The rules' prefixes that are covered (when the prefix asked about is not). */
          coveredPrefixes: string[];
      };

const shortest = (values: (number | undefined)[]): number | undefined => {
    const known = values.filter((value): value is number => value !== undefined);
    return known.length > 0 ? Math.min(...known) : undefined;
};

/**
 * The worst age of data written under `keyPrefix` ("" = anywhere in the bucket). Unknown (preview) when a rule
 * cannot be read yet; unknown versioning or Object Lock are counted as absent, so a violation is never made up.
 */
export function bucketAge(resources: PolicyResource[], bucket: PolicyResource, lags: DeletionLags, keyPrefix = ""): BucketAge {
    const rules = rulesOf(resources, bucket);
    if (rules === UNKNOWN) {
        return { kind: "unknown" };
    }
    const covering = rules.filter((rule) => !rule.narrowed && keyPrefix.startsWith(rule.prefix));
    const versioned = isVersioned(resources, bucket) === true;
    const lock = objectLockDays(resources, bucket);
    const retention: S3Retention = {
        expirationDays: shortest(covering.map((rule) => rule.expirationDays)),
        versioned,
        noncurrentDays: shortest(covering.filter((rule) => !rule.keepsNewerVersions).map((rule) => rule.noncurrentDays)),
        abortIncompleteMultipartDays: shortest(covering.map((rule) => rule.abortDays)),
        objectLockDays: lock === UNKNOWN ? undefined : lock,
    };
    const coveredPrefixes = [...new Set(rules.filter((rule) => !rule.narrowed && rule.expirationDays !== undefined && !keyPrefix.startsWith(rule.prefix)).map((rule) => rule.prefix))];
    return { kind: "known", worstHours: s3WorstHours(retention, lags), retention, coveredPrefixes };
}

/** Why a bucket keeps data as long as it does: each missing action, or the sum it adds up to. */
export function explainBucketAge(age: Extract<BucketAge, { kind: "known" }>, lags: DeletionLags, keyPrefix = ""): string {
    const { retention } = age;
    const where = keyPrefix === "" ? "" : ` under "${keyPrefix}"`;
    const missing: string[] = [];
    if (retention.expirationDays === undefined) {
        missing.push(
            age.coveredPrefixes.length > 0
                ? `no enabled rule without tag or size filters expires objects${where} outside ${age.coveredPrefixes.map((prefix) => `"${prefix}"`).join(", ")}, so they are kept forever`
                : `no enabled lifecycle rule without tag or size filters expires the objects${where}, so they are kept forever`,
        );
    }
    if (retention.versioned && retention.noncurrentDays === undefined) {
        missing.push("the bucket is versioned and no rule removes old (noncurrent) versions, so an expired object stays as an old version forever");
    }
    if (retention.abortIncompleteMultipartDays === undefined) {
        missing.push("no rule aborts incomplete multipart uploads, so their parts are kept forever");
    }
    if (missing.length > 0) {
        return missing.join("; ");
    }
    const phase = `${S3_MIDNIGHT_ROUNDING_HOURS} h rounding to midnight UTC + ${lags.s3Hours} h S3 removal lag`;
    const parts = [`current versions expire after ${retention.expirationDays} d`];
    if (retention.versioned) {
        parts.push(`then old versions after ${retention.noncurrentDays} d`);
    }
    parts.push(`incomplete uploads aborted after ${retention.abortIncompleteMultipartDays} d`);
    const lock = retention.objectLockDays !== undefined ? `; Object Lock holds every version ${retention.objectLockDays} d (${formatHours(retention.objectLockDays * HOURS_PER_DAY)})` : "";
    return `${parts.join(", ")}, each with ${phase}${lock}: up to ${formatHours(age.worstHours)}`;
}
