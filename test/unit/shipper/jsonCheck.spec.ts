import { expect } from "chai";

import { createJsonObjectCheck } from "../../../functions/shipper/jsonCheck";
import { mulberry32 } from "../../harness/prng";

/**
 * The byte check behind the JSON expansion (functions/shipper/jsonCheck.ts) may say "not sure" for anything, but
 * must never say yes to a text that JSON.parse refuses, that is not an object, that is over the bounds, or that
 * spans lines; and it must say yes to ordinary structured logs, or the renderer would parse them all again.
 */

const MAX_DEPTH = 3;
const MAX_FIELDS = 8;
/** Objects and arrays nested at most this deep, counted everywhere (JSON_MAX_NESTING; the flattened field's depth_limit). */
const MAX_NESTING = 20;

/** How deep objects and arrays nest (the value itself 1), walked with a stack. */
function nesting(value: unknown): number {
    let deepest = 0;
    const stack: [unknown, number][] = [[value, 1]];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
        const [node, level] = top;
        if (node === null || typeof node !== "object") continue;
        deepest = Math.max(deepest, level);
        for (const child of Object.values(node)) stack.push([child, level + 1]);
    }
    return deepest;
}

/** The bounds as the renderer's `withinBounds` applies them, counted here independently: leaves outside arrays, object depth. */
function withinBounds(value: Record<string, unknown>, depth: number, budget: { fields: number }): boolean {
    for (const key of Object.keys(value)) {
        const child = value[key];
        if (child !== null && typeof child === "object" && !Array.isArray(child)) {
            if (depth + 1 > MAX_DEPTH || !withinBounds(child as Record<string, unknown>, depth + 1, budget)) return false;
        } else if (--budget.fields < 0) {
            return false;
        }
    }
    return true;
}

function parsedObjectWithinBounds(text: string): boolean {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return false;
    }
    return value !== null && typeof value === "object" && !Array.isArray(value) && nesting(value) <= MAX_NESTING && withinBounds(value as Record<string, unknown>, 1, { fields: MAX_FIELDS }) && !/[\n\r]/.test(text);
}

const PIECES = ["{", "}", "[", "]", ":", ",", '"', "\\", "\\u12", "\\u00e9", "\\/", "\\x", " ", "\t", "\n", "\r", "0", "01", "-", "-0", "1.", ".5", "1e", "1e+", "1E5", "tru", "true", "nul", "null", "fals", "false", "\u0000", "\u001f", "é", "😀", "x", "a"];

function structuredLog(random: () => number): string {
    const words = ["GET", "POST", "/health", "ok", "é", "quote \" inside", "back\\slash", "tab\there"];
    const word = () => words[Math.floor(random() * words.length)] ?? "x";
    const roll = random();
    return JSON.stringify(
        roll < 0.5
            ? { level: word(), msg: `${word()} ${word()}`, http: { method: word(), status: 200 + Math.floor(random() * 300) }, duration_ms: Math.round(random() * 1e5) / 100 }
            : { level: word(), tags: [word(), 1, { nested: true }], ok: random() < 0.5, missing: null, ratio: -random() * 1e-7 },
    );
}

describe("shipper JSON expansion check (jsonCheck.ts): never yes where JSON.parse and the bounds say no", () => {
    const check = createJsonObjectCheck(MAX_DEPTH, MAX_FIELDS);
    const verdict = (text: string): boolean => {
        const bytes = Buffer.from(`xx${text}yy`, "utf8"); // the text inside a larger buffer, as the renderer's output
        return check(bytes, 2, bytes.length - 2);
    };

    it("says yes to ordinary structured logs within the bounds", () => {
        const random = mulberry32(5);
        const logs = Array.from({ length: 2_000 }, () => structuredLog(random));
        for (const log of logs) expect(parsedObjectWithinBounds(log), log).to.equal(true);
        expect(logs.filter((log) => verdict(log))).to.have.length(logs.length);
    });

    it("agrees with JSON.parse and the bounds on 50,000 mutated texts (yes only where they say yes)", () => {
        const random = mulberry32(77);
        let yes = 0;
        let parsedYes = 0;
        for (let i = 0; i < 50_000; i++) {
            let text = structuredLog(random);
            for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
                const at = Math.floor(random() * text.length);
                const piece = PIECES[Math.floor(random() * PIECES.length)] ?? "";
                const roll = random();
                text = roll < 0.4 ? text.slice(0, at) + piece + text.slice(at) : roll < 0.7 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + piece + text.slice(at + 1);
            }
            const expected = parsedObjectWithinBounds(text);
            const actual = verdict(text);
            if (actual && !expected) throw new Error(`yes to ${JSON.stringify(text)}, which JSON.parse or the bounds refuse`);
            if (actual) yes++;
            if (expected) parsedYes++;
        }
        // The mutations leave many texts valid: the check must accept nearly all of those (it may defer a few).
        expect(parsedYes).to.be.greaterThan(5_000);
        expect(yes / parsedYes).to.be.greaterThan(0.95);
    });

    it("defers what it cannot vouch for: a repeated key over the bounds, U+FFFD, a newline between tokens", () => {
        const overByRepeats = `{${Array.from({ length: MAX_FIELDS + 1 }, () => '"same":1').join(",")}}`;
        expect(parsedObjectWithinBounds(overByRepeats), "JSON.parse keeps one key").to.equal(true);
        expect(verdict(overByRepeats)).to.equal(false);
        expect(verdict('{"a":"\ufffd"}')).to.equal(false);
        expect(verdict('{"a":1,\n"b":2}')).to.equal(false);
        expect(verdict('{"a":1}')).to.equal(true);
    });

    it("holds the bounds exactly: depth and leaf count at the bound pass, one over does not", () => {
        const fields = (n: number) => `{${Array.from({ length: n }, (_, i) => `"f${i}":${i}`).join(",")}}`;
        const cases: [string, boolean][] = [
            ['{"a":{"b":{"c":1}}}', true], // depth 3
            ['{"a":{"b":{"c":{"d":1}}}}', false], // depth 4
            ['{"a":[{"b":{"c":{"d":{"e":1}}}}]}', true], // inside an array: one leaf, not looked into
            [fields(MAX_FIELDS), true],
            [fields(MAX_FIELDS + 1), false],
            [`{"a":{${fields(MAX_FIELDS - 1).slice(1)}}`, true], // leaves counted across levels: 7 + 0
            [`{"x":1,"a":{${fields(MAX_FIELDS).slice(1)}}`, false], // 1 + 8
            [`{"a":${"[".repeat(MAX_NESTING - 1)}1${"]".repeat(MAX_NESTING - 1)}}`, true], // nesting at the bound (1 object + 19 arrays)
            [`{"a":${"[".repeat(MAX_NESTING)}1${"]".repeat(MAX_NESTING)}}`, false], // one over
            [`{"a":[${'{"b":'.repeat(MAX_NESTING - 2)}1${"}".repeat(MAX_NESTING - 2)}]}`, true], // objects inside an array, at the bound
            [`{"a":[${'{"b":'.repeat(MAX_NESTING - 1)}1${"}".repeat(MAX_NESTING - 1)}]}`, false], // one over
            [`{"a":${"[".repeat(5_000)}${"]".repeat(5_000)}}`, false], // 5,000 deep
        ];
        for (const [text, fits] of cases) {
            expect(parsedObjectWithinBounds(text), `bounds of ${text}`).to.equal(fits);
            expect(verdict(text), text).to.equal(fits);
        }
    });
});
