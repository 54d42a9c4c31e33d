/**
 * EventBridge schedules as intervals, and the window a heartbeat alarm watches over: pure arithmetic (no Pulumi), so
 * the config schema refuses a schedule no heartbeat can be sized from, and the components size their alarms with it.
 */

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
    /** The schedule's longest gap between two runs. */
    intervalSeconds: number;
    /** The interval plus slack: a late or retried run (EventBridge retries a delivery for up to an hour) is not a stop. */
    windowSeconds: number;
    /** The alarm's period (hourly; a minute when the window is under an hour) and its number of periods, all of which must be without a success to alarm. */
    period: number;
    evaluationPeriods: number;
}

/** Slack on top of the interval: the interval itself, at most 2 hours. */
const MAX_SLACK_SECONDS = 2 * 3600;

/**
 * The heartbeat's window for a schedule: the interval plus slack, in hourly periods (minutely under an hour), every one
 * of which must be without a success. Undefined for a schedule without a fixed interval, and for one a CloudWatch alarm
 * cannot watch (periods x evaluation periods at most 7 days; at most 1 day with periods under an hour).
 */
export function heartbeatWindow(schedule: string): HeartbeatWindow | undefined {
    const intervalSeconds = scheduleIntervalSeconds(schedule);
    if (intervalSeconds === undefined || !Number.isFinite(intervalSeconds) || intervalSeconds <= 0) return undefined;
    const windowSeconds = intervalSeconds + Math.min(intervalSeconds, MAX_SLACK_SECONDS);
    const period = windowSeconds < 3600 ? 60 : 3600;
    const evaluationPeriods = Math.ceil(windowSeconds / period);
    const limit = period < 3600 ? DAY : 7 * DAY;
    return period * evaluationPeriods <= limit ? { intervalSeconds, windowSeconds, period, evaluationPeriods } : undefined;
}

/** Why a schedule has no heartbeat window, naming its setting and what to write instead (for config errors). */
export function scheduleProblem(setting: string, schedule: string): string | undefined {
    if (heartbeatWindow(schedule) !== undefined) return undefined;
    return `${setting} ${schedule}: a heartbeat alarm cannot be sized from it: use rate(N minutes|hours|days) up to 6 days, or a cron that runs every day at fixed minutes and hours, e.g. cron(15 0 * * ? *)`;
}
