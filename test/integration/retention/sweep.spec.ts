import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { expect } from "chai";

import { resolveSettings } from "../../../functions/retention/config";
import { createPacedLogsClient } from "../../../functions/retention/logsClient";
import { sweepRegion } from "../../../functions/retention/sweep";
import { LoopbackProxy, RecordedRequest } from "../../harness/proxy";
import { MotoService, useMoto } from "../../harness/services";
import { allGroups, awsError, createGroups, EXCLUDE, groupSpecs, maxPerSecond, nonCompliant, putNames } from "./groups";

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
        const settings = resolveSettings({ ...EXCLUDE, putsPerSecond: 400, describesPerSecond: 100 }, { allowAboveQuota: true });

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

        const settings = resolveSettings({ ...EXCLUDE, putsPerSecond: pace, describesPerSecond: 50 }, { allowAboveQuota: true });

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
        const settings = resolveSettings({ putsPerSecond: 5 });

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
        const settings = resolveSettings({ ...EXCLUDE, putsPerSecond: 5 });

        const result = await sweepRegion({ region, settings, client: createPacedLogsClient(region, settings, { endpoint: proxy.endpoint }) });

        expect(result).to.deep.include({ failed: 1, failedGroups: [denied], changed: nonCompliant(specs).length - 1, complete: true });
        expect(putNames(proxy.calls("PutRetentionPolicy")).filter((name) => name === denied), "an access error is not retried").to.have.length(1);
    });
});
