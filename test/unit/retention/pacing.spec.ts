import { expect } from "chai";

import { Pacer } from "../../../functions/retention/pacing";
import { maxPerSecond } from "../../integration/retention/groups";

/** Blocks the event loop (a long synchronous task in the same process) for `ms`. */
function stall(ms: number): void {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        // busy
    }
}

describe("Pacer (functions/retention/pacing.ts)", function () {
    it("releases callers in call order, never more than perSecond in any one-second window, even when the event loop stalls", async function () {
        const pacer = new Pacer(20);
        const released: { index: number; at: number }[] = [];
        const calls = Array.from({ length: 50 }, (_, index) => pacer.take().then(() => released.push({ index, at: Date.now() })));
        // Mid-run, a 400 ms stall: the slots missed meanwhile must not be released in one burst.
        setTimeout(() => stall(400), 600);
        await Promise.all(calls);

        expect(released.map((entry) => entry.index)).to.deep.equal(Array.from({ length: 50 }, (_, index) => index));
        expect(maxPerSecond(released.map((entry) => entry.at))).to.be.at.most(20);
        const gaps = released.slice(1).map((entry, i) => entry.at - (released[i]?.at ?? 0));
        expect(Math.min(...gaps), "no two calls released together after the stall").to.be.greaterThan(20);
    });

    it("refuses a pace that is not a positive number", function () {
        expect(() => new Pacer(0)).to.throw(/perSecond must be a positive number/);
        expect(() => new Pacer(Number.NaN)).to.throw(/perSecond must be a positive number/);
    });
});
