import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { expect } from "chai";

import { resolveSettings } from "../../../functions/retention/config";
import { createPacedLogsClient } from "../../../functions/retention/logsClient";
import { sweepRegion } from "../../../functions/retention/sweep";
import { LoopbackProxy, RecordedRequest } from "../../harness/proxy";
import { MotoService, useMoto } from "../../harness/services";
import { allGroups, awsError, createGroups, EXCLUDE, groupSpecs, maxPerSecond, nonCompliant, putNames, putRetentionAccountPolicy } from "./groups";

/** Each test uses its own region of the shared moto server, so other specs' log groups never mix in. */
describe("retention sweep against moto (functions/retention/sweep.ts)", function () {
    let moto: MotoService;
    let proxy: LoopbackProxy;
    let fault: ((request: RecordedRequest) => ReturnType<typeof awsError> | undefined) | undefined;
    let rewrite: ((request: RecordedRequest, status: number, body: Buffer) => { status: number; body: Buffer } | undefined) | undefined;

    before(async function () {
        moto = await useMoto();
        proxy = await LoopbackProxy.start({
            upstream: moto.endpoint,
            fault: (request) => fault?.(request),
            transformResponse: (request, status, body) => rewrite?.(request, status, body),
        });
    });
    beforeEach(function () {
        proxy.reset();
        fault = undefined;
        rewrite = undefined;
    });
    after(async function () {
        await proxy.stop();
    });

    const direct = (region: string) => new CloudWatchLogsClient({ region, endpoint: moto.endpoint });

    it("brings 2,500 mixed groups to <= 7 days with one put per non-compliant group, leaving compliant and excluded ones untouched", async function () {
        const region = "ap-southeast-2";
        const specs = groupSpecs(2500, "big");
        await createGroups(direct(region), specs);
        const expected = nonCompliant(specs);
        const settings = resolveSettings({ ...EXCLUDE, targetDays: 7, putsPerSecond: 400, describesPerSecond: 100 }, { allowAboveQuota: true });

        const result = await sweepRegion({ region, settings, client: createPacedLogsClient(region, settings, { endpoint: proxy.endpoint }) });

        const after = await allGroups(direct(region));
        for (const spec of specs) {
            const retention = after.get(spec.name)?.retentionInDays;
            if (spec.excluded || (spec.retention !== undefined && spec.retention <= 7)) {
                expect(retention, `${spec.name} must be untouched`).to.equal(spec.retention);
            } else {
                expect(retention, `${spec.name} must be set to 7`).to.equal(7);
            }
        }
        const puts = putNames(proxy.calls("PutRetentionPolicy"));
        expect(puts.length).to.equal(expected.length);
        expect(new Set(puts)).to.deep.equal(new Set(expected.map((spec) => spec.name)));
        expect(proxy.calls("DescribeLogGroups").length).to.equal(Math.ceil(2500 / 50));
        const excluded = specs.filter((spec) => spec.excluded);
        expect(result).to.deep.include({ complete: true, scanned: 2500, changed: expected.length, failed: 0, excluded: excluded.length, deliverySkipped: 0, wouldChange: 0 });
        expect(result.compliant).to.equal(2500 - expected.length - excluded.length);
        expect(result.failedGroups).to.deep.equal([]);
    });

    it("converges under ThrottlingException and OperationAbortedException without ever exceeding the configured put pace", async function () {
        const region = "sa-east-1";
        const specs = groupSpecs(260, "throttled");
        await createGroups(direct(region), specs);
        const expected = nonCompliant(specs);
        let puts = 0;
        fault = (request) => {
            if (!request.operation?.endsWith(".PutRetentionPolicy")) return undefined;
            puts++;
            if (puts % 3 === 0) return awsError("ThrottlingException", "Rate exceeded");
            if (puts % 17 === 0) return awsError("OperationAbortedException", "Multiple requests to modify the same resource were in conflict.");
            return undefined;
        };
        const pace = 25;

        const settings = resolveSettings({ ...EXCLUDE, targetDays: 7, putsPerSecond: pace, describesPerSecond: 50 }, { allowAboveQuota: true });

        const result = await sweepRegion({ region, settings, client: createPacedLogsClient(region, settings, { endpoint: proxy.endpoint }) });

        const calls = proxy.calls("PutRetentionPolicy");

        const throttled = calls.filter((call) => call.outcome.startsWith("fault"));
        expect(throttled.length, "the proxy must really have refused some puts").to.be.greaterThan(20);
        const succeeded = putNames(calls.filter((call) => call.outcome === "forwarded 200"));
        expect(succeeded.length).to.equal(expected.length);
        expect(new Set(succeeded)).to.deep.equal(new Set(expected.map((spec) => spec.name)));
        const after = await allGroups(direct(region));
        expect(expected.every((spec) => after.get(spec.name)?.retentionInDays === 7)).to.equal(true);
        expect(result).to.deep.include({ complete: true, scanned: 260, changed: expected.length, failed: 0 });
        const highest = maxPerSecond(calls.map((call) => call.at));
        expect(highest, "puts in the busiest one-second window, retries included").to.be.at.most(pace);
        expect(highest, "the pace is actually used").to.be.at.least(pace * 0.6);
    });

    it("skips and reports DELIVERY-class groups (class injected into DescribeLogGroups answers by the proxy)", async function () {
        const region = "ca-central-1";
        const specs = [
            { name: "/delivery/vpc-flow", retention: undefined, excluded: false },
            { name: "/delivery/waf", retention: 30, excluded: false },
            { name: "/app/delivery-test/a", retention: undefined, excluded: false },
            { name: "/app/delivery-test/b", retention: 3, excluded: false },
        ];
        await createGroups(direct(region), specs);
        rewrite = (request, status, body) => {
            if (!request.operation?.endsWith(".DescribeLogGroups") || status !== 200) return undefined;
            const answer = JSON.parse(body.toString("utf8")) as { logGroups: { logGroupName: string; logGroupClass?: string }[] };
            for (const group of answer.logGroups) group.logGroupClass = group.logGroupName.startsWith("/delivery/") ? "DELIVERY" : "STANDARD";
            return { status, body: Buffer.from(JSON.stringify(answer)) };
        };
        const settings = resolveSettings({ targetDays: 7, putsPerSecond: 5 });

        const result = await sweepRegion({ region, settings, client: createPacedLogsClient(region, settings, { endpoint: proxy.endpoint }) });

        expect(result).to.deep.include({ scanned: 4, deliverySkipped: 2, changed: 1, compliant: 1, failed: 0 });
        expect(result.deliveryGroups).to.have.members(["/delivery/vpc-flow", "/delivery/waf"]);
        expect(putNames(proxy.calls("PutRetentionPolicy"))).to.deep.equal(["/app/delivery-test/a"]);
        const after = await allGroups(direct(region));
        expect(after.get("/delivery/waf")?.retentionInDays).to.equal(30);
    });

    it("dry run lists what would change and changes nothing", async function () {
        const region = "eu-north-1";
        const specs = groupSpecs(120, "dry");
        await createGroups(direct(region), specs);
        const expected = nonCompliant(specs, 3);
        const settings = resolveSettings({ ...EXCLUDE, targetDays: 3, putsPerSecond: 5 });

        const result = await sweepRegion({ region, settings, dryRun: true, client: createPacedLogsClient(region, settings, { endpoint: proxy.endpoint }) });

        expect(proxy.calls("PutRetentionPolicy")).to.have.length(0);
        expect(result).to.deep.include({ dryRun: true, changed: 0, wouldChange: expected.length, scanned: 120, targetDays: 3 });
        expect(result.changedGroups).to.have.members(expected.map((spec) => spec.name));
        const after = await allGroups(direct(region));
        expect(specs.every((spec) => after.get(spec.name)?.retentionInDays === spec.retention)).to.equal(true);
    });

    it("reports a group whose put keeps failing by name, and still finishes the others", async function () {
        const region = "eu-south-1";
        const specs = groupSpecs(30, "denied");
        await createGroups(direct(region), specs);
        const denied = nonCompliant(specs)[2]?.name;
        fault = (request) => (request.operation?.endsWith(".PutRetentionPolicy") && request.body.toString("utf8").includes(denied) ? awsError("AccessDeniedException", "not authorized") : undefined);
        const settings = resolveSettings({ ...EXCLUDE, targetDays: 7, putsPerSecond: 5 });

        const result = await sweepRegion({ region, settings, client: createPacedLogsClient(region, settings, { endpoint: proxy.endpoint }) });

        expect(result).to.deep.include({ failed: 1, failedGroups: [denied], changed: nonCompliant(specs).length - 1, complete: true });
        expect(putNames(proxy.calls("PutRetentionPolicy")).filter((name) => name === denied), "an access error is not retried").to.have.length(1);
    });
    it("never puts on a group an account-level retention policy governs: lists the policy and names every group it overrides", async function () {
        const region = "ap-east-1";
        const specs = [
            { name: "/app/policy/forever", excluded: false },
            { name: "/app/policy/month", retention: 30, excluded: false },
            { name: "/app/policy/short", retention: 3, excluded: false },
            { name: "/governed/forever", excluded: false },
            { name: "/governed/short", retention: 1, excluded: false },
        ];
        await createGroups(direct(region), specs);
        const removeSelective = await putRetentionAccountPolicy(direct(region), "keep-60-governed", 60, ["/governed/"]);
        let removeAll: (() => Promise<void>) | undefined;
        try {
            const settings = resolveSettings({ targetDays: 3, putsPerSecond: 5 });
            const client = createPacedLogsClient(region, settings, { endpoint: proxy.endpoint });

            const first = await sweepRegion({ region, settings, client });

            expect(putNames(proxy.calls("PutRetentionPolicy")).sort()).to.deep.equal(["/app/policy/forever", "/app/policy/month"]);
            expect(first).to.deep.include({ scanned: 5, changed: 2, compliant: 1, overridden: 2, failed: 0, complete: true, overriddenByPolicy: { "keep-60-governed": 2 } });
            expect(first.overriddenGroups.sort()).to.deep.equal(["/governed/forever", "/governed/short"]);
            expect(first.accountPolicies).to.deep.equal([
                { policyName: "keep-60-governed", neverExpires: false, retentionInDays: 60, enforcementMode: "RETROACTIVE", selectionCriteria: 'LogGroupNamePrefix IN ["/governed/"]' },
            ]);
            expect(first.accountPoliciesError).to.equal(undefined);
            expect(proxy.calls("DescribeAccountPolicies"), "listed once, at the start").to.have.length(1);

            // A policy without selection criteria governs every group: nothing is put, everything is reported.
            proxy.reset();
            removeAll = await putRetentionAccountPolicy(direct(region), "keep-90-everything", 90);
            const second = await sweepRegion({ region, settings, client });
            expect(proxy.calls("PutRetentionPolicy")).to.have.length(0);
            expect(second).to.deep.include({ scanned: 5, changed: 0, compliant: 0, overridden: 5, overriddenByPolicy: { "keep-90-everything": 5 } });
            expect(second.accountPolicies.map((policy) => [policy.policyName, policy.retentionInDays, policy.selectionCriteria])).to.have.deep.members([
                ["keep-60-governed", 60, 'LogGroupNamePrefix IN ["/governed/"]'],
                ["keep-90-everything", 90, undefined],
            ]);
        } finally {
            await removeSelective();
            await removeAll?.();
        }
    });

    it("reports the region unverified when the account policies cannot be listed, and still sweeps it", async function () {
        const region = "ap-southeast-4";
        await createGroups(direct(region), [{ name: "/app/unlisted/forever", excluded: false }]);
        fault = (request) => (request.operation?.endsWith(".DescribeAccountPolicies") ? awsError("AccessDeniedException", "not authorized to perform logs:DescribeAccountPolicies") : undefined);
        const settings = resolveSettings({ targetDays: 3, putsPerSecond: 5 });

        const result = await sweepRegion({ region, settings, client: createPacedLogsClient(region, settings, { endpoint: proxy.endpoint }) });

        expect(result.accountPoliciesError).to.match(/^RetryableError: DescribeAccountPolicies \(RETENTION_POLICY\) in ap-southeast-4 failed after retries: AccessDeniedException/);
        expect(result).to.deep.include({ changed: 1, complete: true, accountPolicies: [] });
    });

    it("leaves alone the log groups of another stack of this platform, sweeps its own stack's, and with no stack leaves every stack's alone", async function () {
        const region = "ap-southeast-5";
        const root = "/aws/lambda/log-platform/";
        const specs = [
            { name: `${root}prod/retention-sweep-1a2b3c`, retention: 3, excluded: false },
            { name: `${root}prod/kpi-daily-4d5e6f`, excluded: false },
            { name: `${root}dev/kpi-daily-7a8b9c`, retention: 14, excluded: false },
            { name: `${root}orphan`, excluded: false },
            { name: "/aws/lambda/log-platform-other/fn", excluded: false },
            { name: "/app/stacks/forever", excluded: false },
        ];
        await createGroups(direct(region), specs);

        const undecided = await sweepRegion({ region, settings: resolveSettings({ targetDays: 1, putsPerSecond: 5 }), dryRun: true, client: createPacedLogsClient(region, resolveSettings({ targetDays: 1 }), { endpoint: proxy.endpoint }) });
        expect(undecided).to.deep.include({ excluded: 3, otherStack: 3, wouldChange: 3 });
        expect(undecided.excludedGroups.sort()).to.deep.equal([`${root}dev/kpi-daily-7a8b9c`, `${root}prod/kpi-daily-4d5e6f`, `${root}prod/retention-sweep-1a2b3c`]);

        // dev's enforcer with a 1-day target: its own group is cut to 1 day, prod's keep theirs.
        const settings = resolveSettings({ targetDays: 1, putsPerSecond: 5, stack: "dev" });
        const dev = await sweepRegion({ region, settings, client: createPacedLogsClient(region, settings, { endpoint: proxy.endpoint }) });

        expect(dev).to.deep.include({ scanned: 6, excluded: 2, otherStack: 2, changed: 4, failed: 0 });
        expect(dev.excludedGroups.sort()).to.deep.equal([`${root}prod/kpi-daily-4d5e6f`, `${root}prod/retention-sweep-1a2b3c`]);
        const after = await allGroups(direct(region));
        expect(after.get(`${root}prod/retention-sweep-1a2b3c`)?.retentionInDays, "prod's group keeps its 3 days").to.equal(3);
        expect(after.get(`${root}prod/kpi-daily-4d5e6f`)?.retentionInDays, "prod's group is not touched").to.equal(undefined);
        for (const name of [`${root}dev/kpi-daily-7a8b9c`, `${root}orphan`, "/aws/lambda/log-platform-other/fn", "/app/stacks/forever"]) expect(after.get(name)?.retentionInDays, name).to.equal(1);
    });
});
