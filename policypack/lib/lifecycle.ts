/**
 * Whether the objects written under a key prefix of a bucket are gone within a number of days: the check
 * behind every "kept at most N days" rule for data that lands in S3 (trails, access logs, query results).
 * Judged on what S3 ends up applying: the lifecycle configuration (a separate one replaces the bucket's
 * inline rules), versioning (old versions need their own expiry), Object Lock (a default retention keeps
 * every version that long, whatever the lifecycle says) and replication (copies in another bucket must
 * expire too).
 */
import { PolicyResource } from "@pulumi/policy";

import { attachedTo, BucketLookup, bucketReferencedBy, LIFECYCLE_TYPES, OBJECT_LOCK_TYPES, REPLICATION_TYPES, settingSource, VERSIONING_TYPES } from "./buckets";
import { asArray, asNumber, asString, containsUnknown, get, UNKNOWN } from "./values";

export type ExpiryVerdict = { kind: "ok" } | { kind: "unknown" } | { kind: "problem"; problem: string };

interface Rule {
    enabled: boolean;
    prefix: string;
    /** Tag or object-size filters: the rule covers only some of the objects under its prefix. */
    narrowed: boolean;
    expirationDays?: number;
    noncurrentDays?: number;
    /** newerNoncurrentVersions: that many noncurrent versions are kept whatever their age. */
    keepsNewerVersions?: number;
}

