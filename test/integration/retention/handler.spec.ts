import { CloudTrailClient, CreateTrailCommand, PutEventSelectorsCommand, StartLoggingCommand, StopLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient, CreateLogGroupCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { expect } from "chai";

import { DEFAULT_SETTINGS } from "../../../functions/retention/config";
import { parseEvent } from "../../../functions/retention/events";
import { COVERED_REGIONS_ENV, LambdaContextLike, makeRetentionHandler, RetentionFunctionConfig, RetentionOutcome } from "../../../functions/retention/handler";
import { loadSerializedFactory } from "../../harness/closure";
import { Fault, LoopbackProxy, RecordedRequest } from "../../harness/proxy";
import { MotoService, useMoto } from "../../harness/services";
import { allGroups, awsError, captured, createGroups, emfDocuments, GroupSpec, jsonLines, maxPerSecond, MOTO_ENABLED_REGIONS, putNames, putRetentionAccountPolicy } from "./groups";

type Handler = (event: unknown, context: LambdaContextLike) => Promise<RetentionOutcome>;

const FUNCTION_NAME = "retention-enforcer-fn-test";
const ACCOUNT = "123456789012";
const REGIONS = ["us-west-1", "us-west-2", "ap-northeast-3"];
const RESUME_REGION = REGIONS[0];
const CREATE_REGION = REGIONS[1];
const DEPLOYED_REGION = REGIONS[2];

/** Lambda's asynchronous Invoke (REST-JSON): POST /2015-03-31/functions/<name>/invocations. */
const isInvoke = (request: RecordedRequest) => request.method === "POST" && /^\/2015-03-31\/functions\/[^/]+\/invocations/.test(request.path);

/** An EventBridge "AWS API Call via CloudTrail" event for CreateLogGroup, shaped as CloudTrail records it (trimmed identity). */
function cloudTrailCreateLogGroup(region: string, logGroupName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        version: "0",
        id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "AWS API Call via CloudTrail",
        source: "aws.logs",
        account: ACCOUNT,
        time: "2026-11-30T01:02:03Z",
        region,
        resources: [],
        detail: {
            eventVersion: "1.09",
            userIdentity: { type: "AssumedRole", principalId: "AROAEXAMPLEID:ci", accountId: ACCOUNT, sessionContext: { sessionIssuer: { type: "Role", userName: "ci-deployer" } } },
            eventTime: "2026-11-30T01:02:03Z",
            eventSource: "logs.amazonaws.com",
            eventName: "CreateLogGroup",
            awsRegion: region,
            sourceIPAddress: "203.0.113.10",
            userAgent: "aws-cli/2.17.0",
            requestParameters: { logGroupName, ...extra },
            responseElements: null,
            requestID: "c1d5c8a6-2f0b-4a52-9a3e-5b1d2f1e0a11",
            eventID: "a0c5f4a2-8b0e-4b9e-9f5b-1c2d3e4f5a6b",
            readOnly: false,
            eventType: "AwsApiCall",
            managementEvent: true,
            recipientAccountId: ACCOUNT,
            eventCategory: "Management",
        },
    };
}

/**
 * The retention function as deployed: the component's factory serialized the way CallbackFunction does it,
 * loaded as Lambda loads it, and invoked against moto through a recording proxy that also stands in for
 * Lambda's Invoke API (it answers 202 and keeps the payload, which the test then delivers, as Lambda would).
 */
