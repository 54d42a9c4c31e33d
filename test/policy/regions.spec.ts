/**
 * Issue 16 class 6: provider v7's per-resource `region`. Wherever the pack matches resources by name
 * (a function and its log group, alarm, invoke config, event source mapping; a subscription's
 * destination), a name in another region is another resource.
 */
import { expect } from "chai";

import { lambdaAsyncFailureDestination, lambdaErrorAlarm, lambdaReservedConcurrency } from "../../policypack/policies/compute";
import { lambdaManagedLogGroup, logsAccountSubscriptionNoFeedback } from "../../policypack/policies/logs";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const FUNCTION = "aws:lambda/function:Function";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const fn = (region?: unknown, props: Record<string, unknown> = {}, propertyDependencies?: Record<string, string[]>): StackResourceSpec => ({
    type: FUNCTION,
    name: "edge",
    props: { name: "edge-1a2b3c", ...(region === undefined ? {} : { region }), ...props },
    propertyDependencies,
});
const group = (region?: string, name = "/aws/lambda/edge-1a2b3c"): StackResourceSpec => ({ type: LOG_GROUP, name: `edge-logs-${region ?? "default"}`, props: { name, retentionInDays: 7, ...(region ? { region } : {}) } });
const messages = (violations: { message: string }[]) => violations.map((violation) => violation.message).join("\n");

describe("issue 16 class 6: lambda-managed-log-group keys on region and name", function () {
    const check = (specs: StackResourceSpec[]) => runStackPolicy(lambdaManagedLogGroup, stackArgs(specs));

    it("blocks a function in us-east-1 whose log group is only created in the stack's region, naming both", async function () {
        const text = messages(await check([fn("us-east-1"), group()]));
        expect(text).to.contain("/aws/lambda/edge-1a2b3c in us-east-1").and.contain("the provider's region only");
        expect(messages(await check([fn("us-east-1"), group("eu-west-1")]))).to.contain("eu-west-1 only");
    });

    it("blocks the other way round, and a loggingConfig dependency on a group of another region", async function () {
        expect(await check([fn(), group("us-east-1")])).to.have.length(1);
        const linked = { ...group("eu-west-1", "/platform/edge"), name: "edge-logs" };
        expect(await check([fn("us-east-1", { loggingConfig: { logGroup: "/platform/edge" } }, { loggingConfig: ["edge-logs"] }), linked])).to.have.length(1);
        expect(await check([fn("us-east-1", { loggingConfig: { logGroup: unknown.string } }, { loggingConfig: ["edge-logs"] }), linked])).to.have.length(1);
    });

    it("passes the group created in the function's region (explicit on both, or both the provider's), and unknown regions", async function () {
        expect(await check([fn("us-east-1"), group("us-east-1")])).to.deep.equal([]);
        expect(await check([fn(), group()])).to.deep.equal([]);
        expect(await check([fn("eu-west-1"), group("eu-west-1"), group("us-east-1")])).to.deep.equal([]);
        expect(await check([fn(unknown.string), group("eu-west-1")])).to.deep.equal([]);
        const linked = { ...group("us-east-1", "/platform/edge"), name: "edge-logs" };
        expect(await check([fn("us-east-1", { loggingConfig: { logGroup: unknown.string } }, { loggingConfig: ["edge-logs"] }), linked])).to.deep.equal([]);
    });
});

describe("issue 16 class 6: the other name matches of the pack key on region too", function () {
    it("lambda-error-alarm: an alarm on the function's name in another region watches another function", async function () {
        const alarm = (region?: string): StackResourceSpec => ({ type: "aws:cloudwatch/metricAlarm:MetricAlarm", name: "edge-errors", props: { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "edge-1a2b3c" }, ...(region ? { region } : {}) } });
        expect(await runStackPolicy(lambdaErrorAlarm, stackArgs([fn("us-east-1"), alarm()]))).to.have.length(1);
        expect(await runStackPolicy(lambdaErrorAlarm, stackArgs([fn("us-east-1"), alarm("us-east-1")]))).to.deep.equal([]);
    });

    it("lambda-async-failure-destination: an invoke config of another region does not give the function a destination", async function () {
        const permission: StackResourceSpec = { type: "aws:lambda/permission:Permission", name: "edge-events", props: { function: "edge-1a2b3c", principal: "events.amazonaws.com", region: "us-east-1" } };
        const config = (region: string): StackResourceSpec => ({ type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", name: "edge-invoke", props: { functionName: "edge-1a2b3c", region, destinationConfig: { onFailure: { destination: "arn:aws:sqs:us-east-1:123456789012:dlq" } } } });
        expect(await runStackPolicy(lambdaAsyncFailureDestination, stackArgs([fn("us-east-1"), permission, config("eu-west-1")]))).to.have.length(1);
        expect(await runStackPolicy(lambdaAsyncFailureDestination, stackArgs([fn("us-east-1"), permission, config("us-east-1")]))).to.deep.equal([]);
    });

    it("lambda-reserved-concurrency: an event source mapping of another region drives another function", async function () {
        const mapping = (region: string): StackResourceSpec => ({ type: "aws:lambda/eventSourceMapping:EventSourceMapping", name: "edge-queue", props: { functionName: "edge-1a2b3c", eventSourceArn: `arn:aws:sqs:${region}:123456789012:q`, region } });
        expect(await runStackPolicy(lambdaReservedConcurrency, stackArgs([fn("us-east-1"), mapping("us-east-1")]))).to.have.length(1);
        expect(await runStackPolicy(lambdaReservedConcurrency, stackArgs([fn("us-east-1"), mapping("eu-west-1")]))).to.deep.equal([]);
    });

    it("cloudwatch-logs-account-subscription-no-feedback: the destination named by ARN is the function of that region", async function () {
        const destination = "arn:aws:lambda:us-east-1:123456789012:function:edge-1a2b3c";
        const policy: StackResourceSpec = {
            type: "aws:cloudwatch/logAccountPolicy:LogAccountPolicy",
            name: "all-logs",
            props: { policyName: "all-logs", policyType: "SUBSCRIPTION_FILTER_POLICY", region: "us-east-1", policyDocument: JSON.stringify({ DestinationArn: destination }), selectionCriteria: 'LogGroupName NOT IN ["/platform/edge-eu"]' },
        };
        const eu = { ...fn("eu-west-1", { loggingConfig: { logGroup: "/platform/edge-eu" } }), name: "edge-eu" };
        const us = { ...fn("us-east-1", { loggingConfig: { logGroup: "/platform/edge-us" } }), name: "edge-us" };
        // Excluding the eu-west-1 twin's group leaves the real destination's group subscribed.
        expect(messages(await runStackPolicy(logsAccountSubscriptionNoFeedback, stackArgs([eu, us, policy])))).to.contain("/platform/edge-us").and.not.contain("/platform/edge-eu (");
    });
});
