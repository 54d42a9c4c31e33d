import { DDSketch } from "@datadog/sketches-js";

/** Relative accuracy of every percentile: a reported quantile is within 1% of the true value at that rank. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/**
 * A mergeable quantile sketch (DDSketch) whose memory depends on the value range, not on the count:
 * about log(max/min) / log((1+a)/(1-a)) bins (a few hundred for trip distances and durations).
 */
export class QuantileSketch {
    private readonly sketch: DDSketch;

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

    /** The value at quantile q (0-1), or null when empty. */
    quantile(q: number): number | null {
        return this.sketch.count === 0 ? null : this.sketch.getValueAtQuantile(q);
    }

    merge(other: QuantileSketch): void {
        this.sketch.merge(other.sketch);
    }
}
