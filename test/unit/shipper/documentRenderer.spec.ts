import { expect } from "chai";

import { createDocumentRenderer, TAG_JSON_TRUNCATED, type DocumentEnvironment } from "../../../functions/shipper/document";
import type { EventOrigin, LogEvent } from "../../../functions/shipper/event";
import { mulberry32 } from "../../harness/prng";

/**
 * The renderer writes each bulk item straight into bytes, piece by piece (docs/shipper.md, Performance). These
 * specs read every item back with JSON.parse and compare it with what the event says, field by field: messages
 * with every character JSON escapes (quotes, backslashes, control characters, lone surrogates), messages that
 * end like an element boundary of the escaped batch (`",`, backslash runs), multi-byte text, invalid times,
 * filters, oversize documents and buffers reused from one batch to the next.
 */

const NAMESPACE = "unit";
const JSON_FIELD = "json";
const MAX_DEPTH = 3;
const MAX_FIELDS = 8;
const ENVIRONMENT: DocumentEnvironment = { ingested: "2026-11-30T04:00:00.000Z", region: "eu-west-1", accountId: "111122223333" };

const renderer = () => createDocumentRenderer({ routing: { datasetBy: "source" }, json: { field: JSON_FIELD, maxDepth: MAX_DEPTH, maxFields: MAX_FIELDS }, elasticsearch: { namespace: NAMESPACE } });

const CLOUDWATCH: EventOrigin = { source: "cloudwatch", recordId: "", cloudwatch: { logGroup: "/app/api", logStream: 'stream "1"', owner: "111122223333" } };
const SQS: EventOrigin = { source: "sqs", recordId: "m-1", sqs: { queue: "arn:aws:sqs:eu-west-1:111122223333:logs", messageId: "m-1" } };

/** Pieces that JSON escapes or that look like the escaped batch's element boundary, and multi-byte text. */
const PIECES = ["a", "Z", "0", " ", '"', "\\", '",', '\\",', "\\\\", '","', "\n", "\r", "\t", "\u0000", "\u001f", "\u007f", "é", "€", "😀", "\ud800", "\udc00", "\u2028", "{", "}", ":", "[", "]"];

function tricky(random: () => number, length: number): string {
    let text = "";
    for (let i = 0; i < length; i++) text += PIECES[Math.floor(random() * PIECES.length)] ?? "";
    return text;
}

/** The expansion bound on nesting (objects and arrays, wherever they are): docs/shipper.md, "JSON expansion, and its bounds". */
const MAX_NESTING = 20;

/** How deep objects and arrays nest in a parsed value (the value itself 1), walked with a stack: any depth. */
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

function leafCount(value: Record<string, unknown>): number {
    let count = 0;
    for (const key of Object.keys(value)) {
        const child = value[key];
        count += child !== null && typeof child === "object" && !Array.isArray(child) ? leafCount(child as Record<string, unknown>) : 1;
    }
    return count;
}

function depth(value: Record<string, unknown>): number {
    let deepest = 1;
    for (const child of Object.values(value)) {
        if (child !== null && typeof child === "object" && !Array.isArray(child)) deepest = Math.max(deepest, 1 + depth(child as Record<string, unknown>));
    }
    return deepest;
}

