/**
 * The NDJSON of one batch's bulk `create` requests, encoded once into one growing buffer: item `i` is the bytes
 * `[start(i), end(i))` (its action line and its document line). Requests are slices of it (no copy when the
 * items are contiguous, as on a first attempt), so no per-request string is built, measured or encoded again.
 */
export class BulkBody {
    // Assigned in the constructor, not as field initializers: the closure serializer keeps constructors only.
    private buffer: Buffer;
    private used: number;
    /** starts[i]: item i's first byte; starts[count]: the end of the last item. */
    private readonly starts: number[];
    /** Where item i's document line starts (after its action line). */
    private readonly documents: number[];

    constructor(expectedBytes: number) {
        this.buffer = Buffer.allocUnsafe(Math.max(64 * 1024, expectedBytes));
        this.used = 0;
        this.starts = [0];
        this.documents = [];
    }

    get count(): number {
        return this.documents.length;
    }

    /** Appends `action\ndocument\n` as the next item; returns its size in bytes. */
    append(action: string, document: string): number {
        // A UTF-16 code unit is at most 3 UTF-8 bytes.
        this.reserve((action.length + document.length) * 3 + 2);
        const start = this.used;
        let at = start + this.buffer.write(action, start, "utf8");
        this.buffer[at++] = 10;
        this.documents.push(at);
        at += this.buffer.write(document, at, "utf8");
        this.buffer[at++] = 10;
        this.used = at;
        this.starts.push(at);
        return at - start;
    }

    /** Removes the last item (e.g. one too large to send). */
    dropLast(): void {
        if (this.documents.length === 0) return;
        this.documents.pop();
        this.starts.pop();
        this.used = this.starts[this.starts.length - 1] ?? 0;
    }

    bytes(index: number): number {
        return (this.starts[index + 1] ?? 0) - (this.starts[index] ?? 0);
    }

    /** The document of item `index`, as text (for a dead letter). */
    document(index: number): string {
        return this.buffer.toString("utf8", this.documents[index], (this.starts[index + 1] ?? 1) - 1);
    }

    /** The request body of these items (ascending indexes): a view of the buffer when they are contiguous, else a copy. */
    request(indexes: number[]): Buffer {
        const first = indexes[0];
        const last = indexes[indexes.length - 1];
        if (first === undefined || last === undefined) return Buffer.alloc(0);
        if (last - first === indexes.length - 1) return this.buffer.subarray(this.starts[first], this.starts[last + 1]);
        return Buffer.concat(indexes.map((index) => this.buffer.subarray(this.starts[index], this.starts[index + 1])));
    }

    private reserve(bytes: number): void {
        if (this.used + bytes <= this.buffer.length) return;
        const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
        this.buffer.copy(grown, 0, 0, this.used);
        this.buffer = grown;
    }
}
