import { PolicyResource } from "@pulumi/policy";

import { asString, get } from "./values";

/**
 * True when `attached` (e.g. a bucket's encryption configuration) targets `target` through the property
 * `property`: by a dependency on that property (works while names are still unknown), or by equal names.
 */
export function targets(attached: PolicyResource, property: string, target: PolicyResource, targetNameProps: string[]): boolean {
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
