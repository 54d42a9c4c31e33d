import { PolicyResource, ReportViolation } from "@pulumi/policy";

import {
    attachedTo,
    BUCKET_KINDS,
    BUCKET_POLICY_TYPE,
    BUCKET_TYPES,
    BucketLookup,
    bucketReferencedBy,
    ENCRYPTION_TYPES,
    parseBucketReference,
    PUBLIC_ACCESS_BLOCK_TYPE,
    settingSource,
    VERSIONING_TYPES,
} from "../lib/buckets";
import { parseDocument } from "../lib/iamDocument";
import { EXPIRY_CONFIG, ExpiryConfig, referencedExpiry } from "../lib/lifecycle";
import { stackPolicy } from "../lib/policy";
import { ofTypes } from "../lib/stack";
import { asArray, asString, get, UNKNOWN } from "../lib/values";

export { BUCKET_TYPES } from "../lib/buckets";

type Algorithm = string | typeof UNKNOWN;

/** The SSE algorithms of a rule list, from a configuration resource or the legacy inline setting. */
function algorithms(rules: unknown): Algorithm[] {
    if (rules === UNKNOWN) {
        return [UNKNOWN];
    }
    return asArray(rules).map((rule) => {
        const algorithm = get(rule, "applyServerSideEncryptionByDefault.sseAlgorithm");
        return algorithm === UNKNOWN ? UNKNOWN : (asString(algorithm) ?? "");
    });
}

const inlineAlgorithms = (bucket: PolicyResource) => [...algorithms(get(bucket.props, "serverSideEncryptionConfiguration.rule")), ...algorithms(get(bucket.props, "serverSideEncryptionConfiguration.rules"))];

/** The encryption S3 applies to a bucket: where it comes from, its algorithms (UNKNOWN while not known), and whether it was declared at all. */
interface EffectiveEncryption {
    from: string;
    algorithms: Algorithm[];
    declared: boolean;
}

function effectiveEncryption(resources: PolicyResource[], bucket: PolicyResource): EffectiveEncryption {
    const encryption = BUCKET_KINDS[bucket.type]?.encryption ?? { kind: "configuration" };
    if (encryption.kind === "fixed") {
        return { from: encryption.why, algorithms: [encryption.algorithm], declared: true };
    }
    if (encryption.kind === "inline") {
        const value = get(bucket.props, encryption.path);
        const found: Algorithm[] = value === UNKNOWN ? [UNKNOWN] : asArray(value).map((entry): Algorithm => {
            const algorithm = get(entry, encryption.algorithm);
            return algorithm === UNKNOWN ? UNKNOWN : (asString(algorithm) ?? "");
        });
        return found.length > 0 ? { from: `its ${encryption.path}`, algorithms: found, declared: true } : { from: `no ${encryption.path}, so the service's default, SSE-S3`, algorithms: ["AES256"], declared: false };
    }
    const source = settingSource(resources, bucket, ENCRYPTION_TYPES);
    if (source.kind === "separate") {
        const inline = inlineAlgorithms(bucket).filter((algorithm): algorithm is string => algorithm !== UNKNOWN && algorithm !== "");
        const replaced = inline.length > 0 ? `; its inline serverSideEncryptionConfiguration (${inline.join(", ")}) is replaced by it` : "";
        return { from: `its BucketServerSideEncryptionConfiguration ${source.configurations.map((configuration) => `"${configuration.name}"`).join(", ")}${replaced}`, algorithms: source.configurations.flatMap((configuration) => algorithms(get(configuration.props, "rules"))), declared: true };
    }
    const inline = inlineAlgorithms(bucket);
    return inline.length > 0 ? { from: "its inline serverSideEncryptionConfiguration", algorithms: inline, declared: true } : { from: "no server-side encryption configuration targeting it", algorithms: ["AES256"], declared: false };
}

