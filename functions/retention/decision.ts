import { compilePatterns, PLATFORM_LOG_GROUP_ROOT } from "./config";

/** Why a group is left alone on purpose. */
export type ExclusionReason = "prefix" | "pattern" | "other-stack";

/** What a sweep does with one log group. */
export type Decision =
    | { action: "set"; from: number | undefined }
    | { action: "compliant" }
    | { action: "delivery" }
    | { action: "excluded"; by: ExclusionReason }
    /** An account-level retention policy governs the group: a put would have no effect. */
    | { action: "overridden"; policy: string };

/** The part of a DescribeLogGroups entry the decision reads. */
export interface GroupFacts {
    logGroupName?: string;
    retentionInDays?: number;
    logGroupClass?: string;
    /** Set by CloudWatch Logs when an account-level RETENTION_POLICY applies (retentionInDays is then the policy's). */
    retentionPolicyName?: string;
}

export interface DecideOptions {
    targetDays: number;
    excludePrefixes: string[];
    excludePatterns: string[];
    /** The sweep's own stack: its groups under the platform's log group root are swept, other stacks' are not. */
    stack?: string;
}

/**
 * The rule, in one place for the sweep and the on-create handler:
 * 1. exclusions (prefix, pattern), reported whatever the group's state;
 * 2. another stack of this platform (`/aws/lambda/log-platform/<other stack>/`): its own enforcer keeps it, and a
 *    shorter target here must not cut it;
 * 3. DELIVERY class: its retention is fixed by the service (skipped and reported);
 * 4. an account-level retention policy governs it: PutRetentionPolicy would have no effect (reported, never put);
 * 5. no retention or more than the target gets the target; anything at or under it is left alone.
 */
export function makeDecider(options: DecideOptions): (group: GroupFacts) => Decision {
    const patterns = compilePatterns(options.excludePatterns);
    const prefixes = [...options.excludePrefixes];
    return (group) => {
        const name = group.logGroupName ?? "";
        if (prefixes.some((prefix) => name.startsWith(prefix))) return { action: "excluded", by: "prefix" };
        if (patterns.some((pattern) => pattern.test(name))) return { action: "excluded", by: "pattern" };
        const stack = platformStackOf(name);
        if (stack !== undefined && stack !== options.stack) return { action: "excluded", by: "other-stack" };
        if (group.logGroupClass === "DELIVERY") return { action: "delivery" };
        if (typeof group.retentionPolicyName === "string" && group.retentionPolicyName.length > 0) return { action: "overridden", policy: group.retentionPolicyName };
        const days = group.retentionInDays;
        if (days === undefined || days === null || days > options.targetDays) return { action: "set", from: days ?? undefined };
        return { action: "compliant" };
    };
}

/** The stack a log group of this platform belongs to (`/aws/lambda/log-platform/<stack>/...`), or undefined for any other group. */
export function platformStackOf(logGroupName: string): string | undefined {
    if (!logGroupName.startsWith(PLATFORM_LOG_GROUP_ROOT)) return undefined;
    const rest = logGroupName.slice(PLATFORM_LOG_GROUP_ROOT.length);
    const slash = rest.indexOf("/");
    return slash > 0 ? rest.slice(0, slash) : undefined;
}
