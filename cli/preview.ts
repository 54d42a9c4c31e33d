import * as path from "path";

import { ProgramError, runProgramOffline } from "./offline/runProgram";
import { previewDocument } from "./preview/document";
import { redirectConsole } from "./preview/runtimeLog";
import { renderTree } from "./preview/tree";
import { parseFlags, UsageError } from "./shared/args";

export { renderTree } from "./preview/tree";

export const USAGE = `usage: npm run preview -- [--stack prod] [--program <dir>] [--json]

Runs the Pulumi program offline (under mocks, no cloud account) with Pulumi.<stack>.yaml and prints what it
would create: the resource tree and the stack outputs, or with --json one JSON document holding every
resource's type, name, physical name, URN, parent, provider, dependencies and inputs (secrets redacted),
the outputs and the program's messages (docs/deploy.md describes the shape).
Exit: 0 previewed, 1 the program failed (an invalid config names each fix), 2 bad flags.`;

export interface PreviewOptions {
    stack: string;
    programDir: string;
    json: boolean;
}

export function parsePreviewArgs(argv: string[]): PreviewOptions | "help" {
    const flags = parseFlags(argv, { stack: { type: "string" }, program: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } });
    if (flags.help) return "help";
    const stack = flags.stack ?? "prod";
    if (!/^[\w.-]+$/.test(stack)) throw new UsageError(`--stack: expected a stack name like prod (the <stack> of Pulumi.<stack>.yaml), got "${stack}"`);
    return { stack, programDir: path.resolve(flags.program ?? path.join(__dirname, "..")), json: flags.json ?? false };
}

/**
 * Offline preview. Text: the resource tree nested by parent, then the outputs. JSON: stdout holds exactly one
 * document; whatever else the program prints goes to stderr.
 */
export async function runPreview(options: PreviewOptions, out: (text: string) => void = (text) => process.stdout.write(`${text}\n`)): Promise<number> {
    const run = () => runProgramOffline({ programDir: options.programDir, stack: options.stack });
    if (options.json) {
        const result = await redirectConsole(run, (text) => process.stderr.write(`${text}\n`));
        out(JSON.stringify(await previewDocument(result, result.diagnostics), null, 2));
        return 0;
    }
    const result = await run();
    // What the program printed (the data-protection plan, each exemption), as `pulumi preview` shows its diagnostics.
    for (const diagnostic of result.diagnostics.filter((entry) => entry.severity !== "debug")) {
        out(`${diagnostic.severity}: ${diagnostic.message}`);
    }
    out(`Offline preview of ${result.project}/${result.stack}: ${result.resources.length} resources would be created`);
    out(renderTree(result.resources));
    out("Outputs:");
    for (const [key, value] of Object.entries(result.outputs)) {
        out(`  ${key}: ${result.secretOutputs.includes(key) ? "[secret]" : JSON.stringify(value)}`);
    }
    return 0;
}

if (require.main === module) {
    let options: PreviewOptions | "help";
    try {
        options = parsePreviewArgs(process.argv.slice(2));
    } catch (error) {
        console.error(`preview: ${(error as Error).message}\n\n${USAGE}`);
        process.exit(2);
    }
    if (options === "help") {
        console.log(USAGE);
        process.exit(0);
    }
    runPreview(options).then(
        (code) => process.exit(code),
        (error: unknown) => {
            const kind = error instanceof ProgramError ? "the program failed" : "preview failed";
            console.error(`preview: ${kind}: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
        },
    );
}
