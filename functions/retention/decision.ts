import { compilePatterns } from "./config";

/** What a sweep does with one log group. */
export type Decision =
    | { action: "set"; from: number | undefined }
    | { action: "compliant" }
    | { action: "delivery" }
    | { action: "excluded"; by: "prefix" | "pattern" };

/** The part of a DescribeLogGroups entry the decision reads. */
export interface GroupFacts {
    logGroupName?: string;
    retentionInDays?: number;
    logGroupClass?: string;
}

export interface DecideOptions {
    targetDays: number;
    excludePrefixes: string[];
    excludePatterns: string[];
}

/**
 * The rule, in one place for the sweep and the on-create handler: exclusions first (reported, whatever the
 * group's state), then DELIVERY class (its retention is fixed by the service: skipped and reported), then no
 * retention or more than the target gets the target, and anything at or under it is left alone.
 */
export function makeDecider(options: DecideOptions): (group: GroupFacts) => Decision {
    const patterns = compilePatterns(options.excludePatterns);
    const prefixes = [...options.excludePrefixes];
    return (group) => {
        const name = group.logGroupName ?? "";
        if (prefixes.some((prefix) => name.startsWith(prefix))) return { action: "excluded", by: "prefix" };
        if (patterns.some((pattern) => pattern.test(name))) return { action: "excluded", by: "pattern" };
        if (group.logGroupClass === "DELIVERY") return { action: "delivery" };
        const days = group.retentionInDays;
        if (days === undefined || days === null || days > options.targetDays) return { action: "set", from: days ?? undefined };
        return { action: "compliant" };
    };
}
