import { SQSClient } from "@aws-sdk/client-sqs";

import { awsClientConfig } from "../functions/shared/awsClient";
import { DEFAULT_REPLAY_MAX_DATA_AGE_MS } from "../functions/shipper/replay";
import { parseArgs, runCli, UsageError } from "./shipper/args";
import { DeadLetterQueue, HOLD_SECONDS } from "./shipper/deadLetterQueue";
import { replayQueue, type ReplaySummary } from "./shipper/replayRun";
import { checkCredentialsSecret } from "./shipper/secretCheck";
import { applyServicesEnv } from "./shared/servicesEnv";
import { loadStackConfig } from "./shared/stackConfig";
import { localShipperConfig } from "./shipper/settings";

export const USAGE = `usage: npm run replay -- --queue <url> [--dry-run] [--json] [--stack <name> | --max-data-age <71h|3d>] [--secret-arn <arn>] [--namespace <ns>]

  --queue <url>        the shipper's dead-letter queue (SQS URL)
  --dry-run            read and count the letters; ship nothing, delete nothing (every message is given back)
  --stack <name>       take the limit below from Pulumi.<name>.yaml's retention plan: what its data-protection limit
                       leaves after Elasticsearch's worst case for its dataRetention (docs/retention.md)
  --max-data-age <d>   a letter whose data entered the platform longer ago than this (hours or days: 71h, 3d) is
                       expired: never shipped, deleted from the queue, listed by id (default ${formatDuration(DEFAULT_REPLAY_MAX_DATA_AGE_MS)}: 7 days
                       minus Elasticsearch's worst case with a 3d retention; a replay re-creates the data there)
  --json               print the summary as one JSON object (progress stays on stderr)
  --secret-arn <arn>   read the Elasticsearch credentials from this Secrets Manager secret (as deployed)
  --namespace <ns>     data_stream.namespace for malformed input that now decodes (default ELASTICSEARCH_NAMESPACE
                       or "default"); rejected documents go back to the data stream they were sent to

Elasticsearch: ELASTICSEARCH_URL, ELASTICSEARCH_CA_FILE and the credentials, from the environment or from
.cache/services.env (written by \`npm run services -- up\`).
Exit: 0 every letter read is now in Elasticsearch (or --dry-run), 1 some letters stay in the queue, 2 bad flags.`;

const QUEUE_URL = /^https?:\/\/[^\s/]+\/\d{12}\/[\w.-]+$/;

function formatDuration(ms: number): string {
    return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${Math.round(ms / 3_600_000)}h`;
}

/** The replay limit of a stack's retention plan (whole hours, rounded down), or a UsageError naming the stack file. */
export function stackReplayMaxDataAgeMs(stack: string): number {
    if (!/^[\w.-]+$/.test(stack)) throw new UsageError(`--stack: expected a stack name like prod (the <stack> of Pulumi.<stack>.yaml), got "${stack}"`);
    try {
        return Math.floor(loadStackConfig(stack).plan.values.replayMaxDataAgeHours) * 3_600_000;
    } catch (error) {
        throw new UsageError(`--stack ${stack}: ${(error as Error).message}`);
    }
}

/** `96h` or `4d` in milliseconds; anything else is a UsageError naming the flag. */
export function parseMaxDataAge(value: string): number {
    const match = /^(\d+)([hd])$/.exec(value);
    const amount = match ? Number(match[1]) : 0;
    if (!match || amount <= 0) throw new UsageError(`--max-data-age: expected a duration in hours or days like 96h or 4d, got ${value}`);
    return amount * (match[2] === "d" ? 86_400_000 : 3_600_000);
}

/**
 * `npm run replay`: after a fix (a mapping, the template, a decoder), ships the dead letters of the shipper's
 * queue again and deletes exactly the ones now in Elasticsearch; everything else stays in the queue.
 */
export async function main(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { values: ["--queue", "--secret-arn", "--namespace", "--max-data-age", "--stack"], switches: ["--dry-run", "--json", "--help"] }, USAGE);
    if (args.switches.has("--help")) {
        console.log(USAGE);
        return 0;
    }
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional.join(" ")}\n${USAGE}`);
    const url = args.values["--queue"];
    if (url === undefined) throw new UsageError(`--queue <url> is required: the URL of the shipper's dead-letter queue (the stack output, or aws sqs get-queue-url)\n${USAGE}`);
    if (!QUEUE_URL.test(url)) throw new UsageError(`--queue: expected an SQS queue URL like https://sqs.eu-west-1.amazonaws.com/123456789012/shipper-dead-letters, got ${url}`);
    const dryRun = args.switches.has("--dry-run");
    const json = args.switches.has("--json");
    const maxAge = args.values["--max-data-age"];
    const stack = args.values["--stack"];
    if (maxAge !== undefined && stack !== undefined) throw new UsageError("--stack and --max-data-age both set the data-age limit: give one of them");
    const maxDataAgeMs = stack !== undefined ? stackReplayMaxDataAgeMs(stack) : maxAge === undefined ? DEFAULT_REPLAY_MAX_DATA_AGE_MS : parseMaxDataAge(maxAge);

    applyServicesEnv();
    process.env["LOG_LEVEL"] ??= "WARN";
    process.env["POWERTOOLS_METRICS_DISABLED"] ??= "true";
    const config = localShipperConfig({ secretArn: args.values["--secret-arn"], namespace: args.values["--namespace"] });
    if (!dryRun && config.elasticsearch.credentialsSecretArn) await checkCredentialsSecret(config.elasticsearch.credentialsSecretArn);

    const sqs = new SQSClient(awsClientConfig());
    let summary: ReplaySummary;
    try {
        const queue = new DeadLetterQueue(sqs, url);
        summary = await replayQueue(queue, config, {
            dryRun,
            maxDataAgeMs,
            onProgress: (progress, queueSize) => process.stderr.write(`${progressLine(progress, queueSize)}\n`),
        });
    } catch (error) {
        const name = (error as Error).name;
        if (name === "QueueDoesNotExist" || name === "AWS.SimpleQueueService.NonExistentQueue") {
            throw new UsageError(`--queue ${url}: no such queue (region ${process.env["AWS_REGION"] ?? "unset"}): check the URL and the region`);
        }
        throw error;
    } finally {
        sqs.destroy();
    }
    process.stdout.write(json ? `${JSON.stringify(summary)}\n` : renderSummary(summary));
    return dryRun || summary.kept === 0 ? 0 : 1;
}