describe("retention handler as deployed (functions/retention/handler.ts, serialized closure)", function () {
    let moto: MotoService;
    let proxy: LoopbackProxy;
    let handler: Handler;
    let endpoint: string | undefined;
    let budgetMs = 900_000;
    const context = (requestId = "req-1"): LambdaContextLike => ({
        getRemainingTimeInMillis: () => budgetMs,
        functionName: FUNCTION_NAME,
        invokedFunctionArn: `arn:aws:lambda:${RESUME_REGION}:${ACCOUNT}:function:${FUNCTION_NAME}`,
        awsRequestId: requestId,
    });

    const config: RetentionFunctionConfig = {
        settings: { ...DEFAULT_SETTINGS, targetDays: 7, putsPerSecond: 5, describesPerSecond: 10, excludePrefixes: ["/vendor/"], excludePatterns: ["^/legal-hold/"] },
        stack: "prod",
        homeRegion: RESUME_REGION,
        onlyRegions: [],
        reserveMs: 0,
    };
    /** Extra faults for a test (the proxy always stands in for Lambda's Invoke). */
    let fault: ((request: RecordedRequest) => Fault | undefined) | undefined;

    before(async function () {
        moto = await useMoto();
        proxy = await LoopbackProxy.start({
            upstream: moto.endpoint,
            fault: (request) => (isInvoke(request) ? { kind: "respond", status: 202, body: "" } : fault?.(request)),
        });
        // The function reads its endpoint from the environment, as in Lambda; its clients are created lazily, on first use.
        endpoint = process.env["AWS_ENDPOINT_URL"];
        process.env["AWS_ENDPOINT_URL"] = proxy.endpoint;
        // As deployed: the regions its role covers come from the environment the component sets.
        process.env[COVERED_REGIONS_ENV] = REGIONS.join(",");
        handler = (await loadSerializedFactory(makeRetentionHandler(config))).handler;
    });
    beforeEach(function () {
        proxy.reset();
        budgetMs = 900_000;
        fault = undefined;
    });
    after(async function () {
        if (endpoint !== undefined) process.env["AWS_ENDPOINT_URL"] = endpoint;
        delete process.env[COVERED_REGIONS_ENV];
        await proxy.stop();
    });

    const direct = (region: string) => new CloudWatchLogsClient({ region, endpoint: moto.endpoint });

    it("a scheduled sweep of its region sets every non-compliant group and finishes in one invocation", async function () {
        const specs: GroupSpec[] = [
            { name: "/app/deployed/never", excluded: false },
            { name: "/app/deployed/month", retention: 30, excluded: false },
            { name: "/app/deployed/week", retention: 7, excluded: false },
            { name: "/vendor/deployed/forever", excluded: true },
        ];
        await createGroups(direct(DEPLOYED_REGION), specs);

        const outcome = await handler({ kind: "sweep", region: DEPLOYED_REGION }, context());

        expect(outcome.kind).to.equal("sweep");
        if (outcome.kind !== "sweep") return;
        expect(outcome).to.deep.include({ invocation: 1, continued: false });
        expect(outcome.result).to.deep.include({ complete: true, scanned: 4, changed: 2, compliant: 1, excluded: 1, failed: 0 });
        expect(putNames(proxy.calls("PutRetentionPolicy"))).to.have.members(["/app/deployed/never", "/app/deployed/month"]);
        expect(proxy.requests.filter(isInvoke)).to.have.length(0);
        const after = await allGroups(direct(DEPLOYED_REGION));
        expect(after.get("/app/deployed/never")?.retentionInDays).to.equal(7);
        expect(after.get("/app/deployed/month")?.retentionInDays).to.equal(7);
        expect(after.get("/vendor/deployed/forever")?.retentionInDays).to.equal(undefined);
    });

    it("with a tiny time budget, resumes itself page by page: every group done, none put twice, totals carried over", async function () {
        // 250 groups = 5 pages; every 5th keeps logs forever (50 puts: 10 s at the 5/s quota pace).
        const specs: GroupSpec[] = Array.from({ length: 250 }, (_, i) => ({
            name: `/app/resume/group-${String(i).padStart(4, "0")}`,
            ...(i % 5 === 0 ? {} : { retention: [1, 3, 5, 7][i % 4] }),
            excluded: false,
        }));
        await createGroups(direct(RESUME_REGION), specs);
        const expected = specs.filter((spec) => spec.retention === undefined).map((spec) => spec.name);
        // One second left: each invocation reads its first page, then finds no budget for another.
        budgetMs = 1000;

        const outcomes: RetentionOutcome[] = [];
        let event: unknown = { kind: "sweep", region: RESUME_REGION };
        for (let invocation = 1; invocation <= 20 && event !== undefined; invocation++) {
            const seen = proxy.requests.filter(isInvoke).length;
            outcomes.push(await handler(event, context(`req-${invocation}`)));
            const invokes = proxy.requests.filter(isInvoke);
            expect(invokes.length - seen, "at most one re-invocation per invocation").to.be.at.most(1);
            const next = invokes.length > seen ? invokes[invokes.length - 1] : undefined;
            if (next) {
                expect(next.path).to.equal(`/2015-03-31/functions/${FUNCTION_NAME}/invocations`);
                expect(next.headers["x-amz-invocation-type"], "asynchronous, so the caller's budget is not spent waiting").to.equal("Event");
            }
            event = next ? (JSON.parse(next.body.toString("utf8")) as unknown) : undefined;
        }

        expect(outcomes.length, "one invocation per page").to.equal(5);
        const last = outcomes[outcomes.length - 1];
        expect(last?.kind).to.equal("sweep");
        if (last?.kind !== "sweep") return;
        expect(last).to.deep.include({ invocation: 5, continued: false });
        expect(outcomes.slice(0, -1).every((outcome) => outcome.kind === "sweep" && outcome.continued)).to.equal(true);
        expect(new Set(outcomes.map((outcome) => (outcome.kind === "sweep" ? outcome.sweepId : ""))), "one sweep, named by its first invocation").to.deep.equal(new Set(["req-1"]));
        expect(last.result).to.deep.include({ complete: true, scanned: 250, changed: expected.length, compliant: 250 - expected.length, failed: 0, pages: 5 });
        const puts = putNames(proxy.calls("PutRetentionPolicy"));
        expect(puts.length, "no group put twice").to.equal(new Set(puts).size);
        expect(new Set(puts)).to.deep.equal(new Set(expected));
        expect(proxy.calls("DescribeLogGroups")).to.have.length(5);
        expect(maxPerSecond(proxy.calls("PutRetentionPolicy").map((call) => call.at)), "the serialized pacer holds the 5/s quota").to.be.at.most(5);
        const after = await allGroups(direct(RESUME_REGION));
        expect(specs.every((spec) => (after.get(spec.name)?.retentionInDays ?? Infinity) <= 7)).to.equal(true);
    });

    describe("CreateLogGroup (EventBridge 'AWS API Call via CloudTrail')", function () {
        it("sets the target at once on a new group that keeps logs forever", async function () {
            await direct(CREATE_REGION).send(new CreateLogGroupCommand({ logGroupName: "/app/created/new" }));

            const outcome = await handler(cloudTrailCreateLogGroup(CREATE_REGION, "/app/created/new"), context());

            expect(outcome).to.deep.equal({ kind: "create", region: CREATE_REGION, logGroupName: "/app/created/new", outcome: "changed" });
            expect(putNames(proxy.calls("PutRetentionPolicy"))).to.deep.equal(["/app/created/new"]);
            expect((await allGroups(direct(CREATE_REGION))).get("/app/created/new")?.retentionInDays).to.equal(7);
        });

        it("leaves alone a group created with retention within the target, an excluded one, and a DELIVERY one", async function () {
            const logs = direct(CREATE_REGION);
            await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/created/short" }));
            await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/app/created/short", retentionInDays: 3 }));
            await logs.send(new CreateLogGroupCommand({ logGroupName: "/legal-hold/created" }));

            const short = await handler(cloudTrailCreateLogGroup(CREATE_REGION, "/app/created/short"), context());
            const excluded = await handler(cloudTrailCreateLogGroup(CREATE_REGION, "/legal-hold/created"), context());
            const delivery = await handler(cloudTrailCreateLogGroup(CREATE_REGION, "/aws/vendedlogs/created", { logGroupClass: "DELIVERY" }), context());

            expect([short, excluded, delivery].map((outcome) => (outcome.kind === "create" ? outcome.outcome : outcome.kind))).to.deep.equal(["compliant", "excluded", "delivery"]);
            expect(proxy.calls("PutRetentionPolicy")).to.have.length(0);
            expect(proxy.calls("DescribeLogGroups"), "excluded and DELIVERY are decided from the event alone").to.have.length(1);
            const after = await allGroups(logs);
            expect(after.get("/app/created/short")?.retentionInDays).to.equal(3);
            expect(after.get("/legal-hold/created")?.retentionInDays).to.equal(undefined);
        });

        it("answers a group deleted before the event arrived as vanished, without a put", async function () {
            const outcome = await handler(cloudTrailCreateLogGroup(CREATE_REGION, "/app/created/gone-already"), context());
            expect(outcome).to.deep.include({ kind: "create", outcome: "vanished" });
            expect(proxy.calls("PutRetentionPolicy")).to.have.length(0);
        });
    });

    describe("malformed events", function () {
        const cases: [string, unknown, RegExp][] = [
            ["not an object", "CreateLogGroup", /expected a JSON object, got string/],
            ["null", null, /got null/],
            ["an unknown shape", { hello: "world" }, /not a schedule \(\{"kind":"sweep-all"\}\), a region's sweep .* a resumption, or a CloudTrail CreateLogGroup event/],
            ["a schedule without a region", { kind: "sweep" }, /region is missing or not an AWS region/],
            ["a region its role does not cover", { kind: "sweep", region: "eu-central-2" }, /eu-central-2 is not one this function's role covers .*redeploy the stack/],
            ["another CloudTrail call", { ...cloudTrailCreateLogGroup(CREATE_REGION, "/x"), detail: { ...(cloudTrailCreateLogGroup(CREATE_REGION, "/x")["detail"] as object), eventName: "DeleteLogGroup" } }, /detail\.eventName must be "CreateLogGroup", got "DeleteLogGroup"/],
            ["a CloudTrail event without requestParameters", { ...cloudTrailCreateLogGroup(CREATE_REGION, "/x"), detail: { eventName: "CreateLogGroup", awsRegion: CREATE_REGION } }, /requestParameters is missing/],
            ["a CloudTrail event without a group name", cloudTrailCreateLogGroup(CREATE_REGION, ""), /logGroupName is missing/],
            ["another detail-type", { ...cloudTrailCreateLogGroup(CREATE_REGION, "/x"), "detail-type": "Scheduled Event" }, /detail-type must be "AWS API Call via CloudTrail"/],
            ["a resumption without its token", { kind: "continue", region: RESUME_REGION, sweepId: "s", invocation: 2, totals: {} }, /nextToken is missing/],
        ];
        for (const [what, event, message] of cases) {
            it(`rejects ${what} with an InputError naming the problem, calling nothing`, async function () {
                let thrown: unknown;
                try {
                    await handler(event, context());
                } catch (error) {
                    thrown = error;
                }
                expect(thrown, "the invocation must fail").to.be.instanceOf(Error);
                expect((thrown as Error).name).to.equal("InputError");
                expect((thrown as Error).message).to.match(message);
                expect(proxy.requests, "no AWS call for a rejected event").to.have.length(0);
            });
        }

        it("accepts a resumption sent by the previous version (totals without the account-policy and other-stack counts), counting those from zero", function () {
            const previous = { scanned: 50, changed: 3, wouldChange: 0, compliant: 47, deliverySkipped: 0, excluded: 0, failed: 0, vanished: 0, pages: 1, failedGroups: [], changedGroups: ["/a"], excludedGroups: [], deliveryGroups: [], listsTruncated: false };
            const parsed = parseEvent({ kind: "continue", region: RESUME_REGION, sweepId: "s", invocation: 2, nextToken: "t", totals: previous });
            expect(parsed).to.deep.equal({ kind: "continue", region: RESUME_REGION, sweepId: "s", invocation: 2, nextToken: "t", totals: { ...previous, otherStack: 0, overridden: 0, overriddenGroups: [], overriddenByPolicy: {} } });
            expect(() => parseEvent({ kind: "continue", region: RESUME_REGION, sweepId: "s", invocation: 2, nextToken: "t", totals: { ...previous, overridden: "2" } })).to.throw(/totals is missing or malformed/);
        });

        it("leaves the container working: the next valid event is handled normally", async function () {
            await handler({ nonsense: true }, context()).catch(() => undefined);
            await direct(CREATE_REGION).send(new CreateLogGroupCommand({ logGroupName: "/app/created/after-bad-event" }));

            const outcome = await handler(cloudTrailCreateLogGroup(CREATE_REGION, "/app/created/after-bad-event"), context());

            expect(outcome).to.deep.include({ kind: "create", outcome: "changed" });
            expect((await allGroups(direct(CREATE_REGION))).get("/app/created/after-bad-event")?.retentionInDays).to.equal(7);
        });
    });
    /** The deployed function with its logs (INFO) and EMF metrics on, as in Lambda; every invocation's output is captured. */
    describe("sweep-all, account policies, the heartbeat and the trail check (logs and metrics captured)", function () {
        const MOTO_ENABLED = MOTO_ENABLED_REGIONS;
        const HOME = "eu-west-1";
        const observedConfig: RetentionFunctionConfig = { settings: { ...DEFAULT_SETTINGS, targetDays: 3, putsPerSecond: 5, describesPerSecond: 10 }, stack: "prod", homeRegion: HOME, onlyRegions: [], reserveMs: 0 };

        /**
         * Loads the closure as Lambda would (logs at INFO, metrics on), and returns it invoked the way Lambda runs it:
         * with the role's regions in its environment, as the component sets them.
         */
        async function deploy(overrides: Partial<RetentionFunctionConfig>, covered: string[]): Promise<Handler> {
            const saved = { log: process.env["LOG_LEVEL"], metrics: process.env["POWERTOOLS_METRICS_DISABLED"] };
            process.env["LOG_LEVEL"] = "INFO";
            process.env["POWERTOOLS_METRICS_DISABLED"] = "false";
            let loaded: Handler;
            try {
                const load = await captured(() => loadSerializedFactory(makeRetentionHandler({ ...observedConfig, ...overrides })));
                if (load.value === undefined) throw load.error;
                loaded = load.value.handler;
            } finally {
                process.env["LOG_LEVEL"] = saved.log;
                process.env["POWERTOOLS_METRICS_DISABLED"] = saved.metrics;
            }
            return async (event, invocationContext) => {
                const before = process.env[COVERED_REGIONS_ENV];
                process.env[COVERED_REGIONS_ENV] = covered.join(",");
                try {
                    return await loaded(event, invocationContext);
                } finally {
                    process.env[COVERED_REGIONS_ENV] = before;
                }
            };
        }
        const errors = (lines: string[]) => jsonLines(lines).filter((line) => line["level"] === "ERROR");
        const alarmDocuments = (lines: string[]) => emfDocuments(lines).filter((document) => document.dimensions.join(",") === "service,stack");
        const regionDocuments = (lines: string[]) => emfDocuments(lines).filter((document) => document.dimensions.join(",") === "region,service,stack");
        const invokedPayloads = () => proxy.requests.filter(isInvoke).map((request) => ({ functionPath: request.path, type: request.headers["x-amz-invocation-type"], payload: JSON.parse(request.body.toString("utf8")) as unknown }));

        it("sweep-all discovers the enabled regions (EC2 DescribeRegions), starts one asynchronous sweep per covered region, and reports the one its role does not cover", async function () {
            const covered = MOTO_ENABLED.filter((region) => region !== "eu-west-3");
            const fn = await deploy({}, covered);

            const run = await captured(() => fn({ kind: "sweep-all" }, context("sweep-all-1")));

            expect(run.error, String(run.error)).to.equal(undefined);
            expect(run.value).to.deep.equal({ kind: "sweep-all", discovered: MOTO_ENABLED, fannedOut: covered, notCovered: ["eu-west-3"], notEnabled: [] });
            expect(proxy.calls("DescribeRegions"), "one discovery, in the stack's region").to.have.length(1);
            const invoked = invokedPayloads();
            expect(invoked.map((call) => call.payload)).to.have.deep.members(covered.map((region) => ({ kind: "sweep", region })));
            expect(invoked.every((call) => call.type === "Event" && call.functionPath === `/2015-03-31/functions/${FUNCTION_NAME}/invocations`), "asynchronous invokes of itself").to.equal(true);
            const notCovered = errors(run.lines).filter((line) => line["region"] === "eu-west-3");
            expect(notCovered, run.lines.join("\n")).to.have.length(1);
            expect(String(notCovered[0]?.["message"])).to.match(/not covered.*NOT swept.*redeploy/);
            const alarms = alarmDocuments(run.lines);
            expect(alarms, run.lines.join("\n")).to.have.length(1);
            expect(alarms[0]?.values).to.deep.include({ RegionsNotCovered: 1, RegionsDiscovered: 20, RegionsFannedOut: 19, stack: "prod", service: "retention-enforcer" });
            expect(alarms[0]?.values, "no trail to check").to.not.have.property("TrailNotRecording");
            expect(proxy.calls("PutRetentionPolicy"), "sweep-all itself sweeps nothing").to.have.length(0);
        });

        it("sweep-all narrows to retention.regions, and says which of them are not enabled", async function () {
            const fn = await deploy({ onlyRegions: ["us-west-2", "eu-west-1", "me-central-1"] }, MOTO_ENABLED);

            const run = await captured(() => fn({ kind: "sweep-all" }, context()));

            expect(run.value).to.deep.include({ fannedOut: ["eu-west-1", "us-west-2"], notCovered: [], notEnabled: ["me-central-1"] });
            expect(invokedPayloads().map((call) => call.payload)).to.have.deep.members([
                { kind: "sweep", region: "eu-west-1" },
                { kind: "sweep", region: "us-west-2" },
            ]);
            expect(alarmDocuments(run.lines)[0]?.values).to.deep.include({ RegionsNotCovered: 0 });
        });

        it("a region's sweep never puts on the groups an account-level retention policy governs: ERROR with the policy, the count and the command that deletes it; metric AccountRetentionPolicies", async function () {
            const region = "ca-west-1";
            await createGroups(direct(region), [
                { name: "/app/acct/forever", excluded: false },
                { name: "/governed/acct/forever", excluded: false },
                { name: "/governed/acct/week", retention: 7, excluded: false },
            ]);
            const remove = await putRetentionAccountPolicy(direct(region), "keep-30-governed", 30, ["/governed/"]);
            try {
                const fn = await deploy({}, [region]);

                const run = await captured(() => fn({ kind: "sweep", region }, context()));

                expect(run.error, String(run.error)).to.equal(undefined);
                expect(putNames(proxy.calls("PutRetentionPolicy"))).to.deep.equal(["/app/acct/forever"]);
                const outcome = run.value;
                if (outcome?.kind !== "sweep") throw new Error(JSON.stringify(outcome));
                expect(outcome.result).to.deep.include({ changed: 1, overridden: 2, failed: 0 });
                expect(outcome.result.overriddenGroups.sort()).to.deep.equal(["/governed/acct/forever", "/governed/acct/week"]);
                const policyLines = errors(run.lines).filter((line) => line["policyName"] === "keep-30-governed");
                expect(policyLines, run.lines.join("\n")).to.have.length(1);
                expect(policyLines[0]).to.deep.include({
                    region,
                    retention: "30 days",
                    overriddenGroups: 2,
                    selectionCriteria: 'LogGroupNamePrefix IN ["/governed/"]',
                    fix: `aws logs delete-account-policy --policy-type RETENTION_POLICY --policy-name 'keep-30-governed' --region ${region}`,
                });
                const alarms = alarmDocuments(run.lines);
                expect(alarms, "one document of the alarmed metrics").to.have.length(1);
                expect(alarms[0]?.values).to.deep.include({ AccountRetentionPolicies: 1, RegionSweepSucceeded: 1, stack: "prod" });
                expect(regionDocuments(run.lines)[0]?.values).to.deep.include({ region, overridden: 2, changed: 1, scanned: 3 });
                const after = await allGroups(direct(region));
                expect(after.get("/app/acct/forever")?.retentionInDays).to.equal(3);
            } finally {
                await remove();
            }
        });

        it("heartbeat: RegionSweepSucceeded 1 for a clean sweep (no policy: AccountRetentionPolicies 0), 0 and a thrown error when a group fails", async function () {
            const region = "eu-south-2";
            await createGroups(direct(region), [
                { name: "/app/heartbeat/ok", excluded: false },
                { name: "/app/heartbeat/denied", excluded: false },
            ]);
            const fn = await deploy({}, [region]);
            fault = (request) => (request.operation?.endsWith(".PutRetentionPolicy") && request.body.toString("utf8").includes("/app/heartbeat/denied") ? awsError("AccessDeniedException", "not authorized") : undefined);

            const failing = await captured(() => fn({ kind: "sweep", region }, context()));

            expect((failing.error as Error | undefined)?.message).to.match(/1 log group\(s\) could not be set to 3 days: \/app\/heartbeat\/denied/);
            expect(alarmDocuments(failing.lines).map((document) => [document.values["RegionSweepSucceeded"], document.values["AccountRetentionPolicies"]])).to.deep.equal([[0, 0]]);

            fault = undefined;
            const clean = await captured(() => fn({ kind: "sweep", region }, context()));

            expect(clean.error, String(clean.error)).to.equal(undefined);
            expect(alarmDocuments(clean.lines).map((document) => [document.values["RegionSweepSucceeded"], document.values["AccountRetentionPolicies"]])).to.deep.equal([[1, 0]]);
        });

        it("leaves alone the log groups of another stack of this platform and sweeps its own stack's", async function () {
            const region = "ap-southeast-6";
            await createGroups(direct(region), [
                { name: "/aws/lambda/log-platform/prod/retention-sweep-0a1b2c", excluded: false },
                { name: "/aws/lambda/log-platform/dev/retention-sweep-3d4e5f", retention: 14, excluded: false },
            ]);
            const fn = await deploy({}, [region]);

            const run = await captured(() => fn({ kind: "sweep", region }, context()));

            const outcome = run.value;
            if (outcome?.kind !== "sweep") throw new Error(String(run.error));
            expect(outcome.result).to.deep.include({ changed: 1, excluded: 1, otherStack: 1, excludedGroups: ["/aws/lambda/log-platform/dev/retention-sweep-3d4e5f"] });
            expect(regionDocuments(run.lines)[0]?.values).to.deep.include({ otherStack: 1, excluded: 1 });
            const after = await allGroups(direct(region));
            expect(after.get("/aws/lambda/log-platform/prod/retention-sweep-0a1b2c")?.retentionInDays).to.equal(3);
            expect(after.get("/aws/lambda/log-platform/dev/retention-sweep-3d4e5f")?.retentionInDays, "dev's own enforcer keeps it").to.equal(14);
        });

        it("a new group governed by an account policy is not put on, and the ERROR names the policy", async function () {
            const region = "ap-southeast-7";
            await direct(region).send(new CreateLogGroupCommand({ logGroupName: "/governed/created" }));
            const remove = await putRetentionAccountPolicy(direct(region), "keep-60-created", 60, ["/governed/"]);
            try {
                const fn = await deploy({}, [region]);

                const run = await captured(() => fn(cloudTrailCreateLogGroup(region, "/governed/created"), context()));

                expect(run.value).to.deep.equal({ kind: "create", region, logGroupName: "/governed/created", outcome: "overridden" });
                expect(proxy.calls("PutRetentionPolicy")).to.have.length(0);
                expect(errors(run.lines).map((line) => line["policyName"])).to.deep.equal(["keep-60-created"]);
            } finally {
                await remove();
            }
        });

        describe("with retention.existingTrailArn", function () {
            const TRAIL_REGION = "us-east-1";
            let trailArn: string;
            let cloudtrail: CloudTrailClient;
            before(async function () {
                const s3 = new S3Client({ region: TRAIL_REGION, endpoint: moto.endpoint, forcePathStyle: true });
                await s3.send(new CreateBucketCommand({ Bucket: "org-trail-bucket-retention-spec" }));
                cloudtrail = new CloudTrailClient({ region: TRAIL_REGION, endpoint: moto.endpoint });
                const trail = await cloudtrail.send(new CreateTrailCommand({ Name: "organization-trail", S3BucketName: "org-trail-bucket-retention-spec", IsMultiRegionTrail: true }));
                trailArn = trail.TrailARN ?? "";
                expect(trailArn).to.match(/^arn:aws:cloudtrail:us-east-1:\d{12}:trail\/organization-trail$/);
            });

            /** One sweep-all of a function that covers no region (only the trail check matters here). */
            async function sweepAllWithTrail(arn: string): Promise<{ trail: unknown; lines: string[] }> {
                const fn = await deploy({ existingTrailArn: arn, onlyRegions: ["eu-west-1"] }, ["eu-west-1"]);
                const run = await captured(() => fn({ kind: "sweep-all" }, context()));
                if (run.value?.kind !== "sweep-all") throw new Error(String(run.error));
                return { trail: run.value.trail, lines: run.lines };
            }

            it("passes a logging trail with the default selectors (every management event), asking exactly that trail", async function () {
                await cloudtrail.send(new StartLoggingCommand({ Name: trailArn }));

                const { trail, lines } = await sweepAllWithTrail(trailArn);

                expect(trail).to.deep.equal({ trailArn, ok: true, isLogging: true, recordsCreateLogGroup: true, problems: [] });
                expect(alarmDocuments(lines)[0]?.values).to.deep.include({ TrailNotRecording: 0 });
                const calls = [...proxy.calls("GetTrailStatus"), ...proxy.calls("GetEventSelectors")];
                expect(calls.map((call) => call.operation?.split(".").pop())).to.have.members(["GetTrailStatus", "GetEventSelectors"]);
                expect(calls.map((call) => JSON.parse(call.body.toString("utf8")) as unknown)).to.have.deep.members([{ Name: trailArn }, { TrailName: trailArn }]);
                expect(errors(lines)).to.deep.equal([]);
            });

            it("fails a trail that stopped logging: ERROR, TrailNotRecording 1, and the command that restarts it", async function () {
                await cloudtrail.send(new StopLoggingCommand({ Name: trailArn }));
                try {
                    const { trail, lines } = await sweepAllWithTrail(trailArn);

                    expect(trail).to.deep.include({ ok: false, isLogging: false, recordsCreateLogGroup: true });
                    expect((trail as { problems: string[] }).problems).to.deep.equal([`the trail is not logging: aws cloudtrail start-logging --name ${trailArn}`]);
                    expect(alarmDocuments(lines)[0]?.values).to.deep.include({ TrailNotRecording: 1 });
                    expect(errors(lines).filter((line) => line["trailArn"] === trailArn)).to.have.length(1);
                } finally {
                    await cloudtrail.send(new StartLoggingCommand({ Name: trailArn }));
                }
            });

            it("fails a trail whose selectors record read-only management events, or only data events", async function () {
                await cloudtrail.send(new PutEventSelectorsCommand({ TrailName: trailArn, EventSelectors: [{ ReadWriteType: "ReadOnly", IncludeManagementEvents: true }] }));
                const readOnly = await sweepAllWithTrail(trailArn);
                await cloudtrail.send(
                    new PutEventSelectorsCommand({
                        TrailName: trailArn,
                        AdvancedEventSelectors: [{ Name: "s3 data only", FieldSelectors: [{ Field: "eventCategory", Equals: ["Data"] }, { Field: "resources.type", Equals: ["AWS::S3::Object"] }] }],
                    }),
                );
                const dataOnly = await sweepAllWithTrail(trailArn);
                await cloudtrail.send(
                    new PutEventSelectorsCommand({
                        TrailName: trailArn,
                        AdvancedEventSelectors: [{ Name: "management writes", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }, { Field: "readOnly", Equals: ["false"] }] }],
                    }),
                );
                const writes = await sweepAllWithTrail(trailArn);

                for (const { trail, lines } of [readOnly, dataOnly]) {
                    expect(trail).to.deep.include({ ok: false, isLogging: true, recordsCreateLogGroup: false });
                    expect((trail as { problems: string[] }).problems[0]).to.match(/do not record management write events of logs\.amazonaws\.com \(CreateLogGroup\): aws cloudtrail put-event-selectors --trail-name /);
                    expect(alarmDocuments(lines)[0]?.values).to.deep.include({ TrailNotRecording: 1 });
                }
                expect(writes.trail).to.deep.include({ ok: true, recordsCreateLogGroup: true });
            });

            it("fails a trail that does not exist (the check cannot show it works)", async function () {
                const missing = trailArn.replace("organization-trail", "no-such-trail");

                const { trail, lines } = await sweepAllWithTrail(missing);

                expect(trail).to.deep.include({ ok: false });
                expect((trail as { problems: string[] }).problems.join("\n")).to.match(/GetTrailStatus failed: TrailNotFoundException/);
                expect(alarmDocuments(lines)[0]?.values).to.deep.include({ TrailNotRecording: 1 });
            });
        });
    });
});