export const s3BucketEncryption = stackPolicy({
    name: "s3-bucket-encryption",
    description:
        "Every S3 bucket (general purpose, directory, table, vector and Outposts buckets) is encrypted with aws:kms by the configuration S3 ends up applying: a BucketServerSideEncryptionConfiguration that targets it replaces the bucket's inline setting, and with several each must comply; a table or vector bucket's own encryption configuration; SSE-S3 where none is declared (or the service allows no other). AES256 passes when allowed by config, and on buckets receiving S3 server access logs or load balancer logs, which AWS delivers only to SSE-S3 buckets.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add `new aws.s3.BucketServerSideEncryptionConfiguration(..., { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] })` (one per bucket, and drop the inline setting); for table and vector buckets set their encryptionConfiguration to aws:kms with a key.',
    configSchema: {
        properties: {
            allowAes256: { type: "boolean", default: false, description: "Accept SSE-S3 (AES256) as well as SSE-KMS." },
        },
    },
    validateStack: (args, reportViolation: ReportViolation) => {
        const { allowAes256 } = args.getConfig<{ allowAes256: boolean }>();
        const sseS3Only = new Set(
            logDeliveries(args.resources)
                .filter((delivery) => delivery.sseS3Only)
                .flatMap((delivery) => (delivery.lookup.kind === "stack" ? [delivery.lookup.bucket.urn] : [])),
        );
        for (const bucket of ofTypes(args.resources, ...Object.keys(BUCKET_KINDS))) {
            const what = BUCKET_KINDS[bucket.type]?.what ?? "bucket";
            const accepted = allowAes256 || sseS3Only.has(bucket.urn) ? ["aws:kms", "aws:kms:dsse", "AES256"] : ["aws:kms", "aws:kms:dsse"];
            const effective = effectiveEncryption(args.resources, bucket);
            if (!effective.declared && BUCKET_KINDS[bucket.type]?.encryption.kind === "configuration") {
                reportViolation(`${what} "${bucket.name}" has no server-side encryption configuration targeting it, so S3 applies its default, SSE-S3; required: ${accepted.join(" or ")}`, bucket.urn);
                continue;
            }
            const rejected = effective.algorithms.filter((algorithm): algorithm is string => algorithm !== UNKNOWN && !accepted.includes(algorithm));
            if (rejected.length > 0) {
                reportViolation(`${what} "${bucket.name}" is encrypted with ${[...new Set(rejected)].map((algorithm) => algorithm || "no algorithm").join(", ")} (${effective.from}); required: ${accepted.join(" or ")}`, bucket.urn);
            }
        }
    },
});

const PUBLIC_ACCESS_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlock = stackPolicy({
    name: "s3-public-access-block",
    description:
        "Every general purpose S3 bucket has a BucketPublicAccessBlock with all four settings on; with several blocks on one bucket, any may be applied last, so each must have them all (directory, table and vector buckets cannot be made public).",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Add `new aws.s3.BucketPublicAccessBlock(..., { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })`, one per bucket.",
    validateStack: (args, reportViolation) => {
        for (const bucket of ofTypes(args.resources, ...BUCKET_TYPES)) {
            const blocks = attachedTo(args.resources, bucket, [PUBLIC_ACCESS_BLOCK_TYPE]);
            if (blocks.length === 0) {
                reportViolation(`bucket "${bucket.name}" has no public access block`, bucket.urn);
                continue;
            }
            for (const block of blocks) {
                const off = PUBLIC_ACCESS_SETTINGS.filter((setting) => get(block.props, setting) !== true && get(block.props, setting) !== UNKNOWN);
                if (off.length > 0) {
                    const other = blocks.length > 1 ? ` (one of ${blocks.length} blocks on it; any may be applied last)` : "";
                    reportViolation(`bucket "${bucket.name}"'s public access block "${block.name}" leaves ${off.join(", ")} off${other}`, bucket.urn);
                }
            }
        }
    },
});

/** True for a Deny statement on requests without TLS (`aws:SecureTransport` false). */
function deniesInsecureTransport(policy: unknown): boolean | typeof UNKNOWN {
    const document = parseDocument(policy);
    if (document.kind === "unknown") {
        return UNKNOWN;
    }
    if (document.kind !== "document") {
        return false;
    }
    return document.statements.some((statement) => {
        if (statement.effect.toLowerCase() !== "deny") {
            return false;
        }
        const bool = Object.entries(statement.condition ?? {}).find(([operator]) => operator.toLowerCase() === "bool")?.[1] ?? {};
        return Object.entries(bool).some(([key, value]) => key.toLowerCase() === "aws:securetransport" && String(asArray(value)[0]).toLowerCase() === "false");
    });
}

