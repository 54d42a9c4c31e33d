import { resourcePolicy } from "../lib/policy";
import { get, UNKNOWN } from "../lib/values";

const TABLE_TYPE = "aws:dynamodb/table:Table";

export const dynamodbTableKms = resourcePolicy({
    name: "dynamodb-table-kms",
    description: "DynamoDB tables are encrypted with a customer-managed KMS key (not the AWS-owned default).",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set `serverSideEncryption: { enabled: true, kmsKeyArn: key.arn }`.",
    validateResource: (args, reportViolation) => {
        if (args.type !== TABLE_TYPE) {
            return;
        }
        const enabled = get(args.props, "serverSideEncryption.enabled");
        const key = get(args.props, "serverSideEncryption.kmsKeyArn");
        if (enabled !== UNKNOWN && (enabled !== true || key === undefined)) {
            reportViolation("table is not encrypted with a customer-managed KMS key (serverSideEncryption.enabled and kmsKeyArn)");
        }
    },
});

export const dynamodbPointInTimeRecovery = resourcePolicy({
    name: "dynamodb-point-in-time-recovery",
    description: "DynamoDB tables have point-in-time recovery, so a bad write can be rolled back.",
    category: "fault-tolerance",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Set `pointInTimeRecovery: { enabled: true }`.",
    validateResource: (args, reportViolation) => {
        if (args.type !== TABLE_TYPE) {
            return;
        }
        const enabled = get(args.props, "pointInTimeRecovery.enabled");
        if (enabled !== true && enabled !== UNKNOWN) {
            reportViolation("table has no point-in-time recovery");
        }
    },
});
