import { CloudWatchLogsClient, DescribeLogGroupsCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";

import { describeError, RetryableError } from "../shared/errors";
import { AccountRetentionPolicy, listAccountRetentionPolicies } from "./accountPolicies";
import { RetentionSettings } from "./config";
import { makeDecider } from "./decision";
import { createPacedLogsClient } from "./logsClient";
import { Pacer } from "./pacing";

/** DescribeLogGroups' largest page. */
export const PAGE_SIZE = 50;

/**
 * What a sweep did so far; carried from one invocation to the next when a sweep is resumed.
 * scanned = changed + wouldChange + compliant + deliverySkipped + excluded + overridden + failed + vanished.
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
    /** Left alone on purpose: an exclusion, or another stack's group (`otherStack` of them). */
    excluded: number;
    /** Groups of another stack of this platform (`/aws/lambda/log-platform/<other stack>/`), counted in `excluded` too. */
    otherStack: number;
    /** Governed by an account-level retention policy: never put (it would have no effect), reported. */
    overridden: number;
    failed: number;
    /** Deleted between the describe and the put: nothing left to enforce. */
    vanished: number;
    pages: number;
    /** Names, each list capped at `listLimit` (the counts above are exact). */
    failedGroups: string[];
    changedGroups: string[];
    excludedGroups: string[];
    deliveryGroups: string[];
    overriddenGroups: string[];
    /** Overridden groups per account policy name (exact). */
    overriddenByPolicy: Record<string, number>;
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
    /** The region's account-level RETENTION_POLICY policies, listed at the start of this invocation. */
    accountPolicies: AccountRetentionPolicy[];
    /** Set when they could not be listed (the region is then not verified: its sweep counts as failed). */
    accountPoliciesError?: string;
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
        otherStack: 0,
        overridden: 0,
        failed: 0,
        vanished: 0,
        pages: 0,
        failedGroups: [],
        changedGroups: [],
        excludedGroups: [],
        deliveryGroups: [],
        overriddenGroups: [],
        overriddenByPolicy: {},
        listsTruncated: false,
    };
}

/**
 * Sweeps the log groups of one region. First lists the region's account-level retention policies (a failure is
 * reported in the result, and the sweep goes on: each group still says whether a policy governs it). Then
 * DescribeLogGroups pages (50 a page) feed a bounded queue of puts that a
 * few workers drain at the configured pace, so a put backing off after throttling never holds the others up,
 * and the next page is read while the current one's puts run (at most one page read ahead). When the remaining
 * budget would not cover draining the queue plus one more page, no further page is read: the queued puts
 * finish and the result says `complete: false` with the token after the last page read. Every page read is
 * finished before its token is handed on, so no group is missed, and a group already set (by this sweep or
 * anything else) is simply compliant when seen again.
 */
