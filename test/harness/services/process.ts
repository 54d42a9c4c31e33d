import { ChildProcess, spawn, SpawnOptions } from "child_process";
import * as fs from "fs";
import * as net from "net";

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

/** A child process started in its own process group, so that stopping it stops everything it started. */
export class ServiceProcess {
    private exited = false;
    private exitCode: number | null = null;

    constructor(
        readonly name: string,
        private readonly child: ChildProcess,
        readonly logFile: string,
        persistent = false,
    ) {
        child.on("exit", (code) => {
            this.exited = true;
            this.exitCode = code;
        });
        if (persistent) {
            // Does not keep the event loop alive; outlives this process once `keepAfterExit` releases it.
            child.unref();
        }
        liveProcesses.add(this);
    }

    /**
     * `persistent`: the process may outlive this one (`npm run services -- up`): until `keepAfterExit(pid)` is
     * called it is still killed when this process exits (an interrupted or failed start leaves nothing behind);
     * afterwards it is stopped by its pid (`stopProcessGroup`).
     */
    static start(name: string, command: string, args: string[], logFile: string, options: SpawnOptions = {}, persistent = false): ServiceProcess {
        const log = fs.openSync(logFile, "a");
        const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", log, log] });
        fs.closeSync(log);
        return new ServiceProcess(name, child, logFile, persistent);
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    /** Throws with the tail of the log if the process has died. */
    assertAlive(): void {
        if (this.exited) {
            throw new Error(`${this.name} exited with code ${this.exitCode} while starting; last log lines:\n${this.tail()}`);
        }
    }

    tail(lines = 25): string {
        try {
            return fs.readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n");
        } catch {
            return "(no log)";
        }
    }

    /** Stops the whole process group: SIGTERM, then SIGKILL after a grace period. */
    async stop(graceMs = 15000): Promise<void> {
        liveProcesses.delete(this);
        if (this.exited || this.child.pid === undefined) {
            return;
        }
        const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        signalGroup(this.child.pid, "SIGTERM");
        const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
        if ((await Promise.race([exited, timer])) === "timeout") {
            signalGroup(this.child.pid, "SIGKILL");
            await exited;
        }
    }
}

const liveProcesses = new Set<ServiceProcess>();

/** Releases a persistent service (by pid) from the exit handler: it keeps running after this process exits. */
export function keepAfterExit(pid: number | undefined): void {
    for (const service of liveProcesses) {
        if (service.pid === pid) liveProcesses.delete(service);
    }
}

/** Whether a process group led by `pid` still has a live member. */
export function groupAlive(pid: number): boolean {
    try {
        process.kill(-pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

/**
 * Stops a service started elsewhere (a persistent one, known by pid): SIGTERM to its process group, then
 * SIGKILL after the grace period. Returns false when it was not running.
 */
export async function stopProcessGroup(pid: number, graceMs = 15000): Promise<boolean> {
    if (!groupAlive(pid)) {
        return false;
    }
    signalGroup(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (groupAlive(pid) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (groupAlive(pid)) {
        signalGroup(pid, "SIGKILL");
        while (groupAlive(pid)) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
    return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // Already gone.
    }
}

// If the test process dies without running its after-hooks, take the services down with it.
process.on("exit", () => {
    for (const service of liveProcesses) {
        if (service.pid !== undefined) {
            signalGroup(service.pid, "SIGKILL");
        }
    }
});

/** Polls `probe` until it resolves true, the process dies, or the deadline passes. */
export async function waitUntil(what: string, service: ServiceProcess, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        service.assertAlive();
        if (await probe().catch(() => false)) {
            return;
        }
        if (Date.now() > deadline) {
            throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s; last log lines:\n${service.tail()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}
