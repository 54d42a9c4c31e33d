import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

/**
 * Client-side pacing for quota-limited APIs. A pacer hands out start slots spaced `1000 / perSecond` ms apart
 * (stretched by a small margin, so network jitter cannot squeeze more than `perSecond` requests into any
 * one-second window on the server's side). Every attempt takes a slot, retries included: the pace holds
 * whatever the SDK's retry strategy does.
 */
export class Pacer {
    /** Slots are this much wider than the exact pace: 3% of a slot, so N+1 calls always span more than a second. */
    static readonly MARGIN = 0.03;
    readonly intervalMs: number;
    // State is set in the constructor, not by field initializers: closure serialization drops those.
    private lastRelease: number;
    private queue: Promise<void>;

    constructor(
        readonly perSecond: number,
        private readonly clock: () => number = Date.now,
    ) {
        if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
            throw new Error(`Pacer: perSecond must be a positive number, got ${String(perSecond)}`);
        }
        this.intervalMs = (1000 / perSecond) * (1 + Pacer.MARGIN);
        this.lastRelease = -Infinity;
        this.queue = Promise.resolve();
    }

    /**
     * Resolves when this caller may start (callers are served in call order). Spacing is measured from the
     * previous caller's actual release, not from a precomputed schedule: timers that fire late (a busy event
     * loop) delay the calls after them instead of releasing them together.
     */
    take(): Promise<void> {
        const turn = this.queue.then(async () => {
            // A loop: Node may fire a timer a millisecond before Date.now() says it is due.
            for (let wait = this.lastRelease + this.intervalMs - this.clock(); wait > 0; wait = this.lastRelease + this.intervalMs - this.clock()) {
                await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
            }
            this.lastRelease = this.clock();
        });
        this.queue = turn;
        return turn;
    }
}

/** An SDK v3 client's middleware stack (the Logs client's type stands for any: they share the shape). */
type MiddlewareClient = Pick<CloudWatchLogsClient, "middlewareStack">;

/**
 * Installs pacing into an SDK v3 client, per command (`PutRetentionPolicyCommand` → its pacer). The middleware
 * sits in the deserialize step, inside the retry middleware (finalizeRequest step), so it runs once per
 * attempt. It also marks the errors listed in `retryAsThrottling` (e.g. `OperationAbortedException`, which
 * the SDK does not retry by itself) as throttling, so the SDK's `standard` mode retries them with its jittered
 * throttling backoff.
 */
export function installPacing(client: MiddlewareClient, pacers: Record<string, Pacer>, retryAsThrottling: string[] = []): void {
    client.middlewareStack.add(
        (next, context) => async (args) => {
            const pacer = context.commandName === undefined ? undefined : pacers[context.commandName];
            if (pacer) await pacer.take();
            try {
                return await next(args);
            } catch (error) {
                if (error instanceof Error && retryAsThrottling.includes(error.name)) {
                    (error as Error & { $retryable?: { throttling: boolean } }).$retryable = { throttling: true };
                }
                throw error;
            }
        },
        { step: "deserialize", name: "retentionPacing", priority: "high" },
    );
}
