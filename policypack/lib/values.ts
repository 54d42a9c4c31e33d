/**
 * Reading resource properties safely during preview. @pulumi/policy hands policies a proxy that throws
 * when an unknown (not yet computed) value is touched; these helpers read the plain values underneath
 * and treat unknowns as "cannot tell", so a policy never reports a false violation or crashes on them.
 */
interface PolicyProxyInternals {
    isSpecialProxy: string;
    getSpecialProxyTarget: string;
    unknownArrayValue: string;
    unknownAssetValue: string;
    unknownArchiveValue: string;
    unknownBooleanValue: string;
    unknownNumberValue: string;
    unknownObjectValue: string;
    unknownStringValue: string;
}

// @pulumi/policy marks these internal (its .d.ts exports none of them), so they are read at run time,
// from the same module the policy server uses to build the proxy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as PolicyProxyInternals;
const { isSpecialProxy, getSpecialProxyTarget } = proxy;

const UNKNOWN_SENTINELS = new Set<unknown>([
    proxy.unknownArrayValue,
    proxy.unknownAssetValue,
    proxy.unknownArchiveValue,
    proxy.unknownBooleanValue,
    proxy.unknownNumberValue,
    proxy.unknownObjectValue,
    proxy.unknownStringValue,
]);

/** A value that will only be known after the update (e.g. a computed ARN during preview). */
export const UNKNOWN: unique symbol = Symbol("unknown");

export type Props = Record<string, unknown>;

/** Returns the plain (unproxied) properties; unknown values remain as their sentinels. */
export function plain(props: unknown): Props {
    if (props && typeof props === "object" && (props as Record<string, unknown>)[isSpecialProxy] === true) {
        return (props as Record<string, unknown>)[getSpecialProxyTarget] as Props;
    }
    return (props ?? {}) as Props;
}

export function isUnknown(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** Reads a (dotted) path; `UNKNOWN` if any step of it is unknown, `undefined` if absent. */
export function get(props: unknown, path: string): unknown {
    let current: unknown = plain(props);
    for (const part of path.split(".")) {
        if (isUnknown(current)) {
            return UNKNOWN;
        }
        if (current === null || typeof current !== "object") {
            return undefined;
        }
        current = (current as Record<string, unknown>)[part];
    }
    return isUnknown(current) ? UNKNOWN : current;
}

/** True if the value, or anything inside it, is unknown. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN || isUnknown(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    if (value && typeof value === "object") {
        return Object.values(value as Record<string, unknown>).some(containsUnknown);
    }
    return false;
}

export function asString(value: unknown): string | undefined {
    return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
    if (typeof value === "number") {
        return value;
    }
    if (typeof value === "string" && value.trim() !== "" && !isUnknown(value) && !Number.isNaN(Number(value))) {
        return Number(value);
    }
    return undefined;
}

export function asArray(value: unknown): unknown[] {
    if (value === undefined || value === null || value === UNKNOWN || isUnknown(value)) {
        return [];
    }
    return Array.isArray(value) ? value : [value];
}

/**
 * Every value at a dotted path, stepping into each element where a step is a list
 * (`definition.iamActionDefinition.policyArn`, `rules.destination.bucket`); unknown steps give UNKNOWN.
 */
export function valuesAt(props: unknown, path: string): unknown[] {
    let current: unknown[] = [plain(props)];
    for (const part of path.split(".")) {
        current = current.flatMap((value): unknown[] => {
            if (value === UNKNOWN || isUnknown(value)) {
                return [UNKNOWN];
            }
            if (Array.isArray(value)) {
                return value.map((element) => get(element, part));
            }
            return [get(value, part)];
        });
    }
    return current.flatMap((value): unknown[] => (Array.isArray(value) ? (value as unknown[]) : [value])).filter((value) => value !== undefined && value !== null);
}
