/**
 * Errors with a meaning for the caller. A Lambda that throws fails its invocation (Lambda retries it, then
 * hands it to the on-failure destination); these classes say which of those outcomes is wanted.
 */

/** The event or an input is not what this function accepts: retrying cannot help. Names the input and the fix. */
export class InputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InputError";
        keepErrorShape(this, message);
    }
}

/** A dependency failed in a way a later attempt can succeed (throttling, 5xx, timeouts, time budget). */
export class RetryableError extends Error {
    constructor(message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = "RetryableError";
        keepErrorShape(this, message, options);
    }
}

/**
 * A serialized closure (CallbackFunction) turns these classes into plain functions whose `super(...)` is
 * `Error.call(this, ...)`, which initialises nothing: the instance would have no message, no stack and would
 * not be an `instanceof Error` (Lambda would then report an error without its message). This restores all
 * three; in unserialized code it changes nothing.
 */
function keepErrorShape(error: Error, message: string, options?: { cause?: unknown }): void {
    if (error instanceof Error && error.message === message) return;
    const prototype = Object.getPrototypeOf(error) as object;
    if (!(error instanceof Error)) Object.setPrototypeOf(prototype, Error.prototype);
    Object.defineProperty(error, "message", { value: message, writable: true, configurable: true, enumerable: false });
    if (options?.cause !== undefined) Object.defineProperty(error, "cause", { value: options.cause, writable: true, configurable: true, enumerable: false });
    Error.captureStackTrace(error, error.constructor);
}

/** A short, log-safe description of any thrown value: its name and message, never a payload. */
export function describeError(error: unknown): string {
    if (error instanceof Error) {
        return `${error.name}: ${error.message}`;
    }
    return String(error);
}
