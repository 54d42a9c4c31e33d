import { CreateLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";

import type { PlatformConfig } from "../../components/config";
import { retentionFunctionConfig } from "../../components/retentionEnforcer";
import { COVERED_REGIONS_ENV, makeRetentionHandler, RetentionOutcome } from "../../functions/retention/handler";
import { makeDecider } from "../../functions/retention/decision";
import { loadSerializedFactory } from "../../test/harness/closure";
import { countByRetention, generateLogGroups } from "./data/logGroups";
import { Random } from "./random";
import type { AwsClients } from "./resources";
import { check, inParallel, n, Print, progress, rate, StepReport, table } from "./ui";

async function describeAll(clients: AwsClients): Promise<{ logGroupName: string; retentionInDays?: number }[]> {
    const groups: { logGroupName: string; retentionInDays?: number }[] = [];
    let nextToken: string | undefined;
    do {
        const page = await clients.logs.send(new DescribeLogGroupsCommand({ nextToken, limit: 50 }));
        for (const group of page.logGroups ?? []) {
            groups.push(group.retentionInDays === undefined ? { logGroupName: group.logGroupName! } : { logGroupName: group.logGroupName!, retentionInDays: group.retentionInDays });
        }
        nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return groups;
}

/**
 * Step 5: creates a few hundred log groups with mixed retention, runs the serialized scheduled sweep, and
 * prints the counts by retention before and after. Asserts every group is at or under the stack's maximum,
 * that groups already compliant were not touched, and that the sweep changed exactly the others.
 */
export async function runRetentionStep(options: { config: PlatformConfig; clients: AwsClients; count: number; seed: number; stack: string; print: Print }): Promise<StepReport> {
    const { config, clients, print } = options;
    const target = config.retention.maxRetentionDays;
    const groups = generateLogGroups(new Random(options.seed).fork("log-groups"), options.stack, options.count);
    const bar = progress("creating log groups", groups.length, print);
    await inParallel(groups, 16, async (group) => {
        await clients.logs.send(new CreateLogGroupCommand({ logGroupName: group.name }));
        if (group.retentionDays !== undefined) {
            await clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: group.name, retentionInDays: group.retentionDays }));
        }
        bar.tick();
    });
    bar.done();

    const before = await describeAll(clients);
    const functionConfig = retentionFunctionConfig(config.retention, config.region, config.stack);
    // The deployed function's own stack decides which platform groups are its own (swept) and which another stack's (left alone).
    const decide = makeDecider({ ...functionConfig.settings, stack: functionConfig.stack });
    const expectedChanges = before.filter((group) => decide(group).action === "set").length;
    const excluded = before.filter((group) => decide(group).action === "excluded");

    // As deployed, the role covers the region the demo sweeps (the component sets this from the same list as the grant).
    process.env[COVERED_REGIONS_ENV] = config.region;
    const { handler } = await loadSerializedFactory(makeRetentionHandler(functionConfig));
    print(`    sweeping ${n(before.length)} log groups (${n(expectedChanges)} over ${target} days or never expiring), PutRetentionPolicy paced at ${functionConfig.settings.putsPerSecond}/s as deployed...`);
    const started = performance.now();
    const outcome: RetentionOutcome = await handler({ kind: "sweep", region: config.region }, { getRemainingTimeInMillis: () => 900_000, functionName: `retention-enforcer-${options.stack}`, awsRequestId: `demo-${options.seed}` });
    const sweepMs = performance.now() - started;
    check(outcome.kind === "sweep" && !outcome.continued && outcome.result.complete, "the sweep did not finish in one invocation");
    const result = outcome.result;

    const after = await describeAll(clients);
    const afterByName = new Map(after.map((group) => [group.logGroupName, group.retentionInDays]));
    check(after.length === before.length, `${before.length} log groups before the sweep, ${after.length} after`);
    for (const group of before) {
        const now = afterByName.get(group.logGroupName);
        const decision = decide(group).action;
        if (decision === "set") {
            check(now === target, `${group.logGroupName}: retention ${String(group.retentionInDays ?? "never")} should now be ${target} days, it is ${String(now ?? "never")}`);
        } else {
            check(now === group.retentionInDays, `${group.logGroupName}: retention ${String(group.retentionInDays)} should be untouched (${decision}), it is ${String(now ?? "never")}`);
        }
        if (decision !== "excluded") check(now !== undefined && now <= target, `${group.logGroupName}: retention ${String(now ?? "never")} is over ${target} days after the sweep`);
    }
    check(result.scanned === before.length, `the sweep scanned ${result.scanned} groups, the region has ${before.length}`);
    check(result.changed === expectedChanges, `the sweep changed ${result.changed} groups, ${expectedChanges} were over ${target} days`);
    check(result.failed === 0, `${result.failed} groups failed: ${result.failedGroups.join(", ")}`);

    const asGenerated = (list: { retentionInDays?: number }[]) => list.map((group) => (group.retentionInDays === undefined ? {} : { retentionDays: group.retentionInDays }));
    const beforeCounts = countByRetention(asGenerated(before));
    const afterCounts = countByRetention(asGenerated(after));
    const keys = [...new Set([...beforeCounts.keys(), ...afterCounts.keys()])];
    const ordered = [...countByRetention(keys.map((key) => (key === "never" ? {} : { retentionDays: Number(key) }))).keys()];
    print(`    log groups by retention (days), before and after the sweep (target ${target}):`);
    print(table(["retention", "before", "after"], ordered.map((key) => [key, beforeCounts.get(key) ?? 0, afterCounts.get(key) ?? 0])));
    print(`    sweep: scanned ${n(result.scanned)}, changed ${n(result.changed)}, compliant ${n(result.compliant)}, excluded ${n(result.excluded)}, failed ${n(result.failed)} in ${(sweepMs / 1000).toFixed(1)}s`);
    return {
        outcome: `${n(result.changed)} of ${n(result.scanned)} log groups set to ${target} days, ${n(result.compliant)} left alone${excluded.length > 0 ? `, ${excluded.length} excluded` : ""}; none over ${target} days`,
        proves: "the sweep as deployed pages through every group, changes exactly the non-compliant ones and stays under the PutRetentionPolicy pace",
        figures: { "retention puts/s (paced)": rate(result.changed, sweepMs) },
    };
}
