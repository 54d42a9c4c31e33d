/**
 * Errors with a meaning for the caller. A Lambda that throws fails its invocation (Lambda retries it, then
 * hands it to the on-failure destination); these classes say which of those outcomes is wanted.
 */

/** The event or an input is not what this function accepts: retrying cannot help. Names the input and the fix. */
export class InputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InputError";
    }
}

/** A dependency failed in a way a later attempt can succeed (throttling, 5xx, timeouts, time budget). */
export class RetryableError extends Error {
    constructor(message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = "RetryableError";
    }
}

/** A short, log-safe description of any thrown value: its name and message, never a payload. */
export function describeError(error: unknown): string {
    if (error instanceof Error) {
        return `${error.name}: ${error.message}`;
    }
    return String(error);
}
