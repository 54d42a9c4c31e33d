import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { freePort, ServiceProcess, waitUntil } from "./process";
import { VENV } from "./paths";

/** A running moto server: the AWS API emulator the tests and the deployed-closure tests talk to. */
export interface MotoService {
    endpoint: string;
    version: string;
    region: string;
    /** The server's process group (for `npm run services -- down`), and the directory holding its log. */
    pid?: number;
    runDir: string;
    stop(): Promise<void>;
}

export interface StartOptions {
    /** Keep the service running after this process exits (`npm run services`); the caller stops it by pid. */
    persistent?: boolean;
}

/** The launcher that runs moto_server with the project's extensions (see its docstring). */
export const MOTO_SERVER_WITH_EXTENSIONS = path.join(__dirname, "motoExtensions", "server.py");

/** Starts `moto_server` (with the extensions in motoExtensions/) from the project's virtualenv on a free 127.0.0.1 port. */
export async function startMoto(options: StartOptions = {}): Promise<MotoService> {
    const server = path.join(VENV, "bin", "moto_server");
    const python = path.join(VENV, "bin", "python");
    if (!fs.existsSync(server)) {
        throw new Error(`moto is not installed (${server} is missing): run \`bash scripts/setup.sh\` to install moto[server] into .cache/venv`);
    }
    const port = await freePort();
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "moto-"));
    // moto_server with the project's extensions (motoExtensions/: the AWS actions moto lacks that the project calls).
    const service = ServiceProcess.start("moto", python, [MOTO_SERVER_WITH_EXTENSIONS, "-H", "127.0.0.1", "-p", String(port)], path.join(logDir, "moto.log"), {
        env: { ...process.env, PYTHONUNBUFFERED: "1" },
    }, options.persistent);
    const endpoint = `http://127.0.0.1:${port}`;
    try {
        await waitUntil("moto", service, 60000, async () => (await fetch(`${endpoint}/moto-api/`)).ok);
        const version = readVersion();
        const stop = async () => {
            await service.stop();
            fs.rmSync(logDir, { recursive: true, force: true });
        };
        return { endpoint, version, region: "eu-west-1", pid: service.pid, runDir: logDir, stop };
    } catch (error) {
        await service.stop();
        throw error; // the log stays for the error's reader: the message quotes its tail
    }
}

function readVersion(): string {
    const metadata = fs
        .readdirSync(path.join(VENV, "lib"))
        .map((python) => path.join(VENV, "lib", python, "site-packages"))
        .flatMap((site) => (fs.existsSync(site) ? fs.readdirSync(site).filter((entry) => /^moto-.*\.dist-info$/.test(entry)) : []));
    const match = /^moto-(.+)\.dist-info$/.exec(metadata[0] ?? "");
    return match?.[1] ?? "unknown";
}
