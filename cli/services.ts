import * as fs from "fs";
import * as path from "path";

import { startElasticsearch } from "../test/harness/services/elasticsearch";
import { startMoto } from "../test/harness/services/moto";
import { groupAlive, keepAfterExit, stopProcessGroup } from "../test/harness/services/process";
import { parseArgs, runCli, UsageError } from "./shipper/args";
import { readServicesEnv, SERVICES_DIR, SERVICES_ENV_FILE, ServicesEnv, writeServicesEnv } from "./shared/servicesEnv";

const USAGE = "usage: npm run services -- up|down|status";
const CA_FILE = path.join(SERVICES_DIR, "services-elasticsearch-ca.pem");

/**
 * Starts (up), stops (down) or reports (status) the local moto and Elasticsearch the tests use, on free
 * loopback ports. `up` leaves them running and records their settings in .cache/services.env (git-ignored,
 * owner-only: it holds the local node's throwaway password), which the other commands read. Idempotent.
 */
export async function main(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { values: [], switches: [] }, USAGE);
    const [command, ...extra] = args.positional;
    if (command === undefined || extra.length > 0 || !["up", "down", "status"].includes(command)) {
        throw new UsageError(`${command === undefined ? "missing command" : `unknown command "${args.positional.join(" ")}"`}\n${USAGE}`);
    }
    if (command === "status") {
        return status();
    }
    return withLock(command === "up" ? up : down);
}

/** One `up` or `down` at a time: two at once would start services that no env file records. */
async function withLock(run: () => Promise<number>): Promise<number> {
    const lock = `${SERVICES_ENV_FILE}.lock`;
    fs.mkdirSync(SERVICES_DIR, { recursive: true });
    for (let attempt = 0; ; attempt++) {
        try {
            fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
            break;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
            const holder = Number(fs.readFileSync(lock, "utf8"));
            if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
                throw new Error(`another \`npm run services\` (pid ${holder}) is starting or stopping the services: wait for it to finish`);
            }
            fs.rmSync(lock, { force: true }); // left by a run that was killed
        }
    }
    const release = () => fs.rmSync(lock, { force: true });
    process.once("exit", release); // also when interrupted (process.exit skips `finally`)
    try {
        return await run();
    } finally {
        release();
    }
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

type Recorded = Partial<ServicesEnv>;

function alive(pid: string | undefined): boolean {
    return pid !== undefined && /^\d+$/.test(pid) && groupAlive(Number(pid));
}

