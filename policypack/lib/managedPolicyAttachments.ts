/**
 * Every @pulumi/aws property that names managed policies by ARN, classified: attaching IAM managed
 * policies to identities (checked against AdministratorAccess & co.), attaching EKS access policies
 * (checked against the cluster-admin ones), or not applicable with the reason (a session policy, a
 * boundary or guardrail that only caps, a policy of another kind). test/policy/attachmentTypes.spec.ts
 * derives the list of such properties from the provider's own type definitions (nested ones too) and
 * fails when one is missing here.
 */

export type AttachmentCheck = "iam" | "eks";
export type AttachmentClassification = { check: AttachmentCheck } | { notApplicable: string };

const iam: AttachmentClassification = { check: "iam" };
const eks: AttachmentClassification = { check: "eks" };
const na = (reason: string): AttachmentClassification => ({ notApplicable: reason });
const CAPS = (what: string) => na(`${what}: it caps what the identity's own policies grant and grants nothing itself`);

/** Resource type token -> property path (dotted, through objects and lists) -> classification. */
export const MANAGED_POLICY_PROPERTIES: Record<string, Record<string, AttachmentClassification>> = {
    "aws:iam/policyAttachment:PolicyAttachment": { policyArn: iam },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { policyArn: iam },
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": { policyArn: iam },
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": { policyArn: iam },
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": { policyArns: iam },
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": { policyArns: iam },
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": { policyArns: iam },
    "aws:iam/role:Role": { managedPolicyArns: iam },
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": { managedPolicyArn: iam },
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive": { managedPolicyArns: iam },
    "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment": { "permissionsBoundary.managedPolicyArn": CAPS("a permission set's permissions boundary") },
    "aws:quicksight/iamPolicyAssignment:IamPolicyAssignment": { policyArn: iam },
    // A budget action attaches its policy to the roles, users and groups it names when the budget is exceeded.
    "aws:budgets/budgetAction:BudgetAction": { "definition.iamActionDefinition.policyArn": iam },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": { policyArn: eks },
    "aws:rolesanywhere/profile:Profile": { managedPolicyArns: CAPS("session policies of the vended credentials") },
    "aws:emr/studioSessionMapping:StudioSessionMapping": { sessionPolicyArn: CAPS("a session policy of the Studio user's role") },
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": { guardrailPolicyArns: CAPS("channel guardrails") },
    "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration": { guardrailPolicyArns: CAPS("channel guardrails") },
    "aws:networkfirewall/firewall:Firewall": { firewallPolicyArn: na("a Network Firewall rule policy, not an IAM policy (it grants no permission)") },
    "aws:batch/jobQueue:JobQueue": { schedulingPolicyArn: na("a Batch fair-share scheduling policy, not an IAM policy (it grants no permission)") },
    "aws:resiliencehub/v2Service:V2Service": { policyArn: na("a Resilience Hub resiliency policy (recovery objectives), not an IAM policy (it grants no permission)") },
    "aws:resiliencehub/v2UserJourney:V2UserJourney": { policyArn: na("a Resilience Hub resiliency policy (recovery objectives), not an IAM policy (it grants no permission)") },
};

/** The checked managed-policy properties of a resource type: path and check. */
export function checkedAttachments(type: string): { path: string; check: AttachmentCheck }[] {
    return Object.entries(MANAGED_POLICY_PROPERTIES[type] ?? {}).flatMap(([path, classification]) => ("check" in classification ? [{ path, check: classification.check }] : []));
}

/** AWS-managed IAM policies that grant far more than any workload here needs. */
const ADMIN_IAM_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(.*\/)?(AdministratorAccess[A-Za-z0-9_-]*|PowerUserAccess|IAMFullAccess|[A-Za-z0-9_-]*FullAccess[A-Za-z0-9_-]*)$/;
/** EKS access policies that make the principal an administrator of the cluster. */
const ADMIN_EKS_POLICY = /^arn:aws[a-z-]*:eks::aws:cluster-access-policy\/(AmazonEKSClusterAdminPolicy|AmazonEKSAdminPolicy)$/;

/** True when attaching this policy ARN grants administrator-like access. */
export function isAdminPolicy(check: AttachmentCheck, arn: string): boolean {
    return (check === "iam" ? ADMIN_IAM_POLICY : ADMIN_EKS_POLICY).test(arn);
}
