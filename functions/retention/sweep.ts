import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeLogGroupsCommandOutput, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";

import { describeError, RetryableError } from "../shared/errors";
import { RetentionSettings } from "./config";
import { makeDecider } from "./decision";
import { createPacedLogsClient } from "./logsClient";

/** DescribeLogGroups' largest page. */
export const PAGE_SIZE = 50;

/**
 * What a sweep did so far; carried from one invocation to the next when a sweep is resumed.
 * scanned = changed + wouldChange + compliant + deliverySkipped + excluded + failed + vanished.
 */
export interface SweepTotals {
    scanned: number;
    /** PutRetentionPolicy succeeded (always 0 in a dry run). */
    changed: number;
    /** Dry run only: groups that would have been changed. */
    wouldChange: number;
    /** Retention already at or under the target: left alone. */
    compliant: number;
    /** DELIVERY class: retention fixed by the service, skipped. */
    deliverySkipped: number;
    excluded: number;
    failed: number;
    /** Deleted between the describe and the put: nothing left to enforce. */
    vanished: number;
    pages: number;
    /** Names, each list capped at `listLimit` (the counts above are exact). */
    failedGroups: string[];
    changedGroups: string[];
    excludedGroups: string[];
    deliveryGroups: string[];
    /** True when some list above was capped. */
    listsTruncated: boolean;
}

export interface SweepResult extends SweepTotals {
    region: string;
    targetDays: number;
    dryRun: boolean;
    /** False when the sweep stopped at a page boundary to respect its time budget; resume from `nextToken`. */
    complete: boolean;
    nextToken?: string;
}

export interface SweepOptions {
    region: string;
    settings: RetentionSettings;
    dryRun?: boolean;
    /** Resume here (the `nextToken` of a previous, incomplete result). */
    startToken?: string;
    /** Totals of the previous invocations of the same sweep. */
    totals?: SweepTotals;
    /** Milliseconds left in this invocation's budget; the sweep stops at a page boundary before it runs out. Unbounded when absent. */
    msLeft?: () => number;
    client?: CloudWatchLogsClient;
    /** Called after each page with the totals so far (progress bars). */
    onPage?: (totals: SweepTotals) => void;
    /** Cap of each name list (default 200, which keeps a resumed sweep's event far below Lambda's 256 KB). */
    listLimit?: number;
    /** Told about each group whose put failed after every retry (for the log: name and error, never more). */
    onPutFailure?: (logGroupName: string, error: unknown) => void;
}

export function emptyTotals(): SweepTotals {
    return {
        scanned: 0,
        changed: 0,
        wouldChange: 0,
        compliant: 0,
        deliverySkipped: 0,
        excluded: 0,
        failed: 0,
        vanished: 0,
        pages: 0,
        failedGroups: [],
        changedGroups: [],
        excludedGroups: [],
        deliveryGroups: [],
        listsTruncated: false,
    };
}

/**
 * Sweeps the log groups of one region, page by page (DescribeLogGroups, 50 a page), putting the target
 * retention on every group that keeps logs longer or forever, paced under the configured rates. The next
 * page is fetched while the current one's puts run. Between pages, when the remaining budget would not
 * cover one more page at the configured pace, it stops and returns `complete: false` with the token to
 * resume from: every page is finished before the token moves past it, so no group is missed, and a group
 * already set (by this sweep or anything else) is simply compliant when seen again.
 */
