import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * How an alarm reads a period without data, chosen by when its metric is published (docs/deploy.md, "Alarms:
 * what silence means" has the table and the reasons):
 *
 * - `invocation`: Lambda's Errors and Throttles and the functions' own EMF counts exist only for invocations.
 *   No data = nothing ran = nothing failed: not breaching. A scheduled function that stops running is caught by
 *   its heartbeat instead.
 * - `queue`: SQS publishes a queue's metrics only while the queue is active, and a queue holding messages that
 *   nothing touches can stop reporting. No data says nothing new: the alarm keeps its state (`ignore`), so an
 *   idle empty queue stays OK and a queue still holding a letter stays in ALARM instead of turning OK.
 * - `stream`: Lambda publishes IteratorAge only while the mapping invokes the function: an idle stream and a
 *   consumer that stopped while behind both go silent, so the alarm keeps its state, as for queues.
 * - `heartbeat`: the metric is the proof of life; silence is the failure it watches (breaching).
 */
export const MISSING_DATA = {
    invocation: "notBreaching",
    queue: "ignore",
    stream: "ignore",
    heartbeat: "breaching",
} as const;

export type MissingDataRule = (typeof MISSING_DATA)[keyof typeof MISSING_DATA];

/** A 5-minute alarm on a queue holding any visible message (dead letters, failed events). */
export function queueDepthAlarm(name: string, queue: aws.sqs.Queue, alarmTopicArn: pulumi.Input<string>, description: string, parent: pulumi.Resource): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            alarmDescription: description,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: queue.name },
            statistic: "Maximum",
            period: 300,
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: MISSING_DATA.queue,
            alarmActions: [alarmTopicArn],
            okActions: [alarmTopicArn],
        },
        { parent },
    );
}

/** The fraction of a queue's retention its oldest message may wait before the age alarm fires. */
export const OLDEST_MESSAGE_ALARM_FRACTION = 0.25;

/** The age (seconds) at which the oldest-message alarm of a queue keeping messages `retentionSeconds` fires. */
export function oldestMessageThresholdSeconds(retentionSeconds: number): number {
    return Math.floor(retentionSeconds * OLDEST_MESSAGE_ALARM_FRACTION);
}

/**
 * Fires when a queue's oldest message has waited a quarter of the queue's retention: the consumer is not draining
 * it, and three quarters of the retention are left to fix that before any message expires unseen.
 */
export function oldestMessageAgeAlarm(
    name: string,
    queue: aws.sqs.Queue,
    retentionSeconds: number,
    alarmTopicArn: pulumi.Input<string>,
    description: string,
    parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
    const threshold = oldestMessageThresholdSeconds(retentionSeconds);
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            alarmDescription: `${description} (the oldest message has waited over ${formatSeconds(threshold)} of the queue's ${formatSeconds(retentionSeconds)} retention)`,
            namespace: "AWS/SQS",
            metricName: "ApproximateAgeOfOldestMessage",
            dimensions: { QueueName: queue.name },
            statistic: "Maximum",
            period: 300,
            evaluationPeriods: 1,
            threshold,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: MISSING_DATA.queue,
            alarmActions: [alarmTopicArn],
            okActions: [alarmTopicArn],
        },
        { parent },
    );
}

/** "6 h", "1 d", "90 s": the largest whole unit. */
export function formatSeconds(seconds: number): string {
    for (const [unit, size] of [
        ["d", 86400],
        ["h", 3600],
        ["min", 60],
    ] as const) {
        if (seconds >= size && seconds % size === 0) return `${seconds / size} ${unit}`;
    }
    return `${seconds} s`;
}
