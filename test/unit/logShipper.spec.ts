import * as fs from "fs";
import * as path from "path";

import { expect } from "chai";
import { parse as parseYaml } from "yaml";

import { MOCK_ACCOUNT_ID } from "../../cli/offline/mockCloud";
import { ofType, ProgramRun, RegisteredResource, runStack } from "../harness/program";
import { ROOT } from "../harness/services/paths";

// Values from Pulumi.prod.yaml, written out here (not read from the component) so a wrong wiring fails.
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/elasticsearch/log-shipper-Xb12Yz";
const SUBNETS = ["subnet-0a1b2c3d4e5f60719", "subnet-0b1c2d3e4f5a60720", "subnet-0c1d2e3f4a5b60721"];
const VPC = "vpc-0a1b2c3d4e5f60718";
const ES_CIDR = "10.20.0.0/16";
const ES_PORT = 9243; // https://logs-prod.es.internal.example.com:9243
const ENI_ACTIONS = ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:UnassignPrivateIpAddresses"];

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string>> };

function one(run: ProgramRun, type: string, name: string): RegisteredResource {
    const found = ofType(run, type).find((resource) => resource.name === name);
    if (!found) {
        throw new Error(`no ${type} named ${name}; have: ${ofType(run, type).map((resource) => resource.name).join(", ")}`);
    }
    return found;
}
const state = (resource: RegisteredResource, key: string): unknown => resource.wireState[key] ?? resource.inputs[key];
const str = (resource: RegisteredResource, key: string): string => String(state(resource, key));
const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(text) : value === undefined ? [] : [text(value)]);

/** The role policy of a shipper function as statement Sid -> sorted actions and resources. */
function statements(run: ProgramRun, fn: string): Map<string, { actions: string[]; resources: string[]; condition?: unknown }> {
    const policy = JSON.parse(str(one(run, "aws:iam/rolePolicy:RolePolicy", `shipper-${fn}-policy`), "policy")) as { Statement: Statement[] };
    const result = new Map<string, { actions: string[]; resources: string[]; condition?: unknown }>();
    for (const statement of policy.Statement) {
        expect(statement.Effect).to.equal("Allow");
        expect(statement.Sid, "every statement is named").to.be.a("string");
        result.set(String(statement.Sid), { actions: list(statement.Action).sort(), resources: list(statement.Resource).sort(), condition: statement.Condition });
    }
    return result;
}

