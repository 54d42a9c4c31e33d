import { CloudWatchLogsClient, DescribeLogGroupsCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";

import { awsClientConfig } from "../shared/awsClient";
import { Deadline } from "../shared/deadline";
import { describeError, InputError, RetryableError } from "../shared/errors";
import { createLogger } from "../shared/logger";
import { createMetrics, publishCounts } from "../shared/metrics";
import { deletePolicyCommand, describeRetention } from "./accountPolicies";
import { RetentionSettings, resolveSettings } from "./config";
import { makeDecider } from "./decision";
import { ContinueEvent, CreateLogGroupEvent, parseEvent, SweepEvent } from "./events";
import { parseCoveredRegions, planRegions } from "./fanOut";
import { createPacedLogsClient } from "./logsClient";
import { discoverEnabledRegions } from "./regions";
import { emptyTotals, SweepResult, sweepRegion, SweepTotals } from "./sweep";
import { checkTrail, TrailCheck } from "./trail";

/** The plain configuration the RetentionEnforcer component serializes into the function. */
export interface RetentionFunctionConfig {
    /** What is enforced: the target, exclusions, pace (its `stack` is set from `stack` below). */
    settings: RetentionSettings;
    /** The function's stack: its own log groups are swept, other stacks' of this platform are not; a dimension of its metrics. */
    stack: string;
    /** The stack's region: where the function runs, where DescribeRegions is called, where CreateLogGroup events come from. */
    homeRegion: string;
    /** `retention.regions`: narrows the regions a sweep-all starts sweeps in (empty = every enabled region). */
    onlyRegions: string[];
    /** `retention.existingTrailArn`: the trail the on-create rule relies on, checked on every sweep-all. */
    existingTrailArn?: string;
    /** Stop starting pages this long before the invocation's timeout (the current page must finish within it). */
    reserveMs: number;
}

/**
 * The environment variable holding the regions the role's log-group grant names (comma-separated). Set by the component
 * from the same list as the grant (`aws.getRegionsOutput`, known only at deployment, or `retention.regions`).
 */
export const COVERED_REGIONS_ENV = "RETENTION_COVERED_REGIONS";

/**
 * Names kept per list (failed, changed, excluded, DELIVERY, overridden) in a sweep's totals, which travel in the
 * resumption event: five lists of 80 names of at most 512 characters stay far below Lambda's 256 KB async payload.
 */
export const RESUME_LIST_LIMIT = 80;

/**
 * The metrics the component alarms on (dimensions: service, stack). Every other count is published per region
 * (dimensions: service, stack, region).
 */
export const ALARM_METRICS = {
    /** 1 when a region's sweep completed without failures (0 when it completed with some): the heartbeat. */
    heartbeat: "RegionSweepSucceeded",
    /** RETENTION_POLICY account policies found in a region (each invocation of a region's sweep). */
    accountPolicies: "AccountRetentionPolicies",
    /** Enabled regions the role does not cover (each sweep-all). */
    notCovered: "RegionsNotCovered",
    /** 1 when the existing trail is not logging or not recording CreateLogGroup (each sweep-all, with existingTrailArn). */
    trail: "TrailNotRecording",
} as const;

/** The part of the Lambda context the handler reads. */
export interface LambdaContextLike {
    getRemainingTimeInMillis(): number;
    functionName?: string;
    invokedFunctionArn?: string;
    awsRequestId?: string;
}

export type CreateOutcome = "changed" | "compliant" | "delivery" | "excluded" | "overridden" | "vanished";

export type RetentionOutcome =
    | { kind: "sweep-all"; discovered: string[]; fannedOut: string[]; notCovered: string[]; notEnabled: string[]; trail?: TrailCheck }
    | { kind: "sweep"; sweepId: string; invocation: number; result: SweepResult; continued: boolean }
    | { kind: "create"; region: string; logGroupName: string; outcome: CreateOutcome };

/**
 * The Lambda handler factory (serialized by the component).
 * - `sweep-all` (the schedule): discovers the enabled regions, narrows them to `onlyRegions`, and invokes itself
 *   asynchronously once per region it covers; a region it does not cover is reported (ERROR line + metric), and with
 *   `existingTrailArn` the trail is checked. Throws only when discovery or an invoke fails.
 * - `sweep` / `continue`: sweeps one region; out of time, it re-invokes itself with its page token and totals.
 *   Account-level retention policies are listed and reported; the groups they govern are never put.
 * - a CloudTrail CreateLogGroup event: the same decision for that one group.
 * Throws (so Lambda retries, then keeps the event in the on-failure queue, and the error alarm fires) on a malformed
 * event, on a failed put, and at the end of a sweep in which a group failed or the account policies could not be listed.
 */
export function makeRetentionHandler(config: RetentionFunctionConfig): () => (event: unknown, context: LambdaContextLike) => Promise<RetentionOutcome> {
    return () => {
        const settings = resolveSettings({ ...config.settings, stack: config.stack });
        const logger = createLogger("retention-enforcer");
        const metrics = createMetrics("retention-enforcer");
        const decide = makeDecider(settings);
        const stack = config.stack;
        const logsClients = new Map<string, CloudWatchLogsClient>();
        let lambda: LambdaClient | undefined;

        // Read when needed (the environment does not change while a container lives).
        const covered = (): string[] => parseCoveredRegions(process.env[COVERED_REGIONS_ENV], COVERED_REGIONS_ENV);
        const logsFor = (region: string): CloudWatchLogsClient => {
            const regions = covered();
            if (!regions.includes(region)) {
                throw new InputError(`region ${region} is not one this function's role covers (${regions.join(", ")}): redeploy the stack to cover it (retention.regions, or every enabled region when empty)`);
            }
            let client = logsClients.get(region);
            if (!client) {
                client = createPacedLogsClient(region, settings);
                logsClients.set(region, client);
            }
            return client;
        };
        const invokeSelf = async (context: LambdaContextLike, payload: SweepEvent | ContinueEvent): Promise<void> => {
            const functionName = context.functionName ?? context.invokedFunctionArn;
            if (functionName === undefined) throw new InputError("the Lambda context has no functionName: cannot invoke the function itself");
            lambda ??= new LambdaClient(awsClientConfig({ region: config.homeRegion, maxAttempts: 5 }));
            await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload)) }));
        };

        const onSweepAll = async (context: LambdaContextLike): Promise<RetentionOutcome> => {
            const coveredRegions = covered();
            const plan = planRegions(await discoverEnabledRegions(config.homeRegion), config.onlyRegions, coveredRegions);
            const failedInvokes: string[] = [];
            await Promise.all(
                plan.toSweep.map(async (region) => {
                    try {
                        await invokeSelf(context, { kind: "sweep", region });
                    } catch (error) {
                        failedInvokes.push(`${region} (${describeError(error)})`);
                    }
                }),
            );
            for (const region of plan.notCovered) {
                logger.error("region not covered: the function's role has no grant there, its log groups are NOT swept; redeploy the stack to cover it", { region, stack });
            }
            if (plan.notEnabled.length > 0) {
                logger.warn("regions in retention.regions that are not enabled in the account: nothing to sweep there", { regions: plan.notEnabled });
            }
            const alarmCounts: Record<string, number> = { [ALARM_METRICS.notCovered]: plan.notCovered.length, RegionsDiscovered: plan.discovered.length, RegionsFannedOut: plan.toSweep.length - failedInvokes.length };
            let trail: TrailCheck | undefined;
            if (config.existingTrailArn !== undefined) {
                trail = await checkTrail(config.existingTrailArn);
                alarmCounts[ALARM_METRICS.trail] = trail.ok ? 0 : 1;
                if (trail.ok) logger.info("trail check passed: logging, and recording CreateLogGroup", { trailArn: trail.trailArn });
                else logger.error("trail check failed: the CreateLogGroup rule gets no events until this is fixed (the schedule still sweeps)", { trailArn: trail.trailArn, problems: trail.problems });
            }
            publishCounts(metrics, { stack }, alarmCounts);
            logger.info("retention sweep-all", { discovered: plan.discovered.length, fannedOut: plan.toSweep, notCovered: plan.notCovered, notEnabled: plan.notEnabled });
            if (failedInvokes.length > 0) {
                throw new RetryableError(`sweep-all: could not start the sweep of ${failedInvokes.length} region(s): ${failedInvokes.join("; ")}`);
            }
            return { kind: "sweep-all", discovered: plan.discovered, fannedOut: plan.toSweep, notCovered: plan.notCovered, notEnabled: plan.notEnabled, ...(trail === undefined ? {} : { trail }) };
        };

        const onCreate = async (event: CreateLogGroupEvent): Promise<RetentionOutcome> => {
            const client = logsFor(event.region);
            const done = (outcome: CreateOutcome): RetentionOutcome => {
                logger.info("retention on create", { region: event.region, logGroupName: event.logGroupName, outcome, eventId: event.eventId });
                publishCounts(metrics, { stack, region: event.region }, { [`create_${outcome}`]: 1 });
                return { kind: "create", region: event.region, logGroupName: event.logGroupName, outcome };
            };
            const byName = decide({ logGroupName: event.logGroupName, logGroupClass: event.logGroupClass, retentionInDays: 0 });
            if (byName.action === "excluded") return done("excluded");
            if (byName.action === "delivery") return done("delivery");
            // The group as it is now (CloudTrail events arrive minutes late): its exact name sorts first under its own prefix.
            const page = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: event.logGroupName, limit: 1 })).catch((error: unknown) => {
                throw new RetryableError(`DescribeLogGroups for ${event.logGroupName} failed: ${describeError(error)}`, { cause: error });
            });
            const group = page.logGroups?.find((candidate) => candidate.logGroupName === event.logGroupName);
            if (!group) return done("vanished");
            const decision = decide(group);
            if (decision.action === "overridden") {
                logger.error("new log group governed by an account-level retention policy: no put (it would have no effect); delete the policy", {
                    region: event.region,
                    logGroupName: event.logGroupName,
                    policyName: decision.policy,
                    fix: deletePolicyCommand(decision.policy, event.region),
                });
                return done("overridden");
            }
            if (decision.action !== "set") return done(decision.action);
            try {
                await client.send(new PutRetentionPolicyCommand({ logGroupName: event.logGroupName, retentionInDays: settings.targetDays }));
            } catch (error) {
                if (error instanceof Error && error.name === "ResourceNotFoundException") return done("vanished");
                throw new RetryableError(`PutRetentionPolicy on ${event.logGroupName} failed after retries: ${describeError(error)}`, { cause: error });
            }
            return done("changed");
        };

        const onSweep = async (event: { region: string; sweepId: string; invocation: number; nextToken?: string; totals: SweepTotals }, context: LambdaContextLike): Promise<RetentionOutcome> => {
            const client = logsFor(event.region);
            const deadline = new Deadline(context, config.reserveMs);
            const before = event.totals;
            const result = await sweepRegion({
                region: event.region,
                settings,
                client,
                startToken: event.nextToken,
                totals: before,
                msLeft: () => deadline.msLeft(),
                listLimit: RESUME_LIST_LIMIT,
                onPutFailure: (logGroupName, error) => logger.warn("put retention failed", { region: event.region, logGroupName, error: describeError(error) }),
            });
            publishCounts(metrics, { stack, region: event.region }, countDelta(before, result));
            const summary = { region: event.region, sweepId: event.sweepId, invocation: event.invocation, ...countsOf(result), failedGroups: result.failedGroups };
            const continues = !result.complete && result.nextToken !== undefined;
            const alarmCounts: Record<string, number> = {};
            if (result.accountPoliciesError === undefined) alarmCounts[ALARM_METRICS.accountPolicies] = result.accountPolicies.length;
            if (!continues) alarmCounts[ALARM_METRICS.heartbeat] = result.failed === 0 && result.accountPoliciesError === undefined ? 1 : 0;
            if (Object.keys(alarmCounts).length > 0) publishCounts(metrics, { stack }, alarmCounts);

            if (continues && result.nextToken !== undefined) {
                const next: ContinueEvent = { kind: "continue", region: event.region, sweepId: event.sweepId, invocation: event.invocation + 1, nextToken: result.nextToken, totals: totalsOf(result) };
                await invokeSelf(context, next);
                logger.info("retention sweep continues in a new invocation", summary);
                return { kind: "sweep", sweepId: event.sweepId, invocation: event.invocation, result, continued: true };
            }
            for (const policy of result.accountPolicies) {
                logger.error("account-level retention policy overrides the retention of the log groups it selects: they are NOT enforced; delete it", {
                    region: event.region,
                    policyName: policy.policyName,
                    retention: describeRetention(policy),
                    enforcementMode: policy.enforcementMode,
                    selectionCriteria: policy.selectionCriteria ?? "every log group",
                    overriddenGroups: result.overriddenByPolicy[policy.policyName] ?? 0,
                    fix: deletePolicyCommand(policy.policyName, event.region),
                });
            }
            logger.info("retention sweep finished", { ...summary, overriddenGroups: result.overriddenGroups, accountPolicies: result.accountPolicies.map((policy) => policy.policyName) });
            if (result.accountPoliciesError !== undefined) {
                throw new RetryableError(`retention sweep of ${event.region}: the account-level retention policies could not be listed, so the region is not verified: ${result.accountPoliciesError}`);
            }
            if (result.failed > 0) {
                throw new RetryableError(`retention sweep of ${event.region}: ${result.failed} log group(s) could not be set to ${settings.targetDays} days: ${result.failedGroups.join(", ")}`);
            }
            return { kind: "sweep", sweepId: event.sweepId, invocation: event.invocation, result, continued: false };
        };

        return async (raw, context) => {
            let event;
            try {
                event = parseEvent(raw);
            } catch (error) {
                logger.error("rejected event", { error: describeError(error) });
                throw error;
            }
            if (event.kind === "sweep-all") return onSweepAll(context);
            if (event.kind === "create") return onCreate(event);
            if (event.kind === "sweep") {
                return onSweep({ region: event.region, sweepId: context.awsRequestId ?? `sweep-${Date.now()}`, invocation: 1, totals: emptyTotals() }, context);
            }
            return onSweep(event, context);
        };
    };
}

const COUNT_KEYS = ["scanned", "changed", "wouldChange", "compliant", "deliverySkipped", "excluded", "otherStack", "overridden", "failed", "vanished", "pages"] as const;

function countsOf(totals: SweepTotals): Record<(typeof COUNT_KEYS)[number], number> {
    return Object.fromEntries(COUNT_KEYS.map((key) => [key, totals[key]])) as Record<(typeof COUNT_KEYS)[number], number>;
}

function countDelta(before: SweepTotals, after: SweepTotals): Record<string, number> {
    return Object.fromEntries(COUNT_KEYS.map((key) => [key, after[key] - before[key]]));
}

function totalsOf(result: SweepResult): SweepTotals {
    return {
        ...countsOf(result),
        failedGroups: result.failedGroups,
        changedGroups: result.changedGroups,
        excludedGroups: result.excludedGroups,
        deliveryGroups: result.deliveryGroups,
        overriddenGroups: result.overriddenGroups,
        overriddenByPolicy: result.overriddenByPolicy,
        listsTruncated: result.listsTruncated,
    };
}
