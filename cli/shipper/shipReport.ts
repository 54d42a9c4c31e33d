import type { ShipperOutcome } from "../../functions/shipper/handler";

/** What Lambda would make of the invocation: its verdict decides the `npm run ship` exit code. */
export type LambdaVerdict = "succeeded" | "partial" | "failed";

/** Exit codes of `npm run ship`: 0 all accounted for, 1 Lambda would count the invocation as failed, 2 bad flags or input, 3 some records would be retried. */
export const EXIT = { succeeded: 0, failed: 1, usage: 2, partial: 3 } as const;

/** The handler's outcome (its counts, as functions/shipper/handler.ts defines them) with the event file, its record count and Lambda's verdict. */
export type ShipReport = ShipperOutcome & {
    event: string;
    records: number;
    lambda: LambdaVerdict;
};

/**
 * CloudWatch Logs (asynchronous invoke): a retryable failure makes the handler throw, Lambda counts the
 * invocation as failed and retries it. Kinesis / SQS: the invocation succeeds and returns batchItemFailures,
 * which Lambda retries record by record ("partial").
 */
export function verdict(outcome: ShipperOutcome): LambdaVerdict {
    if (outcome.invocationFailed) return "failed";
    return outcome.batchItemFailures.length > 0 ? "partial" : "succeeded";
}

export function shipReport(event: string, records: number, outcome: ShipperOutcome): ShipReport {
    const { source, ...counts } = outcome;
    // source first and the verdict last, as the JSON report lists them.
    return { event, source, records, ...counts, lambda: verdict(outcome) };
}

const SOURCE_NAMES: Record<ShipperOutcome["source"], string> = { cloudwatch: "CloudWatch Logs subscription", kinesis: "Kinesis", sqs: "SQS" };

/** The human summary: counts and record ids only, never a message. */
export function renderShipReport(report: ShipReport, hints: string[] = []): string {
    const rows: [string, number][] = [
        ["events in", report.received],
        ["shipped", report.shipped],
        ["already present", report.alreadyPresent],
        ["dead-lettered", report.deadLettered],
        ["failed for retry", report.failedForRetry],
        ["filtered out", report.filtered],
    ];
    const lines = [`${report.event}: ${SOURCE_NAMES[report.source]} event, ${report.records} record${report.records === 1 ? "" : "s"}`];
    for (const [label, value] of rows) lines.push(`  ${label.padEnd(17)}${String(value).padStart(8)}`);
    if (report.source !== "cloudwatch") {
        const ids = report.batchItemFailures.map((failure) => failure.itemIdentifier);
        lines.push(`  batchItemFailures ${ids.length === 0 ? "none" : `${ids.length}: ${ids.join(", ")}`}`);
    }
    const lambda =
        report.lambda === "failed"
            ? "failed: the handler throws, Lambda retries the whole event, then sends it to the on-failure destination"
            : report.lambda === "partial"
              ? "succeeded with batchItemFailures: Lambda retries those records only"
              : "succeeded";
    lines.push(`  Lambda would count this invocation as ${lambda}`);
    for (const hint of hints) lines.push(`  note: ${hint}`);
    return `${lines.join("\n")}\n`;
}
