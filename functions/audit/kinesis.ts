import { DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";

import { AuditRow, AuditSettings, errorText, mapLimit } from "./model";
import { judge } from "./verdict";

/**
 * The Kinesis data streams of one region: a record is readable for the stream's retention period
 * (`RetentionPeriodHours`, 24 to 8,760), then it is gone; that is its worst case.
 */
export async function auditStreams(kinesis: KinesisClient, region: string, settings: AuditSettings): Promise<AuditRow[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    let exclusiveStart: string | undefined;
    for (;;) {
        const page = await kinesis.send(new ListStreamsCommand(nextToken ? { NextToken: nextToken } : { Limit: 100, ...(exclusiveStart ? { ExclusiveStartStreamName: exclusiveStart } : {}) }));
        const pageNames = page.StreamNames ?? [];
        names.push(...pageNames);
        if (!page.HasMoreStreams || pageNames.length === 0) break;
        nextToken = page.NextToken;
        exclusiveStart = pageNames[pageNames.length - 1];
    }
    return mapLimit(names, 8, async (name): Promise<AuditRow> => {
        try {
            const { StreamDescriptionSummary: summary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
            const hours = summary?.RetentionPeriodHours ?? 24;
            return { kind: "kinesis", name, region, keeps: `retention ${hours}h`, worstHours: hours, ...judge(hours, settings) };
        } catch (error) {
            return { kind: "kinesis", name, region, keeps: "could not be read", verdict: "unknown", note: errorText(error) };
        }
    });
}
