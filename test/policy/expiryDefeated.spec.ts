/**
 * Issue 16 class 9: what keeps objects beyond a lifecycle's expiry. Object Lock's default retention (a
 * locked version cannot be expired), a noncurrent-version rule that keeps the newest versions whatever
 * their age, a separate lifecycle configuration that replaces the inline 7-day rules, and replication to
 * a bucket that keeps the copies. Checked through s3-log-bucket-expiry, cloudtrail-bucket-expiry and
 * athena-workgroup-results-expire, which share the expiry check.
 */
import { expect } from "chai";

import { athenaWorkgroupResultsExpire } from "../../policypack/policies/athena";
import { cloudtrailBucketExpiry } from "../../policypack/policies/cloudtrail";
import { s3LogBucketExpiry } from "../../policypack/policies/storage";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const bucket = (name: string, props: Record<string, unknown> = {}): StackResourceSpec => ({ type: "aws:s3/bucket:Bucket", name, props: { bucket: `${name}-abc1234`, ...props } });
const attached = (type: string, name: string, target: string, props: Record<string, unknown>): StackResourceSpec => ({ type, name, props: { bucket: `${target}-abc1234`, ...props }, propertyDependencies: { bucket: [target] } });
const EXPIRE_7 = { id: "expire", status: "Enabled", filter: { prefix: "" }, expiration: { days: 7 }, noncurrentVersionExpiration: { noncurrentDays: 1 } };
const lifecycle = (target: string, rules: unknown[], name = `${target}-lifecycle`) => attached("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", name, target, { rules });
const versioning = (target: string) => attached("aws:s3/bucketVersioning:BucketVersioning", `${target}-versioning`, target, { versioningConfiguration: { status: "Enabled" } });
const objectLock = (target: string, defaultRetention: Record<string, unknown>) => attached("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", `${target}-lock`, target, { rule: { defaultRetention } });
const accessLogs: StackResourceSpec = {
    type: "aws:s3/bucketLogging:BucketLogging",
    name: "data-access-logs",
    props: { bucket: "data-abc1234", targetBucket: "logs-abc1234", targetPrefix: "access/" },
    propertyDependencies: { bucket: ["data"], targetBucket: ["logs"] },
};
/** A data bucket whose access logs go to a versioned "logs" bucket expiring them in 7 days, plus `more`. */
const logBucket = (...more: StackResourceSpec[]) => [bucket("data"), bucket("logs", { objectLockEnabled: true }), versioning("logs"), lifecycle("logs", [EXPIRE_7]), accessLogs, ...more];
const check = (specs: StackResourceSpec[], config?: Record<string, unknown>) => runStackPolicy(s3LogBucketExpiry, stackArgs(specs, { config }));
const messages = async (specs: StackResourceSpec[]) => (await check(specs)).map((violation) => violation.message).join("\n");

