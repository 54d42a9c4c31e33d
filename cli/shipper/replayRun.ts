import type { ShipperFunctionConfig } from "../../functions/shipper/config";
import { decodeDeadLetterBody, joinDeadLetterParts, type DeadLetter } from "../../functions/shipper/deadLetter";
import { isExpired, reshipDeadLetters, type ReshipResult } from "../../functions/shipper/replay";
import type { DeadLetterQueue, HeldMessage } from "./deadLetterQueue";

/** Why a message stays in the queue: the re-ship outcome, or why it was not re-shipped at all. */
export type KeptReason = Exclude<ReshipResult["outcome"], "shipped" | "already-present" | "expired"> | "unreadable" | "incomplete" | "delete-failed" | "dry-run";

export interface KeptLetter {
    /** The letter's id (document _id or record id); absent for a body that is not a shipper dead letter. */
    id?: string;
    messageIds: string[];
    reason: KeptReason;
    /** Log-safe: the error type, never an Elasticsearch reason (those quote document values). */
    error?: string;
}

export interface ReplaySummary {
    queue: string;
    dryRun: boolean;
    /** Messages received (a split letter is several). */
    messages: number;
    /** Letters read, by `<source>/<reason>` (e.g. `sqs/rejected`). */
    letters: Record<string, number>;
    shipped: number;
    alreadyPresent: number;
    deadLetterAgain: number;
    failed: number;
    unreadable: number;
    incomplete: number;
    /**
     * Letters whose data is older than `--max-data-age` (counted from when it entered the platform): never shipped,
     * deleted from the queue (a dry run deletes nothing: the letters that would be).
     */
    expired: number;
    /** Their ids (never their content). */
    expiredIds: string[];
    /** Messages deleted from the queue: exactly those whose letter is now in Elasticsearch. */
    deleted: number;
    /** Messages left in the queue (given back, visible at once). */
    kept: number;
    keptLetters: KeptLetter[];
    /** Kept messages SQS would not make visible at once: they come back by themselves after the hold (HOLD_SECONDS). */
    notGivenBack: number;
}

export interface ReplayOptions {
    dryRun: boolean;
    /** Letters whose data entered the platform longer ago than this are expired (functions/shipper/replay.ts, isExpired). */
    maxDataAgeMs: number;
    /** The time ages are counted to (epoch ms; default: when the run starts). */
    now?: number;
    /** Messages received and re-shipped per round. */
    batchSize?: number;
    onProgress?: (summary: ReplaySummary, queueSize: number) => void;
}

interface Received {
    message: HeldMessage;
    letter: DeadLetter;
}

/** An Elasticsearch item error reads `HTTP <status> <type>: <reason>`; the reason can quote the document, so only the head is shown. */
export function safeError(error: string | undefined): string | undefined {
    if (error === undefined) return undefined;
    const http = /^HTTP \d{3} [\w.-]+/.exec(error);
    return http ? http[0] : error.slice(0, 200);
}

/**
 * Re-ships the dead letters of a queue after a fix (functions/shipper/replay.ts: the same bulk `create` with the
 * same deterministic ids, so a letter shipped twice is already present), round by round. A message is deleted
 * only when its letter is now in Elasticsearch (shipped or already present); every other message (rejected
 * again, failed, not a shipper letter, a split letter missing parts) is held while the run lasts, so that it is
 * read once, and given back (visible again) at the end. `dryRun` reads and counts, ships and deletes nothing.
 */
