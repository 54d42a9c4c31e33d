import { UsageError } from "../shared/args";
import type { SourceSizes } from "./data/shipperEvents";

/** The demo's command line: `[stack] [--stack S] [--size small|standard|full] [--seed N] [--keep]`. */
export interface DemoOptions {
    stack: string;
    size: DemoSize;
    seed: number;
    keep: boolean;
    /** Skip the offline preview and gate (the demo test does: the gate has its own tests). */
    skipPreview: boolean;
}

/**
 * How much data each size generates. `standard` (the default) keeps the first command under a minute: moto
 * answers a DynamoDB Query at about 1-2 ms per item (its generic response serializer), so the trip count, not
 * the platform's code, sets the KPI step's time. `full` is the issue's ~100k trips, minutes on moto.
 */
export type DemoSize = "small" | "standard" | "full";

/** How much data each size generates: the shipper sources' batches, then trips and log groups. */
export interface DemoSizes extends SourceSizes {
    trips: number;
    tripDays: number;
    logGroups: number;
}

export const SIZES: Record<DemoSize, DemoSizes> = {
    standard: { cloudwatchPayloads: 8, eventsPerPayload: 500, kinesisBatches: 10, kinesisRecordsPerBatch: 100, sqsBatches: 20, sqsMessagesPerBatch: 50, trips: 6_000, tripDays: 3, logGroups: 200 },
    full: { cloudwatchPayloads: 8, eventsPerPayload: 500, kinesisBatches: 10, kinesisRecordsPerBatch: 100, sqsBatches: 20, sqsMessagesPerBatch: 50, trips: 100_000, tripDays: 3, logGroups: 200 },
    small: { cloudwatchPayloads: 2, eventsPerPayload: 50, kinesisBatches: 4, kinesisRecordsPerBatch: 20, sqsBatches: 3, sqsMessagesPerBatch: 10, trips: 3_000, tripDays: 3, logGroups: 40 },
};

export const USAGE = `Usage: bash scripts/local.sh [stack] [--size small|standard|full] [--seed N] [--keep]

Runs the whole platform on this machine: offline preview + policy gate of Pulumi.<stack>.yaml (default
prod), then moto and a real Elasticsearch node, the log shipper, the KPI pipeline and the retention
enforcer as deployed (their serialized closures), each checked against its own invariants.
  --size S           how much data: standard (default: ~8.3k log events, 6k trips, 200 log groups, about a
                     minute), full (the same with 100k trips: several minutes, moto's Query is slow), small (tests)
  --seed N           seed of the generated data (default 42); the same seed gives the same counts
  --keep             leave moto and Elasticsearch running (recorded in .cache/services.env), print how to query
                     them; stop them with: npm run services -- down
  --skip-preview     skip step 1 (the offline preview and the policy gate)
Function logs are silent unless LOG_LEVEL is set (e.g. LOG_LEVEL=INFO).`;

export { UsageError };

export function parseDemoArgs(argv: readonly string[]): DemoOptions {
    const options: DemoOptions = { stack: "prod", size: "standard", seed: 42, keep: false, skipPreview: false };
    let stackGiven = false;
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        const value = (): string => {
            const next = argv[++index];
            if (next === undefined || next.startsWith("--")) throw new UsageError(`${arg} needs a value`);
            return next;
        };
        switch (arg) {
            case "--stack":
                if (stackGiven) throw new UsageError("the stack is given twice");
                options.stack = value();
                stackGiven = true;
                break;
            case "--size": {
                const size = value();
                if (size !== "small" && size !== "standard" && size !== "full") throw new UsageError(`--size must be small, standard or full, got "${size}"`);
                options.size = size;
                break;
            }
            case "--seed": {
                const text = value();
                const seed = Number(text);
                if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a non-negative integer, got "${text}"`);
                options.seed = seed;
                break;
            }
            case "--keep":
                options.keep = true;
                break;
            case "--skip-preview":
                options.skipPreview = true;
                break;
            case "--help":
            case "-h":
                throw new UsageError("");
            default:
                if (arg.startsWith("-")) throw new UsageError(`unknown argument ${arg}`);
                if (stackGiven) throw new UsageError(`unexpected argument ${arg}: the stack is already ${options.stack}`);
                options.stack = arg;
                stackGiven = true;
        }
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(options.stack)) throw new UsageError(`stack name "${options.stack}" is not valid: expected letters, digits, _ . -`);
    return options;
}
