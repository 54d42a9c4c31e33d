import { BatchWriteItemCommand, DynamoDBClient, WriteRequest } from "@aws-sdk/client-dynamodb";

import type { TripItem } from "./data/trips";
import { inParallel, Progress } from "./ui";

/** DynamoDB's BatchWriteItem limit. */
const BATCH = 25;

/**
 * Writes items with BatchWriteItem, `concurrency` requests in flight, re-sending unprocessed items with
 * backoff until every item is stored (or the attempts run out, which throws naming how many are left).
 */
export async function writeItems(client: DynamoDBClient, table: string, items: readonly TripItem[], concurrency: number, bar?: Progress): Promise<void> {
    const batches: TripItem[][] = [];
    for (let index = 0; index < items.length; index += BATCH) batches.push(items.slice(index, index + BATCH));
    await inParallel(batches, concurrency, async (batch) => {
        let pending: WriteRequest[] = batch.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; pending.length > 0; attempt++) {
            if (attempt === 8) {
                throw new Error(`BatchWriteItem to ${table}: ${pending.length} items still unprocessed after ${attempt} attempts`);
            }
            if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
            const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
            pending = result.UnprocessedItems?.[table] ?? [];
        }
        bar?.tick(batch.length);
    });
}
