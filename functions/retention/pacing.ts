import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

/**
 * Client-side pacing for quota-limited APIs. A pacer releases callers, one at a time and in call order, on slots
 * spaced `1000 / perSecond` ms apart, stretched by MARGIN. Every attempt takes a slot, retries included: the pace
 * holds whatever the SDK's retry strategy does.
 *
 * Slots follow a schedule, so a timer firing a millisecond late does not push every later call back (the pace
 * would drift below the configured one). A caller released more than TOLERANCE_MS after its slot (the event loop
 * was busy) re-bases the schedule at its release, so the slots missed meanwhile are never released together.
 * Releases in any window of W ms then number at most ceil((W + TOLERANCE_MS) / interval); with MARGIN = 5% the
 * window can be 1000 ms plus 35 ms of jitter between release and arrival (event loop, network) and still hold at
 * most `perSecond` calls on the server's side.
 */
export class Pacer {
    /** Slots are this much wider than the exact pace. */
    static readonly MARGIN = 0.05;
    /** Lateness the schedule absorbs (the rest of 1000 ms x MARGIN is left for jitter after release). */
    static readonly TOLERANCE_MS = 15;
    readonly intervalMs: number;
    // State is set in the constructor, not by field initializers: closure serialization drops those.
    private nextSlot: number;
    private queue: Promise<void>;

    constructor(
        readonly perSecond: number,
        private readonly clock: () => number = Date.now,
    ) {
        if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
            throw new Error(`Pacer: perSecond must be a positive number, got ${String(perSecond)}`);
        }
        this.intervalMs = (1000 / perSecond) * (1 + Pacer.MARGIN);
        this.nextSlot = -Infinity;
        this.queue = Promise.resolve();
    }

    /** Resolves when this caller may start (callers are served in call order). */
    take(): Promise<void> {
        const turn = this.queue.then(async () => {
            let slot = Math.max(this.nextSlot, this.clock());
            // A loop: Node may fire a timer a millisecond before Date.now() says it is due.
            for (let wait = slot - this.clock(); wait > 0; wait = slot - this.clock()) {
                await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
            }
            const released = this.clock();
            if (released - slot > Pacer.TOLERANCE_MS) slot = released;
            this.nextSlot = slot + this.intervalMs;
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
