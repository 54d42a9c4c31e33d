import { PolicyResource } from "@pulumi/policy";

import { formatHours, logGroupWorstHours, longestLogGroupRetentionDays } from "../../components/dataProtection/ages";
import { DATA_AGE_LIMIT_PROPERTIES, DataAgeConfig, dataAgeSettings } from "../lib/dataAgeConfig";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { describeRegion, PROVIDER_REGION, regionOf, regionOfArn, sameRegion } from "../lib/regions";
import { ofTypes, targets } from "../lib/stack";
import { asNumber, asString, get, UNKNOWN } from "../lib/values";

export const LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup";
export const FUNCTION_TYPE = "aws:lambda/function:Function";

export const logGroupRetention = resourcePolicy({
    name: "cloudwatch-log-group-retention",
    description:
        "Every CloudWatch log group's events are gone within the data-protection limit (maxAgeDays, 7 by default), counting CloudWatch's deletion lag (deletionLagHours.cloudwatch, 72 h by default: events go up to 72 h after their retention): retentionInDays + the lag must fit, so with the defaults 1 and 3 days pass and 5 or 7 are blocked. No retention (kept forever) or 0 is blocked too.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set `retentionInDays` to the longest value whose retention + the deletion lag fits the limit: 3 with the defaults (3 d + 72 h = 6 d <= 7 d); 1 also fits.",
    configSchema: {
        properties: {
            ...DATA_AGE_LIMIT_PROPERTIES,
            maxRetentionDays: {
                type: "integer",
                minimum: 1,
                description: "Optional: a fixed cap on retentionInDays that replaces the limit-and-lag arithmetic (for policy configs written before the lag was counted). Unset by default.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== LOG_GROUP_TYPE) {
            return;
        }
        const config = args.getConfig<DataAgeConfig & { maxRetentionDays?: number }>();
        const retention = get(args.props, "retentionInDays");
        if (retention === UNKNOWN) {
            return;
        }
        const days = asNumber(retention);
        const { limitHours, lags, maxAgeDays } = dataAgeSettings(config);
        const longest = config.maxRetentionDays ?? longestLogGroupRetentionDays(limitHours, lags);
        const fix = longest !== undefined ? `set retentionInDays to at most ${longest}` : `no retention fits a ${maxAgeDays}-day limit with a ${lags.cloudwatchHours} h lag`;
        if (days === undefined || days === 0) {
            reportViolation(`log group has no retention, so its events are kept forever; ${fix}`);
        } else if (config.maxRetentionDays !== undefined) {
            if (days > config.maxRetentionDays) {
                reportViolation(`log group keeps events for ${days} days; at most ${config.maxRetentionDays} are allowed (maxRetentionDays)`);
            }
        } else if (logGroupWorstHours(days, lags) > limitHours) {
            reportViolation(
                `log group keeps events for ${days} days + CloudWatch's deletion lag of ${lags.cloudwatchHours} h = ${formatHours(logGroupWorstHours(days, lags))}, longer than the ${maxAgeDays}-day limit; ${fix}`,
            );
        }
    },
});

export const logGroupEncrypted = resourcePolicy({
    name: "cloudwatch-log-group-encrypted",
    description: "Every CloudWatch log group is encrypted with a customer-managed KMS key.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set `kmsKeyId` to the platform key's ARN (its key policy must allow logs.<region>.amazonaws.com).",
    validateResource: (args, reportViolation) => {
        if (args.type === LOG_GROUP_TYPE && get(args.props, "kmsKeyId") === undefined) {
            reportViolation("log group is not encrypted with a KMS key (kmsKeyId is not set)");
        }
    },
});

export const logGroupClass = resourcePolicy({
    name: "cloudwatch-log-group-class",
    description: "Log groups choose their class deliberately (STANDARD, or INFREQUENT_ACCESS at about half the ingestion price when no metric filters, subscriptions or Live Tail are needed).",
    category: "cost",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: 'Set `logGroupClass: "STANDARD"` or `"INFREQUENT_ACCESS"` explicitly.',
    validateResource: (args, reportViolation) => {
        if (args.type === LOG_GROUP_TYPE && get(args.props, "logGroupClass") === undefined) {
            reportViolation("log group class is not set; choose STANDARD or INFREQUENT_ACCESS deliberately");
        }
    },
});

/** The log group a function writes to: loggingConfig.logGroup, or /aws/lambda/<function name>. */
function expectedLogGroup(fn: PolicyResource): string | typeof UNKNOWN {
    const custom = get(fn.props, "loggingConfig.logGroup");
    if (custom === UNKNOWN) {
        return UNKNOWN;
    }
    if (asString(custom)) {
        return asString(custom) as string;
    }
    const name = get(fn.props, "name");
    return asString(name) !== undefined ? `/aws/lambda/${asString(name)}` : UNKNOWN;
}

export const lambdaManagedLogGroup = stackPolicy({
    name: "lambda-managed-log-group",
    description:
        "Every Lambda function's log group (/aws/lambda/<name>, or loggingConfig.logGroup) is created by the program in the function's region (provider v7's per-resource region counts: a group of that name in another region is another group), so its retention is enforced; otherwise Lambda creates one that never expires.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Create the function's aws.cloudwatch.LogGroup (retention <= 7 days, KMS) first, in the function's region (the same `region` or provider), and point loggingConfig.logGroup at it (components/managedFunction.ts does this).",
    validateStack: (args, reportViolation) => {
        const groups = ofTypes(args.resources, LOG_GROUP_TYPE);
        for (const fn of ofTypes(args.resources, FUNCTION_TYPE)) {
            const region = regionOf(fn.props);
            const here = (group: PolicyResource) => sameRegion(regionOf(group.props), region) !== false;
            const linked = (fn.propertyDependencies["loggingConfig"] ?? []).filter((dependency) => dependency.type === LOG_GROUP_TYPE);
            if (linked.some(here)) {
                continue;
            }
            const expected = expectedLogGroup(fn);
            const dependsOnUnnamedGroup = fn.dependencies.some((dependency) => dependency.type === LOG_GROUP_TYPE && get(dependency.props, "name") === UNKNOWN && here(dependency));
            if (dependsOnUnnamedGroup || (expected === UNKNOWN && linked.length === 0)) {
                continue;
            }
            if (expected !== UNKNOWN && groups.some((group) => here(group) && asString(get(group.props, "name")) === expected)) {
                continue;
            }
            const elsewhere = [...linked, ...groups.filter((group) => expected !== UNKNOWN && asString(get(group.props, "name")) === expected)].filter((group) => !here(group));
            const managedIn = elsewhere.length > 0 ? ` (the program manages it in ${[...new Set(elsewhere.map((group) => describeRegion(regionOf(group.props))))].join(", ")} only)` : "";
            const target = expected === UNKNOWN ? "its log group" : expected;
            reportViolation(`function "${fn.name}" writes to ${target} in ${describeRegion(region)}, which this program does not manage there${managedIn}, so Lambda would create it with no retention`, fn.urn);
        }
    },
});

const ACCOUNT_POLICY_TYPE = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy";
const STREAM_TYPE = "aws:kinesis/stream:Stream";
const MAPPING_TYPE = "aws:lambda/eventSourceMapping:EventSourceMapping";

/** The log group names a subscription filter policy's selection criteria leave out; [] when it selects every group. */
function excludedBy(criteria: unknown): string[] | typeof UNKNOWN | { unreadable: string } {
    if (criteria === UNKNOWN) {
        return UNKNOWN;
    }
    const text = asString(criteria);
    if (text === undefined || text.trim() === "") {
        return [];
    }
    const match = /^\s*LogGroupName\s+NOT\s+IN\s+(\[[\s\S]*\])\s*$/i.exec(text);
    try {
        const names = match?.[1] ? (JSON.parse(match[1]) as unknown) : undefined;
        if (Array.isArray(names) && names.every((name) => typeof name === "string")) {
            return names;
        }
    } catch {
        // falls through: not a list of names
    }
    return { unreadable: text };
}

/** The part after `function:` of a Lambda ARN (without a qualifier), or after `stream/` of a Kinesis ARN. */
const lambdaName = (arn: string) => /:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arn)?.[1];
const streamName = (arn: string) => /:kinesis:[^:]*:[^:]*:stream\/(.+)$/.exec(arn)?.[1];

