import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { MISSING_DATA } from "./alarmData";

const DAY = 86400;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: DAY, days: DAY };

/**
 * The longest time between two runs of an EventBridge schedule, in seconds: `rate(N unit)`, or a `cron(...)` that runs
 * on every day (day-of-month and day-of-week `*` or `?`, month and year `*`) at minutes and hours given as numbers,
 * lists, ranges or steps. Undefined for anything else: a cron on some days only has irregular gaps a heartbeat cannot
 * be sized from (the caller refuses it, naming its setting).
 */
export function scheduleIntervalSeconds(schedule: string): number | undefined {
    const rate = RATE.exec(schedule.trim());
    if (rate) {
        const amount = Number(rate[1]);
        return amount >= 1 ? amount * (UNIT_SECONDS[rate[2] ?? ""] ?? 0) : undefined;
    }
    const cron = CRON.exec(schedule.trim());
    return cron ? cronGapSeconds((cron[1] ?? "").trim().split(/\s+/)) : undefined;
}

/** The largest gap between two runs of a day-uniform cron (minutes, hours, day-of-month, month, day-of-week, year). */
function cronGapSeconds(fields: string[]): number | undefined {
    if (fields.length !== 6) return undefined;
    const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
    const every = (field: string) => field === "*" || field === "?";
    if (!every(dayOfMonth) || !every(dayOfWeek) || month !== "*" || year !== "*") return undefined;
    const minutes = cronValues(minute, 0, 59);
    const hours = cronValues(hour, 0, 23);
    if (minutes === undefined || hours === undefined || minutes.length === 0 || hours.length === 0) return undefined;
    const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
    let gap = (times[0] ?? 0) + 1440 - (times[times.length - 1] ?? 0);
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, (times[i] ?? 0) - (times[i - 1] ?? 0));
    return gap * 60;
}

/** The values of one numeric cron field: `*`, `n`, `a-b`, `*\/n`, `a/n`, `a-b/n`, and lists of them; undefined otherwise. */
function cronValues(field: string, min: number, max: number): number[] | undefined {
    const values = new Set<number>();
    for (const part of field.split(",")) {
        const match = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
        if (!match) return undefined;
        const from = match[1] === "*" ? min : Number(match[1]);
        const to = match[2] !== undefined ? Number(match[2]) : match[1] === "*" || match[3] !== undefined ? max : from;
        const step = match[3] !== undefined ? Number(match[3]) : 1;
        if (from < min || to > max || from > to || step < 1) return undefined;
        for (let value = from; value <= to; value += step) values.add(value);
    }
    return [...values];
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

/** The metric a scheduled function publishes when a run completed successfully (its heartbeat). */
export interface SuccessMetric {
    namespace: string;
    metricName: string;
    dimensions: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** What one data point means, for the alarm's description (e.g. "a region's sweep completed without failures"). */
    meaning: string;
}

/**
 * An alarm that fires when a scheduled function did not complete a run successfully for a whole window of its
 * schedule: the sum of its success metric below 1, missing data breaching (silence is what it watches). Throws, naming
 * the setting, for a schedule no window can be sized from.
 */
export function heartbeatAlarm(
    name: string,
    spec: { schedule: string; setting: string; metric: SuccessMetric; runbook: string },
    alarmTopicArn: pulumi.Input<string>,
    parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
    const window = heartbeatWindow(spec.schedule);
    if (window === undefined) {
        throw new Error(
            `${spec.setting} ${spec.schedule}: a heartbeat alarm cannot be sized from it (use rate(N minutes|hours|days) up to 6 days, or a cron that runs every day at fixed minutes and hours, e.g. cron(15 0 * * ? *)): pulumi config set --path 'log-platform:${spec.setting}' 'rate(1 hour)'`,
        );
    }
    const hours = (window.period * window.evaluationPeriods) / 3600;
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            alarmDescription: `${name}: not once in ${hours} h ${spec.metric.meaning}, although the schedule is ${spec.schedule}: the schedule, its rule, the function's permission or every run failed (runbook: ${spec.runbook})`,
            namespace: spec.metric.namespace,
            metricName: spec.metric.metricName,
            dimensions: spec.metric.dimensions,
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
