import { expect } from "chai";

import { s3DataRetention } from "../../policypack/policies/dataProtection";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const BUCKET = "aws:s3/bucket:Bucket";
const bucket = (name = "data", props: Record<string, unknown> = {}, type = BUCKET): StackResourceSpec => ({ type, name, props: { bucket: `${name}-abc1234`, ...props } });
const lifecycle = (rules: unknown[], target = "data", type = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"): StackResourceSpec => ({
    type,
    name: `${target}-lifecycle`,
    props: { bucket: `${target}-abc1234`, rules },
    propertyDependencies: { bucket: [target] },
});
const versioning = (status: unknown = "Enabled", target = "data"): StackResourceSpec => ({
    type: "aws:s3/bucketVersioning:BucketVersioning",
    name: `${target}-versioning`,
    props: { bucket: `${target}-abc1234`, versioningConfiguration: { status } },
    propertyDependencies: { bucket: [target] },
});
const lock = (defaultRetention: Record<string, unknown>, target = "data"): StackResourceSpec => ({
    type: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    name: `${target}-lock`,
    props: { bucket: `${target}-abc1234`, rule: { defaultRetention: { mode: "GOVERNANCE", ...defaultRetention } } },
    propertyDependencies: { bucket: [target] },
});
/** A rule: expiration days, noncurrent days, abort days (undefined leaves the action out). */
const rule = (expiration?: number, noncurrent?: number, abort?: number, filter: Record<string, unknown> = { prefix: "" }, extra: Record<string, unknown> = {}) => ({
    id: "r",
    status: "Enabled",
    filter,
    expiration: expiration === undefined ? undefined : { days: expiration },
    noncurrentVersionExpiration: noncurrent === undefined ? undefined : { noncurrentDays: noncurrent },
    abortIncompleteMultipartUpload: abort === undefined ? undefined : { daysAfterInitiation: abort },
    ...extra,
});
const check = (specs: StackResourceSpec[], config?: Record<string, unknown>) => runStackPolicy(s3DataRetention, stackArgs(specs, { config }));
const messages = async (specs: StackResourceSpec[], config?: Record<string, unknown>) => (await check(specs, config)).map((violation) => violation.message).join("\n");

