import { CloudWatchLogsClient, DescribeAccountPoliciesCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";

import { logGroupWorstHours } from "../../components/dataProtection/ages";
import { AuditRow, AuditSettings } from "./model";
import { judge } from "./verdict";

/**
 * CloudWatch Logs of one region. A log group's effective retention is what DescribeLogGroups reports: it already
 * reflects an account-level retention policy (the group then carries `retentionPolicyName`, and `retentionInDays`
 * is the policy's). Worst case = retention + the deletion lag; no retention = forever. Compliant groups are one row
 * per region (a count by retention: an account can have thousands); every group over the limit is named.
 */
export async function auditLogGroups(logs: CloudWatchLogsClient, region: string, settings: AuditSettings): Promise<AuditRow[]> {
    const lag = settings.lags.cloudwatchHours;
    const rows: AuditRow[] = [];
    const compliant = new Map<number, number>();
    let compliantWorst = 0;
    let nextToken: string | undefined;
    do {
        const page = await logs.send(new DescribeLogGroupsCommand({ limit: 50, nextToken }));
        for (const group of page.logGroups ?? []) {
            const days = group.retentionInDays;
            const worst = logGroupWorstHours(days, settings.lags);
            if (worst <= settings.limitHours && days !== undefined) {
                compliant.set(days, (compliant.get(days) ?? 0) + 1);
                compliantWorst = Math.max(compliantWorst, worst);
                continue;
            }
            const policy = group.retentionPolicyName ? ` (account policy ${group.retentionPolicyName})` : "";
            const keeps = days === undefined ? `no retention${policy}: never expires` : `retention ${days}d${policy} + lag ${lag}h`;
            rows.push({ kind: "log-groups", name: group.logGroupName ?? "?", region, keeps, worstHours: worst, ...judge(worst, settings) });
        }
        nextToken = page.nextToken;
    } while (nextToken);

    const count = [...compliant.values()].reduce((sum, value) => sum + value, 0);
    if (count > 0) {
        const byRetention = [...compliant].sort(([a], [b]) => a - b).map(([days, groups]) => `${days}d: ${groups}`).join(", ");
        rows.unshift({
            kind: "log-groups",
            name: `${count} log group${count === 1 ? "" : "s"} within the limit`,
            region,
            keeps: `retention ${byRetention} (+ lag ${lag}h)`,
            worstHours: compliantWorst,
            verdict: "ok",
            count,
        });
    }
    return rows;
}

/** A RETENTION_POLICY document: `{"retentionInDays": <days> | "NEVER_EXPIRE", "enforcementMode": ...}`. */
interface RetentionPolicyDocument {
    retentionInDays?: number | string;
    enforcementMode?: string;
}

/**
 * The account-level retention policies of one region (DescribeAccountPolicies, RETENTION_POLICY), each its own row:
 * it sets the retention of every group it selects (the longest policy wins over the group's own), and its minimum
 * is 30 days, so an account retention policy is always over a 7-day limit.
 */
export async function auditLogAccountPolicies(logs: CloudWatchLogsClient, region: string, settings: AuditSettings): Promise<AuditRow[]> {
    const rows: AuditRow[] = [];
    let nextToken: string | undefined;
    do {
        const page = await logs.send(new DescribeAccountPoliciesCommand({ policyType: "RETENTION_POLICY", nextToken }));
        for (const policy of page.accountPolicies ?? []) {
            const name = policy.policyName ?? "?";
            let document: RetentionPolicyDocument;
            try {
                document = JSON.parse(policy.policyDocument ?? "{}") as RetentionPolicyDocument;
            } catch {
                rows.push({ kind: "log-account-policies", name, region, keeps: "policy document is not JSON", verdict: "unknown", note: "could not read the policy's retention" });
                continue;
            }
            const days = typeof document.retentionInDays === "number" ? document.retentionInDays : undefined;
            const selects = policy.selectionCriteria ? policy.selectionCriteria : "every log group";
            const mode = document.enforcementMode ?? "RETROACTIVE";
            const worst = logGroupWorstHours(days, settings.lags);
            const keeps = `${days === undefined ? "never expires" : `retention ${days}d + lag ${settings.lags.cloudwatchHours}h`} for ${selects} (${mode})`;
            rows.push({ kind: "log-account-policies", name, region, keeps, worstHours: worst, ...judge(worst, settings) });
        }
        nextToken = page.nextToken;
    } while (nextToken);
    return rows;
}
