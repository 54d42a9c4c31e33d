import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { Client } from "@elastic/elasticsearch";

import { ELASTICSEARCH_HOME, ELASTICSEARCH_VERSION, ELASTICSEARCH_VERSIONS, minimumJava } from "./paths";
import type { StartOptions } from "./moto";
import { freePort, ServiceProcess, waitUntil } from "./process";

/** A running single Elasticsearch node with security on: HTTPS with a test CA, basic auth. */
export interface ElasticsearchService {
    endpoint: string;
    username: string;
    password: string;
    /** PEM of the CA that signed the node's certificate; clients must verify against it. */
    caCertificate: string;
    /** The node's own certificate and key (for 127.0.0.1, signed by the CA): a loopback proxy in front of the node presents them too. */
    serverTls: { cert: string; key: string };
    version: string;
    /** The node's process group (for `npm run services -- down`), and its run directory (config, data, logs). */
    pid?: number;
    runDir: string;
    client(): Client;
    stop(): Promise<void>;
}

/** The uid/gid Elasticsearch runs as when the tests run as root (it refuses to run as root). */
const UNPRIVILEGED = 65534;

/**
 * Starts the Elasticsearch integ-test-zip node from .cache on free 127.0.0.1 ports, with a fresh
 * configuration, data directory, TLS certificate and `elastic` password for this run.
 */
export async function startElasticsearch(options: StartOptions = {}): Promise<ElasticsearchService> {
    const launcher = path.join(ELASTICSEARCH_HOME, "bin", "elasticsearch");
    if (!fs.existsSync(launcher)) {
        const matrix = ELASTICSEARCH_VERSIONS.join(", ");
        throw new Error(
            ELASTICSEARCH_VERSIONS.includes(ELASTICSEARCH_VERSION)
                ? `Elasticsearch ${ELASTICSEARCH_VERSION} is not installed (${launcher} is missing): run \`bash scripts/setup.sh\` to fetch the integ-test-zip from Maven Central into .cache/elasticsearch`
                : `ELASTICSEARCH_VERSION=${ELASTICSEARCH_VERSION} is not in the test matrix (scripts/versions.env ELASTICSEARCH_VERSIONS: ${matrix}) and is not installed: use one of ${matrix}, or add it to the matrix and run \`bash scripts/setup.sh\``,
        );
    }
    const javaHome = findJavaHome(minimumJava(ELASTICSEARCH_VERSION));
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "es-test-"));
    const dirs = { config: path.join(runDir, "config"), data: path.join(runDir, "data"), logs: path.join(runDir, "logs"), tmp: path.join(runDir, "tmp") };
    fs.cpSync(path.join(ELASTICSEARCH_HOME, "config"), dirs.config, { recursive: true });
    for (const dir of [dirs.data, dirs.logs, dirs.tmp, path.join(dirs.config, "certs")]) {
        fs.mkdirSync(dir, { recursive: true });
    }
    const caCertificate = makeCertificates(path.join(dirs.config, "certs"));
    const [httpPort, transportPort] = [await freePort(), await freePort()];
    fs.writeFileSync(
        path.join(dirs.config, "elasticsearch.yml"),
        [
            "cluster.name: log-platform-test",
            "node.name: test-node",
            "network.host: 127.0.0.1",
            `http.port: ${httpPort}`,
            `transport.port: ${transportPort}`,
            "discovery.type: single-node",
            `path.data: ${dirs.data}`,
            `path.logs: ${dirs.logs}`,
            "action.destructive_requires_name: false",
            "cluster.routing.allocation.disk.threshold_enabled: false",
            "xpack.security.enabled: true",
            "xpack.security.enrollment.enabled: false",
            "xpack.security.http.ssl.enabled: true",
            "xpack.security.http.ssl.certificate: certs/node.crt",
            "xpack.security.http.ssl.key: certs/node.key",
            "xpack.security.http.ssl.certificate_authorities: certs/ca.crt",
            "xpack.security.transport.ssl.enabled: false",
            "",
        ].join("\n"),
    );
    fs.writeFileSync(path.join(dirs.config, "jvm.options.d", "heap.options"), "-Xms512m\n-Xmx512m\n");

    const password = randomBytes(18).toString("base64url");
    const env: NodeJS.ProcessEnv = { ...process.env, ES_PATH_CONF: dirs.config, ES_JAVA_HOME: javaHome, ES_TMPDIR: dirs.tmp, JAVA_HOME: javaHome };
    delete env["ES_JAVA_OPTS"];
    const keystore = path.join(ELASTICSEARCH_HOME, "bin", "elasticsearch-keystore");
    execFileSync(keystore, ["create"], { env, stdio: "pipe" });
    execFileSync(keystore, ["add", "--stdin", "bootstrap.password"], { env, input: password, stdio: ["pipe", "pipe", "pipe"] });

    const asRoot = process.getuid?.() === 0;
    let command = launcher;
    let args: string[] = [];
    if (asRoot) {
        // The unprivileged user may not be able to reach .cache (a clone under a private directory), so
        // the node runs from a hard-linked copy of the distribution inside the run directory (a plain copy
        // where links are not possible). Only the run's own directories change owner, never the links.
        const home = path.join(runDir, "home");
        try {
            execFileSync("cp", ["-al", ELASTICSEARCH_HOME, home]);
        } catch {
            fs.rmSync(home, { recursive: true, force: true });
            fs.cpSync(ELASTICSEARCH_HOME, home, { recursive: true });
        }
        execFileSync("chown", [`${UNPRIVILEGED}:${UNPRIVILEGED}`, runDir]);
        execFileSync("chown", ["-R", `${UNPRIVILEGED}:${UNPRIVILEGED}`, dirs.config, dirs.data, dirs.logs, dirs.tmp]);
        command = "setpriv";
        args = [`--reuid=${UNPRIVILEGED}`, `--regid=${UNPRIVILEGED}`, "--clear-groups", path.join(home, "bin", "elasticsearch")];
    }
    const service = ServiceProcess.start("elasticsearch", command, args, path.join(runDir, "console.log"), { env, cwd: dirs.logs }, options.persistent);

    const endpoint = `https://127.0.0.1:${httpPort}`;
    const makeClient = () =>
        new Client({ node: endpoint, auth: { username: "elastic", password }, tls: { ca: caCertificate, rejectUnauthorized: true }, requestTimeout: 30000 });
    const probe = makeClient();
    try {
        await waitUntil("Elasticsearch", service, 120000, async () => {
            const health = await probe.cluster.health({ wait_for_status: "yellow", timeout: "1s" });
            return health.status === "green" || health.status === "yellow";
        });
        // The integ-test-zip has no rest-root module, so `GET /` (client.info) is not there: ask the node itself.
        const nodes = await probe.nodes.info({ node_id: "_local", metric: "process" });
        const version = Object.values(nodes.nodes)[0]?.version ?? "unknown";
        return {
            endpoint,
            username: "elastic",
            password,
            caCertificate,
            serverTls: {
                cert: fs.readFileSync(path.join(dirs.config, "certs", "node.crt"), "utf8"),
                key: fs.readFileSync(path.join(dirs.config, "certs", "node.key"), "utf8"),
            },
            version,
            pid: service.pid,
            runDir,
            client: makeClient,
            stop: async () => {
                await probe.close();
                await service.stop();
                fs.rmSync(runDir, { recursive: true, force: true });
            },
        };
    } catch (error) {
        await probe.close();
        await service.stop();
        throw error;
    }
}

