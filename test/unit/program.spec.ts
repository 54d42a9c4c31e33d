import { expect } from "chai";

import { MOCK_ACCOUNT_ID } from "../../cli/offline/mockCloud";
import { ofType, ProgramRun, runStack } from "../harness/program";

describe("the Pulumi program (index.ts) under mocks with Pulumi.prod.yaml", function () {
    let run: ProgramRun;
    before(async function () {
        run = await runStack("prod");
    });

    it("registers the security baseline under one component, with the default-tagged provider", function () {
        const [baseline] = ofType(run, "log-platform:security:SecurityBaseline");
        expect(baseline, "SecurityBaseline component").to.not.equal(undefined);
        const children = run.resources.filter((resource) => resource.parent === baseline?.urn).map((resource) => resource.type);
        expect(children).to.include.members(["aws:kms/key:Key", "aws:kms/alias:Alias", "aws:sns/topic:Topic"]);
        const [provider] = ofType(run, "pulumi:providers:aws");
        expect(provider?.inputs["region"]).to.equal("eu-west-1");
        // Provider inputs reach the engine as JSON strings.
        const defaultTags = provider?.inputs["defaultTags"];
        expect(typeof defaultTags === "string" ? JSON.parse(defaultTags) : defaultTags).to.deep.include({ tags: { owner: "platform-team", "cost-center": "cc-4711", environment: "prod", "data-classification": "internal", "managed-by": "pulumi", "pulumi-stack": "prod" } });
    });

    it("rotates the KMS key and scopes the Logs service to this account's log groups", function () {
        const [key] = ofType(run, "aws:kms/key:Key");
        expect(key?.inputs["enableKeyRotation"]).to.equal(true);
        const policy = JSON.parse(String(key?.inputs["policy"])) as { Statement: { Sid: string; Principal: Record<string, string>; Condition?: unknown }[] };
        const logs = policy.Statement.find((statement) => statement.Sid === "CloudWatchLogsInThisAccount");
        expect(logs?.Principal["Service"]).to.equal("logs.eu-west-1.amazonaws.com");
        expect(JSON.stringify(logs?.Condition)).to.contain(`arn:aws:logs:eu-west-1:${MOCK_ACCOUNT_ID}:log-group:*`);
    });

    it("encrypts the alarm topic with the platform key and subscribes the on-call address", function () {
        const [topic] = ofType(run, "aws:sns/topic:Topic");
        const [key] = ofType(run, "aws:kms/key:Key");
        expect(topic?.inputs["kmsMasterKeyId"]).to.match(new RegExp(`^arn:aws:kms:eu-west-1:${MOCK_ACCOUNT_ID}:key/`));
        expect(topic?.dependencies).to.include(key?.urn);
        const subscriptions = ofType(run, "aws:sns/topicSubscription:TopicSubscription");
        expect(subscriptions.map((subscription) => subscription.inputs["endpoint"])).to.deep.equal(["platform-oncall@example.com"]);
    });

    it("exports the key and topic ARNs", function () {
        expect(run.outputs["kmsKeyArn"]).to.match(/^arn:aws:kms:eu-west-1:\d{12}:key\/[0-9a-f-]{36}$/);
        expect(run.outputs["alarmTopicArn"]).to.match(/^arn:aws:sns:eu-west-1:\d{12}:platform-alarms-[0-9a-f]{7}$/);
    });
});
