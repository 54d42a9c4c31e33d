import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

import { awsClientConfig } from "../shared/awsClient";
import { Deadline, RemainingTime } from "../shared/deadline";
import { describeError, RetryableError } from "../shared/errors";
import { createLogger } from "../shared/logger";
import { createMetrics, publishCounts } from "../shared/metrics";
import { KpiFunctionConfig, kpiObjectKey } from "./config";
import { KpiEvent, parseKpiEvent } from "./events";
import { renderKpiLines, writeKpiObject } from "./output";
import { computeDay } from "./pipeline";

export interface DayResult {
    date: string;
    trips: number;
    rejected: number;
    key: string;
    bytes: number;
    /** Items read with no usable expiresAt or a later one than tripRetentionDays allows (counted, never rejected). */
    keptTooLong: number;
    /** Scheduled runs, the oldest day of the window: items it read that its previous computation had not (null: no previous object). */
    addedAtWindowEdge?: number | null;
}

export type KpiResult = { days: DayResult[] } | { batchItemFailures: { itemIdentifier: string }[] };

/** Time kept back from the invocation's budget: a day is not started with less than this left. */
const RESERVE_MS = 15_000;

/**
 * The KPI function. Returns the handler (run once per container). Scheduled events recompute the last
 * `recomputeDays` complete days; `{dates}` / `{from,to}` events backfill; a DynamoDB Streams batch recomputes
 * each day its NEW_IMAGEs touch (once per day) and reports the records of a failed day as batch item failures.
 * A day is read, aggregated and written with one PutObject; any failure fails the invocation (scheduled and
 * backfill) so Lambda retries it and keeps it in the on-failure queue. Logs carry dates, counts and keys only.
 * Metrics per day: TripsCompleted, RecordsRejected, TripsKeptTooLong, ZeroTripDay (scheduled), LateTripsAtWindowEdge
 * (scheduled, oldest day); per successful scheduled run: ScheduledRunSucceeded (the heartbeat).
 */