export async function replayQueue(queue: DeadLetterQueue, config: ShipperFunctionConfig, options: ReplayOptions): Promise<ReplaySummary> {
    const summary: ReplaySummary = {
        queue: queue.url,
        dryRun: options.dryRun,
        messages: 0,
        letters: {},
        shipped: 0,
        alreadyPresent: 0,
        deadLetterAgain: 0,
        failed: 0,
        unreadable: 0,
        incomplete: 0,
        expired: 0,
        expiredIds: [],
        deleted: 0,
        kept: 0,
        keptLetters: [],
        notGivenBack: 0,
    };
    const toGiveBack: HeldMessage[] = [];
    const keep = (messages: HeldMessage[], reason: KeptReason, id?: string, error?: string) => {
        toGiveBack.push(...messages);
        summary.kept += messages.length;
        summary.keptLetters.push({ ...(id === undefined ? {} : { id }), messageIds: messages.map((message) => message.messageId), reason, ...(error ? { error: safeError(error) } : {}) });
    };
    const seen = new Set<string>();
    const now = options.now ?? Date.now();
    const expiredSeen = new Set<string>();
    const noteExpired = (id: string) => {
        if (expiredSeen.has(id)) return;
        expiredSeen.add(id);
        summary.expired++;
        summary.expiredIds.push(id);
    };
    /** Deletes messages whose letters are done (shipped, already present or expired); what SQS does not delete is kept. */
    const deleteDone = async (done: HeldMessage[]) => {
        if (done.length === 0) return;
        const deletion = await queue.delete(done);
        const notDeleted = new Set(deletion.failed);
        summary.deleted += done.length - notDeleted.size;
        if (notDeleted.size > 0) keep(done.filter((message) => notDeleted.has(message.messageId)), "delete-failed", undefined, deletion.errors[0]);
    };
    let waitingParts: Received[] = [];
    const queueSize = await queue.approximateSize().catch(() => 0);
    try {
        const batchSize = options.batchSize ?? 100;
        for (let drained = false; !drained; ) {
            const received = await queue.receive(batchSize);
            // receive() stops at the first empty (long-polled) answer: fewer than asked for means the queue is read through.
            drained = received.length < batchSize;
            // A message seen before came back (its hold ran out, or a delete failed): the queue has been read through.
            const repeated = received.filter((message) => seen.has(message.messageId));
            toGiveBack.push(...repeated);
            const fresh = received.filter((message) => !seen.has(message.messageId));
            if (fresh.length === 0) break;
            fresh.forEach((message) => seen.add(message.messageId));
            summary.messages += fresh.length;

            const letters: Received[] = [...waitingParts];
            const expiredMessages: HeldMessage[] = [];
            for (const message of fresh) {
                try {
                    const letter = decodeDeadLetterBody(message.body);
                    // Too old to be shipped again (every part of a split letter carries its originAt): never shipped, deleted.
                    if (isExpired(letter, options.maxDataAgeMs, now)) {
                        noteExpired(letter.id);
                        expiredMessages.push(message);
                    } else {
                        letters.push({ message, letter });
                    }
                    if (!letter.part || letter.part.index === 0) summary.letters[`${letter.source}/${letter.reason}`] = (summary.letters[`${letter.source}/${letter.reason}`] ?? 0) + 1;
                } catch (error) {
                    summary.unreadable++;
                    keep([message], "unreadable", undefined, (error as Error).message);
                }
            }
            // Parts of a split letter whose other parts are not here yet wait for the next round.
            const { letters: whole, incomplete } = joinDeadLetterParts(letters.map((entry) => entry.letter));
            const incompleteSet = new Set(incomplete);
            waitingParts = letters.filter((entry) => incompleteSet.has(entry.letter));
            const messagesById = new Map<string, HeldMessage[]>();
            for (const entry of letters) {
                if (!incompleteSet.has(entry.letter)) messagesById.set(entry.letter.id, [...(messagesById.get(entry.letter.id) ?? []), entry.message]);
            }

            if (options.dryRun) {
                if (expiredMessages.length > 0) keep(expiredMessages, "dry-run");
                for (const [id, messages] of messagesById) keep(messages, "dry-run", id);
            } else {
                await deleteDone(expiredMessages);
            }
            if (!options.dryRun && whole.length > 0) {
                const outcomes = worstById(await reshipDeadLetters(config, whole, { maxDataAgeMs: options.maxDataAgeMs, now }));
                const done: HeldMessage[] = [];
                for (const [id, messages] of messagesById) {
                    const result = outcomes.get(id) ?? { id, outcome: "failed" as const, error: "no outcome for this letter" };
                    if (result.outcome === "shipped" || result.outcome === "already-present") {
                        summary[result.outcome === "shipped" ? "shipped" : "alreadyPresent"]++;
                        done.push(...messages);
                    } else if (result.outcome === "expired") {
                        noteExpired(id);
                        done.push(...messages);
                    } else {
                        summary[result.outcome === "failed" ? "failed" : "deadLetterAgain"]++;
                        keep(messages, result.outcome, id, result.error);
                    }
                }
                await deleteDone(done);
            }
            options.onProgress?.(summary, queueSize);
        }
        for (const entry of waitingParts) {
            summary.incomplete++;
            keep([entry.message], "incomplete", entry.letter.id, `part ${(entry.letter.part?.index ?? 0) + 1} of ${entry.letter.part?.count ?? "?"}: the other parts are not in the queue`);
        }
    } finally {
        // Whatever happens, what was read and not deleted is visible again for the next run.
        summary.notGivenBack = (await queue.giveBack(toGiveBack)).failed.length;
    }
    return summary;
}

const RANK: Record<ReshipResult["outcome"], number> = { shipped: 0, "already-present": 1, expired: 2, "dead-letter-again": 3, failed: 4 };

/** A letter id can come twice (the same letter written twice): the worse outcome decides, so nothing is deleted early. */
function worstById(results: ReshipResult[]): Map<string, ReshipResult> {
    const byId = new Map<string, ReshipResult>();
    for (const result of results) {
        const known = byId.get(result.id);
        if (!known || RANK[result.outcome] > RANK[known.outcome]) byId.set(result.id, result);
    }
    return byId;
}
