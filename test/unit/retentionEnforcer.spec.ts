import * as path from "path";

import { expect } from "chai";

import { analyze } from "../../cli/gate/analyze";
import { PolicyPackProcess } from "../../cli/gate/policyPackProcess";
import { MOCK_ACCOUNT_ID } from "../../cli/offline/mockCloud";
import { ofType, ProgramRun, RegisteredResource, runStack } from "../harness/program";
import { ROOT } from "../harness/services/paths";

type Json = Record<string, unknown>;

function json(value: unknown): Json {
    return (typeof value === "string" ? JSON.parse(value) : value) as Json;
}

function one(run: ProgramRun, type: string, name: string): RegisteredResource {
    const found = ofType(run, type).filter((resource) => resource.name === name);
    expect(found, `${type} ${name} (have: ${ofType(run, type).map((resource) => resource.name).join(", ")})`).to.have.length(1);
    return found[0];
}
const state = (resource: RegisteredResource, key: string): unknown => resource.wireState[key] ?? resource.inputs[key];
const str = (resource: RegisteredResource, key: string): string => String(state(resource, key));
const policyOf = (run: ProgramRun, name: string): Json[] => json(one(run, "aws:iam/rolePolicy:RolePolicy", name).inputs["policy"])["Statement"] as Json[];

const REGION = "eu-west-1"; // Pulumi.prod.yaml's aws:region
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const PERMISSION = "aws:lambda/permission:Permission";
const FUNCTION = "aws:lambda/function:Function";

/** Pulumi.prod.yaml's retention section (written out, not read from the component, so a wrong wiring fails). */
const PROD_RETENTION = { maxRetentionDays: 7, schedule: "rate(1 hour)" };

