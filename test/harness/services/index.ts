import { ElasticsearchService, startElasticsearch } from "./elasticsearch";
import { MotoService, startMoto } from "./moto";

export { ElasticsearchService } from "./elasticsearch";
export { MotoService } from "./moto";

let moto: Promise<MotoService> | undefined;
let elasticsearch: Promise<ElasticsearchService> | undefined;

/** Dummy credentials: moto accepts any, and they must never be real ones. */
const TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_SESSION_TOKEN: "testing" };

/**
 * The moto server for this test run, started on first use and stopped by the root hook. Also points
 * the AWS SDK of this process at it (AWS_ENDPOINT_URL, region, dummy credentials).
 */
export function useMoto(): Promise<MotoService> {
    moto ??= startMoto().then((service) => {
        Object.assign(process.env, TEST_CREDENTIALS, { AWS_ENDPOINT_URL: service.endpoint, AWS_REGION: service.region, AWS_DEFAULT_REGION: service.region });
        console.log(`      [services] moto ${service.version} at ${service.endpoint}`);
        return service;
    });
    return moto;
}

/** The Elasticsearch node for this test run, started on first use and stopped by the root hook. */
export function useElasticsearch(): Promise<ElasticsearchService> {
    elasticsearch ??= startElasticsearch().then((service) => {
        console.log(`      [services] Elasticsearch ${service.version} at ${service.endpoint}`);
        return service;
    });
    return elasticsearch;
}

/** Stops whatever was started; a service that failed to start has nothing to stop. */
export async function stopServices(): Promise<void> {
    const started: Promise<{ stop(): Promise<void> }>[] = [];
    if (moto) started.push(moto);
    if (elasticsearch) started.push(elasticsearch);
    moto = undefined;
    elasticsearch = undefined;
    await Promise.all(started.map((service) => service.then((running) => running.stop(), () => undefined)));
}
