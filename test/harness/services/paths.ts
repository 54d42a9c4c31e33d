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

/** The Elasticsearch version the tests run against (the integ-test-zip from Maven Central). */
export const ELASTICSEARCH_VERSION = pinnedVersion("ELASTICSEARCH_VERSION");
export const ELASTICSEARCH_HOME = path.join(CACHE, "elasticsearch", `elasticsearch-${ELASTICSEARCH_VERSION}`);
export const MOTO_VERSION = pinnedVersion("MOTO_VERSION");
