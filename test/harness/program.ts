import * as path from "path";

import { ProgramRun, RegisteredResource, runProgramOffline } from "../../cli/offline/runProgram";
import { ROOT } from "./services/paths";

export { ProgramRun, RegisteredResource } from "../../cli/offline/runProgram";

/**
 * Runs this repository's index.ts under mocks with `Pulumi.<stack>.yaml`, optionally overriding keys, and what the
 * mock account answers for an existing DynamoDB table.
 */
export function runStack(stack = "prod", configOverrides?: Record<string, unknown>, mock: { existingTable?: Record<string, unknown> } = {}): Promise<ProgramRun> {
    return runProgramOffline({ programDir: ROOT, stack, configOverrides, existingTable: mock.existingTable });
}

/** Runs a program from test/fixtures/programs/<name>. */
export function runFixture(name: string, stack = "test"): Promise<ProgramRun> {
    return runProgramOffline({ programDir: path.join(ROOT, "test", "fixtures", "programs", name), stack });
}

/** The resources of one type, failing loudly when there are none. */
export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((resource) => resource.type === type);
}
