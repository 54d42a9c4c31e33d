import * as fs from "fs";
import * as path from "path";

/**
 * Where `npm run services` records its settings: `.cache/services.env` in the repository (ignored, local only,
 * never committed), or the file `LOG_PLATFORM_SERVICES_ENV` names (the CLI tests use their own, so they never
 * touch services a developer started). The Elasticsearch CA certificate is written beside it.
 */
export const SERVICES_ENV_FILE = path.resolve(process.env["LOG_PLATFORM_SERVICES_ENV"] || path.join(__dirname, "..", "..", ".cache", "services.env"));
export const SERVICES_DIR = path.dirname(SERVICES_ENV_FILE);

/** What `npm run services -- up` records: the settings the ship/replay commands read, and what `down` needs. */
export interface ServicesEnv {
    AWS_ENDPOINT_URL: string;
    AWS_REGION: string;
    ELASTICSEARCH_URL: string;
    ELASTICSEARCH_USERNAME: string;
    ELASTICSEARCH_PASSWORD: string;
    ELASTICSEARCH_CA_FILE: string;
    MOTO_PID: string;
    MOTO_RUN_DIR: string;
    ELASTICSEARCH_PID: string;
    ELASTICSEARCH_RUN_DIR: string;
}

const KEYS: (keyof ServicesEnv)[] = [
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "ELASTICSEARCH_URL",
    "ELASTICSEARCH_USERNAME",
    "ELASTICSEARCH_PASSWORD",
    "ELASTICSEARCH_CA_FILE",
    "MOTO_PID",
    "MOTO_RUN_DIR",
    "ELASTICSEARCH_PID",
    "ELASTICSEARCH_RUN_DIR",
];

/** Writes the file readable by its owner only (it holds this run's test password). Values are shell-safe (`set -a; . .cache/services.env`). */
export function writeServicesEnv(env: ServicesEnv, file = SERVICES_ENV_FILE): void {
    for (const key of KEYS) {
        if (!/^[A-Za-z0-9_./:@+=-]+$/.test(env[key])) {
            throw new Error(`services.env: ${key} holds characters a shell would interpret`);
        }
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const text = [
        "# Written by `npm run services -- up`: the local moto and Elasticsearch test services, on 127.0.0.1 only.",
        "# ELASTICSEARCH_PASSWORD is the throwaway password of this local test node (new on every `up`), not a secret of any real system.",
        ...KEYS.map((key) => `${key}=${env[key]}`),
        "",
    ].join("\n");
    // Written to a new owner-only file, then renamed over the old one: the file is never readable by others, not even briefly.
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, text, { mode: 0o600, flag: "wx" });
    fs.chmodSync(temporary, 0o600);
    fs.renameSync(temporary, file);
}

/** The recorded settings, or undefined when the services were never started (or were stopped). */
export function readServicesEnv(file = SERVICES_ENV_FILE): Partial<ServicesEnv> | undefined {
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const env: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (match?.[1] && match[2] !== undefined) {
            env[match[1]] = match[2];
        }
    }
    return env;
}

/**
 * Fills the process environment from `.cache/services.env`, so `npm run ship` and `npm run replay` reach the local
 * services without sourcing it. Explicit variables win, by group: when ELASTICSEARCH_URL (or AWS_ENDPOINT_URL) is
 * set to another endpoint, none of that group's settings come from the file (the local test password is never
 * sent to another cluster). When the SDK ends up pointed at the local moto, its credentials are the dummy ones moto
 * accepts (a real key, session or profile of the shell is never sent to it). Returns whether the file was read.
 */
export function applyServicesEnv(file = SERVICES_ENV_FILE): boolean {
    const env = readServicesEnv(file);
    if (!env) {
        return false;
    }
    const groups = [
        ["ELASTICSEARCH_URL", "ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD", "ELASTICSEARCH_CA_FILE"],
        ["AWS_ENDPOINT_URL", "AWS_REGION"],
    ] as const;
    for (const [endpoint, ...settings] of groups) {
        const explicit = process.env[endpoint];
        if (explicit !== undefined && explicit !== env[endpoint]) continue;
        for (const key of [endpoint, ...settings]) {
            const value = env[key];
            if (value !== undefined && process.env[key] === undefined) process.env[key] = value;
        }
    }
    if (process.env["AWS_ENDPOINT_URL"] === env.AWS_ENDPOINT_URL && /^http:\/\/127\.0\.0\.1:\d+$/.test(env.AWS_ENDPOINT_URL ?? "")) {
        process.env["AWS_ACCESS_KEY_ID"] = "testing";
        process.env["AWS_SECRET_ACCESS_KEY"] = "testing";
        delete process.env["AWS_SESSION_TOKEN"];
        delete process.env["AWS_PROFILE"];
    }
    return true;
}
