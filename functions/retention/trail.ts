import { AdvancedEventSelector, CloudTrailClient, EventSelector, GetEventSelectorsCommand, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";

import { awsClientConfig } from "../shared/awsClient";
import { describeError } from "../shared/errors";

/** What the on-create rule needs from the account's trail, checked on every sweep-all. */
export interface TrailCheck {
    trailArn: string;
    /** True when the trail is logging and records CloudTrail's CreateLogGroup record (a management write event). */
    ok: boolean;
    isLogging?: boolean;
    recordsCreateLogGroup?: boolean;
    /** What is wrong, each with the command that fixes it. */
    problems: string[];
}

const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):\d{12}:trail\/[A-Za-z0-9_.-]{3,128}$/;

/** The event the on-create rule reads, as an advanced event selector sees it. */
const CREATE_LOG_GROUP_EVENT: Record<string, string> = {
    eventCategory: "Management",
    readOnly: "false",
    eventSource: "logs.amazonaws.com",
    eventName: "CreateLogGroup",
};

/**
 * Checks the trail named by ARN (GetTrailStatus and GetEventSelectors, in the trail's home region, on exactly that
 * ARN): it must be logging, and its event selectors must record management write events of CloudWatch Logs. Never
 * throws: a call that fails is a problem of the check (the trail cannot be shown to work).
 */
export async function checkTrail(trailArn: string, client?: CloudTrailClient): Promise<TrailCheck> {
    const home = TRAIL_ARN.exec(trailArn)?.[1];
    if (home === undefined) return { trailArn, ok: false, problems: [`${trailArn} is not a CloudTrail trail ARN: set retention.existingTrailArn to arn:aws:cloudtrail:<region>:<account>:trail/<name>`] };
    const cloudtrail = client ?? new CloudTrailClient(awsClientConfig({ region: home, maxAttempts: 5 }));
    const problems: string[] = [];
    let isLogging: boolean | undefined;
    let recordsCreateLogGroup: boolean | undefined;
    try {
        const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: trailArn }));
        isLogging = status.IsLogging === true;
        if (!isLogging) problems.push(`the trail is not logging: aws cloudtrail start-logging --name ${trailArn}`);
    } catch (error) {
        problems.push(`GetTrailStatus failed: ${describeError(error)} (check the ARN in retention.existingTrailArn and the function's cloudtrail:GetTrailStatus grant)`);
    }
    try {
        const selectors = await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: trailArn }));
        recordsCreateLogGroup = recordsManagementWrites(selectors.EventSelectors ?? [], selectors.AdvancedEventSelectors ?? []);
        if (!recordsCreateLogGroup) {
            problems.push(
                `its event selectors do not record management write events of logs.amazonaws.com (CreateLogGroup): aws cloudtrail put-event-selectors --trail-name ${trailArn} --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]' (or add them to its advanced selectors)`,
            );
        }
    } catch (error) {
        problems.push(`GetEventSelectors failed: ${describeError(error)} (check the ARN in retention.existingTrailArn and the function's cloudtrail:GetEventSelectors grant)`);
    }
    return {
        trailArn,
        ok: problems.length === 0,
        ...(isLogging === undefined ? {} : { isLogging }),
        ...(recordsCreateLogGroup === undefined ? {} : { recordsCreateLogGroup }),
        problems,
    };
}

/**
 * Whether a trail with these selectors records a CreateLogGroup call. No selectors at all is a trail's default: every
 * management event (CloudTrail user guide, "Logging management events"). A basic selector needs management events
 * with ReadWriteType All or WriteOnly (and logs.amazonaws.com not excluded); an advanced selector records the event
 * when every one of its field selectors matches it.
 */
export function recordsManagementWrites(basic: EventSelector[], advanced: AdvancedEventSelector[]): boolean {
    if (basic.length === 0 && advanced.length === 0) return true;
    const byBasic = basic.some(
        (selector) =>
            selector.IncludeManagementEvents !== false &&
            (selector.ReadWriteType === undefined || selector.ReadWriteType === "All" || selector.ReadWriteType === "WriteOnly") &&
            !(selector.ExcludeManagementEventSources ?? []).includes("logs.amazonaws.com"),
    );
    return byBasic || advanced.some((selector) => (selector.FieldSelectors ?? []).every((field) => fieldMatches(field, CREATE_LOG_GROUP_EVENT)));
}

function fieldMatches(field: NonNullable<AdvancedEventSelector["FieldSelectors"]>[number], event: Record<string, string>): boolean {
    const value = event[field.Field ?? ""];
    // A field the event does not have (resources.type, ...) selects data events: a management event never matches it.
    if (value === undefined) return false;
    const checks: boolean[] = [];
    if (field.Equals) checks.push(field.Equals.includes(value));
    if (field.NotEquals) checks.push(!field.NotEquals.includes(value));
    if (field.StartsWith) checks.push(field.StartsWith.some((prefix) => value.startsWith(prefix)));
    if (field.NotStartsWith) checks.push(!field.NotStartsWith.some((prefix) => value.startsWith(prefix)));
    if (field.EndsWith) checks.push(field.EndsWith.some((suffix) => value.endsWith(suffix)));
    if (field.NotEndsWith) checks.push(!field.NotEndsWith.some((suffix) => value.endsWith(suffix)));
    return checks.every(Boolean);
}
