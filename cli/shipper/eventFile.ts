import * as fs from "fs";

import type { ShipperSource } from "../../functions/shipper/config";
import { isCloudWatchLogsEvent } from "../../functions/shipper/sources/cloudwatchLogs";
import { isKinesisEvent } from "../../functions/shipper/sources/kinesis";
import { isSqsEvent } from "../../functions/shipper/sources/sqs";
import { UsageError } from "./args";

export interface CapturedEvent {
    source: ShipperSource;
    /** Batch items in the event: SQS messages, Kinesis records; 1 for a CloudWatch Logs subscription event. */
    records: number;
    event: unknown;
}

/** Lambda's own limit on a synchronous invocation's payload: a bigger file cannot be a captured event. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;

const SHAPES =
    'a CloudWatch Logs subscription event ({"awslogs":{"data":"<base64 gzip>"}}), or Kinesis / SQS records ({"Records":[{"eventSource":"aws:kinesis"|"aws:sqs",...}]})';

/**
 * Reads one captured Lambda event from a JSON file and says which source it is (the shipper's own detection).
 * Anything that is not such an event is a UsageError naming the file, what is wrong and what to pass instead.
 */
export function readCapturedEvent(file: string): CapturedEvent {
    let text: string;
    try {
        const stat = fs.statSync(file);
        if (!stat.isFile()) {
            throw new UsageError(`--event ${file} is not a file: pass the path of a JSON file holding one captured Lambda event`);
        }
        if (stat.size > MAX_EVENT_BYTES) {
            throw new UsageError(`--event ${file} is ${stat.size} bytes, over Lambda's 6 MB invocation payload limit: it cannot be one captured event; split it`);
        }
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        if (error instanceof UsageError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? "error";
        throw new UsageError(`--event ${file} cannot be read (${code}): pass the path of a JSON file holding one captured Lambda event`);
    }
    let event: unknown;
    try {
        event = JSON.parse(text) as unknown;
    } catch (error) {
        // JSON.parse's message names the position only, never the content.
        throw new UsageError(`--event ${file} is not valid JSON (${(error as Error).message}): the file must hold one Lambda event object, as captured`);
    }
    if (Array.isArray(event)) {
        throw new UsageError(`--event ${file} holds a JSON array: pass one event per invocation, ${SHAPES}`);
    }
    if (isCloudWatchLogsEvent(event)) {
        if (typeof (event.awslogs as { data?: unknown }).data !== "string") {
            throw new UsageError(`--event ${file}: awslogs.data must be a string (base64 of the gzip payload), as CloudWatch Logs delivers it`);
        }
        return { source: "cloudwatch", records: 1, event };
    }
    if (isKinesisEvent(event)) return { source: "kinesis", records: checkRecords(file, event.Records, "aws:kinesis"), event };
    if (isSqsEvent(event)) return { source: "sqs", records: checkRecords(file, event.Records, "aws:sqs"), event };
    throw new UsageError(`--event ${file} is not an event the shipper accepts: expected ${SHAPES}`);
}

/** Every record of a batch must be of the same source (Lambda never mixes them). */
function checkRecords(file: string, records: unknown[], eventSource: string): number {
    records.forEach((record, index) => {
        if (typeof record !== "object" || record === null || (record as { eventSource?: unknown }).eventSource !== eventSource) {
            throw new UsageError(`--event ${file}: Records[${index}] is not an ${eventSource} record like Records[0]: one event holds records of one source only`);
        }
    });
    return records.length;
}
