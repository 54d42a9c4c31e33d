import { parseArgs, ParseArgsConfig } from "util";

/** A bad command line: the message names the flag and the fix; every operator command exits 2 on it. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

type FlagOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * The `--flag` values of `argv`, parsed strictly by Node's util.parseArgs (no positionals): an unknown flag,
 * a missing value or a value given to a switch is a UsageError naming the flag.
 */
export function parseFlags<O extends FlagOptions>(argv: string[], options: O) {
    try {
        return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
    } catch (error) {
        throw new UsageError(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, "")}: see the usage below`);
    }
}