/** A log group a destination writes to: its name when known, and the LogGroup resource when the program manages it. */
interface OwnLogGroup {
    name?: string;
    group?: PolicyResource;
    of: string;
}

function logGroupOf(fn: PolicyResource): OwnLogGroup {
    const group = (fn.propertyDependencies["loggingConfig"] ?? []).find((dependency) => dependency.type === LOG_GROUP_TYPE);
    const expected = expectedLogGroup(fn);
    const name = expected !== UNKNOWN ? expected : group ? asString(get(group.props, "name")) : undefined;
    return { name, group, of: `function "${fn.name}"` };
}

/**
 * The log groups the destination of a subscription filter policy writes to: a Lambda destination's own
 * log group, or the log groups of the functions that consume a Kinesis destination (event source mappings).
 */
function deliveryLogGroups(resources: PolicyResource[], policy: PolicyResource): OwnLogGroup[] {
    let destination: string | undefined;
    const document = get(policy.props, "policyDocument");
    if (asString(document) !== undefined) {
        try {
            destination = asString((JSON.parse(asString(document) as string) as Record<string, unknown>)["DestinationArn"]);
        } catch {
            destination = undefined;
        }
    } else if (document && typeof document === "object") {
        destination = asString(get(document, "DestinationArn"));
    }
    const dependencies = policy.propertyDependencies["policyDocument"] ?? [];
    // A destination named by ARN is the resource of that name in the ARN's region (or a resource that reports none).
    const inDestinationRegion = (resource: PolicyResource) => regionOf(resource.props) === PROVIDER_REGION || sameRegion(regionOfArn(destination ?? ""), regionOf(resource.props)) !== false;
    const byName = (resource: PolicyResource, nameOf: (arn: string) => string | undefined) =>
        destination !== undefined && nameOf(destination) !== undefined && asString(get(resource.props, "name")) === nameOf(destination) && inDestinationRegion(resource);
    const isDestination = (resource: PolicyResource, nameOf: (arn: string) => string | undefined) =>
        dependencies.some((dependency) => dependency.urn === resource.urn) || (destination !== undefined && asString(get(resource.props, "arn")) === destination) || byName(resource, nameOf);
    const functions = new Set(ofTypes(resources, FUNCTION_TYPE).filter((fn) => isDestination(fn, lambdaName)));
    for (const stream of ofTypes(resources, STREAM_TYPE).filter((candidate) => isDestination(candidate, streamName))) {
        for (const mapping of ofTypes(resources, MAPPING_TYPE).filter((candidate) => targets(candidate, "eventSourceArn", stream, ["arn"], { sameRegion: true }))) {
            ofTypes(resources, FUNCTION_TYPE)
                .filter((fn) => targets(mapping, "functionName", fn, ["arn", "name"], { sameRegion: true }))
                .forEach((fn) => functions.add(fn));
        }
    }
    const groups = [...functions].map(logGroupOf);
    const external = destination !== undefined ? lambdaName(destination) : undefined;
    if (functions.size === 0 && external !== undefined) {
        groups.push({ name: `/aws/lambda/${external}`, of: `function ${external}` });
    }
    return groups;
}

