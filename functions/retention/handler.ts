import { CloudWatchLogsClient, DescribeLogGroupsCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";

import { awsClientConfig } from "../shared/awsClient";
import { Deadline } from "../shared/deadline";
import { describeError, InputError, RetryableError } from "../shared/errors";
import { createLogger } from "../shared/logger";
import { createMetrics, publishCounts } from "../shared/metrics";
import { RetentionSettings, resolveSettings } from "./config";
import { makeDecider } from "./decision";
import { ContinueEvent, CreateLogGroupEvent, parseEvent } from "./events";
import { createPacedLogsClient } from "./logsClient";
import { emptyTotals, SweepResult, sweepRegion, SweepTotals } from "./sweep";

/** The plain configuration the RetentionEnforcer component serializes into the function. */
export interface RetentionFunctionConfig {
    settings: RetentionSettings;
    /** Regions this function may sweep (its IAM grants exactly these). */
    regions: string[];
    /** Stop starting pages this long before the invocation's timeout (the current page must finish within it). */
    reserveMs: number;
}

/** Names kept per list (failed, changed, excluded, DELIVERY) in a sweep's totals, which travel in the resumption event. */
export const RESUME_LIST_LIMIT = 100;

/** The part of the Lambda context the handler reads. */
export interface LambdaContextLike {
    getRemainingTimeInMillis(): number;
    functionName?: string;
    invokedFunctionArn?: string;
    awsRequestId?: string;
}

export type RetentionOutcome =
    | { kind: "sweep"; sweepId: string; invocation: number; result: SweepResult; continued: boolean }
    | { kind: "create"; region: string; logGroupName: string; outcome: "changed" | "compliant" | "delivery" | "excluded" | "vanished" };

/**
 * The Lambda handler factory (serialized by the component): schedules sweep a region, a sweep that runs out of
 * time re-invokes the function asynchronously with its page token and totals, and a CloudTrail CreateLogGroup
 * event gets the same decision for that one group. Throws (so Lambda retries, then keeps the event in the
 * on-failure queue, and the error alarm fires) on a malformed event, on a failed put, and at the end of a sweep
 * in which some group failed.
 */
export function makeRetentionHandler(config: RetentionFunctionConfig): () => (event: unknown, context: LambdaContextLike) => Promise<RetentionOutcome> {
    return () => {
        const settings = resolveSettings(config.settings);
        const logger = createLogger("retention-enforcer");
        const metrics = createMetrics("retention-enforcer");
        const decide = makeDecider(settings);
        const logsClients = new Map<string, CloudWatchLogsClient>();
        let lambda: LambdaClient | undefined;
        const logsFor = (region: string): CloudWatchLogsClient => {
            if (!config.regions.includes(region)) {
                throw new InputError(`region ${region} is not one this function enforces (${config.regions.join(", ")}): add it to retention.regions`);
            }
            let client = logsClients.get(region);
            if (!client) {
                client = createPacedLogsClient(region, settings);
                logsClients.set(region, client);
            }
            return client;
        };

        const onCreate = async (event: CreateLogGroupEvent): Promise<RetentionOutcome> => {
            const client = logsFor(event.region);
            const done = (outcome: "changed" | "compliant" | "delivery" | "excluded" | "vanished"): RetentionOutcome => {
                logger.info("retention on create", { region: event.region, logGroupName: event.logGroupName, outcome, eventId: event.eventId });
                publishCounts(metrics, { region: event.region }, { [`create_${outcome}`]: 1 });
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
            if (decision.action !== "set") return done(decision.action === "delivery" ? "delivery" : decision.action === "excluded" ? "excluded" : "compliant");
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
                // Four lists of at most 100 names (512 characters at most) keep the resumption event under Lambda's 256 KB async payload.
                listLimit: RESUME_LIST_LIMIT,
                onPutFailure: (logGroupName, error) => logger.warn("put retention failed", { region: event.region, logGroupName, error: describeError(error) }),
            });
            publishCounts(metrics, { region: event.region }, countDelta(before, result));
            const summary = { region: event.region, sweepId: event.sweepId, invocation: event.invocation, ...countsOf(result), failedGroups: result.failedGroups };
            if (!result.complete && result.nextToken !== undefined) {
                const next: ContinueEvent = { kind: "continue", region: event.region, sweepId: event.sweepId, invocation: event.invocation + 1, nextToken: result.nextToken, totals: totalsOf(result) };
                const functionName = context.functionName ?? context.invokedFunctionArn;
                if (functionName === undefined) throw new InputError("the Lambda context has no functionName: cannot resume the sweep");
                lambda ??= new LambdaClient(awsClientConfig({ maxAttempts: 5 }));
                await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(next)) }));
                logger.info("retention sweep continues in a new invocation", summary);
                return { kind: "sweep", sweepId: event.sweepId, invocation: event.invocation, result, continued: true };
            }
            logger.info("retention sweep finished", summary);
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
            if (event.kind === "create") return onCreate(event);
            if (event.kind === "sweep") {
                return onSweep({ region: event.region, sweepId: context.awsRequestId ?? `sweep-${Date.now()}`, invocation: 1, totals: emptyTotals() }, context);
            }
            return onSweep(event, context);
        };
    };
}

const COUNT_KEYS = ["scanned", "changed", "wouldChange", "compliant", "deliverySkipped", "excluded", "failed", "vanished", "pages"] as const;

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
        listsTruncated: result.listsTruncated,
    };
}
