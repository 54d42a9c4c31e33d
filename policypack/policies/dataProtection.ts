/**
 * Data protection (issue 15): nothing in the account is kept longer than the limit (7 days by default), counted
 * end to end: each store's retention, the service's deletion lag, and the age data already has when it arrives.
 * The arithmetic is the program's own (components/dataProtection/ages.ts); these policies apply it to what a
 * stack declares, so a program without the platform's components is held to the same rule.
 */
import { PolicyResource, ReportViolation } from "@pulumi/policy";

import { DYNAMODB_DEFAULT_PITR_DAYS, formatHours, HOURS_PER_DAY } from "../../components/dataProtection/ages";
import { DATA_AGE_CONFIG, DataAgeConfig, dataAgeSettings, DataAgeSettings } from "../lib/dataAgeConfig";
import { tableAge, TABLE_EXPORT_TYPE, TABLE_REPLICA_TYPE, TABLE_TYPE, GLOBAL_TABLE_TYPE } from "../lib/dataAgeDynamo";
import { boundOf, declaredExemptions, describeBound, EXEMPTION_TAG, invalidEntries, taggedResources } from "../lib/dataAgeExemptions";
import { storeAges } from "../lib/dataAgePaths";
import { bucketAge, DATA_BUCKET_TYPES, explainBucketAge } from "../lib/dataAgeS3";
import { bucketReferencedBy } from "../lib/buckets";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { ofTypes, targets } from "../lib/stack";
import { asArray, asNumber, asString, get, UNKNOWN } from "../lib/values";

const ACCOUNT_POLICY_TYPES = ["aws:cloudwatch/logAccountPolicy:LogAccountPolicy", "aws-native:logs:AccountPolicy"];
const CLOUD_CONTROL_TYPE = "aws:cloudcontrol/resource:Resource";
const TEMPLATE_TYPES = ["aws:cloudformation/stack:Stack", "aws:cloudformation/stackSet:StackSet"];
const RETENTION_POLICY = "RETENTION_POLICY";

/** The PolicyType of a Cloud Control resource's desired state (a JSON string), when it is an AWS::Logs::AccountPolicy. */
function cloudControlPolicyType(props: unknown): string | undefined {
    if (asString(get(props, "typeName")) !== "AWS::Logs::AccountPolicy") {
        return undefined;
    }
    try {
        return asString((JSON.parse(asString(get(props, "desiredState")) ?? "{}") as Record<string, unknown>)["PolicyType"]);
    } catch {
        return undefined;
    }
}

export const logsNoAccountRetentionPolicy = resourcePolicy({
    name: "cloudwatch-logs-no-account-retention-policy",
    description:
        "No account-level CloudWatch Logs retention policy (aws.cloudwatch.LogAccountPolicy, or aws-native.logs.AccountPolicy, of policyType RETENTION_POLICY; also as AWS::Logs::AccountPolicy through aws.cloudcontrol.Resource or a CloudFormation template): it overrides every log group's own retention, and its minimum is 30 days, so every log group it selects would keep events past the data-protection limit.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Remove the account-level retention policy; give each log group its own retentionInDays (3 days with the default 7-day limit and 72 h lag), and let the retention enforcer (components/retentionEnforcer.ts) set it on log groups other programs create.",
    validateResource: (args, reportViolation) => {
        const why = "it overrides every selected log group's own retention, and an account-level retention policy keeps events at least 30 days (past the data-protection limit)";
        if (ACCOUNT_POLICY_TYPES.includes(args.type)) {
            if (asString(get(args.props, "policyType"))?.toUpperCase() === RETENTION_POLICY) {
                reportViolation(`account-level log policy of type ${RETENTION_POLICY}: ${why}`);
            }
        } else if (args.type === CLOUD_CONTROL_TYPE) {
            if (cloudControlPolicyType(args.props)?.toUpperCase() === RETENTION_POLICY) {
                reportViolation(`Cloud Control resource AWS::Logs::AccountPolicy of type ${RETENTION_POLICY}: ${why}`);
            }
        } else if (TEMPLATE_TYPES.includes(args.type)) {
            const template = asString(get(args.props, "templateBody")) ?? "";
            if (template.includes("AWS::Logs::AccountPolicy") && template.includes(RETENTION_POLICY)) {
                reportViolation(`CloudFormation template declares an AWS::Logs::AccountPolicy of type ${RETENTION_POLICY}: ${why}`);
            }
        }
    },
});

