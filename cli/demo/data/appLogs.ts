import { Random } from "../random";

/**
 * Realistic application log lines, as services write them: structured JSON (a service logger), plain text
 * (a worker), and load-balancer style access lines. Synthetic: no personal data, ids are random.
 */
export interface AppLogLine {
    /** Milliseconds since the epoch: when the application wrote the line. */
    timestamp: number;
    message: string;
}

const ROUTES = ["/v1/trips", "/v1/trips/{id}", "/v1/drivers/{id}/location", "/v1/quotes", "/v1/payments", "/health"] as const;
const METHODS = ["GET", "GET", "GET", "POST", "PUT"] as const;
const WORKER_TASKS = ["settle-payments", "match-drivers", "recompute-surge", "expire-quotes"] as const;

/** One log line written by `service` at `timestamp`. */
export function appLogLine(random: Random, service: string, timestamp: number): AppLogLine {
    const kind = random.weighted([
        ["json", 6],
        ["text", 3],
        ["access", 1],
    ] as const);
    const iso = new Date(timestamp).toISOString();
    if (kind === "json") {
        const status = random.weighted([
            [200, 80],
            [201, 8],
            [404, 6],
            [429, 2],
            [500, 1],
        ] as const);
        const route = random.pick(ROUTES).replace("{id}", random.hex(12));
        return {
            timestamp,
            message: JSON.stringify({
                time: iso,
                level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
                service,
                msg: "request completed",
                http: { method: random.pick(METHODS), route, status },
                durationMs: Math.round(random.logNormal(35, 0.8) * 10) / 10,
                traceId: random.hex(32),
            }),
        };
    }
    if (kind === "text") {
        const task = random.pick(WORKER_TASKS);
        const level = random.weighted([
            ["INFO", 90],
            ["WARN", 8],
            ["ERROR", 2],
        ] as const);
        return { timestamp, message: `${iso} ${level.padEnd(5)} [${task}] batch ${random.hex(8)} done: ${random.int(1, 500)} items in ${random.int(3, 900)} ms` };
    }
    const status = random.pick([200, 200, 200, 301, 404] as const);
    return {
        timestamp,
        message: `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)} - - [${iso}] "GET ${random.pick(ROUTES).replace("{id}", random.hex(12))} HTTP/1.1" ${status} ${random.int(2, 9000)} "-" "ELB-HealthChecker/2.0"`,
    };
}

/** `count` lines of one service, in time order, starting at `start` (ms), a few milliseconds apart. */
export function appLogLines(random: Random, service: string, start: number, count: number): AppLogLine[] {
    const lines: AppLogLine[] = [];
    let timestamp = start;
    for (let index = 0; index < count; index++) {
        timestamp += random.int(0, 40);
        lines.push(appLogLine(random, service, timestamp));
    }
    return lines;
}
