import {
    CloudWatchLogsClient,
    CreateLogGroupCommand,
    DeleteAccountPolicyCommand,
    DescribeLogGroupsCommand,
    LogGroup,
    PutAccountPolicyCommand,
    PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";

import { RecordedRequest } from "../../harness/proxy";

/** One group the test creates, with what the sweep must do to it (computed here, independently of the decision code). */
export interface GroupSpec {
    name: string;
    retention?: number;
    excluded: boolean;
}

/**
 * What moto 5.2's EC2 DescribeRegions lists as enabled ("opt-in-not-required") in the aws partition: written out, it is
 * what region discovery must find (moto also lists "not-opted-in" regions, and aws-cn and aws-us-gov ones).
 */
export const MOTO_ENABLED_REGIONS = [
    "af-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ca-central-1", "eu-central-1",
    "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
];

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

/**
 * Creates an account-level RETENTION_POLICY in the client's region (moto's extension applies it at once), selecting
 * the groups under `prefixes` (or every group). Returns a function that deletes it: every test that makes one deletes
 * it, so no other spec's sweep of that region meets it.
 */
export async function putRetentionAccountPolicy(client: CloudWatchLogsClient, policyName: string, days: number, prefixes?: string[]): Promise<() => Promise<void>> {
    await client.send(
        new PutAccountPolicyCommand({
            policyName,
            policyType: "RETENTION_POLICY",
            policyDocument: JSON.stringify({ retentionInDays: days, enforcementMode: "RETROACTIVE" }),
            ...(prefixes === undefined ? {} : { selectionCriteria: `LogGroupNamePrefix IN ${JSON.stringify(prefixes)}` }),
        }),
    );
    return async () => {
        await client.send(new DeleteAccountPolicyCommand({ policyName, policyType: "RETENTION_POLICY" }));
    };
}

/** What the code under test printed while `run` ran: stdout and stderr lines (EMF documents and JSON log lines among them). */
export async function captured<T>(run: () => Promise<T>): Promise<{ value?: T; error?: unknown; lines: string[] }> {
    const lines: string[] = [];
    const streams = [process.stdout, process.stderr];
    const saved = streams.map((stream) => stream.write.bind(stream));
    for (const stream of streams) {
        stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
            lines.push(...(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")).split("\n").filter((line) => line.length > 0));
            rest.find((arg): arg is () => void => typeof arg === "function")?.();
            return true;
        });
    }
    try {
        return { value: await run(), lines };
    } catch (error) {
        return { error, lines };
    } finally {
        streams.forEach((stream, index) => (stream.write = saved[index]));
    }
}

/** The JSON objects among printed lines. */
export function jsonLines(lines: string[]): Record<string, unknown>[] {
    return lines.flatMap((line): Record<string, unknown>[] => {
        try {
            const parsed = JSON.parse(line) as Record<string, unknown> | null;
            return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? [parsed] : [];
        } catch {
            return [];
        }
    });
}

/** The EMF documents among printed lines, each with its dimension names (the metrics are its other fields). */
export function emfDocuments(lines: string[]): { dimensions: string[]; values: Record<string, unknown> }[] {
    return jsonLines(lines)
        .filter((document) => typeof document["_aws"] === "object")
        .map((document) => {
            const meta = document["_aws"] as { CloudWatchMetrics: { Dimensions: string[][] }[] };
            return { dimensions: [...(meta.CloudWatchMetrics[0]?.Dimensions[0] ?? [])].sort(), values: document };
        });
}