/** Reads the settings and the stack's exemptions once per validation. */
function context(args: { getConfig<T extends object>(): T; resources: PolicyResource[] }) {
    const settings = dataAgeSettings(args.getConfig<DataAgeConfig>());
    return { settings, exemptions: declaredExemptions(args.resources, settings) };
}

const EXEMPTION_HINT = `. (A store that may keep data longer on purpose needs an exemption: the DataProtection component's exemptions, or this policy's exemptions config, and the tag ${EXEMPTION_TAG}=<store> on the resource.)`;

export const s3DataRetention = stackPolicy({
    name: "s3-data-retention",
    description:
        "Every S3 bucket (Bucket, BucketV2, directory and Outposts buckets) removes its data within the data-protection limit, counted with the lifecycle's worst case: current versions expire, then (if versioned) old versions are removed, each rounded to the next midnight UTC plus S3's removal lag (24 h by default); incomplete multipart uploads are aborted; an Object Lock default retention holds every version at least that long. Only enabled rules without tag or size filters count, and they must cover the whole bucket (a prefix no expiring rule covers is kept forever). Reads the bucket's separate lifecycle, versioning and Object Lock resources and the legacy inline settings together.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add `new aws.s3.BucketLifecycleConfiguration(..., { bucket: bucket.id, rules: [{ id: "expire", status: "Enabled", filter: { prefix: "" }, expiration: { days: 2 }, noncurrentVersionExpiration: { noncurrentDays: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }] })` (2 d + 1 d, each + 24 h rounding + 24 h lag = 7 d on a versioned bucket); shorter rules for prefixes may come on top, never longer ones in place of it.',
    configSchema: DATA_AGE_CONFIG,
    validateStack: (args, reportViolation) => {
        const { settings, exemptions } = context(args);
        for (const bucket of ofTypes(args.resources, ...DATA_BUCKET_TYPES)) {
            const age = bucketAge(args.resources, bucket, settings.lags);
            const bound = boundOf(bucket, exemptions, settings);
            if (age.kind === "known" && age.worstHours > bound.hours) {
                reportViolation(`bucket "${bucket.name}" can keep data ${formatHours(age.worstHours)}, longer than ${describeBound(bound)}: ${explainBucketAge(age, settings.lags)}${EXEMPTION_HINT}`, bucket.urn);
            }
        }
    },
});

const ITEM_LIFETIME_PROPERTIES = {
    itemLifetimeDays: {
        type: "integer" as const,
        minimum: 1,
        default: 3,
        description: "The longest time the writers' contract lets an item live before its TTL attribute expires it, in days (the program's kpi.tripRetentionDays).",
    },
};

