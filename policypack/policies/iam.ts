import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";

import { federatedTrustProblems, SUBJECT_FORMATS } from "../lib/federatedTrust";
import { accountOf, identityPolicyProblems, parseDocument, ParsedDocument, PRINCIPAL_PINNING_KEYS, resourcePolicyProblems } from "../lib/iamDocument";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { checkedDocuments, DocumentCheck } from "../lib/policyDocumentTypes";
import { checkedAttachments, isAdminPolicy } from "../lib/managedPolicyAttachments";
import { asArray, asString, containsUnknown, get, valuesAt } from "../lib/values";

/**
 * Actions AWS offers no resource-level permission for, so `Resource: "*"` is the only way to grant them.
 * The EC2 network-interface actions are what a VPC-attached Lambda needs (as in AWSLambdaVPCAccessExecutionRole);
 * ec2:DescribeRegions and logs:DescribeAccountPolicies are what the retention enforcer needs to find the enabled regions
 * and the account-level retention policies.
 */
export const DEFAULT_STAR_RESOURCE_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "logs:DescribeLogGroups",
    "cloudwatch:PutMetricData",
    "ec2:DescribeRegions",
    "logs:DescribeAccountPolicies",
];

interface NoWildcardConfig {
    allowedStarResourceActions: string[];
    trustedAccountIds: string[];
    accountId?: string;
}

function reportInvalid(document: ParsedDocument, reportViolation: ReportViolation): void {
    if (document.kind === "invalid") {
        reportViolation(`the policy document ${document.reason}; it cannot be checked (and AWS would reject it)`);
    }
}

/**
 * Properties that name the resource itself, or the resource a policy is attached to: the account in them
 * is the one the stack deploys to (a policy cannot be put on another account's resource).
 */
const OWN_IDENTITY_PROPERTIES = ["arn", "resourceArn", "secretArn", "queueUrl", "keyId", "clusterArn", "accessPointArn", "tableBucketArn", "vectorBucketArn", "sinkIdentifier", "resourceIdentifier", "primaryKeyArn"];

/** The account in an ARN or an SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
function accountOfReference(reference: string | undefined): string | undefined {
    if (reference === undefined) {
        return undefined;
    }
    return accountOf(reference) ?? /^https:\/\/[^/]*amazonaws\.com(\.cn)?\/(\d{12})\//.exec(reference)?.[2];
}

/**
 * The accounts a resource policy may grant to: this stack's account, known from the policy config
 * (`accountId`) or from the resource's own identity (its ARN, or the ARN/URL of the resource it is
 * attached to), plus the configured trusted accounts. Nothing in the document counts as evidence, neither
 * principals nor conditions nor Resource ARNs: a grant cannot vouch for the account it grants to.
 */
function trustedAccounts(props: unknown, config: NoWildcardConfig): string[] {
    const own = [config.accountId, ...OWN_IDENTITY_PROPERTIES.map((property) => accountOfReference(asString(get(props, property))))];
    const accounts = own.filter((account): account is string => account !== undefined && /^\d{12}$/.test(account));
    // Only the stack's own account makes the configured trusted accounts usable: with none known, fail closed.
    return accounts.length === 0 ? [] : [...new Set([...accounts, ...config.trustedAccountIds])];
}

/** The documents of a resource: each checked property, plus a role's inline policies. */
function documentsOf(type: string, props: unknown): { value: unknown; check: DocumentCheck }[] {
    const documents = checkedDocuments(type).map(({ property, check }) => ({ value: get(props, property), check }));
    if (type === "aws:iam/role:Role") {
        documents.push(...asArray(get(props, "inlinePolicies")).map((inline) => ({ value: get(inline, "policy"), check: "identity" as const })));
    }
    return documents;
}

export const iamNoWildcard = resourcePolicy({
    name: "iam-no-wildcard",
    description: `No IAM grant with wildcards, in every policy document @pulumi/aws resources carry (identity, resource, KMS key and trust policies; see policypack/lib/policyDocumentTypes.ts): Allow statements may not use actions containing "*" or "?", NotAction, NotResource or NotPrincipal; identity policies may not use Resource "*" or a service-wide ARN (account, region or S3 bucket name "*") except for actions without resource-level permissions; resource policies may not grant to anyone outside the account, and Principal "*" counts as pinned only by a condition (StringEquals/StringLike/ArnEquals/ArnLike, not IfExists, ForAllValues or negated) naming this account, a trusted account, an organization or concrete ARNs of them with one of the keys AWS documents for it: ${PRINCIPAL_PINNING_KEYS.map((entry) => entry.key).join(", ")}. This account is known from the policy config (accountId) or the resource's own ARN (or that of the resource the policy is attached to); other accounts come from trustedAccountIds only, never from the document (a condition or Resource naming an account trusts nothing). Where the account cannot be told at preview, grants to named accounts fail closed.`,
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        'List the exact actions (e.g. "sqs:ReceiveMessage", not "sqs:*" or "sqs:Get?ueue*") and this account\'s ARNs they apply to (arn:aws:logs:<region>:<account>:log-group:* is fine; arn:aws:s3:::* or an account/region of "*" is not). For resource policies, name the principals, or pin Principal "*" with aws:SourceAccount (or kms:CallerAccount in a key policy) = this account or aws:SourceArn = a concrete ARN of it (StringEquals/ArnEquals, not ...IfExists). To grant another account, list it in trustedAccountIds. Actions that have no resource-level permission may use Resource "*" when listed in allowedStarResourceActions. If a preview cannot tell this stack\'s account, set accountId in this policy\'s config.',
    configSchema: {
        properties: {
            allowedStarResourceActions: {
                type: "array",
                items: { type: "string" },
                default: DEFAULT_STAR_RESOURCE_ACTIONS,
                description: 'Actions that may use Resource "*" because AWS offers no resource-level permission for them.',
            },
            trustedAccountIds: {
                type: "array",
                items: { type: "string", pattern: "^\\d{12}$" },
                default: [],
                description: "Accounts besides the resource's own that resource policies may grant to.",
            },
            accountId: {
                type: "string",
                pattern: "^\\d{12}$",
                description: "This stack's account, for previews where no ARN tells it (a new stack): without it, grants naming an account fail closed.",
            },
        },
    },
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        const config = args.getConfig<NoWildcardConfig>();
        for (const { value, check } of documentsOf(args.type, args.props)) {
            const document = parseDocument(value);
            reportInvalid(document, reportViolation);
            if (document.kind !== "document") {
                continue;
            }
            if (check === "identity") {
                identityPolicyProblems(document.statements, config.allowedStarResourceActions).forEach((problem) => reportViolation(problem));
                continue;
            }
            const trusted = trustedAccounts(args.props, config);
            resourcePolicyProblems(document.statements, { keyPolicy: check === "key", trustedAccounts: trusted }).forEach((problem) => reportViolation(problem));
        }
    },
});

