import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { MISSING_DATA } from "./alarmData";

const DAY = 86400;
const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: DAY, days: DAY };

/**
 * The longest a function on this EventBridge schedule may go without an invocation, in seconds: the rate of a
 * `rate(...)`, one day for a `cron(...)` that fires every day (day-of-month, month and day-of-week all `*` or `?`).
 * Undefined for a cron that skips days: its gaps vary, and a heartbeat would either fire on a quiet day or wait
 * too long to matter.
 */
export function scheduleIntervalSeconds(schedule: string): number | undefined {
    const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(schedule);
    if (rate) return Number(rate[1]) * (UNIT_SECONDS[rate[2] ?? ""] ?? NaN);
    const cron = /^cron\((.+)\)$/.exec(schedule);
    if (!cron) return undefined;
    const [, , dayOfMonth, month, dayOfWeek, year] = (cron[1] ?? "").trim().split(/\s+/);
    const every = (field: string | undefined) => field === "*" || field === "?";
    return every(dayOfMonth) && month === "*" && every(dayOfWeek) && (year === undefined || year === "*") ? DAY : undefined;
}

export interface HeartbeatWindow {
    /** Seconds per evaluation period (a multiple of 60, at most a day). */
    period: number;
    /** Consecutive periods without an invocation before the alarm fires. */
    evaluationPeriods: number;
}

/**
 * The alarm's window for a schedule: periods of the schedule's interval (capped at a day), and enough of them
 * that a run landing on either side of a period boundary never leaves a whole window empty: one more than the
 * periods an interval spans. CloudWatch allows at most 7 days of evaluation (1 day with periods under an hour),
 * so a schedule sparser than 6 days gets none.
 */
export function heartbeatWindow(schedule: string): HeartbeatWindow | undefined {
    const interval = scheduleIntervalSeconds(schedule);
    if (interval === undefined || !Number.isFinite(interval) || interval <= 0) return undefined;
    const period = Math.min(Math.ceil(interval / 60) * 60, DAY);
    const evaluationPeriods = Math.ceil(interval / period) + 1;
    const limit = period < 3600 ? DAY : 7 * DAY;
    return period * evaluationPeriods <= limit ? { period, evaluationPeriods } : undefined;
}

/**
 * An alarm that fires when a scheduled function was not invoked for a whole window (Lambda's Invocations, missing
 * data breaching: silence is what it watches). Undefined, and no alarm, for a schedule without a window.
 */
export function heartbeatAlarm(
    name: string,
    functionName: pulumi.Input<string>,
    schedule: string,
    alarmTopicArn: pulumi.Input<string>,
    parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm | undefined {
    const window = heartbeatWindow(schedule);
    if (window === undefined) return undefined;
    const hours = (window.period * window.evaluationPeriods) / 3600;
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            alarmDescription: `${name}: the function ran not once in ${hours} h although its schedule is ${schedule}: the schedule, its rule or the function's permission is broken (runbook: docs/deploy.md#alarms-what-silence-means)`,
            namespace: "AWS/Lambda",
            metricName: "Invocations",
            dimensions: { FunctionName: functionName },
            statistic: "Sum",
            period: window.period,
            evaluationPeriods: window.evaluationPeriods,
            datapointsToAlarm: window.evaluationPeriods,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            treatMissingData: MISSING_DATA.heartbeat,
            alarmActions: [alarmTopicArn],
            okActions: [alarmTopicArn],
        },
        { parent },
    );
}
