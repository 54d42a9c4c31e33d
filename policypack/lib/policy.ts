import {
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidation,
    ResourceValidationPolicy,
    Severity,
    StackValidation,
    StackValidationPolicy,
} from "@pulumi/policy";

/** The five advisor categories every policy belongs to exactly one of. */
export const CATEGORIES = ["cost", "performance", "security", "fault-tolerance", "service-limits"] as const;
export type Category = (typeof CATEGORIES)[number];

/** What every policy of this pack carries beyond @pulumi/policy's own fields. */
interface PlatformMetadata {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    remediationSteps: string;
    category: Category;
}

export type PlatformResourcePolicy = ResourceValidationPolicy & PlatformMetadata & { tags: string[] };
export type PlatformStackPolicy = StackValidationPolicy & PlatformMetadata & { tags: string[] };
export type PlatformPolicy = PlatformResourcePolicy | PlatformStackPolicy;

/** The defaults a config schema declares, by property. */
function defaultsOf(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
    return Object.fromEntries(Object.entries(schema?.properties ?? {}).flatMap(([key, property]) => (property.default === undefined ? [] : [[key, property.default]])));
}

/**
 * The same validation args, but `getConfig()` fills every setting the policy config leaves out with the
 * default its schema declares, so each default is written once (in the schema) and holds wherever the
 * policy runs: under the engine, in the offline gate, or called directly by a test.
 */
function withSchemaDefaults<Args extends { getConfig<T extends object>(): T }>(args: Args, defaults: Record<string, unknown>): Args {
    const getConfig = <T extends object>(): T => {
        const given = Object.entries(args.getConfig<Record<string, unknown>>()).filter(([, value]) => value !== undefined);
        return { ...defaults, ...Object.fromEntries(given) } as T;
    };
    return { ...args, getConfig };
}

/**
 * Declares a resource policy. The category becomes the first tag (what the gate groups by); the
 * enforcement level is the default, which users change per policy through policy config
 * (`{ "<policy-name>": { "enforcementLevel": "advisory" } }`), as with any CrossGuard pack.
 */
export function resourcePolicy(policy: Omit<PlatformResourcePolicy, "tags"> & { tags?: string[] }): PlatformResourcePolicy {
    const defaults = defaultsOf(policy.configSchema);
    const wrap = (validate: ResourceValidation): ResourceValidation => (args, reportViolation) => validate(withSchemaDefaults(args, defaults), reportViolation);
    const validateResource = Array.isArray(policy.validateResource) ? policy.validateResource.map(wrap) : policy.validateResource && wrap(policy.validateResource);
    return { ...policy, validateResource, tags: [policy.category, ...(policy.tags ?? [])] };
}

/** Declares a stack policy (one that needs to see several resources together). */
export function stackPolicy(policy: Omit<PlatformStackPolicy, "tags"> & { tags?: string[] }): PlatformStackPolicy {
    const defaults = defaultsOf(policy.configSchema);
    const validateStack: StackValidation = (args, reportViolation) => policy.validateStack(withSchemaDefaults(args, defaults), reportViolation);
    return { ...policy, validateStack, tags: [policy.category, ...(policy.tags ?? [])] };
}