describe("issue 16 class 9: Object Lock and the other things that keep objects past their expiry", function () {
    it("blocks a log bucket whose default Object Lock retention (COMPLIANCE 365 days) outlives its 7-day lifecycle", async function () {
        expect(await messages(logBucket(objectLock("logs", { mode: "COMPLIANCE", days: 365 })))).to.contain("Object Lock keeps every object version 365 days").and.contain("COMPLIANCE");
    });

    it("blocks GOVERNANCE retention, retention in years, and the inline objectLockConfiguration", async function () {
        expect(await messages(logBucket(objectLock("logs", { mode: "GOVERNANCE", days: 30 })))).to.contain("30 days");
        expect(await messages(logBucket(objectLock("logs", { mode: "COMPLIANCE", years: 1 })))).to.contain("365 days");
        const inline = bucket("logs", { objectLockEnabled: true, objectLockConfiguration: { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 90 } } } });
        expect(await check([bucket("data"), inline, versioning("logs"), lifecycle("logs", [EXPIRE_7]), accessLogs])).to.have.length(1);
    });

    it("passes Object Lock with a retention within the limit, with no default retention, or while it is unknown", async function () {
        expect(await check(logBucket(objectLock("logs", { mode: "COMPLIANCE", days: 7 })))).to.deep.equal([]);
        expect(await check(logBucket(attached("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "logs-lock", "logs", { objectLockEnabled: "Enabled" })))).to.deep.equal([]);
        expect(await check(logBucket(objectLock("logs", { mode: "COMPLIANCE", days: unknown.number })))).to.deep.equal([]);
    });

    it("treats a bucket with Object Lock enabled as versioned (S3 turns versioning on): old versions need their own expiry", async function () {
        const expireCurrentOnly = { id: "expire", status: "Enabled", filter: { prefix: "" }, expiration: { days: 7 } };
        expect(await messages([bucket("data"), bucket("logs", { objectLockEnabled: true }), lifecycle("logs", [expireCurrentOnly]), accessLogs])).to.contain("noncurrent");
    });

    it("blocks a noncurrent-version rule that keeps the newest versions whatever their age (newerNoncurrentVersions)", async function () {
        const keeping = { ...EXPIRE_7, noncurrentVersionExpiration: { noncurrentDays: 1, newerNoncurrentVersions: 3 } };
        expect(await messages([bucket("data"), bucket("logs"), versioning("logs"), lifecycle("logs", [keeping]), accessLogs])).to.contain("newest 3 old versions");
        expect(await check([bucket("data"), bucket("logs"), lifecycle("logs", [keeping]), accessLogs])).to.deep.equal([]); // not versioned: no old versions
    });

    it("judges a separate lifecycle configuration, which replaces the bucket's inline 7-day rules", async function () {
        const inline = bucket("logs", { lifecycleRules: [{ enabled: true, prefix: "", expiration: { days: 7 } }] });
        expect(await messages([bucket("data"), inline, lifecycle("logs", [{ id: "archive", status: "Enabled", filter: { prefix: "" }, expiration: { days: 365 } }]), accessLogs])).to.contain("after 365 days");
        expect(await check([bucket("data"), inline, accessLogs])).to.deep.equal([]);
        // Two separate configurations: either may be applied last, so both must expire in time.
        expect(await check([bucket("data"), bucket("logs"), lifecycle("logs", [EXPIRE_7], "a"), lifecycle("logs", [{ ...EXPIRE_7, expiration: { days: 30 } }], "b"), accessLogs])).to.have.length(1);
    });

    it("follows replication: the copies in the destination bucket must expire too (or the destination be listed as external)", async function () {
        const replicate = (destination: string, prefix = "") =>
            attached("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "logs-replication", "logs", {
                role: "arn:aws:iam::123456789012:role/replication",
                rules: [{ id: "copy", status: "Enabled", filter: { prefix }, destination: { bucket: `arn:aws:s3:::${destination}` } }],
            });
        const logs = [bucket("data"), bucket("logs"), versioning("logs"), lifecycle("logs", [EXPIRE_7]), accessLogs];
        expect(await messages([...logs, bucket("archive"), replicate("archive-abc1234")])).to.contain('replicated (rule copy) to bucket "archive"').and.contain("kept forever");
        expect(await check([...logs, bucket("archive"), versioning("archive"), lifecycle("archive", [EXPIRE_7]), replicate("archive-abc1234")])).to.deep.equal([]);
        expect(await messages([...logs, replicate("central-archive")])).to.contain("central-archive").and.contain("externalBuckets");
        expect(await check([...logs, replicate("central-archive")], { externalBuckets: ["central-archive"] })).to.deep.equal([]);
        // A rule for another prefix does not copy the logs.
        expect(await check([...logs, bucket("archive"), replicate("archive-abc1234", "exports/")])).to.deep.equal([]);
    });

    it("applies to every expiry policy: a trail's bucket and Athena results under Object Lock", async function () {
        const trail: StackResourceSpec = { type: "aws:cloudtrail/trail:Trail", name: "audit", props: { s3BucketName: "trail-abc1234" }, propertyDependencies: { s3BucketName: ["trail"] } };
        const trailBucket = [bucket("trail"), versioning("trail"), lifecycle("trail", [EXPIRE_7])];
        expect(await runStackPolicy(cloudtrailBucketExpiry, stackArgs([...trailBucket, trail]))).to.deep.equal([]);
        expect(await runStackPolicy(cloudtrailBucketExpiry, stackArgs([...trailBucket, objectLock("trail", { mode: "COMPLIANCE", days: 365 }), trail]))).to.have.length(1);
        const workgroup: StackResourceSpec = {
            type: "aws:athena/workgroup:Workgroup",
            name: "queries",
            props: { configuration: { resultConfiguration: { outputLocation: "s3://results-abc1234/athena/" } } },
            propertyDependencies: { configuration: ["results"] },
        };
        const results = [bucket("results"), versioning("results"), lifecycle("results", [EXPIRE_7])];
        expect(await runStackPolicy(athenaWorkgroupResultsExpire, stackArgs([...results, workgroup]))).to.deep.equal([]);
        expect(await runStackPolicy(athenaWorkgroupResultsExpire, stackArgs([...results, objectLock("results", { mode: "GOVERNANCE", days: 30 }), workgroup]))).to.have.length(1);
    });
});
