/**
 * Start-up time of the local test services, measured side by side in one run: each is started and
 * stopped `--runs` times (default 3) and the median is printed, with the Elasticsearch/moto ratio.
 *
 * Usage: npm run bench:services [-- --runs 3]
 */
import { startElasticsearch } from "../test/harness/services/elasticsearch";
import { startMoto } from "../test/harness/services/moto";

async function timeStart(start: () => Promise<{ version: string; stop(): Promise<void> }>): Promise<{ ms: number; version: string }> {
    const started = Date.now();
    const service = await start();
    const ms = Date.now() - started;
    await service.stop();
    return { ms, version: service.version };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
    const runsIndex = process.argv.indexOf("--runs");
    const runs = runsIndex >= 0 ? Number(process.argv[runsIndex + 1]) : 3;
    const moto: number[] = [];
    const elasticsearch: number[] = [];
    let versions = { moto: "", elasticsearch: "" };
    for (let index = 0; index < runs; index++) {
        const m = await timeStart(startMoto);
        const e = await timeStart(startElasticsearch);
        moto.push(m.ms);
        elasticsearch.push(e.ms);
        versions = { moto: m.version, elasticsearch: e.version };
        console.log(`run ${index + 1}/${runs}: moto ${m.ms} ms, Elasticsearch ${e.ms} ms`);
    }
    console.log(`moto ${versions.moto}: median start ${median(moto)} ms`);
    console.log(`Elasticsearch ${versions.elasticsearch}: median start ${median(elasticsearch)} ms`);
    console.log(`ratio Elasticsearch/moto start: ${(median(elasticsearch) / Math.max(1, median(moto))).toFixed(1)}`);
}

void main();
