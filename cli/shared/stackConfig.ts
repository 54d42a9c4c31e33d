import * as path from "path";

import { parsePlatformConfig, PlatformConfig } from "../../components/config";
import { readProject, readStackConfig } from "../offline/runProgram";

/** The repository's root: where Pulumi.yaml and the Pulumi.<stack>.yaml files are. */
export const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Reads and validates Pulumi.<stack>.yaml exactly as the program does (its retention plan included), or throws the
 * config's own error listing every problem and its fix. The operator commands that need a stack's settings
 * (`--stack`) and the local end-to-end run read a stack with it.
 */
export function loadStackConfig(stack: string, programDir = ROOT): PlatformConfig {
    const project = readProject(programDir).name;
    const { config } = readStackConfig(programDir, project, stack);
    const sections: Record<string, unknown> = {};
    const prefix = `${project}:`;
    for (const [key, value] of Object.entries(config)) {
        if (key.startsWith(prefix)) {
            try {
                sections[key.slice(prefix.length)] = JSON.parse(value) as unknown;
            } catch {
                sections[key.slice(prefix.length)] = value;
            }
        }
    }
    return parsePlatformConfig({ project, stack, region: config["aws:region"], sections });
}