export async function sweepRegion(options: SweepOptions): Promise<SweepResult> {
    const { region, settings } = options;
    const dryRun = options.dryRun ?? false;
    const client = options.client ?? createPacedLogsClient(region, settings);
    const decide = makeDecider(settings);
    const totals: SweepTotals = cloneTotals(options.totals ?? emptyTotals());
    const listLimit = options.listLimit ?? 200;
    const msLeft = options.msLeft ?? (() => Infinity);
    // The longest a page can take: one describe plus 50 puts at the pace (retries stretch it; the reserve covers that).
    const worstPageMs = (PAGE_SIZE * 1000 * 1.03) / settings.putsPerSecond + (1000 * 1.03) / settings.describesPerSecond;
    let slowestPageMs = 0;

    const describe = (token: string | undefined): Promise<DescribeLogGroupsCommandOutput> =>
        client.send(new DescribeLogGroupsCommand({ limit: PAGE_SIZE, ...(token === undefined ? {} : { nextToken: token }) })).catch((error: unknown) => {
            throw new RetryableError(`DescribeLogGroups in ${region} failed after retries: ${describeError(error)}`, { cause: error });
        });
    const push = (list: string[], name: string) => {
        if (list.length < listLimit) list.push(name);
        else totals.listsTruncated = true;
    };

    let token = options.startToken;
    let current: Promise<DescribeLogGroupsCommandOutput> | undefined = describe(token);
    while (current) {
        const started = Date.now();
        const page = await current;
        current = undefined;
        const next = page.nextToken;
        // Prefetch only when the budget covers this page and the next one; the prefetched page is then always used.
        const budgetForTwo = msLeft() > 2 * Math.max(worstPageMs, slowestPageMs);
        if (next !== undefined && budgetForTwo) {
            current = describe(next);
            current.catch(() => undefined); // handled when awaited
        }

        const puts: Promise<void>[] = [];
        const work: (() => Promise<void>)[] = [];
        for (const group of page.logGroups ?? []) {
            const name = group.logGroupName;
            if (name === undefined) continue;
            totals.scanned++;
            const decision = decide(group);
            switch (decision.action) {
                case "excluded":
                    totals.excluded++;
                    push(totals.excludedGroups, name);
                    break;
                case "delivery":
                    totals.deliverySkipped++;
                    push(totals.deliveryGroups, name);
                    break;
                case "compliant":
                    totals.compliant++;
                    break;
                case "set":
                    if (dryRun) {
                        totals.wouldChange++;
                        push(totals.changedGroups, name);
                    } else {
                        work.push(() => putRetention(client, name, settings.targetDays, options.onPutFailure).then((outcome) => {
                            if (outcome === "changed") {
                                totals.changed++;
                                push(totals.changedGroups, name);
                            } else if (outcome === "vanished") {
                                totals.vanished++;
                            } else {
                                totals.failed++;
                                push(totals.failedGroups, name);
                            }
                        }));
                    }
                    break;
            }
        }
        // A few calls in flight keep the pace busy while one backs off; the pacer decides when each starts.
        const concurrency = Math.min(25, Math.max(2, Math.ceil(settings.putsPerSecond)));
        for (let worker = 0; worker < concurrency; worker++) {
            puts.push((async () => {
                for (let job = work.shift(); job; job = work.shift()) await job();
            })());
        }
        await Promise.all(puts);
        totals.pages++;
        token = next;
        slowestPageMs = Math.max(slowestPageMs, Date.now() - started);
        options.onPage?.(cloneTotals(totals));
        if (next === undefined) {
            return { ...totals, region, targetDays: settings.targetDays, dryRun, complete: true };
        }
        if (!current) {
            if (msLeft() > Math.max(worstPageMs, slowestPageMs)) {
                current = describe(next);
            } else {
                return { ...totals, region, targetDays: settings.targetDays, dryRun, complete: false, nextToken: next };
            }
        }
    }
    throw new Error("sweepRegion: unreachable");
}

/** One PutRetentionPolicy (retries and pacing are the client's); never throws. */
async function putRetention(
    client: CloudWatchLogsClient,
    logGroupName: string,
    days: number,
    onFailure?: (logGroupName: string, error: unknown) => void,
): Promise<"changed" | "vanished" | "failed"> {
    try {
        await client.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: days }));
        return "changed";
    } catch (error) {
        if (error instanceof Error && error.name === "ResourceNotFoundException") return "vanished";
        onFailure?.(logGroupName, error);
        return "failed";
    }
}

function cloneTotals(totals: SweepTotals): SweepTotals {
    return {
        ...totals,
        failedGroups: [...totals.failedGroups],
        changedGroups: [...totals.changedGroups],
        excludedGroups: [...totals.excludedGroups],
        deliveryGroups: [...totals.deliveryGroups],
    };
}
