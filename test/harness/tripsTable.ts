import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";

import { TRIPS_INDEX_NON_KEY_ATTRIBUTES } from "../../components/kpiPipeline";

export interface TripsTableOptions {
    tableName: string;
    /** The sparse completedDate index (`kpi.completedDateIndexName`). */
    indexName: string;
    /**
     * What the index projects: "deployed" (default) is what the KpiPipeline component creates (the KPI
     * attributes only); "all" is an existing table whose index projects every attribute, rider and driver ids
     * included (what the no-PII checks need the function to see).
     */
    projection?: "deployed" | "all";
}

/** Creates a trips table in moto with the sparse completedDate index: key schema and projection as the KpiPipeline component creates them. */
export async function createTripsTable(client: DynamoDBClient, options: TripsTableOptions): Promise<void> {
    await client.send(
        new CreateTableCommand({
            TableName: options.tableName,
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [
                { AttributeName: "tripId", AttributeType: "S" },
                { AttributeName: "completedDate", AttributeType: "S" },
                { AttributeName: "completedAt", AttributeType: "S" },
            ],
            KeySchema: [{ AttributeName: "tripId", KeyType: "HASH" }],
            GlobalSecondaryIndexes: [
                {
                    IndexName: options.indexName,
                    KeySchema: [
                        { AttributeName: "completedDate", KeyType: "HASH" },
                        { AttributeName: "completedAt", KeyType: "RANGE" },
                    ],
                    Projection: options.projection === "all" ? { ProjectionType: "ALL" } : { ProjectionType: "INCLUDE", NonKeyAttributes: TRIPS_INDEX_NON_KEY_ATTRIBUTES },
                },
            ],
        }),
    );
}