export const iamFederatedTrustPinned = resourcePolicy({
    name: "iam-federated-trust-pinned",
    description: `A role trusting a federated identity pins who may assume it: OIDC web identity pins the provider's subject claim (<provider>:sub) to one identity, SAML pins SAML:aud, Cognito identity pools pin both cognito-identity.amazonaws.com:aud and :amr. A subject with a wildcard (StringLike) pins only when everything before the wildcard names the identity's own segments: ${SUBJECT_FORMATS.map((format) => format.provider).join("; ")}; a subject of any other format must be concrete. ForAllValues, IfExists and negated operators pin nothing.`,
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        'Add the claim the message names to the trust statement\'s Condition, e.g. StringEquals { "token.actions.githubusercontent.com:sub": "repo:<owner>/<repository>:ref:refs/heads/main", "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } (EKS: "system:serviceaccount:<namespace>:<service account>"; GitLab: "project_path:<group>/<project>:..."); list several concrete subjects rather than a wildcard; for Cognito, StringEquals { "cognito-identity.amazonaws.com:aud": "<pool id>" } and ForAnyValue:StringLike { "cognito-identity.amazonaws.com:amr": "authenticated" }; for SAML, StringEquals { "SAML:aud": "https://signin.aws.amazon.com/saml" }.',
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:iam/role:Role") {
            return;
        }
        const document = parseDocument(get(args.props, "assumeRolePolicy"));
        if (document.kind !== "document") {
            return;
        }
        document.statements.forEach((statement, index) => {
            // A provider created by the program is known only after the update: its claims are still judged.
            if (statement.effect.toLowerCase() !== "allow" || containsUnknown(statement.condition) || containsUnknown(statement.actions)) {
                return;
            }
            federatedTrustProblems(statement, statement.sid ? `statement "${statement.sid}"` : `statement ${index + 1}`).forEach((problem) => reportViolation(problem));
        });
    },
});

export const iamNoAdminManagedPolicies = resourcePolicy({
    name: "iam-no-admin-managed-policies",
    description:
        "No attachment of the AWS-managed AdministratorAccess (and its variants), PowerUserAccess, IAMFullAccess or any *FullAccess policy, nor of the EKS cluster-admin access policies, by any resource that attaches managed policies: the IAM attachments (single and exclusive, roles, users and groups), a role's managedPolicyArns, IAM Identity Center permission sets, QuickSight policy assignments, budget actions, EKS access policy associations (policypack/lib/managedPolicyAttachments.ts, derived from the provider's types).",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Write a least-privilege policy (aws.iam.RolePolicy) naming the actions and ARNs the role needs, and attach that instead; for EKS, associate AmazonEKSViewPolicy or AmazonEKSEditPolicy scoped to namespaces.",
    validateResource: (args, reportViolation) => {
        for (const { path, check } of checkedAttachments(args.type)) {
            for (const arn of valuesAt(args.props, path)) {
                const text = asString(arn);
                if (text && isAdminPolicy(check, text)) {
                    reportViolation(`attaches the AWS-managed policy ${text} (${path}), which grants far more than least privilege`);
                }
            }
        }
    },
});

/** The handler name aws.lambda.CallbackFunction gives every function it serializes. */
const CALLBACK_HANDLER = "__index.handler";

export const lambdaCallbackFunctionExplicitRole = stackPolicy({
    name: "lambda-callback-function-explicit-role",
    description: "Every aws.lambda.CallbackFunction is given an explicit least-privilege role: without one it creates a default role with *FullAccess policies (Lambda, S3, DynamoDB, SQS, Kinesis, CloudWatch...).",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Pass `role:` to CallbackFunction (components/managedFunction.ts builds one per function, with only the statements the function needs).",
    validateStack: (args, reportViolation) => {
        for (const resource of args.resources) {
            if (resource.type !== "aws:lambda/function:Function" || asString(get(resource.props, "handler")) !== CALLBACK_HANDLER) {
                continue;
            }
            const roles = (resource.propertyDependencies["role"] ?? resource.dependencies).filter((dependency) => dependency.type === "aws:iam/role:Role");
            if (roles.some((role) => role.name === resource.name)) {
                reportViolation(`CallbackFunction "${resource.name}" uses the default role CallbackFunction creates, which carries *FullAccess managed policies`, resource.urn);
            }
        }
    },
});