describe("LogShipper component (components/logShipper.ts) under mocks", function () {
    describe("with Pulumi.prod.yaml", function () {
        let run: ProgramRun;
        let keyArn: string;
        let topicArn: string;
        before(async function () {
            run = await runStack("prod");
            keyArn = str(one(run, "aws:kms/key:Key", "platform-key"), "arn");
            topicArn = str(one(run, "aws:sns/topic:Topic", "platform-alarms"), "arn");
        });

        it("builds one VPC function per source: nodejs22.x, private subnets, the shipper's group, reserved concurrency, KMS env with no secret", function () {
            const group = one(run, "aws:ec2/securityGroup:SecurityGroup", "shipper-network-sg");
            for (const source of ["cloudwatch", "kinesis", "sqs"]) {
                const fn = one(run, "aws:lambda/function:Function", `shipper-${source}`);
                expect(state(fn, "runtime")).to.equal("nodejs22.x");
                expect(state(fn, "vpcConfig")).to.deep.include({ subnetIds: SUBNETS, securityGroupIds: [group.id] });
                expect(state(fn, "reservedConcurrentExecutions")).to.equal(20);
                expect(state(fn, "timeout")).to.equal(60);
                expect(state(fn, "memorySize")).to.equal(512);
                expect(state(fn, "kmsKeyArn")).to.equal(keyArn);
                const variables = (state(fn, "environment") as { variables: Record<string, string> }).variables;
                expect(Object.keys(variables).sort()).to.deep.equal(["LOG_PLATFORM_STACK", "NODE_OPTIONS", "SHIPPER_DEAD_LETTER_QUEUE_URL"]);
                // The stack names the metrics' `stack` dimension: dev's and prod's functions never feed each other's alarms.
                expect(variables["LOG_PLATFORM_STACK"]).to.equal("prod");
                expect(variables["SHIPPER_DEAD_LETTER_QUEUE_URL"]).to.equal(str(one(run, "aws:sqs/queue:Queue", "shipper-dead-letters"), "url"));
                expect(JSON.stringify(variables)).to.not.match(/password|apiKey/i);
            }
        });

        it("keeps every log group encrypted with the platform key for at most 7 days", function () {
            const groups = ofType(run, "aws:cloudwatch/logGroup:LogGroup").filter((group) => group.name.startsWith("shipper-"));
            expect(groups.map((group) => group.name).sort()).to.deep.equal(["shipper-cloudwatch-logs", "shipper-kinesis-logs", "shipper-sqs-logs"]);
            for (const group of groups) {
                expect(state(group, "retentionInDays")).to.be.within(1, 7);
                expect(state(group, "kmsKeyId")).to.equal(keyArn);
            }
        });

        it("gives the shipper's security group no ingress, and egress only to Elasticsearch on its port and to the endpoints on 443", function () {
            const group = one(run, "aws:ec2/securityGroup:SecurityGroup", "shipper-network-sg");
            const endpointGroup = one(run, "aws:ec2/securityGroup:SecurityGroup", "shipper-network-endpoints-sg");
            for (const sg of [group, endpointGroup]) {
                expect(state(sg, "vpcId")).to.equal(VPC);
                expect(list(state(sg, "ingress")), "no inline rules").to.deep.equal([]);
                expect(list(state(sg, "egress")), "no inline rules").to.deep.equal([]);
            }
            const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
            const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
            expect(ingress.filter((rule) => state(rule, "securityGroupId") === group.id), "shipper ingress").to.have.length(0);
            const rule = (resource: RegisteredResource) => ({
                group: state(resource, "securityGroupId"),
                protocol: state(resource, "ipProtocol"),
                from: state(resource, "fromPort"),
                to: state(resource, "toPort"),
                cidr: state(resource, "cidrIpv4"),
                peer: state(resource, "referencedSecurityGroupId"),
            });
            expect(egress.map(rule)).to.have.deep.members([
                { group: group.id, protocol: "tcp", from: ES_PORT, to: ES_PORT, cidr: ES_CIDR, peer: undefined },
                { group: group.id, protocol: "tcp", from: 443, to: 443, cidr: undefined, peer: endpointGroup.id },
            ]);
            expect(ingress.map(rule)).to.have.deep.members([{ group: endpointGroup.id, protocol: "tcp", from: 443, to: 443, cidr: undefined, peer: group.id }]);
        });

        it("creates private-DNS interface endpoints for Secrets Manager and SQS, guarded by the endpoints' group", function () {
            const endpointGroup = one(run, "aws:ec2/securityGroup:SecurityGroup", "shipper-network-endpoints-sg");
            const endpoints = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint");
            expect(endpoints.map((endpoint) => state(endpoint, "serviceName")).sort()).to.deep.equal(["com.amazonaws.eu-west-1.secretsmanager", "com.amazonaws.eu-west-1.sqs"]);
            for (const endpoint of endpoints) {
                expect(state(endpoint, "vpcEndpointType")).to.equal("Interface");
                expect(state(endpoint, "privateDnsEnabled")).to.equal(true);
                expect(state(endpoint, "subnetIds")).to.deep.equal(SUBNETS);
                expect(state(endpoint, "securityGroupIds")).to.deep.equal([endpointGroup.id]);
            }
        });

        it("grants each function exactly its actions on exact ARNs; only the ENI actions use *", function () {
            const queueArn = (name: string) => str(one(run, "aws:sqs/queue:Queue", name), "arn");
            const logGroupArn = (name: string) => `${str(one(run, "aws:cloudwatch/logGroup:LogGroup", name), "arn")}:*`;
            const streamArn = str(one(run, "aws:kinesis/stream:Stream", "shipper-stream"), "arn");
            const common = {
                DecryptEnvironment: { actions: ["kms:Decrypt"], resources: [keyArn] },
                ElasticsearchCredentials: { actions: ["secretsmanager:GetSecretValue"], resources: [SECRET_ARN] },
                DeadLetters: { actions: ["sqs:SendMessage"], resources: [queueArn("shipper-dead-letters")] },
                DeadLettersKey: { actions: ["kms:GenerateDataKey"], resources: [keyArn] },
                VpcNetworkInterfaces: { actions: ENI_ACTIONS, resources: ["*"] },
            };
            const expected: Record<string, Record<string, { actions: string[]; resources: string[] }>> = {
                cloudwatch: {
                    ...common,
                    OwnLogGroup: { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logGroupArn("shipper-cloudwatch-logs")] },
                    OnFailureDestination: { actions: ["sqs:SendMessage"], resources: [queueArn("shipper-cloudwatch-failures")] },
                    OnFailureDestinationKey: { actions: ["kms:GenerateDataKey"], resources: [keyArn] },
                },
                kinesis: {
                    ...common,
                    OwnLogGroup: { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logGroupArn("shipper-kinesis-logs")] },
                    ReadStream: {
                        actions: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"],
                        resources: [streamArn],
                    },
                    StreamOnFailure: { actions: ["sqs:SendMessage"], resources: [queueArn("shipper-kinesis-failures")] },
                },
                sqs: {
                    ...common,
                    OwnLogGroup: { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logGroupArn("shipper-sqs-logs")] },
                    ReadSourceQueue: { actions: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"], resources: [queueArn("shipper-sqs")] },
                },
            };
            for (const [fn, want] of Object.entries(expected)) {
                const got = statements(run, fn);
                expect([...got.keys()].sort(), `${fn} statements`).to.deep.equal(Object.keys(want).sort());
                for (const [sid, statement] of Object.entries(want)) {
                    expect({ actions: got.get(sid)?.actions, resources: got.get(sid)?.resources }, `${fn} ${sid}`).to.deep.equal(statement);
                }
            }
        });

        it("encrypts every queue and the stream with the platform key; the shipper's queues keep at most 4 days, the stream 24 h", function () {
            const queues = ofType(run, "aws:sqs/queue:Queue").filter((queue) => queue.name.startsWith("shipper-"));
            expect(queues.map((queue) => queue.name).sort()).to.deep.equal(["shipper-cloudwatch-failures", "shipper-dead-letters", "shipper-kinesis-failures", "shipper-sqs", "shipper-sqs-dlq"]);
            for (const queue of queues) {
                expect(state(queue, "kmsMasterKeyId"), queue.name).to.equal(keyArn);
                // ManagedFunction's on-failure queue follows the 7-day data-protection rule; the shipper's own queues keep 4 days.
                const limit = queue.name === "shipper-cloudwatch-failures" ? 7 * 86400 : 4 * 86400;
                expect(state(queue, "messageRetentionSeconds"), queue.name).to.be.at.most(limit);
            }
            const stream = one(run, "aws:kinesis/stream:Stream", "shipper-stream");
            expect(state(stream, "encryptionType")).to.equal("KMS");
            expect(state(stream, "kmsKeyId")).to.equal(keyArn);
            expect(state(stream, "retentionPeriod")).to.equal(24);
            expect(state(stream, "shardCount")).to.equal(2);
        });

        it("redrives the SQS source to its DLQ, with a visibility timeout of at least 6x the function timeout", function () {
            const source = one(run, "aws:sqs/queue:Queue", "shipper-sqs");
            expect(Number(state(source, "visibilityTimeoutSeconds"))).to.be.at.least(6 * 60);
            const redrive = JSON.parse(str(source, "redrivePolicy")) as { deadLetterTargetArn: string; maxReceiveCount: number };
            expect(redrive.deadLetterTargetArn).to.equal(str(one(run, "aws:sqs/queue:Queue", "shipper-sqs-dlq"), "arn"));
            expect(redrive.maxReceiveCount).to.be.within(1, 10);
        });

        it("maps Kinesis and SQS with partial batch failures; Kinesis bisects, retries a bounded number of times, then goes to an encrypted queue", function () {
            const kinesis = one(run, "aws:lambda/eventSourceMapping:EventSourceMapping", "shipper-kinesis-mapping");
            expect(state(kinesis, "eventSourceArn")).to.equal(str(one(run, "aws:kinesis/stream:Stream", "shipper-stream"), "arn"));
            expect(state(kinesis, "functionName")).to.equal(str(one(run, "aws:lambda/function:Function", "shipper-kinesis"), "arn"));
            expect(state(kinesis, "functionResponseTypes")).to.deep.equal(["ReportBatchItemFailures"]);
            expect(state(kinesis, "bisectBatchOnFunctionError")).to.equal(true);
            expect(Number(state(kinesis, "maximumRetryAttempts"))).to.be.within(0, 20);
            expect(Number(state(kinesis, "maximumRecordAgeInSeconds"))).to.be.within(60, 24 * 3600);
            expect(state(kinesis, "startingPosition")).to.equal("TRIM_HORIZON");
            expect(state(kinesis, "destinationConfig")).to.deep.equal({ onFailure: { destinationArn: str(one(run, "aws:sqs/queue:Queue", "shipper-kinesis-failures"), "arn") } });
            expect(state(kinesis, "batchSize")).to.equal(500);

            const sqs = one(run, "aws:lambda/eventSourceMapping:EventSourceMapping", "shipper-sqs-mapping");
            expect(state(sqs, "eventSourceArn")).to.equal(str(one(run, "aws:sqs/queue:Queue", "shipper-sqs"), "arn"));
            expect(state(sqs, "functionName")).to.equal(str(one(run, "aws:lambda/function:Function", "shipper-sqs"), "arn"));
            expect(state(sqs, "functionResponseTypes")).to.deep.equal(["ReportBatchItemFailures"]);
            expect(state(sqs, "batchSize")).to.equal(500);
            expect(state(sqs, "maximumBatchingWindowInSeconds")).to.equal(5);
            expect(state(sqs, "scalingConfig")).to.deep.equal({ maximumConcurrency: 20 });
        });

        it("subscribes each configured log group, with an invoke permission scoped to that group and this account", function () {
            const fn = one(run, "aws:lambda/function:Function", "shipper-cloudwatch");
            const filters = ofType(run, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter");
            expect(filters.map((filter) => state(filter, "logGroup")).sort()).to.deep.equal(["/app/api/prod", "/app/worker/prod"]);
            for (const filter of filters) {
                expect(state(filter, "destinationArn")).to.equal(str(fn, "arn"));
            }
            const permissions = ofType(run, "aws:lambda/permission:Permission").filter((permission) => permission.name.startsWith("shipper-logs-invoke"));
            expect(permissions.map((permission) => state(permission, "sourceArn")).sort()).to.deep.equal([
                `arn:aws:logs:eu-west-1:${MOCK_ACCOUNT_ID}:log-group:/app/api/prod:*`,
                `arn:aws:logs:eu-west-1:${MOCK_ACCOUNT_ID}:log-group:/app/worker/prod:*`,
            ]);
            for (const permission of permissions) {
                expect(state(permission, "principal")).to.equal("logs.eu-west-1.amazonaws.com");
                expect(state(permission, "sourceAccount")).to.equal(MOCK_ACCOUNT_ID);
                expect(state(permission, "action")).to.equal("lambda:InvokeFunction");
            }
            expect(ofType(run, "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"), "account-level subscription is off in prod").to.have.length(0);
            const async = one(run, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "shipper-cloudwatch-async");
            expect((state(async, "destinationConfig") as { onFailure: { destination: string } }).onFailure.destination).to.equal(
                str(one(run, "aws:sqs/queue:Queue", "shipper-cloudwatch-failures"), "arn"),
            );
        });

        it("alarms to the encrypted topic on errors, throttles, every failure queue, the source queue's oldest message, iterator age, dead letters and accounting breaches", function () {
            const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((alarm) => alarm.name.startsWith("shipper-"));
            for (const alarm of alarms) {
                expect(state(alarm, "alarmActions"), alarm.name).to.deep.equal([topicArn]);
                expect(state(alarm, "okActions"), alarm.name).to.deep.equal([topicArn]);
            }
            const watched = (alarm: RegisteredResource) => `${str(alarm, "namespace")}/${str(alarm, "metricName")} ${JSON.stringify(state(alarm, "dimensions"))}`;
            const fnName = (source: string) => str(one(run, "aws:lambda/function:Function", `shipper-${source}`), "name");
            const queueName = (name: string) => str(one(run, "aws:sqs/queue:Queue", name), "name");
            const expected = [
                ...["cloudwatch", "kinesis", "sqs"].flatMap((source) => [
                    `AWS/Lambda/Errors ${JSON.stringify({ FunctionName: fnName(source) })}`,
                    `AWS/Lambda/Throttles ${JSON.stringify({ FunctionName: fnName(source) })}`,
                    `LogPlatform/AccountingBreach ${JSON.stringify({ service: "log-shipper", source, stack: "prod" })}`,
                    `LogPlatform/DeadLettered ${JSON.stringify({ service: "log-shipper", source, stack: "prod" })}`,
                ]),
                `AWS/Lambda/IteratorAge ${JSON.stringify({ FunctionName: fnName("kinesis") })}`,
                ...["shipper-dead-letters", "shipper-sqs-dlq", "shipper-kinesis-failures", "shipper-cloudwatch-failures"].map(
                    (queue) => `AWS/SQS/ApproximateNumberOfMessagesVisible ${JSON.stringify({ QueueName: queueName(queue) })}`,
                ),
                `AWS/SQS/ApproximateAgeOfOldestMessage ${JSON.stringify({ QueueName: queueName("shipper-sqs") })}`,
            ];
            expect(alarms.map(watched)).to.have.members(expected);
        });

        it("fires on the SQS source's oldest message at a quarter of the queue's retention (6 h of prod's 1 day), well before any message expires", function () {
            const alarm = one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "shipper-sqs-oldest-message-alarm");
            expect(state(one(run, "aws:sqs/queue:Queue", "shipper-sqs"), "messageRetentionSeconds")).to.equal(86400);
            expect([state(alarm, "statistic"), state(alarm, "comparisonOperator"), state(alarm, "threshold")]).to.deep.equal(["Maximum", "GreaterThanThreshold", 6 * 3600]);
            expect(str(alarm, "alarmDescription")).to.contain("6 h").and.contain("1 d");
        });

        it("reads silence per metric: invocation metrics not breaching, queue and stream metrics keep their state", function () {
            const missing = Object.fromEntries(
                ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")
                    .filter((alarm) => alarm.name.startsWith("shipper-"))
                    .map((alarm) => [alarm.name, state(alarm, "treatMissingData")]),
            );
            expect(missing).to.deep.equal({
                ...Object.fromEntries(
                    ["cloudwatch", "kinesis", "sqs"].flatMap((source) => [
                        [`shipper-${source}-errors-alarm`, "notBreaching"],
                        [`shipper-${source}-throttles-alarm`, "notBreaching"],
                        [`shipper-${source}-accounting-alarm`, "notBreaching"],
                        [`shipper-${source}-dead-lettered-alarm`, "notBreaching"],
                    ]),
                ),
                "shipper-cloudwatch-failures-alarm": "ignore",
                "shipper-dead-letters-alarm": "ignore",
                "shipper-sqs-dlq-alarm": "ignore",
                "shipper-kinesis-failures-alarm": "ignore",
                "shipper-sqs-oldest-message-alarm": "ignore",
                "shipper-iterator-age-alarm": "ignore",
            });
        });
    });

    describe("with an account-level subscription, an existing stream and existing endpoints", function () {
        const existingStream = "arn:aws:kinesis:eu-west-1:123456789012:stream/app-logs";
        const endpointGroups = ["sg-0123456789abcdef0", "sg-0fedcba9876543210"];
        let run: ProgramRun;
        before(async function () {
            const base = (parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, Record<string, unknown>> }).config;
            run = await runStack("prod", {
                "log-platform:shipper": { ...base["log-platform:shipper"], accountLevelSubscription: true, existingKinesisStreamArn: existingStream },
                "log-platform:network": { ...base["log-platform:network"], createVpcEndpoints: false, vpcEndpointSecurityGroupIds: endpointGroups },
            });
        });

        it("excludes the shipper's own log groups from the account policy, and lets Logs invoke only from this account", function () {
            const [policy, ...more] = ofType(run, "aws:cloudwatch/logAccountPolicy:LogAccountPolicy");
            expect(more).to.have.length(0);
            expect(str(policy, "policyType")).to.equal("SUBSCRIPTION_FILTER_POLICY");
            const document = JSON.parse(str(policy, "policyDocument")) as { DestinationArn: string };
            expect(document.DestinationArn).to.equal(str(one(run, "aws:lambda/function:Function", "shipper-cloudwatch"), "arn"));
            const own = ["cloudwatch", "kinesis", "sqs"].map((source) => str(one(run, "aws:cloudwatch/logGroup:LogGroup", `shipper-${source}-logs`), "name"));
            const criteria = str(policy, "selectionCriteria");
            const match = /^LogGroupName NOT IN (\[.*\])$/.exec(criteria);
            expect(match, criteria).to.not.equal(null);
            expect((JSON.parse(match![1]) as string[]).sort()).to.deep.equal([...own].sort());
            const permission = one(run, "aws:lambda/permission:Permission", "shipper-logs-invoke-account");
            expect(state(permission, "sourceArn")).to.equal(`arn:aws:logs:eu-west-1:${MOCK_ACCOUNT_ID}:log-group:*:*`);
            expect(state(permission, "sourceAccount")).to.equal(MOCK_ACCOUNT_ID);
        });

        it("consumes the existing stream instead of creating one, and reads exactly it", function () {
            expect(ofType(run, "aws:kinesis/stream:Stream")).to.have.length(0);
            expect(state(one(run, "aws:lambda/eventSourceMapping:EventSourceMapping", "shipper-kinesis-mapping"), "eventSourceArn")).to.equal(existingStream);
            expect(statements(run, "kinesis").get("ReadStream")?.resources).to.deep.equal([existingStream]);
        });

        it("uses the existing endpoints: egress to and ingress on their groups on 443 only, no endpoint created", function () {
            expect(ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint")).to.have.length(0);
            const group = one(run, "aws:ec2/securityGroup:SecurityGroup", "shipper-network-sg");
            const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((rule) => state(rule, "referencedSecurityGroupId") !== undefined);
            expect(egress.map((rule) => [state(rule, "referencedSecurityGroupId"), state(rule, "fromPort"), state(rule, "toPort")])).to.have.deep.members(endpointGroups.map((id) => [id, 443, 443]));
            const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
            expect(ingress.map((rule) => [state(rule, "securityGroupId"), state(rule, "referencedSecurityGroupId"), state(rule, "fromPort")])).to.have.deep.members(
                endpointGroups.map((id) => [id, group.id, 443]),
            );
        });
    });
});
