import { resourcePolicy } from "../lib/policy";
import { asString, get, UNKNOWN } from "../lib/values";

export const kmsKeyRotation = resourcePolicy({
    name: "kms-key-rotation",
    description: "Symmetric KMS keys rotate their key material automatically.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set `enableKeyRotation: true` (optionally `rotationPeriodInDays`).",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:kms/key:Key") {
            return;
        }
        const spec = asString(get(args.props, "customerMasterKeySpec")) ?? asString(get(args.props, "keySpec")) ?? "SYMMETRIC_DEFAULT";
        const rotation = get(args.props, "enableKeyRotation");
        if (spec === "SYMMETRIC_DEFAULT" && rotation !== true && rotation !== UNKNOWN) {
            reportViolation("key does not rotate: set enableKeyRotation to true");
        }
    },
});