// Worst cases by hand (each lifecycle phase: days + 24 h rounding to midnight UTC + 24 h S3 lag):
// versioned, expire 2 d, old versions 1 d: (48 + 48) + (24 + 48) = 168 h = 7 d;  expire 3 d: 192 h = 8 d.
describe("policy s3-data-retention", function () {
    it("passes a versioned bucket whose data is gone in 7 days: expire 2 d, old versions 1 d, uploads aborted 1 d", async function () {
        expect(await check([bucket(), versioning(), lifecycle([rule(2, 1, 1)])])).to.deep.equal([]);
    });

    it("blocks the same bucket expiring after 3 days (8 days in all), on the bucket, with the arithmetic", async function () {
        const [violation, ...more] = await check([bucket(), versioning(), lifecycle([rule(3, 1, 1)])]);
        expect(more).to.deep.equal([]);
        expect(violation?.urn).to.contain("::data");
        expect(violation?.message).to.contain("8d").and.contain("7-day limit").and.contain("expire after 3 d").and.contain("old versions after 1 d");
    });

    it("counts an unversioned bucket without the old-version phase: expire 5 d passes (7 d), 6 d is blocked (8 d)", async function () {
        expect(await check([bucket(), lifecycle([rule(5, undefined, 1)])])).to.deep.equal([]);
        expect(await messages([bucket(), lifecycle([rule(6, undefined, 1)])])).to.contain("8d");
        // Suspended versioning keeps the versions already made.
        expect(await check([bucket(), versioning("Suspended"), lifecycle([rule(5, undefined, 1)])])).to.have.length(1);
    });

    it("blocks a bucket with no lifecycle, one without noncurrent expiry when versioned, and one that never aborts uploads", async function () {
        expect(await messages([bucket()])).to.contain("kept forever");
        expect(await messages([bucket(), versioning(), lifecycle([rule(2, undefined, 1)])])).to.contain("old (noncurrent) versions");
        expect(await messages([bucket(), versioning(), lifecycle([rule(2, 1)])])).to.contain("incomplete multipart uploads");
    });

    it("blocks a prefix no expiring rule covers, and takes the shortest of overlapping rules (as S3 does)", async function () {
        const onlyKpis = await messages([bucket(), versioning(), lifecycle([rule(2, 1, 1, { prefix: "kpis/" })])]);
        expect(onlyKpis).to.contain('outside "kpis/"').and.contain("kept forever");
        // A 395-day rule under kpis/ next to a 2-day rule for the whole bucket: the 2-day rule wins everywhere.
        expect(await check([bucket(), versioning(), lifecycle([rule(395, 1, 1, { prefix: "kpis/" }), rule(2, 1, 1)])])).to.deep.equal([]);
    });

    it("ignores disabled rules, rules narrowed by tags or size, and noncurrent expiry that keeps newer versions", async function () {
        expect(await check([bucket(), versioning(), lifecycle([{ ...rule(2, 1, 1), status: "Disabled" }])])).to.have.length(1);
        expect(await check([bucket(), versioning(), lifecycle([rule(2, 1, 1, { tag: { key: "kind", value: "tmp" } })])])).to.have.length(1);
        expect(await check([bucket(), versioning(), lifecycle([rule(2, 1, 1, { and: { prefix: "", objectSizeGreaterThan: 1024 } })])])).to.have.length(1);
        const newer = await messages([bucket(), versioning(), lifecycle([rule(2, 1, 1, { prefix: "" }, { noncurrentVersionExpiration: { noncurrentDays: 1, newerNoncurrentVersions: 3 } })])]);
        expect(newer).to.contain("old (noncurrent) versions");
    });

    it("counts an Object Lock default retention, in days or years", async function () {
        expect(await messages([bucket(), versioning(), lifecycle([rule(2, 1, 1)]), lock({ days: 30 })])).to.contain("Object Lock").and.contain("30d");
        expect(await check([bucket(), versioning(), lifecycle([rule(2, 1, 1)]), lock({ years: 1 })])).to.have.length(1);
        expect(await check([bucket(), versioning(), lifecycle([rule(2, 1, 1)]), lock({ days: 5 })])).to.deep.equal([]);
        // Inline on a legacy Bucket.
        expect(await check([bucket("data", { objectLockConfiguration: { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 30 } } } }), versioning(), lifecycle([rule(2, 1, 1)])])).to.have.length(1);
    });

    it("reads the legacy inline lifecycle of Bucket and BucketV2 (expirations[], noncurrentVersionExpirations[], versionings[])", async function () {
        const inline = { lifecycleRules: [{ enabled: true, prefix: "", expiration: { days: 2 }, noncurrentVersionExpiration: { days: 1 }, abortIncompleteMultipartUploadDays: 1 }], versioning: { enabled: true } };
        expect(await check([bucket("data", inline)])).to.deep.equal([]);
        expect(await check([bucket("data", { ...inline, lifecycleRules: [{ ...inline.lifecycleRules[0], expiration: { days: 3 } }] })])).to.have.length(1);
        const v2 = {
            versionings: [{ enabled: true }],
            lifecycleRules: [{ enabled: true, prefix: "", expirations: [{ days: 2 }], noncurrentVersionExpirations: [{ days: 1 }], abortIncompleteMultipartUploadDays: 1 }],
        };
        expect(await check([bucket("data", v2, "aws:s3/bucketV2:BucketV2")])).to.deep.equal([]);
        expect(await messages([bucket("data", { ...v2, lifecycleRules: [{ ...v2.lifecycleRules[0], noncurrentVersionExpirations: [] }] }, "aws:s3/bucketV2:BucketV2")])).to.contain("old (noncurrent) versions");
        // A BucketV2 configured by a separate lifecycle configuration (V2 type).
        expect(await check([bucket("data", {}, "aws:s3/bucketV2:BucketV2"), lifecycle([rule(5, undefined, 1)], "data", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")])).to.deep.equal([]);
    });

    it("checks directory buckets (S3 Express One Zone, never versioned)", async function () {
        const directory = bucket("fast", { bucket: "fast--euw1-az1--x-s3", location: { name: "euw1-az1" } }, "aws:s3/directoryBucket:DirectoryBucket");
        expect(await messages([directory])).to.contain('bucket "fast"').and.contain("kept forever");
        const rules: StackResourceSpec = { ...lifecycle([rule(5, undefined, 1)], "fast"), props: { bucket: "fast--euw1-az1--x-s3", rules: [rule(5, undefined, 1)] } };
        expect(await check([directory, rules])).to.deep.equal([]);
    });

    it("never makes up a violation from unknown values: unknown rules are not judged, unknown versioning counts as off", async function () {
        expect(await check([bucket(), versioning(), lifecycle(unknown.array as unknown as unknown[])])).to.deep.equal([]);
        expect(await check([bucket(), versioning(), lifecycle([{ ...rule(2, 1, 1), expiration: { days: unknown.number } }])])).to.deep.equal([]);
        expect(await check([bucket(), versioning(unknown.string), lifecycle([rule(5, undefined, 1)])])).to.deep.equal([]);
    });

    it("takes the limit and S3's lag from config", async function () {
        expect(await check([bucket(), versioning(), lifecycle([rule(3, 1, 1)])], { maxAgeDays: 8 })).to.deep.equal([]);
        // No S3 lag: expire 3 d + 1 d old versions = (72 + 24) + (24 + 24) = 144 h.
        expect(await check([bucket(), versioning(), lifecycle([rule(3, 1, 1)])], { deletionLagHours: { s3: 0 } })).to.deep.equal([]);
    });
});
