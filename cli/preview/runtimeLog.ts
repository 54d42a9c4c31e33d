import { format } from "util";

/** A message the program logged with `pulumi.log` (under mocks the runtime prints it, prefixed by its severity). */
export interface Diagnostic {
    severity: "debug" | "info" | "warning" | "error";
    message: string;
}

const RUNTIME_LINE = /^(debug|info|warning|error): \[runtime\] ([\s\S]*)$/;
const METHODS = ["log", "info", "warn", "error", "debug"] as const;

/**
 * Runs `work` while the console is captured: the Pulumi runtime's log lines become diagnostics, anything else
 * printed goes to `other` (stderr in the CLI), so stdout carries only what the caller prints afterwards.
 */
export async function captureRuntimeLog<T>(work: () => Promise<T>, other: (text: string) => void): Promise<{ result: T; diagnostics: Diagnostic[] }> {
    const diagnostics: Diagnostic[] = [];
    // The console's own functions, put back as they were (not rebound: other code may hold them).
    const saved = METHODS.map((method) => [method, Reflect.get(console, method) as unknown] as const);
    const capture = (...args: unknown[]): void => {
        const text = format(...args);
        const match = RUNTIME_LINE.exec(text);
        if (match) diagnostics.push({ severity: match[1] as Diagnostic["severity"], message: match[2] ?? "" });
        else other(text);
    };
    for (const method of METHODS) console[method] = capture;
    try {
        return { result: await work(), diagnostics };
    } finally {
        for (const [method, original] of saved) Reflect.set(console, method, original);
    }
}
