/**
 * The interval of the KPI schedule (`kpi.schedule`), from which the heartbeat alarm's window is derived: the
 * alarm fires when no scheduled run has succeeded for the interval plus some slack. Only expressions with one
 * fixed interval are accepted: `rate(N minutes|hours|days)` and a daily cron, `cron(M H * * ? *)`.
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const DAILY_CRON = /^cron\((\d{1,2}) (\d{1,2}) (\* \* \?|\? \* \*) \*\)$/;
const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

/** Slack added to the interval: a late or retried run (EventBridge retries for up to an hour) is not a stopped pipeline. */
const MAX_SLACK_SECONDS = 2 * 3600;
/** CloudWatch: period x evaluation periods at most 7 days (1 day for periods under an hour). */
const MAX_ALARM_WINDOW_SECONDS = 7 * 86400;

export class ScheduleError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ScheduleError";
    }
}

/** Seconds between two runs of `expression`, or a ScheduleError naming the accepted forms. */
export function scheduleIntervalSeconds(expression: string): number {
    const rate = RATE.exec(expression);
    if (rate) {
        const count = Number(rate[1]);
        if (count < 1) throw new ScheduleError(`kpi.schedule ${JSON.stringify(expression)} has a zero interval: use rate(1 hour) or more`);
        return count * (UNIT_SECONDS[rate[2] ?? ""] ?? 0);
    }
    const cron = DAILY_CRON.exec(expression);
    if (cron && Number(cron[1]) <= 59 && Number(cron[2]) <= 23) return 86400;
    throw new ScheduleError(
        `kpi.schedule ${JSON.stringify(expression)}: the heartbeat alarm needs a schedule with one fixed interval: rate(N minutes|hours|days), or a daily cron like cron(15 0 * * ? *) (one minute and one hour, every day)`,
    );
}

export interface HeartbeatWindow {
    /** The schedule's interval. */
    intervalSeconds: number;
    /** interval + slack (the slack: the interval itself, at most 2 hours). */
    windowSeconds: number;
    /** The alarm's period and number of periods (all breaching to alarm): periodSeconds x evaluationPeriods >= windowSeconds. */
    periodSeconds: number;
    evaluationPeriods: number;
}

/** The heartbeat alarm's window for a schedule: hourly periods (minutely below an hour) covering interval + slack. */
export function heartbeatWindow(expression: string): HeartbeatWindow {
    const intervalSeconds = scheduleIntervalSeconds(expression);
    const windowSeconds = intervalSeconds + Math.min(intervalSeconds, MAX_SLACK_SECONDS);
    const periodSeconds = windowSeconds < 3600 ? 60 : 3600;
    const evaluationPeriods = Math.ceil(windowSeconds / periodSeconds);
    if (periodSeconds * evaluationPeriods > MAX_ALARM_WINDOW_SECONDS) {
        throw new ScheduleError(`kpi.schedule ${JSON.stringify(expression)}: runs further apart than about 6 days cannot be watched by a CloudWatch alarm (at most 7 days, slack included); run the KPIs at least daily`);
    }
    return { intervalSeconds, windowSeconds, periodSeconds, evaluationPeriods };
}
