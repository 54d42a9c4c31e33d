import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One bucket policy statement (resource-based: it names its principal). */
export interface BucketPolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal: "*" | { Service: string } | { AWS: pulumi.Input<string> };
    Action: string | string[];
    Resource: pulumi.Input<string> | pulumi.Input<string>[];
    Condition?: Record<string, Record<string, pulumi.Input<string>>>;
}

export interface SecureBucketArgs {
    /** The KMS key every object is encrypted with by default (with a bucket key). */
    kmsKeyArn: pulumi.Input<string>;
    /** The lifecycle rules: what the bucket keeps, and how long (current and old versions). */
    lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
    /** Statements the bucket policy grants besides denying plain HTTP, given the bucket's ARN. */
    grants?: (bucketArn: pulumi.Output<string>) => BucketPolicyStatement[];
    /** Tags of the bucket besides the provider's default tags. */
    tags?: Record<string, string>;
}

export interface SecureBucket {
    bucket: aws.s3.Bucket;
    /** The bucket policy: created after the public access block; a writer that needs its grants depends on it. */
    policy: aws.s3.BucketPolicy;
}

/**
 * A bucket as every bucket here is: KMS-encrypted by default, versioned, lifecycle-managed, private (all four
 * public access blocks) and TLS-only (a policy denies `aws:SecureTransport` false), plus the caller's grants.
 * The resources are named `<name>`, `<name>-sse`, `-versioning`, `-lifecycle`, `-public-access` and `-policy`,
 * children of `parent` (so their URNs are the ones the caller's component had before this module existed).
 */
export function secureBucket(name: string, args: SecureBucketArgs, parent: pulumi.Resource): SecureBucket {
    const opts = { parent };
    const bucket = new aws.s3.Bucket(name, { forceDestroy: false, ...(args.tags ? { tags: args.tags } : {}) }, opts);
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-sse`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }] },
        opts,
    );
    const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts);
    new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.id, rules: args.lifecycleRules }, { parent, dependsOn: [versioning] });
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access`,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        opts,
    );
    const denyInsecureTransport: BucketPolicyStatement = {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    const policy = new aws.s3.BucketPolicy(
        `${name}-policy`,
        { bucket: bucket.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [denyInsecureTransport, ...(args.grants?.(bucket.arn) ?? [])] }) },
        { parent, dependsOn: [publicAccess] },
    );
    return { bucket, policy };
}
