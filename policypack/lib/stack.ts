import { PolicyResource } from "@pulumi/policy";

import { regionOf, sameRegion } from "./regions";
import { asString, get } from "./values";

export interface TargetOptions {
    /**
     * The two are regional resources matched by name (a function and its alarm, its log group, its event
     * source mapping): a name in another region is another resource. Unknown regions do not rule a match out.
     */
    sameRegion?: boolean;
}

/**
 * True when `attached` (e.g. a bucket's encryption configuration) targets `target` through the property
 * `property`: by a dependency on that property (works while names are still unknown), or by equal names.
 */
export function targets(attached: PolicyResource, property: string, target: PolicyResource, targetNameProps: string[], options: TargetOptions = {}): boolean {
    if (options.sameRegion && sameRegion(regionOf(attached.props), regionOf(target.props)) === false) {
        return false;
    }
    if ((attached.propertyDependencies[property] ?? []).some((dependency) => dependency.urn === target.urn)) {
        return true;
    }
    const reference = asString(get(attached.props, property));
    if (reference === undefined) {
        return false;
    }
    return targetNameProps.some((prop) => asString(get(target.props, prop)) === reference);
}

export function ofTypes(resources: PolicyResource[], ...types: string[]): PolicyResource[] {
    return resources.filter((resource) => types.includes(resource.type));
}
