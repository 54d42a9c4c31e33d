import { InputError } from "../shared/errors";
import { REGION_PATTERN } from "./regions";
import { SweepTotals } from "./sweep";

/**
 * The schedule's constant input: discover the enabled regions, start one sweep per region (the function invokes
 * itself asynchronously), and check the existing trail.
 */
export interface SweepAllEvent {
    kind: "sweep-all";
}

/** The sweep of one region (sent by the sweep-all fan-out, or by hand). */
export interface SweepEvent {
    kind: "sweep";
    region: string;
}

/** A sweep resumed by the function itself, where the previous invocation stopped. */
export interface ContinueEvent {
    kind: "continue";
    region: string;
    sweepId: string;
    /** 2 for the first resumption, and so on. */
    invocation: number;
    nextToken: string;
    totals: SweepTotals;
}

/** CloudTrail's record of a CreateLogGroup call, as EventBridge delivers it. */
export interface CreateLogGroupEvent {
    kind: "create";
    region: string;
    logGroupName: string;
    /** The class the group was created with, when the call said (DELIVERY groups are skipped without a describe). */
    logGroupClass?: string;
    eventId?: string;
}

export type RetentionEvent = SweepAllEvent | SweepEvent | ContinueEvent | CreateLogGroupEvent;

/**
 * Reads what invoked the function: the schedule's `{ kind: "sweep-all" }`, a region's `{ kind: "sweep", region }`, a resumption, or an EventBridge
 * "AWS API Call via CloudTrail" event for CreateLogGroup. Anything else is an InputError that names what is
 * missing or wrong.
 */
export function parseEvent(event: unknown): RetentionEvent {
    if (!isRecord(event)) {
        throw new InputError(`retention event: expected a JSON object, got ${event === null ? "null" : typeof event}`);
    }
    if (event["detail-type"] !== undefined || event["source"] !== undefined) {
        return parseCloudTrailEvent(event);
    }
    const kind = event["kind"];
    if (kind === "sweep-all") {
        return { kind };
    }
    if (kind === "sweep") {
        return { kind, region: region(event["region"], "region") };
    }
    if (kind === "continue") {
        const nextToken = event["nextToken"];
        const sweepId = event["sweepId"];
        const invocation = event["invocation"];
        if (typeof nextToken !== "string" || nextToken.length === 0) throw new InputError("retention continue event: nextToken is missing (the page token to resume from)");
        if (typeof sweepId !== "string") throw new InputError("retention continue event: sweepId is missing");
        if (typeof invocation !== "number" || !Number.isInteger(invocation) || invocation < 2) throw new InputError("retention continue event: invocation must be an integer of at least 2");
        const totals = withNewCounts(event["totals"]);
        if (!isTotals(totals)) throw new InputError("retention continue event: totals is missing or malformed (the counts of the previous invocations)");
        return { kind, region: region(event["region"], "region"), sweepId, invocation, nextToken, totals };
    }
    throw new InputError(
        'retention event: not a schedule ({"kind":"sweep-all"}), a region\'s sweep ({"kind":"sweep","region":"eu-west-1"}), a resumption, or a CloudTrail CreateLogGroup event (detail-type "AWS API Call via CloudTrail")',
    );
}

function parseCloudTrailEvent(event: Record<string, unknown>): CreateLogGroupEvent {
    if (event["detail-type"] !== "AWS API Call via CloudTrail") {
        throw new InputError(`CreateLogGroup event: detail-type must be "AWS API Call via CloudTrail", got ${JSON.stringify(event["detail-type"])}`);
    }
    const detail = event["detail"];
    if (!isRecord(detail)) throw new InputError("CreateLogGroup event: detail is missing");
    if (detail["eventName"] !== "CreateLogGroup") {
        throw new InputError(`CreateLogGroup event: detail.eventName must be "CreateLogGroup", got ${JSON.stringify(detail["eventName"])} (check the rule's event pattern)`);
    }
    const parameters = detail["requestParameters"];
    if (!isRecord(parameters)) throw new InputError("CreateLogGroup event: detail.requestParameters is missing (CloudTrail records it for a successful call)");
    const logGroupName = parameters["logGroupName"];
    if (typeof logGroupName !== "string" || logGroupName.length === 0 || logGroupName.length > 512) {
        throw new InputError("CreateLogGroup event: detail.requestParameters.logGroupName is missing or not a log group name");
    }
    const where = event["region"] ?? detail["awsRegion"];
    const logGroupClass = parameters["logGroupClass"];
    const eventId = event["id"];
    return {
        kind: "create",
        region: region(where, "region (or detail.awsRegion)"),
        logGroupName,
        ...(typeof logGroupClass === "string" ? { logGroupClass } : {}),
        ...(typeof eventId === "string" ? { eventId } : {}),
    };
}

function region(value: unknown, field: string): string {
    if (typeof value !== "string" || !REGION_PATTERN.test(value)) {
        throw new InputError(`retention event: ${field} is missing or not an AWS region like eu-west-1 (got ${JSON.stringify(value)})`);
    }
    return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A resumption sent by the version before account policies and stacks were counted (in flight during a deployment)
 * lacks their counts: they start at zero rather than failing the sweep.
 */
function withNewCounts(value: unknown): unknown {
    if (!isRecord(value)) return value;
    return { otherStack: 0, overridden: 0, overriddenGroups: [], overriddenByPolicy: {}, ...value };
}

function isTotals(value: unknown): value is SweepTotals {
    if (!isRecord(value)) return false;
    const counts = ["scanned", "changed", "wouldChange", "compliant", "deliverySkipped", "excluded", "otherStack", "overridden", "failed", "vanished", "pages"];
    const lists = ["failedGroups", "changedGroups", "excludedGroups", "deliveryGroups", "overriddenGroups"];
    const byPolicy = value["overriddenByPolicy"];
    return (
        counts.every((key) => typeof value[key] === "number") &&
        lists.every((key) => Array.isArray(value[key])) &&
        isRecord(byPolicy) &&
        Object.values(byPolicy).every((count) => typeof count === "number") &&
        typeof value["listsTruncated"] === "boolean"
    );
}