/** The worst age of data behind a table: items, or a replica with PITR (whose window cannot be set). */
function checkTables(resources: PolicyResource[], settings: DataAgeSettings, itemHours: number, report: ReportViolation): void {
    const exemptions = declaredExemptions(resources, settings);
    const ttlLag = settings.lags.dynamodbTtlHours;
    for (const table of ofTypes(resources, TABLE_TYPE)) {
        const age = tableAge(table, itemHours, ttlLag);
        const bound = boundOf(table, exemptions, settings);
        if (age.kind === "known" && age.worstHours > bound.hours) {
            const why = age.problems.length > 0 ? age.problems.join("; ") : age.sum;
            report(`table "${table.name}" can keep data ${formatHours(age.worstHours)}, longer than ${describeBound(bound)}: ${why}${EXEMPTION_HINT}`, table.urn);
        }
    }
    for (const replica of ofTypes(resources, TABLE_REPLICA_TYPE)) {
        if (get(replica.props, "pointInTimeRecovery") !== true) {
            continue;
        }
        const source = ofTypes(resources, TABLE_TYPE).find((table) => targets(replica, "globalTableArn", table, ["arn"]));
        const age = source ? tableAge(source, itemHours, ttlLag) : undefined;
        const itemsHours = age?.kind === "known" && age.retention.ttlEnabled ? itemHours + ttlLag : Infinity;
        const worst = itemsHours + DYNAMODB_DEFAULT_PITR_DAYS * HOURS_PER_DAY;
        const bound = boundOf(replica, exemptions, settings);
        if (worst > bound.hours) {
            report(`table replica "${replica.name}" has point-in-time recovery, whose window a replica cannot set: deleted items stay restorable ${DYNAMODB_DEFAULT_PITR_DAYS} days (${formatHours(worst)} in all), longer than ${describeBound(bound)}`, replica.urn);
        }
    }
    for (const global of ofTypes(resources, GLOBAL_TABLE_TYPE)) {
        const name = asString(get(global.props, "name"));
        if (name === undefined) {
            continue;
        }
        const regions = asArray(get(global.props, "replicas")).map((replica) => asString(get(replica, "regionName")));
        const managed = ofTypes(resources, TABLE_TYPE).filter((table) => asString(get(table.props, "name")) === name);
        // A table's region: its `region` input, else its ARN's; while neither is known (preview), it may be any.
        const regionOf = (table: PolicyResource) => asString(get(table.props, "region")) ?? /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):/.exec(asString(get(table.props, "arn")) ?? "")?.[1];
        const unmanaged = regions.filter((region) => region !== undefined && !managed.some((table) => [region, undefined].includes(regionOf(table))));
        if (unmanaged.length > 0) {
            report(`global table "${global.name}" replicates "${name}" into ${unmanaged.join(", ")}, where this program manages no table of that name, so the replicas' TTL and point-in-time recovery cannot be checked`, global.urn);
        }
    }
    for (const exported of ofTypes(resources, TABLE_EXPORT_TYPE)) {
        const table = ofTypes(resources, TABLE_TYPE).find((candidate) => targets(exported, "tableArn", candidate, ["arn"]));
        const lookup = bucketReferencedBy(resources, exported, "s3Bucket", get(exported.props, "s3Bucket"));
        if (lookup.kind === "external") {
            report(`table export "${exported.name}" writes the table's items to bucket "${lookup.name}", which this program does not manage, so how long it keeps them cannot be checked`, exported.urn);
            continue;
        }
        const prefix = get(exported.props, "s3Prefix");
        if (lookup.kind !== "stack" || !table || prefix === UNKNOWN) {
            continue;
        }
        const items = tableAge(table, itemHours, ttlLag);
        const objects = bucketAge(resources, lookup.bucket, settings.lags, asString(prefix) ?? "");
        const bound = boundOf(lookup.bucket, exemptions, settings);
        if (items.kind === "known" && objects.kind === "known" && items.worstHours + objects.worstHours > bound.hours) {
            report(
                `table export "${exported.name}" copies items up to ${formatHours(items.worstHours)} old (${items.sum}) into bucket "${lookup.bucket.name}", which keeps them up to ${formatHours(objects.worstHours)} more: ${formatHours(items.worstHours + objects.worstHours)}, longer than ${describeBound(bound)}`,
                exported.urn,
            );
        }
    }
}

export const dynamodbDataRetention = stackPolicy({
    name: "dynamodb-data-retention",
    description:
        "Every DynamoDB table removes items within the data-protection limit: TTL is on, and the item lifetime (itemLifetimeDays, the writers' contract) + the TTL deletion lag (72 h by default) + the point-in-time recovery window (recoveryPeriodInDays, which must be set: unset it is 35 days) fit the limit. Global-table replicas with point-in-time recovery (whose window cannot be set), replicas of a legacy global table in regions without a table of this program, and table exports to a bucket outside the program or one that keeps the copy too long are blocked too.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set `ttl: { attributeName: \"expiresAt\", enabled: true }` (writers set expiresAt at most itemLifetimeDays ahead) and `pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 1 }` (3 d items + 72 h lag + 1 d = 7 d); leave point-in-time recovery off on replicas; export only to a bucket of this program whose lifecycle leaves room for the items' age.",
    configSchema: { properties: { ...DATA_AGE_CONFIG.properties, ...ITEM_LIFETIME_PROPERTIES } },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<DataAgeConfig & { itemLifetimeDays: number }>();
        checkTables(args.resources, dataAgeSettings(config), config.itemLifetimeDays * HOURS_PER_DAY, reportViolation);
    },
});

