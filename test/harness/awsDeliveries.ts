import { gzipSync } from "zlib";

import { aggregate } from "aws-kinesis-agg";

/**
 * How AWS encodes what the shipper receives, for the specs, the demo and the benchmark to build deliveries
 * the same way: the CloudWatch Logs subscription payload and KPL aggregation.
 */

/** The CloudWatch Logs subscription payload as delivered (`awslogs.data`, and what a stream or queue carries): base64(gzip(JSON)). */
export function cloudWatchLogsData(payload: object | string): string {
    return gzipSync(typeof payload === "string" ? payload : JSON.stringify(payload)).toString("base64");
}

/** KPL-aggregates user records into one Kinesis record's data, with the maintained library's own encoder (the shipper de-aggregates with it). */
export function kplAggregate(records: { partitionKey: string; data: Buffer }[]): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
        const out: Buffer[] = [];
        aggregate(
            records,
            (encoded, done) => {
                out.push(encoded.data);
                done();
            },
            () => (out.length === 1 && out[0] ? resolve(out[0]) : reject(new Error(`KPL aggregation gave ${out.length} records, expected 1`))),
            reject,
        );
    });
}
