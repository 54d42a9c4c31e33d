import * as fs from "fs";
import * as path from "path";

import { ElasticsearchService, startElasticsearch } from "../../test/harness/services/elasticsearch";
import { MotoService, startMoto } from "../../test/harness/services/moto";
import { groupAlive } from "../../test/harness/services/process";
import { readServicesEnv, SERVICES_DIR, SERVICES_ENV_FILE, writeServicesEnv } from "../shared/servicesEnv";

/** The local services of one demo run: moto (AWS APIs) and a real Elasticsearch node (TLS + basic auth). */
export interface LocalServices {
    moto: MotoService;
    elasticsearch: ElasticsearchService;
    /** `--keep`: the services outlive the demo, recorded in `.cache/services.env` for `npm run services -- down`. */
    kept?: { envFile: string; caFile: string };
    stop(): Promise<void>;
}

/** Dummy credentials: moto accepts any, and they must never be real ones. */
const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" };

/** Where `npm run services` keeps the node's CA certificate (its `down` removes it). */
const KEPT_CA_FILE = path.join(SERVICES_DIR, "services-elasticsearch-ca.pem");

/**
 * With `--keep` the services are recorded where `npm run services -- up` records its own, so they must not
 * replace live ones a developer started: this throws naming the command that stops them.
 */
export function assertNoRecordedServices(): void {
    const recorded = readServicesEnv();
    const alive = (pid: string | undefined) => pid !== undefined && /^\d+$/.test(pid) && groupAlive(Number(pid));
    if (recorded && (alive(recorded.MOTO_PID) || alive(recorded.ELASTICSEARCH_PID))) {
        throw new Error(`local services recorded in ${SERVICES_ENV_FILE} are running (moto at ${recorded.AWS_ENDPOINT_URL ?? "?"}): stop them with \`npm run services -- down\`, or run the demo without --keep`);
    }
}

/**
 * Starts moto and Elasticsearch side by side on free 127.0.0.1 ports with the code `npm run services -- up`
 * uses (test/harness/services), and points this process's AWS SDK at moto in the stack's region. If one fails
 * to start, the other is stopped before the error is thrown. `persistent` (`--keep`): they outlive this process
 * and are recorded in `.cache/services.env`, so `npm run services -- down` stops them.
 */
export async function startLocalServices(region: string, persistent: boolean): Promise<LocalServices> {
    const [moto, elasticsearch] = await Promise.allSettled([startMoto({ persistent }), startElasticsearch({ persistent })]);
    if (moto.status === "rejected" || elasticsearch.status === "rejected") {
        await Promise.all([moto, elasticsearch].map((started) => (started.status === "fulfilled" ? started.value.stop() : Promise.resolve())));
        const failed = moto.status === "rejected" ? moto : (elasticsearch as PromiseRejectedResult);
        throw new Error(`${moto.status === "rejected" ? "moto" : "Elasticsearch"} did not start: ${failed.reason instanceof Error ? failed.reason.message : String(failed.reason)}`);
    }
    Object.assign(process.env, LOCAL_CREDENTIALS, { AWS_ENDPOINT_URL: moto.value.endpoint, AWS_REGION: region, AWS_DEFAULT_REGION: region });
    let kept: LocalServices["kept"];
    if (persistent) {
        fs.mkdirSync(SERVICES_DIR, { recursive: true });
        fs.writeFileSync(KEPT_CA_FILE, elasticsearch.value.caCertificate);
        writeServicesEnv({
            AWS_ENDPOINT_URL: moto.value.endpoint,
            AWS_REGION: region,
            ELASTICSEARCH_URL: elasticsearch.value.endpoint,
            ELASTICSEARCH_USERNAME: elasticsearch.value.username,
            ELASTICSEARCH_PASSWORD: elasticsearch.value.password,
            ELASTICSEARCH_CA_FILE: KEPT_CA_FILE,
            MOTO_PID: String(moto.value.pid),
            MOTO_RUN_DIR: moto.value.runDir,
            ELASTICSEARCH_PID: String(elasticsearch.value.pid),
            ELASTICSEARCH_RUN_DIR: elasticsearch.value.runDir,
        });
        kept = { envFile: SERVICES_ENV_FILE, caFile: KEPT_CA_FILE };
    }
    let stopped = false;
    return {
        moto: moto.value,
        elasticsearch: elasticsearch.value,
        ...(kept ? { kept } : {}),
        stop: async () => {
            if (stopped) return;
            stopped = true;
            await Promise.allSettled([moto.value.stop(), elasticsearch.value.stop()]);
            if (kept) {
                fs.rmSync(kept.envFile, { force: true });
                fs.rmSync(kept.caFile, { force: true });
            }
        },
    };
}
