/**
 * Whether a bucket's lifecycle rules expire the objects under a key prefix within a number of days: the
 * check behind every "kept at most N days" rule for data that lands in S3 (trails, access logs, query results).
 */
import { PolicyResource } from "@pulumi/policy";

import { attachedTo, BucketLookup, LIFECYCLE_TYPES, VERSIONING_TYPES } from "./buckets";
import { asArray, asNumber, asString, containsUnknown, get, UNKNOWN } from "./values";

export type ExpiryVerdict = { kind: "ok" } | { kind: "unknown" } | { kind: "problem"; problem: string };

interface Rule {
    enabled: boolean;
    prefix: string;
    /** Tag or object-size filters: the rule covers only some of the objects under its prefix. */
    narrowed: boolean;
    expirationDays?: number;
    noncurrentDays?: number;
}

/** A rule of aws.s3.BucketLifecycleConfiguration (status, filter, expiration.days, noncurrentVersionExpiration.noncurrentDays). */
function configurationRule(rule: unknown): Rule | typeof UNKNOWN {
    const filter = get(rule, "filter");
    const and = get(filter, "and");
    const relevant = [get(rule, "status"), filter, get(rule, "prefix"), get(rule, "expiration.days"), get(rule, "noncurrentVersionExpiration.noncurrentDays")];
    if (relevant.some(containsUnknown)) {
        return UNKNOWN;
    }
    const sizes = ["objectSizeGreaterThan", "objectSizeLessThan"];
    const tags = get(and, "tags");
    return {
        enabled: asString(get(rule, "status")) === "Enabled",
        prefix: asString(get(filter, "prefix")) ?? asString(get(and, "prefix")) ?? asString(get(rule, "prefix")) ?? "",
        narrowed:
            get(filter, "tag") !== undefined ||
            (tags !== undefined && tags !== null && Object.keys(tags).length > 0) ||
            sizes.some((size) => get(filter, size) !== undefined || get(and, size) !== undefined),
        expirationDays: asNumber(get(rule, "expiration.days")),
        noncurrentDays: asNumber(get(rule, "noncurrentVersionExpiration.noncurrentDays")),
    };
}

/** A legacy inline rule of aws.s3.Bucket (`lifecycleRules`: enabled, prefix, tags, expiration.days, noncurrentVersionExpiration.days). */
function inlineRule(rule: unknown): Rule | typeof UNKNOWN {
    if (containsUnknown(rule)) {
        return UNKNOWN;
    }
    const tags = get(rule, "tags");
    return {
        enabled: get(rule, "enabled") === true,
        prefix: asString(get(rule, "prefix")) ?? "",
        narrowed: tags !== undefined && tags !== null && Object.keys(tags).length > 0,
        expirationDays: asNumber(get(rule, "expiration.days")),
        noncurrentDays: asNumber(get(rule, "noncurrentVersionExpiration.days")),
    };
}

function rulesOf(resources: PolicyResource[], bucket: PolicyResource): (Rule | typeof UNKNOWN)[] {
    const unknownRules: (Rule | typeof UNKNOWN)[] = [UNKNOWN];
    const fromConfigurations = attachedTo(resources, bucket, LIFECYCLE_TYPES).flatMap((configuration) => {
        const rules = get(configuration.props, "rules");
        return rules === UNKNOWN ? unknownRules : asArray(rules).map(configurationRule);
    });
    const inline = get(bucket.props, "lifecycleRules");
    return [...fromConfigurations, ...(inline === UNKNOWN ? unknownRules : asArray(inline).map(inlineRule))];
}

/** True/false, or UNKNOWN while a versioning status is not known. Suspended versioning still keeps old versions. */
function isVersioned(resources: PolicyResource[], bucket: PolicyResource): boolean | typeof UNKNOWN {
    const statuses = attachedTo(resources, bucket, VERSIONING_TYPES).map((versioning) => get(versioning.props, "versioningConfiguration.status"));
    if (statuses.some((status) => status === "Enabled" || status === "Suspended") || get(bucket.props, "versioning.enabled") === true) {
        return true;
    }
    return statuses.includes(UNKNOWN) || get(bucket.props, "versioning.enabled") === UNKNOWN ? UNKNOWN : false;
}

