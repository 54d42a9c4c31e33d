import { AthenaClient, GetWorkGroupCommand, ListWorkGroupsCommand } from "@aws-sdk/client-athena";

import { s3WorstHours } from "../../components/dataProtection/ages";
import { AuditRow, AuditSettings, errorText, mapLimit } from "./model";
import { BucketDirectory, retentionAt } from "./s3";
import { judge } from "./verdict";

/** `s3://bucket/some/prefix/` -> bucket and key prefix. */
export function parseS3Location(location: string): { bucket: string; prefix: string } | undefined {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
    return match ? { bucket: match[1] ?? "", prefix: match[2] ?? "" } : undefined;
}

/**
 * The Athena workgroups of one region. Query results are written under the workgroup's result location, so they are
 * kept as that bucket's lifecycle keeps keys under that prefix (S3's worst case there). A workgroup without a result
 * location of its own stores nothing: each query names its location, a bucket the S3 part audits. Results in
 * Athena-owned storage (managed query results) are `unknown`: their retention is not readable through the API.
 */
export async function auditWorkgroups(athena: AthenaClient, region: string, buckets: BucketDirectory, settings: AuditSettings): Promise<AuditRow[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await athena.send(new ListWorkGroupsCommand({ NextToken: nextToken, MaxResults: 50 }));
        names.push(...(page.WorkGroups ?? []).map((group) => group.Name ?? "").filter((name) => name.length > 0));
        nextToken = page.NextToken;
    } while (nextToken);
    return mapLimit(names, 4, async (name): Promise<AuditRow> => {
        try {
            return await workgroupRow(athena, name, region, buckets, settings);
        } catch (error) {
            return { kind: "athena", name, region, keeps: "could not be read", verdict: "unknown", note: errorText(error) };
        }
    });
}

async function workgroupRow(athena: AthenaClient, name: string, region: string, buckets: BucketDirectory, settings: AuditSettings): Promise<AuditRow> {
    const { WorkGroup: group } = await athena.send(new GetWorkGroupCommand({ WorkGroup: name }));
    const configuration = group?.Configuration;
    if (configuration?.ManagedQueryResultsConfiguration?.Enabled) {
        return { kind: "athena", name, region, keeps: "managed query results (Athena-owned storage)", verdict: "unknown", note: "their retention is not readable through the API" };
    }
    const location = configuration?.ResultConfiguration?.OutputLocation;
    const override = configuration?.EnforceWorkGroupConfiguration ? "" : " (not enforced: a query may name another location, a bucket audited under S3)";
    if (!location) {
        return { kind: "athena", name, region, keeps: "no result location of its own (each query names one: buckets are audited under S3)", worstHours: 0, verdict: "ok" };
    }
    const target = parseS3Location(location);
    if (!target) return { kind: "athena", name, region, keeps: `result location ${location}`, verdict: "unknown", note: "not an s3:// location" };
    const bucketRegion = (await buckets.list()).get(target.bucket);
    if (bucketRegion === undefined) {
        return { kind: "athena", name, region, keeps: `results in s3://${target.bucket}/${target.prefix}`, verdict: "unknown", note: "the bucket is not in this account's bucket list (another account, or deleted)" };
    }
    const facts = await buckets.read(target.bucket, bucketRegion);
    const { retention, keeps } = retentionAt(facts, target.prefix);
    const worst = s3WorstHours(retention, settings.lags);
    const prefixKeeps = target.prefix === "" ? keeps : keeps.slice(target.prefix.length + 2);
    return { kind: "athena", name, region, keeps: `results in s3://${target.bucket}/${target.prefix}: ${prefixKeeps}${override}`, worstHours: worst, ...judge(worst, settings) };
}
