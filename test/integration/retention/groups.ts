import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, LogGroup, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";

import { RecordedRequest } from "../../harness/proxy";

/** One group the test creates, with what the sweep must do to it (computed here, independently of the decision code). */
export interface GroupSpec {
    name: string;
    retention?: number;
    excluded: boolean;
}

/** The retention mix of the issue: unset, at or under 7, and over 7. */
export const RETENTION_MIX: (number | undefined)[] = [undefined, 1, 5, 7, 14, 30, 3653];

/** `count` groups cycling through the mix; every 9th name under /legal-hold/ (excluded by pattern), every 11th under /vendor/ (by prefix). */
export function groupSpecs(count: number, tag: string): GroupSpec[] {
    return Array.from({ length: count }, (_, index) => {
        const retention = RETENTION_MIX[index % RETENTION_MIX.length];
        const base = index % 9 === 4 ? `/legal-hold/${tag}` : index % 11 === 6 ? `/vendor/${tag}` : `/app/${tag}`;
        return { name: `${base}/group-${String(index).padStart(5, "0")}`, retention, excluded: base !== `/app/${tag}` };
    });
}

export const EXCLUDE = { excludePrefixes: ["/vendor/"], excludePatterns: ["^/legal-hold/"] };

/** The groups a sweep to 7 days must change. */
export function nonCompliant(specs: GroupSpec[], target = 7): GroupSpec[] {
    return specs.filter((spec) => !spec.excluded && (spec.retention === undefined || spec.retention > target));
}

/** Creates the groups quickly: bounded parallel CreateLogGroup (+ PutRetentionPolicy when the spec has one), straight to moto. */
export async function createGroups(client: CloudWatchLogsClient, specs: GroupSpec[], concurrency = 24): Promise<void> {
    const queue = [...specs];
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            for (let spec = queue.shift(); spec; spec = queue.shift()) {
                await client.send(new CreateLogGroupCommand({ logGroupName: spec.name }));
                if (spec.retention !== undefined) {
                    await client.send(new PutRetentionPolicyCommand({ logGroupName: spec.name, retentionInDays: spec.retention }));
                }
            }
        }),
    );
}

/** Every group of the client's region, straight from moto (no pacing). */
export async function allGroups(client: CloudWatchLogsClient): Promise<Map<string, LogGroup>> {
    const groups = new Map<string, LogGroup>();
    let nextToken: string | undefined;
    do {
        const page = await client.send(new DescribeLogGroupsCommand({ limit: 50, nextToken }));
        for (const group of page.logGroups ?? []) groups.set(group.logGroupName ?? "", group);
        nextToken = page.nextToken;
    } while (nextToken);
    return groups;
}

/** The log group names of recorded PutRetentionPolicy calls. */
export function putNames(requests: RecordedRequest[]): string[] {
    return requests.map((request) => (JSON.parse(request.body.toString("utf8")) as { logGroupName: string }).logGroupName);
}

/** Largest number of timestamps inside any half-open one-second window. */
export function maxPerSecond(times: number[]): number {
    const sorted = [...times].sort((a, b) => a - b);
    let best = 0;
    let start = 0;
    for (let end = 0; end < sorted.length; end++) {
        while (sorted[end] - sorted[start] >= 1000) start++;
        best = Math.max(best, end - start + 1);
    }
    return best;
}

/** The AWS JSON error answer for a fault rule. */
export function awsError(type: string, message: string): { kind: "respond"; status: number; body: string; headers: Record<string, string> } {
    return { kind: "respond", status: 400, body: JSON.stringify({ __type: type, message }), headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type } };
}
