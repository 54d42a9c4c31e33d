import { expect } from "chai";

import { logsNoAccountRetentionPolicy } from "../../policypack/policies/dataProtection";
import { logGroupRetention } from "../../policypack/policies/logs";
import { resourceArgs, runResourcePolicy, unknown } from "../harness/policy";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const retention = (retentionInDays: unknown, config?: Record<string, unknown>) => runResourcePolicy(logGroupRetention, resourceArgs(LOG_GROUP, { retentionInDays }, { config }));
const messages = async (retentionInDays: unknown, config?: Record<string, unknown>) => (await retention(retentionInDays, config)).map((violation) => violation.message);

describe("policy cloudwatch-log-group-retention, counting CloudWatch's deletion lag", function () {
    it("passes 1 and 3 days: with the 72 h lag, 4 and 6 days", async function () {
        expect(await retention(1)).to.deep.equal([]);
        expect(await retention(3)).to.deep.equal([]);
    });

    it("blocks 5 and 7 days: 5 d + 72 h = 8 days and 7 d + 72 h = 10 days are past 7, and names the longest that fits (3)", async function () {
        const [five] = await messages(5);
        expect(five).to.contain("5 days").and.contain("72 h").and.contain("8d").and.contain("7-day limit").and.contain("at most 3");
        const [seven] = await messages(7);
        expect(seven).to.contain("10d");
        expect(await retention(14)).to.have.length(1);
    });

    it("still blocks no retention (kept forever) and 0", async function () {
        expect((await messages(undefined)).join()).to.contain("kept forever");
        expect(await retention(0)).to.have.length(1);
    });

    it("takes the limit and the lag from config, with the program's names; a lag left out keeps its default", async function () {
        // 5 d + 72 h = 8 d fits an 8-day limit; 7 d + 0 h fits 7 days.
        expect(await retention(5, { maxAgeDays: 8 })).to.deep.equal([]);
        expect(await retention(7, { deletionLagHours: { cloudwatch: 0 } })).to.deep.equal([]);
        // Only the S3 lag given: CloudWatch's stays 72 h, so 5 days is still blocked.
        expect(await retention(5, { deletionLagHours: { s3: 0 } })).to.have.length(1);
        // A limit no retention fits: 1 d + 72 h = 4 d > 3 d.
        expect((await messages(1, { maxAgeDays: 3 })).join()).to.contain("no retention fits");
    });

    it("keeps maxRetentionDays, a fixed cap on the setting, for configs written before the lag was counted", async function () {
        expect(await retention(14, { maxRetentionDays: 14 })).to.deep.equal([]);
        expect((await messages(5, { maxRetentionDays: 3 })).join()).to.contain("maxRetentionDays");
    });

    it("does not report an unknown retention", async function () {
        expect(await retention(unknown.number)).to.deep.equal([]);
    });
});

describe("policy cloudwatch-logs-no-account-retention-policy", function () {
    const check = (type: string, props: Record<string, unknown>) => runResourcePolicy(logsNoAccountRetentionPolicy, resourceArgs(type, props));
    const ACCOUNT_POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy";
    const retentionDocument = JSON.stringify({ retentionInDays: 30, enforcementMode: "RETROACTIVE" });

    it("blocks an aws.cloudwatch.LogAccountPolicy of type RETENTION_POLICY", async function () {
        const [violation, ...more] = await check(ACCOUNT_POLICY, { policyName: "everything-30-days", policyType: "RETENTION_POLICY", policyDocument: retentionDocument });
        expect(more).to.deep.equal([]);
        expect(violation?.message).to.contain("RETENTION_POLICY").and.contain("30 days");
    });

    it("passes the other account policy types and an unknown type", async function () {
        for (const policyType of ["SUBSCRIPTION_FILTER_POLICY", "DATA_PROTECTION_POLICY", "FIELD_INDEX_POLICY", "TRANSFORMER_POLICY", unknown.string]) {
            expect(await check(ACCOUNT_POLICY, { policyName: "p", policyType, policyDocument: "{}" }), String(policyType)).to.deep.equal([]);
        }
    });

    it("blocks the same policy declared through aws-native, Cloud Control or a CloudFormation template", async function () {
        expect(await check("aws-native:logs:AccountPolicy", { policyName: "p", policyType: "RETENTION_POLICY", policyDocument: retentionDocument })).to.have.length(1);
        const desiredState = JSON.stringify({ PolicyName: "p", PolicyType: "RETENTION_POLICY", PolicyDocument: retentionDocument });
        expect(await check("aws:cloudcontrol/resource:Resource", { typeName: "AWS::Logs::AccountPolicy", desiredState })).to.have.length(1);
        expect(await check("aws:cloudcontrol/resource:Resource", { typeName: "AWS::Logs::AccountPolicy", desiredState: desiredState.replace("RETENTION_POLICY", "DATA_PROTECTION_POLICY") })).to.deep.equal([]);
        expect(await check("aws:cloudcontrol/resource:Resource", { typeName: "AWS::Logs::AccountPolicy", desiredState: unknown.string })).to.deep.equal([]);
        const template = ["Resources:", "  Retention:", "    Type: AWS::Logs::AccountPolicy", "    Properties:", "      PolicyName: p", "      PolicyType: RETENTION_POLICY"].join("\n");
        expect(await check("aws:cloudformation/stack:Stack", { name: "logs", templateBody: template })).to.have.length(1);
        expect(await check("aws:cloudformation/stack:Stack", { name: "logs", templateBody: template.replace("RETENTION_POLICY", "SUBSCRIPTION_FILTER_POLICY") })).to.deep.equal([]);
    });
});
