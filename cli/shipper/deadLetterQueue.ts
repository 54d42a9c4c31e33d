import {
    ChangeMessageVisibilityBatchCommand,
    DeleteMessageBatchCommand,
    GetQueueAttributesCommand,
    ReceiveMessageCommand,
    SQSClient,
    type Message,
} from "@aws-sdk/client-sqs";

import { describeError } from "../../functions/shared/errors";

/** A received message: what is needed to delete it or give it back. */
export interface HeldMessage {
    messageId: string;
    receiptHandle: string;
    body: string;
}

/**
 * How long a received letter stays invisible to other readers while `npm run replay` holds it: the command
 * deletes what it shipped and gives back (visible at once) everything else before it ends. If it is killed,
 * what it held comes back by itself after this long.
 */
export const HOLD_SECONDS = 900;

/** The dead-letter queue, read the way `npm run replay` needs: receive and hold, delete, give back. */
export class DeadLetterQueue {
    constructor(
        private readonly sqs: SQSClient,
        readonly url: string,
    ) {}

    /** Approximate number of visible messages (for progress; SQS only estimates it). */
    async approximateSize(): Promise<number> {
        const answer = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.url, AttributeNames: ["ApproximateNumberOfMessages"] }));
        return Number(answer.Attributes?.["ApproximateNumberOfMessages"] ?? 0);
    }

    /**
     * Receives up to `max` messages, 10 per call, holding each for HOLD_SECONDS. Stops early when a call
     * returns nothing: that call long-polls for a second, so every SQS server is asked (short polls sample).
     */
    async receive(max: number): Promise<HeldMessage[]> {
        const held: HeldMessage[] = [];
        while (held.length < max) {
            const answer = await this.sqs.send(
                new ReceiveMessageCommand({ QueueUrl: this.url, MaxNumberOfMessages: Math.min(10, max - held.length), VisibilityTimeout: HOLD_SECONDS, WaitTimeSeconds: 1 }),
            );
            const messages = (answer.Messages ?? []).filter((message): message is Message & { MessageId: string; ReceiptHandle: string } => !!message.MessageId && !!message.ReceiptHandle);
            if (messages.length === 0) break;
            held.push(...messages.map((message) => ({ messageId: message.MessageId, receiptHandle: message.ReceiptHandle, body: message.Body ?? "" })));
        }
        return held;
    }

    /** Deletes the messages; returns the ids SQS did not delete (they come back after the hold, and replay again as already present). */
    async delete(messages: HeldMessage[]): Promise<{ failed: string[]; errors: string[] }> {
        return this.inBatches(messages, (entries) => this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.url, Entries: entries })));
    }

    /** Makes the messages visible again at once: the queue is left as it was for them. */
    async giveBack(messages: HeldMessage[]): Promise<{ failed: string[]; errors: string[] }> {
        return this.inBatches(messages, (entries) =>
            this.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.url, Entries: entries.map((entry) => ({ ...entry, VisibilityTimeout: 0 })) })),
        );
    }

    private async inBatches(
        messages: HeldMessage[],
        send: (entries: { Id: string; ReceiptHandle: string }[]) => Promise<{ Failed?: { Id?: string; Code?: string }[] }>,
    ): Promise<{ failed: string[]; errors: string[] }> {
        const failed: string[] = [];
        const errors: string[] = [];
        for (let start = 0; start < messages.length; start += 10) {
            const batch = messages.slice(start, start + 10);
            const entries = batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.receiptHandle }));
            try {
                const answer = await send(entries);
                for (const failure of answer.Failed ?? []) {
                    const message = batch[Number(failure.Id)];
                    if (message) failed.push(message.messageId);
                    errors.push(failure.Code ?? "unknown");
                }
            } catch (error) {
                failed.push(...batch.map((message) => message.messageId));
                errors.push(describeError(error));
            }
        }
        return { failed, errors };
    }
}
