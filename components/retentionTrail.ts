import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { RetentionValues } from "./dataProtection/plan";
import { keyPolicy } from "./shared/keyPolicy";
import { BucketPolicyStatement, secureBucket } from "./shared/secureBucket";

export interface RetentionTrailArgs {
    /** The lifecycle of the trail's bucket, from the stack's data-protection plan (files, old versions, uploads). */
    bucket: RetentionValues["bucket"];
    /** The stack's name: the trail's name is fixed per account and region, so it carries it. */
    stack: string;
}

/**
 * The CloudTrail trail the CreateLogGroup rule needs, for accounts that have none: multi-region, management
 * write events, log files encrypted with its own KMS key (rotated) and validated (digest files), into a
 * bucket that is encrypted, versioned, private, TLS-only and expires everything (current and old versions)
 * within the data-protection limit (the plan's bucket lifecycle).
 */
export class RetentionTrail extends pulumi.ComponentResource {
    readonly trailArn: pulumi.Output<string>;
    readonly bucketName: pulumi.Output<string>;
    readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: RetentionTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("log-platform:retention:RetentionTrail", name, {}, opts);
        if (args.bucket.expirationDays < 1 || args.bucket.expirationDays > 7) {
            throw new Error(`RetentionTrail ${name}: the bucket's expiration must be 1-7 days (the data-protection rule), got ${args.bucket.expirationDays}`);
        }
        const parent = { parent: this };
        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        // Named, so the key and bucket policies can name the trail before it exists (CloudTrail checks them at creation).
        const trailName = `${name}-${args.stack}`;
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

        const { bucket, policy: bucketPolicy } = secureBucket(
            `${name}-bucket`,
            {
                kmsKeyArn: key.arn,
                lifecycleRules: [
                    {
                        id: "trail-expire",
                        status: "Enabled",
                        filter: { prefix: "" },
                        expiration: { days: args.bucket.expirationDays },
                        noncurrentVersionExpiration: { noncurrentDays: args.bucket.noncurrentDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: args.bucket.abortMultipartDays },
                    },
                ],
                grants: (bucketArn): BucketPolicyStatement[] => [
                    {
                        Sid: "CloudTrailAclCheck",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:GetBucketAcl",
                        Resource: bucketArn,
                        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                    },
                    {
                        Sid: "CloudTrailWrite",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${bucketArn}/AWSLogs/${account}/*`,
                        Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
                    },
                ],
            },
            this,
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
    return keyPolicy(accountId, partition, [
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
    ]);
}