export const s3DenyInsecureTransport = stackPolicy({
    name: "s3-deny-insecure-transport",
    description:
        "Every general purpose S3 bucket has a bucket policy that denies requests not made over TLS (aws:SecureTransport false), in the policy S3 ends up applying: a BucketPolicy resource replaces the bucket's inline policy, and with several each must deny.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add a BucketPolicy with `{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }` (one per bucket, holding every statement).',
    validateStack: (args, reportViolation) => {
        for (const bucket of ofTypes(args.resources, ...BUCKET_TYPES)) {
            const source = settingSource(args.resources, bucket, [BUCKET_POLICY_TYPE]);
            const policies = source.kind === "separate" ? source.configurations.map((policy) => ({ from: `bucket policy "${policy.name}"`, document: get(policy.props, "policy") })) : [{ from: "its inline policy", document: get(bucket.props, "policy") }];
            const lacking = policies.filter((policy) => deniesInsecureTransport(policy.document) === false);
            if (lacking.length === policies.length && source.kind === "inline") {
                reportViolation(`bucket "${bucket.name}" has no bucket policy denying non-TLS requests`, bucket.urn);
            } else if (lacking.length > 0) {
                const replaced = source.kind === "separate" && deniesInsecureTransport(get(bucket.props, "policy")) === true ? " (its inline policy denies them, but a BucketPolicy resource replaces it)" : "";
                reportViolation(`bucket "${bucket.name}"'s ${lacking.map((policy) => policy.from).join(", ")} does not deny non-TLS requests${replaced}`, bucket.urn);
            }
        }
    },
});

export const s3Versioning = stackPolicy({
    name: "s3-versioning",
    description: "General purpose S3 buckets keep object versions, so an overwrite or delete can be undone (a BucketVersioning resource replaces the bucket's inline setting).",
    category: "fault-tolerance",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: 'Add `new aws.s3.BucketVersioning(..., { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } })`.',
    validateStack: (args, reportViolation) => {
        for (const bucket of ofTypes(args.resources, ...BUCKET_TYPES)) {
            const source = settingSource(args.resources, bucket, VERSIONING_TYPES);
            const statuses =
                source.kind === "separate"
                    ? source.configurations.map((versioning) => get(versioning.props, "versioningConfiguration.status"))
                    : [get(bucket.props, "versioning.enabled") === UNKNOWN ? UNKNOWN : get(bucket.props, "versioning.enabled") === true ? "Enabled" : undefined];
            if (!statuses.every((status) => status === "Enabled" || status === UNKNOWN)) {
                reportViolation(`bucket "${bucket.name}" does not have versioning enabled`, bucket.urn);
            }
        }
    },
});

/** A place where a service delivers logs into S3: which resource sends them, to which bucket, under which key prefix. */
interface LogDelivery {
    sender: PolicyResource;
    what: string;
    /** AWS delivers these logs only to buckets encrypted with SSE-S3 (AES256), not SSE-KMS. */
    sseS3Only: boolean;
    lookup: BucketLookup;
    keyPrefix: string | typeof UNKNOWN;
}

const LOGGING_TYPES = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];
const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];

/** `<prefix>/AWSLogs/`, where VPC flow logs and load balancers write under a configured prefix. */
function underAwsLogs(prefix: unknown): string | typeof UNKNOWN {
    if (prefix === UNKNOWN) {
        return UNKNOWN;
    }
    const given = (asString(prefix) ?? "").replace(/\/+$/, "");
    return given === "" ? "AWSLogs/" : `${given}/AWSLogs/`;
}

/**
 * Every log delivery into S3 the program declares (CloudTrail trails are cloudtrail-bucket-expiry's):
 * S3 server access logs, VPC flow logs to S3, and load balancer access and connection logs.
 */
