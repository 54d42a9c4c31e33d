import * as fs from "fs";
import * as path from "path";

/** The repository root, and the ignored cache where scripts/setup.sh installs the test services. */
export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const CACHE = path.join(ROOT, ".cache");
export const VENV = path.join(CACHE, "venv");

function pinnedVersion(name: string): string {
    const text = fs.readFileSync(path.join(ROOT, "scripts", "versions.env"), "utf8");
    const match = new RegExp(`^${name}=(\\S+)$`, "m").exec(text);
    if (!match?.[1]) {
        throw new Error(`scripts/versions.env does not pin ${name}`);
    }
    return match[1];
}

/** The Elasticsearch test matrix (`ELASTICSEARCH_VERSIONS` in scripts/versions.env): every version setup.sh installs, the default first. */
export const ELASTICSEARCH_VERSIONS = pinnedVersion("ELASTICSEARCH_VERSIONS").split(",").filter((version) => version.length > 0);

/**
 * The Elasticsearch version this run uses (the integ-test-zip from Maven Central): `ELASTICSEARCH_VERSION` from the
 * environment when set (one of the matrix: `.ci/run` runs the Elasticsearch specs again with each further version),
 * else the matrix's first. A version outside the matrix is not installed by setup.sh: the node's start names it.
 */
export const ELASTICSEARCH_VERSION = process.env["ELASTICSEARCH_VERSION"] || (ELASTICSEARCH_VERSIONS[0] ?? "");
export const ELASTICSEARCH_HOME = path.join(CACHE, "elasticsearch", `elasticsearch-${ELASTICSEARCH_VERSION}`);

/** The oldest Java an Elasticsearch major runs on (the integ-test-zip brings no JDK of its own). */
export function minimumJava(version: string): number {
    return Number(version.split(".")[0]) >= 9 ? 21 : 17;
}
export const MOTO_VERSION = pinnedVersion("MOTO_VERSION");
