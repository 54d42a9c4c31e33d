import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { PlatformConfig } from "./config";
import { ASYNC_MAX_EVENT_AGE_HOURS, KINESIS_MAX_RECORD_AGE_HOURS } from "./dataProtection/plan";
import { ManagedFunction, PlatformRefs, queueDepthAlarm, Statement } from "./managedFunction";
import { MISSING_DATA, oldestMessageAgeAlarm } from "./shared/alarmData";
import { shipperAlarm, throttleAlarm } from "./shipper/alarms";
import { ShipperNetwork } from "./shipper/network";
import type { ShipperFunctionConfig, ShipperSource } from "../functions/shipper/config";
import { makeShipperHandler } from "../functions/shipper/handler";

export interface LogShipperArgs {
    platform: PlatformRefs;
    network: PlatformConfig["network"];
    elasticsearch: PlatformConfig["elasticsearch"];
    shipper: PlatformConfig["shipper"];
    region: string;
}

/** The packages the shipper's handler requires at run time (everything else stays out of its zip). */
export const SHIPPER_PACKAGES = ["@elastic/transport", "aws-kinesis-agg", "@aws-lambda-powertools/logger", "@aws-lambda-powertools/metrics"];

/** The environment variable that hands each function the dead-letter queue's URL (known only once the queue exists). */
export const DEAD_LETTER_QUEUE_URL_VARIABLE = "SHIPPER_DEAD_LETTER_QUEUE_URL";

/** Kinesis: retries of a failing batch (bisected each time) before it goes to the on-failure queue. */
export const KINESIS_MAXIMUM_RETRY_ATTEMPTS = 10;
/** Kinesis: records older than this go to the on-failure queue instead of being retried (6 h, well inside the 24 h retention). */
export const KINESIS_MAXIMUM_RECORD_AGE_SECONDS = KINESIS_MAX_RECORD_AGE_HOURS * 3600;
/** SQS: receives of one message before the queue moves it to its DLQ. */
export const SQS_MAX_RECEIVE_COUNT = 5;
/** CloudWatch Logs (asynchronous invoke): Lambda's retries, then the on-failure queue. */
export const CLOUDWATCH_ASYNC_RETRIES = 2;
export const CLOUDWATCH_MAXIMUM_EVENT_AGE_SECONDS = ASYNC_MAX_EVENT_AGE_HOURS * 3600;
/** Iterator age (ms) that means the Kinesis consumer has fallen behind. */
export const ITERATOR_AGE_ALARM_MS = 10 * 60 * 1000;

/**
 * The plain configuration serialized into every shipper function (all but its source), from the stack's
 * `shipper` and `elasticsearch` sections. The demo builds its functions with it too (pointing `elasticsearch`
 * at the local node).
 */
export function shipperBaseConfig(shipper: PlatformConfig["shipper"], elasticsearch: PlatformConfig["elasticsearch"], elasticsearchExempt = false): Omit<ShipperFunctionConfig, "source"> {
    return {
        elasticsearch: {
            endpoint: elasticsearch.endpoint,
            credentialsSecretArn: elasticsearch.credentialsSecretArn,
            caCertificatePem: elasticsearch.caCertificatePem,
            installIndexTemplate: elasticsearch.installIndexTemplate,
            // Required by the shipper (its template always sets a retention); the stack config is to make it required.
            dataRetention: elasticsearch.dataRetention,
            ...(elasticsearchExempt ? { dataProtectionExemption: true } : {}),
            namespace: elasticsearch.dataStreamNamespace,
        },
        routing: { datasetBy: shipper.datasetBy },
        filters: shipper.filters,
        json: { field: shipper.jsonField, maxDepth: shipper.jsonMaxDepth, maxFields: shipper.jsonMaxFields },
        delivery: {
            bulkConcurrency: shipper.bulkConcurrency,
            bulkMaxBytes: shipper.bulkMaxBytes,
            requestTimeoutMs: Math.min(30000, Math.floor((shipper.timeoutSeconds * 1000) / 2)),
            maxRetries: 3,
        },
    };
}

