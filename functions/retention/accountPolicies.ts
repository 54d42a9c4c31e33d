import { CloudWatchLogsClient, DescribeAccountPoliciesCommand } from "@aws-sdk/client-cloudwatch-logs";

import { describeError, RetryableError } from "../shared/errors";

/**
 * An account-level CloudWatch Logs retention policy (PutAccountPolicy with policyType RETENTION_POLICY). It overrides
 * the own retention of every log group it selects (the longest such policy wins), and its minimum is 30 days: one
 * of them defeats every PutRetentionPolicy the enforcer makes on those groups.
 */
export interface AccountRetentionPolicy {
    policyName: string;
    /** The days it keeps log events; absent when it never expires them (or its document could not be read: see `document`). */
    retentionInDays?: number;
    neverExpires: boolean;
    /** RETROACTIVE (every selected group) or NEW_ONLY (groups created after it). */
    enforcementMode?: string;
    /** `LogGroupNamePrefix IN [...]`, or absent: every log group of the region. Cut to 300 characters. */
    selectionCriteria?: string;
    /** Set when the policy document was not the JSON object AWS documents (the raw text is not kept). */
    document?: "unreadable";
}

/** Longest selection criteria text kept (it can be 25 KB; a report needs the start). */
const CRITERIA_CHARS = 300;

/**
 * The RETENTION_POLICY account policies of the client's region (DescribeAccountPolicies, every page). Throws a
 * RetryableError naming the region when the call keeps failing: the caller reports that region as not verified.
 */
export async function listAccountRetentionPolicies(client: CloudWatchLogsClient, region: string): Promise<AccountRetentionPolicy[]> {
    const policies: AccountRetentionPolicy[] = [];
    let nextToken: string | undefined;
    do {
        const page = await client
            .send(new DescribeAccountPoliciesCommand({ policyType: "RETENTION_POLICY", ...(nextToken === undefined ? {} : { nextToken }) }))
            .catch((error: unknown) => {
                throw new RetryableError(`DescribeAccountPolicies (RETENTION_POLICY) in ${region} failed after retries: ${describeError(error)}`, { cause: error });
            });
        for (const policy of page.accountPolicies ?? []) {
            if (policy.policyName === undefined) continue;
            policies.push(readPolicy(policy.policyName, policy.policyDocument, policy.selectionCriteria));
        }
        nextToken = page.nextToken;
    } while (nextToken !== undefined && nextToken.length > 0);
    return policies;
}

function readPolicy(policyName: string, documentText: string | undefined, selectionCriteria: string | undefined): AccountRetentionPolicy {
    const criteria = selectionCriteria === undefined || selectionCriteria.length === 0 ? {} : { selectionCriteria: selectionCriteria.slice(0, CRITERIA_CHARS) };
    let document: unknown;
    try {
        document = JSON.parse(documentText ?? "");
    } catch {
        document = undefined;
    }
    if (typeof document !== "object" || document === null || Array.isArray(document)) {
        return { policyName, neverExpires: false, document: "unreadable", ...criteria };
    }
    const fields = document as Record<string, unknown>;
    const days = fields["retentionInDays"];
    const mode = fields["enforcementMode"];
    return {
        policyName,
        neverExpires: days === "NEVER_EXPIRE",
        ...(typeof days === "number" ? { retentionInDays: days } : {}),
        ...(typeof mode === "string" ? { enforcementMode: mode } : {}),
        ...(typeof days !== "number" && days !== "NEVER_EXPIRE" ? { document: "unreadable" as const } : {}),
        ...criteria,
    };
}

/** "60 days" / "never expires" / "unreadable document", for reports. */
export function describeRetention(policy: AccountRetentionPolicy): string {
    if (policy.neverExpires) return "never expires";
    if (policy.retentionInDays !== undefined) return `${policy.retentionInDays} days`;
    return "unreadable document";
}

/** The command that removes the policy (docs/retention.md: what to do). */
export function deletePolicyCommand(policyName: string, region: string): string {
    return `aws logs delete-account-policy --policy-type RETENTION_POLICY --policy-name '${policyName.replace(/'/g, "'\\''")}' --region ${region}`;
}
