/**
 * S3 buckets of a stack: their types, the configuration resources attached to them, and which bucket a
 * reference (a name, an `arn:aws:s3:::` ARN or an `s3://` URL) points at, by dependency or by name.
 */
import { PolicyResource } from "@pulumi/policy";

import { ofTypes, targets } from "./stack";
import { asString, get } from "./values";

/** General purpose buckets: the ones public access blocks, bucket policies, versioning and logging apply to. */
export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const DIRECTORY_BUCKET_TYPE = "aws:s3/directoryBucket:DirectoryBucket";
export const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
export const LIFECYCLE_TYPES = [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];
export const ENCRYPTION_TYPES = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
export const OBJECT_LOCK_TYPES = [
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
];
export const REPLICATION_TYPES = ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"];
export const PUBLIC_ACCESS_BLOCK_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const BUCKET_POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy";
const BUCKET_NAME_PROPS = ["bucket", "id"];

/**
 * How a kind of S3 bucket is encrypted at rest:
 * - `configuration`: by aws.s3.BucketServerSideEncryptionConfiguration resources that target it (or, for
 *   general purpose buckets, the deprecated inline setting, which such a resource overrides); S3 applies
 *   SSE-S3 when there is neither;
 * - `inline`: by a property of the bucket resource itself (`path`, the algorithm under `algorithm`), SSE-S3
 *   when unset;
 * - `fixed`: by the service, with no choice.
 */
export type BucketEncryption =
    | { kind: "configuration" }
    | { kind: "inline"; path: string; algorithm: string }
    | { kind: "fixed"; algorithm: string; why: string };

export interface BucketKind {
    encryption: BucketEncryption;
    /** What it is, for messages. */
    what: string;
}

/**
 * Every S3 bucket type of the provider (test/policy/bucketTypes.spec.ts derives the list from the
 * provider's types and fails on one missing here).
 */
export const BUCKET_KINDS: Record<string, BucketKind> = {
    "aws:s3/bucket:Bucket": { what: "bucket", encryption: { kind: "configuration" } },
    "aws:s3/bucketV2:BucketV2": { what: "bucket", encryption: { kind: "configuration" } },
    [DIRECTORY_BUCKET_TYPE]: { what: "directory bucket (S3 Express One Zone)", encryption: { kind: "configuration" } },
    "aws:s3tables/tableBucket:TableBucket": { what: "table bucket", encryption: { kind: "inline", path: "encryptionConfiguration", algorithm: "sseAlgorithm" } },
    "aws:s3/vectorsVectorBucket:VectorsVectorBucket": { what: "vector bucket", encryption: { kind: "inline", path: "encryptionConfigurations", algorithm: "sseType" } },
    "aws:s3control/bucket:Bucket": { what: "S3 on Outposts bucket", encryption: { kind: "fixed", algorithm: "AES256", why: "S3 on Outposts encrypts with SSE-S3 only (SSE-KMS is not available)" } },
};

/** The configuration resources of a bucket: those whose `bucket` property targets it. */
export function attachedTo(resources: PolicyResource[], bucket: PolicyResource, types: string[]): PolicyResource[] {
    return ofTypes(resources, ...types).filter((attached) => targets(attached, "bucket", bucket, BUCKET_NAME_PROPS));
}

/** A bucket name and key prefix, from a bucket name, `arn:aws:s3:::bucket/prefix` or `s3://bucket/prefix`. */
export function parseBucketReference(reference: string): { bucket: string; prefix: string } {
    const path = reference.replace(/^arn:[^:]+:s3:::/, "").replace(/^s3:\/\//, "");
    const slash = path.indexOf("/");
    return slash < 0 ? { bucket: path, prefix: "" } : { bucket: path.slice(0, slash), prefix: path.slice(slash + 1) };
}

export type BucketLookup =
    | { kind: "stack"; bucket: PolicyResource }
    /** Named, and not a bucket of this program. */
    | { kind: "external"; name: string }
    /** Not known until the update (and no dependency says which bucket). */
    | { kind: "unknown" }
    | { kind: "absent" };

/**
 * The bucket that `holder`'s `property` (e.g. a trail's `s3BucketName`) points at: a bucket of this stack
 * the property depends on, or one whose name the (known) reference names; else external or unknown.
 */
export function bucketReferencedBy(resources: PolicyResource[], holder: PolicyResource, property: string, reference: unknown): BucketLookup {
    const topLevel = property.split(".")[0] ?? property;
    const dependencies = (holder.propertyDependencies[topLevel] ?? []).filter((dependency) => BUCKET_TYPES.includes(dependency.type) || dependency.type === DIRECTORY_BUCKET_TYPE);
    const name = asString(reference);
    if (name !== undefined) {
        const bucketName = parseBucketReference(name).bucket;
        const named = ofTypes(resources, ...BUCKET_TYPES, DIRECTORY_BUCKET_TYPE).find((bucket) => BUCKET_NAME_PROPS.some((prop) => asString(get(bucket.props, prop)) === bucketName));
        if (named) {
            return { kind: "stack", bucket: named };
        }
        if (dependencies.length === 1 && dependencies[0]) {
            return { kind: "stack", bucket: dependencies[0] };
        }
        return { kind: "external", name: bucketName };
    }
    if (dependencies.length === 1 && dependencies[0]) {
        return { kind: "stack", bucket: dependencies[0] };
    }
    if (reference === undefined || reference === null || reference === "") {
        return { kind: "absent" };
    }
    return { kind: "unknown" };
}

/**
 * Where a bucket setting that can be declared twice comes from, as S3 ends up applying it: the separate
 * configuration resources that target the bucket (each PUTs the whole setting, replacing the inline one
 * the bucket resource declares; with several, any may be applied last, so each is judged on its own),
 * else the bucket's own inline property.
 */
export type SettingSource = { kind: "separate"; configurations: PolicyResource[] } | { kind: "inline" };

export function settingSource(resources: PolicyResource[], bucket: PolicyResource, types: string[]): SettingSource {
    const configurations = attachedTo(resources, bucket, types);
    return configurations.length > 0 ? { kind: "separate", configurations } : { kind: "inline" };
}
