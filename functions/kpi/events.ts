import { InputError } from "../shared/errors";
import { dateRange, localDateOf, parseDate, scheduledDates } from "./days";
import { MAX_DAYS_PER_INVOCATION } from "./config";
import { parseUtcMillis } from "./trips";

/** The events the KPI function accepts. */
export interface ScheduledEvent {
    "detail-type": "Scheduled Event";
    source?: string;
    time?: string;
}
export interface DatesEvent {
    dates: string[];
}
export interface RangeEvent {
    from: string;
    to: string;
}
export interface StreamRecord {
    eventID?: string;
    eventName?: string;
    eventSource?: string;
    dynamodb?: { SequenceNumber?: string; NewImage?: Record<string, { S?: string }> };
}
export interface StreamEvent {
    Records: StreamRecord[];
}
export type KpiEvent = ScheduledEvent | DatesEvent | RangeEvent | StreamEvent;

export type ParsedEvent = { kind: "dates"; scheduled: boolean; dates: string[] } | { kind: "stream"; records: { id: string; date?: string }[] };

const ACCEPTED =
    'expected an EventBridge "Scheduled Event", { "dates": ["YYYY-MM-DD", ...] }, { "from": "YYYY-MM-DD", "to": "YYYY-MM-DD" } or a DynamoDB Streams batch';

/** Decides what an event asks for; a malformed event is an InputError that names the field and the fix. */
export function parseKpiEvent(event: unknown, options: { timeZone: string; recomputeDays: number; nowMs: number }): ParsedEvent {
    if (typeof event !== "object" || event === null) {
        throw new InputError(`event is not an object: ${ACCEPTED}`);
    }
    const record = event as Record<string, unknown>;
    if (record["detail-type"] === "Scheduled Event") {
        // The event's `time` is the instant the schedule fired: a retry hours later still computes the same days.
        const time = record["time"];
        let at = options.nowMs;
        if (time !== undefined) {
            at = typeof time === "string" ? parseUtcMillis(time) : NaN;
            if (Number.isNaN(at)) {
                throw new InputError(`event.time ${JSON.stringify(time)} is not a UTC timestamp like "2026-11-22T00:15:00Z": EventBridge sets it; send it as it does, or leave it out to use the clock`);
            }
        }
        return { kind: "dates", scheduled: true, dates: scheduledDates(at, options.timeZone, options.recomputeDays) };
    }
    if (Array.isArray(record["Records"])) {
        return { kind: "stream", records: (record["Records"] as StreamRecord[]).map((entry, index) => streamDay(entry, index, options.timeZone)) };
    }
    let dates: string[];
    if ("dates" in record) {
        const given = record["dates"];
        if (!Array.isArray(given) || given.length === 0 || !given.every((date): date is string => typeof date === "string")) {
            throw new InputError('event.dates must be a non-empty array of "YYYY-MM-DD" strings, like { "dates": ["2026-11-21"] }');
        }
        given.forEach((date, index) => parseDate(date, `event.dates[${index}]`));
        dates = [...new Set(given)].sort();
    } else if ("from" in record || "to" in record) {
        const from = record["from"];
        const to = record["to"];
        if (typeof from !== "string" || typeof to !== "string") {
            throw new InputError('event.from and event.to must both be "YYYY-MM-DD" strings, like { "from": "2026-11-01", "to": "2026-11-07" }');
        }
        dates = dateRange(from, to);
    } else {
        throw new InputError(`event has none of detail-type, dates, from/to, Records: ${ACCEPTED}`);
    }
    if (dates.length > MAX_DAYS_PER_INVOCATION) {
        throw new InputError(`event asks for ${dates.length} days; at most ${MAX_DAYS_PER_INVOCATION} per invocation: split it, or run \`npm run kpi -- --from --to\` for a long backfill`);
    }
    return { kind: "dates", scheduled: false, dates };
}

/** The KPI day a stream record touches: its NEW_IMAGE's completedAt in the zone (none for other records). */
function streamDay(entry: StreamRecord, index: number, timeZone: string): { id: string; date?: string } {
    const id = entry.dynamodb?.SequenceNumber ?? entry.eventID ?? String(index);
    const completedAt = entry.dynamodb?.NewImage?.["completedAt"]?.S;
    const ms = completedAt === undefined ? NaN : parseUtcMillis(completedAt);
    return Number.isNaN(ms) ? { id } : { id, date: localDateOf(ms, timeZone) };
}