async function up(): Promise<number> {
    const recorded = readServicesEnv();
    if (recorded && alive(recorded.MOTO_PID) && alive(recorded.ELASTICSEARCH_PID)) {
        console.log(`Already running (moto at ${recorded.AWS_ENDPOINT_URL}, Elasticsearch at ${recorded.ELASTICSEARCH_URL}); settings in ${SERVICES_ENV_FILE}`);
        return 0;
    }
    if (recorded) {
        console.log("A previous run is (partly) gone: cleaning it up first");
        await stopRecorded(recorded);
    }
    // Interrupted before the settings are written: exit through the harness's exit handler, which stops what started.
    process.once("SIGINT", () => process.exit(130));
    process.once("SIGTERM", () => process.exit(143));
    console.log("Starting moto and Elasticsearch on free 127.0.0.1 ports (Elasticsearch takes ~20 s)...");
    const [moto, elasticsearch] = await Promise.allSettled([startMoto({ persistent: true }), startElasticsearch({ persistent: true })]);
    if (moto.status === "rejected" || elasticsearch.status === "rejected") {
        // Do not leave half a setup running.
        for (const started of [moto, elasticsearch]) {
            if (started.status === "fulfilled") {
                await started.value.stop();
            }
        }
        const reasons = [moto, elasticsearch].filter((result): result is PromiseRejectedResult => result.status === "rejected").map((result) => String(result.reason));
        throw new Error(`could not start the services:\n${reasons.join("\n")}`);
    }
    fs.mkdirSync(SERVICES_DIR, { recursive: true });
    fs.writeFileSync(CA_FILE, elasticsearch.value.caCertificate);
    writeServicesEnv({
        AWS_ENDPOINT_URL: moto.value.endpoint,
        AWS_REGION: moto.value.region,
        ELASTICSEARCH_URL: elasticsearch.value.endpoint,
        ELASTICSEARCH_USERNAME: elasticsearch.value.username,
        ELASTICSEARCH_PASSWORD: elasticsearch.value.password,
        ELASTICSEARCH_CA_FILE: CA_FILE,
        MOTO_PID: String(moto.value.pid),
        MOTO_RUN_DIR: moto.value.runDir,
        ELASTICSEARCH_PID: String(elasticsearch.value.pid),
        ELASTICSEARCH_RUN_DIR: elasticsearch.value.runDir,
    });
    // Recorded: from now on they outlive this command, and `down` stops them.
    keepAfterExit(moto.value.pid);
    keepAfterExit(elasticsearch.value.pid);
    console.log(`moto ${moto.value.version} at ${moto.value.endpoint}`);
    console.log(`Elasticsearch ${elasticsearch.value.version} at ${elasticsearch.value.endpoint} (user ${elasticsearch.value.username})`);
    const relative = path.relative(process.cwd(), SERVICES_ENV_FILE);
    const shown = relative.startsWith("..") ? SERVICES_ENV_FILE : relative;
    console.log(`Settings written to ${shown} (mode 0600; npm run ship and npm run replay read it by themselves; for a shell: set -a; . ${shown}; set +a)`);
    console.log("Stop them with: npm run services -- down");
    return 0;
}

async function down(): Promise<number> {
    const recorded = readServicesEnv();
    if (!recorded) {
        console.log(`Not running (no ${SERVICES_ENV_FILE})`);
        return 0;
    }
    const stopped = await stopRecorded(recorded);
    console.log(stopped.length > 0 ? `Stopped ${stopped.join(" and ")}; removed their run directories and ${SERVICES_ENV_FILE}` : `Nothing was running; removed ${SERVICES_ENV_FILE}`);
    return 0;
}

function status(): number {
    const recorded = readServicesEnv();
    if (!recorded) {
        console.log("Not running");
        return 1;
    }
    const moto = alive(recorded.MOTO_PID);
    const elasticsearch = alive(recorded.ELASTICSEARCH_PID);
    console.log(`moto: ${moto ? `running at ${recorded.AWS_ENDPOINT_URL}` : "stopped"}`);
    console.log(`Elasticsearch: ${elasticsearch ? `running at ${recorded.ELASTICSEARCH_URL}` : "stopped"}`);
    if (!(moto && elasticsearch)) {
        console.log("Run `npm run services -- up` to (re)start them.");
    }
    return moto && elasticsearch ? 0 : 1;
}

/** Stops what a services.env records (each only if alive), removes the run directories, the CA file and the env file. */
async function stopRecorded(recorded: Recorded): Promise<string[]> {
    const stopped: string[] = [];
    for (const [name, pid, runDir] of [
        ["moto", recorded.MOTO_PID, recorded.MOTO_RUN_DIR],
        ["Elasticsearch", recorded.ELASTICSEARCH_PID, recorded.ELASTICSEARCH_RUN_DIR],
    ] as const) {
        if (pid !== undefined && /^\d+$/.test(pid) && (await stopProcessGroup(Number(pid)))) {
            stopped.push(name);
        }
        // Only directories the harness made (mkdtemp under the temp dir) are removed.
        if (runDir && /\/(moto|es-test)-[^/]+$/.test(runDir)) {
            fs.rmSync(runDir, { recursive: true, force: true });
        }
    }
    fs.rmSync(CA_FILE, { force: true });
    fs.rmSync(SERVICES_ENV_FILE, { force: true });
    return stopped;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
