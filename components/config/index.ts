import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

import { retentionPlan, RetentionPlan } from "../dataProtection/plan";
import { CONFIG_EXAMPLES, CONFIG_SECTIONS, StackConfig, stackConfigSchema } from "./schema";

export { ALLOWED_RETENTION_DAYS, CONFIG_SECTIONS, StackConfig, StackConfigInput } from "./schema";

/** The `retention` section with its retention resolved (the configured value, or the longest one the limit allows). */
export type ResolvedRetention = StackConfig["retention"] & { maxRetentionDays: number };

/** The validated configuration plus the stack facts every component needs, and the retention plan of its stores. */
export interface PlatformConfig extends Omit<StackConfig, "retention"> {
    retention: ResolvedRetention;
    project: string;
    stack: string;
    region: string;
    /** Every store's retention and worst-case age against the data-protection limit (components/dataProtection). */
    plan: RetentionPlan;
}

/** One configuration problem: which key, what is wrong, and the command that fixes it. */
export interface ConfigProblem {
    key: string;
    message: string;
    fix: string;
}

/** Thrown when the stack configuration is invalid; its message lists every problem and its fix. */
export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: ConfigProblem[],
    ) {
        super(formatProblems(stack, problems));
        this.name = "ConfigError";
    }
}

/** What `aws:region` must look like (the reference documents it from here). */
export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * Validates raw stack configuration (section name → value, as Pulumi returns it) and returns the typed
 * configuration, or throws a ConfigError that lists every problem with the command that fixes it.
 */
export function parsePlatformConfig(
    raw: { project: string; stack: string; region: string | undefined; sections: Record<string, unknown>; unknownKeys?: string[] },
): PlatformConfig {
    const problems: ConfigProblem[] = [];
    if (raw.region === undefined || !REGION_PATTERN.test(raw.region)) {
        problems.push({
            key: "aws:region",
            message: raw.region === undefined ? "required, but not set" : `expected an AWS region like eu-west-1, got "${raw.region}"`,
            fix: "pulumi config set aws:region eu-west-1",
        });
    }
    for (const key of raw.unknownKeys ?? []) {
        problems.push({
            key,
            message: `is not a setting of this project (known sections: ${CONFIG_SECTIONS.join(", ")})`,
            fix: `pulumi config rm '${key}'`,
        });
    }
    const result = stackConfigSchema.safeParse(raw.sections);
    if (!result.success) {
        problems.push(...result.error.issues.flatMap((issue) => describeIssue(raw.project, raw.sections, issue)));
    }
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(raw.stack, problems);
    }
    // The stores must add up within the data-protection limit: checked once every setting is valid on its own.
    const { plan, problems: budget } = retentionPlan(result.data, raw.project);
    if (budget.length > 0) {
        throw new ConfigError(raw.stack, budget);
    }
    return {
        ...result.data,
        retention: { ...result.data.retention, maxRetentionDays: plan.values.logGroupDays },
        project: raw.project,
        stack: raw.stack,
        region: raw.region as string,
        plan,
    };
}

/** Reads every section of this project's configuration from the running Pulumi stack and validates it. */
export function loadPlatformConfig(): PlatformConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const config = new pulumi.Config(project);
    const sections: Record<string, unknown> = {};
    for (const name of CONFIG_SECTIONS) {
        const value = readValue(config, name);
        if (value !== undefined) {
            sections[name] = value;
        }
    }
    const known = new Set(CONFIG_SECTIONS.map((name) => `${project}:${name}`));
    const unknownKeys = Object.keys(pulumi.runtime.allConfig())
        .filter((key) => key.startsWith(`${project}:`) && !known.has(key))
        .sort();
    return parsePlatformConfig({ project, stack, region: new pulumi.Config("aws").get("region"), sections, unknownKeys });
}

function readValue(config: pulumi.Config, name: string): unknown {
    const text = config.get(name);
    if (text === undefined) {
        return undefined;
    }
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

function describeIssue(project: string, sections: Record<string, unknown>, issue: z.ZodIssue): ConfigProblem[] {
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((extra) => {
            const path = joinPath([...issue.path, extra]);
            return {
                key: `${project}:${path}`,
                message: `is not a known setting${issue.path.length > 0 ? ` of ${joinPath(issue.path)}` : ""}`,
                fix: `pulumi config rm --path '${project}:${path}'`,
            };
        });
    }
    const received = lookup(sections, issue.path);
    // For a list, the fix appends an element: `key[<next index>]`.
    const isList = exampleFor([...issue.path, 0]) !== undefined && exampleFor(issue.path) === undefined;
    const fixPath = isList ? [...issue.path, Array.isArray(received) ? received.length : 0] : issue.path;
    const path = joinPath(issue.path);
    const message =
        received === undefined && (issue.code === "invalid_type" || issue.code === "custom")
            ? issue.code === "custom"
                ? issue.message
                : "required, but not set"
            : `${issue.code === "invalid_type" && issue.received === "nan" ? "expected a number" : issue.message}${received === undefined ? "" : `, got ${JSON.stringify(received)}`}`;
    const example = exampleFor(fixPath);
    const fix =
        example === undefined
            ? `pulumi config set --path '${project}:${joinPath(fixPath)}' <value>`
            : `pulumi config set --path '${project}:${joinPath(fixPath)}' ${example}`;
    return [{ key: `${project}:${path}`, message, fix }];
}

function exampleFor(path: (string | number)[]): string | undefined {
    const pattern = path.map((part) => (typeof part === "number" ? "[]" : `.${part}`)).join("").replace(/^\./, "");
    return CONFIG_EXAMPLES[pattern];
}

function joinPath(path: (string | number)[]): string {
    return path.map((part) => (typeof part === "number" ? `[${part}]` : `.${part}`)).join("").replace(/^\./, "");
}

function lookup(value: unknown, path: (string | number)[]): unknown {
    let current: unknown = value;
    for (const part of path) {
        if (current === null || typeof current !== "object") {
            return undefined;
        }
        current = (current as Record<string | number, unknown>)[part];
    }
    return current;
}

function formatProblems(stack: string, problems: ConfigProblem[]): string {
    const lines = [`Invalid configuration for stack "${stack}": ${problems.length} problem${problems.length === 1 ? "" : "s"}.`];
    for (const problem of problems) {
        lines.push(`  - ${problem.key}: ${problem.message}`, `      fix: ${problem.fix}`);
    }
    lines.push("Each fix writes to Pulumi.<stack>.yaml; see docs/configuration.md for every setting.");
    return lines.join("\n");
}
