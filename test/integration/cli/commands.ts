import { spawn, type ChildProcessWithoutNullStreams } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { ROOT } from "../../harness/services/paths";

export interface CommandResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Variables a test process may carry (the harness points its own SDK at its own moto) that must not reach the
 * command: it takes its settings from the services.env the test names, as an operator's shell would.
 */
const INHERITED_SETTINGS = [
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "ELASTICSEARCH_URL",
    "ELASTICSEARCH_USERNAME",
    "ELASTICSEARCH_PASSWORD",
    "ELASTICSEARCH_API_KEY",
    "ELASTICSEARCH_CA_FILE",
    "ELASTICSEARCH_NAMESPACE",
    "SHIPPER_DEAD_LETTER_QUEUE_URL",
    "LOG_LEVEL",
    "POWERTOOLS_METRICS_DISABLED",
];

export type Command = "services" | "ship" | "replay";

/** Starts `cli/<command>.ts` as its npm script does (ts-node, transpile only), with the services.env `envFile` and `extraEnv` (undefined removes a variable). */
export function spawnCommand(command: Command, args: string[], envFile: string, extraEnv: Record<string, string | undefined> = {}): ChildProcessWithoutNullStreams {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_PLATFORM_SERVICES_ENV: envFile };
    for (const key of INHERITED_SETTINGS) delete env[key];
    for (const [key, value] of Object.entries(extraEnv)) {
        if (value === undefined) delete env[key];
        else env[key] = value;
    }
    return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join("cli", `${command}.ts`), ...args], { cwd: ROOT, env, stdio: "pipe" });
}

/**
 * Runs `cli/<command>.ts` as its npm script does (ts-node, transpile only) in a child process, with the
 * services.env `envFile` and any `extraEnv` (undefined removes a variable), and collects its output and exit code.
 */
export function runCommand(command: Command, args: string[], envFile: string, extraEnv: Record<string, string | undefined> = {}, timeoutMs = 150_000): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
        const child = spawnCommand(command, args, envFile, extraEnv);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`npm run ${command} -- ${args.join(" ")} did not finish within ${timeoutMs / 1000}s; stderr:\n${stderr}`));
        }, timeoutMs);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}

/** The JSON a command printed with --json (its only stdout line). */
export function parseJsonOutput<T>(result: CommandResult): T {
    try {
        return JSON.parse(result.stdout) as T;
    } catch {
        throw new Error(`expected one JSON object on stdout (exit ${result.code}); stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
    }
}

/** Processes (other than this one) whose environment holds `entry` (`NAME=value`): the services a command started inherit its environment. */
export function processesWithEnvironment(entry: string): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
        try {
            if (fs.readFileSync(path.join("/proc", pid, "environ"), "utf8").split("\0").includes(entry)) found.push(pid);
        } catch {
            // exited meanwhile, or not ours to read
        }
    }
    return found;
}

/** Processes whose command line mentions `needle` (a run directory, a port): what `down` must leave none of. */
export function processesMentioning(needle: string): string[] {
    const found: string[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
            const commandLine = fs.readFileSync(path.join("/proc", entry, "cmdline"), "utf8").split("\0").join(" ");
            if (commandLine.includes(needle)) found.push(`${entry} ${commandLine.slice(0, 120)}`);
        } catch {
            // exited meanwhile
        }
    }
    return found;
}
