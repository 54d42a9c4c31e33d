/**
 * Issue 16 classes 7 and 8: a bucket setting declared twice is judged as S3 ends up applying it (a
 * separate configuration resource replaces the bucket's inline setting; with several, each is judged),
 * and every S3 bucket type of the provider (derived from its types) is a bucket to the pack.
 */
import { expect } from "chai";

import { BUCKET_KINDS } from "../../policypack/lib/buckets";
import { s3BucketEncryption, s3DenyInsecureTransport, s3PublicAccessBlock, s3Versioning } from "../../policypack/policies/storage";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";
import { resourceDeclarations } from "./providerSchema";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const bucket = (name: string, props: Record<string, unknown> = {}, type = "aws:s3/bucket:Bucket"): StackResourceSpec => ({ type, name, props: { bucket: `${name}-abc1234`, ...props } });
const sse = (name: string, target: string, sseAlgorithm: string, type = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"): StackResourceSpec => ({
    type,
    name,
    props: { bucket: `${target}-abc1234`, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId: sseAlgorithm === "AES256" ? undefined : KEY } }] },
    propertyDependencies: { bucket: [target] },
});
const inlineKms = { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } } } };
const messages = (violations: { message: string }[]) => violations.map((violation) => violation.message).join("\n");
const encryption = (specs: StackResourceSpec[]) => runStackPolicy(s3BucketEncryption, stackArgs(specs));

describe("issue 16 class 7: encryption (and the other bucket settings) declared twice, judged as applied", function () {
    it("blocks inline aws:kms overridden by a separate AES256 configuration, naming both", async function () {
        const text = messages(await encryption([bucket("data", inlineKms), sse("data-sse", "data", "AES256")]));
        expect(text).to.contain('"data-sse"').and.contain("AES256").and.contain("replaced");
    });

    it("blocks two separate configurations when either is weaker (either may be applied last), V1 and V2 alike", async function () {
        expect(await encryption([bucket("data"), sse("data-kms", "data", "aws:kms"), sse("data-aes", "data", "AES256")])).to.have.length(1);
        expect(await encryption([bucket("data"), sse("data-kms", "data", "aws:kms"), sse("data-aes", "data", "AES256", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")])).to.have.length(1);
    });

    it("passes the look-alikes: inline AES256 overridden by a separate aws:kms one, two kms configurations, inline kms alone, unknown algorithms", async function () {
        const inlineAes = { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } } };
        expect(await encryption([bucket("data", inlineAes), sse("data-sse", "data", "aws:kms")])).to.deep.equal([]);
        expect(await encryption([bucket("data"), sse("a", "data", "aws:kms"), sse("b", "data", "aws:kms:dsse")])).to.deep.equal([]);
        expect(await encryption([bucket("data", inlineKms)])).to.deep.equal([]);
        expect(await encryption([bucket("data"), sse("a", "data", "aws:kms"), { ...sse("b", "data", "AES256"), props: { bucket: "data-abc1234", rules: unknown.array } }])).to.deep.equal([]);
    });

    it("public access block: every block on a bucket must have all four settings (a second, weaker block is blocked)", async function () {
        const all = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
        const block = (name: string, settings: Record<string, unknown>): StackResourceSpec => ({ type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name, props: { bucket: "data-abc1234", ...settings }, propertyDependencies: { bucket: ["data"] } });
        expect(messages(await runStackPolicy(s3PublicAccessBlock, stackArgs([bucket("data"), block("strict", all), block("loose", { ...all, restrictPublicBuckets: false, blockPublicPolicy: false })])))).to.contain('"loose"').and.contain("restrictPublicBuckets");
        expect(await runStackPolicy(s3PublicAccessBlock, stackArgs([bucket("data"), block("a", all), block("b", all)]))).to.deep.equal([]);
    });

    it("TLS-only policy: a BucketPolicy resource replaces the bucket's inline policy, so it must deny non-TLS requests itself", async function () {
        const denyHttp = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::data-abc1234", "arn:aws:s3:::data-abc1234/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } };
        const read = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/reader" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::data-abc1234/*" };
        const policy = (name: string, statements: unknown[]): StackResourceSpec => ({ type: "aws:s3/bucketPolicy:BucketPolicy", name, props: { bucket: "data-abc1234", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }, propertyDependencies: { bucket: ["data"] } });
        const inline = { policy: JSON.stringify({ Version: "2012-10-17", Statement: [denyHttp] }) };
        expect(messages(await runStackPolicy(s3DenyInsecureTransport, stackArgs([bucket("data", inline), policy("readers", [read])])))).to.contain('"readers"').and.contain("replaces it");
        expect(await runStackPolicy(s3DenyInsecureTransport, stackArgs([bucket("data"), policy("tls", [denyHttp]), policy("readers", [read])]))).to.have.length(1);
        expect(await runStackPolicy(s3DenyInsecureTransport, stackArgs([bucket("data", inline)]))).to.deep.equal([]);
        expect(await runStackPolicy(s3DenyInsecureTransport, stackArgs([bucket("data"), policy("all", [denyHttp, read])]))).to.deep.equal([]);
    });

    it("versioning (advisory): a separate BucketVersioning that suspends it wins over the inline setting", async function () {
        const versioning: StackResourceSpec = { type: "aws:s3/bucketVersioning:BucketVersioning", name: "v", props: { bucket: "data-abc1234", versioningConfiguration: { status: "Suspended" } }, propertyDependencies: { bucket: ["data"] } };
        expect(await runStackPolicy(s3Versioning, stackArgs([bucket("data", { versioning: { enabled: true } }), versioning]))).to.have.length(1);
        expect(await runStackPolicy(s3Versioning, stackArgs([bucket("data", { versioning: { enabled: true } })]))).to.deep.equal([]);
    });
});