/** What the document of an event must hold, computed from the event alone. */
function expectDocument(document: Record<string, unknown>, event: LogEvent): void {
    expect(document["message"], "message").to.equal(event.message);
    const valid = Number.isFinite(event.timestamp) && Math.abs(event.timestamp) <= 8.64e15;
    expect(document["@timestamp"], "@timestamp").to.equal(valid ? new Date(Math.floor(event.timestamp)).toISOString() : ENVIRONMENT.ingested);
    expect(document["event"], "event").to.deep.equal({ id: event.id, ingested: ENVIRONMENT.ingested });
    expect(document["cloud"], "cloud").to.deep.equal({ provider: "aws", region: "eu-west-1", account: { id: "111122223333" } });
    const dataset = event.origin.source === "cloudwatch" ? "aws.cloudwatch_logs" : "aws.sqs";
    expect(document["data_stream"], "data_stream").to.deep.equal({ type: "logs", dataset, namespace: NAMESPACE });
    if (event.origin.cloudwatch) {
        expect(document["aws"], "aws").to.deep.equal({ cloudwatch: { log_group: "/app/api", log_stream: 'stream "1"', owner: "111122223333", event_id: event.id } });
    } else {
        expect(document["aws"], "aws").to.deep.equal({ sqs: { queue: SQS.sqs?.queue, message_id: "m-1" } });
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(event.message);
    } catch {
        parsed = undefined;
    }
    const isObject = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
    if (!isObject) {
        expect(document, "no expansion").not.to.have.property(JSON_FIELD);
        return;
    }
    const object = parsed as Record<string, unknown>;
    if (nesting(object) > MAX_NESTING) {
        // Over the nesting bound: not expanded at all, the message ships as its text, tagged.
        expect(document, "no expansion over the nesting bound").not.to.have.property(JSON_FIELD);
        expect(document["tags"], "cut").to.deep.equal([TAG_JSON_TRUNCATED]);
        return;
    }
    expect(nesting(document[JSON_FIELD]), "the expansion nests within the bound").to.be.at.most(MAX_NESTING);
    if (leafCount(object) <= MAX_FIELDS && depth(object) <= MAX_DEPTH) {
        expect(document[JSON_FIELD], "expansion").to.deep.equal(object);
        expect(document, "not cut").not.to.have.property("tags");
    } else {
        expect(document["tags"], "cut").to.deep.equal([TAG_JSON_TRUNCATED]);
    }
}

function jsonMessage(random: () => number): string {
    const object: Record<string, unknown> = {};
    const keys = 1 + Math.floor(random() * 10);
    for (let k = 0; k < keys; k++) {
        const roll = random();
        object[tricky(random, 3) || "k"] = roll < 0.2 ? { nested: { deeper: { deepest: tricky(random, 4) } } } : roll < 0.6 ? tricky(random, 12) : roll < 0.8 ? [tricky(random, 3), 1] : Math.round(random() * 1e4) / 100;
    }
    return JSON.stringify(object);
}

function events(random: () => number, count: number): LogEvent[] {
    return Array.from({ length: count }, (_, i) => {
        const roll = random();
        const message = roll < 0.35 ? jsonMessage(random) : roll < 0.45 ? `plain line ${i} GET /health 200` : roll < 0.5 ? `ends with a quote and comma ${tricky(random, 3)}",` : roll < 0.55 ? `ends in backslashes ${"\\".repeat(1 + Math.floor(random() * 4))}` : tricky(random, Math.floor(random() * 40));
        const time = random() < 0.05 ? Number.NaN : random() < 0.05 ? 9e15 : 1_700_000_000_000 + Math.floor(random() * 5_000) + (random() < 0.1 ? 0.5 : 0);
        return { id: random() < 0.8 ? String(49_000_000_000_000_000 + i) : `${tricky(random, 6)}-${i}`, timestamp: time, message, origin: random() < 0.7 ? CLOUDWATCH : SQS };
    });
}

/** Every item of the body, split into its action line and its document line (each parsed), with its byte size. */
function itemsOf(body: { count: number; request(indexes: readonly number[]): Buffer; bytes(index: number): number; document(index: number): string }): { action: Record<string, { _index: string; _id: string }>; document: Record<string, unknown>; bytes: number; documentText: string }[] {
    return Array.from({ length: body.count }, (_, i) => {
        const text = body.request([i]).toString("utf8");
        expect(text.endsWith("\n"), "item ends with a newline").to.equal(true);
        const lines = text.slice(0, -1).split("\n");
        expect(lines, "one action line and one document line").to.have.length(2);
        return { action: JSON.parse(lines[0] ?? "") as Record<string, { _index: string; _id: string }>, document: JSON.parse(lines[1] ?? "") as Record<string, unknown>, bytes: body.bytes(i), documentText: body.document(i) };
    });
}

