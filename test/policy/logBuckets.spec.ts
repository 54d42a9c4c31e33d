import { expect } from "chai";

import { s3LogBucketExpiry } from "../../policypack/policies/storage";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const bucket = (name: string): StackResourceSpec => ({ type: "aws:s3/bucket:Bucket", name, props: { bucket: `${name}-abc1234` } });
const lifecycle = (target: string, rules: unknown[]): StackResourceSpec => ({
    type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    name: `${target}-lifecycle`,
    props: { bucket: `${target}-abc1234`, rules },
    propertyDependencies: { bucket: [target] },
});
const expire = (days: number, prefix = "") => ({ id: "expire", status: "Enabled", filter: { prefix }, expiration: { days } });
const accessLogs = (prefix = "access/"): StackResourceSpec => ({
    type: "aws:s3/bucketLogging:BucketLogging",
    name: "data-access-logs",
    props: { bucket: "data-abc1234", targetBucket: "logs-abc1234", targetPrefix: prefix },
    propertyDependencies: { bucket: ["data"], targetBucket: ["logs"] },
});
const check = (specs: StackResourceSpec[], config?: Record<string, unknown>) => runStackPolicy(s3LogBucketExpiry, stackArgs(specs, { config }));
const messages = async (specs: StackResourceSpec[]) => (await check(specs)).map((v) => v.message).join();

describe("policy s3-log-bucket-expiry", function () {
    it("passes a server-access-log bucket that expires the logs within 7 days", async function () {
        expect(await check([bucket("data"), bucket("logs"), accessLogs(), lifecycle("logs", [expire(7, "access/")])])).to.deep.equal([]);
        expect(await check([bucket("data"), bucket("logs"), accessLogs(), lifecycle("logs", [expire(1)])])).to.deep.equal([]);
    });

    it("blocks an access-log bucket that keeps logs forever or 30 days, reporting on the log bucket", async function () {
        const [violation] = await check([bucket("data"), bucket("logs"), accessLogs()]);
        expect(violation?.message).to.contain("S3 server access logs").and.contain("kept forever");
        expect(violation?.urn).to.contain("::logs");
        expect(await messages([bucket("data"), bucket("logs"), accessLogs(), lifecycle("logs", [expire(30)])])).to.contain("after 30 days");
        expect(await messages([bucket("data"), bucket("logs"), accessLogs(), lifecycle("logs", [expire(7, "other/")])])).to.contain("kept forever");
    });

    it("covers the legacy inline logging and lifecycle settings", async function () {
        const legacy: StackResourceSpec = { type: "aws:s3/bucket:Bucket", name: "data", props: { bucket: "data-abc1234", logging: { targetBucket: "logs-abc1234", targetPrefix: "a/" } } };
        expect(await check([legacy, bucket("logs")])).to.have.length(1);
        const inlineExpiry: StackResourceSpec = { type: "aws:s3/bucket:Bucket", name: "logs", props: { bucket: "logs-abc1234", lifecycleRules: [{ enabled: true, prefix: "", expiration: { days: 5 } }] } };
        expect(await check([legacy, inlineExpiry])).to.deep.equal([]);
    });

    it("checks VPC flow logs and load balancer logs delivered to S3 under <prefix>/AWSLogs/", async function () {
        const flowLog: StackResourceSpec = { type: "aws:ec2/flowLog:FlowLog", name: "vpc-flow", props: { logDestinationType: "s3", logDestination: "arn:aws:s3:::logs-abc1234/flow", vpcId: "vpc-1" } };
        expect(await messages([bucket("logs"), flowLog])).to.contain('under "flow/AWSLogs/"');
        expect(await check([bucket("logs"), flowLog, lifecycle("logs", [expire(7, "flow/")])])).to.deep.equal([]);
        expect(await check([bucket("logs"), { ...flowLog, props: { logDestinationType: "cloud-watch-logs", logDestination: "arn:aws:logs:eu-west-1:123456789012:log-group:flow" } }])).to.deep.equal([]);
        const balancer: StackResourceSpec = { type: "aws:lb/loadBalancer:LoadBalancer", name: "api", props: { accessLogs: { bucket: "logs-abc1234", prefix: "lb", enabled: true } } };
        expect(await messages([bucket("logs"), balancer])).to.contain("load balancer access logs");
        expect(await check([bucket("logs"), balancer, lifecycle("logs", [expire(3, "lb/AWSLogs/")])])).to.deep.equal([]);
        expect(await check([bucket("logs"), { ...balancer, props: { accessLogs: { bucket: "logs-abc1234", enabled: false } } }])).to.deep.equal([]);
    });

    it("fails closed on a log bucket outside the program unless listed in externalBuckets", async function () {
        const toCentral: StackResourceSpec = { ...accessLogs(), props: { bucket: "data-abc1234", targetBucket: "central-logs", targetPrefix: "" }, propertyDependencies: { bucket: ["data"] } };
        expect(await messages([bucket("data"), toCentral])).to.contain("central-logs").and.contain("externalBuckets");
        expect(await check([bucket("data"), toCentral], { externalBuckets: ["central-logs"] })).to.deep.equal([]);
    });

    it("does not report while the target or prefix is unknown; a bucket that receives no logs is not checked", async function () {
        expect(await check([bucket("data"), bucket("logs"), { ...accessLogs(), props: { bucket: "data-abc1234", targetBucket: unknown.string, targetPrefix: "" }, propertyDependencies: { bucket: ["data"] } }])).to.deep.equal([]);
        expect(await check([bucket("data"), bucket("logs"), { ...accessLogs(), props: { bucket: "data-abc1234", targetBucket: "logs-abc1234", targetPrefix: unknown.string } }])).to.deep.equal([]);
        expect(await check([bucket("data")])).to.deep.equal([]);
    });
});
