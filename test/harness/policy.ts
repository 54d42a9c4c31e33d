/**
 * Builds policy validation args exactly as @pulumi/policy 1.21's analyzer server does (props behind the
 * unknown-checking proxy, getConfig, notApplicable, stackTags), and runs policies the way it does.
 */
import * as path from "path";

import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

import { ROOT } from "./services/paths";

interface ProxyModule {
    unknownCheckingProxy<T>(value: T): T;
    UnknownValueError: new (...args: unknown[]) => Error;
    unknownStringValue: string;
    unknownArrayValue: string;
    unknownObjectValue: string;
    unknownBooleanValue: string;
    unknownNumberValue: string;
}

// The policy pack's own copy of @pulumi/policy: the one its policies are loaded with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require(require.resolve("@pulumi/policy/proxy", { paths: [path.join(ROOT, "policypack")] })) as ProxyModule;

/** Values that are unknown during preview, as the engine sends them. */
export const unknown = {
    string: proxy.unknownStringValue,
    array: proxy.unknownArrayValue,
    object: proxy.unknownObjectValue,
    boolean: proxy.unknownBooleanValue,
    number: proxy.unknownNumberValue,
};

class NotApplicableError extends Error {}

const emptyOptions = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

export interface ArgsOptions {
    name?: string;
    config?: Record<string, unknown>;
    stackTags?: Record<string, string>;
}

/** A ResourceValidationArgs for one resource, built as the analyzer server builds it. */
export function resourceArgs(type: string, props: Record<string, unknown>, options: ArgsOptions = {}): ResourceValidationArgs {
    const name = options.name ?? "subject";
    const proxied = proxy.unknownCheckingProxy(props);
    return {
        type,
        props: proxied,
        urn: `urn:pulumi:test::log-platform::${type}::${name}`,
        name,
        opts: emptyOptions,
        stackTags: new Map(Object.entries(options.stackTags ?? {})),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({ ...(options.config ?? {}) }) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicableError(reason);
        },
    };
}

/** One resource of a stack for stack policies; dependencies name other resources by name. */
export interface StackResourceSpec {
    type: string;
    name: string;
    props: Record<string, unknown>;
    dependsOn?: string[];
    propertyDependencies?: Record<string, string[]>;
}

/** A StackValidationArgs for a set of resources, wired up (dependencies, parents) as the server does. */
export function stackArgs(specs: StackResourceSpec[], options: ArgsOptions = {}): StackValidationArgs {
    const byName = new Map<string, PolicyResource[]>();
    const resources = specs.map((spec) => {
        const resource = {
            type: spec.type,
            name: spec.name,
            urn: `urn:pulumi:test::log-platform::${spec.type}::${spec.name}`,
            props: proxy.unknownCheckingProxy(spec.props),
            opts: emptyOptions,
            dependencies: [] as PolicyResource[],
            propertyDependencies: {} as Record<string, PolicyResource[]>,
            isType: () => false,
            asType: () => undefined,
        } as unknown as PolicyResource;
        byName.set(spec.name, [...(byName.get(spec.name) ?? []), resource]);
        return resource;
    });
    specs.forEach((spec, index) => {
        const resource = resources[index] as PolicyResource & { dependencies: PolicyResource[]; propertyDependencies: Record<string, PolicyResource[]> };
        // A name may be shared (a CallbackFunction's default role has the function's name): never match oneself.
        const lookup = (name: string) => {
            const found = (byName.get(name) ?? []).find((candidate) => candidate !== resource);
            if (!found) {
                throw new Error(`stackArgs: "${spec.name}" depends on unknown resource "${name}"`);
            }
            return found;
        };
        const propertyDependencies = Object.entries(spec.propertyDependencies ?? {});
        resource.dependencies.push(...[...(spec.dependsOn ?? []), ...propertyDependencies.flatMap(([, names]) => names)].map(lookup));
        for (const [property, names] of propertyDependencies) {
            resource.propertyDependencies[property] = names.map(lookup);
        }
    });
    return {
        resources,
        stackTags: new Map(Object.entries(options.stackTags ?? {})),
        getConfig: <T extends object>() => ({ ...(options.config ?? {}) }) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicableError(reason);
        },
    };
}

export interface Violation {
    message: string;
    urn?: string;
}

/**
 * Runs a resource policy. A policy that touches an unknown value fails the test: the analyzer would
 * turn that into a "can't run during preview" diagnostic, and this pack promises to handle unknowns.
 */
export async function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<Violation[]> {
    const violations: Violation[] = [];
    const report: ReportViolation = (message, urn) => violations.push({ message, urn });
    if (!policy.validateResource) {
        throw new Error(`policy ${policy.name} has no validateResource`);
    }
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) {
        await runGuarded(policy.name, () => validate(args, report));
    }
    return violations;
}

export async function runStackPolicy(policy: StackValidationPolicy, args: StackValidationArgs): Promise<Violation[]> {
    const violations: Violation[] = [];
    const report: ReportViolation = (message, urn) => violations.push({ message, urn });
    await runGuarded(policy.name, () => policy.validateStack(args, report));
    return violations;
}

async function runGuarded(name: string, run: () => void | Promise<void>): Promise<void> {
    try {
        await Promise.resolve(run());
    } catch (error) {
        if (error instanceof proxy.UnknownValueError) {
            throw new Error(`policy ${name} touched an unknown value (${error.message}); it must treat unknowns as "cannot tell"`);
        }
        if (error instanceof NotApplicableError) {
            return;
        }
        throw error;
    }
}
