import { PolicyResource } from "@pulumi/policy";

import { resourcePolicy, stackPolicy } from "../lib/policy";
import { ofTypes } from "../lib/stack";
import { asNumber, asString, get, UNKNOWN } from "../lib/values";

export const LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup";
export const FUNCTION_TYPE = "aws:lambda/function:Function";

export const logGroupRetention = resourcePolicy({
    name: "cloudwatch-log-group-retention",
    description: "Every CloudWatch log group expires its events within the data-protection limit (7 days by default): no retention (kept forever), 0 or more days than allowed is blocked.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set `retentionInDays` to 1, 3, 5 or 7 on the log group.",
    configSchema: {
        properties: {
            maxRetentionDays: { type: "integer", minimum: 1, default: 7, description: "Longest retention allowed, in days." },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== LOG_GROUP_TYPE) {
            return;
        }
        const { maxRetentionDays: maxDays } = args.getConfig<{ maxRetentionDays: number }>();
        const retention = get(args.props, "retentionInDays");
        if (retention === UNKNOWN) {
            return;
        }
        const days = asNumber(retention);
        if (days === undefined || days === 0) {
            reportViolation(`log group has no retention, so its events are kept forever; set retentionInDays to at most ${maxDays}`);
        } else if (days > maxDays) {
            reportViolation(`log group keeps events for ${days} days; at most ${maxDays} are allowed`);
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
        "Every Lambda function's log group (/aws/lambda/<name>, or loggingConfig.logGroup) is created by the program, so its retention is enforced; otherwise Lambda creates one that never expires.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Create the function's aws.cloudwatch.LogGroup (retention <= 7 days, KMS) first and point loggingConfig.logGroup at it (components/managedFunction.ts does this).",
    validateStack: (args, reportViolation) => {
        const groups = ofTypes(args.resources, LOG_GROUP_TYPE);
        const names = new Set(groups.map((group) => asString(get(group.props, "name"))).filter((name): name is string => name !== undefined));
        for (const fn of ofTypes(args.resources, FUNCTION_TYPE)) {
            const viaDependency = (fn.propertyDependencies["loggingConfig"] ?? []).some((dependency) => dependency.type === LOG_GROUP_TYPE);
            if (viaDependency) {
                continue;
            }
            const expected = expectedLogGroup(fn);
            const dependsOnUnnamedGroup = fn.dependencies.some((dependency) => dependency.type === LOG_GROUP_TYPE && get(dependency.props, "name") === UNKNOWN);
            if (expected === UNKNOWN || dependsOnUnnamedGroup) {
                continue;
            }
            if (!names.has(expected)) {
                reportViolation(`function "${fn.name}" writes to ${expected}, which this program does not manage, so Lambda would create it with no retention`, fn.urn);
            }
        }
    },
});
