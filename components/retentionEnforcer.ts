import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { DEFAULT_SETTINGS } from "../functions/retention/config";
import { makeRetentionHandler, RetentionFunctionConfig } from "../functions/retention/handler";
import type { ResolvedRetention } from "./config";
import { ASYNC_MAX_EVENT_AGE_HOURS, EVENTBRIDGE_MAX_EVENT_AGE_HOURS } from "./dataProtection/plan";
import { ManagedFunction, PlatformRefs, queueDepthAlarm, renderPolicy, Statement } from "./managedFunction";
import { RetentionTrail } from "./retentionTrail";

/** The packages the retention function's handler loads: the only ones in its zip (ManagedFunction leaves out the rest). */
export const RETENTION_PACKAGES = ["@aws-lambda-powertools/logger", "@aws-lambda-powertools/metrics"];

export interface RetentionEnforcerArgs {
    /** The `retention` section of the stack config. */
    retention: ResolvedRetention;
    platform: PlatformRefs;
    /** The stack's region: where the function, its schedules and the CreateLogGroup rule live. */
    region: string;
}

/** The function's timeout: within the platform's 300 s bound; a longer sweep resumes itself. */
export const SWEEP_TIMEOUT_SECONDS = 300;
/** Stop reading pages this long before the timeout; the queued puts and the self re-invocation fit in it. */
export const SWEEP_RESERVE_MS = 30_000;
/** Service name of the function's logs and EMF metrics. */
export const RETENTION_SERVICE = "retention-enforcer";

/** The regions the function sweeps: `retention.regions`, or the stack's region when that list is empty. */
export function sweptRegions(retention: ResolvedRetention, stackRegion: string): string[] {
    return retention.regions.length > 0 ? [...new Set(retention.regions)] : [stackRegion];
}

/**
 * The plain configuration serialized into the function. Its regions are the swept ones plus, with the
 * on-create rule, the stack's own region (the rule's events come from there).
 */
export function retentionFunctionConfig(retention: ResolvedRetention, stackRegion: string): RetentionFunctionConfig {
    const regions = sweptRegions(retention, stackRegion);
    if (retention.onCreate && !regions.includes(stackRegion)) regions.push(stackRegion);
    return {
        settings: {
            ...DEFAULT_SETTINGS,
            targetDays: retention.maxRetentionDays,
            excludePrefixes: retention.excludePrefixes,
            excludePatterns: retention.excludePatterns,
            putsPerSecond: retention.putsPerSecond,
        },
        regions,
        reserveMs: SWEEP_RESERVE_MS,
    };
}

