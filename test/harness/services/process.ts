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
    ) {
        child.on("exit", (code) => {
            this.exited = true;
            this.exitCode = code;
        });
        liveProcesses.add(this);
    }

    static start(name: string, command: string, args: string[], logFile: string, options: SpawnOptions = {}): ServiceProcess {
        const log = fs.openSync(logFile, "a");
        const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", log, log] });
        fs.closeSync(log);
        return new ServiceProcess(name, child, logFile);
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