export const logsAccountSubscriptionNoFeedback = stackPolicy({
    name: "cloudwatch-logs-account-subscription-no-feedback",
    description:
        "An account-level subscription filter policy (aws.cloudwatch.LogAccountPolicy of type SUBSCRIPTION_FILTER_POLICY) excludes the log groups its own delivery writes to (a Lambda destination's log group, or those of the functions consuming a Kinesis destination) with selectionCriteria `LogGroupName NOT IN [...]`; otherwise every delivery logs, and that log is delivered again: a feedback loop that multiplies ingestion and invocations.",
    category: "cost",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Set `selectionCriteria` to `LogGroupName NOT IN ["<log group>", ...]` with the exact name of every log group the message names, built from the LogGroup resources\' names (components/logShipper.ts excludeLogGroups() does this for the shipper\'s three log groups).',
    validateStack: (args, reportViolation) => {
        for (const policy of ofTypes(args.resources, ACCOUNT_POLICY_TYPE)) {
            if (asString(get(policy.props, "policyType")) !== "SUBSCRIPTION_FILTER_POLICY") {
                continue; // data-protection and field-index policies send nothing anywhere; an unknown type cannot be told
            }
            const excluded = excludedBy(get(policy.props, "selectionCriteria"));
            const missing = deliveryLogGroups(args.resources, policy).filter((own) => {
                if (Array.isArray(excluded)) {
                    // No criteria select every log group, this one included, whether or not its name is known yet.
                    return excluded.length === 0 || (own.name !== undefined && !excluded.includes(own.name));
                }
                return excluded !== UNKNOWN && own.name !== undefined;
            });
            if (missing.length > 0) {
                const unreadable = !Array.isArray(excluded) && excluded !== UNKNOWN ? ` (selectionCriteria "${excluded.unreadable}" is not of the form LogGroupName NOT IN ["..."])` : "";
                reportViolation(
                    `account-level subscription "${policy.name}" does not exclude ${missing.map((own) => (own.name !== undefined ? `${own.name} (the log group of ${own.of})` : `the log group of ${own.of}`)).join(", ")}, where its own deliveries are logged${unreadable}: each delivery would be delivered again (a feedback loop)`,
                    policy.urn,
                );
            }
        }
    },
});
