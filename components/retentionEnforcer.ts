import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { DEFAULT_SETTINGS } from "../functions/retention/config";
import { ALARM_METRICS, COVERED_REGIONS_ENV, makeRetentionHandler, RetentionFunctionConfig } from "../functions/retention/handler";
import type { ResolvedRetention } from "./config";
import { ASYNC_MAX_EVENT_AGE_HOURS, EVENTBRIDGE_MAX_EVENT_AGE_HOURS } from "./dataProtection/plan";
import { ManagedFunction, PlatformRefs, queueDepthAlarm, renderPolicy, Statement } from "./managedFunction";
import { RetentionTrail } from "./retentionTrail";
import { scheduleIntervalSeconds } from "./shared/heartbeat";

/** The packages the retention function's handler loads: the only ones in its zip (ManagedFunction leaves out the rest). */
export const RETENTION_PACKAGES = ["@aws-lambda-powertools/logger", "@aws-lambda-powertools/metrics"];

export interface RetentionEnforcerArgs {
    /** The `retention` section of the stack config. */
    retention: ResolvedRetention;
    platform: PlatformRefs;
    /** The stack's region: where the function, its schedule and the CreateLogGroup rule live. */
    region: string;
}

/** The function's timeout: within the platform's 300 s bound; a longer sweep resumes itself. */
export const SWEEP_TIMEOUT_SECONDS = 300;
/** Stop reading pages this long before the timeout; the queued puts and the self re-invocation fit in it. */
export const SWEEP_RESERVE_MS = 30_000;
/** Service name of the function's logs and EMF metrics. */
export const RETENTION_SERVICE = "retention-enforcer";
/** The metrics' namespace (functions/shared/metrics.ts). */
export const RETENTION_METRICS_NAMESPACE = "LogPlatform";

/**
 * What the heartbeat allows on top of the schedule's interval: EventBridge starts a schedule within about a minute,
 * the sweep-all fans out in seconds, and a region's sweep in steady state (most groups already compliant) finishes in
 * one to three invocations of at most 300 s.
 */
export const HEARTBEAT_SLACK_SECONDS = 15 * 60;

/**
 * The regions the role's log-group grant names, when they are known from the config: `retention.regions`, plus the
 * stack's region with the on-create rule (its events come from there). Undefined when `retention.regions` is empty:
 * then every region enabled in the account, listed at deployment (`aws.getRegionsOutput`).
 */
export function configuredCoverage(retention: ResolvedRetention, stackRegion: string): string[] | undefined {
    if (retention.regions.length === 0) return undefined;
    const regions = [...new Set(retention.regions)];
    if (retention.onCreate && !regions.includes(stackRegion)) regions.push(stackRegion);
    return regions;
}

