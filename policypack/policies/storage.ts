import { PolicyResource, ReportViolation } from "@pulumi/policy";

import { parseDocument } from "../lib/iamDocument";
import { stackPolicy } from "../lib/policy";
import { ofTypes, targets } from "../lib/stack";
import { asArray, asString, get, UNKNOWN } from "../lib/values";

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const ENCRYPTION_TYPES = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const BUCKET_NAME_PROPS = ["bucket", "id"];

/** The configuration resources of each bucket: those whose `bucket` property targets it. */
function attachedTo(resources: PolicyResource[], bucket: PolicyResource, types: string[]): PolicyResource[] {
    return ofTypes(resources, ...types).filter((attached) => targets(attached, "bucket", bucket, BUCKET_NAME_PROPS));
}

/** The SSE algorithms of a rule list, from a configuration resource or the legacy inline setting. */
function algorithms(rules: unknown): (string | typeof UNKNOWN)[] {
    return asArray(rules).map((rule) => {
        const algorithm = get(rule, "applyServerSideEncryptionByDefault.sseAlgorithm");
        return algorithm === UNKNOWN ? UNKNOWN : (asString(algorithm) ?? "");
    });
}

export const s3BucketEncryption = stackPolicy({
    name: "s3-bucket-encryption",
    description:
        "Every S3 bucket declares server-side encryption, by a BucketServerSideEncryptionConfiguration that targets it or the inline setting, with aws:kms (or AES256 when allowed by config).",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add `new aws.s3.BucketServerSideEncryptionConfiguration(..., { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] })`.',
    configSchema: {
        properties: {
            allowAes256: { type: "boolean", default: false, description: "Accept SSE-S3 (AES256) as well as SSE-KMS." },
        },
    },
    validateStack: (args, reportViolation: ReportViolation) => {
        const { allowAes256 } = args.getConfig<{ allowAes256: boolean }>();
        const accepted = allowAes256 ? ["aws:kms", "aws:kms:dsse", "AES256"] : ["aws:kms", "aws:kms:dsse"];
        for (const bucket of ofTypes(args.resources, ...BUCKET_TYPES)) {
            const found = [
                ...attachedTo(args.resources, bucket, ENCRYPTION_TYPES).flatMap((config) => algorithms(get(config.props, "rules"))),
                ...algorithms(get(bucket.props, "serverSideEncryptionConfiguration.rule")),
                ...algorithms(get(bucket.props, "serverSideEncryptionConfiguration.rules")),
            ];
            if (found.length === 0) {
                reportViolation(`bucket "${bucket.name}" has no server-side encryption configuration targeting it`, bucket.urn);
            } else if (!found.some((algorithm) => algorithm === UNKNOWN || accepted.includes(algorithm))) {
                reportViolation(`bucket "${bucket.name}" is encrypted with ${found.join(", ")}; required: ${accepted.join(" or ")}`, bucket.urn);
            }
        }
    },
});

const PUBLIC_ACCESS_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlock = stackPolicy({
    name: "s3-public-access-block",
    description: "Every S3 bucket has a BucketPublicAccessBlock with all four settings on.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Add `new aws.s3.BucketPublicAccessBlock(..., { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })`.",
    validateStack: (args, reportViolation) => {
        for (const bucket of ofTypes(args.resources, ...BUCKET_TYPES)) {
            const blocks = attachedTo(args.resources, bucket, ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]);
            if (blocks.length === 0) {
                reportViolation(`bucket "${bucket.name}" has no public access block`, bucket.urn);
                continue;
            }
            const off = PUBLIC_ACCESS_SETTINGS.filter((setting) => !blocks.some((block) => get(block.props, setting) === true || get(block.props, setting) === UNKNOWN));
            if (off.length > 0) {
                reportViolation(`bucket "${bucket.name}"'s public access block leaves ${off.join(", ")} off`, bucket.urn);
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
    description: "Every S3 bucket has a bucket policy that denies requests not made over TLS (aws:SecureTransport false).",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Add a BucketPolicy with `{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }`.',
    validateStack: (args, reportViolation) => {
        for (const bucket of ofTypes(args.resources, ...BUCKET_TYPES)) {
            const policies = [...attachedTo(args.resources, bucket, ["aws:s3/bucketPolicy:BucketPolicy"]).map((policy) => get(policy.props, "policy")), get(bucket.props, "policy")];
            const verdicts = policies.map(deniesInsecureTransport);
            if (!verdicts.some((verdict) => verdict === true || verdict === UNKNOWN)) {
                reportViolation(`bucket "${bucket.name}" has no bucket policy denying non-TLS requests`, bucket.urn);
            }
        }
    },
});

export const s3Versioning = stackPolicy({
    name: "s3-versioning",
    description: "S3 buckets keep object versions, so an overwrite or delete can be undone.",
    category: "fault-tolerance",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: 'Add `new aws.s3.BucketVersioning(..., { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } })`.',
    validateStack: (args, reportViolation) => {
        for (const bucket of ofTypes(args.resources, ...BUCKET_TYPES)) {
            const statuses = [
                ...attachedTo(args.resources, bucket, VERSIONING_TYPES).map((versioning) => get(versioning.props, "versioningConfiguration.status")),
                get(bucket.props, "versioning.enabled") === true ? "Enabled" : undefined,
            ];
            if (!statuses.some((status) => status === "Enabled" || status === UNKNOWN)) {
                reportViolation(`bucket "${bucket.name}" does not have versioning enabled`, bucket.urn);
            }
        }
    },
});