function logDeliveries(resources: PolicyResource[]): LogDelivery[] {
    const deliveries: LogDelivery[] = [];
    for (const logging of ofTypes(resources, ...LOGGING_TYPES)) {
        const target = get(logging.props, "targetBucket");
        const prefix = get(logging.props, "targetPrefix");
        deliveries.push({ sender: logging, what: "S3 server access logs", sseS3Only: true, lookup: bucketReferencedBy(resources, logging, "targetBucket", target), keyPrefix: prefix === UNKNOWN ? UNKNOWN : (asString(prefix) ?? "") });
    }
    for (const bucket of ofTypes(resources, ...BUCKET_TYPES)) {
        const target = get(bucket.props, "logging.targetBucket");
        if (target !== undefined) {
            const prefix = get(bucket.props, "logging.targetPrefix");
            deliveries.push({ sender: bucket, what: "S3 server access logs", sseS3Only: true, lookup: bucketReferencedBy(resources, bucket, "logging", target), keyPrefix: prefix === UNKNOWN ? UNKNOWN : (asString(prefix) ?? "") });
        }
    }
    for (const flowLog of ofTypes(resources, "aws:ec2/flowLog:FlowLog")) {
        if (asString(get(flowLog.props, "logDestinationType")) !== "s3") {
            continue;
        }
        const destination = get(flowLog.props, "logDestination");
        const known = asString(destination);
        deliveries.push({
            sender: flowLog,
            what: "VPC flow logs",
            sseS3Only: false,
            lookup: bucketReferencedBy(resources, flowLog, "logDestination", destination),
            keyPrefix: known === undefined ? UNKNOWN : underAwsLogs(parseBucketReference(known).prefix),
        });
    }
    for (const balancer of ofTypes(resources, ...LOAD_BALANCER_TYPES)) {
        for (const [setting, what] of [
            ["accessLogs", "load balancer access logs"],
            ["connectionLogs", "load balancer connection logs"],
        ] as const) {
            const enabled = get(balancer.props, `${setting}.enabled`);
            const target = get(balancer.props, `${setting}.bucket`);
            if (target === undefined || enabled === false) {
                continue;
            }
            deliveries.push({ sender: balancer, what, sseS3Only: true, lookup: bucketReferencedBy(resources, balancer, setting, target), keyPrefix: underAwsLogs(get(balancer.props, `${setting}.prefix`)) });
        }
    }
    return deliveries;
}

export const s3LogBucketExpiry = stackPolicy({
    name: "s3-log-bucket-expiry",
    description:
        "Buckets that receive logs (S3 server access logs, VPC flow logs, load balancer access and connection logs) expire them within the data-protection limit (7 days by default): a lifecycle rule covering the delivery's prefix (in the lifecycle configuration S3 ends up applying), noncurrent-version expiration if the bucket is versioned (not keeping the newest versions), no Object Lock default retention longer than the limit, and the same of every bucket the logs are replicated to. CloudTrail buckets are checked by cloudtrail-bucket-expiry. A bucket outside the program fails unless listed in externalBuckets.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add `new aws.s3.BucketLifecycleConfiguration(..., { bucket: logBucket.id, rules: [{ id: "logs-expire", status: "Enabled", filter: { prefix: "<the delivery\'s prefix, or empty>" }, expiration: { days: 7 }, noncurrentVersionExpiration: { noncurrentDays: 1 } }] })`; for a bucket another stack manages, list its name in `externalBuckets`.',
    configSchema: EXPIRY_CONFIG,
    validateStack: (args, reportViolation) => {
        const { maxDays, externalBuckets } = args.getConfig<ExpiryConfig>();
        for (const delivery of logDeliveries(args.resources)) {
            const verdict = referencedExpiry(args.resources, delivery.lookup, delivery.keyPrefix, maxDays, externalBuckets, "s3-log-bucket-expiry");
            if (verdict.kind === "problem") {
                const into = delivery.lookup.kind === "stack" ? `bucket "${delivery.lookup.bucket.name}"` : "a bucket";
                reportViolation(`${delivery.what} of "${delivery.sender.name}" go to ${into} that keeps them too long: ${verdict.problem}`, delivery.lookup.kind === "stack" ? delivery.lookup.bucket.urn : delivery.sender.urn);
            }
        }
    },
});