/** Writes a test CA and a node certificate for 127.0.0.1/localhost; returns the CA's PEM. */
function makeCertificates(dir: string): string {
    const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=log-platform test CA", "-keyout", "ca.key", "-out", "ca.crt"]);
    run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "node.key", "-out", "node.csr"]);
    fs.writeFileSync(path.join(dir, "node.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
    run(["x509", "-req", "-in", "node.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "node.ext", "-out", "node.crt"]);
    fs.rmSync(path.join(dir, "ca.key"));
    return fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
}

/** The major version of the JDK at `home` (its `release` file), or 0 when it cannot be read. */
function javaMajor(home: string): number {
    try {
        const release = fs.readFileSync(path.join(home, "release"), "utf8");
        const version = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(release);
        if (!version) return 0;
        return version[1] === "1" ? Number(version[2]) : Number(version[1]);
    } catch {
        return 0;
    }
}

/**
 * A JDK of at least `minimum` (17 for Elasticsearch 8, 21 for 9): ES_JAVA_HOME, JAVA_HOME or the `java` on the PATH
 * when new enough, else the newest JDK under /usr/lib/jvm that is. None: an error naming what to install.
 */
function findJavaHome(minimum: number): string {
    const candidates: string[] = [];
    for (const candidate of [process.env["ES_JAVA_HOME"], process.env["JAVA_HOME"]]) if (candidate) candidates.push(candidate);
    try {
        const java = fs.realpathSync(execFileSync("sh", ["-c", "command -v java"], { encoding: "utf8" }).trim());
        candidates.push(path.dirname(path.dirname(java)));
    } catch {
        // no java on the PATH: look under /usr/lib/jvm
    }
    const jvmDir = "/usr/lib/jvm";
    const installed = fs.existsSync(jvmDir) ? fs.readdirSync(jvmDir).map((name) => path.join(jvmDir, name)) : [];
    candidates.push(...installed.sort((a, b) => javaMajor(b) - javaMajor(a)));
    const found = candidates.find((home) => fs.existsSync(path.join(home, "bin", "java")) && javaMajor(home) >= minimum);
    if (found) return found;
    throw new Error(
        `Elasticsearch ${ELASTICSEARCH_VERSION} needs Java ${minimum}+ and none was found (ES_JAVA_HOME, JAVA_HOME, the java on the PATH, ${jvmDir}): ` +
            `install a JDK ${minimum}+ (e.g. apt-get install openjdk-${minimum}-jre-headless, or Temurin) or set ES_JAVA_HOME`,
    );
}
