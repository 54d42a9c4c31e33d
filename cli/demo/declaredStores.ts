import type { LifecycleRule } from "@aws-sdk/client-s3";

import type { PlatformConfig } from "../../components/config";
import type { RegisteredResource } from "../offline/runProgram";

/**
 * Every store the stack's components declare, with the retention settings the offline preview gives them: what the
 * demo creates in moto so the audit (`npm run audit-retention`) can judge the stack's own resources. Read from the
 * preview's resources (type, inputs, and the physical names the mocks gave them), never from a second copy of the
 * components' values.
 */
export interface DeclaredStores {
    queues: { logical: string; name: string; retentionSeconds: number; fifo: boolean; deadLetterTarget?: string }[];
    streams: { logical: string; name: string; retentionHours: number }[];
    buckets: { logical: string; name: string; versioned: boolean; rules: LifecycleRule[]; tags: Record<string, string> }[];
    logGroups: { logical: string; name: string; retentionDays?: number }[];
    workgroups: { logical: string; name: string; outputLocation?: string; enforced: boolean }[];
    tables: { logical: string; name: string; ttlAttribute?: string; pitrDays?: number }[];
    accountPolicies: { logical: string; name: string; type: string; document: string; selectionCriteria?: string }[];
}

type Inputs = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined);
const obj = (value: unknown): Inputs | undefined => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Inputs) : undefined);

/** A lifecycle rule of `aws.s3.BucketLifecycleConfiguration` (Pulumi's inputs) as the S3 API takes it. */
export function lifecycleRule(rule: Inputs): LifecycleRule {
    const filter = obj(rule["filter"]);
    const expiration = num(obj(rule["expiration"])?.["days"]);
    const noncurrent = num(obj(rule["noncurrentVersionExpiration"])?.["noncurrentDays"]);
    const abort = num(obj(rule["abortIncompleteMultipartUpload"])?.["daysAfterInitiation"]);
    return {
        ID: text(rule["id"]),
        Status: text(rule["status"]) === "Enabled" ? "Enabled" : "Disabled",
        Filter: { Prefix: text(filter?.["prefix"]) ?? "" },
        ...(expiration === undefined ? {} : { Expiration: { Days: expiration } }),
        ...(noncurrent === undefined ? {} : { NoncurrentVersionExpiration: { NoncurrentDays: noncurrent } }),
        ...(abort === undefined ? {} : { AbortIncompleteMultipartUpload: { DaysAfterInitiation: abort } }),
    };
}

/**
 * The stores among the preview's resources. A trips table the stack does not create (prod: an existing one) is
 * declared as the preview requires it to be (TTL on the expiry attribute, PITR within the plan's window: the
 * KpiPipeline refuses one that is not), so the demo's stand-in is that table.
 */
export function declaredStores(resources: readonly RegisteredResource[], config: PlatformConfig, ttlAttribute: string): DeclaredStores {
    const of = (type: string) => resources.filter((resource) => resource.type === type);
    const physical = (resource: RegisteredResource, key = "name") => text(resource.wireState[key]) ?? resource.id ?? resource.name;
    const bucketOf = (resource: RegisteredResource) => text(resource.inputs["bucket"]) ?? text(resource.wireState["bucket"]);

    const queues = of("aws:sqs/queue:Queue").map((resource) => {
        const redrive = text(resource.inputs["redrivePolicy"]);
        const target = redrive ? text((JSON.parse(redrive) as Inputs)["deadLetterTargetArn"])?.split(":").pop() : undefined;
        return {
            logical: resource.name,
            name: physical(resource),
            retentionSeconds: num(resource.inputs["messageRetentionSeconds"]) ?? 345_600,
            fifo: resource.inputs["fifoQueue"] === true,
            ...(target ? { deadLetterTarget: target } : {}),
        };
    });
    const streams = of("aws:kinesis/stream:Stream").map((resource) => ({ logical: resource.name, name: physical(resource), retentionHours: num(resource.inputs["retentionPeriod"]) ?? 24 }));
    const versioning = new Map(of("aws:s3/bucketVersioning:BucketVersioning").map((resource) => [bucketOf(resource), text(obj(resource.inputs["versioningConfiguration"])?.["status"])]));
    const lifecycles = new Map(of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").map((resource) => [bucketOf(resource), (resource.inputs["rules"] as Inputs[] | undefined) ?? []]));
    const buckets = [...of("aws:s3/bucket:Bucket"), ...of("aws:s3/bucketV2:BucketV2")].map((resource) => {
        const name = physical(resource, "bucket");
        const status = versioning.get(name);
        return {
            logical: resource.name,
            name,
            versioned: status === "Enabled" || status === "Suspended",
            rules: (lifecycles.get(name) ?? []).map(lifecycleRule),
            tags: Object.fromEntries(Object.entries(obj(resource.inputs["tags"]) ?? {}).map(([key, value]) => [key, String(value)])),
        };
    });
    const logGroups = of("aws:cloudwatch/logGroup:LogGroup").map((resource) => {
        const days = num(resource.inputs["retentionInDays"]);
        return { logical: resource.name, name: physical(resource), ...(days === undefined || days === 0 ? {} : { retentionDays: days }) };
    });
    const workgroups = of("aws:athena/workgroup:Workgroup").map((resource) => {
        const configuration = obj(resource.inputs["configuration"]);
        const location = text(obj(configuration?.["resultConfiguration"])?.["outputLocation"]);
        // The provider's id of a workgroup is its name.
        return { logical: resource.name, name: text(resource.inputs["name"]) ?? resource.id ?? resource.name, ...(location ? { outputLocation: location } : {}), enforced: configuration?.["enforceWorkgroupConfiguration"] === true };
    });
    const tables = of("aws:dynamodb/table:Table").map((resource) => {
        const ttl = obj(resource.inputs["ttl"]);
        const pitr = obj(resource.inputs["pointInTimeRecovery"]);
        const attribute = ttl?.["enabled"] === true ? text(ttl["attributeName"]) : undefined;
        const pitrDays = pitr?.["enabled"] === true ? (num(pitr["recoveryPeriodInDays"]) ?? 35) : undefined;
        return { logical: resource.name, name: physical(resource), ...(attribute ? { ttlAttribute: attribute } : {}), ...(pitrDays === undefined ? {} : { pitrDays }) };
    });
    if (!config.kpi.createTripsTable && !tables.some((entry) => entry.name === config.kpi.tripsTableName)) {
        tables.push({ logical: "(existing trips table)", name: config.kpi.tripsTableName, ttlAttribute, pitrDays: config.plan.values.trips.pitrDays });
    }
    const accountPolicies = of("aws:cloudwatch/logAccountPolicy:LogAccountPolicy").map((resource) => {
        const criteria = text(resource.inputs["selectionCriteria"]);
        return {
            logical: resource.name,
            name: text(resource.inputs["policyName"]) ?? resource.name,
            type: text(resource.inputs["policyType"]) ?? "",
            document: text(resource.inputs["policyDocument"]) ?? "{}",
            ...(criteria ? { selectionCriteria: criteria } : {}),
        };
    });
    return { queues, streams, buckets, logGroups, workgroups, tables, accountPolicies };
}
