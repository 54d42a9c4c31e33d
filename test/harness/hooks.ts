import { stopServices } from "./services";

// Functions log structured JSON and EMF metrics to stdout; keep test output readable. A spec that asserts on
// logs or metrics sets these for itself (functions/shared reads them when a logger or emitter is created).
process.env["LOG_LEVEL"] ??= "SILENT";
process.env["POWERTOOLS_METRICS_DISABLED"] ??= "true";

/**
 * Mocha root hooks. Services start lazily, on a suite's first `useMoto()` / `useElasticsearch()`, so a
 * run of policy tests alone starts nothing; whatever started is stopped once, after the whole run.
 */
export const mochaHooks = {
    async afterAll(this: Mocha.Context): Promise<void> {
        this.timeout(60000);
        await stopServices();
    },
};
