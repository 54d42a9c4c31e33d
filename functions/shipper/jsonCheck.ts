/**
 * The expansion bound on nesting: objects and arrays nested at most this deep, counted everywhere (inside arrays
 * too), the expansion's own object being 1. It is the index template's `flattened` `depth_limit` (objects deeper
 * than that are refused by Elasticsearch with a 400), and it keeps every walk of a message's value (the bounds,
 * the bounded copy, JSON.stringify of what is kept as text) a few frames deep: a message nested deeper is not
 * expanded at all; it ships as its text, tagged (docs/shipper.md, "JSON expansion, and its bounds").
 */
export const JSON_MAX_NESTING = 20;

/**
 * Whether the JSON text nests objects and arrays (outside strings) deeper than `limit`: one loop over its
 * characters, no recursion and nothing built, so that no text, however deep, is walked by anything recursive
 * before this says it is within the bound. Text that is not JSON gets an answer too (the caller parses it after).
 */
export function jsonNestingExceeds(text: string, limit: number): boolean {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inString) {
            if (c === 92 /* \ */) i++;
            else if (c === 34 /* " */) inString = false;
        } else if (c === 34) {
            inString = true;
        } else if (c === 123 /* { */ || c === 91 /* [ */) {
            if (++depth > limit) return true;
        } else if (c === 125 /* } */ || c === 93 /* ] */) {
            depth--;
        }
    }
    return false;
}

/**
 * The check that lets the document renderer write a JSON message as its own expansion without parsing it:
 * whether the message's UTF-8 bytes, just written where the expanded field goes, are one JSON object (RFC 8259:
 * strict strings, numbers and literals; only spaces and tabs between tokens, so on one line) within the
 * expansion's bounds: at most `maxFields` leaf values outside arrays (an array counts as one, its content is not
 * looked into) and objects at most `maxDepth` deep outside arrays, as `withinBounds` in document.ts counts them.
 * It reads the bytes once and builds nothing, where `JSON.parse` builds every object and string of the message
 * (about 0.2 µs against 1 µs for a 140-byte message). It never says yes where `JSON.parse` and the bounds would
 * say no: a repeated key counts each time, a string holding U+FFFD (what a lone surrogate became), objects and
 * arrays nested deeper than `maxNesting` (JSON_MAX_NESTING) or anything unusual is "not sure", and the renderer
 * then looks further (a message over the nesting bound is never expanded).
 *
 * A factory, called once per container: the closure serializer turns every module-level function into a call
 * with a scope of its own, so the per-message code is the returned closure and its locals only.
 */
