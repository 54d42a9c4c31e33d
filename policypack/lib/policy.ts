import { EnforcementLevel, ResourceValidationPolicy, Severity, StackValidationPolicy } from "@pulumi/policy";

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

/**
 * Declares a resource policy. The category becomes the first tag (what the gate groups by); the
 * enforcement level is the default, which users change per policy through policy config
 * (`{ "<policy-name>": { "enforcementLevel": "advisory" } }`), as with any CrossGuard pack.
 */
export function resourcePolicy(policy: Omit<PlatformResourcePolicy, "tags"> & { tags?: string[] }): PlatformResourcePolicy {
    return { ...policy, tags: [policy.category, ...(policy.tags ?? [])] };
}

/** Declares a stack policy (one that needs to see several resources together). */
export function stackPolicy(policy: Omit<PlatformStackPolicy, "tags"> & { tags?: string[] }): PlatformStackPolicy {
    return { ...policy, tags: [policy.category, ...(policy.tags ?? [])] };
}
