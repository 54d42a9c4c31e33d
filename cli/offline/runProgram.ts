import * as fs from "fs";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

import { MockCloud } from "./mockCloud";

/** One resource the program registered, as the engine would see it. */
export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    id?: string;
    parent?: string;
    provider?: string;
    inputs: Record<string, unknown>;
    /**
     * The resource's properties on the wire, as the engine hands them to a policy analyzer: inputs plus
     * what the provider computes (physical names, ARNs), secrets and assets in their RPC encoding.
     */
    wireState: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

/** A message the program logged with `pulumi.log` (the preview prints these). */
export interface Diagnostic {
    severity: "debug" | "info" | "warning" | "error";
    message: string;
}

/** Everything one offline run of a program produced. */
export interface ProgramRun {
    project: string;
    stack: string;
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    /** What the program logged, in order (without an engine the SDK would print these to the console). */
    diagnostics: Diagnostic[];
    /** The stack outputs that are Pulumi secrets (their values are in `outputs`, unwrapped). */
    secretOutputs: string[];
}

export interface RunProgramOptions {
    /** Directory holding `Pulumi.yaml`, `Pulumi.<stack>.yaml` and `index.ts`. */
    programDir: string;
    stack: string;
    /** Overrides the stack file's config (keys as in the file, e.g. `aws:region`). `null` removes a key. */
    configOverrides?: Record<string, unknown>;
    /** What `aws.dynamodb.getTable` answers besides the mock account's compliant defaults (see MockCloud). */
    existingTable?: Record<string, unknown>;
}

/** Raised when the program cannot be loaded or throws; names the program and what went wrong. */
export class ProgramError extends Error {
    constructor(message: string, readonly cause?: unknown) {
        super(message);
        this.name = "ProgramError";
    }
}

interface ProjectFile {
    name: string;
    main?: string;
}

/** Reads the project name and entry point from `Pulumi.yaml`. */
export function readProject(programDir: string): ProjectFile {
    const file = path.join(programDir, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        throw new ProgramError(`${file} not found: --program must name a directory holding a Pulumi project`);
    }
    const project = parseYaml(fs.readFileSync(file, "utf8")) as Partial<ProjectFile> | null;
    if (!project || typeof project.name !== "string") {
        throw new ProgramError(`${file} has no project name`);
    }
    return { name: project.name, main: typeof project.main === "string" ? project.main : undefined };
}

/**
 * Reads `Pulumi.<stack>.yaml` into the flat map the Pulumi runtime expects (`project:key` → string;
 * structured values as JSON, as the CLI passes them).
 */
export function readStackConfig(programDir: string, project: string, stack: string): { config: Record<string, string>; secretKeys: string[] } {
    const file = path.join(programDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new ProgramError(`${file} not found: stack "${stack}" has no configuration file in ${programDir}`);
    }
    const parsed = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    return flattenConfig(parsed.config ?? {}, project);
}

function flattenConfig(entries: Record<string, unknown>, project: string): { config: Record<string, string>; secretKeys: string[] } {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries(entries)) {
        if (value === null || value === undefined) {
            continue;
        }
        const key = qualifiedKey(rawKey, project);
        if (typeof value === "object" && value !== null && "secure" in value) {
            // Encrypted values cannot be decrypted offline; the program sees a placeholder marked secret.
            config[key] = "[secret]";
            secretKeys.push(key);
        } else {
            config[key] = configValue(value);
        }
    }
    return { config, secretKeys };
}

/** `key` → `<project>:key`; keys that name a namespace (`aws:region`) stay as they are. */
function qualifiedKey(rawKey: string, project: string): string {
    return rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
}

/** A config value as the CLI hands it to the program: strings as they are, anything else as JSON. */
function configValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

interface MonitorRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getCustom(): boolean;
    getObject(): unknown;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(callback: (value: { getUrnsList(): string[] }, key: string) => void): void };
}

interface WireStruct {
    toJavaScript(): Record<string, unknown>;
}

