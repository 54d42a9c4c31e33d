import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export type { Metrics } from "@aws-lambda-powertools/metrics";

/** The CloudWatch namespace every function of this platform publishes its Embedded Metric Format metrics to. */
export const METRICS_NAMESPACE = "LogPlatform";

/**
 * An Embedded Metric Format emitter (Powertools Metrics) for one function. Create it inside a handler
 * factory. `POWERTOOLS_METRICS_DISABLED=true` turns the output off (tests that do not read it).
 */
export function createMetrics(serviceName: string): Metrics {
    return new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
}

/**
 * Publishes a set of counts as one EMF document with the given dimensions. Zero counts are published too,
 * so an alarm on a ratio or a sum (received = shipped + ...) always has all of its terms.
 */
export function publishCounts(metrics: Metrics, dimensions: Record<string, string>, counts: Record<string, number>): void {
    for (const [name, value] of Object.entries(dimensions)) {
        metrics.addDimension(name, value);
    }
    for (const [name, value] of Object.entries(counts)) {
        metrics.addMetric(name, MetricUnit.Count, value);
    }
    metrics.publishStoredMetrics();
}
