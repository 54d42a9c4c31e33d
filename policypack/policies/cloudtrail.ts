import { bucketReferencedBy } from "../lib/buckets";
import { EXPIRY_CONFIG, ExpiryConfig, referencedExpiry } from "../lib/lifecycle";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { ofTypes } from "../lib/stack";
import { asNumber, asString, get, UNKNOWN } from "../lib/values";

export const TRAIL_TYPE = "aws:cloudtrail/trail:Trail";

export const cloudtrailTrailKms = resourcePolicy({
    name: "cloudtrail-trail-kms",
    description: "CloudTrail trails encrypt their log files with a customer-managed KMS key (SSE-KMS), not only the bucket's default encryption.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set `kmsKeyId: key.arn` on the aws.cloudtrail.Trail; the key policy must allow cloudtrail.amazonaws.com kms:GenerateDataKey* with the condition aws:SourceArn = the trail's ARN.",
    validateResource: (args, reportViolation) => {
        if (args.type === TRAIL_TYPE && get(args.props, "kmsKeyId") === undefined) {
            reportViolation("trail log files are not encrypted with a KMS key (kmsKeyId is not set)");
        }
    },
});

export const cloudtrailLogFileValidation = resourcePolicy({
    name: "cloudtrail-log-file-validation",
    description: "CloudTrail trails write digest files (log file validation), so a deleted or altered log file can be detected.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set `enableLogFileValidation: true` on the aws.cloudtrail.Trail.",
    validateResource: (args, reportViolation) => {
        if (args.type !== TRAIL_TYPE) {
            return;
        }
        const validation = get(args.props, "enableLogFileValidation");
        if (validation !== true && validation !== UNKNOWN) {
            reportViolation("trail does not validate its log files (enableLogFileValidation is not true)");
        }
    },
});

export const cloudtrailMultiRegion = resourcePolicy({
    name: "cloudtrail-multi-region",
    description: "CloudTrail trails record every region (multi-region), so activity in a region the platform does not use is not missed.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set `isMultiRegionTrail: true` (and leave `includeGlobalServiceEvents` at its default, true) on the aws.cloudtrail.Trail.",
    validateResource: (args, reportViolation) => {
        if (args.type !== TRAIL_TYPE) {
            return;
        }
        const multiRegion = get(args.props, "isMultiRegionTrail");
        if (multiRegion !== true && multiRegion !== UNKNOWN) {
            reportViolation("trail records only its own region (isMultiRegionTrail is not true)");
        }
    },
});

/** Where a trail writes: `<s3KeyPrefix>/AWSLogs/` (CloudTrail adds AWSLogs/<account>/ under the prefix). */
function trailKeyPrefix(prefix: unknown): string | typeof UNKNOWN {
    if (prefix === UNKNOWN) {
        return UNKNOWN;
    }
    const given = asString(prefix) ?? "";
    return given === "" ? "AWSLogs/" : `${given.replace(/\/+$/, "")}/AWSLogs/`;
}

export const cloudtrailBucketExpiry = stackPolicy({
    name: "cloudtrail-bucket-expiry",
    description:
        "The bucket a CloudTrail trail writes to expires the trail's objects within the data-protection limit (7 days by default): a lifecycle rule of that bucket covering <s3KeyPrefix>/AWSLogs/, and, if the bucket is versioned, a noncurrent-version expiration too; no Object Lock default retention longer than the limit, and the same of every bucket the logs are replicated to. A bucket outside the program fails unless listed in externalBuckets.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add `new aws.s3.BucketLifecycleConfiguration(..., { bucket: trailBucket.id, rules: [{ id: "trail-expire", status: "Enabled", filter: { prefix: "" }, expiration: { days: 7 }, noncurrentVersionExpiration: { noncurrentDays: 1 } }] })`; for a bucket another stack manages, list its name in `externalBuckets`.',
    configSchema: EXPIRY_CONFIG,
    validateStack: (args, reportViolation) => {
        const { maxDays, externalBuckets } = args.getConfig<ExpiryConfig>();
        for (const trail of ofTypes(args.resources, TRAIL_TYPE)) {
            const lookup = bucketReferencedBy(args.resources, trail, "s3BucketName", get(trail.props, "s3BucketName"));
            const verdict = referencedExpiry(args.resources, lookup, trailKeyPrefix(get(trail.props, "s3KeyPrefix")), maxDays, externalBuckets, "cloudtrail-bucket-expiry");
            if (verdict.kind === "problem") {
                reportViolation(`trail "${trail.name}" writes to a bucket that keeps its logs too long: ${verdict.problem}`, trail.urn);
            }
        }
    },
});

export const cloudtrailEventDataStoreRetention = resourcePolicy({
    name: "cloudtrail-event-data-store-retention",
    description:
        "CloudTrail Lake event data stores keep events at most the data-protection limit (7 days by default, also CloudTrail Lake's minimum); unset, the provider keeps them 2557 days (7 years).",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set `retentionPeriod: 7` on the aws.cloudtrail.EventDataStore.",
    configSchema: { properties: { maxDays: { type: "integer", minimum: 7, default: 7, description: "Longest retention allowed, in days." } } },
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:cloudtrail/eventDataStore:EventDataStore") {
            return;
        }
        const { maxDays } = args.getConfig<{ maxDays: number }>();
        const retention = get(args.props, "retentionPeriod");
        if (retention === UNKNOWN) {
            return;
        }
        const days = asNumber(retention);
        if (days === undefined) {
            reportViolation(`event data store has no retentionPeriod, so events are kept 2557 days (7 years); at most ${maxDays} are allowed`);
        } else if (days > maxDays) {
            reportViolation(`event data store keeps events ${days} days; at most ${maxDays} are allowed`);
        }
    },
});
