/**
 * A small seeded pseudo-random generator (mulberry32): floats in [0, 1), the same sequence for the same seed
 * on every machine, so generated data (and every count asserted on it) is reproducible. Not for anything
 * security-related. The KPI specs and benches draw from it (cli/demo/random.ts keeps its own state for fork()).
 */
export function mulberry32(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
