import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { loadPlatformConfig } from "./components/config";
import { DataProtection } from "./components/dataProtection/component";
import { KpiPipeline } from "./components/kpiPipeline";
import { LogShipper } from "./components/logShipper";
import { PlatformRefs } from "./components/managedFunction";
import { RetentionEnforcer } from "./components/retentionEnforcer";
import { SecurityBaseline } from "./components/securityBaseline";

// Validate the whole stack configuration first: a bad or missing setting stops the preview here with
// one message that lists every problem and the `pulumi config set` command that fixes it.
const config = loadPlatformConfig();

// One explicit provider carries the region and the default tags to every resource below.
const provider = new aws.Provider("aws-platform", {
    region: config.region as aws.Region,
    defaultTags: { tags: { ...config.tags, "managed-by": "pulumi", "pulumi-stack": config.stack } },
});
const opts = { providers: { aws: provider } };

// The data-protection plan (every store's retention, checked against the limit when the config was read), printed
// by the preview and registered for the policy pack.
new DataProtection("data-protection", { plan: config.plan, maxAgeDays: config.dataProtection.maxAgeDays }, opts);

const baseline = new SecurityBaseline("platform", { alarmEmails: config.alerts.emails, stack: config.stack }, opts);

/** What every system's functions share: the platform key, the alarm topic, and the plan's retention values. */
const platform: PlatformRefs = { kmsKeyArn: baseline.keyArn, alarmTopicArn: baseline.alarmTopicArn, retention: config.plan.values, stack: config.stack };

// --- log shipper ---
const shipper = new LogShipper("shipper", { platform, network: config.network, elasticsearch: config.elasticsearch, shipper: config.shipper, region: config.region }, opts);
export const shipperFunctionNames = shipper.functionNames;
export const shipperDeadLetterQueueUrl = shipper.deadLetterQueue.url;
export const shipperSourceQueueUrl = shipper.sourceQueue.url;
export const shipperStreamArn = shipper.streamArn;
export const shipperSecurityGroupId = shipper.network.securityGroupId;

// --- KPI pipeline ---
const kpi = new KpiPipeline("kpi", { kpi: config.kpi, platform }, opts);
export const kpiBucketName = kpi.bucketName;
export const kpiTableName = kpi.tableName;
export const kpiFunctionName = kpi.functionName;
export const kpiAthenaWorkgroup = kpi.athenaWorkgroup;
export const kpiGlueTable = kpi.glueTable;

// --- retention enforcer ---
const retention = new RetentionEnforcer("retention", { retention: config.retention, platform, region: config.region }, opts);
export const retentionFunctionNames = pulumi.output({ sweep: retention.functionName });
export const retentionRegions = retention.regions;
export const retentionTrailArn = retention.trailArn;

export const kmsKeyArn = baseline.keyArn;
export const alarmTopicArn = baseline.alarmTopicArn;
export const region = pulumi.output(config.region);
