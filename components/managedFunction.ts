import * as fs from "fs";
import * as path from "path";

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { STACK_VARIABLE } from "../functions/shared/metrics";
import type { RetentionValues } from "./dataProtection/plan";
import { MISSING_DATA, queueDepthAlarm } from "./shared/alarmData";
import { heartbeatAlarm, SuccessMetric } from "./shared/heartbeat";

export { queueDepthAlarm } from "./shared/alarmData";

/** One IAM statement: exact actions on exact resources (no wildcard actions; `*` resources only where an action has no resource-level permission). */
export interface Statement {
    Sid?: string;
    Effect?: "Allow" | "Deny";
    Action: string[];
    Resource: pulumi.Input<pulumi.Input<string>[]>;
    Condition?: Record<string, Record<string, pulumi.Input<string | string[]>>>;
}

/** What every function of the platform shares: the KMS key, the alarm topic, the retention plan and the stack. */
export interface PlatformRefs {
    kmsKeyArn: pulumi.Input<string>;
    alarmTopicArn: pulumi.Input<string>;
    /** The retention values of the stack's data-protection plan (its own log groups, failure queues, buckets ...). */
    retention: RetentionValues;
    /** The stack's name: in the names that are fixed per account (log group paths, aliases, trail, policies). */
    stack: string;
}

/** Every log group this program creates for its functions is under this path, one folder per stack. */
export const OWN_LOG_GROUP_ROOT = "/aws/lambda/log-platform/";

/** The log group path of one stack's functions: another stack's enforcer recognises (and leaves) them by it. */
export function ownLogGroupPrefix(stack: string): string {
    return `${OWN_LOG_GROUP_ROOT}${stack}/`;
}

export interface ManagedFunctionArgs<E, R> {
    description: string;
    /**
     * Returns the handler. Serialized by CallbackFunction with everything it captures by value; it runs once per
     * container (cold start). See functions/README.md for the rules.
     */
    callbackFactory: aws.lambda.CallbackFactory<E, R>;
    /** Exactly the statements the handler needs. Logging to its own log group (and the failure queue, if any) is added here. */
    statements: Statement[];
    /**
     * The packages of package.json `dependencies` the handler requires at run time. Every other dependency is left
     * out of the zip (`@aws-sdk/*` comes with the runtime and is never bundled).
     */
    packages: string[];
    platform: PlatformRefs;
    environment?: Record<string, pulumi.Input<string>>;
    memorySize?: number;
    timeoutSeconds?: number;
    reservedConcurrency?: number;
    /** Runs the function in these private subnets with these security groups (adds the ENI permissions). */
    vpc?: { subnetIds: pulumi.Input<pulumi.Input<string>[]>; securityGroupIds: pulumi.Input<pulumi.Input<string>[]> };
    /**
     * For asynchronously invoked functions: retries, then an encrypted SQS on-failure destination that keeps the
     * event (with an alarm when it holds anything).
     */
    asyncFailures?: { maximumRetryAttempts: number; maximumEventAgeSeconds?: number };
    /**
     * For a function started on a schedule: the schedule expression, the setting it comes from, the metric the handler
     * publishes when a run completed successfully, and the runbook. Adds `<name>-heartbeat-alarm`, which fires when no
     * run succeeded for a whole window of that schedule, silence included (components/shared/heartbeat.ts).
     */
    heartbeat?: { schedule: string; setting: string; metric: SuccessMetric; runbook: string };
    /** Tags added to the ones the provider applies. */
    tags?: Record<string, string>;
}

/** NODE_OPTIONS of every function: source-mapped stack traces (the heap sizes stay the runtime's, from the memory size). */
export const FUNCTION_NODE_OPTIONS = "--enable-source-maps";

/** The Lambda runtime every function here runs on (the policy pack requires Node.js 22 or newer). */
export const LAMBDA_RUNTIME = aws.lambda.Runtime.NodeJS22dX;

