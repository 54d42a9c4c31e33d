import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";

import { awsClientConfig } from "../shared/awsClient";
import { Deadline, RemainingTime } from "../shared/deadline";
import { describeError, RetryableError } from "../shared/errors";
import { createLogger } from "../shared/logger";
import { createMetrics, publishCounts } from "../shared/metrics";
import { KpiFunctionConfig } from "./config";
import { KpiEvent, parseKpiEvent } from "./events";
import { renderKpiLines, writeKpiObject } from "./output";
import { computeDay } from "./pipeline";

export interface DayResult {
    date: string;
    trips: number;
    rejected: number;
    key: string;
    bytes: number;
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
 */
export function makeKpiHandler(config: KpiFunctionConfig): (event: KpiEvent, context?: RemainingTime) => Promise<KpiResult> {
    const clientConfig = awsClientConfig({ maxAttempts: config.maxAttempts });
    const dynamodb = new DynamoDBClient(clientConfig);
    const s3 = new S3Client(clientConfig);
    const logger = createLogger("kpi-pipeline");
    const metrics = createMetrics("kpi-pipeline");

    async function runDay(date: string, completeDay: boolean): Promise<DayResult> {
        const started = Date.now();
        const day = await computeDay(dynamodb, config, date);
        const written = await writeKpiObject(s3, config.bucket, date, renderKpiLines([day.row]));
        const counts: Record<string, number> = { TripsCompleted: day.row.trips_completed, RecordsRejected: day.row.records_rejected };
        if (completeDay && config.expectTripsDaily) counts["ZeroTripDay"] = day.row.trips_completed === 0 ? 1 : 0;
        publishCounts(metrics, {}, counts);
        logger.info("KPI day written", {
            date,
            trips: day.row.trips_completed,
            rejected: day.row.records_rejected,
            rejectedByReason: day.row.rejected_by_reason,
            notCompleted: day.row.records_not_completed,
            outsideWindow: day.outsideWindow,
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
        return { date, trips: day.row.trips_completed, rejected: day.row.records_rejected, key: written.key, bytes: written.bytes };
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
                    days.push(await runDay(date, parsed.scheduled));
                } catch (error) {
                    logger.error("KPI day failed", { date, error: describeError(error) });
                    throw error;
                }
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
                await runDay(date, false);
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
