import type { PlatformConfig } from "../../components/config";
import type { ShipperSource } from "../../functions/shipper/config";
import type { ShipperOutcome } from "../../functions/shipper/handler";
import { cloudwatchBatches, GeneratedBatch, kinesisBatches, sqsBatches, SourceNames } from "./data/shipperEvents";
import type { DemoSizes } from "./options";
import { Random } from "./random";
import type { AwsClients, CreatedResources } from "./resources";
import type { LocalServices } from "./services";
import { deadLettersBySource, documentsBySource, PerSource, zeroPerSource } from "./shipperCounts";
import { invocationContext, loadShipperFunctions, ShipperHandler } from "./shipperFunctions";
import { check, inParallel, n, Print, progress, rate, StepReport, table } from "./ui";

const SOURCES: readonly ShipperSource[] = ["cloudwatch", "kinesis", "sqs"];
const LABELS: Record<ShipperSource, string> = { cloudwatch: "CloudWatch Logs", kinesis: "Kinesis", sqs: "SQS" };

/** The shipper's Lambda events for the stack, sized by the demo and capped at the stack's batch size. */
async function generateBatches(config: PlatformConfig, created: CreatedResources, sizes: DemoSizes, seed: number, start: number): Promise<GeneratedBatch[]> {
    const random = new Random(seed).fork("shipper");
    const names: SourceNames = {
        accountId: created.accountId,
        region: config.region,
        logGroups: created.logGroups,
        streamArn: created.streamArn,
        queueArn: created.sourceQueueArn,
        topicArn: `arn:aws:sns:${config.region}:${created.accountId}:app-logs-${config.stack}`,
    };
    const perBatch = config.shipper.batchSize;
    const sourceSizes = { ...sizes, kinesisRecordsPerBatch: Math.min(sizes.kinesisRecordsPerBatch, perBatch), sqsMessagesPerBatch: Math.min(sizes.sqsMessagesPerBatch, perBatch) };
    return [
        ...cloudwatchBatches(random.fork("cloudwatch"), names, sourceSizes, start),
        ...(await kinesisBatches(random.fork("kinesis"), names, sourceSizes, start)),
        ...sqsBatches(random.fork("sqs"), names, sourceSizes, start),
    ];
}

/** Invokes `handler` with one batch, as its trigger would, and asserts the function reported nothing for retry. */
async function invoke(handler: ShipperHandler, batch: GeneratedBatch, context: Parameters<ShipperHandler>[1]): Promise<ShipperOutcome | undefined> {
    const response = await handler(batch.event, context);
    if ("source" in response) {
        check(!response.invocationFailed && response.failedForRetry === 0, `the ${batch.source} function failed ${response.failedForRetry} of ${response.received} events for retry`);
        return response;
    }
    check(response.batchItemFailures.length === 0, `the ${batch.source} function reported ${response.batchItemFailures.length} batch item failures`);
    return undefined;
}

function sum(batches: readonly GeneratedBatch[], pick: (batch: GeneratedBatch) => number): PerSource {
    const totals = zeroPerSource();
    for (const batch of batches) totals[batch.source] += pick(batch);
    return totals;
}

/**
 * Step 3: Lambda events as AWS delivers them to the three shipper functions (CloudWatch Logs subscription
 * payloads, Kinesis records including KPL-aggregated ones, SQS messages including SNS notifications; a few
 * malformed items), invoked on the serialized closures side by side; then the node and the dead-letter queue
 * are read back: documents = events - malformed per source, every malformed item dead-lettered, one document
 * per event id. One batch per source is delivered again (as a retry would): nothing new appears.
 */
