/**
 * The region a resource lives in, for matching resources by name: two resources with the same name in
 * different regions are different resources (a Lambda in us-east-1 writes to the log group of its name
 * in us-east-1, not to the stack region's). Provider v7 takes a per-resource `region` and reports the
 * region of every regional resource, set or not.
 */
import { asString, get, UNKNOWN } from "./values";

/**
 * The provider's region, where a resource reports none (state from before provider v7, or a unit test).
 * It is taken to differ from every region a resource names itself: a per-resource `region` is set to
 * put the resource somewhere else than its provider's region.
 */
export const PROVIDER_REGION: unique symbol = Symbol("the provider's region");

export type Region = string | typeof PROVIDER_REGION | typeof UNKNOWN;

/** A resource's region: its `region` property, else the provider's. */
export function regionOf(props: unknown): Region {
    const region = get(props, "region");
    if (region === UNKNOWN) {
        return UNKNOWN;
    }
    const given = asString(region);
    return given !== undefined && given !== "" ? given : PROVIDER_REGION;
}

/** The region of an ARN, or the provider's for an ARN without one. */
export function regionOfArn(arn: string): Region {
    return /^arn:[^:]+:[^:]+:([a-z0-9-]+):/.exec(arn)?.[1] ?? PROVIDER_REGION;
}

/** Whether two regions are the same; UNKNOWN while either is not known yet. */
export function sameRegion(a: Region, b: Region): boolean | typeof UNKNOWN {
    return a === UNKNOWN || b === UNKNOWN ? UNKNOWN : a === b;
}

/** A region for messages. */
export function describeRegion(region: Region): string {
    return region === PROVIDER_REGION ? "the provider's region" : region === UNKNOWN ? "a region not known yet" : region;
}
