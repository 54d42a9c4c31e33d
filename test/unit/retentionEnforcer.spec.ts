import * as path from "path";

import { expect } from "chai";

import { analyze } from "../../cli/gate/analyze";
import { PolicyPackProcess } from "../../cli/gate/policyPackProcess";
import { DEFAULT_ENABLED_REGIONS, MOCK_ACCOUNT_ID } from "../../cli/offline/mockCloud";
import { OWN_LOG_GROUP_ROOT, ownLogGroupPrefix } from "../../components/managedFunction";
import { heartbeatPeriodSeconds } from "../../components/retentionEnforcer";
import { scheduleIntervalSeconds } from "../../components/shared/heartbeat";
import { PLATFORM_LOG_GROUP_ROOT } from "../../functions/retention/config";
import { platformStackOf } from "../../functions/retention/decision";
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
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** Pulumi.prod.yaml's retention section (written out, not read from the component, so a wrong wiring fails). */
const PROD_RETENTION = { schedule: "rate(1 hour)", createTrail: true };
/** What the mocks answer for aws.getRegions: the regions AWS enables in every account. */
const ENABLED = [...DEFAULT_ENABLED_REGIONS].sort();
const logGroupArns = (regions: string[]) => regions.map((region) => `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:*`);
const environmentOf = (run: ProgramRun): Json => json(json(state(one(run, FUNCTION, "retention-sweep"), "environment"))["variables"]);
const retentionAlarms = (run: ProgramRun) => ofType(run, ALARM).filter((alarm) => alarm.name.startsWith("retention-") && json(alarm.inputs)["namespace"] === "LogPlatform");

