import { randomUUID } from "crypto";

import { makeShipperCore, type LambdaContextLike } from "../functions/shipper/handler";
import { parseArgs, runCli, UsageError } from "./shipper/args";
import { readCapturedEvent } from "./shipper/eventFile";
import { checkCredentialsSecret } from "./shipper/secretCheck";
import { applyServicesEnv } from "./shared/servicesEnv";
import { localShipperConfig } from "./shipper/settings";
import { EXIT, renderShipReport, shipReport } from "./shipper/shipReport";

export const USAGE = `usage: npm run ship -- --event <file.json> [--json] [--secret-arn <arn>] [--dead-letter-queue <url>] [--namespace <ns>] [--install-template [--data-retention <3d>]]

  --event <file.json>        one captured Lambda event: CloudWatch Logs subscription, Kinesis or SQS (detected)
  --json                     print the outcome as one JSON object
  --secret-arn <arn>         read the Elasticsearch credentials from this Secrets Manager secret (as deployed)
                             instead of ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD (or ELASTICSEARCH_API_KEY)
  --dead-letter-queue <url>  SQS queue for documents Elasticsearch rejects and malformed input
                             (default SHIPPER_DEAD_LETTER_QUEUE_URL; without one they fail for retry)
  --namespace <ns>           data_stream.namespace (default ELASTICSEARCH_NAMESPACE or "default")
  --install-template         install the shipper's index template for the namespace first (idempotent)
  --data-retention <d|h>     the template's data stream retention (default 3d: prod's, within the 7-day limit)

Every event is treated as a delivery that may have been attempted before: documents already anywhere in the
data stream (any backing index, also after a rollover) are counted as already present and not written again.

Elasticsearch: ELASTICSEARCH_URL, ELASTICSEARCH_CA_FILE and the credentials, from the environment or from
.cache/services.env (written by \`npm run services -- up\`).
Exit: 0 every event accounted for, 1 Lambda would count the invocation as failed, 2 bad flags or input,
3 the invocation succeeds but returns batchItemFailures (Lambda retries those records).`;

/** A Lambda context for one local invocation: the longest budget Lambda gives (15 minutes). */
function localContext(): LambdaContextLike {
    const endsAt = Date.now() + 15 * 60_000;
    return { getRemainingTimeInMillis: () => endsAt - Date.now(), awsRequestId: `ship-${randomUUID()}` };
}

/**
 * `npm run ship`: runs one captured Lambda event through the shipper's own handler code (makeShipperCore, the
 * core of the deployed handler) against the Elasticsearch cluster the environment names, and prints what
 * became of every event. Logs (warnings and errors only, ids and counts) go to stderr.
 */
export async function main(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { values: ["--event", "--secret-arn", "--dead-letter-queue", "--namespace", "--data-retention"], switches: ["--json", "--install-template", "--help"] }, USAGE);
    if (args.switches.has("--help")) {
        console.log(USAGE);
        return 0;
    }
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional.join(" ")}\n${USAGE}`);
    const file = args.values["--event"];
    if (file === undefined) throw new UsageError(`--event <file.json> is required: the captured Lambda event to ship\n${USAGE}`);
    const deadLetterQueueUrl = args.values["--dead-letter-queue"];
    if (deadLetterQueueUrl !== undefined && !/^https?:\/\/[^\s/]+\/\d{12}\/[\w.-]+$/.test(deadLetterQueueUrl)) {
        throw new UsageError(`--dead-letter-queue: expected an SQS queue URL like https://sqs.eu-west-1.amazonaws.com/123456789012/shipper-dead-letters, got ${deadLetterQueueUrl}`);
    }

    const captured = readCapturedEvent(file);

    applyServicesEnv();
    process.env["LOG_LEVEL"] ??= "WARN";
    process.env["POWERTOOLS_METRICS_DISABLED"] ??= "true";
    const config = localShipperConfig({
        secretArn: args.values["--secret-arn"],
        namespace: args.values["--namespace"],
        deadLetterQueueUrl,
        installIndexTemplate: args.switches.has("--install-template"),
        dataRetention: args.values["--data-retention"],
    });
    if (config.elasticsearch.credentialsSecretArn) await checkCredentialsSecret(config.elasticsearch.credentialsSecretArn);

    const core = makeShipperCore(config, { everyDeliveryIsRetry: true });
    let report;
    try {
        report = shipReport(file, captured.records, await core.handle(captured.event, localContext()));
    } finally {
        await core.close();
    }
    if (args.switches.has("--json")) {
        console.log(JSON.stringify(report));
    } else {
        const hints: string[] = [];
        if (report.failedForRetry > 0 && !config.deadLetterQueueUrl) hints.push("no dead-letter queue is set: documents Elasticsearch rejects fail for retry; pass --dead-letter-queue <url>");
        if (report.failedForRetry > 0) hints.push("why each failed is logged above on stderr (ids and error types)");
        process.stdout.write(renderShipReport(report, hints));
    }
    return EXIT[report.lambda];
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