export async function sweepRegion(options: SweepOptions): Promise<SweepResult> {
    const { region, settings } = options;
    const dryRun = options.dryRun ?? false;
    const client = options.client ?? createPacedLogsClient(region, settings);
    const decide = makeDecider(settings);
    const totals: SweepTotals = cloneTotals(options.totals ?? emptyTotals());
    const listLimit = options.listLimit ?? 200;
    const msLeft = options.msLeft ?? (() => Infinity);
    const putMs = (1000 * (1 + Pacer.MARGIN)) / settings.putsPerSecond;
    const push = (list: string[], name: string) => {
        if (list.length < listLimit) list.push(name);
        else totals.listsTruncated = true;
    };

    const queue = new WorkQueue();
    let pending = 0; // queued or in flight
    const put = (name: string) => async () => {
        const outcome = await putRetention(client, name, settings.targetDays, options.onPutFailure);
        if (outcome === "changed") {
            totals.changed++;
            push(totals.changedGroups, name);
        } else if (outcome === "vanished") {
            totals.vanished++;
        } else {
            totals.failed++;
            push(totals.failedGroups, name);
        }
        pending--;
    };
    // A few calls in flight keep the pace busy while some back off; the pacer decides when each starts.
    const concurrency = Math.min(25, Math.max(2, Math.ceil(settings.putsPerSecond)));
    const workers = Array.from({ length: concurrency }, async () => {
        for (let job = await queue.next(); job; job = await queue.next()) await job();
    });

    let accountPolicies: AccountRetentionPolicy[] = [];
    let accountPoliciesError: string | undefined;
    try {
        accountPolicies = await listAccountRetentionPolicies(client, region);
    } catch (error) {
        accountPoliciesError = describeError(error);
    }

    let token = options.startToken;
    let complete = false;
    let slowestDescribeMs = 0;
    try {
        for (let first = true; ; first = false) {
            // Time to finish what is queued, read one more page and put all of it.
            const needed = (pending + PAGE_SIZE) * putMs + slowestDescribeMs + 1000 / settings.describesPerSecond;
            if (!first && msLeft() < needed) break;
            await queue.whenBelow(PAGE_SIZE);
            const started = Date.now();
            const page = await client.send(new DescribeLogGroupsCommand({ limit: PAGE_SIZE, ...(token === undefined ? {} : { nextToken: token }) })).catch((error: unknown) => {
                throw new RetryableError(`DescribeLogGroups in ${region} failed after retries: ${describeError(error)}`, { cause: error });
            });
            slowestDescribeMs = Math.max(slowestDescribeMs, Date.now() - started);
            for (const group of page.logGroups ?? []) {
                const name = group.logGroupName;
                if (name === undefined) continue;
                totals.scanned++;
                const decision = decide(group);
                if (decision.action === "excluded") {
                    totals.excluded++;
                    if (decision.by === "other-stack") totals.otherStack++;
                    push(totals.excludedGroups, name);
                } else if (decision.action === "overridden") {
                    totals.overridden++;
                    countInto(totals.overriddenByPolicy, decision.policy);
                    push(totals.overriddenGroups, name);
                } else if (decision.action === "delivery") {
                    totals.deliverySkipped++;
                    push(totals.deliveryGroups, name);
                } else if (decision.action === "compliant") {
                    totals.compliant++;
                } else if (dryRun) {
                    totals.wouldChange++;
                    push(totals.changedGroups, name);
                } else {
                    pending++;
                    queue.push(put(name));
                }
            }
            totals.pages++;
            token = page.nextToken;
            options.onPage?.(cloneTotals(totals));
            if (token === undefined) {
                complete = true;
                break;
            }
        }
    } finally {
        queue.close();
        await Promise.all(workers);
    }
    options.onPage?.(cloneTotals(totals));
    return {
        ...totals,
        region,
        targetDays: settings.targetDays,
        dryRun,
        complete,
        ...(complete || token === undefined ? {} : { nextToken: token }),
        accountPolicies,
        ...(accountPoliciesError === undefined ? {} : { accountPoliciesError }),
    };
}

/** A FIFO of jobs for a few workers, with a way for the producer to wait until it has room. */
class WorkQueue {
    // State is set in the constructor, not by field initializers: closure serialization drops those.
    private readonly jobs: (() => Promise<void>)[];
    private closed: boolean;
    private waiters: (() => void)[];

    constructor() {
        this.jobs = [];
        this.closed = false;
        this.waiters = [];
    }

    push(job: () => Promise<void>): void {
        this.jobs.push(job);
        this.wake();
    }

    close(): void {
        this.closed = true;
        this.wake();
    }

    /** The next job, or undefined once closed and empty. */
    async next(): Promise<(() => Promise<void>) | undefined> {
        for (;;) {
            const job = this.jobs.shift();
            if (job) {
                this.wake();
                return job;
            }
            if (this.closed) return undefined;
            await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
    }

    async whenBelow(size: number): Promise<void> {
        while (this.jobs.length >= size) await new Promise<void>((resolve) => this.waiters.push(resolve));
    }

    private wake(): void {
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve();
    }
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

/** Adds one to `counts[key]` as an own property (a policy may be named anything, "__proto__" included). */
function countInto(counts: Record<string, number>, key: string): void {
    const current = Object.prototype.hasOwnProperty.call(counts, key) ? (counts[key] ?? 0) : 0;
    Object.defineProperty(counts, key, { value: current + 1, enumerable: true, writable: true, configurable: true });
}

function cloneTotals(totals: SweepTotals): SweepTotals {
    return {
        ...totals,
        failedGroups: [...totals.failedGroups],
        changedGroups: [...totals.changedGroups],
        excludedGroups: [...totals.excludedGroups],
        deliveryGroups: [...totals.deliveryGroups],
        overriddenGroups: [...totals.overriddenGroups],
        overriddenByPolicy: { ...totals.overriddenByPolicy },
    };
}
