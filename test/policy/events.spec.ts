import { expect } from "chai";

import { eventbridgeTargetDeadLetterQueue } from "../../policypack/policies/events";
import { resourceArgs, runResourcePolicy, unknown } from "../harness/policy";

const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const run = (props: Record<string, unknown>) => runResourcePolicy(eventbridgeTargetDeadLetterQueue, resourceArgs(TARGET, props));

describe("policy eventbridge-target-dead-letter-queue (advisory)", function () {
    it("passes a target with a dead-letter queue, also while its ARN is unknown", async function () {
        expect(await run({ rule: "kpi-schedule", arn: "arn:aws:lambda:eu-west-1:123456789012:function:kpi", deadLetterConfig: { arn: "arn:aws:sqs:eu-west-1:123456789012:kpi-dlq" } })).to.deep.equal([]);
        expect(await run({ rule: "kpi-schedule", deadLetterConfig: { arn: unknown.string } })).to.deep.equal([]);
        expect(await run({ rule: "kpi-schedule", deadLetterConfig: unknown.object })).to.deep.equal([]);
    });

    it("reports a target without one, as advisory", async function () {
        const violations = await run({ rule: "kpi-schedule", arn: "arn:aws:lambda:eu-west-1:123456789012:function:kpi", retryPolicy: { maximumRetryAttempts: 4 } });
        expect(violations.map((v) => v.message).join()).to.contain("deadLetterConfig");
        expect(eventbridgeTargetDeadLetterQueue.enforcementLevel).to.equal("advisory");
        expect(eventbridgeTargetDeadLetterQueue.category).to.equal("fault-tolerance");
    });
});