const where = (keyPrefix: string) => (keyPrefix === "" ? "in the bucket" : `under "${keyPrefix}"`);

/**
 * Whether every object written under `keyPrefix` of `bucket` expires within `maxDays`: an enabled rule
 * with no tag or size filter whose prefix covers `keyPrefix` expires current objects within `maxDays`,
 * and, on a versioned bucket, noncurrent versions within `maxDays` too (else expiry only hides them).
 */
export function expiresWithin(resources: PolicyResource[], bucket: PolicyResource, keyPrefix: string, maxDays: number): ExpiryVerdict {
    const rules = rulesOf(resources, bucket);
    const someUnknown = rules.includes(UNKNOWN);
    const covering = rules.filter((rule): rule is Rule => rule !== UNKNOWN && rule.enabled && !rule.narrowed && keyPrefix.startsWith(rule.prefix));
    const shortest = (days: (number | undefined)[]) => Math.min(...days.filter((day): day is number => day !== undefined));
    const current = shortest(covering.map((rule) => rule.expirationDays));
    if (current > maxDays) {
        if (someUnknown) {
            return { kind: "unknown" };
        }
        const problem = Number.isFinite(current)
            ? `objects ${where(keyPrefix)} expire after ${current} days; at most ${maxDays} are allowed`
            : `no enabled lifecycle rule (without tag or size filters) expires the objects ${where(keyPrefix)}, so they are kept forever`;
        return { kind: "problem", problem };
    }
    const versioned = isVersioned(resources, bucket);
    if (versioned === false) {
        return { kind: "ok" };
    }
    const noncurrent = shortest(covering.map((rule) => rule.noncurrentDays));
    if (noncurrent <= maxDays) {
        return { kind: "ok" };
    }
    if (someUnknown || versioned === UNKNOWN) {
        return { kind: "unknown" };
    }
    const problem = Number.isFinite(noncurrent)
        ? `the bucket is versioned and old versions ${where(keyPrefix)} are kept ${noncurrent} days after they expire; at most ${maxDays} are allowed`
        : `the bucket is versioned and no lifecycle rule expires noncurrent versions ${where(keyPrefix)}, so expired objects are kept as old versions forever`;
    return { kind: "problem", problem };
}

/** The verdict for data written to a bucket reference: a bucket of this stack, or one named in `externalBuckets`. */
export function referencedExpiry(resources: PolicyResource[], lookup: BucketLookup, keyPrefix: string | typeof UNKNOWN, maxDays: number, externalBuckets: string[], policyName: string): ExpiryVerdict {
    switch (lookup.kind) {
        case "absent":
        case "unknown":
            return { kind: "unknown" };
        case "external":
            return externalBuckets.includes(lookup.name)
                ? { kind: "ok" }
                : {
                      kind: "problem",
                      problem: `bucket "${lookup.name}" is not managed by this program, so its lifecycle cannot be checked; manage it here with a lifecycle rule, or, if another stack expires its objects within ${maxDays} days, list it in the policy config: { "${policyName}": { "externalBuckets": ["${lookup.name}"] } }`,
                  };
        case "stack":
            return keyPrefix === UNKNOWN ? { kind: "unknown" } : expiresWithin(resources, lookup.bucket, keyPrefix, maxDays);
    }
}

/** The policy config every expiry policy takes. */
export const EXPIRY_CONFIG = {
    properties: {
        maxDays: { type: "integer" as const, minimum: 1, default: 7, description: "Longest time, in days, a lifecycle rule may keep an object (and, on versioned buckets, an old version)." },
        externalBuckets: {
            type: "array" as const,
            items: { type: "string" as const },
            default: [] as string[],
            description: "Names of buckets managed outside this program whose lifecycle is known to expire objects within maxDays.",
        },
    },
};

export interface ExpiryConfig {
    maxDays: number;
    externalBuckets: string[];
}
