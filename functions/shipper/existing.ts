import type { Transport } from "@elastic/transport";

import type { Deadline } from "../shared/deadline";

/** One document to look for: its data stream and its `_id`. */
export interface ExistenceTarget {
    index: string;
    id: string;
}

/** Ids per `_search` (its `size` stays within the default `index.max_result_window` of 10,000 even if an id is already in two backing indices). */
const IDS_PER_SEARCH = 5_000;
/** Longer index lists go as the namespace's pattern: the request line stays well within `http.max_initial_line_length` (4 KB). */
const MAX_PATH_CHARS = 2_000;

interface SearchAnswer {
    hits?: { hits?: { _id?: string; _index?: string }[] };
}

/**
 * Which of `targets` already exist anywhere in their data stream, in any backing index: `create` only sees the write
 * index, so a delivery that comes again after a rollover would otherwise create a second copy of what its first
 * attempt wrote. Only deliveries that may have been attempted before are looked up (retries.ts), one `ids` search
 * per batch (per 5,000 ids), after a refresh of the data streams (what the first attempt wrote a moment ago must be
 * visible to the search; a refresh that is refused, e.g. without the `maintenance` privilege, is skipped: documents
 * older than the refresh interval are visible anyway). `pattern` (`logs-aws.*-<namespace>`) is searched instead of
 * a long list of data streams. Throws when the search fails: the caller then writes with `create` only, as before.
 */
export async function findExisting(transport: Transport, targets: readonly ExistenceTarget[], pattern: string, requestTimeoutMs: number, deadline: Deadline): Promise<boolean[]> {
    const found: boolean[] = new Array<boolean>(targets.length).fill(false);
    if (targets.length === 0) return found;
    const streams = [...new Set(targets.map((target) => target.index))];
    const list = streams.map((stream) => encodeURIComponent(stream)).join(",");
    const path = list.length > MAX_PATH_CHARS ? encodeURIComponent(pattern) : list;
    const querystring = { ignore_unavailable: true, allow_no_indices: true };
    const options = () => ({ requestTimeout: deadline.timeoutMs(requestTimeoutMs), maxRetries: 0 });
    try {
        await transport.request({ method: "POST", path: `/${path}/_refresh`, querystring }, options());
    } catch {
        // not fatal: see above
    }
    const indexesById = new Map<string, Set<string>>();
    const ids = [...new Set(targets.map((target) => target.id))];
    for (let start = 0; start < ids.length; start += IDS_PER_SEARCH) {
        const chunk = ids.slice(start, start + IDS_PER_SEARCH);
        const answer = await transport.request<SearchAnswer>(
            {
                method: "POST",
                path: `/${path}/_search`,
                querystring: { ...querystring, filter_path: "hits.hits._id,hits.hits._index" },
                body: { size: chunk.length * 2, _source: false, track_total_hits: false, query: { ids: { values: chunk } } },
            },
            options(),
        );
        for (const hit of answer.hits?.hits ?? []) {
            if (typeof hit._id !== "string" || typeof hit._index !== "string") continue;
            const indexes = indexesById.get(hit._id) ?? new Set<string>();
            indexes.add(hit._index);
            indexesById.set(hit._id, indexes);
        }
    }
    // A hit counts for a target when it is in the target's own data stream (a backing index `.ds-<stream>-…`); with a
    // single data stream named in the path, every hit is in it.
    const single = path === list && streams.length === 1;
    for (let i = 0; i < targets.length; i++) {
        const target = targets[i];
        const indexes = indexesById.get(target.id);
        if (!indexes) continue;
        if (single) {
            found[i] = true;
            continue;
        }
        const prefix = `.ds-${target.index}-`;
        for (const index of indexes) {
            if (index === target.index || index.startsWith(prefix)) {
                found[i] = true;
                break;
            }
        }
    }
    return found;
}
