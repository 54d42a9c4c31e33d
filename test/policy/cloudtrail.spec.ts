import { expect } from "chai";

import { cloudtrailBucketExpiry, cloudtrailEventDataStoreRetention, cloudtrailLogFileValidation, cloudtrailMultiRegion, cloudtrailTrailKms } from "../../policypack/policies/cloudtrail";
import { resourceArgs, runResourcePolicy, runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const TRAIL = "aws:cloudtrail/trail:Trail";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const compliantTrail = { s3BucketName: "trail-abc1234", kmsKeyId: KEY, enableLogFileValidation: true, isMultiRegionTrail: true };

describe("policies on CloudTrail trails (kms, log-file validation, multi-region)", function () {
    const run = (policy: Parameters<typeof runResourcePolicy>[0], props: Record<string, unknown>) => runResourcePolicy(policy, resourceArgs(TRAIL, props));

    it("pass a trail with a KMS key, log file validation and every region", async function () {
        for (const policy of [cloudtrailTrailKms, cloudtrailLogFileValidation, cloudtrailMultiRegion]) {
            expect(await run(policy, compliantTrail), policy.name).to.deep.equal([]);
        }
    });

    it("block a trail without a KMS key, without validation, or for one region (the provider's defaults)", async function () {
        expect((await run(cloudtrailTrailKms, { ...compliantTrail, kmsKeyId: undefined })).map((v) => v.message).join()).to.contain("kmsKeyId");
        expect(await run(cloudtrailLogFileValidation, { ...compliantTrail, enableLogFileValidation: undefined })).to.have.length(1);
        expect(await run(cloudtrailLogFileValidation, { ...compliantTrail, enableLogFileValidation: false })).to.have.length(1);
        expect(await run(cloudtrailMultiRegion, { ...compliantTrail, isMultiRegionTrail: undefined })).to.have.length(1);
        expect(await run(cloudtrailMultiRegion, { ...compliantTrail, isMultiRegionTrail: false })).to.have.length(1);
    });

    it("do not report values that are unknown during preview", async function () {
        const pending = { s3BucketName: unknown.string, kmsKeyId: unknown.string, enableLogFileValidation: unknown.boolean, isMultiRegionTrail: unknown.boolean };
        for (const policy of [cloudtrailTrailKms, cloudtrailLogFileValidation, cloudtrailMultiRegion]) {
            expect(await run(policy, pending), policy.name).to.deep.equal([]);
        }
    });

    it("leave other resource types alone", async function () {
        expect(await runResourcePolicy(cloudtrailTrailKms, resourceArgs("aws:cloudtrail/eventDataStore:EventDataStore", {}))).to.deep.equal([]);
    });
});

describe("policy cloudtrail-bucket-expiry", function () {
    const bucket: StackResourceSpec = { type: "aws:s3/bucket:Bucket", name: "trail", props: { bucket: "trail-abc1234" } };
    const trail = (props: Record<string, unknown> = {}): StackResourceSpec => ({ type: TRAIL, name: "audit", props: { ...compliantTrail, ...props }, propertyDependencies: { s3BucketName: ["trail"] } });
    const lifecycle = (rules: unknown[]): StackResourceSpec => ({
        type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        name: "trail-lifecycle",
        props: { bucket: "trail-abc1234", rules },
        propertyDependencies: { bucket: ["trail"] },
    });
    const versioning: StackResourceSpec = {
        type: "aws:s3/bucketVersioning:BucketVersioning",
        name: "trail-versioning",
        props: { bucket: "trail-abc1234", versioningConfiguration: { status: "Enabled" } },
        propertyDependencies: { bucket: ["trail"] },
    };
    const expire = (days: number, prefix = "", extra: Record<string, unknown> = {}) => ({ id: "expire", status: "Enabled", filter: { prefix }, expiration: { days }, ...extra });
    const check = (specs: StackResourceSpec[], config?: Record<string, unknown>) => runStackPolicy(cloudtrailBucketExpiry, stackArgs(specs, { config }));

    it("passes a trail bucket whose lifecycle expires everything within 7 days (and old versions, when versioned)", async function () {
        expect(await check([bucket, trail(), lifecycle([expire(7)])])).to.deep.equal([]);
        expect(await check([bucket, trail(), versioning, lifecycle([expire(3, "", { noncurrentVersionExpiration: { noncurrentDays: 1 } })])])).to.deep.equal([]);
        // A rule for the trail's own prefix is enough; so is the legacy filter-less `prefix`.
        expect(await check([bucket, trail({ s3KeyPrefix: "audit" }), lifecycle([expire(7, "audit/")])])).to.deep.equal([]);
        expect(await check([bucket, trail(), lifecycle([{ id: "old", status: "Enabled", prefix: "AWSLogs/", expiration: { days: 5 } }])])).to.deep.equal([]);
    });

    it("blocks no lifecycle, 8+ days, a disabled rule, another prefix, a tag-filtered rule, and a versioned bucket that keeps old versions", async function () {
        const message = async (specs: StackResourceSpec[]) => (await check(specs)).map((v) => v.message).join();
        expect(await message([bucket, trail()])).to.contain("kept forever");
        expect(await message([bucket, trail(), lifecycle([expire(30)])])).to.contain("after 30 days");
        expect(await message([bucket, trail(), lifecycle([{ ...expire(7), status: "Disabled" }])])).to.contain("kept forever");
        expect(await message([bucket, trail(), lifecycle([expire(7, "other/")])])).to.contain("kept forever");
        expect(await message([bucket, trail({ s3KeyPrefix: "audit" }), lifecycle([expire(7, "AWSLogs/")])])).to.contain('under "audit/AWSLogs/"');
        expect(await message([bucket, trail(), lifecycle([{ ...expire(7), filter: { and: { prefix: "", tags: { keep: "no" } } } }])])).to.contain("kept forever");
        expect(await message([bucket, trail(), versioning, lifecycle([expire(7)])])).to.contain("noncurrent versions");
        expect(await message([bucket, trail(), versioning, lifecycle([expire(7, "", { noncurrentVersionExpiration: { noncurrentDays: 30 } })])])).to.contain("kept 30 days");
    });

    it("fails closed on a bucket the program does not manage, naming the config that accepts it", async function () {
        const external: StackResourceSpec = { type: TRAIL, name: "audit", props: { ...compliantTrail, s3BucketName: "org-trail-bucket" } };
        const [violation, ...more] = await check([external]);
        expect(more).to.have.length(0);
        expect(violation?.message).to.contain("org-trail-bucket").and.contain('"externalBuckets"');
        expect(await check([external], { externalBuckets: ["org-trail-bucket"] })).to.deep.equal([]);
    });

    it("matches the bucket by name without a dependency, and follows the dependency while the name is unknown", async function () {
        expect(await check([bucket, { ...trail(), propertyDependencies: {} }, lifecycle([expire(7)])])).to.deep.equal([]);
        expect(await check([bucket, trail({ s3BucketName: unknown.string })])).to.have.length(1);
        expect(await check([bucket, trail({ s3BucketName: unknown.string }), lifecycle([expire(7)])])).to.deep.equal([]);
    });

    it("does not report while rules, prefix or bucket are unknown", async function () {
        expect(await check([bucket, trail(), lifecycle([expire(7)]), { ...lifecycle([]), name: "other", props: { bucket: "trail-abc1234", rules: unknown.array } }])).to.deep.equal([]);
        expect(await check([bucket, trail(), { ...lifecycle([]), props: { bucket: "trail-abc1234", rules: unknown.array } }])).to.deep.equal([]);
        expect(await check([bucket, trail({ s3KeyPrefix: unknown.string })])).to.deep.equal([]);
        expect(await check([{ type: TRAIL, name: "audit", props: { ...compliantTrail, s3BucketName: unknown.string } }])).to.deep.equal([]);
    });
});

describe("policy cloudtrail-event-data-store-retention", function () {
    const run = (props: Record<string, unknown>) => runResourcePolicy(cloudtrailEventDataStoreRetention, resourceArgs("aws:cloudtrail/eventDataStore:EventDataStore", props));

    it("passes 7 days (CloudTrail Lake's minimum) and an unknown retention", async function () {
        expect(await run({ retentionPeriod: 7 })).to.deep.equal([]);
        expect(await run({ retentionPeriod: unknown.number })).to.deep.equal([]);
    });

    it("blocks the provider's default (7 years) and 30 days", async function () {
        expect((await run({})).map((v) => v.message).join()).to.contain("2557 days");
        expect((await run({ retentionPeriod: 30 })).map((v) => v.message).join()).to.contain("30 days");
    });
});
