import { InputError } from "../../functions/shared/errors";
import { UsageError } from "../shared/args";

export { UsageError };

export interface FlagSpec {
    /** Flags that take a value (`--event <file>`). */
    values: string[];
    /** Flags that stand alone (`--json`). */
    switches: string[];
}

export interface ParsedArgs {
    values: Record<string, string>;
    switches: Set<string>;
    positional: string[];
}

/** Parses `--flag value`, `--flag=value` and `--switch`; an unknown flag or a missing value is a UsageError naming it. */
export function parseArgs(argv: string[], spec: FlagSpec, usage: string): ParsedArgs {
    const parsed: ParsedArgs = { values: {}, switches: new Set(), positional: [] };
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        if (!arg.startsWith("--")) {
            parsed.positional.push(arg);
            continue;
        }
        const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        if (spec.switches.includes(flag)) {
            if (inline !== undefined) {
                throw new UsageError(`${flag} takes no value\n${usage}`);
            }
            parsed.switches.add(flag);
        } else if (spec.values.includes(flag)) {
            const value = inline ?? argv[++index];
            if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
                throw new UsageError(`${flag} needs a value\n${usage}`);
            }
            parsed.values[flag] = value;
        } else {
            throw new UsageError(`unknown option ${flag}\n${usage}`);
        }
    }
    return parsed;
}

/**
 * Runs a CLI's main: exit code from main; 2 for a UsageError or an InputError (the shipper's "this input is not
 * what I accept": the message names the input and the fix); 1 for anything else (message, no stack unless DEBUG).
 */
export function runCli(main: () => Promise<number>): void {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            if (error instanceof UsageError || error instanceof InputError) {
                console.error(`error: ${error.message}`);
                process.exit(2);
            }
            console.error(`error: ${error instanceof Error ? (process.env["DEBUG"] ? (error.stack ?? error.message) : error.message) : String(error)}`);
            process.exit(1);
        },
    );
}
