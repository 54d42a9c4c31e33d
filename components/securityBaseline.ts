import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { keyPolicy } from "./shared/keyPolicy";

export interface SecurityBaselineArgs {
    /** E-mail addresses subscribed to the alarm topic. */
    alarmEmails: string[];
    /** The stack's name: the key's alias is fixed per account and region, so it carries it. */
    stack: string;
}

/**
 * What every system here shares: one customer-managed KMS key (yearly rotation) that encrypts logs,
 * queues, streams, buckets and Lambda environments, and an encrypted SNS topic for alarms.
 */
export class SecurityBaseline extends pulumi.ComponentResource {
    readonly key: aws.kms.Key;
    readonly keyArn: pulumi.Output<string>;
    readonly alarmTopicArn: pulumi.Output<string>;

    constructor(name: string, args: SecurityBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("log-platform:security:SecurityBaseline", name, {}, opts);

        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const region = aws.getRegionOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });

        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                description: "Encrypts the log platform's logs, queues, streams, buckets and Lambda environments",
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: 30,
                policy: pulumi
                    .all([identity.accountId, region.region, partition.partition])
                    .apply(([accountId, regionName, partitionName]) => JSON.stringify(baselineKeyPolicy(accountId, regionName, partitionName))),
            },
            { parent: this },
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${name}-${args.stack}`, targetKeyId: this.key.keyId }, { parent: this });

        const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: this.key.arn }, { parent: this });
        args.alarmEmails.forEach((email, index) => {
            new aws.sns.TopicSubscription(
                `${name}-alarms-email-${index}`,
                { topic: topic.arn, protocol: "email", endpoint: email },
                { parent: this },
            );
        });

        this.keyArn = this.key.arn;
        this.alarmTopicArn = topic.arn;
        this.registerOutputs({ keyArn: this.keyArn, alarmTopicArn: this.alarmTopicArn });
    }
}

/**
 * The key policy: the account root keeps administration (the AWS default statement, so IAM policies
 * decide), and the regional CloudWatch Logs, SNS and CloudWatch alarm services may use the key only for
 * resources in this account.
 */
function baselineKeyPolicy(accountId: string, region: string, partition: string): Record<string, unknown> {
    const useKey = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:DescribeKey"];
    return keyPolicy(accountId, partition, [
        {
            Sid: "CloudWatchLogsInThisAccount",
            Effect: "Allow",
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Action: useKey,
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*` } },
        },
        {
            Sid: "AlarmsPublishToEncryptedTopic",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    ]);
}
