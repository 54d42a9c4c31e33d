import { stopServices } from "./services";

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