export function createJsonObjectCheck(maxDepth: number, maxFields: number, maxNesting: number = JSON_MAX_NESTING): (bytes: Uint8Array, start: number, end: number) => boolean {
    /** Containers open while reading: 1 object, 2 array; at most `maxNesting`. */
    const open = new Uint8Array(maxNesting);

    /** bytes[i, end) after a string's opening quote: the index after its closing quote when the string is well formed, else -1. */
    const skipString = (bytes: Uint8Array, i: number, end: number): number => {
        for (;;) {
            if (i >= end) return -1;
            const c = bytes[i++];
            if (c === 34 /* " */) return i;
            if (c === 92 /* \ */) {
                const e = bytes[i++];
                if (e === 117 /* u */) {
                    for (let k = 0; k < 4; k++) {
                        const h = bytes[i++];
                        if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) return -1;
                    }
                } else if (!(e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) {
                    return -1;
                }
            } else if (c < 32) {
                return -1;
            } else if (c === 0xef && bytes[i] === 0xbf && bytes[i + 1] === 0xbd) {
                // U+FFFD, which is what a lone surrogate becomes in UTF-8: left to the caller's JSON.parse, which keeps it.
                return -1;
            }
        }
    };

    /**
     * Whether bytes[start, end) is one JSON object within the bounds. False means "not sure": the caller parses
     * the text instead.
     */
    return (bytes: Uint8Array, start: number, end: number): boolean => {
        let i = start;
        if (bytes[i] !== 123 /* { */) return false;
        i++;
        let top = 0;
        open[top++] = 1;
        let objects = 1;
        let arrays = 0;
        let fields = maxFields;
        // 0: a value; 1: a key or `}`; 2: a key; 3: `:`; 4: `,` or the container's end; 5: a value or `]`
        let state = 1;
        while (i < end) {
            let c = bytes[i];
            if (c === 32 || c === 9) {
                i++;
                continue;
            }
            if (state === 4) {
                i++;
                if (c === 44 /* , */) {
                    state = open[top - 1] === 1 ? 2 : 0;
                } else if (c === 125 /* } */ && open[top - 1] === 1) {
                    top--;
                    if (arrays === 0) objects--;
                    if (top === 0) break;
                } else if (c === 93 /* ] */ && open[top - 1] === 2) {
                    top--;
                    arrays--;
                } else {
                    return false;
                }
                continue;
            }
            if (state === 1 || state === 2) {
                if (c === 125 && state === 1) {
                    i++;
                    top--;
                    if (arrays === 0) objects--;
                    state = 4;
                    if (top === 0) break;
                    continue;
                }
                if (c !== 34) return false;
                i = skipString(bytes, i + 1, end);
                if (i < 0) return false;
                state = 3;
                continue;
            }
            if (state === 3) {
                if (c !== 58 /* : */) return false;
                i++;
                state = 0;
                continue;
            }
            if (state === 5 && c === 93) {
                i++;
                top--;
                arrays--;
                state = 4;
                continue;
            }
            // a value
            const counted = arrays === 0;
            if (c === 123) {
                if (counted) {
                    if (objects >= maxDepth) return false;
                    objects++;
                }
                if (top === open.length) return false;
                open[top++] = 1;
                i++;
                state = 1;
                continue;
            }
            if (c === 91 /* [ */) {
                if (counted && --fields < 0) return false;
                if (top === open.length) return false;
                open[top++] = 2;
                arrays++;
                i++;
                state = 5;
                continue;
            }
            if (counted && --fields < 0) return false;
            if (c === 34) {
                i = skipString(bytes, i + 1, end);
                if (i < 0) return false;
            } else if (c === 116 /* t */) {
                if (bytes[i + 1] !== 114 || bytes[i + 2] !== 117 || bytes[i + 3] !== 101) return false;
                i += 4;
            } else if (c === 102 /* f */) {
                if (bytes[i + 1] !== 97 || bytes[i + 2] !== 108 || bytes[i + 3] !== 115 || bytes[i + 4] !== 101) return false;
                i += 5;
            } else if (c === 110 /* n */) {
                if (bytes[i + 1] !== 117 || bytes[i + 2] !== 108 || bytes[i + 3] !== 108) return false;
                i += 4;
            } else {
                // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
                if (c === 45) c = bytes[++i];
                if (c === 48) {
                    i++;
                } else if (c >= 49 && c <= 57) {
                    i++;
                    while (i < end && (c = bytes[i]) >= 48 && c <= 57) i++;
                } else {
                    return false;
                }
                if (bytes[i] === 46) {
                    c = bytes[++i];
                    if (!(c >= 48 && c <= 57)) return false;
                    while (i < end && (c = bytes[i]) >= 48 && c <= 57) i++;
                }
                c = bytes[i];
                if (c === 101 || c === 69) {
                    c = bytes[++i];
                    if (c === 43 || c === 45) c = bytes[++i];
                    if (!(c >= 48 && c <= 57)) return false;
                    while (i < end && (c = bytes[i]) >= 48 && c <= 57) i++;
                }
            }
            state = 4;
        }
        if (top !== 0 || i > end) return false;
        for (; i < end; i++) if (bytes[i] !== 32 && bytes[i] !== 9) return false;
        return true;
    };
}
