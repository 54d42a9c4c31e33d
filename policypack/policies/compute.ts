import { PolicyResource } from "@pulumi/policy";

import { resourcePolicy, stackPolicy } from "../lib/policy";
import { regionOf, sameRegion } from "../lib/regions";
import { secretFindings } from "../lib/secrets";
import { ofTypes, targets } from "../lib/stack";
import { asArray, asNumber, asString, get, UNKNOWN } from "../lib/values";
import { FUNCTION_TYPE } from "./logs";

const ESM_TYPE = "aws:lambda/eventSourceMapping:EventSourceMapping";

export const lambdaRuntimeSupported = resourcePolicy({
    name: "lambda-runtime-supported",
    description: "Lambda functions run on a supported runtime: Node.js 22 or newer, and none of the runtimes AWS has deprecated.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: 'Set `runtime: aws.lambda.Runtime.NodeJS22dX` (or newer) and redeploy.',
    configSchema: {
        properties: {
            minimumNodeVersion: { type: "integer", default: 22, description: "Oldest Node.js major version allowed." },
            deprecatedRuntimes: {
                type: "array",
                items: { type: "string" },
                default: ["python3.8", "python3.9", "java8", "go1.x", "dotnet6", "dotnet7", "ruby2.7", "ruby3.2", "provided"],
                description: "Other runtimes that are no longer allowed.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== FUNCTION_TYPE) {
            return;
        }
        const { minimumNodeVersion: minimum, deprecatedRuntimes: deprecated } = args.getConfig<{ minimumNodeVersion: number; deprecatedRuntimes: string[] }>();
        const runtime = asString(get(args.props, "runtime"));
        if (runtime === undefined) {
            return; // Container images (packageType Image) have no runtime; unknown values are checked on update.
        }
        const node = /^nodejs(\d+)\.x$/.exec(runtime);
        if (node && Number(node[1]) < minimum) {
            reportViolation(`runtime ${runtime} is deprecated or too old; use nodejs${minimum}.x or newer`);
        } else if (deprecated.includes(runtime)) {
            reportViolation(`runtime ${runtime} is deprecated`);
        }
    },
});

/** Environment variable names that reach Elasticsearch / OpenSearch. */
const REACHES_ELASTICSEARCH = /(ELASTIC|OPENSEARCH|^ES_)/i;

function environment(props: unknown): Record<string, unknown> {
    const variables = get(props, "environment.variables");
    return variables && typeof variables === "object" ? (variables as Record<string, unknown>) : {};
}

export const lambdaInVpc = resourcePolicy({
    name: "lambda-in-vpc",
    description: "Lambda functions that reach Elasticsearch (or all functions, by config) run inside a VPC, with subnets and security groups.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set `vpcConfig: { subnetIds, securityGroupIds }` with private subnets and a security group whose egress is limited to Elasticsearch and the VPC endpoints.",
    configSchema: {
        properties: {
            scope: {
                type: "string",
                enum: ["elasticsearch", "all"],
                default: "elasticsearch",
                description: '"elasticsearch": functions whose environment names an Elasticsearch/OpenSearch setting, or tagged reaches=elasticsearch; "all": every function.',
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== FUNCTION_TYPE) {
            return;
        }
        const { scope } = args.getConfig<{ scope: string }>();
        const reaches =
            Object.keys(environment(args.props)).some((name) => REACHES_ELASTICSEARCH.test(name)) || asString(get(args.props, "tags.reaches")) === "elasticsearch";
        if (scope !== "all" && !reaches) {
            return;
        }
        const subnets = get(args.props, "vpcConfig.subnetIds");
        const groups = get(args.props, "vpcConfig.securityGroupIds");
        if (subnets === UNKNOWN || groups === UNKNOWN) {
            return;
        }
        if (asArray(subnets).length === 0 || asArray(groups).length === 0) {
            reportViolation(`function is not attached to a VPC (vpcConfig.subnetIds and securityGroupIds)${reaches ? " but reaches Elasticsearch" : ""}`);
        }
    },
});

export const lambdaNoPlaintextSecrets = resourcePolicy({
    name: "lambda-no-plaintext-secrets",
    description:
        "Lambda environment variables hold no plaintext secrets, by name (PASSWORD, PASS, PWD, SECRET, TOKEN, AUTH, API_KEY, CREDENTIALS...) or by value (secretlint's recommended rules: AWS access keys, private keys, URL and connection-string credentials, GitHub/GitLab/Slack/npm/Stripe/OpenAI... tokens). References (Secrets Manager/SSM/KMS ARNs, *_ARN names) pass.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Store the secret in Secrets Manager, pass its ARN (e.g. ELASTICSEARCH_SECRET_ARN) and read it at run time with the SDK; grant secretsmanager:GetSecretValue on that ARN only. Take credentials out of URLs (https://host, not https://user:password@host).",
    validateResource: async (args, reportViolation) => {
        if (args.type !== FUNCTION_TYPE) {
            return;
        }
        for (const [name, value] of Object.entries(environment(args.props))) {
            const findings = await secretFindings(name, value);
            if (findings.length > 0) {
                // The message names the variable and the rule, never the value.
                reportViolation(`environment variable ${name} holds a plaintext secret (${findings.map((finding) => finding.reason).join("; ")}); pass a Secrets Manager reference (${name}_ARN) instead`);
            }
        }
    },
});

export const lambdaNotPublic = resourcePolicy({
    name: "lambda-not-public",
    description: 'Nothing is reachable from the internet: no lambda.Permission for principal "*" and no function URL with authorizationType NONE.',
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Grant invoke to a specific service principal with sourceArn/sourceAccount, and use AWS_IAM for function URLs.",
    validateResource: (args, reportViolation) => {
        if (args.type === "aws:lambda/permission:Permission") {
            const principal = asString(get(args.props, "principal"));
            if (principal === "*") {
                reportViolation('grants lambda:InvokeFunction to principal "*" (anyone)');
            } else if (principal !== undefined && principal.endsWith(".amazonaws.com") && get(args.props, "sourceArn") === undefined && get(args.props, "sourceAccount") === undefined) {
                reportViolation(`grants invoke to ${principal} without sourceArn or sourceAccount, so any account's ${principal.split(".")[0]} resources may invoke it`);
            }
        }
        if (args.type === "aws:lambda/functionUrl:FunctionUrl" && asString(get(args.props, "authorizationType")) === "NONE") {
            reportViolation("function URL has authorizationType NONE: anyone on the internet can invoke it");
        }
    },
});

/** Event source mappings of a function (by dependency or by function name/ARN). */
function mappingsOf(resources: PolicyResource[], fn: PolicyResource): PolicyResource[] {
    return ofTypes(resources, ESM_TYPE).filter((mapping) => targets(mapping, "functionName", fn, ["name", "arn"], { sameRegion: true }));
}

export const lambdaErrorAlarm = stackPolicy({
    name: "lambda-error-alarm",
    description: "Every Lambda function has a CloudWatch alarm on its Errors metric.",
    category: "fault-tolerance",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: 'Add an aws.cloudwatch.MetricAlarm with namespace "AWS/Lambda", metricName "Errors", dimensions { FunctionName } and the alarm topic as alarmActions.',
    validateStack: (args, reportViolation) => {
        const alarms = ofTypes(args.resources, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
            (alarm) => asString(get(alarm.props, "namespace")) === "AWS/Lambda" && asString(get(alarm.props, "metricName")) === "Errors",
        );
        for (const fn of ofTypes(args.resources, FUNCTION_TYPE)) {
            const name = get(fn.props, "name");
            const covered = alarms.some((alarm) => {
                // An alarm watches the function of that name in its own region.
                if (sameRegion(regionOf(alarm.props), regionOf(fn.props)) === false) {
                    return false;
                }
                const dimension = get(alarm.props, "dimensions.FunctionName");
                return dimension === UNKNOWN || name === UNKNOWN || dimension === name || alarm.dependencies.some((dependency) => dependency.urn === fn.urn);
            });
            if (!covered) {
                reportViolation(`function "${fn.name}" has no alarm on its Errors metric`, fn.urn);
            }
        }
    },
});

const ASYNC_PRINCIPALS = ["events.amazonaws.com", "s3.amazonaws.com", "sns.amazonaws.com", "logs.amazonaws.com", "scheduler.amazonaws.com"];

export const lambdaAsyncFailureDestination = stackPolicy({
    name: "lambda-async-failure-destination",
    description: "Lambda functions invoked asynchronously (EventBridge, S3, SNS, CloudWatch Logs) have an on-failure destination or a dead-letter queue, so a failed event is kept, not dropped.",
    category: "fault-tolerance",
    enforcementLevel: "advisory",
    severity: "high",
    remediationSteps: "Add an aws.lambda.FunctionEventInvokeConfig with destinationConfig.onFailure (an encrypted SQS queue), or set deadLetterConfig on the function.",
    validateStack: (args, reportViolation) => {
        const permissions = ofTypes(args.resources, "aws:lambda/permission:Permission");
        const invokeConfigs = ofTypes(args.resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
        for (const fn of ofTypes(args.resources, FUNCTION_TYPE)) {
            const refersToFn = (resource: PolicyResource, property: string) => targets(resource, property, fn, ["name"], { sameRegion: true });
            const invokedAsync = permissions.some((permission) => refersToFn(permission, "function") && ASYNC_PRINCIPALS.includes(asString(get(permission.props, "principal")) ?? ""));
            if (!invokedAsync) {
                continue;
            }
            const hasDlq = get(fn.props, "deadLetterConfig.targetArn") !== undefined;
            const hasDestination = invokeConfigs.some((config) => refersToFn(config, "functionName") && get(config.props, "destinationConfig.onFailure.destination") !== undefined);
            if (!hasDlq && !hasDestination) {
                reportViolation(`function "${fn.name}" is invoked asynchronously but has no on-failure destination or dead-letter queue`, fn.urn);
            }
        }
    },
});

export const eventSourceBatchItemFailures = resourcePolicy({
    name: "lambda-event-source-batch-item-failures",
    description: "Event source mappings from SQS, Kinesis and DynamoDB streams report batch item failures, so one bad record does not retry (or drop) the whole batch.",
    category: "fault-tolerance",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: 'Set `functionResponseTypes: ["ReportBatchItemFailures"]` and return `batchItemFailures` from the handler.',
    validateResource: (args, reportViolation) => {
        if (args.type !== ESM_TYPE) {
            return;
        }
        const types = get(args.props, "functionResponseTypes");
        if (types !== UNKNOWN && !asArray(types).includes("ReportBatchItemFailures")) {
            reportViolation('event source mapping does not set functionResponseTypes ["ReportBatchItemFailures"]');
        }
    },
});

export const lambdaMemoryBounds = resourcePolicy({
    name: "lambda-memory-bounds",
    description: "Lambda memory stays within sane bounds (128-3008 MB by default): more memory is billed for every millisecond.",
    category: "cost",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Measure with Lambda Power Tuning and set memorySize to the smallest size that meets the latency target.",
    configSchema: {
        properties: {
            minMemoryMb: { type: "integer", default: 128 },
            maxMemoryMb: { type: "integer", default: 3008 },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== FUNCTION_TYPE) {
            return;
        }
        const { minMemoryMb, maxMemoryMb } = args.getConfig<{ minMemoryMb: number; maxMemoryMb: number }>();
        const memory = asNumber(get(args.props, "memorySize")) ?? 128;
        if (memory < minMemoryMb || memory > maxMemoryMb) {
            reportViolation(`memorySize ${memory} MB is outside ${minMemoryMb}-${maxMemoryMb} MB`);
        }
    },
});

export const lambdaTimeoutBounds = resourcePolicy({
    name: "lambda-timeout-bounds",
    description: "Lambda timeouts are set deliberately and stay short (at most 300 s by default): a long timeout hides hangs and holds batches.",
    category: "performance",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Set `timeout` to a few times the p99 duration; for SQS sources keep the queue's visibility timeout at 6x the function timeout.",
    configSchema: { properties: { maxTimeoutSeconds: { type: "integer", default: 300 } } },
    validateResource: (args, reportViolation) => {
        if (args.type !== FUNCTION_TYPE) {
            return;
        }
        const { maxTimeoutSeconds } = args.getConfig<{ maxTimeoutSeconds: number }>();
        const timeout = get(args.props, "timeout");
        if (timeout === UNKNOWN) {
            return;
        }
        const seconds = asNumber(timeout);
        if (seconds === undefined) {
            reportViolation("timeout is not set (the 3 s default is rarely right); set it deliberately");
        } else if (seconds > maxTimeoutSeconds) {
            reportViolation(`timeout ${seconds} s is over ${maxTimeoutSeconds} s`);
        }
    },
});

export const lambdaReservedConcurrency = stackPolicy({
    name: "lambda-reserved-concurrency",
    description: "Functions driven by event sources have reserved concurrency, so a backlog cannot exhaust the account's concurrency limit or overwhelm downstream systems.",
    category: "service-limits",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Set `reservedConcurrentExecutions` to what the downstream (e.g. Elasticsearch) can absorb.",
    validateStack: (args, reportViolation) => {
        for (const fn of ofTypes(args.resources, FUNCTION_TYPE)) {
            if (mappingsOf(args.resources, fn).length === 0) {
                continue;
            }
            const reserved = get(fn.props, "reservedConcurrentExecutions");
            if (reserved !== UNKNOWN && (asNumber(reserved) ?? -1) < 1) {
                reportViolation(`function "${fn.name}" has event sources but no reserved concurrency`, fn.urn);
            }
        }
    },
});

export const eventSourceBatching = stackPolicy({
    name: "lambda-event-source-batching",
    description:
        "Kinesis and SQS event sources batch consistently: a batch window when batches are large, and for Kinesis enough reserved concurrency for shards x parallelization factor.",
    category: "performance",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Set maximumBatchingWindowInSeconds (1-5 s) when batchSize > 10; give the consumer reservedConcurrentExecutions >= shardCount x parallelizationFactor.",
    validateStack: (args, reportViolation) => {
        const streams = ofTypes(args.resources, "aws:kinesis/stream:Stream");
        for (const mapping of ofTypes(args.resources, ESM_TYPE)) {
            const batchSize = asNumber(get(mapping.props, "batchSize"));
            const window = get(mapping.props, "maximumBatchingWindowInSeconds");
            if (batchSize !== undefined && batchSize > 10 && window !== UNKNOWN && (asNumber(window) ?? 0) === 0) {
                reportViolation(`event source mapping "${mapping.name}" takes batches of ${batchSize} with no batching window, so invocations carry few records`, mapping.urn);
            }
            // Matched by dependency only: names are not compared here.
            const stream = streams.find((candidate) => targets(mapping, "eventSourceArn", candidate, [], { sameRegion: true }));
            const fn = ofTypes(args.resources, FUNCTION_TYPE).find((candidate) => targets(mapping, "functionName", candidate, [], { sameRegion: true }));
            const shards = stream ? asNumber(get(stream.props, "shardCount")) : undefined;
            const reserved = fn ? asNumber(get(fn.props, "reservedConcurrentExecutions")) : undefined;
            if (shards !== undefined && reserved !== undefined) {
                const needed = shards * (asNumber(get(mapping.props, "parallelizationFactor")) ?? 1);
                if (reserved < needed) {
                    reportViolation(`function "${fn?.name}" reserves ${reserved} concurrent executions but its Kinesis source needs ${needed} (shards x parallelization factor)`, mapping.urn);
                }
            }
        }
    },
});

export const ssmParameterNoPlaintextSecrets = resourcePolicy({
    name: "ssm-parameter-no-plaintext-secrets",
    description: "SSM parameters of type String or StringList hold no secret, by name or by value (the same rules as lambda-no-plaintext-secrets); secrets go in SecureString parameters (KMS-encrypted) or Secrets Manager.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: 'Set `type: "SecureString"` and `keyId` to the platform key (or move the value to Secrets Manager), and take credentials out of URLs.',
    validateResource: async (args, reportViolation) => {
        if (args.type !== "aws:ssm/parameter:Parameter") {
            return;
        }
        const type = get(args.props, "type");
        if (type === UNKNOWN || asString(type) === "SecureString") {
            return;
        }
        const name = asString(get(args.props, "name")) ?? args.name;
        const findings = [...(await secretFindings(name, get(args.props, "value"))), ...(await secretFindings(name, get(args.props, "insecureValue")))];
        if (findings.length > 0) {
            reportViolation(`${asString(type) ?? "String"} parameter ${name} holds a plaintext secret (${[...new Set(findings.map((finding) => finding.reason))].join("; ")}); make it a SecureString with keyId`);
        }
    },
});
