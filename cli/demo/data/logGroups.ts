import { Random } from "../random";

/** A log group to create before the sweep; `retentionDays` undefined = never expire (the CloudWatch default). */
export interface GeneratedLogGroup {
    name: string;
    retentionDays?: number;
}

/** Retention values as found in an account that mostly follows the rule: a third never expire or keep too long. */
const RETENTIONS: readonly (readonly [number | undefined, number])[] = [
    [undefined, 12],
    [1, 8],
    [3, 10],
    [5, 10],
    [7, 30],
    [14, 5],
    [30, 8],
    [90, 4],
    [365, 3],
    [3653, 2],
];

const PREFIXES = ["/aws/lambda/", "/ecs/", "/app/", "/aws/apigateway/", "/aws/rds/instance/", "/aws/codebuild/"] as const;
const WORDS = ["orders", "billing", "dispatch", "pricing", "auth", "search", "notify", "geo", "reports", "ledger", "quotes", "surge"] as const;

/** `count` uniquely named log groups with mixed retention under `root` (so a demo run's groups are easy to tell apart). */
export function generateLogGroups(random: Random, root: string, count: number): GeneratedLogGroup[] {
    const groups: GeneratedLogGroup[] = [];
    for (let index = 0; index < count; index++) {
        const name = `${random.pick(PREFIXES)}${root}/${random.pick(WORDS)}-${random.pick(WORDS)}-${String(index).padStart(4, "0")}`;
        const retentionDays = random.weighted(RETENTIONS);
        groups.push(retentionDays === undefined ? { name } : { name, retentionDays });
    }
    return groups;
}

/** Counts by retention value ("never" for unset), in a stable order. */
export function countByRetention(groups: readonly { retentionDays?: number }[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const group of groups) {
        const key = group.retentionDays === undefined ? "never" : String(group.retentionDays);
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return new Map([...counts].sort(([a], [b]) => (a === "never" ? 1 : b === "never" ? -1 : Number(a) - Number(b))));
}
