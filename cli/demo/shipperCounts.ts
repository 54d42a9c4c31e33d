import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type Message } from "@aws-sdk/client-sqs";
import type { Client } from "@elastic/elasticsearch";
import type { QueryDslBoolQuery, QueryDslQueryContainer } from "@elastic/elasticsearch/lib/api/types";

import type { ShipperSource } from "../../functions/shipper/config";
import { decodeDeadLetterBody, type DeadLetter } from "../../functions/shipper/deadLetter";
import type { AwsClients } from "./resources";

export type PerSource = Record<ShipperSource, number>;

export function zeroPerSource(): PerSource {
    return { cloudwatch: 0, kinesis: 0, sqs: 0 };
}

/**
 * Documents of the namespace's data streams by the source that shipped them, read back from the node:
 * Kinesis documents carry `aws.kinesis`, SQS ones `aws.sqs`, CloudWatch Logs subscription ones neither.
 * Also lists event ids held by more than one document (`create` with the event id: there must be none).
 */
export async function documentsBySource(client: Client, namespace: string): Promise<{ bySource: PerSource; total: number; duplicateIds: string[] }> {
    const index = `logs-*-${namespace}`;
    await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
    const kinesis: QueryDslQueryContainer = { exists: { field: "aws.kinesis.sequence_number" } };
    const sqs: QueryDslQueryContainer = { exists: { field: "aws.sqs.message_id" } };
    // `should` spelled out: chai (loaded for the specs) gives every object a `should` that clashes with the bool query's.
    const notKinesisNorSqs: QueryDslBoolQuery = { must_not: [kinesis, sqs], should: [] };
    const cloudwatch: QueryDslQueryContainer = { bool: notKinesisNorSqs };
    const response = await client.search({
        index,
        size: 0,
        track_total_hits: true,
        ignore_unavailable: true,
        allow_no_indices: true,
        aggs: {
            sources: { filters: { filters: { kinesis, sqs, cloudwatch } } },
            // Exact: every shard returns every id (shard_size over the document count), only ids seen twice are kept.
            duplicates: { terms: { field: "event.id", min_doc_count: 2, size: 10, shard_size: 1_000_000 } },
        },
    });
    const total = typeof response.hits.total === "number" ? response.hits.total : (response.hits.total?.value ?? 0);
    const aggregations = response.aggregations as { sources: { buckets: Record<ShipperSource, { doc_count: number }> }; duplicates: { buckets: { key: string }[] } } | undefined;
    const buckets = aggregations?.sources.buckets;
    return {
        bySource: { cloudwatch: buckets?.cloudwatch.doc_count ?? 0, kinesis: buckets?.kinesis.doc_count ?? 0, sqs: buckets?.sqs.doc_count ?? 0 },
        total,
        duplicateIds: (aggregations?.duplicates.buckets ?? []).map((bucket) => bucket.key),
    };
}

/**
 * Every dead letter in the shipper's dead-letter queue, by source and reason. The messages are received and
 * made visible again at once, so they stay in the queue for `npm run replay` (with `--keep`).
 */
export async function deadLettersBySource(clients: AwsClients, queueUrl: string): Promise<{ bySource: PerSource; letters: DeadLetter[] }> {
    const seen = new Map<string, Message>();
    for (;;) {
        const answer = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 0 }));
        const messages = answer.Messages ?? [];
        if (messages.length === 0) break;
        for (const message of messages) seen.set(message.MessageId!, message);
    }
    const received = [...seen.values()];
    for (let index = 0; index < received.length; index += 10) {
        const entries = received.slice(index, index + 10).map((message, position) => ({ Id: String(position), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 }));
        await clients.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    }
    const letters = received.map((message) => decodeDeadLetterBody(message.Body ?? ""));
    const bySource = zeroPerSource();
    for (const letter of letters) bySource[letter.source]++;
    return { bySource, letters };
}
