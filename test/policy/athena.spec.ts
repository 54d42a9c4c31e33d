import { expect } from "chai";

import { athenaWorkgroupEnforceConfiguration, athenaWorkgroupResultsEncrypted, athenaWorkgroupResultsExpire } from "../../policypack/policies/athena";
import { resourceArgs, runResourcePolicy, runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const WORKGROUP = "aws:athena/workgroup:Workgroup";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const configuration = (result: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    configuration: {
        enforceWorkgroupConfiguration: true,
        resultConfiguration: { outputLocation: "s3://kpi-abc1234/athena-results/", encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: KEY }, ...result },
        ...extra,
    },
});

describe("policy athena-workgroup-enforce-configuration", function () {
    const run = (props: Record<string, unknown>) => runResourcePolicy(athenaWorkgroupEnforceConfiguration, resourceArgs(WORKGROUP, props));

    it("passes an enforced configuration, and an unset one (the provider's default is true)", async function () {
        expect(await run(configuration())).to.deep.equal([]);
        expect(await run({ configuration: { resultConfiguration: {} } })).to.deep.equal([]);
        expect(await run({})).to.deep.equal([]);
        expect(await run({ configuration: { enforceWorkgroupConfiguration: unknown.boolean } })).to.deep.equal([]);
    });

    it("blocks a workgroup that lets clients override it", async function () {
        expect((await run(configuration({}, { enforceWorkgroupConfiguration: false }))).map((v) => v.message).join()).to.contain("enforceWorkgroupConfiguration is false");
    });
});

describe("policy athena-workgroup-results-encrypted", function () {
    const run = (props: Record<string, unknown>, config?: Record<string, unknown>) => runResourcePolicy(athenaWorkgroupResultsEncrypted, resourceArgs(WORKGROUP, props, { config }));

    it("passes SSE_KMS and CSE_KMS with a key, Athena-managed results, and no result location", async function () {
        expect(await run(configuration())).to.deep.equal([]);
        expect(await run(configuration({ encryptionConfiguration: { encryptionOption: "CSE_KMS", kmsKeyArn: KEY } }))).to.deep.equal([]);
        expect(await run({ configuration: { managedQueryResultsConfiguration: { enabled: true } } })).to.deep.equal([]);
        expect(await run({ configuration: { enforceWorkgroupConfiguration: true } })).to.deep.equal([]);
    });

    it("blocks results written unencrypted, with SSE_S3 (unless allowed), or KMS without a key", async function () {
        expect((await run(configuration({ encryptionConfiguration: undefined }))).map((v) => v.message).join()).to.contain("unencrypted");
        expect(await run(configuration({ encryptionConfiguration: { encryptionOption: "SSE_S3" } }))).to.have.length(1);
        expect(await run(configuration({ encryptionConfiguration: { encryptionOption: "SSE_S3" } }), { allowSseS3: true })).to.deep.equal([]);
        expect((await run(configuration({ encryptionConfiguration: { encryptionOption: "SSE_KMS" } }))).map((v) => v.message).join()).to.contain("kmsKeyArn");
    });

    it("does not report an unknown encryption option", async function () {
        expect(await run(configuration({ encryptionConfiguration: { encryptionOption: unknown.string } }))).to.deep.equal([]);
    });
});

describe("policy athena-workgroup-results-expire", function () {
    const bucket: StackResourceSpec = { type: "aws:s3/bucket:Bucket", name: "kpi", props: { bucket: "kpi-abc1234" } };
    const workgroup = (props: Record<string, unknown> = configuration()): StackResourceSpec => ({ type: WORKGROUP, name: "queries", props, propertyDependencies: { configuration: ["kpi"] } });
    const lifecycle = (rules: unknown[]): StackResourceSpec => ({
        type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        name: "kpi-lifecycle",
        props: { bucket: "kpi-abc1234", rules },
        propertyDependencies: { bucket: ["kpi"] },
    });
    const versioned: StackResourceSpec = {
        type: "aws:s3/bucketVersioning:BucketVersioning",
        name: "kpi-versioning",
        props: { bucket: "kpi-abc1234", versioningConfiguration: { status: "Enabled" } },
        propertyDependencies: { bucket: ["kpi"] },
    };
    // The KPI pipeline's own rules (components/kpiPipeline.ts): results expire in 7 days, other objects only lose old versions.
    const kpiRules = [
        { id: "athena-results-expire", status: "Enabled", filter: { prefix: "athena-results/" }, expiration: { days: 7 }, noncurrentVersionExpiration: { noncurrentDays: 1 } },
        { id: "old-versions-expire", status: "Enabled", filter: { prefix: "" }, noncurrentVersionExpiration: { noncurrentDays: 30 } },
    ];
    const check = (specs: StackResourceSpec[], config?: Record<string, unknown>) => runStackPolicy(athenaWorkgroupResultsExpire, stackArgs(specs, { config }));

    it("passes the KPI pipeline's shape: a versioned bucket expiring the results prefix in 7 days and its old versions in 1", async function () {
        expect(await check([bucket, versioned, workgroup(), lifecycle(kpiRules)])).to.deep.equal([]);
    });

    it("passes Athena-managed results and a workgroup with no result location", async function () {
        expect(await check([bucket, workgroup({ configuration: { managedQueryResultsConfiguration: { enabled: true } } })])).to.deep.equal([]);
        expect(await check([bucket, workgroup({ configuration: {} })])).to.deep.equal([]);
    });

    it("blocks results whose prefix no rule expires, or expires after 8+ days, or whose old versions stay", async function () {
        const messages = async (specs: StackResourceSpec[]) => (await check(specs)).map((v) => v.message).join();
        expect(await messages([bucket, workgroup()])).to.contain('under "athena-results/"');
        expect(await messages([bucket, versioned, workgroup(), lifecycle([kpiRules[1]])])).to.contain("kept forever");
        expect(await messages([bucket, workgroup(), lifecycle([{ ...kpiRules[0], expiration: { days: 30 } }])])).to.contain("after 30 days");
        expect(await messages([bucket, versioned, workgroup(), lifecycle([{ ...kpiRules[0], noncurrentVersionExpiration: undefined }, kpiRules[1]])])).to.contain("kept 30 days");
        // A rule for another prefix does not cover the results.
        expect(await messages([bucket, workgroup(), lifecycle([{ ...kpiRules[0], filter: { prefix: "kpis/" } }])])).to.contain("kept forever");
    });

    it("fails closed on a result bucket outside the program unless listed in externalBuckets", async function () {
        const elsewhere = { type: WORKGROUP, name: "queries", props: configuration({ outputLocation: "s3://shared-results/team/" }) };
        expect((await check([elsewhere])).map((v) => v.message).join()).to.contain("shared-results").and.contain("externalBuckets");
        expect(await check([elsewhere], { externalBuckets: ["shared-results"] })).to.deep.equal([]);
    });

    it("does not report while the location is unknown", async function () {
        expect(await check([bucket, workgroup(configuration({ outputLocation: unknown.string }))])).to.deep.equal([]);
        expect(await check([bucket, workgroup({ configuration: { managedQueryResultsConfiguration: { enabled: unknown.boolean }, resultConfiguration: { outputLocation: "s3://kpi-abc1234/r/" } } })])).to.deep.equal([]);
    });
});
