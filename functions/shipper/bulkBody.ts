/**
 * The NDJSON of one batch's bulk `create` requests, encoded once into one buffer: item `i` is the bytes
 * `[start(i), end(i))` (its action line and its document line). Requests are slices of it (no copy when the
 * items are contiguous, as on a first attempt), so no per-request string is built, measured or encoded again.
 *
 * Serialized by CallbackFunction (each method call allocates a `with` scope and a closure): callers make a few
 * calls per batch (`adopt`, `chunks`, `request`), never one per item on the hot path. The handler's batches are
 * written by the document renderer and adopted; `append` serves the few items of a replay.
 */
export class BulkBody {
    // Assigned in the constructor, not as field initializers: the closure serializer keeps constructors only.
    private buffer: Buffer;
    private used: number;
    /** starts[i]: item i's first byte; starts[count]: the end of the last item. */
    private starts: number[];

    /** `expectedBytes`: the first allocation (0: allocated by the first append, at its size). */
    constructor(expectedBytes: number) {
        this.buffer = Buffer.allocUnsafe(Math.max(0, expectedBytes));
        this.used = 0;
        this.starts = [0];
    }

    get count(): number {
        return this.starts.length - 1;
    }

    /** Appends `action\ndocument\n` as the next item; returns its size in bytes. */
    append(action: string, document: string): number {
        // A UTF-16 code unit is at most 3 UTF-8 bytes.
        this.reserve((action.length + document.length) * 3 + 2);
        const start = this.used;
        let at = start + this.buffer.write(action, start, "utf8");
        this.buffer[at++] = 10;
        at += this.buffer.write(document, at, "utf8");
        this.buffer[at++] = 10;
        this.used = at;
        this.starts.push(at);
        return at - start;
    }

    /**
     * Takes over a buffer that holds complete items (written by the document renderer): item i is the bytes
     * `[starts[i], starts[i + 1])`, `starts[0]` is 0. Replaces what the body held.
     */
    adopt(buffer: Buffer, starts: number[]): void {
        this.buffer = buffer;
        this.starts = starts;
        this.used = starts[starts.length - 1] ?? 0;
    }

    bytes(index: number): number {
        return (this.starts[index + 1] ?? 0) - (this.starts[index] ?? 0);
    }

    /** The document of item `index`, as text (for a dead letter): after its action line, without the final newline. */
    document(index: number): string {
        const start = this.starts[index] ?? 0;
        return this.buffer.toString("utf8", this.buffer.indexOf(10, start) + 1, (this.starts[index + 1] ?? 1) - 1);
    }

    /** Groups items (ascending indexes) into requests of at most maxBytes each (an item larger than that is sent alone; callers keep them out). */
    chunks(indexes: readonly number[], maxBytes: number): number[][] {
        const starts = this.starts;
        const chunks: number[][] = [];
        let current: number[] = [];
        let bytes = 0;
        for (let i = 0; i < indexes.length; i++) {
            const index = indexes[i];
            const size = (starts[index + 1]) - (starts[index]);
            if (current.length > 0 && bytes + size > maxBytes) {
                chunks.push(current);
                current = [];
                bytes = 0;
            }
            current.push(index);
            bytes += size;
        }
        if (current.length > 0) chunks.push(current);
        return chunks;
    }

    /** The request body of these items (ascending indexes): a view of the buffer when they are contiguous, else a copy. */
    request(indexes: readonly number[]): Buffer {
        const first = indexes[0];
        const last = indexes[indexes.length - 1];
        if (first === undefined || last === undefined) return Buffer.alloc(0);
        if (last - first === indexes.length - 1) return this.buffer.subarray(this.starts[first], this.starts[last + 1]);
        return Buffer.concat(indexes.map((index) => this.buffer.subarray(this.starts[index], this.starts[index + 1])));
    }

    /**
     * Gives the buffer back for another body, once nothing reads this one any more (its requests answered or
     * failed, its dead letters extracted). The body is empty afterwards.
     */
    release(): Buffer {
        const buffer = this.buffer;
        this.buffer = Buffer.alloc(0);
        this.used = 0;
        this.starts.length = 1;
        return buffer;
    }

    private reserve(bytes: number): void {
        if (this.used + bytes <= this.buffer.length) return;
        // Grown at least twofold, so that appends cost linear time.
        const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
        this.buffer.copy(grown, 0, 0, this.used);
        this.buffer = grown;
    }
}
