/** The part of the Lambda context that tells how much time an invocation has left. */
export interface RemainingTime {
    getRemainingTimeInMillis(): number;
}

/**
 * An invocation's time budget: work that cannot finish before `msLeft() - reserveMs` is not started, and
 * request timeouts are kept below the time left, so the function answers before Lambda kills it.
 */
export class Deadline {
    private readonly endsAt: number;

    constructor(
        context: RemainingTime | undefined,
        private readonly reserveMs: number,
        fallbackMs = 60_000,
    ) {
        this.endsAt = Date.now() + (context ? context.getRemainingTimeInMillis() : fallbackMs);
    }

    /** Milliseconds left before the reserve is reached (never negative). */
    msLeft(): number {
        return Math.max(0, this.endsAt - this.reserveMs - Date.now());
    }

    expired(): boolean {
        return this.msLeft() === 0;
    }

    /** A timeout for one request: at most `capMs`, and never past the budget. */
    timeoutMs(capMs: number): number {
        return Math.max(1, Math.min(capMs, this.msLeft()));
    }
}
