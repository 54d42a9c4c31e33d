import { CloudWatchLogsClient, CreateLogGroupCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { expect } from "chai";

import { DEFAULT_SETTINGS } from "../../../functions/retention/config";
import { LambdaContextLike, makeRetentionHandler, RetentionFunctionConfig, RetentionOutcome } from "../../../functions/retention/handler";
import { loadSerializedFactory } from "../../harness/closure";
import { LoopbackProxy, RecordedRequest } from "../../harness/proxy";
import { MotoService, useMoto } from "../../harness/services";
import { allGroups, createGroups, GroupSpec, maxPerSecond, putNames } from "./groups";

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
        settings: { ...DEFAULT_SETTINGS, putsPerSecond: 5, describesPerSecond: 10, excludePrefixes: ["/vendor/"], excludePatterns: ["^/legal-hold/"] },
        regions: REGIONS,
        reserveMs: 0,
    };

    before(async function () {
        moto = await useMoto();
        proxy = await LoopbackProxy.start({
            upstream: moto.endpoint,
            fault: (request) => (isInvoke(request) ? { kind: "respond", status: 202, body: "" } : undefined),
        });
        // The function reads its endpoint from the environment, as in Lambda; its clients are created lazily, on first use.
        endpoint = process.env["AWS_ENDPOINT_URL"];
        process.env["AWS_ENDPOINT_URL"] = proxy.endpoint;
        handler = (await loadSerializedFactory(makeRetentionHandler(config))).handler;
    });
    beforeEach(function () {
        proxy.reset();
        budgetMs = 900_000;
    });
    after(async function () {
        if (endpoint !== undefined) process.env["AWS_ENDPOINT_URL"] = endpoint;
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
            ["an unknown shape", { hello: "world" }, /not a schedule .* a resumption, or a CloudTrail CreateLogGroup event/],
            ["a schedule without a region", { kind: "sweep" }, /region is missing or not an AWS region/],
            ["a region this function does not enforce", { kind: "sweep", region: "eu-central-2" }, /eu-central-2 is not one this function enforces .*retention\.regions/],
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

        it("leaves the container working: the next valid event is handled normally", async function () {
            await handler({ nonsense: true }, context()).catch(() => undefined);
            await direct(CREATE_REGION).send(new CreateLogGroupCommand({ logGroupName: "/app/created/after-bad-event" }));

            const outcome = await handler(cloudTrailCreateLogGroup(CREATE_REGION, "/app/created/after-bad-event"), context());

            expect(outcome).to.deep.include({ kind: "create", outcome: "changed" });
            expect((await allGroups(direct(CREATE_REGION))).get("/app/created/after-bad-event")?.retentionInDays).to.equal(7);
        });
    });
});
