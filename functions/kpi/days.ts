import { InputError } from "../shared/errors";

/**
 * KPI days in a time zone. A day `D` in zone `Z` is the half-open interval of instants
 * [local midnight of D, local midnight of D+1); outside UTC it overlaps two UTC `completedDate` partitions.
 */
export interface DayWindow {
    date: string;
    startMs: number;
    endMs: number;
    /** The UTC `completedDate` partitions the window overlaps, in order (one for UTC, two otherwise). */
    partitions: string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Parses YYYY-MM-DD (a real calendar date) or throws an InputError naming `what`. */
export function parseDate(text: string, what: string): { y: number; m: number; d: number } {
    const match = DATE.exec(text);
    if (match) {
        const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
        const check = new Date(Date.UTC(y, m - 1, d));
        if (check.getUTCFullYear() === y && check.getUTCMonth() === m - 1 && check.getUTCDate() === d) {
            return { y, m, d };
        }
    }
    throw new InputError(`${what} ${JSON.stringify(text)} is not a date: expected YYYY-MM-DD, like 2026-11-21`);
}

export function utcDateOf(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
}

/** The calendar date of an instant in a time zone. */
export function localDateOf(ms: number, timeZone: string): string {
    const parts = zonedParts(ms, timeZone);
    return `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)}`;
}

/** The instant of local midnight starting `date` in `timeZone` (on a DST gap at midnight: the first existing instant). */
export function localMidnight(date: string, timeZone: string): number {
    const { y, m, d } = parseDate(date, "date");
    const wall = Date.UTC(y, m - 1, d);
    const first = wall - offsetMs(wall, timeZone);
    const second = wall - offsetMs(first, timeZone);
    return first === second ? first : Math.max(first, second);
}

/**
 * The days of `dates` whose trips may already be gone at `nowMs`: a trip is kept at most `tripRetentionDays` after it
 * completes (its `expiresAt`), so from the day's local midnight + that many days on, its first trips can have
 * expired. Recomputing such a day would replace its KPI object with a partial one.
 */
export function daysPastTripRetention(dates: readonly string[], timeZone: string, tripRetentionDays: number, nowMs: number): string[] {
    return dates.filter((date) => localMidnight(date, timeZone) + tripRetentionDays * 86_400_000 <= nowMs);
}

export function dayWindow(date: string, timeZone: string): DayWindow {
    const startMs = localMidnight(date, timeZone);
    const endMs = localMidnight(addDays(date, 1), timeZone);
    const partitions: string[] = [];
    for (let day = utcDateOf(startMs); day <= utcDateOf(endMs - 1); day = addDays(day, 1)) {
        partitions.push(day);
    }
    return { date, startMs, endMs, partitions };
}

export function addDays(date: string, days: number): string {
    const { y, m, d } = parseDate(date, "date");
    return utcDateOf(Date.UTC(y, m - 1, d) + days * DAY_MS);
}

/** Every date from `from` to `to`, both included. */
export function dateRange(from: string, to: string): string[] {
    parseDate(from, "from");
    parseDate(to, "to");
    if (from > to) {
        throw new InputError(`from ${from} is after to ${to}: give from <= to`);
    }
    const dates: string[] = [];
    for (let day = from; day <= to; day = addDays(day, 1)) {
        dates.push(day);
    }
    return dates;
}

/** The days a scheduled run at `nowMs` recomputes: the `count` days ending with the day before today (in the zone). */
export function scheduledDates(nowMs: number, timeZone: string, count: number): string[] {
    const yesterday = addDays(localDateOf(nowMs, timeZone), -1);
    return dateRange(addDays(yesterday, -(count - 1)), yesterday);
}

function offsetMs(instant: number, timeZone: string): number {
    const p = zonedParts(instant, timeZone);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

function zonedParts(ms: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
    const format = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
    });
    const values: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(ms))) {
        if (part.type !== "literal") values[part.type] = Number(part.value);
    }
    return { year: values["year"] ?? 0, month: values["month"] ?? 1, day: values["day"] ?? 1, hour: values["hour"] ?? 0, minute: values["minute"] ?? 0, second: values["second"] ?? 0 };
}

function pad(value: number, width: number): string {
    return String(value).padStart(width, "0");
}
