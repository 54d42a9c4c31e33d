import type { ShipperSource } from "./config";

/** One dead letter: a document Elasticsearch refused for good, or input that could not be decoded. */
export interface DeadLetter {
    version: 1;
    source: ShipperSource;
    reason: "rejected" | "malformed";
    /** Log-safe description of the error. */
    error: string;
    /** The deterministic document id (or the record id for malformed input). */
    id: string;
    /** The data stream the document was meant for (rejected documents). */
    index?: string;
    /** The ECS document Elasticsearch rejected. */
    document?: Record<string, unknown>;
    /** The original raw record (malformed input), base64. */
    raw?: string;
}

export function decodeDeadLetterBody(body: string): DeadLetter {
    return JSON.parse(body) as DeadLetter;
}