/** The EventBridge pattern of a CloudTrail-recorded CreateLogGroup call. */
export const CREATE_LOG_GROUP_PATTERN = {
    source: ["aws.logs"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: { eventSource: ["logs.amazonaws.com"], eventName: ["CreateLogGroup"] },
};

/**
 * The retention enforcer, deployed: one function (in the stack's region) that sweeps every configured region,
 * started by one EventBridge schedule per region; a sweep that runs out of time re-invokes the function with
 * its page token. With `onCreate`, an EventBridge rule on CloudTrail's CreateLogGroup record sets retention on
 * a new group at once (CloudTrail management events are needed: `createTrail` adds a trail). IAM: exactly
 * DescribeLogGroups and PutRetentionPolicy on the log groups of the swept regions, and InvokeFunction on itself.
 */
export class RetentionEnforcer extends pulumi.ComponentResource {
    readonly functionName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly regions: string[];
    readonly trailArn?: pulumi.Output<string>;

    constructor(name: string, args: RetentionEnforcerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("log-platform:retention:RetentionEnforcer", name, {}, opts);
        const parent = { parent: this };
        const { retention, platform } = args;
        const partition = aws.getPartitionOutput({}, parent).partition;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const functionConfig = retentionFunctionConfig(retention, args.region);
        this.regions = sweptRegions(retention, args.region);

        const statements: Statement[] = [
            {
                Sid: "EnforceLogGroupRetention",
                Action: ["logs:DescribeLogGroups", "logs:PutRetentionPolicy"],
                Resource: functionConfig.regions.map((region) => pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:*`),
            },
        ];
        const fn = new ManagedFunction<unknown, unknown>(
            `${name}-sweep`,
            {
                description: `Sets ${retention.maxRetentionDays}-day retention on every log group kept longer (${functionConfig.regions.join(", ")})`,
                callbackFactory: makeRetentionHandler(functionConfig),
                statements,
                packages: RETENTION_PACKAGES,
                platform,
                environment: { POWERTOOLS_SERVICE_NAME: RETENTION_SERVICE },
                memorySize: 256,
                timeoutSeconds: SWEEP_TIMEOUT_SECONDS,
                asyncFailures: { maximumRetryAttempts: 2, maximumEventAgeSeconds: ASYNC_MAX_EVENT_AGE_HOURS * 3600 },
                heartbeat: { schedule: retention.schedule },
            },
            parent,
        );
        // Resuming a sweep = invoking itself: a separate policy, because the exact ARN exists only after the function.
        const resume = new aws.iam.RolePolicy(
            `${name}-resume-policy`,
            { role: fn.role.id, policy: renderPolicy([{ Sid: "ResumeOwnSweep", Action: ["lambda:InvokeFunction"], Resource: [fn.functionArn] }]) },
            parent,
        );

        // --- EventBridge: one schedule per region, the CreateLogGroup rule; undeliverable events to one queue ---
        const rules: aws.cloudwatch.EventRule[] = [];
        const targets: { rule: aws.cloudwatch.EventRule; id: string; input?: string }[] = [];
        for (const region of this.regions) {
            const rule = new aws.cloudwatch.EventRule(
                `${name}-schedule-${region}`,
                { description: `Sweeps the log groups of ${region} to ${retention.maxRetentionDays}-day retention`, scheduleExpression: retention.schedule, state: "ENABLED" },
                parent,
            );
            rules.push(rule);
            targets.push({ rule, id: `schedule-${region}`, input: JSON.stringify({ kind: "sweep", region }) });
        }
        if (retention.onCreate) {
            const rule = new aws.cloudwatch.EventRule(
                `${name}-on-create`,
                {
                    description: `Sets ${retention.maxRetentionDays}-day retention on a log group as it is created in ${args.region} (needs CloudTrail management events)`,
                    eventPattern: JSON.stringify(CREATE_LOG_GROUP_PATTERN),
                    state: "ENABLED",
                },
                parent,
            );
            rules.push(rule);
            targets.push({ rule, id: "on-create" });
        }
        // SSE-SQS: EventBridge can send to it without a grant in the platform key's policy.
        const eventsDlq = new aws.sqs.Queue(`${name}-events-dlq`, { sqsManagedSseEnabled: true, messageRetentionSeconds: platform.retention.failureQueueSeconds }, parent);
        new aws.sqs.QueuePolicy(
            `${name}-events-dlq-policy`,
            {
                queueUrl: eventsDlq.url,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "UndeliverableRetentionEvents",
                            Effect: "Allow",
                            Principal: { Service: "events.amazonaws.com" },
                            Action: "sqs:SendMessage",
                            Resource: eventsDlq.arn,
                            Condition: { ArnEquals: { "aws:SourceArn": rules.map((rule) => rule.arn) } },
                        },
                    ],
                }),
            },
            parent,
        );
        queueDepthAlarm(`${name}-events-dlq-alarm`, eventsDlq, platform.alarmTopicArn, `${name}: a retention schedule or CreateLogGroup event could not be delivered to the function`, this);
        for (const target of targets) {
            const permission = new aws.lambda.Permission(
                `${name}-${target.id}-invoke`,
                { action: "lambda:InvokeFunction", function: fn.functionName, principal: "events.amazonaws.com", sourceArn: target.rule.arn },
                parent,
            );
            new aws.cloudwatch.EventTarget(
                `${name}-${target.id}-target`,
                {
                    rule: target.rule.name,
                    arn: fn.functionArn,
                    ...(target.input === undefined ? {} : { input: target.input }),
                    retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: EVENTBRIDGE_MAX_EVENT_AGE_HOURS * 3600 },
                    deadLetterConfig: { arn: eventsDlq.arn },
                },
                { parent: this, dependsOn: [permission, resume] },
            );
        }

        // --- optional: the CloudTrail trail the on-create rule needs ---
        if (retention.createTrail) {
            const trail = new RetentionTrail(`${name}-trail`, { bucket: platform.retention.bucket, stack: platform.stack }, parent);
            this.trailArn = trail.trailArn;
        }

        this.functionName = fn.functionName;
        this.functionArn = fn.functionArn;
        this.registerOutputs({ functionName: this.functionName, functionArn: this.functionArn, regions: this.regions, trailArn: this.trailArn });
    }
}
