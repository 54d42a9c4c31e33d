import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export type { Metrics } from "@aws-lambda-powertools/metrics";

/** The CloudWatch namespace every function of this platform publishes its Embedded Metric Format metrics to. */
export const METRICS_NAMESPACE = "LogPlatform";

/** The environment variable that names the function's stack (set on every function by ManagedFunction). */
export const STACK_VARIABLE = "LOG_PLATFORM_STACK";

/**
 * An Embedded Metric Format emitter (Powertools Metrics) for one function. Create it inside a handler
 * factory. Every metric carries the `stack` dimension when the function's environment names its stack, so two
 * stacks in one account never feed each other's alarms. `POWERTOOLS_METRICS_DISABLED=true` turns the output off
 * (tests that do not read it).
 */
export function createMetrics(serviceName: string): Metrics {
    const stack = process.env[STACK_VARIABLE];
    return new Metrics({ namespace: METRICS_NAMESPACE, serviceName, ...(stack ? { defaultDimensions: { stack } } : {}) });
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
