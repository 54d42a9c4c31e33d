import * as fs from "fs";
import * as path from "path";

import { analyze, PolicyConfigError, PolicyConfigFile } from "./gate/analyze";
import { PolicyPackLoadError, PolicyPackProcess } from "./gate/policyPackProcess";
import { renderSarif, renderText, verdictOf } from "./gate/report";
import { ProgramError, runProgramOffline } from "./offline/runProgram";
import { UsageError } from "./shared/args";

const USAGE = `Usage: npm run gate -- [--stack prod] [--program <dir>] [--policy-pack <dir>] [--policy-config <file.json>] [--json] [--sarif <file>]

Runs the Pulumi program under mocks with Pulumi.<stack>.yaml, starts the policy pack the way
\`pulumi preview --policy-pack\` does, and reports every violation by advisor category.
Exit code 0: no mandatory violation. 1: mandatory violations, or the program, the pack or the arguments failed.`;

export interface GateOptions {
    stack: string;
    programDir: string;
    packDir: string;
    policyConfig?: string;
    json: boolean;
    sarif?: string;
}

export function parseArgs(argv: string[]): GateOptions {
    const root = path.resolve(__dirname, "..");
    const options: GateOptions = { stack: "prod", programDir: root, packDir: path.join(root, "policypack"), json: false };
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        const value = () => {
            const next = argv[++index];
            if (next === undefined || next.startsWith("--")) {
                throw new UsageError(`${arg} needs a value`);
            }
            return next;
        };
        switch (arg) {
            case "--stack":
                options.stack = value();
                break;
            case "--program":
                options.programDir = path.resolve(value());
                break;
            case "--policy-pack":
                options.packDir = path.resolve(value());
                break;
            case "--policy-config":
                options.policyConfig = path.resolve(value());
                break;
            case "--json":
                options.json = true;
                break;
            case "--sarif":
                options.sarif = path.resolve(value());
                break;
            case "--help":
            case "-h":
                throw new UsageError("");
            default:
                throw new UsageError(`unknown argument ${arg}`);
        }
    }
    return options;
}


function readPolicyConfig(file: string | undefined): PolicyConfigFile {
    if (!file) {
        return {};
    }
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyConfigFile;
    } catch (error) {
        throw new PolicyConfigError(`cannot read policy config ${file}: ${(error as Error).message}`);
    }
}

/** Runs the gate and returns the process exit code. */
export async function runGate(options: GateOptions, out: (text: string) => void = console.log): Promise<number> {
    const started = Date.now();
    const policyConfig = readPolicyConfig(options.policyConfig);
    // The program and the pack start side by side; if either fails, the other is cleaned up.
    const [program, packStart] = await Promise.allSettled([runProgramOffline({ programDir: options.programDir, stack: options.stack }), PolicyPackProcess.start(options.packDir)]);
    if (program.status === "rejected" || packStart.status === "rejected") {
        if (packStart.status === "fulfilled") {
            await packStart.value.stop();
        }
        throw program.status === "rejected" ? program.reason : (packStart as PromiseRejectedResult).reason;
    }
    const run = program.value;
    const pack = packStart.value;
    // What the program printed (the data-protection plan, exemptions), on stderr as `pulumi preview` shows it apart.
    for (const diagnostic of run.diagnostics) {
        if (diagnostic.severity !== "debug") console.error(`${diagnostic.severity}: ${diagnostic.message}`);
    }
    try {
        const tags = run.resources.find((resource) => resource.type === "pulumi:providers:aws")?.inputs["defaultTags"] as string | undefined;
        const stackTags = tags ? ((JSON.parse(tags) as { tags?: Record<string, string> }).tags ?? {}) : {};
        const result = await analyze(pack, run, policyConfig, stackTags);
        const verdict = verdictOf(run.project, run.stack, run.resources.length, result, Date.now() - started);
        if (options.sarif) {
            const entry = path.relative(process.cwd(), path.join(options.programDir, "index.ts")) || "index.ts";
            fs.mkdirSync(path.dirname(options.sarif), { recursive: true });
            fs.writeFileSync(options.sarif, JSON.stringify(renderSarif(verdict, result, entry), null, 2));
        }
        out(options.json ? JSON.stringify(verdict, null, 2) : renderText(verdict));
        return verdict.passed ? 0 : 1;
    } finally {
        await pack.stop();
    }
}

if (require.main === module) {
    let options: GateOptions;
    try {
        options = parseArgs(process.argv.slice(2));
    } catch (error) {
        console.error(`${(error as Error).message ? `gate: ${(error as Error).message}\n\n` : ""}${USAGE}`);
        process.exit(1);
    }
    runGate(options).then(
        (code) => process.exit(code),
        (error: unknown) => {
            const kind =
                error instanceof ProgramError ? "the program failed to run" : error instanceof PolicyPackLoadError ? "the policy pack failed to load" : error instanceof PolicyConfigError ? "bad policy config" : "the gate failed";
            console.error(`gate: ${kind}: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
        },
    );
}