describe("RetentionEnforcer component (components/retentionEnforcer.ts) under mocks", function () {
    describe("with Pulumi.prod.yaml", function () {
        let run: ProgramRun;
        let fnArn: string;
        before(async function () {
            run = await runStack("prod");
            fnArn = str(one(run, FUNCTION, "retention-sweep"), "arn");
        });

        it("runs one nodejs22.x function with its own KMS log group under /aws/lambda/log-platform/prod/ kept 3 days (3 + CloudWatch's 72 h lag fit 7), a DLQ for async failures and an errors alarm", function () {
            const fn = one(run, FUNCTION, "retention-sweep");
            expect(state(fn, "runtime")).to.equal("nodejs22.x");
            expect(state(fn, "timeout")).to.equal(300);
            const logGroup = one(run, LOG_GROUP, "retention-sweep-logs");
            expect(state(logGroup, "retentionInDays")).to.equal(3);
            expect(str(logGroup, "namePrefix")).to.equal("/aws/lambda/log-platform/prod/retention-sweep-");
            expect(str(logGroup, "kmsKeyId")).to.equal(String(run.outputs["kmsKeyArn"]));
            expect(json(state(fn, "loggingConfig"))["logGroup"]).to.equal(str(logGroup, "name"));
            const invokeConfig = ofType(run, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").find((resource) => resource.name === "retention-sweep-async");
            expect(invokeConfig, "async failures go to the on-failure queue").to.not.equal(undefined);
            expect(str(one(run, "aws:sqs/queue:Queue", "retention-sweep-failures"), "kmsMasterKeyId")).to.equal(String(run.outputs["kmsKeyArn"]));
            expect(json(one(run, ALARM, "retention-sweep-errors-alarm").inputs)["metricName"]).to.equal("Errors");
            expect(run.outputs["retentionFunctionNames"]).to.deep.equal({ sweep: str(fn, "name") });
        });

        it("grants exactly: the log-group actions in every enabled region (aws.getRegions), DescribeAccountPolicies held to those regions, ec2:DescribeRegions, and InvokeFunction on itself only", function () {
            const key = String(run.outputs["kmsKeyArn"]);
            const logGroupName = str(one(run, LOG_GROUP, "retention-sweep-logs"), "name");
            const queueName = str(one(run, "aws:sqs/queue:Queue", "retention-sweep-failures"), "name");
            expect(policyOf(run, "retention-sweep-policy")).to.deep.equal([
                { Effect: "Allow", Sid: "OwnLogGroup", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`arn:aws:logs:${REGION}:${MOCK_ACCOUNT_ID}:log-group:${logGroupName}:*`] },
                { Effect: "Allow", Sid: "DecryptEnvironment", Action: ["kms:Decrypt"], Resource: [key] },
                { Effect: "Allow", Sid: "EnforceLogGroupRetention", Action: ["logs:DescribeLogGroups", "logs:PutRetentionPolicy"], Resource: logGroupArns(ENABLED) },
                { Effect: "Allow", Sid: "DetectAccountRetentionPolicies", Action: ["logs:DescribeAccountPolicies"], Resource: ["*"], Condition: { StringEquals: { "aws:RequestedRegion": ENABLED } } },
                { Effect: "Allow", Sid: "DiscoverEnabledRegions", Action: ["ec2:DescribeRegions"], Resource: ["*"] },
                { Effect: "Allow", Sid: "OnFailureDestination", Action: ["sqs:SendMessage"], Resource: [`arn:aws:sqs:${REGION}:${MOCK_ACCOUNT_ID}:${queueName}`] },
                { Effect: "Allow", Sid: "OnFailureDestinationKey", Action: ["kms:GenerateDataKey"], Resource: [key] },
            ]);
            expect(fnArn).to.match(new RegExp(`^arn:aws:lambda:${REGION}:${MOCK_ACCOUNT_ID}:function:`));
            const invokeItself = one(run, "aws:iam/rolePolicy:RolePolicy", "retention-invoke-itself-policy");
            expect(json(invokeItself.inputs["policy"])["Statement"]).to.deep.equal([{ Effect: "Allow", Sid: "InvokeItself", Action: ["lambda:InvokeFunction"], Resource: [fnArn] }]);
            expect(String(invokeItself.inputs["role"])).to.equal(String(one(run, "aws:iam/role:Role", "retention-sweep-role").id));
        });

        it("tells the function the regions its role covers (the same list as the grant), and exports them", function () {
            expect(environmentOf(run)["RETENTION_COVERED_REGIONS"]).to.equal(ENABLED.join(","));
            expect(run.outputs["retentionRegions"]).to.deep.equal(ENABLED);
        });

        it("one schedule sends {kind: sweep-all} (the function fans out per region); CloudTrail's CreateLogGroup record sets retention at once", function () {
            expect(ofType(run, RULE).map((rule) => rule.name).filter((name) => name.startsWith("retention-")).sort()).to.deep.equal(["retention-on-create", "retention-schedule"]);
            const schedule = one(run, RULE, "retention-schedule");
            expect(state(schedule, "scheduleExpression")).to.equal(PROD_RETENTION.schedule);
            const scheduleTarget = one(run, TARGET, "retention-schedule-target");
            expect(json(state(scheduleTarget, "input"))).to.deep.equal({ kind: "sweep-all" });
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
        });

        it("alarms: a heartbeat on completed sweeps over two windows of the hourly schedule, missing data breaching; account policies and uncovered regions, missing data not breaching; all per stack", function () {
            const byName = new Map(retentionAlarms(run).map((alarm) => [alarm.name, json(alarm.inputs)]));
            expect([...byName.keys()].sort()).to.deep.equal(["retention-account-policy-alarm", "retention-regions-not-covered-alarm", "retention-sweep-heartbeat-alarm"]);
            const topic = String(run.outputs["alarmTopicArn"]);
            const common = { namespace: "LogPlatform", dimensions: { service: "retention-enforcer", stack: "prod" }, period: 4500, evaluationPeriods: 1, alarmActions: [topic], okActions: [topic] };
            // A run lands anywhere in an hour: two whole hourly periods without a completed sweep mean it stopped.
            expect(byName.get("retention-sweep-heartbeat-alarm")).to.deep.include({
                ...common,
                period: 3600,
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                metricName: "RegionSweepSucceeded",
                statistic: "Sum",
                comparisonOperator: "LessThanThreshold",
                threshold: 1,
                treatMissingData: "breaching",
            });
            expect(byName.get("retention-account-policy-alarm")).to.deep.include({ ...common, metricName: "AccountRetentionPolicies", statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching" });
            expect(byName.get("retention-regions-not-covered-alarm")).to.deep.include({ ...common, metricName: "RegionsNotCovered", statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching" });
            for (const [name, alarm] of byName) expect(String(alarm["alarmDescription"]), name).to.include("docs/retention.md#alarms-and-what-to-do");
        });

        it("creates the trail the on-create rule needs: multi-region, its own rotated KMS key, log-file validation, into a private, TLS-only, versioned bucket whose lifecycle is the plan's (2 days, old versions 1)", function () {
            const trail = one(run, "aws:cloudtrail/trail:Trail", "retention-trail");
            const key = one(run, "aws:kms/key:Key", "retention-trail-key");
            const bucket = one(run, "aws:s3/bucket:Bucket", "retention-trail-bucket");
            expect(str(trail, "name")).to.equal("retention-trail-prod");
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
            // 2 days + S3's midnight rounding and removal lag, then 1 day as an old version: within 7 days (components/dataProtection/plan.ts).
            expect(one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "retention-trail-bucket-lifecycle").inputs["rules"]).to.deep.equal([
                { id: "trail-expire", status: "Enabled", filter: { prefix: "" }, expiration: { days: 2 }, noncurrentVersionExpiration: { noncurrentDays: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
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
            expect(run.outputs["retentionTrailArn"]).to.equal(str(trail, "arn"));
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

    describe("stack-safe names", function () {
        it("every name the enforcer fixes (trail, log group path, alarm dimensions) carries the stack, so dev's and prod's never collide", async function () {
            const fixedNames = (run: ProgramRun, stack: string): string[] => {
                const names: string[] = [];
                for (const resource of run.resources.filter((candidate) => candidate.name.startsWith("retention"))) {
                    for (const key of ["name", "namePrefix"]) {
                        const value = resource.inputs[key];
                        if (typeof value !== "string") continue;
                        expect(value, `${resource.type} ${resource.name}.${key}`).to.include(stack);
                        names.push(value);
                    }
                }
                for (const alarm of retentionAlarms(run)) expect(json(alarm.inputs)["dimensions"], alarm.name).to.deep.include({ stack });
                return names;
            };
            const prod = fixedNames(await runStack("prod"), "prod");
            const dev = fixedNames(await runStack("dev"), "dev");
            expect(prod.length, "prod fixes names (trail, log group path)").to.be.at.least(2);
            expect(dev.length).to.be.at.least(1);
            expect(prod.filter((name) => dev.includes(name))).to.deep.equal([]);
        });

        it("the function's log group root and the enforcer's idea of it are the same path; a platform group's stack is its first folder", function () {
            expect(PLATFORM_LOG_GROUP_ROOT).to.equal(OWN_LOG_GROUP_ROOT);
            expect(platformStackOf(`${ownLogGroupPrefix("dev")}kpi-daily-1a2b3c`)).to.equal("dev");
            expect(platformStackOf("/aws/lambda/log-platform/prod")).to.equal(undefined);
            expect(platformStackOf("/aws/lambda/other/prod/x")).to.equal(undefined);
        });
    });

    describe("the heartbeat's period, from retention.schedule", function () {
        const intervals: [string, number][] = [
            ["rate(1 minute)", 60],
            ["rate(30 minutes)", 1800],
            ["rate(6 hours)", 21600],
            ["rate(1 day)", 86400],
            ["cron(0/15 * * * ? *)", 900],
            ["cron(5 * * * ? *)", 3600],
            ["cron(0 */6 * * ? *)", 21600],
            ["cron(30 2,14 * * ? *)", 43200],
            ["cron(0 8-18 * * ? *)", 14 * 3600],
            ["cron(15 0 * * ? *)", 86400],
        ];
        for (const [schedule, seconds] of intervals) {
            it(`${schedule}: at most ${seconds} s between runs`, function () {
                expect(scheduleIntervalSeconds(schedule)).to.equal(seconds);
            });
        }

        for (const schedule of ["cron(0 12 ? * MON-FRI *)", "cron(0 12 1 * ? *)", "cron(0 12 * 1-6 ? *)", "cron(0 12 L * ? *)", "rate(0 hours)"]) {
            it(`refuses ${schedule}, naming the setting and what to write instead`, function () {
                expect(scheduleIntervalSeconds(schedule)).to.equal(undefined);
                expect(() => heartbeatPeriodSeconds(schedule, 3)).to.throw(/retention\.schedule .*cannot be derived from it \(use rate\(N minutes\|hours\|days\), or a cron that runs every day/);
            });
        }

        it("is the interval plus 15 minutes, and refuses a schedule slower than the retention it enforces", function () {
            expect(heartbeatPeriodSeconds("rate(1 hour)", 3)).to.equal(3600 + 900);
            expect(heartbeatPeriodSeconds("rate(2 days)", 3)).to.equal(2 * 86400 + 900);
            expect(() => heartbeatPeriodSeconds("rate(3 days)", 3)).to.throw(/retention\.schedule rate\(3 days\): sweeps 72 h apart \(\+ 15 min slack\) are longer than the 3-day retention they enforce/);
        });
    });

    describe("with other settings", function () {
        it("retention.regions narrows the grant and the covered regions to those (plus the stack's, for the on-create rule); still one schedule; the heartbeat follows the schedule", async function () {
            const run = await runStack("prod", { retention: { ...PROD_RETENTION, regions: ["eu-west-2", "us-east-1"], schedule: "rate(30 minutes)" } });
            expect(ofType(run, RULE).filter((rule) => rule.name.startsWith("retention-schedule")).map((rule) => rule.name)).to.deep.equal(["retention-schedule"]);
            expect(state(one(run, RULE, "retention-schedule"), "scheduleExpression")).to.equal("rate(30 minutes)");
            const statements = policyOf(run, "retention-sweep-policy");
            expect(statements.find((statement) => statement["Sid"] === "EnforceLogGroupRetention")?.["Resource"]).to.deep.equal(logGroupArns(["eu-west-2", "us-east-1", REGION]));
            expect(statements.find((statement) => statement["Sid"] === "DetectAccountRetentionPolicies")?.["Condition"]).to.deep.equal({ StringEquals: { "aws:RequestedRegion": ["eu-west-2", "us-east-1", REGION] } });
            expect(environmentOf(run)["RETENTION_COVERED_REGIONS"]).to.equal(`eu-west-2,us-east-1,${REGION}`);
            expect(run.outputs["retentionRegions"]).to.deep.equal(["eu-west-2", "us-east-1", REGION]);
            // 30 min + 30 min of slack: one hour, one hourly period.
            expect(json(one(run, ALARM, "retention-sweep-heartbeat-alarm").inputs)).to.deep.include({ period: 3600, evaluationPeriods: 1 });
        });

        it("without onCreate: no CreateLogGroup rule, and the grant covers only the listed regions", async function () {
            const run = await runStack("prod", { retention: { ...PROD_RETENTION, regions: ["eu-west-2"], onCreate: false } });
            expect(ofType(run, RULE).map((rule) => rule.name).filter((name) => name.startsWith("retention-"))).to.deep.equal(["retention-schedule"]);
            const enforce = policyOf(run, "retention-sweep-policy").find((statement) => statement["Sid"] === "EnforceLogGroupRetention");
            expect(enforce?.["Resource"]).to.deep.equal(logGroupArns(["eu-west-2"]));
        });

        describe("with retention.existingTrailArn instead of a trail of its own", function () {
            const TRAIL = `arn:aws:cloudtrail:us-east-1:${MOCK_ACCOUNT_ID}:trail/organization-trail`;
            let run: ProgramRun;
            before(async function () {
                run = await runStack("prod", { retention: { schedule: "rate(1 hour)", createTrail: false, existingTrailArn: TRAIL } });
            });

            it("grants GetTrailStatus and GetEventSelectors on exactly that trail, creates no trail, and alarms when the check fails (missing data not breaching)", function () {
                const check = policyOf(run, "retention-sweep-policy").filter((statement) => JSON.stringify(statement["Action"]).includes("cloudtrail:"));
                expect(check).to.deep.equal([{ Effect: "Allow", Sid: "CheckExistingTrail", Action: ["cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"], Resource: [TRAIL] }]);
                expect(ofType(run, "aws:cloudtrail/trail:Trail")).to.have.length(0);
                expect(json(one(run, ALARM, "retention-trail-alarm").inputs)).to.deep.include({
                    metricName: "TrailNotRecording",
                    dimensions: { service: "retention-enforcer", stack: "prod" },
                    statistic: "Maximum",
                    comparisonOperator: "GreaterThanThreshold",
                    threshold: 0,
                    treatMissingData: "notBreaching",
                    period: 4500,
                });
            });
        });

        it("refuses a schedule the heartbeat cannot be sized from, with the command that fixes it", async function () {
            let thrown: unknown;
            try {
                await runStack("prod", { retention: { ...PROD_RETENTION, schedule: "cron(0 12 ? * MON-FRI *)" } });
            } catch (error) {
                thrown = error;
            }
            expect(String(thrown)).to.match(/log-platform:retention\.schedule: retention\.schedule cron\(0 12 \? \* MON-FRI \*\): a heartbeat alarm cannot be sized from it: use rate\(N minutes\|hours\|days\).*\n\s+fix: pulumi config set --path 'log-platform:retention\.schedule'/s);
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
                ["prod with an existing trail", "prod", { retention: { schedule: "rate(1 hour)", createTrail: false, existingTrailArn: `arn:aws:cloudtrail:us-east-1:${MOCK_ACCOUNT_ID}:trail/organization-trail` } }],
            ] as const) {
                it(`passes ${what} with no mandatory violation (the log-group-wide grant and the "*" of DescribeRegions / DescribeAccountPolicies included)`, async function () {
                    const result = await analyze(pack, await runStack(stack, overrides));
                    const mandatory = result.violations.filter((violation) => violation.enforcementLevel === "mandatory");
                    expect(mandatory, JSON.stringify(mandatory, null, 2)).to.deep.equal([]);
                    expect(result.violations.filter((violation) => violation.resourceName?.startsWith("retention"))).to.deep.equal([]);
                });
            }
        });
    });
});
