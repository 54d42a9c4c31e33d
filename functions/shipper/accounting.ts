import type { Logger } from "../shared/logger";
import { publishCounts, type Metrics } from "../shared/metrics";

export interface Counts {
    received: number;
    shipped: number;
    alreadyPresent: number;
    deadLettered: number;
    failedForRetry: number;
    filtered: number;
}

/** received must equal the sum of the outcomes; anything else is a bug somewhere that may have lost data. */
export function accountingBreach(counts: Counts): boolean {
    return counts.received !== counts.shipped + counts.alreadyPresent + counts.deadLettered + counts.failedForRetry + counts.filtered;
}

/**
 * Publishes one invocation's counts as EMF (dimensions service and source: what the LogShipper alarms watch) with `AccountingBreach` 0 or 1, and logs them
 * (counts only). A breach is also logged at error level: the alarm on AccountingBreach fires on it.
 */
export function publishAccounting(metrics: Metrics, logger: Logger, source: string, counts: Counts, extra: Record<string, unknown> = {}): boolean {
    const breach = accountingBreach(counts);
    publishCounts(
        metrics,
        { source },
        {
            Received: counts.received,
            Shipped: counts.shipped,
            AlreadyPresent: counts.alreadyPresent,
            DeadLettered: counts.deadLettered,
            FailedForRetry: counts.failedForRetry,
            Filtered: counts.filtered,
            AccountingBreach: breach ? 1 : 0,
        },
    );
    if (breach) logger.error("accounting breach: received differs from the sum of the outcomes", { source, ...counts, ...extra });
    else logger.info("shipped", { source, ...counts, ...extra });
    return breach;
}
