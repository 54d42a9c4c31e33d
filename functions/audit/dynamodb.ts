import { DescribeContinuousBackupsCommand, DescribeTimeToLiveCommand, DynamoDBClient, ListBackupsCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";

import { DYNAMODB_DEFAULT_PITR_DAYS, DynamoDbRetention, dynamodbWorstHours, formatHours } from "../../components/dataProtection/ages";
import { AuditRow, AuditSettings, errorText, mapLimit } from "./model";
import { judge } from "./verdict";

/**
 * The DynamoDB tables of one region. An item lives until TTL removes it (its lifetime, plus the TTL deletion lag),
 * then point-in-time recovery can restore it for the PITR window (`RecoveryPeriodInDays`, 35 when unset); an on-demand
 * backup keeps everything until it is deleted. TTL bounds an item only when the writers bound its expiry attribute:
 * the audit knows that bound only for the stack's trips table (`--stack`: `kpi.tripRetentionDays`, on its TTL
 * attribute); any other table's items, TTL or not, can stay as long as a writer wants, which is `too long`.
 */
export async function auditTables(dynamodb: DynamoDBClient, region: string, settings: AuditSettings): Promise<AuditRow[]> {
    const names: string[] = [];
    let start: string | undefined;
    do {
        const page = await dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName: start, Limit: 100 }));
        names.push(...(page.TableNames ?? []));
        start = page.LastEvaluatedTableName;
    } while (start);
    return mapLimit(names, 4, async (name): Promise<AuditRow> => {
        try {
            return await tableRow(dynamodb, name, region, settings);
        } catch (error) {
            return { kind: "dynamodb", name, region, keeps: "could not be read", verdict: "unknown", note: errorText(error) };
        }
    });
}

async function countBackups(dynamodb: DynamoDBClient, table: string): Promise<number> {
    let count = 0;
    let start: string | undefined;
    do {
        const page = await dynamodb.send(new ListBackupsCommand({ TableName: table, BackupType: "ALL", ExclusiveStartBackupArn: start }));
        count += (page.BackupSummaries ?? []).filter((backup) => backup.BackupStatus !== "DELETED").length;
        start = page.LastEvaluatedBackupArn;
    } while (start);
    return count;
}

async function tableRow(dynamodb: DynamoDBClient, name: string, region: string, settings: AuditSettings): Promise<AuditRow> {
    const [ttl, continuous, backups] = await Promise.all([
        dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name })),
        dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: name })),
        countBackups(dynamodb, name),
    ]);
    const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    const ttlEnabled = ttlStatus === "ENABLED" || ttlStatus === "ENABLING";
    const attribute = ttl.TimeToLiveDescription?.AttributeName;
    const pitr = continuous.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    const pitrEnabled = pitr?.PointInTimeRecoveryStatus === "ENABLED";
    const pitrDays = pitr?.RecoveryPeriodInDays || DYNAMODB_DEFAULT_PITR_DAYS;
    const trips = settings.tripsTable?.name === name ? settings.tripsTable : undefined;
    const bounded = trips !== undefined && ttlEnabled && attribute === trips.ttlAttribute;
    const retention: DynamoDbRetention = {
        ttlEnabled,
        ...(bounded ? { itemLifetimeHours: trips.itemLifetimeHours } : {}),
        pitrEnabled,
        pitrRecoveryDays: pitrDays,
        onDemandBackups: backups,
    };
    const worst = dynamodbWorstHours(retention, settings.lags);

    const parts: string[] = [];
    if (!ttlEnabled) parts.push("no TTL (items kept until deleted)");
    else if (bounded) parts.push(`items ${formatHours(trips.itemLifetimeHours)} + TTL lag ${settings.lags.dynamodbTtlHours}h`);
    else if (trips) parts.push(`TTL on ${attribute ?? "?"}, not on ${trips.ttlAttribute}: item lifetime not bounded`);
    else parts.push(`TTL on ${attribute ?? "?"}, item lifetime not bounded (writers set it; --stack bounds the trips table)`);
    parts.push(pitrEnabled ? `PITR ${pitrDays}d` : "no PITR");
    if (backups > 0) parts.push(`${backups} backup${backups === 1 ? "" : "s"} (kept until deleted)`);
    return { kind: "dynamodb", name, region, keeps: parts.join(", "), worstHours: worst, ...judge(worst, settings) };
}