/**
 * The log shipper: three functions built from one handler factory, one per source (CloudWatch Logs
 * subscription, Kinesis, SQS), each with its own role, concurrency, alarms and failure path, in the VPC's
 * private subnets behind a security group that reaches only Elasticsearch and the AWS endpoints it calls.
 * See docs/shipper-operations.md.
 */
export class LogShipper extends pulumi.ComponentResource {
    readonly functions: Record<ShipperSource, ManagedFunction>;
    readonly network: ShipperNetwork;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly sourceQueue: aws.sqs.Queue;
    readonly sourceQueueDlq: aws.sqs.Queue;
    readonly kinesisFailureQueue: aws.sqs.Queue;
    readonly stream?: aws.kinesis.Stream;
    readonly streamArn: pulumi.Output<string>;
    readonly functionNames: pulumi.Output<Record<ShipperSource, string>>;
    readonly ownLogGroupNames: pulumi.Output<string[]>;

    constructor(name: string, args: LogShipperArgs, opts?: pulumi.ComponentResourceOptions) {
        super("log-platform:shipper:LogShipper", name, {}, opts);
        const parent = { parent: this };
        const { platform, shipper, elasticsearch } = args;
        if (shipper.batchSize > 10 && shipper.maxBatchingWindowSeconds === 0) {
            throw new Error(
                `LogShipper ${name}: shipper.batchSize ${shipper.batchSize} needs a batching window (SQS allows batches over 10 only with one): set shipper.maxBatchingWindowSeconds to 1-5, or batchSize to 10 or less`,
            );
        }
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);

        this.network = new ShipperNetwork(
            `${name}-network`,
            {
                vpcId: args.network.vpcId,
                subnetIds: args.network.subnetIds,
                elasticsearchCidrs: args.network.elasticsearchCidrs,
                elasticsearchEndpoint: elasticsearch.endpoint,
                createVpcEndpoints: args.network.createVpcEndpoints,
                existingEndpointSecurityGroupIds: args.network.vpcEndpointSecurityGroupIds,
                region: args.region,
            },
            parent,
        );

        const encryptedQueue = (queueName: string, retentionSeconds: number, extra: Partial<aws.sqs.QueueArgs> = {}) =>
            new aws.sqs.Queue(queueName, { kmsMasterKeyId: platform.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: retentionSeconds, ...extra }, parent);