/** A rule of aws.s3.BucketLifecycleConfiguration (status, filter, expiration.days, noncurrentVersionExpiration.noncurrentDays). */
function configurationRule(rule: unknown): Rule | typeof UNKNOWN {
    const filter = get(rule, "filter");
    const and = get(filter, "and");
    const relevant = [get(rule, "status"), filter, get(rule, "prefix"), get(rule, "expiration.days"), get(rule, "noncurrentVersionExpiration")];
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
        keepsNewerVersions: asNumber(get(rule, "noncurrentVersionExpiration.newerNoncurrentVersions")),
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

/**
 * The lifecycle rule sets S3 may end up applying: each separate configuration's (a configuration PUTs the
 * whole lifecycle, replacing the inline rules; with several, any may be applied last), else the inline rules.
 */
function ruleSets(resources: PolicyResource[], bucket: PolicyResource): (Rule | typeof UNKNOWN)[][] {
    const source = settingSource(resources, bucket, LIFECYCLE_TYPES);
    if (source.kind === "separate") {
        return source.configurations.map((configuration) => {
            const rules = get(configuration.props, "rules");
            return rules === UNKNOWN ? [UNKNOWN] : asArray(rules).map(configurationRule);
        });
    }
    const inline = get(bucket.props, "lifecycleRules");
    return [inline === UNKNOWN ? [UNKNOWN] : asArray(inline).map(inlineRule)];
}

/** True/false, or UNKNOWN while a versioning status is not known. Suspended versioning still keeps old versions. */
function isVersioned(resources: PolicyResource[], bucket: PolicyResource): boolean | typeof UNKNOWN {
    const statuses = attachedTo(resources, bucket, VERSIONING_TYPES).map((versioning) => get(versioning.props, "versioningConfiguration.status"));
    if (statuses.some((status) => status === "Enabled" || status === "Suspended") || get(bucket.props, "versioning.enabled") === true || get(bucket.props, "objectLockEnabled") === true) {
        return true;
    }
    return statuses.includes(UNKNOWN) || get(bucket.props, "versioning.enabled") === UNKNOWN ? UNKNOWN : false;
}

const where = (keyPrefix: string) => (keyPrefix === "" ? "in the bucket" : `under "${keyPrefix}"`);

/** Days of an Object Lock default retention (`days`, or `years` of 365 days). */
function retentionDays(retention: unknown): number | typeof UNKNOWN | undefined {
    if (containsUnknown(retention)) {
        return UNKNOWN;
    }
    const days = asNumber(get(retention, "days"));
    const years = asNumber(get(retention, "years"));
    return days ?? (years !== undefined ? years * 365 : undefined);
}

/**
 * The Object Lock default retentions S3 may apply to new object versions (a separate configuration
 * replaces the inline one): a locked version cannot be deleted by a lifecycle rule, or anyone without
 * governance bypass, until its retention ends.
 */
function objectLockRetentions(resources: PolicyResource[], bucket: PolicyResource): { days: number | typeof UNKNOWN; mode: string; from: string }[] {
    const source = settingSource(resources, bucket, OBJECT_LOCK_TYPES);
    const entries =
        source.kind === "separate"
            ? source.configurations.map((configuration) => ({ retention: get(configuration.props, "rule.defaultRetention"), from: `object lock configuration "${configuration.name}"` }))
            : [{ retention: get(bucket.props, "objectLockConfiguration.rule.defaultRetention"), from: "its inline objectLockConfiguration" }];
    return entries.flatMap(({ retention, from }) => {
        const days = retentionDays(retention);
        return days === undefined ? [] : [{ days, mode: asString(get(retention, "mode")) ?? "default", from }];
    });
}

interface Replication {
    id: string;
    lookup: BucketLookup;
}

/** The buckets objects under `keyPrefix` are replicated to (a separate configuration replaces the inline one); UNKNOWN while a rule is not known. */
function replicationsOf(resources: PolicyResource[], bucket: PolicyResource, keyPrefix: string): (Replication | typeof UNKNOWN)[] {
    const source = settingSource(resources, bucket, REPLICATION_TYPES);
    const holders = source.kind === "separate" ? source.configurations.map((configuration) => ({ holder: configuration, property: "rules", rules: get(configuration.props, "rules") })) : [{ holder: bucket, property: "replicationConfiguration", rules: get(bucket.props, "replicationConfiguration.rules") }];
    return holders.flatMap(({ holder, property, rules }): (Replication | typeof UNKNOWN)[] => {
        if (rules === UNKNOWN) {
            return [UNKNOWN];
        }
        return asArray(rules).flatMap((rule, index): (Replication | typeof UNKNOWN)[] => {
            const status = get(rule, "status");
            const prefix = get(rule, "filter.prefix") ?? get(rule, "filter.and.prefix") ?? get(rule, "prefix") ?? "";
            if (status === UNKNOWN || prefix === UNKNOWN) {
                return [UNKNOWN];
            }
            const rulePrefix = asString(prefix) ?? "";
            if (asString(status) !== "Enabled" || !(keyPrefix.startsWith(rulePrefix) || rulePrefix.startsWith(keyPrefix))) {
                return [];
            }
            const destination = get(rule, "destination.bucket");
            return [{ id: asString(get(rule, "id")) ?? `${index + 1}`, lookup: bucketReferencedBy(resources, holder, property, destination) }];
        });
    });
}

export interface ExpiryOptions {
    /** Buckets outside the program that are known to expire objects in time (for replication destinations). */
    externalBuckets?: string[];
    /** The policy whose config lists them, for the message. */
    policyName?: string;
    /** Buckets already being judged (replication can loop). */
    visited?: Set<string>;
}

/**
 * Whether every object written under `keyPrefix` of `bucket` is gone within `maxDays`: in each lifecycle
 * rule set S3 may apply, an enabled rule with no tag or size filter whose prefix covers `keyPrefix`
 * expires current objects within `maxDays`, and, on a versioned bucket, noncurrent versions within
 * `maxDays` too (else expiry only hides them; a rule keeping the newest noncurrent versions bounds
 * nothing); no Object Lock default retention keeps versions longer; and every bucket the objects are
 * replicated to expires them too.
 */
export function expiresWithin(resources: PolicyResource[], bucket: PolicyResource, keyPrefix: string, maxDays: number, options: ExpiryOptions = {}): ExpiryVerdict {
    const verdicts = [...ruleSets(resources, bucket).map((rules) => lifecycleVerdict(resources, bucket, rules, keyPrefix, maxDays)), objectLockVerdict(resources, bucket, maxDays)];
    const visited = new Set([...(options.visited ?? []), bucket.urn]);
    for (const replication of replicationsOf(resources, bucket, keyPrefix)) {
        if (replication === UNKNOWN) {
            verdicts.push({ kind: "unknown" });
            continue;
        }
        if (replication.lookup.kind === "stack" && visited.has(replication.lookup.bucket.urn)) {
            continue;
        }
        const copy = replication.lookup.kind === "stack" ? expiresWithin(resources, replication.lookup.bucket, keyPrefix, maxDays, { ...options, visited }) : referencedExpiry(resources, replication.lookup, keyPrefix, maxDays, options.externalBuckets ?? [], options.policyName ?? "the policy");
        const target = replication.lookup.kind === "stack" ? `bucket "${replication.lookup.bucket.name}"` : replication.lookup.kind === "external" ? `bucket "${replication.lookup.name}"` : "another bucket";
        verdicts.push(copy.kind === "problem" ? { kind: "problem", problem: `objects ${where(keyPrefix)} are replicated (rule ${replication.id}) to ${target}, which keeps them too long: ${copy.problem}` } : copy);
    }
    return verdicts.find((verdict) => verdict.kind === "problem") ?? verdicts.find((verdict) => verdict.kind === "unknown") ?? { kind: "ok" };
}

function objectLockVerdict(resources: PolicyResource[], bucket: PolicyResource, maxDays: number): ExpiryVerdict {
    const retentions = objectLockRetentions(resources, bucket);
    const longest = retentions.filter((retention): retention is { days: number; mode: string; from: string } => retention.days !== UNKNOWN && retention.days > maxDays).sort((a, b) => b.days - a.days)[0];
    if (longest) {
        return {
            kind: "problem",
            problem: `Object Lock keeps every object version ${longest.days} days (${longest.mode} default retention, ${longest.from}), which no lifecycle rule can shorten; at most ${maxDays} are allowed`,
        };
    }
    return retentions.some((retention) => retention.days === UNKNOWN) ? { kind: "unknown" } : { kind: "ok" };
}

function lifecycleVerdict(resources: PolicyResource[], bucket: PolicyResource, rules: (Rule | typeof UNKNOWN)[], keyPrefix: string, maxDays: number): ExpiryVerdict {
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
    const bounding = covering.filter((rule) => !(rule.keepsNewerVersions !== undefined && rule.keepsNewerVersions > 0));
    const noncurrent = shortest(bounding.map((rule) => rule.noncurrentDays));
    if (noncurrent <= maxDays) {
        return { kind: "ok" };
    }
    if (someUnknown || versioned === UNKNOWN) {
        return { kind: "unknown" };
    }
    const keeping = covering.find((rule) => rule.keepsNewerVersions !== undefined && rule.keepsNewerVersions > 0);
    const problem = Number.isFinite(noncurrent)
        ? `the bucket is versioned and old versions ${where(keyPrefix)} are kept ${noncurrent} days after they expire; at most ${maxDays} are allowed`
        : keeping
          ? `the bucket is versioned and its noncurrent-version rule keeps the newest ${keeping.keepsNewerVersions} old versions ${where(keyPrefix)} whatever their age (newerNoncurrentVersions), so they are kept forever`
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
            return keyPrefix === UNKNOWN ? { kind: "unknown" } : expiresWithin(resources, lookup.bucket, keyPrefix, maxDays, { externalBuckets, policyName });
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