const BACKUP_PLAN_TYPE = "aws:backup/plan:Plan";
const VAULT_LOCK_TYPES = ["aws:backup/vaultLockConfiguration:VaultLockConfiguration", "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault"];

export const backupDataRetention = stackPolicy({
    name: "backup-data-retention",
    description:
        "AWS Backup keeps recovery points (of tables, buckets, volumes, ...) no longer than the data-protection limit: every plan rule and copy action sets lifecycle.deleteAfter within maxAgeDays (unset, recovery points are kept until deleted by hand), and no vault lock forces a longer minimum retention.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set `lifecycle: { deleteAfter: 7 }` (at most maxAgeDays) on every rule and copy action of the aws.backup.Plan; keep a vault lock's minRetentionDays within maxAgeDays.",
    configSchema: DATA_AGE_CONFIG,
    validateStack: (args, reportViolation) => {
        const { settings, exemptions } = context(args);
        for (const plan of ofTypes(args.resources, BACKUP_PLAN_TYPE)) {
            const bound = boundOf(plan, exemptions, settings);
            const rules = get(plan.props, "rules");
            if (rules === UNKNOWN) {
                continue;
            }
            for (const rule of asArray(rules)) {
                const ruleName = asString(get(rule, "ruleName")) ?? "?";
                const lifecycles = [{ what: `rule "${ruleName}"`, deleteAfter: get(rule, "lifecycle.deleteAfter") }];
                asArray(get(rule, "copyActions")).forEach((copy, index) => lifecycles.push({ what: `copy action ${index + 1} of rule "${ruleName}"`, deleteAfter: get(copy, "lifecycle.deleteAfter") }));
                for (const { what, deleteAfter } of lifecycles) {
                    if (deleteAfter === UNKNOWN) {
                        continue;
                    }
                    const days = asNumber(deleteAfter);
                    if (days === undefined) {
                        reportViolation(`backup plan "${plan.name}": ${what} sets no lifecycle.deleteAfter, so its recovery points are kept until deleted by hand; at most ${describeBound(bound)}`, plan.urn);
                    } else if (days * HOURS_PER_DAY > bound.hours) {
                        reportViolation(`backup plan "${plan.name}": ${what} keeps recovery points ${days} days, longer than ${describeBound(bound)}`, plan.urn);
                    }
                }
            }
        }
        for (const lock of ofTypes(args.resources, ...VAULT_LOCK_TYPES)) {
            const days = asNumber(get(lock.props, "minRetentionDays"));
            const bound = boundOf(lock, exemptions, settings);
            if (days !== undefined && days * HOURS_PER_DAY > bound.hours) {
                reportViolation(`backup vault lock "${lock.name}" forces every recovery point to be kept at least ${days} days, longer than ${describeBound(bound)}`, lock.urn);
            }
        }
    },
});

export const queueStreamDataRetention = stackPolicy({
    name: "queue-stream-data-retention",
    description:
        "Every SQS queue, Kinesis stream and DynamoDB stream drops data within the data-protection limit, counting the age data already has when it enters, along the paths the stack wires up: an SQS redrive dead-letter queue (FIFO: the source's retention + the DLQ's; standard: the DLQ's own, from the original enqueue), an event source mapping's on-failure destination (the source's record age limit + the destination's retention), a function that reads a source and whose role may sqs:SendMessage to a queue (the source's retention + the queue's), a Lambda function's asynchronous destinations and dead-letter queue (maximumEventAgeInSeconds + the queue's retention) and EventBridge dead-letter queues (maximumEventAgeInSeconds + the queue's retention). A loop has no bound.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Shorten the retentions along the path so their sum fits the limit: e.g. a 1-day source queue and a 3-day dead-letter queue, maximumEventAgeInSeconds 21600 with a 2-day on-failure queue, maximumRecordAgeInSeconds on stream mappings; never send data back into the queue it came from.",
    configSchema: DATA_AGE_CONFIG,
    validateStack: (args, reportViolation) => {
        const { settings, exemptions } = context(args);
        for (const age of storeAges(args.resources)) {
            const bound = boundOf(age.store.resource, exemptions, settings);
            if (!(age.worstHours > bound.hours)) {
                continue;
            }
            const own = `${age.store.kind} "${age.store.resource.name}" keeps data ${formatHours(age.store.retentionHours)}`;
            const upstream =
                age.path.length === 0
                    ? ""
                    : Number.isFinite(age.entryHours)
                      ? `, and data enters it up to ${formatHours(age.entryHours)} old (${age.path.map((edge) => edge.how).join("; then ")})`
                      : `, and data can come back into it in a loop (${age.path.map((edge) => edge.how).join("; then ")})`;
            reportViolation(`${own}${upstream}: up to ${formatHours(age.worstHours)}, longer than ${describeBound(bound)}`, age.store.resource.urn);
        }
    },
});

