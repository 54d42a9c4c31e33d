import { resourcePolicy } from "../lib/policy";
import { asNumber, asString, get, UNKNOWN } from "../lib/values";

export const sqsQueueEncryptedShortRetention = resourcePolicy({
    name: "sqs-queue-encrypted-retention",
    description: "SQS queues are encrypted (KMS or SSE-SQS) and keep messages at most 7 days (configurable).",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set `kmsMasterKeyId` to the platform key (or `sqsManagedSseEnabled: true`) and `messageRetentionSeconds` <= 604800.",
    configSchema: { properties: { maxRetentionSeconds: { type: "integer", default: 604800 } } },
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:sqs/queue:Queue") {
            return;
        }
        const { maxRetentionSeconds } = args.getConfig<{ maxRetentionSeconds: number }>();
        const kms = get(args.props, "kmsMasterKeyId");
        const managed = get(args.props, "sqsManagedSseEnabled");
        if (kms === undefined && managed !== true && managed !== UNKNOWN) {
            reportViolation("queue is not encrypted: set kmsMasterKeyId (or sqsManagedSseEnabled)");
        }
        const retention = asNumber(get(args.props, "messageRetentionSeconds"));
        if (retention !== undefined && retention > maxRetentionSeconds) {
            reportViolation(`queue keeps messages ${retention} s; at most ${maxRetentionSeconds} s (7 days) are allowed`);
        }
    },
});

export const kinesisStreamEncryptedShortRetention = resourcePolicy({
    name: "kinesis-stream-encrypted-retention",
    description: "Kinesis streams are KMS-encrypted and keep records at most 168 hours (7 days).",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: 'Set `encryptionType: "KMS"`, `kmsKeyId` to the platform key, and `retentionPeriod` <= 168.',
    configSchema: { properties: { maxRetentionHours: { type: "integer", default: 168 } } },
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:kinesis/stream:Stream") {
            return;
        }
        const { maxRetentionHours } = args.getConfig<{ maxRetentionHours: number }>();
        const encryption = get(args.props, "encryptionType");
        if (encryption !== UNKNOWN && (asString(encryption) !== "KMS" || get(args.props, "kmsKeyId") === undefined)) {
            reportViolation('stream is not encrypted with KMS: set encryptionType "KMS" and kmsKeyId');
        }
        const retention = asNumber(get(args.props, "retentionPeriod"));
        if (retention !== undefined && retention > maxRetentionHours) {
            reportViolation(`stream keeps records ${retention} h; at most ${maxRetentionHours} h are allowed`);
        }
    },
});

export const snsTopicEncrypted = resourcePolicy({
    name: "sns-topic-encrypted",
    description: "SNS topics are encrypted with KMS.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set `kmsMasterKeyId` to the platform key (whose policy allows the publishing services).",
    validateResource: (args, reportViolation) => {
        if (args.type === "aws:sns/topic:Topic" && get(args.props, "kmsMasterKeyId") === undefined) {
            reportViolation("topic is not encrypted: set kmsMasterKeyId");
        }
    },
});
