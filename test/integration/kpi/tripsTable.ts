import { AttributeValue, BatchWriteItemCommand, DynamoDBClient, WriteRequest } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";

import { createTripsTable as createSharedTripsTable } from "../../harness/tripsTable";

/** A trip as a writer puts it (the item contract of docs/kpi.md); corrupt variants override or drop fields. */
export type TripRecord = Record<string, string | number | undefined>;

export const INDEX_NAME = "completedDate-index";
/** kpi.tripRetentionDays of the specs' function config (the default). */
export const TRIP_RETENTION_DAYS = 3;

/**
 * Creates a trips table with the sparse completedDate GSI (test/harness/tripsTable.ts), its index projecting
 * every attribute, as an existing table's may: so the specs also prove the function neither logs nor writes
 * the rider and driver ids it then reads.
 */
export async function createTripsTable(client: DynamoDBClient, tableName: string): Promise<void> {
    await createSharedTripsTable(client, { tableName, indexName: INDEX_NAME, projection: "all" });
}

/** Writes trips with BatchWriteItem (25 a request, `parallel` requests in flight), retrying unprocessed items. */
export async function putTrips(client: DynamoDBClient, tableName: string, trips: TripRecord[], parallel = 8): Promise<void> {
    await putItems(client, tableName, trips.map((trip) => marshall(trip, { removeUndefinedValues: true })), parallel);
}

/** Writes raw items (attribute values exactly as given: number texts like "1.1E0" stay as written), as putTrips does. */
export async function putItems(client: DynamoDBClient, tableName: string, items: Record<string, AttributeValue>[], parallel = 8): Promise<void> {
    const requests: WriteRequest[] = items.map((item) => ({ PutRequest: { Item: item } }));
    let next = 0;
    async function worker(): Promise<void> {
        while (next < requests.length) {
            let batch = requests.slice(next, next + 25);
            next += 25;
            while (batch.length > 0) {
                const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: batch } }));
                batch = answer.UnprocessedItems?.[tableName] ?? [];
            }
        }
    }
    await Promise.all(Array.from({ length: parallel }, worker));
}

/** A small deterministic PRNG (test/harness/prng.ts), so seeds are the same on every run. */
export { mulberry32 as prng } from "../../harness/prng";

export const ZONES = ["JFK Airport", "LaGuardia Airport", "Midtown Center", "Upper East Side South", "East Village", "Times Sq/Theatre District", "Williamsburg", "Astoria", "Harlem", "SoHo", "Chelsea", "Financial District"];
export const PAYMENT_TYPES = ["card", "cash", "wallet", "dispute"];

/**
 * A valid completed trip ending at `completedAtMs`: money as whole cents / 100 (so the reference sums in
 * cents exactly), realistic speeds and durations, rider and driver ids that must never reach a log, and the
 * `expiresAt` the item contract asks for.
 */
export function completedTrip(random: () => number, id: string, completedAtMs: number): TripRecord {
    const durationS = 120 + Math.floor(random() * 3000);
    const speedKmh = 8 + random() * 40;
    const distanceKm = Math.round(((speedKmh * durationS) / 3600) * 1000) / 1000;
    const completedAt = new Date(completedAtMs).toISOString();
    return {
        tripId: id,
        status: "COMPLETED",
        completedDate: completedAt.slice(0, 10),
        completedAt,
        pickupAt: new Date(completedAtMs - durationS * 1000).toISOString(),
        dropoffAt: completedAt,
        distanceKm,
        fare: (250 + Math.floor(random() * 6000)) / 100,
        tip: Math.floor(random() * 1200) / 100,
        tolls: random() < 0.1 ? 694 / 100 : 0,
        currency: "USD",
        paymentType: PAYMENT_TYPES[Math.floor(random() * PAYMENT_TYPES.length)],
        pickupZone: ZONES[Math.floor(random() ** 2 * ZONES.length)],
        dropoffZone: ZONES[Math.floor(random() * ZONES.length)],
        driverId: `driver-${id}-d7f3`,
        riderId: `rider-${id}-r9k2`,
        // DynamoDB TTL: gone TRIP_RETENTION_DAYS after completion (docs/kpi.md, item contract).
        expiresAt: Math.floor(completedAtMs / 1000) + TRIP_RETENTION_DAYS * 86_400,
    };
}
