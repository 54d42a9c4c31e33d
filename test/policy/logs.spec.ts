import { expect } from "chai";

import { lambdaManagedLogGroup, logGroupClass, logGroupEncrypted, logGroupRetention } from "../../policypack/policies/logs";
import { resourceArgs, runResourcePolicy, runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const retention = (props: Record<string, unknown>, config?: Record<string, unknown>) => runResourcePolicy(logGroupRetention, resourceArgs(LOG_GROUP, props, { config }));

describe("policy cloudwatch-log-group-retention", function () {
    it("passes 1 and 3 days (retention + the 72 h deletion lag fits 7 days; 5 and 7 do not: test/policy/dataProtectionLogs.spec.ts)", async function () {
        for (const days of [1, 3]) {
            expect(await retention({ retentionInDays: days }), String(days)).to.deep.equal([]);
        }
    });

    it("blocks no retention (never expire), 0 and 14 days", async function () {
        expect((await retention({})).map((v) => v.message).join()).to.contain("kept forever");
        expect(await retention({ retentionInDays: 0 })).to.have.length(1);
        expect((await retention({ retentionInDays: 14 })).map((v) => v.message).join()).to.contain("14 days");
    });

    it("takes the maximum from config", async function () {
        expect(await retention({ retentionInDays: 5 }, { maxRetentionDays: 3 })).to.have.length(1);
        expect(await retention({ retentionInDays: 14 }, { maxRetentionDays: 14 })).to.deep.equal([]);
    });

    it("does not report an unknown retention", async function () {
        expect(await retention({ retentionInDays: unknown.number })).to.deep.equal([]);
    });
});

describe("policies cloudwatch-log-group-encrypted and cloudwatch-log-group-class", function () {
    it("require a KMS key and advise an explicit class", async function () {
        expect(await runResourcePolicy(logGroupEncrypted, resourceArgs(LOG_GROUP, { retentionInDays: 7 }))).to.have.length(1);
        expect(await runResourcePolicy(logGroupEncrypted, resourceArgs(LOG_GROUP, { kmsKeyId: unknown.string }))).to.deep.equal([]);
        expect(await runResourcePolicy(logGroupClass, resourceArgs(LOG_GROUP, {}))).to.have.length(1);
        expect(await runResourcePolicy(logGroupClass, resourceArgs(LOG_GROUP, { logGroupClass: "STANDARD" }))).to.deep.equal([]);
    });
});

describe("policy lambda-managed-log-group", function () {
    const fn = (props: Record<string, unknown>, propertyDependencies?: Record<string, string[]>): StackResourceSpec => ({ type: "aws:lambda/function:Function", name: "fn", props: { name: "shipper-1a2b3c", ...props }, propertyDependencies });
    const group = (name: unknown): StackResourceSpec => ({ type: LOG_GROUP, name: "fn-logs", props: { name, retentionInDays: 7 } });

    it("passes a function whose /aws/lambda/<name> group is managed", async function () {
        expect(await runStackPolicy(lambdaManagedLogGroup, stackArgs([fn({}), group("/aws/lambda/shipper-1a2b3c")]))).to.deep.equal([]);
    });

    it("passes a function pointed at a managed group by loggingConfig", async function () {
        expect(await runStackPolicy(lambdaManagedLogGroup, stackArgs([fn({ loggingConfig: { logGroup: "/platform/shipper" } }), group("/platform/shipper")]))).to.deep.equal([]);
        expect(await runStackPolicy(lambdaManagedLogGroup, stackArgs([group(unknown.string), fn({ loggingConfig: { logGroup: unknown.string } }, { loggingConfig: ["fn-logs"] })]))).to.deep.equal([]);
    });

    it("blocks a function whose log group is not managed", async function () {
        const violations = await runStackPolicy(lambdaManagedLogGroup, stackArgs([fn({}), group("/aws/lambda/other")]));
        expect(violations.map((v) => v.message).join()).to.contain("/aws/lambda/shipper-1a2b3c");
    });
});
