/**
 * S3 buckets of a stack: their types, the configuration resources attached to them, and which bucket a
 * reference (a name, an `arn:aws:s3:::` ARN or an `s3://` URL) points at, by dependency or by name.
 */
import { PolicyResource } from "@pulumi/policy";

import { ofTypes, targets } from "./stack";
import { asString, get } from "./values";

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
export const LIFECYCLE_TYPES = [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];
const BUCKET_NAME_PROPS = ["bucket", "id"];

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
    const dependencies = (holder.propertyDependencies[topLevel] ?? []).filter((dependency) => BUCKET_TYPES.includes(dependency.type));
    const name = asString(reference);
    if (name !== undefined) {
        const bucketName = parseBucketReference(name).bucket;
        const named = ofTypes(resources, ...BUCKET_TYPES).find((bucket) => BUCKET_NAME_PROPS.some((prop) => asString(get(bucket.props, prop)) === bucketName));
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