/** The state the mock monitor recorded for a URN (serialized outputs), else the serialized inputs. */
function wireStateOf(monitor: PatchableMonitor, urn: string, request: MonitorRequest): Record<string, unknown> {
    const recorded = (monitor as unknown as { resources?: Map<string, { state?: unknown }> }).resources?.get(urn)?.state;
    if (recorded && typeof recorded === "object") {
        const state = recorded as Partial<WireStruct> & Record<string, unknown>;
        return typeof state.toJavaScript === "function" ? state.toJavaScript() : state;
    }
    const object = request.getObject() as Partial<WireStruct> | undefined;
    return object && typeof object.toJavaScript === "function" ? object.toJavaScript() : {};
}

interface PatchableMonitor {
    registerResource(request: MonitorRequest, callback: (error: unknown, response?: { getUrn(): string; getId(): string }) => void): Promise<void>;
}

// Runtime internals the mock runner needs: the monitor it wraps, and the RPC queue it waits on.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): PatchableMonitor | undefined; waitForRPCs(): Promise<void> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as { deserializeProperties(struct: unknown): unknown };

let running = false;

/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` with a stack's configuration and returns every
 * resource it registered (type, name, URN, parent, provider, inputs, dependencies). The mocks answer with
 * realistic ARNs and ids (see MockCloud), so documents built from outputs resolve as they would in AWS.
 *
 * Mocks are process-global: runs are serialised, and each run reloads the program's own modules.
 */
export async function runProgramOffline(options: RunProgramOptions): Promise<ProgramRun> {
    if (running) {
        throw new ProgramError("runProgramOffline is already running in this process; await the previous run first");
    }
    running = true;
    try {
        return await runOnce(options);
    } finally {
        running = false;
    }
}

async function runOnce(options: RunProgramOptions): Promise<ProgramRun> {
    const programDir = path.resolve(options.programDir);
    const project = readProject(programDir);
    const { config, secretKeys } = readStackConfig(programDir, project.name, options.stack);
    for (const [rawKey, value] of Object.entries(options.configOverrides ?? {})) {
        const key = qualifiedKey(rawKey, project.name);
        if (value === null) {
            delete config[key];
        } else {
            config[key] = configValue(value);
        }
    }
    const region = config["aws:region"] ?? "us-east-1";

    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks(new MockCloud(region, options.existingTable), project.name, options.stack, false);
    const resources = captureRegistrations();
    const diagnostics: Diagnostic[] = [];
    const restoreConsole = captureDiagnostics(diagnostics);

    const entry = resolveEntry(programDir, project.main);
    forgetProgramModules();
    const loadedBefore = new Set(Object.keys(require.cache));
    let exported: unknown;
    try {
        try {
            // The program is loaded the way the Pulumi nodejs host loads it: by require().
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            exported = require(entry) as unknown;
        } finally {
            rememberProgramModules(loadedBefore);
        }
        if (typeof exported === "function") {
            exported = await (exported as () => unknown)();
        } else if (exported && typeof exported === "object" && typeof (exported as { default?: unknown }).default === "function") {
            exported = await ((exported as { default: () => unknown }).default)();
        }
        const { outputs, secretOutputs } = await resolveOutputs(exported);
        await waitForRegistrations();
        const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error");
        if (errors.length > 0) {
            // The engine fails a preview whose program logged an error.
            throw new ProgramError(`the program in ${programDir} failed for stack "${options.stack}":\n${errors.map((error) => error.message).join("\n")}`);
        }
        return { project: project.name, stack: options.stack, resources, outputs, secretOutputs, diagnostics };
    } catch (error) {
        await waitForRegistrations().catch(() => undefined);
        if (error instanceof ProgramError) {
            throw error;
        }
        const message = error instanceof Error ? error.message : String(error);
        throw new ProgramError(`the program in ${programDir} failed for stack "${options.stack}":\n${message}`, error);
    } finally {
        restoreConsole();
    }
}

/**
 * Without an engine, `pulumi.log` prints `<severity>: [runtime] <message>` to the console (mocks have no engine):
 * those lines are kept as the run's diagnostics instead of printed, everything else passes through.
 */
function captureDiagnostics(into: Diagnostic[]): () => void {
    const original = { log: console.log, error: console.error, warn: console.warn };
    const pattern = /^(debug|info|warning|error): \[runtime\] ([\s\S]*)$/;
    const intercept =
        (print: (...args: unknown[]) => void) =>
        (...args: unknown[]): void => {
            const match = args.length === 1 && typeof args[0] === "string" ? pattern.exec(args[0]) : null;
            if (match) into.push({ severity: match[1] as Diagnostic["severity"], message: match[2] ?? "" });
            else print(...args);
        };
    console.log = intercept(original.log);
    console.error = intercept(original.error);
    console.warn = intercept(original.warn);
    return () => {
        console.log = original.log;
        console.error = original.error;
        console.warn = original.warn;
    };
}

function resolveEntry(programDir: string, main: string | undefined): string {
    const base = main ? path.resolve(programDir, main) : programDir;
    for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts"), path.join(base, "index.js")]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
            return candidate;
        }
    }
    throw new ProgramError(`no index.ts in ${base}: a Pulumi TypeScript program needs an entry point`);
}

/** The modules earlier runs' programs loaded (outside node_modules): dropped before the next run. */
const programModules = new Set<string>();

/** Drops what earlier programs loaded from the require cache, so the next run re-executes them. */
function forgetProgramModules(): void {
    for (const file of programModules) {
        delete require.cache[file];
    }
    programModules.clear();
}

/** Remembers the modules a program load added to the require cache (its own files, not packages). */
function rememberProgramModules(before: Set<string>): void {
    for (const file of Object.keys(require.cache)) {
        if (!before.has(file) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
            programModules.add(file);
        }
    }
}

/** Wraps the mock monitor so each registration's parent, provider and dependencies are recorded too. */
function captureRegistrations(): RegisteredResource[] {
    const resources: RegisteredResource[] = [];
    const monitor = settings.getMonitor();
    if (!monitor) {
        throw new ProgramError("the Pulumi mock monitor is not installed");
    }
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = async (request, callback) => {
        await original(request, (error, response) => {
            if (!error && response) {
                const propertyDependencies: Record<string, string[]> = {};
                request.getPropertydependenciesMap().forEach((value, key) => {
                    propertyDependencies[key] = value.getUrnsList();
                });
                resources.push({
                    urn: response.getUrn(),
                    type: request.getType(),
                    name: request.getName(),
                    custom: request.getCustom(),
                    id: response.getId() || undefined,
                    parent: request.getParent() || undefined,
                    provider: request.getProvider() || undefined,
                    inputs: rpc.deserializeProperties(request.getObject()) as Record<string, unknown>,
                    wireState: wireStateOf(monitor, response.getUrn(), request),
                    dependencies: request.getDependenciesList(),
                    propertyDependencies,
                });
            }
            callback(error, response);
        });
    };
    return resources;
}

async function waitForRegistrations(): Promise<void> {
    await settings.waitForRPCs();
}

async function resolveOutputs(exported: unknown): Promise<{ outputs: Record<string, unknown>; secretOutputs: string[] }> {
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    if (!exported || typeof exported !== "object") {
        return { outputs, secretOutputs };
    }
    for (const [key, value] of Object.entries(exported as Record<string, unknown>)) {
        if (key === "__esModule") {
            continue;
        }
        if (pulumi.Output.isInstance(value)) {
            outputs[key] = await unwrap(value);
            if (await pulumi.isSecret(value)) secretOutputs.push(key);
        } else {
            outputs[key] = value;
        }
    }
    return { outputs, secretOutputs };
}

function unwrap(output: pulumi.Output<unknown>): Promise<unknown> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}
