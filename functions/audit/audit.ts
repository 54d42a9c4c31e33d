import { auditWorkgroups } from "./athena";
import { AuditClients } from "./clients";
import { auditTables } from "./dynamodb";
import { auditDataStreams, ElasticsearchTarget } from "./elasticsearch";
import { auditStreams } from "./kinesis";
import { auditLogAccountPolicies, auditLogGroups } from "./logGroups";
import { AuditRow, AuditSettings, AuditVerdict, errorText, STORE_KINDS, StoreKind } from "./model";
import { auditBuckets, BucketDirectory } from "./s3";
import { auditQueues } from "./sqs";

export interface AuditOptions {
    regions: readonly string[];
    settings: AuditSettings;
    /** The shipper's cluster; without it Elasticsearch is not audited (and the result says so). */
    elasticsearch?: ElasticsearchTarget;
    clients: AuditClients;
}

export interface AuditResult {
    regions: string[];
    rows: AuditRow[];
    counts: Record<AuditVerdict, number>;
    /** Buckets outside the audited regions (listed by ListBuckets, not read). */
    bucketsElsewhere: number;
    elasticsearchAudited: boolean;
    /** Exit status: true when nothing is `too long` or `unknown`. */
    passed: boolean;
}

/** Runs one listing; when the listing itself fails (permission, API missing), one `unknown` row stands for it. */
async function guarded(kind: StoreKind, region: string, list: () => Promise<AuditRow[]>): Promise<AuditRow[]> {
    try {
        return await list();
    } catch (error) {
        return [{ kind, name: `(every ${kind} store)`, region, keeps: "could not be listed", verdict: "unknown", note: errorText(error) }];
    }
}

/**
 * The account-wide inventory: every region's log groups and account retention policies, queues, streams, tables and
 * workgroups, the account's buckets in those regions, and the shipper's data streams, each with its worst-case age
 * and verdict against `settings`. Read-only. Regions and store kinds are read side by side.
 */
export async function auditAccount(options: AuditOptions): Promise<AuditResult> {
    const { settings, clients } = options;
    const regions = [...options.regions];
    const home = regions[0] ?? "us-east-1";
    const buckets = new BucketDirectory(clients, home);
    let bucketsElsewhere = 0;
    const perRegion = regions.flatMap((region) => {
        const aws = clients.region(region);
        return [
            guarded("log-groups", region, () => auditLogGroups(aws.logs, region, settings)),
            guarded("log-account-policies", region, () => auditLogAccountPolicies(aws.logs, region, settings)),
            guarded("sqs", region, () => auditQueues(aws.sqs, region, settings)),
            guarded("kinesis", region, () => auditStreams(aws.kinesis, region, settings)),
            guarded("dynamodb", region, () => auditTables(aws.dynamodb, region, settings)),
            guarded("athena", region, () => auditWorkgroups(aws.athena, region, buckets, settings)),
        ];
    });
    const global = [
        guarded("s3", "global", async () => {
            const result = await auditBuckets(buckets, regions, settings);
            bucketsElsewhere = result.elsewhere;
            return result.rows;
        }),
        ...(options.elasticsearch ? [guarded("elasticsearch", options.elasticsearch.endpoint, () => auditDataStreams(options.elasticsearch as ElasticsearchTarget, settings))] : []),
    ];
    const rows = (await Promise.all([...perRegion, ...global])).flat();
    const order = (row: AuditRow) => STORE_KINDS.indexOf(row.kind);
    rows.sort((a, b) => order(a) - order(b) || a.region.localeCompare(b.region) || (a.count === undefined ? 1 : 0) - (b.count === undefined ? 1 : 0) || a.name.localeCompare(b.name));
    const counts: Record<AuditVerdict, number> = { ok: 0, exempt: 0, "too long": 0, unknown: 0 };
    for (const row of rows) counts[row.verdict] += row.count ?? 1;
    return { regions, rows, counts, bucketsElsewhere, elasticsearchAudited: options.elasticsearch !== undefined, passed: counts["too long"] === 0 && counts.unknown === 0 };
}