export function makeKpiHandler(config: KpiFunctionConfig): (event: KpiEvent, context?: RemainingTime) => Promise<KpiResult> {
    const clientConfig = awsClientConfig({ maxAttempts: config.maxAttempts });
    const dynamodb = new DynamoDBClient(clientConfig);
    const s3 = new S3Client(clientConfig);
    const logger = createLogger("kpi-pipeline");
    const metrics = createMetrics("kpi-pipeline");

    /** records_read of the object a previous computation of `date` wrote, or null when there is none (or it cannot be read: logged). */
    async function previousRecordsRead(date: string): Promise<number | null> {
        try {
            const answer = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: kpiObjectKey(date) }));
            const row = JSON.parse((await answer.Body?.transformToString("utf8")) ?? "") as { records_read?: unknown };
            return typeof row.records_read === "number" ? row.records_read : null;
        } catch (error) {
            if ((error as { name?: string }).name !== "NoSuchKey") logger.warn("KPI previous object unreadable: no window-edge count", { date, error: describeError(error) });
            return null;
        }
    }

    /**
     * Computes and writes one day. `completeDay`: a scheduled run's day (ZeroTripDay applies). `windowEdge`: the
     * oldest day of a scheduled window, computed by the schedule for the last time: the items it reads beyond its
     * previous computation arrived late, and the next ones will arrive after the window (LateTripsAtWindowEdge).
     */
    async function runDay(date: string, completeDay: boolean, windowEdge: boolean): Promise<DayResult> {
        const started = Date.now();
        const previous = windowEdge ? await previousRecordsRead(date) : null;
        const day = await computeDay(dynamodb, config, date);
        const written = await writeKpiObject(s3, config.bucket, date, renderKpiLines([day.row]));
        const keptTooLong = day.expiresAtMissing + day.expiresAtTooLate;
        const addedAtWindowEdge = previous === null ? null : Math.max(0, day.row.records_read - previous);
        const counts: Record<string, number> = { TripsCompleted: day.row.trips_completed, RecordsRejected: day.row.records_rejected, TripsKeptTooLong: keptTooLong };
        if (completeDay && config.expectTripsDaily) counts["ZeroTripDay"] = day.row.trips_completed === 0 ? 1 : 0;
        if (windowEdge) counts["LateTripsAtWindowEdge"] = addedAtWindowEdge ?? 0;
        publishCounts(metrics, {}, counts);
        logger.info("KPI day written", {
            date,
            trips: day.row.trips_completed,
            rejected: day.row.records_rejected,
            rejectedByReason: day.row.rejected_by_reason,
            notCompleted: day.row.records_not_completed,
            outsideWindow: day.outsideWindow,
            keptTooLong: { expiresAtMissing: day.expiresAtMissing, expiresAtTooLate: day.expiresAtTooLate },
            ...(windowEdge ? { addedAtWindowEdge } : {}),
            queries: day.queries,
            pages: day.pages,
            items: day.items,
            key: written.key,
            bytes: written.bytes,
            ms: Date.now() - started,
        });
        if (completeDay && config.expectTripsDaily && day.row.trips_completed === 0) {
            logger.warn("KPI day has no completed trip", { date });
        }
        if (keptTooLong > 0) {
            logger.warn("KPI day has trip items kept longer than the retention allows", { date, expiresAtMissing: day.expiresAtMissing, expiresAtTooLate: day.expiresAtTooLate, tripRetentionDays: config.tripRetentionDays });
        }
        return { date, trips: day.row.trips_completed, rejected: day.row.records_rejected, key: written.key, bytes: written.bytes, keptTooLong, ...(windowEdge ? { addedAtWindowEdge } : {}) };
    }

    return async (event: KpiEvent, context?: RemainingTime): Promise<KpiResult> => {
        const deadline = new Deadline(context, RESERVE_MS, 300_000);
        const parsed = parseKpiEvent(event, { timeZone: config.timeZone, recomputeDays: config.recomputeDays, nowMs: Date.now() });
        if (parsed.kind === "dates") {
            logger.info("KPI run", { scheduled: parsed.scheduled, dates: parsed.dates });
            const days: DayResult[] = [];
            for (const date of parsed.dates) {
                if (deadline.expired()) {
                    throw new RetryableError(`time budget spent after ${days.length} of ${parsed.dates.length} days; the retry recomputes them all (idempotent)`);
                }
                try {
                    days.push(await runDay(date, parsed.scheduled, parsed.scheduled && date === parsed.dates[0]));
                } catch (error) {
                    logger.error("KPI day failed", { date, error: describeError(error) });
                    throw error;
                }
            }
            if (parsed.scheduled) {
                // The heartbeat: its alarm fires when no scheduled run has succeeded for longer than the schedule's interval.
                publishCounts(metrics, {}, { ScheduledRunSucceeded: 1 });
                logger.info("KPI scheduled run succeeded", { dates: parsed.dates });
            }
            return { days };
        }

        const recordsByDate = new Map<string, string[]>();
        for (const record of parsed.records) {
            if (record.date === undefined) continue;
            recordsByDate.set(record.date, [...(recordsByDate.get(record.date) ?? []), record.id]);
        }
        const failed = new Set<string>();
        for (const date of [...recordsByDate.keys()].sort()) {
            try {
                if (deadline.expired()) throw new RetryableError("time budget spent");
                await runDay(date, false, false);
            } catch (error) {
                logger.error("KPI day failed", { date, records: recordsByDate.get(date)?.length ?? 0, error: describeError(error) });
                for (const id of recordsByDate.get(date) ?? []) failed.add(id);
            }
        }
        logger.info("KPI stream batch", { records: parsed.records.length, days: recordsByDate.size, failedRecords: failed.size });
        // Lambda retries from the lowest failed sequence number; report them in the batch's order.
        return { batchItemFailures: parsed.records.filter((record) => failed.has(record.id)).map((record) => ({ itemIdentifier: record.id })) };
    };
}