describe("issue 16 class 8: every S3 bucket type is a bucket", function () {
    const scanned = resourceDeclarations()
        .map((declaration) => declaration.token)
        .filter((token) => /^aws:s3[a-z]*\/[a-zA-Z0-9]+:[A-Za-z]*Bucket(V2)?$/.test(token));

    it("classifies every bucket type of the provider (derived from its types)", function () {
        expect(scanned).to.include.members(["aws:s3/bucket:Bucket", "aws:s3/directoryBucket:DirectoryBucket", "aws:s3tables/tableBucket:TableBucket"]);
        expect(scanned.filter((token) => BUCKET_KINDS[token] === undefined), "classify these in policypack/lib/buckets.ts BUCKET_KINDS").to.deep.equal([]);
        expect(Object.keys(BUCKET_KINDS).filter((token) => !scanned.includes(token)), "not bucket types of the installed provider").to.deep.equal([]);
    });

    it("blocks a directory bucket left on SSE-S3 (no configuration, or an AES256 one), and passes it with aws:kms", async function () {
        const directory = bucket("scratch", { bucket: "scratch--euw1-az1--x-s3", location: { name: "euw1-az1", type: "AvailabilityZone" } }, "aws:s3/directoryBucket:DirectoryBucket");
        const onDirectory = (algorithm: string): StackResourceSpec => ({ ...sse("scratch-sse", "scratch", algorithm), props: { bucket: "scratch--euw1-az1--x-s3", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } }] } });
        expect(messages(await encryption([directory]))).to.contain("directory bucket").and.contain("SSE-S3");
        expect(messages(await encryption([directory, onDirectory("AES256")]))).to.contain("AES256");
        expect(await encryption([directory, onDirectory("aws:kms")])).to.deep.equal([]);
        // Matched by name too, as a configuration of a bucket created elsewhere in the program would be.
        expect(await encryption([directory, { ...onDirectory("aws:kms"), propertyDependencies: {} }])).to.deep.equal([]);
    });

    it("judges table and vector buckets by their own encryption configuration (SSE-S3 when unset), and Outposts buckets as SSE-S3 only", async function () {
        const table = (encryptionConfiguration?: unknown) => bucket("lake", { name: "lake", ...(encryptionConfiguration ? { encryptionConfiguration } : {}) }, "aws:s3tables/tableBucket:TableBucket");
        expect(await encryption([table()])).to.have.length(1);
        expect(await encryption([table({ sseAlgorithm: "AES256" })])).to.have.length(1);
        expect(await encryption([table({ sseAlgorithm: "aws:kms", kmsKeyArn: KEY })])).to.deep.equal([]);
        const vectors = (encryptionConfigurations?: unknown) => bucket("vectors", { vectorBucketName: "vectors", ...(encryptionConfigurations ? { encryptionConfigurations } : {}) }, "aws:s3/vectorsVectorBucket:VectorsVectorBucket");
        expect(await encryption([vectors()])).to.have.length(1);
        expect(await encryption([vectors([{ sseType: "aws:kms", kmsKeyArn: KEY }])])).to.deep.equal([]);
        const outposts = bucket("edge", { bucket: "edge", outpostId: "op-12345678" }, "aws:s3control/bucket:Bucket");
        expect(messages(await encryption([outposts]))).to.contain("S3 on Outposts");
        expect(await runStackPolicy(s3BucketEncryption, stackArgs([outposts], { config: { allowAes256: true } }))).to.deep.equal([]);
    });
});
