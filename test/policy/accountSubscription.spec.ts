import { expect } from "chai";

import { logsAccountSubscriptionNoFeedback } from "../../policypack/policies/logs";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const FUNCTION = "aws:lambda/function:Function";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const FN_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:shipper-cloudwatch-fn-66a96f1";
const OWN_GROUP = "/aws/lambda/shipper-cloudwatch-195b175";

// The shipper's shape (components/logShipper.ts): the destination function writes to its own managed log group.
const group: StackResourceSpec = { type: LOG_GROUP, name: "shipper-cloudwatch-logs", props: { name: OWN_GROUP, retentionInDays: 7 } };
const fn: StackResourceSpec = {
    type: FUNCTION,
    name: "shipper-cloudwatch-fn",
    props: { name: "shipper-cloudwatch-fn-66a96f1", arn: FN_ARN, loggingConfig: { logFormat: "JSON", logGroup: OWN_GROUP } },
    propertyDependencies: { loggingConfig: ["shipper-cloudwatch-logs"] },
};
const accountPolicy = (props: Record<string, unknown>, propertyDependencies: Record<string, string[]> = { policyDocument: ["shipper-cloudwatch-fn"] }): StackResourceSpec => ({
    type: "aws:cloudwatch/logAccountPolicy:LogAccountPolicy",
    name: "shipper-account-subscription",
    props: { policyName: "shipper-account-subscription", policyType: "SUBSCRIPTION_FILTER_POLICY", scope: "ALL", policyDocument: JSON.stringify({ DestinationArn: FN_ARN, FilterPattern: "", Distribution: "Random" }), ...props },
    propertyDependencies,
});
const excluding = (...names: string[]) => `LogGroupName NOT IN ${JSON.stringify(names)}`;
const check = (specs: StackResourceSpec[]) => runStackPolicy(logsAccountSubscriptionNoFeedback, stackArgs(specs));

describe("policy cloudwatch-logs-account-subscription-no-feedback", function () {
    it("passes a policy that excludes its Lambda destination's log group (with others)", async function () {
        expect(await check([group, fn, accountPolicy({ selectionCriteria: excluding(OWN_GROUP, "/aws/lambda/shipper-kinesis-1") })])).to.deep.equal([]);
        // Matched by the ARN alone, without a dependency.
        expect(await check([group, fn, accountPolicy({ selectionCriteria: excluding(OWN_GROUP) }, {})])).to.deep.equal([]);
    });

    it("blocks a policy with no selection criteria (every log group, the destination's included)", async function () {
        const [violation, ...more] = await check([group, fn, accountPolicy({})]);
        expect(more).to.have.length(0);
        expect(violation?.message).to.contain(OWN_GROUP).and.contain("feedback loop");
        expect(violation?.urn).to.contain("::shipper-account-subscription");
    });

    it("blocks criteria that exclude other log groups, or that are not a NOT IN list", async function () {
        expect(await check([group, fn, accountPolicy({ selectionCriteria: excluding("/app/api/prod") })])).to.have.length(1);
        // Exact names: a look-alike prefix of the group's name does not exclude it.
        expect(await check([group, fn, accountPolicy({ selectionCriteria: excluding("/aws/lambda/shipper-cloudwatch") })])).to.have.length(1);
        const unreadable = await check([group, fn, accountPolicy({ selectionCriteria: `LogGroupName IN ["${OWN_GROUP}"]` })]);
        expect(unreadable.map((v) => v.message).join()).to.contain("not of the form");
    });

    it("derives the default log group /aws/lambda/<name> of a function without loggingConfig, and of a destination outside the program", async function () {
        const plain: StackResourceSpec = { type: FUNCTION, name: "shipper-cloudwatch-fn", props: { name: "shipper-cloudwatch-fn-66a96f1", arn: FN_ARN } };
        expect(await check([plain, accountPolicy({ selectionCriteria: excluding("/aws/lambda/shipper-cloudwatch-fn-66a96f1") })])).to.deep.equal([]);
        expect((await check([plain, accountPolicy({ selectionCriteria: excluding(OWN_GROUP) })])).map((v) => v.message).join()).to.contain("/aws/lambda/shipper-cloudwatch-fn-66a96f1");
        const external = accountPolicy({ policyDocument: JSON.stringify({ DestinationArn: "arn:aws:lambda:eu-west-1:123456789012:function:central-shipper:live" }) }, {});
        expect((await check([external])).map((v) => v.message).join()).to.contain("/aws/lambda/central-shipper");
        expect(await check([{ ...external, props: { ...external.props, selectionCriteria: excluding("/aws/lambda/central-shipper") } }])).to.deep.equal([]);
    });

    it("follows a Kinesis destination to the log groups of the functions its event source mappings invoke", async function () {
        const stream: StackResourceSpec = { type: "aws:kinesis/stream:Stream", name: "logs-stream", props: { name: "logs", arn: "arn:aws:kinesis:eu-west-1:123456789012:stream/logs" } };
        const consumer: StackResourceSpec = { ...fn, name: "consumer", props: { ...fn.props, arn: "arn:aws:lambda:eu-west-1:123456789012:function:consumer", name: "consumer" } };
        const mapping: StackResourceSpec = {
            type: "aws:lambda/eventSourceMapping:EventSourceMapping",
            name: "consumer-mapping",
            props: { eventSourceArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/logs", functionName: "arn:aws:lambda:eu-west-1:123456789012:function:consumer" },
        };
        const toStream = accountPolicy({ policyDocument: JSON.stringify({ DestinationArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/logs", RoleArn: "arn:aws:iam::123456789012:role/cwl" }) }, {});
        expect((await check([group, consumer, stream, mapping, toStream])).map((v) => v.message).join()).to.contain(OWN_GROUP);
        expect(await check([group, consumer, stream, mapping, { ...toStream, props: { ...toStream.props, selectionCriteria: excluding(OWN_GROUP) } }])).to.deep.equal([]);
    });

    it("ignores data-protection and field-index account policies", async function () {
        expect(await check([group, fn, accountPolicy({ policyType: "DATA_PROTECTION_POLICY" })])).to.deep.equal([]);
        expect(await check([group, fn, accountPolicy({ policyType: unknown.string })])).to.deep.equal([]);
    });

    it("does not report while the criteria or the log group's name are unknown, but still blocks a policy with no criteria", async function () {
        const pendingGroup: StackResourceSpec = { ...group, props: { name: unknown.string } };
        const pendingFn: StackResourceSpec = { ...fn, props: { name: unknown.string, arn: unknown.string, loggingConfig: { logGroup: unknown.string } } };
        const pendingPolicy = accountPolicy({ policyDocument: unknown.string, selectionCriteria: unknown.string }, { policyDocument: ["shipper-cloudwatch-fn"], selectionCriteria: ["shipper-cloudwatch-logs"] });
        expect(await check([pendingGroup, pendingFn, pendingPolicy])).to.deep.equal([]);
        expect(await check([pendingGroup, pendingFn, accountPolicy({ policyDocument: unknown.string, selectionCriteria: excluding("/app/api/prod") })])).to.deep.equal([]);
        expect(await check([pendingGroup, pendingFn, accountPolicy({ policyDocument: unknown.string })])).to.have.length(1);
    });
});