function progressLine(summary: ReplaySummary, queueSize: number): string {
    const of = queueSize > 0 ? `/~${queueSize}` : "";
    if (summary.dryRun) return `replay (dry run): read ${summary.messages}${of} messages${summary.expired > 0 ? `, ${summary.expired} letters too old to ship` : ""}`;
    return `replay: read ${summary.messages}${of} messages: ${summary.shipped} shipped, ${summary.alreadyPresent} already present, ${summary.expired} expired, ${summary.deleted} deleted, ${summary.kept} kept`;
}

/** The human summary: counts, letter ids and error types only. */
export function renderSummary(summary: ReplaySummary): string {
    const lines = [`${summary.dryRun ? "Dry run of" : "Replayed"} ${summary.queue}: ${summary.messages} messages`];
    const letters = Object.entries(summary.letters).sort(([a], [b]) => a.localeCompare(b));
    lines.push(`  letters          ${letters.length === 0 ? "none" : letters.map(([kind, count]) => `${count} ${kind}`).join(", ")}`);
    if (!summary.dryRun) {
        for (const [label, value] of [
            ["shipped", summary.shipped],
            ["already present", summary.alreadyPresent],
            ["rejected again", summary.deadLetterAgain],
            ["failed", summary.failed],
        ] as const) {
            lines.push(`  ${label.padEnd(17)}${String(value).padStart(6)}`);
        }
    }
    // Expired letters: their data is older than --max-data-age; ids only, never content.
    const expiredLabel = summary.dryRun ? "too old (would be deleted)" : "expired (deleted)";
    lines.push(`  ${expiredLabel.padEnd(summary.dryRun ? 27 : 17)}${String(summary.expired).padStart(6)}`);
    const expiredListed = summary.expiredIds.slice(0, 20);
    for (const id of expiredListed) lines.push(`    ${id}`);
    if (summary.expiredIds.length > expiredListed.length) lines.push(`    ... and ${summary.expiredIds.length - expiredListed.length} more (--json lists them all)`);
    if (summary.unreadable > 0) lines.push(`  not shipper letters ${summary.unreadable} (kept)`);
    if (summary.incomplete > 0) lines.push(`  split letters missing parts ${summary.incomplete} (kept)`);
    lines.push(`  deleted          ${String(summary.deleted).padStart(6)}`);
    lines.push(`  kept in queue    ${String(summary.kept).padStart(6)}${summary.dryRun ? " (dry run: nothing shipped or deleted)" : ""}`);
    const listed = summary.dryRun ? [] : summary.keptLetters.slice(0, 20);
    for (const kept of listed) lines.push(`    ${kept.id ?? kept.messageIds.join(",")}: ${kept.reason}${kept.error ? ` (${kept.error})` : ""}`);
    if (!summary.dryRun && summary.keptLetters.length > listed.length) lines.push(`    ... and ${summary.keptLetters.length - listed.length} more (--json lists them all)`);
    if (summary.notGivenBack > 0) lines.push(`  ${summary.notGivenBack} kept messages could not be made visible at once: they come back by themselves within ${HOLD_SECONDS / 60} minutes`);
    return `${lines.join("\n")}\n`;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
