import type { CloudWatchLogsEvent } from "aws-lambda";

import { emptyBatch, type DecodedBatch } from "../event";
import { appendCloudWatchPayload, decodeBase64, gunzip, decodeUtf8, MalformedError, rawText } from "./payload";

export function isCloudWatchLogsEvent(event: unknown): event is CloudWatchLogsEvent {
    return typeof event === "object" && event !== null && typeof (event as { awslogs?: unknown }).awslogs === "object" && (event as { awslogs?: unknown }).awslogs !== null;
}

/**
 * A CloudWatch Logs subscription event (`awslogs.data` = base64(gzip(JSON))). A payload that cannot be decoded
 * is one malformed input, dead-lettered whole with `awslogs.data` as received; the payload has no id of its
 * own, so the letter's id is `malformedId` (the handler passes `cloudwatch-<request id>`: Lambda's asynchronous
 * retries keep the request id, so a repeated letter has the same id).
 */
export function decodeCloudWatchLogsEvent(event: CloudWatchLogsEvent, malformedId: string): DecodedBatch {
    const batch = emptyBatch("cloudwatch");
    const data = (event.awslogs as { data?: unknown }).data;
    batch.recordIds.push("");
    batch.shards.push("");
    try {
        if (typeof data !== "string") throw new MalformedError("awslogs.data is not a string");
        const text = decodeUtf8(gunzip(decodeBase64(data, "awslogs.data"), "awslogs.data"), "awslogs.data");
        appendCloudWatchPayload(text, "", batch, "awslogs.data");
    } catch (error) {
        if (!(error instanceof MalformedError)) throw error;
        batch.malformed.push({ source: "cloudwatch", recordId: "", id: malformedId, error: error.message, raw: typeof data === "string" ? data : rawText(data), rawEncoding: "utf8" });
    }
    return batch;
}
