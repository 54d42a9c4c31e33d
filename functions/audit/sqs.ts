import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";

import { formatHours, sqsWorstHours } from "../../components/dataProtection/ages";
import { AuditRow, AuditSettings, errorText, mapLimit } from "./model";
import { judge } from "./verdict";

interface QueueFacts {
    url: string;
    name: string;
    arn: string;
    retentionSeconds: number;
    fifo: boolean;
    /** The queue its RedrivePolicy sends failed messages to. */
    deadLetterTargetArn?: string;
}

/**
 * The SQS queues of one region. A queue keeps a message its retention period after it was enqueued. A dead-letter
 * queue: for a standard queue the message keeps its original enqueue time (the DLQ's retention counts from the
 * source's enqueue), a FIFO queue's DLQ starts the clock again (developer guide, "dead-letter queue retention"), so
 * its worst case is the longest its sources keep a message plus its own retention, along the whole chain.
 */
export async function auditQueues(sqs: SQSClient, region: string, settings: AuditSettings): Promise<AuditRow[]> {
    const urls: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await sqs.send(new ListQueuesCommand({ MaxResults: 1000, NextToken: nextToken }));
        urls.push(...(page.QueueUrls ?? []));
        nextToken = page.NextToken;
    } while (nextToken);

    const read = await mapLimit(urls, 8, async (url): Promise<QueueFacts | { url: string; error: string }> => {
        try {
            const { Attributes: attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
            const redrive = attributes["RedrivePolicy"] ? (JSON.parse(attributes["RedrivePolicy"]) as { deadLetterTargetArn?: string }) : undefined;
            const arn = attributes["QueueArn"] ?? url;
            return {
                url,
                name: arn.split(":").pop() ?? url,
                arn,
                retentionSeconds: Number(attributes["MessageRetentionPeriod"] ?? 345_600),
                fifo: attributes["FifoQueue"] === "true",
                ...(redrive?.deadLetterTargetArn ? { deadLetterTargetArn: redrive.deadLetterTargetArn } : {}),
            };
        } catch (error) {
            return { url, error: errorText(error) };
        }
    });
    const queues = read.filter((queue): queue is QueueFacts => "arn" in queue);
    const sources = new Map<string, QueueFacts[]>();
    for (const queue of queues) {
        if (queue.deadLetterTargetArn) sources.set(queue.deadLetterTargetArn, [...(sources.get(queue.deadLetterTargetArn) ?? []), queue]);
    }

    // Worst age of a message in a queue, with the chain of FIFO dead-letter queues before it (a cycle counts once).
    const worst = new Map<string, { hours: number; via?: QueueFacts }>();
    const worstOf = (queue: QueueFacts, visiting: Set<string>): { hours: number; via?: QueueFacts } => {
        const known = worst.get(queue.arn);
        if (known) return known;
        let upstream = 0;
        let via: QueueFacts | undefined;
        if (queue.fifo) {
            visiting.add(queue.arn);
            for (const source of sources.get(queue.arn) ?? []) {
                if (visiting.has(source.arn)) continue;
                const hours = worstOf(source, visiting).hours;
                if (hours > upstream) {
                    upstream = hours;
                    via = source;
                }
            }
            visiting.delete(queue.arn);
        }
        const result = { hours: sqsWorstHours(queue.retentionSeconds, upstream), ...(via ? { via } : {}) };
        worst.set(queue.arn, result);
        return result;
    };

    const rows: AuditRow[] = read.map((queue): AuditRow => {
        if (!("arn" in queue)) return { kind: "sqs", name: queue.url.split("/").pop() ?? queue.url, region, keeps: "could not be read", verdict: "unknown", note: queue.error };
        const { hours, via } = worstOf(queue, new Set());
        const own = `retention ${formatHours(queue.retentionSeconds / 3600)}`;
        const fed = sources.get(queue.arn) ?? [];
        let keeps = own;
        if (via) keeps = `${own} + up to ${formatHours(hours - queue.retentionSeconds / 3600)} in ${via.name} (FIFO DLQ: its clock restarts)`;
        else if (fed.length > 0) keeps = `${own} (DLQ of ${fed.map((source) => source.name).join(", ")}${queue.fifo ? "" : ": counted from the original enqueue"})`;
        return { kind: "sqs", name: queue.name, region, keeps, worstHours: hours, ...judge(hours, settings) };
    });
    return rows;
}