export async function runShipperStep(options: { config: PlatformConfig; created: CreatedResources; clients: AwsClients; services: LocalServices; sizes: DemoSizes; seed: number; print: Print }): Promise<StepReport> {
    const { config, created, clients, services, sizes, seed, print } = options;
    const namespace = config.elasticsearch.dataStreamNamespace;
    const batches = await generateBatches(config, created, sizes, seed, Date.now() - 3_600_000);
    const events = sum(batches, (batch) => batch.events);
    const malformed = sum(batches, (batch) => batch.malformed);
    const handlers = await loadShipperFunctions(config, created, services);

    // Each function takes its batches at the stack's concurrency (Kinesis: one batch per shard at a time), all three side by side.
    const concurrency: Record<ShipperSource, number> = {
        cloudwatch: Math.min(config.shipper.reservedConcurrency, 4),
        kinesis: config.shipper.kinesisShardCount,
        sqs: Math.min(config.shipper.reservedConcurrency, 4),
    };
    const totalEvents = SOURCES.reduce((total, source) => total + events[source], 0);
    const bar = progress("shipping log events", totalEvents, print);
    const cloudwatchOutcomes: ShipperOutcome[] = [];
    let requests = 0;
    const started = performance.now();
    await Promise.all(
        SOURCES.map((source) =>
            inParallel(
                batches.filter((batch) => batch.source === source),
                concurrency[source],
                async (batch) => {
                    const outcome = await invoke(handlers[source], batch, invocationContext(config, created, source, `demo-${seed}-${source}-${requests++}`));
                    if (outcome) cloudwatchOutcomes.push(outcome);
                    bar.tick(batch.events);
                },
            ),
        ),
    );
    const shipMs = performance.now() - started;
    bar.done();

    const client = services.elasticsearch.client();
    try {
        const documents = await documentsBySource(client, namespace);
        const letters = await deadLettersBySource(clients, created.deadLetterQueueUrl);
        const shippedByCloudWatch = cloudwatchOutcomes.reduce((total, outcome) => total + outcome.shipped, 0);
        for (const source of SOURCES) {
            check(documents.bySource[source] === events[source], `${LABELS[source]}: ${documents.bySource[source]} documents in Elasticsearch, expected ${events[source]} (${events[source] + malformed[source]} items in, ${malformed[source]} malformed)`);
            check(letters.bySource[source] === malformed[source], `${LABELS[source]}: ${letters.bySource[source]} dead letters, expected one per malformed item (${malformed[source]})`);
        }
        check(letters.letters.every((letter) => letter.reason === "malformed"), "a dead letter says Elasticsearch rejected a document: every generated event is valid");
        check(shippedByCloudWatch === events.cloudwatch, `the CloudWatch Logs function reported ${shippedByCloudWatch} shipped, ${events.cloudwatch} were sent`);
        check(documents.duplicateIds.length === 0, `event ids held by more than one document: ${documents.duplicateIds.join(", ")}`);

        // A retry delivers a batch again: the first batch of each source, which every function has already shipped.
        const replayed = SOURCES.map((source) => batches.find((batch) => batch.source === source && batch.events > 0 && batch.malformed === 0)!);
        const replayOutcomes = await Promise.all(replayed.map((batch) => invoke(handlers[batch.source], batch, invocationContext(config, created, batch.source, `demo-${seed}-replay-${batch.source}`))));
        const afterReplay = await documentsBySource(client, namespace);
        const lettersAfterReplay = await deadLettersBySource(clients, created.deadLetterQueueUrl);
        check(afterReplay.total === documents.total && afterReplay.duplicateIds.length === 0, `replaying one batch per source changed the documents from ${documents.total} to ${afterReplay.total}`);
        check(lettersAfterReplay.letters.length === letters.letters.length, `replaying changed the dead letters from ${letters.letters.length} to ${lettersAfterReplay.letters.length}`);
        const replayCloudWatch = replayOutcomes.find((outcome) => outcome !== undefined);
        check(replayCloudWatch?.alreadyPresent === replayed[0].events && replayCloudWatch.shipped === 0, `the CloudWatch Logs function reported ${replayCloudWatch?.shipped ?? "?"} shipped on the replay, expected 0 (all ${replayed[0].events} already present)`);

        print(`    ${n(totalEvents)} log events in ${batches.length} invocations shipped in ${(shipMs / 1000).toFixed(1)}s into ${services.elasticsearch.endpoint} (data streams logs-*-${namespace}):`);
        print(
            table(
                ["source", "items in", "malformed", "documents", "dead-lettered", "replayed", "already present", "new on replay"],
                SOURCES.map((source, index) => [LABELS[source], events[source] + malformed[source], malformed[source], documents.bySource[source], letters.bySource[source], replayed[index].events, replayed[index].events, 0]),
            ),
        );
        print(`    one shipped document (${LABELS.kinesis}, a KPL user record):`);
        const sample = await client.search<Record<string, unknown>>({ index: `logs-*-${namespace}`, size: 1, query: { exists: { field: "aws.kinesis.sub_sequence_number" } }, sort: [{ "event.id": "asc" }] });
        const document = sample.hits.hits[0];
        check(document !== undefined, "no KPL-aggregated document in Elasticsearch");
        print(
            JSON.stringify({ _index: document._index, _id: document._id, ...document._source }, null, 2)
                .split("\n")
                .map((line) => `      ${line}`)
                .join("\n"),
        );
        return {
            outcome: `${n(documents.total)} documents = ${n(totalEvents + SOURCES.reduce((t, s) => t + malformed[s], 0))} items in - ${n(SOURCES.reduce((t, s) => t + malformed[s], 0))} malformed (dead-lettered); a replay of one batch per source added none`,
            proves: "the three shipper closures as deployed decode every delivery format, write one document per event (idempotent create), dead-letter what cannot be decoded and survive a redelivery",
            figures: { "events/s through the shipper into the real node": rate(totalEvents, shipMs) },
        };
    } finally {
        await client.close();
    }
}
