import * as pulumi from "@pulumi/pulumi";

import { formatHours } from "./ages";
import type { RetentionPlan } from "./plan";

/** The tag that marks a resource holding an exempted store (its value: the exemption's store name). */
export const EXEMPTION_TAG = "data-protection-exemption";

export interface DataProtectionArgs {
    plan: RetentionPlan;
    maxAgeDays: number;
}

/**
 * The stack's data-protection plan as a resource: its limit, deletion lags, exemptions and every store's worst-case
 * age are registered as the component's inputs, so the policy pack (and `npm run preview -- --json`) read the
 * same plan the components applied. The preview prints the plan, and each exemption as a warning.
 */
export class DataProtection extends pulumi.ComponentResource {
    constructor(name: string, args: DataProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
        const { plan } = args;
        super(
            "log-platform:security:DataProtection",
            name,
            {
                maxAgeDays: args.maxAgeDays,
                deletionLagHours: plan.values.lags,
                exemptions: plan.exemptions,
                stores: plan.stores.map((store) => ({ store: store.store, worstHours: roundHours(store.worstHours), verdict: store.verdict })),
            },
            opts,
        );
        void pulumi.log.info(formatPlan(plan, args.maxAgeDays), this);
        for (const exemption of plan.exemptions) {
            void pulumi.log.warn(
                `data-protection exemption "${exemption.store}": keeps data up to ${exemption.maxAgeDays} days, past the ${args.maxAgeDays}-day limit. Reason: ${exemption.reason}`,
                this,
            );
        }
        this.registerOutputs({});
    }
}

function roundHours(hours: number): number | string {
    return Number.isFinite(hours) ? Math.round(hours * 100) / 100 : "forever";
}

/** The plan as a table: store, how it keeps data, time upstream, worst-case age, verdict. */
export function formatPlan(plan: RetentionPlan, maxAgeDays: number): string {
    const header = ["store", "keeps", "upstream", "worst case", "verdict"];
    const rows = plan.stores.map((store) => [
        store.store,
        store.keeps,
        formatHours(store.upstreamHours),
        formatHours(store.worstHours),
        store.verdict === "exempt" ? `exempt (${store.exemption?.maxAgeDays}d)` : store.verdict,
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
    const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
    return [`Data protection: nothing kept longer than ${maxAgeDays} days, counted end to end (docs/retention.md)`, line(header), ...rows.map(line)].join("\n");
}
