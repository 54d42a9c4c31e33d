import type { DeletionLags } from "../../components/dataProtection/ages";

/**
 * The account audit's vocabulary (`npm run audit-retention`): what it inventories, the settings it judges against,
 * and one row per store. Plain data: the store modules produce rows, the CLI prints them.
 */

/**
 * The tag that marks a resource as holding an exempted store (its value: the store's name, e.g. "kpi-objects"). The
 * same key as `EXEMPTION_TAG` in components/dataProtection/component.ts, which the components apply (that module loads
 * Pulumi, which the audit does not need); test/integration/audit checks the two agree.
 */
export const DEFAULT_EXEMPTION_TAG = "data-protection-exemption";

/** The kinds of store the audit inventories, in the order the report prints them. */
export const STORE_KINDS = ["log-groups", "log-account-policies", "s3", "sqs", "kinesis", "dynamodb", "athena", "elasticsearch"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/**
 * `ok`: the worst case is within the limit. `exempt`: over the limit, but the loaded stack config exempts the store
 * AND the store carries the exemption tag, and its worst case is within the exemption's own bound. `too long`: it can
 * keep data past the limit. `unknown`: it could not be read (permission or API missing): not proven, so it fails.
 */
export type AuditVerdict = "ok" | "exempt" | "too long" | "unknown";

/** One exemption of the stack config (`dataProtection.exemptions`). */
export interface AuditExemption {
    store: string;
    reason: string;
    maxAgeDays: number;
}

/** What the audit judges against: the limit, the deletion lags, and what the loaded stack config says. */
export interface AuditSettings {
    limitHours: number;
    lags: DeletionLags;
    /** The stack's exemptions (empty without `--stack`: a tag alone never exempts). */
    exemptions: readonly AuditExemption[];
    /** The tag (and Elasticsearch template `_meta` key) that marks a store as holding an exempted store's data. */
    exemptionTag: string;
    /**
     * The stack's trips table (`--stack`): its writers set the TTL attribute at most `itemLifetimeHours` after a trip
     * (`kpi.tripRetentionDays`), which bounds an item's life. Other tables' item lifetimes are unknown to the audit.
     */
    tripsTable?: { name: string; ttlAttribute: string; itemLifetimeHours: number };
}

/** One store (or, for compliant log groups, a count of them) with its worst case and verdict. */
export interface AuditRow {
    kind: StoreKind;
    /** The store's name; for a summary row, what it counts (e.g. "142 log groups"). */
    name: string;
    /** The region, or "global" / the Elasticsearch node for stores outside a region. */
    region: string;
    /** How it keeps data, e.g. "retention 3d + lag 72h" or "expire 2d + noncurrent 1d (versioned)". */
    keeps: string;
    /** Worst-case age in hours (Infinity = until someone deletes it); undefined when unknown. */
    worstHours?: number;
    verdict: AuditVerdict;
    /** Why an exemption applied or was refused, or what could not be read. */
    note?: string;
    /** Summary rows: how many stores the row stands for. */
    count?: number;
}

/** The error of a listing or read, as a short, data-free text (the error's name and message). */
export function errorText(error: unknown): string {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
}

/** The AWS error code of a thrown SDK error (its `name`), or undefined. */
export function errorCode(error: unknown): string | undefined {
    return error instanceof Error ? error.name : undefined;
}

/** Runs `work` over `items`, at most `limit` at once, keeping the order of the results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array<R>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}
