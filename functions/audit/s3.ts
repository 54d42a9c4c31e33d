import {
    GetBucketLifecycleConfigurationCommand,
    GetBucketLocationCommand,
    GetBucketTaggingCommand,
    GetBucketVersioningCommand,
    GetObjectLockConfigurationCommand,
    LifecycleRule,
    ListBucketsCommand,
    S3Client,
} from "@aws-sdk/client-s3";

import { S3Retention, s3WorstHours } from "../../components/dataProtection/ages";
import { AuditClients } from "./clients";
import { AuditRow, AuditSettings, errorCode, errorText, mapLimit } from "./model";
import { judge } from "./verdict";

/** A lifecycle rule reduced to what bounds an object's age. */
export interface RetentionRule {
    id: string;
    /** The key prefix it selects; undefined when it also filters by tag or size (it then cannot be relied on for every key). */
    prefix?: string;
    expirationDays?: number;
    noncurrentDays?: number;
    /** NewerNoncurrentVersions: that many old versions are kept whatever their age. */
    keepsNewerNoncurrent?: number;
    abortDays?: number;
}

/** What the audit knows of one bucket. */
export interface BucketFacts {
    name: string;
    region: string;
    /** Versioning Enabled or Suspended (a suspended bucket keeps the versions it made). */
    versioned: boolean;
    rules: RetentionRule[];
    /** Object Lock default retention in days. */
    objectLockDays?: number;
    /** Object Lock enabled without a default retention: writers lock versions as they like. */
    objectLockWithoutDefault: boolean;
    tags: Record<string, string>;
}

const DAY_MS = 86_400_000;

/** A rule of GetBucketLifecycleConfiguration, reduced (disabled rules are left out by the caller). */
export function reduceRule(rule: LifecycleRule, now = Date.now()): RetentionRule {
    const filter = rule.Filter;
    const conditional =
        filter !== undefined &&
        (filter.Tag !== undefined ||
            filter.ObjectSizeGreaterThan !== undefined ||
            filter.ObjectSizeLessThan !== undefined ||
            (filter.And !== undefined && ((filter.And.Tags?.length ?? 0) > 0 || filter.And.ObjectSizeGreaterThan !== undefined || filter.And.ObjectSizeLessThan !== undefined)));
    const prefix = conditional ? undefined : (filter?.Prefix ?? filter?.And?.Prefix ?? rule.Prefix ?? "");
    // An expiration date: objects expire on it (or at once, once it has passed).
    const expirationDays =
        rule.Expiration?.Days ?? (rule.Expiration?.Date !== undefined ? Math.max(0, Math.ceil((rule.Expiration.Date.getTime() - now) / DAY_MS)) : undefined);
    const noncurrent = rule.NoncurrentVersionExpiration;
    return {
        id: rule.ID ?? "(no id)",
        ...(prefix === undefined ? {} : { prefix }),
        ...(expirationDays === undefined ? {} : { expirationDays }),
        ...(noncurrent?.NoncurrentDays === undefined ? {} : { noncurrentDays: noncurrent.NoncurrentDays }),
        ...(noncurrent?.NewerNoncurrentVersions ? { keepsNewerNoncurrent: noncurrent.NewerNoncurrentVersions } : {}),
        ...(rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation === undefined ? {} : { abortDays: rule.AbortIncompleteMultipartUpload.DaysAfterInitiation }),
    };
}

/**
 * What applies to every key under `prefix`: the rules whose prefix starts it (a rule for a longer prefix, or one that
 * also filters by tag or size, covers only some of those keys). Where rules overlap, S3 honours the shortest expiry
 * (user guide, "How Amazon S3 handles conflicts in lifecycle configurations"). A noncurrent rule that keeps the newest
 * N old versions bounds nothing for those N. `prefix` "" is every key of the bucket: the bucket's worst case.
 */
export function retentionAt(facts: BucketFacts, prefix: string): { retention: S3Retention; keeps: string } {
    const rules = facts.rules.filter((rule) => rule.prefix !== undefined && prefix.startsWith(rule.prefix));
    const shortest = (values: (number | undefined)[]) => {
        const defined = values.filter((value): value is number => value !== undefined);
        return defined.length > 0 ? Math.min(...defined) : undefined;
    };
    const expirationDays = shortest(rules.map((rule) => rule.expirationDays));
    const noncurrentDays = shortest(rules.filter((rule) => rule.keepsNewerNoncurrent === undefined).map((rule) => rule.noncurrentDays));
    const abortDays = shortest(rules.map((rule) => rule.abortDays));
    const retention: S3Retention = {
        versioned: facts.versioned,
        ...(expirationDays === undefined ? {} : { expirationDays }),
        ...(noncurrentDays === undefined ? {} : { noncurrentDays }),
        ...(abortDays === undefined ? {} : { abortIncompleteMultipartDays: abortDays }),
        ...(facts.objectLockDays === undefined ? {} : { objectLockDays: facts.objectLockDays }),
    };
    let text = expirationDays === undefined ? "no expiry" : `expire ${expirationDays}d`;
    if (facts.versioned) {
        const keptNewer = rules.find((rule) => rule.keepsNewerNoncurrent !== undefined);
        text +=
            noncurrentDays !== undefined
                ? ` + noncurrent ${noncurrentDays}d (versioned)`
                : ` + old versions kept (versioned, ${keptNewer ? `newest ${keptNewer.keepsNewerNoncurrent} kept by ${keptNewer.id}` : "no noncurrent expiry"})`;
    }
    text += abortDays === undefined ? "; incomplete uploads kept" : `; uploads ${abortDays}d`;
    if (facts.objectLockDays !== undefined) text += `; Object Lock ${facts.objectLockDays}d`;
    const where = prefix === "" ? "" : `${prefix}: `;
    const covered = rules.length === 0 && facts.rules.length > 0 ? ` (rules only for ${facts.rules.map((rule) => rule.prefix ?? `${rule.id} (tag/size filter)`).join(", ")})` : "";
    return { retention, keeps: `${where}${text}${covered}` };
}

