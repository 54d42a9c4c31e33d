import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface RetentionTrailArgs {
    /** Days the trail's log files (and old versions of them) are kept: at most 7. */
    retentionDays: number;
}

/**
 * The CloudTrail trail the CreateLogGroup rule needs, for accounts that have none: multi-region, management
 * write events, log files encrypted with its own KMS key (rotated) and validated (digest files), into a
 * bucket that is encrypted, versioned, private, TLS-only and expires everything (current and old versions)
 * after `retentionDays`.
 */
export class RetentionTrail extends pulumi.ComponentResource {
    readonly trailArn: pulumi.Output<string>;
    readonly bucketName: pulumi.Output<string>;
    readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: RetentionTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("log-platform:retention:RetentionTrail", name, {}, opts);
        if (args.retentionDays < 1 || args.retentionDays > 7) {
            throw new Error(`RetentionTrail ${name}: retentionDays must be 1-7 (the data-protection rule), got ${args.retentionDays}`);
        }
        const parent = { parent: this };
        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        // Named, so the key and bucket policies can name the trail before it exists (CloudTrail checks them at creation).
        const trailName = `${name}-${pulumi.getStack()}`;
        const trailArn = pulumi.interpolate`arn:${partition}:cloudtrail:${region}:${account}:trail/${trailName}`;

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Encrypts the log files of the ${trailName} trail`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.all([account, partition, trailArn]).apply(([accountId, partitionName, arn]) => JSON.stringify(trailKeyPolicy(accountId, partitionName, arn))),
            },
            parent,
        );

        const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: false }, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-bucket-sse`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
            parent,
        );
        const versioning = new aws.s3.BucketVersioning(`${name}-bucket-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, parent);
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-bucket-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "trail-expire",
                        status: "Enabled",
                        filter: { prefix: "" },
                        expiration: { days: args.retentionDays },
                        noncurrentVersionExpiration: { noncurrentDays: 1 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            },
            { parent: this, dependsOn: [versioning] },
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-bucket-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            parent,
        );
        const bucketPolicy = new aws.s3.BucketPolicy(
            `${name}-bucket-policy`,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        {
                            Sid: "CloudTrailAclCheck",
                            Effect: "Allow",
                            Principal: { Service: "cloudtrail.amazonaws.com" },
                            Action: "s3:GetBucketAcl",
                            Resource: bucket.arn,
                            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                        },
                        {
                            Sid: "CloudTrailWrite",
                            Effect: "Allow",
                            Principal: { Service: "cloudtrail.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${bucket.arn}/AWSLogs/${account}/*`,
                            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
                        },
                    ],
                }),
            },
            { parent: this, dependsOn: [publicAccess] },
        );

        const trail = new aws.cloudtrail.Trail(
            `${name}`,
            {
                name: trailName,
                s3BucketName: bucket.bucket,
                kmsKeyId: key.arn,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                // The CreateLogGroup rule needs management write events only (the first copy of management events is free).
                eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }],
            },
            { parent: this, dependsOn: [bucketPolicy, key] },
        );

        this.trailArn = trail.arn;
        this.bucketName = bucket.bucket;
        this.keyArn = key.arn;
        this.registerOutputs({ trailArn: this.trailArn, bucketName: this.bucketName, keyArn: this.keyArn });
    }
}

/** The account administers the key (IAM decides, the AWS default); CloudTrail may encrypt with it for this trail only. */
function trailKeyPolicy(accountId: string, partition: string, trailArn: string): Record<string, unknown> {
    const fromThisTrail = { StringEquals: { "aws:SourceArn": trailArn } };
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministration",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudTrailEncryptsThisTrail",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:GenerateDataKey",
                Resource: "*",
                Condition: { ...fromThisTrail, StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partition}:cloudtrail:*:${accountId}:trail/*` } },
            },
            {
                Sid: "CloudTrailDescribesKey",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:DescribeKey",
                Resource: "*",
                Condition: fromThisTrail,
            },
        ],
    };
}