        // Every retention below comes from the stack's data-protection plan (components/dataProtection/plan.ts), which
        // checked that each store, with the time data can have spent upstream of it, stays within the limit.
        const { retention } = platform;
        // Documents Elasticsearch refused for good, and input that could not be decoded: kept for `npm run replay`.
        this.deadLetterQueue = encryptedQueue(`${name}-dead-letters`, retention.deadLetterSeconds);
        // Kinesis batches that failed every retry (the mapping's on-failure destination: shard, sequence range, not the records).
        this.kinesisFailureQueue = encryptedQueue(`${name}-kinesis-failures`, retention.failureQueueSeconds);
        // The SQS source and its redrive DLQ (a standard queue: a moved message keeps its original enqueue time).
        this.sourceQueueDlq = encryptedQueue(`${name}-sqs-dlq`, retention.sourceDlqSeconds);
        this.sourceQueue = encryptedQueue(`${name}-sqs`, retention.sourceQueueSeconds, {
            // Lambda's guidance: at least 6x the function timeout, plus the batching window.
            visibilityTimeoutSeconds: 6 * shipper.timeoutSeconds + shipper.maxBatchingWindowSeconds,
            redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: this.sourceQueueDlq.arn, maxReceiveCount: SQS_MAX_RECEIVE_COUNT }),
        });

        if (shipper.existingKinesisStreamArn === undefined) {
            this.stream = new aws.kinesis.Stream(
                `${name}-stream`,
                {
                    shardCount: shipper.kinesisShardCount,
                    retentionPeriod: shipper.kinesisRetentionHours,
                    encryptionType: "KMS",
                    kmsKeyId: platform.kmsKeyArn,
                    streamModeDetails: { streamMode: "PROVISIONED" },
                },
                parent,
            );
            this.streamArn = this.stream.arn;
        } else {
            this.streamArn = pulumi.output(shipper.existingKinesisStreamArn);
        }

        const baseConfig = shipperBaseConfig(shipper, elasticsearch, platform.retention.elasticsearchExempt);

        // Every function may read exactly the credentials secret and send to exactly the dead-letter queue.
        const common: Statement[] = [
            { Sid: "ElasticsearchCredentials", Action: ["secretsmanager:GetSecretValue"], Resource: [elasticsearch.credentialsSecretArn] },
            { Sid: "DeadLetters", Action: ["sqs:SendMessage"], Resource: [this.deadLetterQueue.arn] },
            // SendMessage to a KMS-encrypted queue: a data key (kms:Decrypt on the platform key is granted by ManagedFunction).
            { Sid: "DeadLettersKey", Action: ["kms:GenerateDataKey"], Resource: [platform.kmsKeyArn] },
        ];
        if (shipper.credentialsSecretKmsKeyArn !== undefined) {
            common.push({
                Sid: "ElasticsearchCredentialsKey",
                Action: ["kms:Decrypt"],
                Resource: [shipper.credentialsSecretKmsKeyArn],
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
            });
        }
        const perSource: Record<ShipperSource, Statement[]> = {
            cloudwatch: [],
            kinesis: [
                {
                    Sid: "ReadStream",
                    Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"],
                    Resource: [this.streamArn],
                },
                { Sid: "StreamOnFailure", Action: ["sqs:SendMessage"], Resource: [this.kinesisFailureQueue.arn] },
            ],
            sqs: [{ Sid: "ReadSourceQueue", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: [this.sourceQueue.arn] }],
        };

        const sources: ShipperSource[] = ["cloudwatch", "kinesis", "sqs"];
        const made = {} as Record<ShipperSource, ManagedFunction>;
        for (const source of sources) {
            const config: ShipperFunctionConfig = { ...baseConfig, source };
            made[source] = new ManagedFunction(
                `${name}-${source}`,
                {
                    description: `Log shipper: ${source} -> Elasticsearch (${elasticsearch.dataStreamNamespace})`,
                    // The queue URL exists only once the queue does, so it reaches the closure through the environment.
                    callbackFactory: () => makeShipperHandler({ ...config, deadLetterQueueUrl: process.env[DEAD_LETTER_QUEUE_URL_VARIABLE] })(),
                    statements: [...common, ...perSource[source]],
                    packages: SHIPPER_PACKAGES,
                    platform,
                    environment: { [DEAD_LETTER_QUEUE_URL_VARIABLE]: this.deadLetterQueue.url },
                    memorySize: shipper.memoryMb,
                    timeoutSeconds: shipper.timeoutSeconds,
                    reservedConcurrency: shipper.reservedConcurrency,
                    vpc: { subnetIds: args.network.subnetIds, securityGroupIds: [this.network.securityGroupId] },
                    asyncFailures:
                        source === "cloudwatch" ? { maximumRetryAttempts: CLOUDWATCH_ASYNC_RETRIES, maximumEventAgeSeconds: CLOUDWATCH_MAXIMUM_EVENT_AGE_SECONDS } : undefined,
                    tags: { reaches: "elasticsearch", "shipper-source": source },
                },
                parent,
            );
        }
        this.functions = made;

        // --- sources ---
        const logsPrincipal = `logs.${args.region}.amazonaws.com`;
        const logGroupArn = (logGroupName: string) =>
            pulumi.interpolate`arn:${partition.partition}:logs:${args.region}:${identity.accountId}:log-group:${logGroupName}:*`;
        shipper.logGroupSubscriptions.forEach((subscription, index) => {
            const permission = new aws.lambda.Permission(
                `${name}-logs-invoke-${index}`,
                {
                    action: "lambda:InvokeFunction",
                    function: made.cloudwatch.functionName,
                    principal: logsPrincipal,
                    sourceArn: logGroupArn(subscription.logGroupName),
                    sourceAccount: identity.accountId,
                },
                parent,
            );
            new aws.cloudwatch.LogSubscriptionFilter(
                `${name}-subscription-${index}`,
                {
                    logGroup: subscription.logGroupName,
                    filterPattern: subscription.filterPattern,
                    destinationArn: made.cloudwatch.functionArn,
                    distribution: "ByLogStream",
                },
                { parent: this, dependsOn: [permission] },
            );
        });

        this.ownLogGroupNames = pulumi.all(sources.map((source) => made[source].logGroupName));
        if (shipper.accountLevelSubscription) {
            const permission = new aws.lambda.Permission(
                `${name}-logs-invoke-account`,
                {
                    action: "lambda:InvokeFunction",
                    function: made.cloudwatch.functionName,
                    principal: logsPrincipal,
                    sourceArn: logGroupArn("*"),
                    sourceAccount: identity.accountId,
                },
                parent,
            );
            new aws.cloudwatch.LogAccountPolicy(
                `${name}-account-subscription`,
                {
                    // One per account and region: the stack's name keeps two stacks' names apart.
                    policyName: `${name}-account-subscription-${platform.stack}`,
                    policyType: "SUBSCRIPTION_FILTER_POLICY",
                    scope: "ALL",
                    policyDocument: pulumi.jsonStringify({ DestinationArn: made.cloudwatch.functionArn, FilterPattern: "", Distribution: "Random" }),
                    // The shipper's own log groups never feed it (no feedback loop).
                    selectionCriteria: this.ownLogGroupNames.apply(excludeLogGroups),
                },
                { parent: this, dependsOn: [permission] },
            );
        }

        new aws.lambda.EventSourceMapping(
            `${name}-kinesis-mapping`,
            {
                functionName: made.kinesis.functionArn,
                eventSourceArn: this.streamArn,
                startingPosition: "TRIM_HORIZON",
                batchSize: shipper.batchSize,
                maximumBatchingWindowInSeconds: shipper.maxBatchingWindowSeconds,
                parallelizationFactor: 1,
                functionResponseTypes: ["ReportBatchItemFailures"],
                bisectBatchOnFunctionError: true,
                maximumRetryAttempts: KINESIS_MAXIMUM_RETRY_ATTEMPTS,
                maximumRecordAgeInSeconds: KINESIS_MAXIMUM_RECORD_AGE_SECONDS,
                destinationConfig: { onFailure: { destinationArn: this.kinesisFailureQueue.arn } },
            },
            parent,
        );
        new aws.lambda.EventSourceMapping(
            `${name}-sqs-mapping`,
            {
                functionName: made.sqs.functionArn,
                eventSourceArn: this.sourceQueue.arn,
                batchSize: shipper.batchSize,
                maximumBatchingWindowInSeconds: shipper.maxBatchingWindowSeconds,
                functionResponseTypes: ["ReportBatchItemFailures"],
                // Never more pollers than the function may run: no throttled receives that burn receive counts.
                scalingConfig: { maximumConcurrency: Math.max(2, shipper.reservedConcurrency) },
            },
            parent,
        );

        // --- alarms (ManagedFunction adds errors, and the CloudWatch function's on-failure queue depth); what missing
        // data means for each is components/shared/alarmData.ts's rule for its metric ---
        const topic = platform.alarmTopicArn;
        for (const source of sources) {
            throttleAlarm(`${name}-${source}-throttles-alarm`, made[source], source, topic, this);
        }
        queueDepthAlarm(`${name}-dead-letters-alarm`, this.deadLetterQueue, topic, `${name}: dead letters are waiting (refused documents or malformed input): read them and run \`npm run replay\` after the fix`, this);
        queueDepthAlarm(`${name}-sqs-dlq-alarm`, this.sourceQueueDlq, topic, `${name}: SQS source messages failed ${SQS_MAX_RECEIVE_COUNT} receives and are in the source DLQ`, this);
        queueDepthAlarm(`${name}-kinesis-failures-alarm`, this.kinesisFailureQueue, topic, `${name}: Kinesis batches failed every retry; the queue names the shard and sequence range`, this);
        // Messages expire after the queue's retention: the alarm fires at a quarter of it, while there is time to act.
        oldestMessageAgeAlarm(
            `${name}-sqs-oldest-message-alarm`,
            this.sourceQueue,
            retention.sourceQueueSeconds,
            topic,
            `${name}: the SQS source queue is not being drained (runbook: docs/shipper.md#alarms-runbook)`,
            this,
        );
        shipperAlarm(`${name}-iterator-age-alarm`, this, topic, {
            description: `${name}: the Kinesis consumer is more than ${ITERATOR_AGE_ALARM_MS / 60000} minutes behind the stream`,
            namespace: "AWS/Lambda",
            metricName: "IteratorAge",
            dimensions: { FunctionName: made.kinesis.functionName },
            statistic: "Maximum",
            threshold: ITERATOR_AGE_ALARM_MS,
            evaluationPeriods: 3,
            treatMissingData: MISSING_DATA.stream,
        });
        for (const source of sources) {
            shipperAlarm(`${name}-${source}-accounting-alarm`, this, topic, {
                description: `${name}: ${source} accounting broken: received != shipped + already present + dead-lettered + failed for retry + filtered`,
                ...accountingMetric(source, platform.stack),
                statistic: "Sum",
                threshold: 0,
                evaluationPeriods: 1,
                treatMissingData: MISSING_DATA.invocation,
            });
            shipperAlarm(`${name}-${source}-dead-lettered-alarm`, this, topic, {
                description: `${name}: ${source} sent documents to the dead-letter queue`,
                ...deadLetteredMetric(source, platform.stack),
                statistic: "Sum",
                threshold: 0,
                evaluationPeriods: 1,
                treatMissingData: MISSING_DATA.invocation,
            });
        }

        this.functionNames = pulumi
            .all([made.cloudwatch.functionName, made.kinesis.functionName, made.sqs.functionName])
            .apply(([cloudwatch, kinesis, sqs]) => ({ cloudwatch, kinesis, sqs }));
        this.registerOutputs({
            functionNames: this.functionNames,
            deadLetterQueueUrl: this.deadLetterQueue.url,
            sourceQueueUrl: this.sourceQueue.url,
            streamArn: this.streamArn,
            securityGroupId: this.network.securityGroupId,
        });
    }
}

/** The account policy's selection criteria: every log group except these (the only selector CloudWatch Logs accepts). */
export function excludeLogGroups(names: string[]): string {
    return `LogGroupName NOT IN ${JSON.stringify(names)}`;
}

/** The EMF metric the handler emits when received != the sum of the outcomes (functions/shipper/accounting.ts). */
export function accountingMetric(source: ShipperSource, stack: string): { namespace: string; metricName: string; dimensions: Record<string, string> } {
    return { namespace: "LogPlatform", metricName: "AccountingBreach", dimensions: { service: "log-shipper", stack, source } };
}

/** The EMF count of documents sent to the dead-letter queue. */
export function deadLetteredMetric(source: ShipperSource, stack: string): { namespace: string; metricName: string; dimensions: Record<string, string> } {
    return { namespace: "LogPlatform", metricName: "DeadLettered", dimensions: { service: "log-shipper", stack, source } };
}
