import { expect } from "chai";

import { dynamodbPointInTimeRecovery, dynamodbTableKms } from "../../policypack/policies/database";
import { kmsKeyRotation } from "../../policypack/policies/kms";
import { kinesisStreamEncryptedShortRetention, snsTopicEncrypted, sqsQueueEncryptedShortRetention } from "../../policypack/policies/messaging";
import { securityGroupNoOpenCidr } from "../../policypack/policies/network";
import { resourceArgs, runResourcePolicy, unknown } from "../harness/policy";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";

describe("policy security-group-no-open-cidr", function () {
    const sg = (props: Record<string, unknown>) => runResourcePolicy(securityGroupNoOpenCidr, resourceArgs("aws:ec2/securityGroup:SecurityGroup", props));
    it("blocks egress or ingress to 0.0.0.0/0 and ::/0, in groups and standalone rules", async function () {
        expect(await sg({ egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] })).to.have.length(1);
        expect(await sg({ ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }] })).to.have.length(1);
        expect(await runResourcePolicy(securityGroupNoOpenCidr, resourceArgs("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", { cidrIpv4: "0.0.0.0/0", ipProtocol: "-1" }))).to.have.length(1);
        expect(await runResourcePolicy(securityGroupNoOpenCidr, resourceArgs("aws:ec2/securityGroupRule:SecurityGroupRule", { type: "egress", cidrBlocks: ["0.0.0.0/0"] }))).to.have.length(1);
    });
    it("passes egress to named networks and prefix lists", async function () {
        expect(await sg({ egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.20.0.0/16"] }, { protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: ["pl-6da54004"] }] })).to.deep.equal([]);
        expect(await sg({ egress: unknown.array })).to.deep.equal([]);
    });
});

describe("policy sqs-queue-encrypted-retention", function () {
    const queue = (props: Record<string, unknown>) => runResourcePolicy(sqsQueueEncryptedShortRetention, resourceArgs("aws:sqs/queue:Queue", props));
    it("passes KMS or SSE-SQS with retention up to 7 days; blocks unencrypted or 14 days", async function () {
        expect(await queue({ kmsMasterKeyId: KEY, messageRetentionSeconds: 604800 })).to.deep.equal([]);
        expect(await queue({ sqsManagedSseEnabled: true })).to.deep.equal([]);
        expect(await queue({})).to.have.length(1);
        expect(await queue({ kmsMasterKeyId: KEY, messageRetentionSeconds: 1209600 })).to.have.length(1);
    });
});

describe("policy kinesis-stream-encrypted-retention", function () {
    const stream = (props: Record<string, unknown>) => runResourcePolicy(kinesisStreamEncryptedShortRetention, resourceArgs("aws:kinesis/stream:Stream", props));
    it("passes KMS with <= 168 h; blocks no encryption or 336 h", async function () {
        expect(await stream({ encryptionType: "KMS", kmsKeyId: KEY, retentionPeriod: 168 })).to.deep.equal([]);
        expect(await stream({ retentionPeriod: 24 })).to.have.length(1);
        expect(await stream({ encryptionType: "KMS", kmsKeyId: KEY, retentionPeriod: 336 })).to.have.length(1);
    });
});

describe("policy sns-topic-encrypted", function () {
    it("blocks an unencrypted topic, passes a KMS one", async function () {
        expect(await runResourcePolicy(snsTopicEncrypted, resourceArgs("aws:sns/topic:Topic", {}))).to.have.length(1);
        expect(await runResourcePolicy(snsTopicEncrypted, resourceArgs("aws:sns/topic:Topic", { kmsMasterKeyId: unknown.string }))).to.deep.equal([]);
    });
});

describe("policies dynamodb-table-kms and dynamodb-point-in-time-recovery", function () {
    const table = (policy: Parameters<typeof runResourcePolicy>[0], props: Record<string, unknown>) => runResourcePolicy(policy, resourceArgs("aws:dynamodb/table:Table", props));
    it("require a customer KMS key and advise PITR", async function () {
        expect(await table(dynamodbTableKms, { serverSideEncryption: { enabled: true, kmsKeyArn: KEY } })).to.deep.equal([]);
        expect(await table(dynamodbTableKms, {})).to.have.length(1);
        expect(await table(dynamodbTableKms, { serverSideEncryption: { enabled: true } })).to.have.length(1);
        expect(await table(dynamodbPointInTimeRecovery, { pointInTimeRecovery: { enabled: true } })).to.deep.equal([]);
        expect(await table(dynamodbPointInTimeRecovery, {})).to.have.length(1);
    });
});

describe("policy kms-key-rotation", function () {
    it("blocks a symmetric key without rotation; skips asymmetric keys", async function () {
        expect(await runResourcePolicy(kmsKeyRotation, resourceArgs("aws:kms/key:Key", { enableKeyRotation: true }))).to.deep.equal([]);
        expect(await runResourcePolicy(kmsKeyRotation, resourceArgs("aws:kms/key:Key", {}))).to.have.length(1);
        expect(await runResourcePolicy(kmsKeyRotation, resourceArgs("aws:kms/key:Key", { customerMasterKeySpec: "RSA_2048" }))).to.deep.equal([]);
    });
});
