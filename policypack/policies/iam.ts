import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";

import { accountOf, identityPolicyProblems, parseDocument, ParsedDocument, resourcePolicyProblems } from "../lib/iamDocument";
import { resourcePolicy, stackPolicy } from "../lib/policy";
import { asArray, asString, get } from "../lib/values";

/**
 * Actions AWS offers no resource-level permission for, so `Resource: "*"` is the only way to grant them.
 * The EC2 network-interface actions are what a VPC-attached Lambda needs (as in AWSLambdaVPCAccessExecutionRole).
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
];

/** Where each resource type keeps its policy documents, and whether they are identity or resource policies. */
const IDENTITY_DOCUMENTS: Record<string, (props: unknown) => unknown[]> = {
    "aws:iam/policy:Policy": (props) => [get(props, "policy")],
    "aws:iam/rolePolicy:RolePolicy": (props) => [get(props, "policy")],
    "aws:iam/userPolicy:UserPolicy": (props) => [get(props, "policy")],
    "aws:iam/groupPolicy:GroupPolicy": (props) => [get(props, "policy")],
    "aws:iam/role:Role": (props) => asArray(get(props, "inlinePolicies")).map((inline) => get(inline, "policy")),
};

const RESOURCE_DOCUMENTS: Record<string, { keyPolicy: boolean; documents: (props: unknown) => unknown[] }> = {
    "aws:iam/role:Role": { keyPolicy: false, documents: (props) => [get(props, "assumeRolePolicy")] },
    "aws:sqs/queue:Queue": { keyPolicy: false, documents: (props) => [get(props, "policy")] },
    "aws:sqs/queuePolicy:QueuePolicy": { keyPolicy: false, documents: (props) => [get(props, "policy")] },
    "aws:sns/topic:Topic": { keyPolicy: false, documents: (props) => [get(props, "policy")] },
    "aws:sns/topicPolicy:TopicPolicy": { keyPolicy: false, documents: (props) => [get(props, "policy")] },
    "aws:s3/bucketPolicy:BucketPolicy": { keyPolicy: false, documents: (props) => [get(props, "policy")] },
    "aws:s3/bucket:Bucket": { keyPolicy: false, documents: (props) => [get(props, "policy")] },
    "aws:s3/bucketV2:BucketV2": { keyPolicy: false, documents: (props) => [get(props, "policy")] },
    "aws:kms/key:Key": { keyPolicy: true, documents: (props) => [get(props, "policy")] },
    "aws:kms/keyPolicy:KeyPolicy": { keyPolicy: true, documents: (props) => [get(props, "policy")] },
};

interface NoWildcardConfig {
    allowedStarResourceActions: string[];
    trustedAccountIds: string[];
}

function reportInvalid(document: ParsedDocument, reportViolation: ReportViolation): void {
    if (document.kind === "invalid") {
        reportViolation(`the policy document ${document.reason}; it cannot be checked (and AWS would reject it)`);
    }
}

/** Accounts a resource policy may grant to: the resource's own (from its ARNs) plus configured ones. */
function trustedAccounts(props: unknown, statementsText: string, configured: string[]): string[] {
    const own = [asString(get(props, "arn")), ...(statementsText.match(/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[^"]*/g) ?? [])]
        .filter((value): value is string => value !== undefined)
        .map(accountOf)
        .filter((account): account is string => account !== undefined);
    return [...new Set([...own, ...configured])];
}

export const iamNoWildcard = resourcePolicy({
    name: "iam-no-wildcard",
    description:
        'No IAM grant with wildcards: Allow statements may not use actions containing "*", NotAction, NotResource or NotPrincipal, identity policies may not use Resource "*" (except for actions without resource-level permissions), and resource policies may not grant to anyone outside the account.',
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        'List the exact actions (e.g. "sqs:ReceiveMessage", not "sqs:*") and the ARNs they apply to. For resource policies (SQS, SNS, S3, KMS, role trust), name the principals, or pin Principal "*" with an aws:SourceAccount / aws:SourceArn condition. Actions that have no resource-level permission may use Resource "*" when listed in allowedStarResourceActions.',
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
        },
    },
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        const config = args.getConfig<NoWildcardConfig>();
        const identity = IDENTITY_DOCUMENTS[args.type];
        for (const value of identity ? identity(args.props) : []) {
            const document = parseDocument(value);
            reportInvalid(document, reportViolation);
            if (document.kind === "document") {
                identityPolicyProblems(document.statements, config.allowedStarResourceActions).forEach((problem) => reportViolation(problem));
            }
        }
        const resource = RESOURCE_DOCUMENTS[args.type];
        for (const value of resource ? resource.documents(args.props) : []) {
            const document = parseDocument(value);
            reportInvalid(document, reportViolation);
            if (document.kind === "document") {
                const trusted = trustedAccounts(args.props, JSON.stringify(document.statements.map((statement) => statement.resources)), config.trustedAccountIds);
                resourcePolicyProblems(document.statements, { keyPolicy: resource?.keyPolicy ?? false, trustedAccounts: trusted }).forEach((problem) => reportViolation(problem));
            }
        }
    },
});

/** AWS-managed policies that grant far more than any workload here needs. */
const ADMIN_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(.*\/)?(AdministratorAccess|PowerUserAccess|IAMFullAccess|[A-Za-z0-9_-]*FullAccess[A-Za-z0-9_-]*)$/;

const ATTACHMENT_TYPES = [
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
];

export const iamNoAdminManagedPolicies = resourcePolicy({
    name: "iam-no-admin-managed-policies",
    description: "No attachment of the AWS-managed AdministratorAccess, PowerUserAccess, IAMFullAccess or any *FullAccess policy, by attachment resource or by a role's managedPolicyArns.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Write a least-privilege policy (aws.iam.RolePolicy) naming the actions and ARNs the role needs, and attach that instead.",
    validateResource: (args, reportViolation) => {
        const arns = ATTACHMENT_TYPES.includes(args.type)
            ? [get(args.props, "policyArn")]
            : args.type === "aws:iam/role:Role"
              ? asArray(get(args.props, "managedPolicyArns"))
              : [];
        for (const arn of arns) {
            const text = asString(arn);
            if (text && ADMIN_POLICY.test(text)) {
                reportViolation(`attaches the AWS-managed policy ${text}, which grants far more than least privilege`);
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
