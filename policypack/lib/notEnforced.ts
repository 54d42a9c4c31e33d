/**
 * What the pack deliberately does not enforce, and why: rendered into docs/policies.md next to the
 * policies, so the list changes in the same commit as the code that decides it.
 */
export interface NotEnforced {
    rule: string;
    why: string;
}

export const NOT_ENFORCED: NotEnforced[] = [
    {
        rule: "The sum of a lifecycle's current and noncurrent expirations in the per-delivery expiry policies",
        why: "cloudtrail-bucket-expiry, athena-workgroup-results-expire and s3-log-bucket-expiry require each lifecycle action under the delivery's prefix to be at most maxDays. The end-to-end sum (expiration + old versions, each rounded to midnight UTC + S3's removal lag, incomplete uploads, Object Lock) is s3-data-retention's, for every bucket of the stack.",
    },
    {
        rule: "Lifecycle of buckets managed outside the program",
        why: "A trail, workgroup or log delivery that writes to a bucket of another stack cannot have that bucket's lifecycle read at preview. It fails closed; listing the bucket in the policy's externalBuckets config accepts it, on the word of whoever sets the config.",
    },
    {
        rule: "Glue Data Catalog encryption settings in every stack with Glue tables (mandatory)",
        why: "aws.glue.DataCatalogEncryptionSettings is one setting per account and region: a stack that has tables may rightly leave it to the stack that owns the account's catalog, and two stacks setting it would overwrite each other. glue-data-catalog-encryption-settings-present is advisory; settings that exist and leave the catalog unencrypted are blocked (glue-data-catalog-encryption).",
    },
    {
        rule: "EventBridge targets without a dead-letter queue (mandatory)",
        why: "Advisory by design (eventbridge-target-dead-letter-queue): some targets are idempotent schedules where a missed event is harmless, and the queue's own encryption and retention are checked by sqs-queue-encrypted-retention.",
    },
    {
        rule: "Feedback loops through Firehose, cross-account destinations or a destination's downstream",
        why: "cloudwatch-logs-account-subscription-no-feedback derives the log groups a delivery writes to for Lambda destinations (the function's log group) and Kinesis destinations (the log groups of the functions its event source mappings invoke). A Firehose destination's error log group and processor, a Logs destination in another account, and log groups written further downstream are not derived; selection criteria are compared by exact log group name, as CloudWatch Logs matches them.",
    },
    {
        rule: "Athena workgroups with enforceWorkgroupConfiguration unset",
        why: "Not blocked: the provider's default is true. Athena-managed query results (deleted by Athena after 24 hours, encrypted) pass the encryption and expiry checks.",
    },
    {
        rule: "CloudTrail organization trails, event selectors and CloudWatch Logs delivery",
        why: "isOrganizationTrail and data-event selectors depend on the account's role in the organization, which the pack cannot see. A trail's CloudWatch Logs log group is checked by cloudwatch-log-group-retention and -encrypted when the program manages it, not when it is named by ARN only.",
    },
    {
        rule: "Secrets outside Lambda environments and String/StringList SSM parameters",
        why: "The secret rules (secretlint's recommended preset) run on the two places this platform puts configuration; ECS task definitions, EC2 user data and other free-text properties are not scanned, to keep the checks precise (no false positives on ordinary strings).",
    },
    {
        rule: "Credentials recognised by their value alone when they are only hex digits, only lower case, or UUID-shaped",
        why: "lambda-no-plaintext-secrets and ssm-parameter-no-plaintext-secrets recognise credentials by value whatever the name (authorization values, JWTs, key=value credentials, URL credentials, secretlint's token formats, and long random mixes of upper case, lower case and digits). A 32-hex API key or a UUID-shaped token looks exactly like a digest (CODE_SHA256) or an id (KMS_KEY_ID), so it is caught only when its name says secret; flagging every hex string or UUID would block ordinary settings.",
    },
    {
        rule: "Object Lock retention set per object, and legal holds",
        why: "The expiry policies see a bucket's default Object Lock retention (separate configuration or inline) and block one longer than maxDays; a writer can still lock a single object (PutObject with a retention date or a legal hold), which no program setting shows. The services that deliver logs here set none.",
    },
    {
        rule: "The region of resources that report none",
        why: "Provider v7 reports the region of every regional resource (its own `region`, else its provider's), and the pack matches by region and name. A resource reporting none (a state written before v7) is taken to be in its provider's region, which the pack cannot see; a resource naming a region itself is taken to be elsewhere, since that is why a per-resource region is set.",
    },
    {
        rule: "Public access blocks, TLS-only bucket policies and versioning of directory, table, vector and Outposts buckets",
        why: "s3-public-access-block, s3-deny-insecure-transport and s3-versioning check general purpose buckets, whose settings the provider's BucketPublicAccessBlock, BucketPolicy and BucketVersioning resources are. The other bucket types have no such public access or versioning settings in the provider (AWS keeps directory, table and vector buckets private); they are checked for encryption (s3-bucket-encryption) and, where they hold delivered data, expiry.",
    },
    {
        rule: "Federated subjects of other formats with a wildcard, and GitHub refs given by pattern",
        why: "Blocked, not accepted: only the subject formats listed above have known identity segments, so a wildcard in any other subject (an Auth0 user, a Google account id, a GitHub custom subject template) fails closed, and a GitHub ref pattern (repo:<owner>/<repo>:ref:refs/heads/release-*) does too. List the concrete subjects instead; StringEquals compares `*` literally.",
    },
    {
        rule: "Which account a resource policy belongs to, at a preview that knows no ARN",
        why: "Accounts named by a policy's own conditions or Resource ARNs never count as this stack's account (a partner's topic in aws:SourceArn would otherwise make the partner trusted). The account comes from the resource's own ARN (or that of the resource the policy is attached to) or the accountId policy config; at a preview of a new stack, where no ARN is known yet, a grant naming any account fails closed until accountId is set. The offline gate knows the ARNs.",
    },
    {
        rule: "Documents a program reads from the account, in the offline gate",
        why: "The offline gate's mocks render what the provider computes from the program's own inputs (ids, ARNs, regions, aws.iam.getPolicyDocument); a data source that reads the account (aws.iam.getPolicy, aws.iam.getRole, aws.s3.getBucketPolicy...) answers with its inputs only, since there is no account offline. A document taken from one reaches the pack under `pulumi preview`, not in the offline gate.",
    },
    {
        rule: "Session policies and VPC endpoint policies under iam-no-wildcard",
        why: "They can only narrow what an identity's own grants already allow (see the not-applicable entries in policypack/lib/policyDocumentTypes.ts, which lists every @pulumi/aws policy-document property with its classification and reason).",
    },
    {
        rule: "Copies of data outside the paths the data-protection policies follow",
        why: "S3 replication, DynamoDB Kinesis streaming destinations, SNS fan-out, Firehose buffers and a queue redriven by hand (StartMessageMoveTask starts its clock again) are not followed: a copy is judged where it lands if that store is in the stack (its own retention), but the age it already had is not added. Stores other than log groups, S3 buckets, DynamoDB tables, AWS Backup, SQS, Kinesis and DynamoDB streams (EBS, EFS, RDS, OpenSearch domains, S3 Tables and vector buckets) are not checked.",
    },
    {
        rule: "Data-protection exemptions for log groups, and the writers' side of item and object lifetimes",
        why: "cloudwatch-log-group-retention checks one resource at a time and cannot see the stack's DataProtection component, so log groups have no exemption. How long writers let a DynamoDB item live before its TTL attribute expires it is a contract the pack cannot read (dynamodb-data-retention's itemLifetimeDays states it); Object Lock retention set per object by writers and lifecycle expirations by date are not counted (a date-only rule counts as no expiry).",
    },
    {
        rule: "Explicit Deny and conditions in the grants behind queue-stream-data-retention's send paths",
        why: "A function whose role allows sqs:SendMessage on a queue (actions and resources with wildcards included) is taken to send there; a Deny statement or a condition that would stop it is not read, so the path is counted (it can only make the rule stricter).",
    },
];
