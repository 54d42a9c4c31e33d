import { format } from "util";

const METHODS = ["log", "info", "warn", "error", "debug"] as const;

/**
 * Runs `work` with everything printed to the console sent to `other` (stderr in the CLI), so stdout carries only what
 * the caller prints afterwards. The program's own `pulumi.log` messages never reach the console: the offline runner
 * keeps them as the run's diagnostics.
 */
export async function redirectConsole<T>(work: () => Promise<T>, other: (text: string) => void): Promise<T> {
    // The console's own functions, put back as they were (not rebound: other code may hold them).
    const saved = METHODS.map((method) => [method, Reflect.get(console, method) as unknown] as const);
    const print = (...args: unknown[]): void => other(format(...args));
    for (const method of METHODS) console[method] = print;
    try {
        return await work();
    } finally {
        for (const [method, original] of saved) Reflect.set(console, method, original);
    }
}
