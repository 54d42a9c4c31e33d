/**
 * A small seeded pseudo-random generator (mulberry32) so that the demo's data, and therefore every count it
 * prints and asserts, is the same for the same seed on every machine. Not for anything security-related.
 */
export class Random {
    private state: number;

    constructor(seed: number) {
        if (!Number.isSafeInteger(seed)) {
            throw new Error(`seed must be an integer, got ${seed}`);
        }
        this.state = seed >>> 0;
    }

    /** A float in [0, 1). */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** An integer in [min, max]. */
    int(min: number, max: number): number {
        return min + Math.floor(this.next() * (max - min + 1));
    }

    chance(probability: number): boolean {
        return this.next() < probability;
    }

    pick<T>(items: readonly T[]): T {
        const item = items[Math.floor(this.next() * items.length)];
        if (item === undefined) {
            throw new Error("pick from an empty list");
        }
        return item;
    }

    /** Picks by weight: `[[value, weight], ...]`. */
    weighted<T>(choices: readonly (readonly [T, number])[]): T {
        const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
        let roll = this.next() * total;
        for (const [value, weight] of choices) {
            roll -= weight;
            if (roll < 0) {
                return value;
            }
        }
        return choices[choices.length - 1][0];
    }

    /** A log-normal sample with the given median and shape (realistic for durations and distances). */
    logNormal(median: number, sigma: number): number {
        const u = Math.max(this.next(), 1e-12);
        const v = this.next();
        const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        return median * Math.exp(sigma * normal);
    }

    /** `length` hex digits. */
    hex(length: number): string {
        let out = "";
        while (out.length < length) {
            out += Math.floor(this.next() * 4294967296).toString(16).padStart(8, "0");
        }
        return out.slice(0, length);
    }

    /** A version-4-shaped UUID from this generator (deterministic, unlike crypto.randomUUID). */
    uuid(): string {
        const h = this.hex(32);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    }

    /** A child generator with its own stream, so adding data to one part does not shift another. */
    fork(label: string): Random {
        let hash = this.state ^ 0x9e3779b9;
        for (let index = 0; index < label.length; index++) {
            hash = Math.imul(hash ^ label.charCodeAt(index), 0x01000193) >>> 0;
        }
        return new Random(hash >>> 0);
    }
}