/** The ENI actions a function in a VPC needs; they have no resource-level permission, hence Resource "*". */
export const VPC_ENI_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
];

/**
 * A Lambda built from a serialized closure with everything a production function here needs, in order:
 * its own KMS-encrypted log group with the data-protection retention (created first, so Lambda never creates
 * one that keeps logs forever), an explicit role with exactly the given statements, nodejs22.x, a
 * KMS-encrypted environment, JSON logs, optional VPC attachment, an error alarm, optional asynchronous
 * failure destination (with its alarm), an optional heartbeat alarm for a scheduled function, and a zip holding
 * only the packages the handler needs.
 */
export class ManagedFunction<E = unknown, R = unknown> extends pulumi.ComponentResource {
    readonly function: aws.lambda.CallbackFunction<E, R>;
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly failureQueue?: aws.sqs.Queue;
    readonly functionName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;

    /**
     * @param name the function's role, read once in its physical name: `shipper-cloudwatch`, `kpi-daily`,
     *   `retention-sweep` (the function is `<name>-<suffix>`, its log group `/aws/lambda/log-platform/<stack>/<name>-<suffix>`).
     */
    constructor(name: string, args: ManagedFunctionArgs<E, R>, opts?: pulumi.ComponentResourceOptions) {
        super("log-platform:lambda:ManagedFunction", name, {}, opts);
        const { retention } = args.platform;
        if (retention.logGroupDays > 7 || retention.logGroupDays < 1) {
            throw new Error(`ManagedFunction ${name}: the log group retention must be 1-7 days (the data-protection rule), got ${retention.logGroupDays}`);
        }
        const parent = { parent: this };

        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                namePrefix: `${ownLogGroupPrefix(args.platform.stack)}${name}-`,
                retentionInDays: retention.logGroupDays,
                kmsKeyId: args.platform.kmsKeyArn,
                logGroupClass: "STANDARD",
            },
            parent,
        );

        if (args.asyncFailures) {
            this.failureQueue = new aws.sqs.Queue(
                `${name}-failures`,
                {
                    kmsMasterKeyId: args.platform.kmsKeyArn,
                    kmsDataKeyReusePeriodSeconds: 300,
                    messageRetentionSeconds: retention.failureQueueSeconds,
                },
                parent,
            );
        }

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Execution role of the ${name} function: only what its handler needs`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            parent,
        );

        const statements: Statement[] = [
            {
                Sid: "OwnLogGroup",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: [pulumi.interpolate`${this.logGroup.arn}:*`],
            },
            { Sid: "DecryptEnvironment", Action: ["kms:Decrypt"], Resource: [args.platform.kmsKeyArn] },
            ...args.statements,
        ];
        if (this.failureQueue) {
            statements.push(
                { Sid: "OnFailureDestination", Action: ["sqs:SendMessage"], Resource: [this.failureQueue.arn] },
                { Sid: "OnFailureDestinationKey", Action: ["kms:GenerateDataKey"], Resource: [args.platform.kmsKeyArn] },
            );
        }
        if (args.vpc) {
            statements.push({ Sid: "VpcNetworkInterfaces", Action: VPC_ENI_ACTIONS, Resource: ["*"] });
        }
        const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.id, policy: renderPolicy(statements) }, parent);

        this.function = new aws.lambda.CallbackFunction<E, R>(
            name,
            {
                description: args.description,
                callbackFactory: args.callbackFactory,
                role: this.role,
                runtime: LAMBDA_RUNTIME,
                architectures: ["arm64"],
                memorySize: args.memorySize ?? 256,
                timeout: args.timeoutSeconds ?? 60,
                reservedConcurrentExecutions: args.reservedConcurrency,
                kmsKeyArn: args.platform.kmsKeyArn,
                environment: { variables: { NODE_OPTIONS: FUNCTION_NODE_OPTIONS, [STACK_VARIABLE]: args.platform.stack, ...args.environment } },
                loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                vpcConfig: args.vpc ? { subnetIds: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds } : undefined,
                codePathOptions: { extraExcludePackages: excludedPackages(name, args.packages) },
                tags: args.tags,
            },
            // The log group and the role's permissions exist before the function can run (and log).
            { parent: this, dependsOn: [this.logGroup, policy] },
        );

        if (this.failureQueue) {
            new aws.lambda.FunctionEventInvokeConfig(
                `${name}-async`,
                {
                    functionName: this.function.name,
                    maximumRetryAttempts: args.asyncFailures?.maximumRetryAttempts ?? 2,
                    maximumEventAgeInSeconds: args.asyncFailures?.maximumEventAgeSeconds ?? 21600,
                    destinationConfig: { onFailure: { destination: this.failureQueue.arn } },
                },
                parent,
            );
            queueDepthAlarm(`${name}-failures-alarm`, this.failureQueue, args.platform.alarmTopicArn, `${name}: events that failed every retry are waiting in the on-failure queue`, this);
        }

        // Lambda publishes Errors only for invocations: no data is no failure (a stopped schedule is the heartbeat's).
        new aws.cloudwatch.MetricAlarm(
            `${name}-errors-alarm`,
            {
                alarmDescription: `${name}: the function returned errors (see its log group, and the runbook in README)`,
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions: { FunctionName: this.function.name },
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: MISSING_DATA.invocation,
                alarmActions: [args.platform.alarmTopicArn],
                okActions: [args.platform.alarmTopicArn],
            },
            parent,
        );
        if (args.heartbeat) {
            heartbeatAlarm(`${name}-heartbeat-alarm`, args.heartbeat, args.platform.alarmTopicArn, this);
        }

        this.functionName = this.function.name;
        this.functionArn = this.function.arn;
        this.logGroupName = this.logGroup.name;
        this.registerOutputs({ functionName: this.functionName, functionArn: this.functionArn, logGroupName: this.logGroupName });
    }
}

/** Renders statements (with Output values inside) into a policy JSON document. */
export function renderPolicy(statements: Statement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: statements.map((statement) => ({ Effect: "Allow", ...statement })),
    });
}

/**
 * Transitive dependencies no handler loads at run time, left out of every zip (computeCodePaths excludes a name at
 * any depth): type declarations (apache-arrow and protobufjs list @types/node as a dependency), and, for a handler
 * that needs aws-kinesis-agg, its aggregation side (the shipper requires only `aws-kinesis-agg/lib/kpl-deagg`).
 */
export const NOT_LOADED_AT_RUN_TIME: Record<string, string[]> = {
    "*": ["@types/node", "undici-types"],
    "aws-kinesis-agg": ["async", "agentkeepalive", "minimist", "ansi-regex"],
};

/**
 * Every package of package.json `dependencies` except the ones the handler needs: CallbackFunction otherwise
 * packs all of them (the Pulumi SDK included) into every zip. Plus what NOT_LOADED_AT_RUN_TIME names.
 */
export function excludedPackages(name: string, needed: string[], packageJsonPath = path.join(__dirname, "..", "package.json")): string[] {
    const dependencies = Object.keys((JSON.parse(fs.readFileSync(packageJsonPath, "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {});
    const unknown = needed.filter((pkg) => !dependencies.includes(pkg));
    if (unknown.length > 0) {
        throw new Error(`ManagedFunction ${name}: ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not in package.json dependencies: add with \`npm install ${unknown.join(" ")}\``);
    }
    const notLoaded = [...(NOT_LOADED_AT_RUN_TIME["*"] ?? []), ...needed.flatMap((pkg) => NOT_LOADED_AT_RUN_TIME[pkg] ?? [])];
    return [...dependencies.filter((pkg) => !needed.includes(pkg)), ...notLoaded.filter((pkg) => !needed.includes(pkg))];
}
