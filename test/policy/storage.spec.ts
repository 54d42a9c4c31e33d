import { expect } from "chai";

import { s3BucketEncryption, s3DenyInsecureTransport, s3PublicAccessBlock, s3Versioning } from "../../policypack/policies/storage";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const bucket = (name: string): StackResourceSpec => ({ type: "aws:s3/bucket:Bucket", name, props: { bucket: `${name}-abc1234` } });
const sse = (name: string, target: string, sseAlgorithm = "aws:kms"): StackResourceSpec => ({
    type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    name,
    props: { bucket: `${target}-abc1234`, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" } }] },
    propertyDependencies: { bucket: [target] },
});

describe("policy s3-bucket-encryption", function () {
    it("passes a bucket with an aws:kms encryption configuration that targets it", async function () {
        expect(await runStackPolicy(s3BucketEncryption, stackArgs([bucket("data"), sse("data-sse", "data")]))).to.deep.equal([]);
    });

    it("blocks a bucket with no encryption configuration", async function () {
        const violations = await runStackPolicy(s3BucketEncryption, stackArgs([bucket("data")]));
        expect(violations).to.have.length(1);
        expect(violations[0]?.urn).to.contain("::data");
    });

    it("blocks a bucket whose only encryption configuration targets another bucket", async function () {
        const violations = await runStackPolicy(s3BucketEncryption, stackArgs([bucket("data"), bucket("other"), sse("other-sse", "other")]));
        expect(violations.map((v) => v.urn)).to.deep.equal(["urn:pulumi:test::log-platform::aws:s3/bucket:Bucket::data"]);
    });

    it("matches by bucket name when there is no dependency", async function () {
        const byName: StackResourceSpec = { ...sse("data-sse", "data"), propertyDependencies: {} };
        expect(await runStackPolicy(s3BucketEncryption, stackArgs([bucket("data"), byName]))).to.deep.equal([]);
    });

    it("requires aws:kms by default and accepts AES256 when configured", async function () {
        const resources = [bucket("data"), sse("data-sse", "data", "AES256")];
        expect(await runStackPolicy(s3BucketEncryption, stackArgs(resources))).to.have.length(1);
        expect(await runStackPolicy(s3BucketEncryption, stackArgs(resources, { config: { allowAes256: true } }))).to.deep.equal([]);
    });

    it("accepts AES256 on a bucket that receives S3 server access logs (AWS delivers them only to SSE-S3 buckets), and nowhere else", async function () {
        const logging: StackResourceSpec = {
            type: "aws:s3/bucketLogging:BucketLogging",
            name: "data-logging",
            props: { bucket: "data-abc1234", targetBucket: "logs-abc1234", targetPrefix: "access/" },
            propertyDependencies: { bucket: ["data"], targetBucket: ["logs"] },
        };
        const resources = [bucket("data"), sse("data-sse", "data"), bucket("logs"), sse("logs-sse", "logs", "AES256"), logging];
        expect(await runStackPolicy(s3BucketEncryption, stackArgs(resources))).to.deep.equal([]);
        const violations = await runStackPolicy(s3BucketEncryption, stackArgs([bucket("data"), sse("data-sse", "data", "AES256"), bucket("logs"), sse("logs-sse", "logs", "AES256"), logging]));
        expect(violations.map((v) => v.urn)).to.deep.equal(["urn:pulumi:test::log-platform::aws:s3/bucket:Bucket::data"]);
    });

    it("accepts the legacy inline setting and the legacy V2 types", async function () {
        const inline: StackResourceSpec = { type: "aws:s3/bucketV2:BucketV2", name: "old", props: { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } } } };
        expect(await runStackPolicy(s3BucketEncryption, stackArgs([inline]))).to.deep.equal([]);
        const v2: StackResourceSpec = { ...sse("v2-sse", "data"), type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2" };
        expect(await runStackPolicy(s3BucketEncryption, stackArgs([bucket("data"), v2]))).to.deep.equal([]);
    });

    it("does not report while the algorithm is unknown", async function () {
        const pending: StackResourceSpec = { ...sse("data-sse", "data"), props: { bucket: unknown.string, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: unknown.string } }] } };
        expect(await runStackPolicy(s3BucketEncryption, stackArgs([bucket("data"), pending]))).to.deep.equal([]);
    });
});

describe("policy s3-public-access-block", function () {
    const block = (settings: Record<string, unknown>): StackResourceSpec => ({ type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: "pab", props: { bucket: "data-abc1234", ...settings }, propertyDependencies: { bucket: ["data"] } });
    const all = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };

    it("passes all four settings on", async function () {
        expect(await runStackPolicy(s3PublicAccessBlock, stackArgs([bucket("data"), block(all)]))).to.deep.equal([]);
    });

    it("blocks a missing block and a block with a setting off", async function () {
        expect(await runStackPolicy(s3PublicAccessBlock, stackArgs([bucket("data")]))).to.have.length(1);
        const partial = await runStackPolicy(s3PublicAccessBlock, stackArgs([bucket("data"), block({ ...all, restrictPublicBuckets: false })]));
        expect(partial.map((v) => v.message).join()).to.contain("restrictPublicBuckets");
    });
});

describe("policy s3-deny-insecure-transport", function () {
    const policy = (statement: Record<string, unknown>): StackResourceSpec => ({
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "data-policy",
        props: { bucket: "data-abc1234", policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) },
        propertyDependencies: { bucket: ["data"] },
    });
    const denyHttp = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::data-abc1234", "arn:aws:s3:::data-abc1234/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } };

    it("passes a bucket policy denying non-TLS requests", async function () {
        expect(await runStackPolicy(s3DenyInsecureTransport, stackArgs([bucket("data"), policy(denyHttp)]))).to.deep.equal([]);
    });

    it("blocks a bucket without one, or with a policy that denies something else", async function () {
        expect(await runStackPolicy(s3DenyInsecureTransport, stackArgs([bucket("data")]))).to.have.length(1);
        const other = await runStackPolicy(s3DenyInsecureTransport, stackArgs([bucket("data"), policy({ ...denyHttp, Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } })]));
        expect(other).to.have.length(1);
    });
});

describe("policy s3-versioning", function () {
    const versioning = (status: string): StackResourceSpec => ({ type: "aws:s3/bucketVersioning:BucketVersioning", name: "v", props: { bucket: "data-abc1234", versioningConfiguration: { status } }, propertyDependencies: { bucket: ["data"] } });

    it("passes Enabled and advises on Suspended or missing", async function () {
        expect(await runStackPolicy(s3Versioning, stackArgs([bucket("data"), versioning("Enabled")]))).to.deep.equal([]);
        expect(await runStackPolicy(s3Versioning, stackArgs([bucket("data"), versioning("Suspended")]))).to.have.length(1);
        expect(await runStackPolicy(s3Versioning, stackArgs([bucket("data")]))).to.have.length(1);
    });
});