async function optional<T>(read: () => Promise<T>, absent: string[], fallback: T): Promise<T> {
    try {
        return await read();
    } catch (error) {
        if (absent.includes(errorCode(error) ?? "")) return fallback;
        throw error;
    }
}

/** Reads one bucket's versioning, lifecycle, Object Lock and tags, with a client in its region. */
export async function readBucket(s3: S3Client, name: string, region: string): Promise<BucketFacts> {
    const [versioning, lifecycle, lock, tagging] = await Promise.all([
        s3.send(new GetBucketVersioningCommand({ Bucket: name })),
        optional(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: name })).then((answer) => answer.Rules ?? []), ["NoSuchLifecycleConfiguration"], [] as LifecycleRule[]),
        optional(() => s3.send(new GetObjectLockConfigurationCommand({ Bucket: name })).then((answer) => answer.ObjectLockConfiguration), ["ObjectLockConfigurationNotFoundError"], undefined),
        optional(() => s3.send(new GetBucketTaggingCommand({ Bucket: name })).then((answer) => answer.TagSet ?? []), ["NoSuchTagSet"], []),
    ]);
    const retention = lock?.ObjectLockEnabled === "Enabled" ? lock.Rule?.DefaultRetention : undefined;
    // A year of Object Lock is counted as 366 days (the longest a year can be).
    const lockDays = retention ? (retention.Days ?? (retention.Years !== undefined ? retention.Years * 366 : undefined)) : undefined;
    return {
        name,
        region,
        versioned: versioning.Status === "Enabled" || versioning.Status === "Suspended",
        rules: lifecycle.filter((rule) => rule.Status === "Enabled").map((rule) => reduceRule(rule)),
        ...(lockDays === undefined ? {} : { objectLockDays: lockDays }),
        objectLockWithoutDefault: lock?.ObjectLockEnabled === "Enabled" && lockDays === undefined,
        tags: Object.fromEntries(tagging.filter((tag) => tag.Key !== undefined).map((tag) => [tag.Key as string, tag.Value ?? ""])),
    };
}

/** GetBucketLocation's answer as a region: none is us-east-1, "EU" is eu-west-1. */
export function locationRegion(constraint: string | undefined): string {
    if (!constraint) return "us-east-1";
    if (constraint === "EU") return "eu-west-1";
    return constraint;
}

/**
 * The account's buckets (ListBuckets is global) with their regions, and each bucket's facts read once (the Athena
 * part reads the buckets of its result locations through the same cache).
 */
export class BucketDirectory {
    private listing?: Promise<Map<string, string>>;
    private readonly facts = new Map<string, Promise<BucketFacts>>();

    constructor(
        private readonly clients: AuditClients,
        private readonly homeRegion: string,
    ) {}

    /** Bucket name -> region. */
    list(): Promise<Map<string, string>> {
        this.listing ??= (async () => {
            const s3 = this.clients.region(this.homeRegion).s3;
            const buckets = new Map<string, string>();
            let token: string | undefined;
            do {
                const page = await s3.send(new ListBucketsCommand({ ContinuationToken: token, MaxBuckets: 1000 }));
                for (const bucket of page.Buckets ?? []) if (bucket.Name) buckets.set(bucket.Name, bucket.BucketRegion ?? "");
                token = page.ContinuationToken;
            } while (token);
            await mapLimit([...buckets].filter(([, region]) => region === ""), 8, async ([name]) => {
                const answer = await s3.send(new GetBucketLocationCommand({ Bucket: name }));
                buckets.set(name, locationRegion(answer.LocationConstraint));
            });
            return buckets;
        })();
        return this.listing;
    }

    read(name: string, region: string): Promise<BucketFacts> {
        let facts = this.facts.get(name);
        if (!facts) {
            facts = readBucket(this.clients.region(region).s3, name, region);
            this.facts.set(name, facts);
        }
        return facts;
    }
}

/** A bucket's row: every key's worst case (the bucket-wide rules), judged with its exemption tag. */
export function bucketRow(facts: BucketFacts, settings: AuditSettings): AuditRow {
    const { retention, keeps } = retentionAt(facts, "");
    const worst = s3WorstHours(retention, settings.lags);
    const lockNote = facts.objectLockWithoutDefault ? "; Object Lock on without a default (writers may lock versions longer)" : "";
    const tagged = facts.tags[settings.exemptionTag];
    const judgement = judge(worst, settings, tagged);
    return { kind: "s3", name: facts.name, region: facts.region, keeps: `${keeps}${lockNote}`, worstHours: worst, ...judgement };
}

/** Every bucket in the audited regions; buckets elsewhere are counted, not read. */
export async function auditBuckets(directory: BucketDirectory, regions: readonly string[], settings: AuditSettings): Promise<{ rows: AuditRow[]; elsewhere: number }> {
    const buckets = await directory.list();
    const audited = [...buckets].filter(([, region]) => regions.includes(region));
    const rows = await mapLimit(audited, 8, async ([name, region]): Promise<AuditRow> => {
        try {
            return bucketRow(await directory.read(name, region), settings);
        } catch (error) {
            return { kind: "s3", name, region, keeps: "could not be read", verdict: "unknown", note: errorText(error) };
        }
    });
    return { rows, elsewhere: buckets.size - audited.length };
}
