import { bucketReferencedBy, parseBucketReference } from "../lib/buckets";
import { EXPIRY_CONFIG, ExpiryConfig, referencedExpiry } from "../lib/lifecycle";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { ofTypes } from "../lib/stack";
import { asString, get, UNKNOWN } from "../lib/values";

export const WORKGROUP_TYPE = "aws:athena/workgroup:Workgroup";

/** Athena-managed query results: encrypted by Athena and deleted after 24 hours, no bucket of ours involved. */
const managedResults = (props: unknown) => get(props, "configuration.managedQueryResultsConfiguration.enabled");

export const athenaWorkgroupEnforceConfiguration = resourcePolicy({
    name: "athena-workgroup-enforce-configuration",
    description:
        "Athena workgroups enforce their configuration (enforceWorkgroupConfiguration, the provider's default), so a client cannot send results to another location or turn their encryption off.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set `configuration: { enforceWorkgroupConfiguration: true, ... }` on the aws.athena.Workgroup (or leave it unset: true is the default).",
    validateResource: (args, reportViolation) => {
        if (args.type === WORKGROUP_TYPE && get(args.props, "configuration.enforceWorkgroupConfiguration") === false) {
            reportViolation("workgroup lets clients override its result location and encryption (enforceWorkgroupConfiguration is false)");
        }
    },
});

export const athenaWorkgroupResultsEncrypted = resourcePolicy({
    name: "athena-workgroup-results-encrypted",
    description:
        "Athena workgroups that write query results to S3 encrypt them with KMS (SSE_KMS or CSE_KMS with a key; SSE_S3 only when allowed by config); Athena-managed query results pass.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: 'Set `configuration.resultConfiguration.encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: key.arn }` on the aws.athena.Workgroup.',
    configSchema: { properties: { allowSseS3: { type: "boolean", default: false, description: "Accept SSE_S3 (S3-managed keys) as well as KMS." } } },
    validateResource: (args, reportViolation) => {
        if (args.type !== WORKGROUP_TYPE) {
            return;
        }
        const { allowSseS3 } = args.getConfig<{ allowSseS3: boolean }>();
        const managed = managedResults(args.props);
        if (managed === true || managed === UNKNOWN || get(args.props, "configuration.resultConfiguration") === undefined) {
            return; // Managed results, or no result location: nothing of ours to encrypt (an unenforced workgroup is its own violation).
        }
        const option = get(args.props, "configuration.resultConfiguration.encryptionConfiguration.encryptionOption");
        const key = get(args.props, "configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn");
        if (option === UNKNOWN) {
            return;
        }
        const accepted = allowSseS3 ? ["SSE_KMS", "CSE_KMS", "SSE_S3"] : ["SSE_KMS", "CSE_KMS"];
        const chosen = asString(option);
        if (chosen === undefined) {
            reportViolation("workgroup writes query results unencrypted (no resultConfiguration.encryptionConfiguration)");
        } else if (!accepted.includes(chosen)) {
            reportViolation(`workgroup encrypts query results with ${chosen}; required: ${accepted.join(" or ")}`);
        } else if (chosen !== "SSE_S3" && key === undefined) {
            reportViolation(`workgroup uses ${chosen} without a key (set encryptionConfiguration.kmsKeyArn)`);
        }
    },
});

export const athenaWorkgroupResultsExpire = stackPolicy({
    name: "athena-workgroup-results-expire",
    description:
        "Query results of an Athena workgroup expire within the data-protection limit (7 days by default): the bucket of its outputLocation has a lifecycle rule covering that prefix (and noncurrent versions if versioned), no Object Lock default retention longer than the limit, and the same of every bucket the results are replicated to; Athena-managed results (deleted after 24 h) pass. A bucket outside the program fails unless listed in externalBuckets.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add a rule to the results bucket\'s aws.s3.BucketLifecycleConfiguration: `{ id: "athena-results-expire", status: "Enabled", filter: { prefix: "athena-results/" }, expiration: { days: 7 }, noncurrentVersionExpiration: { noncurrentDays: 1 } }` (the prefix of outputLocation), or use Athena-managed query results.',
    configSchema: EXPIRY_CONFIG,
    validateStack: (args, reportViolation) => {
        const { maxDays, externalBuckets } = args.getConfig<ExpiryConfig>();
        for (const workgroup of ofTypes(args.resources, WORKGROUP_TYPE)) {
            const managed = managedResults(workgroup.props);
            if (managed === true || managed === UNKNOWN) {
                continue;
            }
            const location = get(workgroup.props, "configuration.resultConfiguration.outputLocation");
            if (location === undefined) {
                continue; // No result location: queries must use managed results, or fail.
            }
            const known = asString(location);
            const lookup = bucketReferencedBy(args.resources, workgroup, "configuration", location);
            const verdict = referencedExpiry(args.resources, lookup, known === undefined ? UNKNOWN : parseBucketReference(known).prefix, maxDays, externalBuckets, "athena-workgroup-results-expire");
            if (verdict.kind === "problem") {
                reportViolation(`workgroup "${workgroup.name}" keeps query results too long: ${verdict.problem}`, workgroup.urn);
            }
        }
    },
});
