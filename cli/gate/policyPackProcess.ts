import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";

import * as grpc from "@grpc/grpc-js";
import { parse as parseYaml } from "yaml";

// The generated gRPC stubs that ship with @pulumi/pulumi: the same protocol the engine speaks.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as {
    AnalyzerClient: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb") as { EngineService: grpc.ServiceDefinition & { log: { responseType: new () => unknown } } };
// The response type must be the Empty class the stubs were generated against (they check instanceof).
const Empty = engineGrpc.EngineService.log.responseType;

/** Raised when the policy pack cannot be started; names the pack and what went wrong. */
export class PolicyPackLoadError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyPackLoadError";
    }
}

interface LogRequest {
    getSeverity(): number;
    getMessage(): string;
}

const SEVERITIES = ["debug", "info", "warning", "error"];

/**
 * A running policy pack, started the way the Pulumi engine starts a Node.js analyzer plugin:
 * `node <pack's @pulumi/pulumi>/cmd/run-policy-pack <engine address> <pack dir>`, reading the analyzer's
 * port from its first line of output. A small Engine service receives the pack's log messages.
 */
export class PolicyPackProcess {
    private constructor(
        readonly packDir: string,
        readonly analyzer: grpc.Client,
        private readonly child: ChildProcess,
        private readonly engine: grpc.Server,
        readonly logs: string[],
    ) {}

    static async start(packDir: string, timeoutMs = 60000): Promise<PolicyPackProcess> {
        const dir = path.resolve(packDir);
        const manifest = path.join(dir, "PulumiPolicy.yaml");
        if (!fs.existsSync(manifest)) {
            throw new PolicyPackLoadError(`${manifest} not found: a policy pack directory needs a PulumiPolicy.yaml`);
        }
        const runtime = (parseYaml(fs.readFileSync(manifest, "utf8")) as { runtime?: unknown } | null)?.runtime;
        const runtimeName = typeof runtime === "object" && runtime !== null ? (runtime as { name?: unknown }).name : runtime;
        if (runtimeName !== "nodejs") {
            throw new PolicyPackLoadError(`${manifest} declares runtime ${JSON.stringify(runtimeName)}; this gate runs nodejs policy packs`);
        }
        let runner: string;
        try {
            runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
        } catch {
            throw new PolicyPackLoadError(`the policy pack in ${dir} has no @pulumi/pulumi installed: run \`npm ci\` in ${dir} (scripts/setup.sh does)`);
        }
        const ownModules = path.join(dir, "node_modules");
        const ownModulesReal = fs.existsSync(ownModules) ? fs.realpathSync(ownModules) : ownModules;
        if (!runner.startsWith(ownModules + path.sep) && !runner.startsWith(ownModulesReal + path.sep)) {
            throw new PolicyPackLoadError(`the policy pack in ${dir} has no node_modules of its own (found ${runner}): run \`npm ci\` in ${dir}`);
        }

        const logs: string[] = [];
        const engine = new grpc.Server();
        engine.addService(engineGrpc.EngineService, {
            log: (call: grpc.ServerUnaryCall<LogRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
                logs.push(`[${SEVERITIES[call.request.getSeverity()] ?? "info"}] ${call.request.getMessage()}`);
                callback(null, new Empty());
            },
        });
        const enginePort = await new Promise<number>((resolve, reject) =>
            engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
        );

        const child = spawn(process.execPath, [runner, `127.0.0.1:${enginePort}`, "."], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } });
        const stderr: string[] = [];
        child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
        try {
            const port = await readPort(child, timeoutMs, () => stderr.join(""));
            const analyzer = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            await new Promise<void>((resolve, reject) => analyzer.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())));
            return new PolicyPackProcess(dir, analyzer, child, engine, logs);
        } catch (error) {
            child.kill("SIGKILL");
            engine.forceShutdown();
            throw error;
        }
    }

    /** Calls one unary Analyzer method, as the engine does. */
    call<Request, Response>(method: string, request: Request): Promise<Response> {
        const client = this.analyzer as unknown as Record<string, (request: Request, callback: (error: grpc.ServiceError | null, response: Response) => void) => void>;
        const fn = client[method];
        if (!fn) {
            throw new Error(`the Analyzer service has no method ${method}`);
        }
        return new Promise((resolve, reject) => fn.call(this.analyzer, request, (error, response) => (error ? reject(error) : resolve(response))));
    }

    async stop(): Promise<void> {
        this.analyzer.close();
        if (this.child.exitCode === null) {
            const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
            this.child.kill("SIGTERM");
            await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
            if (this.child.exitCode === null) {
                this.child.kill("SIGKILL");
            }
        }
        this.engine.forceShutdown();
    }
}

/** The analyzer prints its port as the first line of stdout; anything else means it failed to load. */
function readPort(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
        const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
        const output: string[] = [];
        const fail = (why: string) => {
            clearTimeout(timer);
            lines.close();
            const details = [output.join("\n"), stderr()].filter((text) => text.trim() !== "").join("\n").trim();
            reject(new PolicyPackLoadError(`the policy pack failed to load: ${why}${details ? `\n${details}` : ""}`));
        };
        const timer = setTimeout(() => fail(`it printed no analyzer port within ${timeoutMs / 1000}s`), timeoutMs);
        const onExit = (code: number | null) => setTimeout(() => fail(`the pack's process exited with code ${code}`), 100);
        lines.on("line", (line) => {
            const trimmed = line.trim();
            if (/^\d+$/.test(trimmed)) {
                clearTimeout(timer);
                child.off("exit", onExit);
                lines.close();
                resolve(Number(trimmed));
            } else if (trimmed !== "") {
                output.push(line);
            }
        });
        child.once("exit", onExit);
    });
}
