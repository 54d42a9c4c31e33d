/**
 * Data-protection exemptions: a store may keep data past the limit only when BOTH the stack declares the
 * exemption (a DataProtection component whose `exemptions` name the store with a reason and a bound, or the
 * policy config's `exemptions`) AND the resource holding the data carries the tag
 * `data-protection-exemption=<store>`. Either half alone exempts nothing.
 */
import { PolicyResource } from "@pulumi/policy";

import { DataAgeSettings, Exemption, exemptionOf } from "./dataAgeConfig";
import { HOURS_PER_DAY } from "../../components/dataProtection/ages";
import { ofTypes } from "./stack";
import { asArray, asString, get, UNKNOWN } from "./values";

/** The program's plan as a resource (components/dataProtection/component.ts). */
export const DATA_PROTECTION_TYPE = "log-platform:security:DataProtection";
/** The tag naming the exempted store a resource holds (the same string as the component's EXEMPTION_TAG). */
export const EXEMPTION_TAG = "data-protection-exemption";

/** Every valid exemption the stack declares: its DataProtection components' and the policy config's. */
export function declaredExemptions(resources: PolicyResource[], settings: DataAgeSettings): Exemption[] {
    const fromComponents = ofTypes(resources, DATA_PROTECTION_TYPE).flatMap((component) =>
        asArray(get(component.props, "exemptions"))
            .map((entry) => exemptionOf(entry, `DataProtection component "${component.name}"`))
            .filter((entry): entry is Exemption => entry !== undefined),
    );
    return [...fromComponents, ...settings.configExemptions];
}

/** The exemption tag's value on a resource (its own tags, or tagsAll with the provider's default tags). */
export function exemptionTag(resource: PolicyResource): string | undefined | typeof UNKNOWN {
    for (const property of ["tags", "tagsAll"]) {
        const tags = get(resource.props, property);
        if (tags === UNKNOWN) {
            return UNKNOWN;
        }
        const value = get(tags, EXEMPTION_TAG);
        if (value === UNKNOWN) {
            return UNKNOWN;
        }
        if (asString(value) !== undefined) {
            return asString(value);
        }
    }
    return undefined;
}

/** What a store may keep: the limit, or an exemption's own bound when both halves of the exemption are there. */
export interface StoreBound {
    hours: number;
    days: number;
    exemption?: Exemption;
}

export function boundOf(resource: PolicyResource, exemptions: Exemption[], settings: DataAgeSettings): StoreBound {
    const tag = exemptionTag(resource);
    const exemption = typeof tag === "string" ? exemptions.find((entry) => entry.store === tag) : undefined;
    if (exemption) {
        return { hours: exemption.maxAgeDays * HOURS_PER_DAY, days: exemption.maxAgeDays, exemption };
    }
    return { hours: settings.limitHours, days: settings.maxAgeDays };
}

/** "the 7-day limit" or "its exemption's 400 days (kpi-objects)". */
export function describeBound(bound: StoreBound): string {
    return bound.exemption ? `its exemption's ${bound.days} days ("${bound.exemption.store}")` : `the ${bound.days}-day limit`;
}

/** Every resource of the stack that carries the exemption tag, with the tag's value. */
export function taggedResources(resources: PolicyResource[]): { resource: PolicyResource; store: string }[] {
    return resources.flatMap((resource) => {
        const tag = exemptionTag(resource);
        return typeof tag === "string" ? [{ resource, store: tag }] : [];
    });
}

/** Why a component's exemption entry is not usable (no reason, no bound), for the message on a tagged resource. */
export function invalidEntries(resources: PolicyResource[], store: string): string[] {
    return ofTypes(resources, DATA_PROTECTION_TYPE).flatMap((component) =>
        asArray(get(component.props, "exemptions"))
            .filter((entry) => get(entry, "store") === store && exemptionOf(entry, "") === undefined)
            .map(() => `DataProtection component "${component.name}" names "${store}" without a reason or a positive maxAgeDays`),
    );
}
