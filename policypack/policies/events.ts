import { resourcePolicy } from "../lib/policy";
import { get } from "../lib/values";

export const EVENT_TARGET_TYPE = "aws:cloudwatch/eventTarget:EventTarget";

export const eventbridgeTargetDeadLetterQueue = resourcePolicy({
    name: "eventbridge-target-dead-letter-queue",
    description:
        "EventBridge targets have a dead-letter queue, so an event EventBridge could not deliver after its retries (target throttled, deleted or denied) is kept, not dropped.",
    category: "fault-tolerance",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        "Set `deadLetterConfig: { arn: queue.arn }` on the aws.cloudwatch.EventTarget (an encrypted SQS queue whose policy lets events.amazonaws.com sqs:SendMessage with aws:SourceArn = the rule's ARN), and a `retryPolicy` that fits the target.",
    validateResource: (args, reportViolation) => {
        if (args.type === EVENT_TARGET_TYPE && get(args.props, "deadLetterConfig") === undefined) {
            reportViolation("target has no dead-letter queue (deadLetterConfig is not set): undeliverable events are dropped");
        }
    },
});