describe("RetentionEnforcer component (components/retentionEnforcer.ts) under mocks", function () {
    describe("with Pulumi.prod.yaml", function () {
        let run: ProgramRun;
        let fnArn: string;
        before(async function () {
            run = await runStack("prod");
            fnArn = str(one(run, FUNCTION, "retention-sweep"), "arn");
        });

        it("runs one nodejs22.x function with its own 7-day KMS log group, a DLQ for async failures and an errors alarm", function () {
            const fn = one(run, FUNCTION, "retention-sweep");
            expect(state(fn, "runtime")).to.equal("nodejs22.x");
            expect(state(fn, "timeout")).to.equal(300);
            const logGroup = one(run, LOG_GROUP, "retention-sweep-logs");
            expect(state(logGroup, "retentionInDays")).to.equal(7);
            expect(str(logGroup, "kmsKeyId")).to.equal(String(run.outputs["kmsKeyArn"]));
            expect(json(state(fn, "loggingConfig"))["logGroup"]).to.equal(str(logGroup, "name"));
            const invokeConfig = ofType(run, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").find((resource) => resource.name === "retention-sweep-async");
            expect(invokeConfig, "async failures go to the on-failure queue").to.not.equal(undefined);
            expect(str(one(run, "aws:sqs/queue:Queue", "retention-sweep-failures"), "kmsMasterKeyId")).to.equal(String(run.outputs["kmsKeyArn"]));
            expect(json(one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "retention-sweep-errors-alarm").inputs)["metricName"]).to.equal("Errors");
            expect(run.outputs["retentionFunctionNames"]).to.deep.equal({ sweep: str(fn, "name") });
        });

        it("grants exactly DescribeLogGroups + PutRetentionPolicy on this account's log groups of the swept region, and InvokeFunction on itself only", function () {
            const key = String(run.outputs["kmsKeyArn"]);
            const logGroupName = str(one(run, LOG_GROUP, "retention-sweep-logs"), "name");
            const queueName = str(one(run, "aws:sqs/queue:Queue", "retention-sweep-failures"), "name");
            expect(policyOf(run, "retention-sweep-policy")).to.deep.equal([
                { Effect: "Allow", Sid: "OwnLogGroup", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`arn:aws:logs:${REGION}:${MOCK_ACCOUNT_ID}:log-group:${logGroupName}:*`] },
                { Effect: "Allow", Sid: "DecryptEnvironment", Action: ["kms:Decrypt"], Resource: [key] },
                { Effect: "Allow", Sid: "EnforceLogGroupRetention", Action: ["logs:DescribeLogGroups", "logs:PutRetentionPolicy"], Resource: [`arn:aws:logs:${REGION}:${MOCK_ACCOUNT_ID}:log-group:*`] },
                { Effect: "Allow", Sid: "OnFailureDestination", Action: ["sqs:SendMessage"], Resource: [`arn:aws:sqs:${REGION}:${MOCK_ACCOUNT_ID}:${queueName}`] },
                { Effect: "Allow", Sid: "OnFailureDestinationKey", Action: ["kms:GenerateDataKey"], Resource: [key] },
            ]);
            expect(fnArn).to.match(new RegExp(`^arn:aws:lambda:${REGION}:${MOCK_ACCOUNT_ID}:function:`));
            const resume = one(run, "aws:iam/rolePolicy:RolePolicy", "retention-resume-policy");
            expect(json(resume.inputs["policy"])["Statement"]).to.deep.equal([{ Effect: "Allow", Sid: "ResumeOwnSweep", Action: ["lambda:InvokeFunction"], Resource: [fnArn] }]);
            expect(String(resume.inputs["role"])).to.equal(String(one(run, "aws:iam/role:Role", "retention-sweep-role").id));
        });

        it("sweeps on the configured schedule with the region as constant input, and sets retention on CreateLogGroup through CloudTrail's event", function () {
            const schedule = one(run, RULE, `retention-schedule-${REGION}`);
            expect(state(schedule, "scheduleExpression")).to.equal(PROD_RETENTION.schedule);
            const scheduleTarget = one(run, TARGET, `retention-schedule-${REGION}-target`);
            expect(json(state(scheduleTarget, "input"))).to.deep.equal({ kind: "sweep", region: REGION });
            expect(scheduleTarget.inputs["arn"]).to.equal(fnArn);

            const onCreate = one(run, RULE, "retention-on-create");
            expect(json(state(onCreate, "eventPattern"))).to.deep.equal({
                source: ["aws.logs"],
                "detail-type": ["AWS API Call via CloudTrail"],
                detail: { eventSource: ["logs.amazonaws.com"], eventName: ["CreateLogGroup"] },
            });
            const createTarget = one(run, TARGET, "retention-on-create-target");
            expect(createTarget.inputs["arn"]).to.equal(fnArn);
            expect(state(createTarget, "input"), "the CloudTrail event itself is the input").to.equal(undefined);

            const dlqArn = str(one(run, "aws:sqs/queue:Queue", "retention-events-dlq"), "arn");
            for (const [target, rule] of [[scheduleTarget, schedule], [createTarget, onCreate]] as const) {
                expect(json(state(target, "deadLetterConfig"))["arn"]).to.equal(dlqArn);
                expect(str(target, "rule")).to.equal(str(rule, "name"));
                const permission = ofType(run, PERMISSION).find((candidate) => str(candidate, "sourceArn") === str(rule, "arn"));
                expect(permission, `invoke permission for ${rule.name}`).to.not.equal(undefined);
                expect(str(permission as RegisteredResource, "principal")).to.equal("events.amazonaws.com");
            }
            const dlqPolicy = json(one(run, "aws:sqs/queuePolicy:QueuePolicy", "retention-events-dlq-policy").inputs["policy"]);
            expect((dlqPolicy["Statement"] as Json[])[0]?.["Condition"]).to.deep.equal({ ArnEquals: { "aws:SourceArn": [str(schedule, "arn"), str(onCreate, "arn")] } });
            expect(ofType(run, "aws:cloudtrail/trail:Trail"), "no trail unless retention.createTrail").to.have.length(0);
        });

        it("creates every log group of the whole program explicitly with retention of 7 days or less, every function's own included", function () {
            const groups = ofType(run, LOG_GROUP);
            expect(groups.length).to.be.greaterThan(0);
            for (const group of groups) {
                const days = state(group, "retentionInDays");
                expect(days, `${group.name} retention`).to.be.a("number");
                expect(days, `${group.name} retention`).to.be.within(1, 7);
            }
            const groupNames = new Set(groups.map((group) => str(group, "name")));
            for (const fn of ofType(run, FUNCTION)) {
                expect(groupNames.has(String(json(state(fn, "loggingConfig"))["logGroup"])), `${fn.name} logs to a log group of this program`).to.equal(true);
            }
        });
    });

    describe("with other settings", function () {
        it("one schedule per configured region; IAM names exactly those regions (plus the stack's, for the on-create rule)", async function () {
            const run = await runStack("prod", { retention: { ...PROD_RETENTION, regions: ["eu-west-2", "us-east-1"], schedule: "rate(30 minutes)" } });
            expect(ofType(run, RULE).filter((rule) => rule.name.startsWith("retention-schedule-")).map((rule) => rule.name).sort()).to.deep.equal(["retention-schedule-eu-west-2", "retention-schedule-us-east-1"]);
            for (const region of ["eu-west-2", "us-east-1"]) {
                expect(state(one(run, RULE, `retention-schedule-${region}`), "scheduleExpression")).to.equal("rate(30 minutes)");
                expect(json(state(one(run, TARGET, `retention-schedule-${region}-target`), "input"))).to.deep.equal({ kind: "sweep", region });
            }
            const enforce = policyOf(run, "retention-sweep-policy").find((statement) => statement["Sid"] === "EnforceLogGroupRetention");
            expect(enforce?.["Resource"]).to.deep.equal(["eu-west-2", "us-east-1", REGION].map((region) => `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:*`));
            expect(run.outputs["retentionRegions"]).to.deep.equal(["eu-west-2", "us-east-1"]);
        });

        it("without onCreate: no CreateLogGroup rule, and IAM only for the swept regions", async function () {
            const run = await runStack("prod", { retention: { ...PROD_RETENTION, regions: ["eu-west-2"], onCreate: false } });
            expect(ofType(run, RULE).map((rule) => rule.name).filter((name) => name.startsWith("retention-"))).to.deep.equal(["retention-schedule-eu-west-2"]);
            const enforce = policyOf(run, "retention-sweep-policy").find((statement) => statement["Sid"] === "EnforceLogGroupRetention");
            expect(enforce?.["Resource"]).to.deep.equal([`arn:aws:logs:eu-west-2:${MOCK_ACCOUNT_ID}:log-group:*`]);
        });

        describe("with createTrail", function () {
            let run: ProgramRun;
            before(async function () {
                run = await runStack("prod", { retention: { ...PROD_RETENTION, createTrail: true } });
            });

            it("adds a multi-region trail with its own rotated KMS key, log-file validation, into a private, TLS-only, versioned bucket that expires everything after 7 days", function () {
                const trail = one(run, "aws:cloudtrail/trail:Trail", "retention-trail");
                const key = one(run, "aws:kms/key:Key", "retention-trail-key");
                const bucket = one(run, "aws:s3/bucket:Bucket", "retention-trail-bucket");
                expect(state(trail, "isMultiRegionTrail")).to.equal(true);
                expect(state(trail, "enableLogFileValidation")).to.equal(true);
                expect(state(trail, "includeGlobalServiceEvents")).to.equal(true);
                expect(str(trail, "kmsKeyId")).to.equal(str(key, "arn"));
                expect(str(trail, "s3BucketName")).to.equal(str(bucket, "bucket"));
                expect(state(trail, "eventSelectors")).to.deep.equal([{ readWriteType: "WriteOnly", includeManagementEvents: true }]);
                expect(state(key, "enableKeyRotation")).to.equal(true);
                const trailArn = `arn:aws:cloudtrail:${REGION}:${MOCK_ACCOUNT_ID}:trail/${str(trail, "name")}`;
                const keyStatements = json(state(key, "policy"))["Statement"] as Json[];
                for (const statement of keyStatements.filter((candidate) => JSON.stringify(candidate["Principal"]).includes("cloudtrail"))) {
                    expect(JSON.stringify(statement["Condition"]), `${String(statement["Sid"])} is pinned to the trail`).to.include(trailArn);
                }

                const sse = json(one(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "retention-trail-bucket-sse").inputs);
                expect(sse["rules"]).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: str(key, "arn") }, bucketKeyEnabled: true }]);
                expect(json(one(run, "aws:s3/bucketVersioning:BucketVersioning", "retention-trail-bucket-versioning").inputs["versioningConfiguration"])).to.deep.equal({ status: "Enabled" });
                expect(one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "retention-trail-bucket-lifecycle").inputs["rules"]).to.deep.equal([
                    { id: "trail-expire", status: "Enabled", filter: { prefix: "" }, expiration: { days: 7 }, noncurrentVersionExpiration: { noncurrentDays: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
                ]);
                const block = one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "retention-trail-bucket-public-access").inputs;
                expect([block["blockPublicAcls"], block["blockPublicPolicy"], block["ignorePublicAcls"], block["restrictPublicBuckets"]]).to.deep.equal([true, true, true, true]);
                const bucketArn = `arn:aws:s3:::${str(bucket, "bucket")}`;
                expect(json(one(run, "aws:s3/bucketPolicy:BucketPolicy", "retention-trail-bucket-policy").inputs["policy"])["Statement"]).to.deep.equal([
                    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
                    { Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: bucketArn, Condition: { StringEquals: { "aws:SourceArn": trailArn } } },
                    {
                        Sid: "CloudTrailWrite",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: `${bucketArn}/AWSLogs/${MOCK_ACCOUNT_ID}/*`,
                        Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
                    },
                ]);
                expect(trail.dependencies, "the bucket policy exists before CloudTrail checks it").to.include(one(run, "aws:s3/bucketPolicy:BucketPolicy", "retention-trail-bucket-policy").urn);
            });

            it("still creates every log group with retention of 7 days or less", function () {
                for (const group of ofType(run, LOG_GROUP)) expect(state(group, "retentionInDays"), group.name).to.be.within(1, 7);
            });

            describe("the policy pack (as `npm run gate` runs it)", function () {
                this.timeout(180_000);
                let pack: PolicyPackProcess;
                before(async function () {
                    pack = await PolicyPackProcess.start(path.join(ROOT, "policypack"));
                });
                after(async function () {
                    await pack?.stop();
                });

                for (const [what, stack, overrides] of [
                    ["prod", "prod", undefined],
                    ["dev", "dev", undefined],
                    ["prod with the trail", "prod", { retention: { ...PROD_RETENTION, createTrail: true } }],
                ] as const) {
                    it(`passes ${what} with no mandatory violation (the log-group-wide grant included)`, async function () {
                        const result = await analyze(pack, await runStack(stack, overrides));
                        const mandatory = result.violations.filter((violation) => violation.enforcementLevel === "mandatory");
                        expect(mandatory, JSON.stringify(mandatory, null, 2)).to.deep.equal([]);
                        expect(result.violations.filter((violation) => violation.resourceName?.startsWith("retention"))).to.deep.equal([]);
                    });
                }
            });
        });
    });
});
