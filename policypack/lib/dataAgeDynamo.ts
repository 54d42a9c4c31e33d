/**
 * How long a DynamoDB table of the stack can keep an item, and what else keeps its data: point-in-time
 * recovery (restorable for the window after an item is gone), global-table replicas, and exports to S3.
 * Counted with the program's dynamodbWorstHours: item lifetime (the writers' contract, from policy config) +
 * the TTL deletion lag + the PITR window.
 */
import { PolicyResource } from "@pulumi/policy";

import { DYNAMODB_DEFAULT_PITR_DAYS, DynamoDbRetention, dynamodbWorstHours, HOURS_PER_DAY } from "../../components/dataProtection/ages";
import { asArray, asNumber, asString, get, UNKNOWN } from "./values";

export const TABLE_TYPE = "aws:dynamodb/table:Table";
export const TABLE_REPLICA_TYPE = "aws:dynamodb/tableReplica:TableReplica";
export const GLOBAL_TABLE_TYPE = "aws:dynamodb/globalTable:GlobalTable";
export const TABLE_EXPORT_TYPE = "aws:dynamodb/tableExport:TableExport";

export type TableAge =
    | { kind: "unknown" }
    | {
          kind: "known";
          worstHours: number;
          retention: DynamoDbRetention;
          /** The sum in words, e.g. "items live up to 3 d + TTL deletion lag 72 h + PITR window 1 d". */
          sum: string;
          /** What keeps items regardless of the sum (TTL off, PITR window unset, replicas with PITR). */
          problems: string[];
      };

/** The worst age of an item of `table`, given the writers' item lifetime and the TTL deletion lag (hours). */
export function tableAge(table: PolicyResource, itemLifetimeHours: number, ttlLagHours: number): TableAge {
    const ttl = get(table.props, "ttl.enabled");
    const pitr = get(table.props, "pointInTimeRecovery.enabled");
    const window = get(table.props, "pointInTimeRecovery.recoveryPeriodInDays");
    const replicas = get(table.props, "replicas");
    if ([ttl, pitr, window, replicas].includes(UNKNOWN)) {
        return { kind: "unknown" };
    }
    const problems: string[] = [];
    const ttlEnabled = ttl === true;
    if (!ttlEnabled) {
        problems.push("TTL is off (ttl.enabled), so items stay until a writer deletes them");
    }
    const pitrEnabled = pitr === true;
    const pitrDays = asNumber(window);
    if (pitrEnabled && pitrDays === undefined) {
        problems.push(`point-in-time recovery is on without recoveryPeriodInDays, so deleted items stay restorable for the default ${DYNAMODB_DEFAULT_PITR_DAYS} days`);
    }
    for (const replica of asArray(replicas)) {
        if (get(replica, "pointInTimeRecovery") === true) {
            problems.push(`its replica in ${asString(get(replica, "regionName")) ?? "another region"} has point-in-time recovery, whose window a replica cannot set (${DYNAMODB_DEFAULT_PITR_DAYS} days)`);
        }
    }
    const retention: DynamoDbRetention = { ttlEnabled, itemLifetimeHours, pitrEnabled, pitrRecoveryDays: pitrDays, onDemandBackups: 0 };
    const lags = { cloudwatchHours: 0, s3Hours: 0, dynamodbTtlHours: ttlLagHours };
    const replicaPitr = asArray(replicas).some((replica) => get(replica, "pointInTimeRecovery") === true);
    const worstHours = Math.max(dynamodbWorstHours(retention, lags), replicaPitr ? dynamodbWorstHours({ ...retention, pitrEnabled: true, pitrRecoveryDays: DYNAMODB_DEFAULT_PITR_DAYS }, lags) : 0);
    const windowText = pitrEnabled ? ` + PITR window ${pitrDays ?? DYNAMODB_DEFAULT_PITR_DAYS} d` : "";
    const sum = `items live up to ${itemLifetimeHours / HOURS_PER_DAY} d + TTL deletion lag ${ttlLagHours} h${windowText}`;
    return { kind: "known", worstHours, retention, sum, problems };
}
