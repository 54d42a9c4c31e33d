import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { MISSING_DATA } from "./alarmData";
import { heartbeatWindow, scheduleProblem } from "./schedule";

export { heartbeatWindow, HeartbeatWindow, scheduleIntervalSeconds } from "./schedule";

/** The metric a scheduled function publishes when a run completed successfully (its heartbeat). */
export interface SuccessMetric {
    namespace: string;
    metricName: string;
    dimensions: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** What one data point means, for the alarm's description (e.g. "a region's sweep completed without failures"). */
    meaning: string;
}

/**
 * An alarm that fires when a scheduled function did not complete a run successfully for a whole window of its
 * schedule: the sum of its success metric below 1, missing data breaching (silence is what it watches). Throws, naming
 * the setting, for a schedule no window can be sized from.
 */
export function heartbeatAlarm(
    name: string,
    spec: { schedule: string; setting: string; metric: SuccessMetric; runbook: string },
    alarmTopicArn: pulumi.Input<string>,
    parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
    const window = heartbeatWindow(spec.schedule);
    if (window === undefined) {
        // The config schema refuses such a schedule first; a component given one directly gets the same words.
        throw new Error(`${scheduleProblem(spec.setting, spec.schedule) ?? spec.setting}: pulumi config set --path 'log-platform:${spec.setting}' 'rate(1 hour)'`);
    }
    const hours = (window.period * window.evaluationPeriods) / 3600;
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            alarmDescription: `${name}: not once in ${hours} h ${spec.metric.meaning}, although the schedule is ${spec.schedule}: the schedule, its rule, the function's permission or every run failed (runbook: ${spec.runbook})`,
            namespace: spec.metric.namespace,
            metricName: spec.metric.metricName,
            dimensions: spec.metric.dimensions,
            statistic: "Sum",
            period: window.period,
            evaluationPeriods: window.evaluationPeriods,
            datapointsToAlarm: window.evaluationPeriods,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            treatMissingData: MISSING_DATA.heartbeat,
            alarmActions: [alarmTopicArn],
            okActions: [alarmTopicArn],
        },
        { parent },
    );
}
