import * as fs from "fs";
import * as path from "path";

import { EXEMPTION_TAG } from "../../components/dataProtection/component";
import { HOURS_PER_DAY } from "../../components/dataProtection/ages";
import { TRIP_EXPIRY_ATTRIBUTE } from "../../components/kpiPipeline";
import type { AuditExemption } from "../../functions/audit/model";
import { loadStackConfig, ROOT } from "../shared/stackConfig";
import { UsageError } from "../shared/args";

/** What `--stack <name>` contributes to the audit: the stack config's data-protection settings and its stores' names. */
export interface StackFacts {
    stack: string;
    maxAgeDays: number;
    lags: { cloudwatchHours: number; s3Hours: number; dynamodbTtlHours: number };
    exemptions: AuditExemption[];
    exemptionTag: string;
    /** The shipper's data streams: `logs-aws.*-<elasticsearch.dataStreamNamespace>`. */
    dataStreamPattern: string;
    tripsTable: { name: string; ttlAttribute: string; itemLifetimeHours: number };
}

/**
 * Reads and validates Pulumi.<stack>.yaml as the program does (components/config, through cli/demo/stack.ts). A
 * missing file or an invalid config is a usage error naming the fix. Loaded only with `--stack` (it loads Pulumi).
 */
export function stackFacts(stack: string, programDir = ROOT): StackFacts {
    const file = path.join(programDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs.readdirSync(programDir).map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1]).filter((name): name is string => name !== undefined);
        throw new UsageError(`--stack ${stack}: ${file} does not exist; the stacks here are ${known.join(", ") || "(none)"}`);
    }
    let config: ReturnType<typeof loadStackConfig>;
    try {
        config = loadStackConfig(stack, programDir);
    } catch (error) {
        throw new UsageError(`--stack ${stack}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const dp = config.dataProtection;
    return {
        stack,
        maxAgeDays: dp.maxAgeDays,
        lags: { cloudwatchHours: dp.deletionLagHours.cloudwatch, s3Hours: dp.deletionLagHours.s3, dynamodbTtlHours: dp.deletionLagHours.dynamodbTtl },
        exemptions: dp.exemptions.map((entry) => ({ store: entry.store, reason: entry.reason, maxAgeDays: entry.maxAgeDays })),
        exemptionTag: EXEMPTION_TAG,
        dataStreamPattern: `logs-aws.*-${config.elasticsearch.dataStreamNamespace}`,
        tripsTable: { name: config.kpi.tripsTableName, ttlAttribute: TRIP_EXPIRY_ATTRIBUTE, itemLifetimeHours: config.kpi.tripRetentionDays * HOURS_PER_DAY },
    };
}