describe("shipper document renderer: every item read back equals its event", () => {
    it("renders 2,000 events of tricky text, JSON objects and invalid times into items that parse back field by field", () => {
        const random = mulberry32(42);
        const batch = events(random, 2_000);
        const rendered = renderer().renderBatch(batch, ENVIRONMENT, undefined, 5 * 1024 * 1024);
        expect(rendered.filtered).to.equal(0);
        expect(rendered.oversize).to.have.length(0);
        expect(rendered.events).to.have.length(batch.length);
        const items = itemsOf(rendered.body);
        items.forEach((item, i) => {
            const event = batch[i];
            const index = event.origin.source === "cloudwatch" ? `logs-aws.cloudwatch_logs-${NAMESPACE}` : `logs-aws.sqs-${NAMESPACE}`;
            expect(item.action, `item ${i} action`).to.deep.equal({ create: { _index: index, _id: event.id } });
            expectDocument(item.document, event);
            expect(JSON.parse(item.documentText), `item ${i} document()`).to.deep.equal(item.document);
            expect(item.bytes, `item ${i} bytes: its action line, its document line, two newlines`).to.equal(Buffer.byteLength(JSON.stringify(item.action)) + Buffer.byteLength(item.documentText) + 2);
        });
        expect(rendered.body.request(items.map((_, i) => i)).length, "the body is the items back to back").to.equal(items.reduce((sum, item) => sum + item.bytes, 0));
    });

    it("expands exactly the messages JSON.parse reads as objects within the bounds, over 20,000 mutated JSON texts", () => {
        // Messages from `{` to `}` are checked byte by byte and written as they are when they fit; anything it is not
        // sure of goes through JSON.parse. Mutations aim at the grammar: numbers, literals, escapes, separators,
        // nesting, whitespace (a newline keeps a message out of the as-is path), control and multi-byte characters.
        const random = mulberry32(2024);
        const pieces = ["{", "}", "[", "]", ":", ",", '"', "\\", "\\u12", "\\u00e9", "\\/", "\\x", " ", "\t", "\n", "\r", "0", "01", "-", "-0", "1.", ".5", "1e", "1e+", "1E5", "2.5e-3", "tru", "true", "nul", "null", "falsey", "false", "\u0000", "\u001f", "é", "😀", "\ud800", "x"];
        const batch: LogEvent[] = [];
        for (let i = 0; i < 20_000; i++) {
            let text = jsonMessage(random);
            for (let m = Math.floor(random() * 4); m > 0; m--) {
                const at = 1 + Math.floor(random() * Math.max(1, text.length - 2));
                const piece = pieces[Math.floor(random() * pieces.length)] ?? "";
                const roll = random();
                text = roll < 0.4 ? text.slice(0, at) + piece + text.slice(at) : roll < 0.7 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + piece + text.slice(at + 1);
            }
            if (random() < 0.1) text = text.slice(0, -1) + "}";
            batch.push({ id: String(i), timestamp: 1_700_000_000_000 + i, message: text, origin: SQS });
        }
        const rendered = renderer().renderBatch(batch, ENVIRONMENT, undefined, 5 * 1024 * 1024);
        const items = itemsOf(rendered.body);
        expect(items).to.have.length(batch.length);
        let expanded = 0;
        items.forEach((item, i) => {
            expectDocument(item.document, batch[i]);
            if (JSON_FIELD in item.document) expanded++;
        });
        // Both ways are exercised: many mutated texts are still objects, many are not.
        expect(expanded).to.be.within(2_000, 18_000);
    });

    it("expands the corners of the JSON grammar and of the bounds exactly as JSON.parse reads them", () => {
        const numbers = ["0", "-0", "01", "-01", "00", "1.", ".5", "1.5", "1e", "1e+", "1e5", "1E-7", "2.5e+3", "-", "--1", "+1", "0.0", "1.2.3", "0x10", "1_000", "Infinity", "NaN"];
        const literals = ["true", "false", "null", "tru", "trux", "truee", "nul", "nulx", "nulll", "fals", "falsx", "True", "undefined"];
        const strings = ['"a"', '"\\x"', '"\\u12G4"', '"\\u00e9"', '"\\/"', '"\\b\\f\\n\\r\\t"', '"\\"', '"a\tb"', "'a'", '"\\ud800"', '"é😀"', '"\u0001"'];
        const values = [...numbers, ...literals, ...strings, "[]", "{}", "[1,]", "[,1]", '[{"a":{"b":{"c":1}}}]', "[[[[1]]]]", '{"x":1,}'];
        const shapes = [
            ...values.map((value) => `{"v":${value}}`),
            ...values.map((value) => `{"v":[${value}]}`),
            ...values.map((value) => `{"v":${value},"w":[${value},1]}`),
            "{}",
            '{"a":1,"a":2}',
            '{"a":1 , "b" : 2\t}',
            '{"a":1}\t ',
            '{"a":1} x',
            '{"a":1}}',
            '{"a":1',
            '{a:1}',
            '{"a" 1}',
            '{"a":1 "b":2}',
            '{,"a":1}',
            '{"a":{"b":{"c":1}}}', // depth 3: the bound
            '{"a":{"b":{"c":{"d":1}}}}', // depth 4: over
            `{${Array.from({ length: MAX_FIELDS }, (_, i) => `"f${i}":${i}`).join(",")}}`, // the field bound
            `{${Array.from({ length: MAX_FIELDS + 1 }, (_, i) => `"f${i}":${i}`).join(",")}}`, // one over
            `{"list":[${Array.from({ length: 50 }, (_, i) => `{"deep":{"er":{"est":${i}}}}`).join(",")}]}`, // inside an array: one field
            '{"a":1}\n',
            '{"a":"line\nbreak"}',
            '{"__proto__":{"polluted":1}}',
        ];
        const batch: LogEvent[] = shapes.map((message, i) => ({ id: String(i), timestamp: 1_700_000_000_000 + i, message, origin: CLOUDWATCH }));
        const rendered = renderer().renderBatch(batch, ENVIRONMENT, undefined, 5 * 1024 * 1024);
        const items = itemsOf(rendered.body);
        items.forEach((item, i) => {
            try {
                expectDocument(item.document, batch[i]);
            } catch (error) {
                throw new Error(`message ${JSON.stringify(batch[i]?.message)}: ${(error as Error).message}`);
            }
        });
    });

    it("copies each escaped message out of the batch's escaped text even when messages end like its element boundary", () => {
        const endings = ['",', '\\",', '","', "\\", "\\\\", '\\"', '"', "\\\\\",", "x\",\"y"];
        const batch: LogEvent[] = endings.flatMap((ending, i) => [
            { id: `a${i}`, timestamp: 1_700_000_000_000 + i, message: `before ${ending}`, origin: SQS },
            { id: `b${i}`, timestamp: 1_700_000_000_000 + i, message: "a plain one between", origin: SQS },
            { id: `c${i}`, timestamp: 1_700_000_000_000 + i, message: `${ending}${ending}`, origin: SQS },
        ]);
        const rendered = renderer().renderBatch(batch, ENVIRONMENT, undefined, 5 * 1024 * 1024);
        const items = itemsOf(rendered.body);
        expect(items.map((item) => item.document["message"])).to.deep.equal(batch.map((event) => event.message));
    });

    it("leaves out what the filters drop, and cuts out a document over the size limit without disturbing the next ones", () => {
        const render = renderer();
        const huge = `{"big":"${"x".repeat(5_000)}"}`;
        const batch: LogEvent[] = [
            { id: "1", timestamp: 1_700_000_000_000, message: "keep: first", origin: CLOUDWATCH },
            { id: "2", timestamp: 1_700_000_000_001, message: "drop: debug noise", origin: CLOUDWATCH },
            { id: "3", timestamp: 1_700_000_000_002, message: `keep: ${huge}`, origin: CLOUDWATCH },
            { id: "4", timestamp: 1_700_000_000_003, message: huge, origin: CLOUDWATCH },
            { id: "5", timestamp: 1_700_000_000_004, message: 'keep: "last" \\ é', origin: CLOUDWATCH },
        ];
        const rendered = render.renderBatch(batch, ENVIRONMENT, { include: /keep|big/, exclude: /debug/ }, 4_096);
        expect(rendered.filtered).to.equal(1);
        expect(rendered.oversize.map((letter) => letter.event.id)).to.deep.equal(["3", "4"]);
        for (const letter of rendered.oversize) {
            expect(letter.bytes).to.be.greaterThan(4_096);
            expectDocument(JSON.parse(letter.document) as Record<string, unknown>, letter.event);
        }
        expect(rendered.events.map((event) => event.id)).to.deep.equal(["1", "5"]);
        const items = itemsOf(rendered.body);
        items.forEach((item, i) => expectDocument(item.document, rendered.events[i]));
    });

    it("reuses the buffer of a finished batch and grows it for a larger one, every item intact", () => {
        const render = renderer();
        const random = mulberry32(7);
        for (const count of [10, 3_000, 50, 6_000]) {
            const batch = events(random, count);
            const rendered = render.renderBatch(batch, ENVIRONMENT, undefined, 5 * 1024 * 1024);
            const items = itemsOf(rendered.body);
            expect(items).to.have.length(count);
            items.forEach((item, i) => expectDocument(item.document, batch[i]));
            render.recycle(rendered.body);
        }
    });
    it("walks no message deeper than the nesting bound: 5,000 deep objects and arrays, anywhere, ship as text, tagged; at the bound they expand", () => {
        const objects = (n: number, leaf = "1") => '{"a":'.repeat(n) + leaf + "}".repeat(n);
        const arrays = (n: number) => "[".repeat(n) + "1" + "]".repeat(n);
        const messages = [
            objects(5_000), // item 1 of issue 17: a poison pill before (RangeError in the bounded copy / stringify)
            `{"a":${arrays(5_000)}}`, // item 2: deep array under a key (was expanded as is: a 400, then an unwritable letter)
            arrays(5_000), // a deep array at the top level: not an object, never expanded
            `{"list":[1,{"x":${objects(4_999)}}]}`, // deep inside an array
            ` ${objects(5_000)}\n`, // deep, with spaces and a newline around it (the parsing path)
            `{"s":${JSON.stringify(objects(5_000))}}`, // deep text inside a string: flat, expanded as is
            objects(MAX_NESTING), // at the bound: expanded (depth over jsonMaxDepth: the rest kept as text, tagged)
            objects(MAX_NESTING + 1), // one over: not expanded
            `{"a":${arrays(MAX_NESTING - 1)}}`, // at the bound through arrays: expanded as is
            `{"a":${arrays(MAX_NESTING)}}`, // one over
            `{"a":[${objects(MAX_NESTING - 2)}]}`, // objects inside an array, at the bound (1 + the array + 18)
            `{"a":[${objects(MAX_NESTING - 1)}]}`, // one over
            `{"a":${JSON.stringify('\\"[[[[{{"')} , "b":${arrays(3)}}`, // brackets (and an escaped quote) inside strings do not count
        ];
        const batch: LogEvent[] = messages.map((message, i) => ({ id: String(i), timestamp: 1_700_000_000_000 + i, message, origin: i % 2 === 0 ? CLOUDWATCH : SQS }));
        const rendered = renderer().renderBatch(batch, ENVIRONMENT, undefined, 5 * 1024 * 1024);
        const items = itemsOf(rendered.body);
        expect(items).to.have.length(messages.length);
        items.forEach((item, i) => {
            try {
                expectDocument(item.document, batch[i]);
            } catch (error) {
                throw new Error(`message ${i} (${batch[i]?.message.slice(0, 40)}...): ${(error as Error).message}`);
            }
        });
        // Spelled out for the cases the issue names: over the bound => text only, tagged; at the bound => expanded.
        const expanded = items.map((item) => JSON_FIELD in item.document);
        expect(expanded).to.deep.equal([false, false, false, false, false, true, true, false, true, false, true, false, true]);
        expect(items[6]?.document["tags"], "at the bound, deeper than jsonMaxDepth: cut").to.deep.equal([TAG_JSON_TRUNCATED]);
        expect(items[8]?.document["tags"], "at the bound through arrays: whole").to.equal(undefined);
        // The replay path renders one event at a time through the same code.
        const single = renderer().render(batch[0], ENVIRONMENT);
        expect((JSON.parse(single.document) as Record<string, unknown>)["tags"]).to.deep.equal([TAG_JSON_TRUNCATED]);
    });
});
