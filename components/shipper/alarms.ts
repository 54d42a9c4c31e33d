import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { ManagedFunction } from "../managedFunction";
import { MISSING_DATA, MissingDataRule } from "../shared/alarmData";

export interface ShipperAlarmSpec {
    description: string;
    namespace: string;
    metricName: string;
    dimensions: pulumi.Input<Record<string, pulumi.Input<string>>>;
    statistic: "Sum" | "Maximum";
    /** Fires when the statistic is greater than this. */
    threshold: number;
    /** Consecutive 5-minute periods over the threshold before it fires. */
    evaluationPeriods: number;
    /** What a period without data means for this metric (components/shared/alarmData.ts says which rule fits which metric). */
    treatMissingData: MissingDataRule;
}

/** A 5-minute alarm to the encrypted topic (and back to OK). */
export function shipperAlarm(name: string, parent: pulumi.Resource, alarmTopicArn: pulumi.Input<string>, spec: ShipperAlarmSpec): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            alarmDescription: `${spec.description} (runbook: docs/shipper.md#alarms-runbook)`,
            namespace: spec.namespace,
            metricName: spec.metricName,
            dimensions: spec.dimensions,
            statistic: spec.statistic,
            period: 300,
            evaluationPeriods: spec.evaluationPeriods,
            threshold: spec.threshold,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: spec.treatMissingData,
            alarmActions: [alarmTopicArn],
            okActions: [alarmTopicArn],
        },
        { parent },
    );
}

/**
 * Throttles sustained for 15 minutes: the reserved concurrency no longer keeps up (a short burst is absorbed by
 * Lambda's own retries for asynchronous and event-source invokes). Published only for invocations.
 */
export function throttleAlarm(name: string, fn: ManagedFunction, source: string, alarmTopicArn: pulumi.Input<string>, parent: pulumi.Resource): aws.cloudwatch.MetricAlarm {
    return shipperAlarm(name, parent, alarmTopicArn, {
        description: `${name}: the ${source} shipper is throttled at its reserved concurrency`,
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions: { FunctionName: fn.functionName },
        statistic: "Sum",
        threshold: 0,
        evaluationPeriods: 3,
        treatMissingData: MISSING_DATA.invocation,
    });
}
