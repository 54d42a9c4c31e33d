/**
 * What a Lambda function's role may do to a resource: the identity policies of its role (RolePolicy,
 * inline policies, attached customer-managed Policy resources) read as the pack reads every IAM document.
 * Used to find the queues a function may send the data it reads to.
 */
import { PolicyResource } from "@pulumi/policy";

import { parseDocument, Statement } from "./iamDocument";
import { ofTypes, targets } from "./stack";
import { asArray, asString, containsUnknown, get } from "./values";

const ROLE_TYPE = "aws:iam/role:Role";
const ROLE_POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const POLICY_TYPE = "aws:iam/policy:Policy";

/** The stack's Role a function runs as (by dependency on `role`, or by ARN). */
export function roleOf(resources: PolicyResource[], fn: PolicyResource): PolicyResource | undefined {
    return ofTypes(resources, ROLE_TYPE).find((role) => targets(fn, "role", role, ["arn"]));
}

/** The statements of every identity policy of a role whose document is known; unknown documents are left out. */
export function roleStatements(resources: PolicyResource[], role: PolicyResource): Statement[] {
    const documents: unknown[] = asArray(get(role.props, "inlinePolicies")).map((inline) => get(inline, "policy"));
    documents.push(...ofTypes(resources, ROLE_POLICY_TYPE).filter((policy) => targets(policy, "role", role, ["name", "id"])).map((policy) => get(policy.props, "policy")));
    for (const attachment of ofTypes(resources, ATTACHMENT_TYPE).filter((candidate) => targets(candidate, "role", role, ["name", "id"]))) {
        documents.push(...ofTypes(resources, POLICY_TYPE).filter((policy) => targets(attachment, "policyArn", policy, ["arn", "id"])).map((policy) => get(policy.props, "policy")));
    }
    return documents.flatMap((document) => {
        const parsed = parseDocument(document);
        return parsed.kind === "document" ? parsed.statements.filter((statement) => !containsUnknown(statement)) : [];
    });
}

/** An IAM pattern (`*` and `?` wildcards) as a regular expression. */
function pattern(text: string, flags = ""): RegExp {
    return new RegExp(`^${text.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, flags);
}

const matchesAny = (patterns: string[] | undefined, value: string, flags = "") => (patterns ?? []).some((candidate) => pattern(candidate, flags).test(value));

/** True when an Allow statement grants `action` (case-insensitive) on a resource `covers` accepts; conditions are not read (they may hold). */
export function allows(statements: Statement[], action: string, covers: (resourcePattern: string) => boolean): boolean {
    return statements.some((statement) => {
        if (statement.effect.toLowerCase() !== "allow") {
            return false;
        }
        const actionOk = statement.actions ? matchesAny(statement.actions, action, "i") : statement.notActions !== undefined && !matchesAny(statement.notActions, action, "i");
        const resourceOk = statement.resources ? statement.resources.some(covers) : statement.notResources !== undefined && !statement.notResources.some(covers);
        return actionOk && resourceOk;
    });
}

/**
 * Whether an IAM resource pattern covers a queue: by its ARN; while the ARN is not known yet (preview), by the
 * name part of an SQS ARN pattern (region and account are then not compared).
 */
export function coversQueue(queue: PolicyResource): (resourcePattern: string) => boolean {
    const arn = asString(get(queue.props, "arn"));
    const name = asString(get(queue.props, "name"));
    return (resourcePattern) => {
        if (arn !== undefined) {
            return pattern(resourcePattern).test(arn);
        }
        if (resourcePattern === "*") {
            return true;
        }
        const parts = resourcePattern.split(":");
        return name !== undefined && parts.length === 6 && pattern(parts[2] ?? "").test("sqs") && pattern(parts[5] ?? "").test(name);
    };
}
