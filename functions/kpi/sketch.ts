import { DDSketch } from "@datadog/sketches-js";

/** Relative accuracy of every percentile: a reported quantile is within 1% of the true value at that rank. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/**
 * A mergeable quantile sketch (DDSketch) whose memory depends on the value range, not on the count:
 * about log(max/min) / log((1+a)/(1-a)) bins (a few hundred for trip distances and durations).
 */
export class QuantileSketch {
    /** The DDSketch itself: the per-item path (`createAggregateAdder`) accepts values into it directly (a method of serialized code costs a wrapper per call). */
    readonly sketch: DDSketch;

    // Assigned in the constructor: closure serialization drops field initializers.
    constructor() {
        this.sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    }

    add(value: number): void {
        this.sketch.accept(value);
    }

    get count(): number {
        return this.sketch.count;
    }

    /**
     * The value at quantile `numerator / denominator` (a fraction in [0, 1), e.g. 19/20), or null when empty: the
     * value at 0-based rank k = floor(q * (n - 1)) of the sorted values (the lower neighbour when q * (n - 1) is
     * fractional, no interpolation), within the sketch's relative accuracy. k is computed in integers; the sketch is
     * asked for the quantile (k + 1/2) / (n - 1), whose rank lies strictly inside element k's place, so floating
     * point in the sketch cannot move it to a neighbour.
     */
    quantile(numerator: number, denominator: number): number | null {
        const n = this.sketch.count;
        if (n === 0) return null;
        if (n === 1) return this.sketch.getValueAtQuantile(0);
        const rank = Math.floor((numerator * (n - 1)) / denominator);
        return this.sketch.getValueAtQuantile(Math.min(1, (rank + 0.5) / (n - 1)));
    }

    merge(other: QuantileSketch): void {
        this.sketch.merge(other.sketch);
    }
}