export const dataProtectionExemptionDeclared = stackPolicy({
    name: "data-protection-exemption-declared",
    description: `A resource tagged ${EXEMPTION_TAG}=<store> names an exemption the stack declares: a DataProtection component whose exemptions list that store with a reason and its own maxAgeDays (or, for programs without the component, this policy's exemptions config). A tag alone exempts nothing.`,
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Add the exemption, with its reason and bound, to the stack config's dataProtection.exemptions (the DataProtection component carries it), or remove the tag and keep the store's data within the limit.",
    configSchema: DATA_AGE_CONFIG,
    validateStack: (args, reportViolation) => {
        const { exemptions } = context(args);
        for (const { resource, store } of taggedResources(args.resources)) {
            if (exemptions.some((exemption) => exemption.store === store)) {
                continue;
            }
            const invalid = invalidEntries(args.resources, store);
            const missing = invalid.length > 0 ? invalid.join("; ") : `no DataProtection component of this stack, nor this policy's exemptions config, declares an exemption for "${store}"`;
            reportViolation(`"${resource.name}" is tagged ${EXEMPTION_TAG}=${store}, but ${missing}: the tag alone exempts nothing`, resource.urn);
        }
    },
});

/** The worst age of a store the exemption covers, where the pack can count it. */
function worstOf(resource: PolicyResource, resources: PolicyResource[], settings: DataAgeSettings, itemHours: number): number | undefined {
    if (DATA_BUCKET_TYPES.includes(resource.type)) {
        const age = bucketAge(resources, resource, settings.lags);
        return age.kind === "known" ? age.worstHours : undefined;
    }
    if (resource.type === TABLE_TYPE) {
        const age = tableAge(resource, itemHours, settings.lags.dynamodbTtlHours);
        return age.kind === "known" ? age.worstHours : undefined;
    }
    const path = storeAges(resources).find((age) => age.store.resource.urn === resource.urn);
    return path && Number.isFinite(path.worstHours) ? path.worstHours : undefined;
}

export const dataProtectionExemptionInUse = stackPolicy({
    name: "data-protection-exemption-in-use",
    description: `Reports every exemption in use (a resource tagged ${EXEMPTION_TAG}=<store> whose store the stack declares exempt), with its reason and bound, so every preview shows what keeps data past the limit; and says when the store fits the limit anyway (the exemption is not needed).`,
    category: "security",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Review the exemption's reason and bound; remove it (config and tag) once the store keeps data within the limit.",
    configSchema: { properties: { ...DATA_AGE_CONFIG.properties, ...ITEM_LIFETIME_PROPERTIES } },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<DataAgeConfig & { itemLifetimeDays: number }>();
        const settings = dataAgeSettings(config);
        const exemptions = declaredExemptions(args.resources, settings);
        for (const { resource, store } of taggedResources(args.resources)) {
            const exemption = exemptions.find((entry) => entry.store === store);
            if (!exemption) {
                continue;
            }
            const worst = worstOf(resource, args.resources, settings, config.itemLifetimeDays * HOURS_PER_DAY);
            const now =
                worst === undefined
                    ? ""
                    : worst <= settings.limitHours
                      ? ` It keeps data at most ${formatHours(worst)}, within the ${settings.maxAgeDays}-day limit: the exemption is not needed (or its longer retention does not take effect).`
                      : ` It keeps data up to ${formatHours(worst)}.`;
            reportViolation(
                `"${resource.name}" holds "${store}" under a data-protection exemption (${exemption.declaredBy}): kept up to ${exemption.maxAgeDays} days, past the ${settings.maxAgeDays}-day limit. Reason: ${exemption.reason}.${now}`,
                resource.urn,
            );
        }
    },
});