/** The plain configuration serialized into the function (the regions its role covers come from its environment). */
export function retentionFunctionConfig(retention: ResolvedRetention, stackRegion: string, stack: string): RetentionFunctionConfig {
    return {
        settings: {
            ...DEFAULT_SETTINGS,
            targetDays: retention.maxRetentionDays,
            excludePrefixes: retention.excludePrefixes,
            excludePatterns: retention.excludePatterns,
            putsPerSecond: retention.putsPerSecond,
        },
        stack,
        homeRegion: stackRegion,
        onlyRegions: [...new Set(retention.regions)],
        ...(retention.existingTrailArn === undefined ? {} : { existingTrailArn: retention.existingTrailArn }),
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
 * The heartbeat's period: the schedule's longest gap plus HEARTBEAT_SLACK_SECONDS, rounded up to a minute (CloudWatch
 * periods are multiples of 60 s). Refuses a schedule slower than the retention it enforces: a group created just after a
 * sweep keeps its events until the next one, so the gap must not exceed the retention (docs/retention.md, "Regions").
 */
export function heartbeatPeriodSeconds(schedule: string, retentionDays: number): number {
    const interval = scheduleIntervalSeconds(schedule);
    if (interval === undefined) {
        throw new Error(
            `retention.schedule ${schedule}: the heartbeat alarm's period cannot be derived from it (use rate(N minutes|hours|days), or a cron that runs every day at fixed minutes and hours, e.g. cron(0 * * * ? *)): pulumi config set --path 'log-platform:retention.schedule' 'rate(1 hour)'`,
        );
    }
    const period = Math.ceil((interval + HEARTBEAT_SLACK_SECONDS) / 60) * 60;
    if (period > retentionDays * 86400) {
        throw new Error(
            `retention.schedule ${schedule}: sweeps ${Math.round(interval / 360) / 10} h apart (+ ${HEARTBEAT_SLACK_SECONDS / 60} min slack) are longer than the ${retentionDays}-day retention they enforce: a log group created just after a sweep would keep its events past it. Use a shorter schedule: pulumi config set --path 'log-platform:retention.schedule' 'rate(1 hour)'`,
        );
    }
    return period;
}

/**
 * The retention enforcer, deployed: one function in the stack's region. One EventBridge schedule sends
 * `{"kind":"sweep-all"}`: the function discovers the regions enabled in the account (narrowed by `retention.regions`)
 * and invokes itself once per region; a sweep that runs out of time re-invokes itself with its page token. With
 * `onCreate`, an EventBridge rule on CloudTrail's CreateLogGroup record sets retention on a new group of the stack's
 * region at once (a trail: `createTrail`, or `existingTrailArn`, which the function checks on every sweep-all).
 * IAM: DescribeLogGroups and PutRetentionPolicy on the log groups of every covered region, DescribeAccountPolicies
 * in those regions, ec2:DescribeRegions, the trail checks on exactly the named trail, and InvokeFunction on itself.
 * Alarms: errors and on-failure queue (ManagedFunction), undeliverable events, the heartbeat (missing data breaches),
 * account-level retention policies, regions not covered, and the existing trail.
 */
export class RetentionEnforcer extends pulumi.ComponentResource {
    readonly functionName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    /** The regions the role covers (and a sweep-all may start sweeps in). */
    readonly regions: pulumi.Output<string[]>;
    readonly trailArn?: pulumi.Output<string>;

    constructor(name: string, args: RetentionEnforcerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("log-platform:retention:RetentionEnforcer", name, {}, opts);
        const parent = { parent: this };
        const { retention, platform } = args;
        const heartbeatPeriod = heartbeatPeriodSeconds(retention.schedule, retention.maxRetentionDays);
        const partition = aws.getPartitionOutput({}, parent).partition;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const functionConfig = retentionFunctionConfig(retention, args.region, platform.stack);
        const configured = configuredCoverage(retention, args.region);
        this.regions = configured
            ? pulumi.output(configured)
            : aws.getRegionsOutput({}, parent).names.apply((names) => {
                  const regions = [...new Set(names)].sort();
                  return retention.onCreate && !regions.includes(args.region) ? [...regions, args.region] : regions;
              });

        const statements: Statement[] = [
            {
                Sid: "EnforceLogGroupRetention",
                Action: ["logs:DescribeLogGroups", "logs:PutRetentionPolicy"],
                Resource: pulumi.all([partition, account, this.regions]).apply(([partitionName, accountId, regions]) => regions.map((region) => `arn:${partitionName}:logs:${region}:${accountId}:log-group:*`)),
            },
            // No resource-level permission: "*", held to the covered regions.
            { Sid: "DetectAccountRetentionPolicies", Action: ["logs:DescribeAccountPolicies"], Resource: ["*"], Condition: { StringEquals: { "aws:RequestedRegion": this.regions } } },
            // No resource-level permission: "*".
            { Sid: "DiscoverEnabledRegions", Action: ["ec2:DescribeRegions"], Resource: ["*"] },
        ];
        if (retention.existingTrailArn !== undefined) {
            statements.push({ Sid: "CheckExistingTrail", Action: ["cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"], Resource: [retention.existingTrailArn] });
        }
        const fn = new ManagedFunction<unknown, unknown>(
            `${name}-sweep`,
            {
                description: `Sets ${retention.maxRetentionDays}-day retention on every log group kept longer, in every covered region`,
                callbackFactory: makeRetentionHandler(functionConfig),
                statements,
                packages: RETENTION_PACKAGES,
                platform,
                environment: { POWERTOOLS_SERVICE_NAME: RETENTION_SERVICE, [COVERED_REGIONS_ENV]: this.regions.apply((regions) => regions.join(",")) },
                memorySize: 256,
                timeoutSeconds: SWEEP_TIMEOUT_SECONDS,
                asyncFailures: { maximumRetryAttempts: 2, maximumEventAgeSeconds: ASYNC_MAX_EVENT_AGE_HOURS * 3600 },
                heartbeat: {
                    schedule: retention.schedule,
                    setting: "retention.schedule",
                    metric: {
                        namespace: RETENTION_METRICS_NAMESPACE,
                        metricName: ALARM_METRICS.heartbeat,
                        dimensions: { service: RETENTION_SERVICE, stack: platform.stack },
                        meaning: "a region's sweep completed without failures",
                    },
                    runbook: "docs/retention.md#alarms-and-what-to-do",
                },
            },
            parent,
        );
        // Fanning out and resuming = invoking itself: a separate policy, because the exact ARN exists only after the function.
        const invokeItself = new aws.iam.RolePolicy(
            `${name}-invoke-itself-policy`,
            { role: fn.role.id, policy: renderPolicy([{ Sid: "InvokeItself", Action: ["lambda:InvokeFunction"], Resource: [fn.functionArn] }]) },
            parent,
        );

        // --- EventBridge: the schedule, the CreateLogGroup rule; undeliverable events to one queue ---
        const rules: aws.cloudwatch.EventRule[] = [];
        const targets: { rule: aws.cloudwatch.EventRule; id: string; input?: string }[] = [];
        const schedule = new aws.cloudwatch.EventRule(
            `${name}-schedule`,
            { description: `Sweeps every enabled region's log groups to ${retention.maxRetentionDays}-day retention (the function fans out per region)`, scheduleExpression: retention.schedule, state: "ENABLED" },
            parent,
        );
        rules.push(schedule);
        targets.push({ rule: schedule, id: "schedule", input: JSON.stringify({ kind: "sweep-all" }) });
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
                { parent: this, dependsOn: [permission, invokeItself] },
            );
        }

        // --- alarms on the function's own metrics (docs/retention.md, "Alarms and what to do": each missing-data choice) ---
        const alarm = (suffix: string, spec: { description: string; metric: string; statistic: "Sum" | "Maximum"; comparison: "LessThanThreshold" | "GreaterThanThreshold"; threshold: number; missing: "breaching" | "notBreaching" }) =>
            new aws.cloudwatch.MetricAlarm(
                `${name}-${suffix}-alarm`,
                {
                    alarmDescription: `${name}: ${spec.description} (runbook: docs/retention.md#alarms-and-what-to-do)`,
                    namespace: RETENTION_METRICS_NAMESPACE,
                    metricName: spec.metric,
                    dimensions: { service: RETENTION_SERVICE, stack: platform.stack },
                    statistic: spec.statistic,
                    // One period holds at least one run of the schedule, so the state follows the latest sweeps.
                    period: heartbeatPeriod,
                    evaluationPeriods: 1,
                    threshold: spec.threshold,
                    comparisonOperator: spec.comparison,
                    treatMissingData: spec.missing,
                    alarmActions: [platform.alarmTopicArn],
                    okActions: [platform.alarmTopicArn],
                },
                parent,
            );
        alarm("account-policy", {
            description: "an account-level CloudWatch Logs retention policy (RETENTION_POLICY, at least 30 days) overrides the retention of the log groups it selects",
            metric: ALARM_METRICS.accountPolicies,
            statistic: "Maximum",
            comparison: "GreaterThanThreshold",
            threshold: 0,
            missing: "notBreaching",
        });
        alarm("regions-not-covered", {
            description: "a region enabled in the account is not covered by the function's role: its log groups are not swept until the stack is redeployed",
            metric: ALARM_METRICS.notCovered,
            statistic: "Maximum",
            comparison: "GreaterThanThreshold",
            threshold: 0,
            missing: "notBreaching",
        });
        if (retention.existingTrailArn !== undefined) {
            alarm("trail", {
                description: `the trail the CreateLogGroup rule relies on (${retention.existingTrailArn}) is not logging or does not record management write events`,
                metric: ALARM_METRICS.trail,
                statistic: "Maximum",
                comparison: "GreaterThanThreshold",
                threshold: 0,
                missing: "notBreaching",
            });
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
