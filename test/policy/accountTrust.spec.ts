/**
 * Issue 16 class 2 and its false positive: which accounts a resource policy may grant to comes from the
 * resource's own identity and the policy config only, never from what the document names (conditions,
 * Resource ARNs); and Principal "*" is pinned by the account-naming condition keys AWS documents for
 * each service (kms:CallerAccount in key policies), not by keys that name nothing about the caller.
 */
import { expect } from "chai";

import { PRINCIPAL_PINNING_KEYS } from "../../policypack/lib/iamDocument";
import { iamNoWildcard } from "../../policypack/policies/iam";
import { resourceArgs, runResourcePolicy } from "../harness/policy";

const ACCOUNT = "123456789012";
const FOREIGN = "999999999999";
const QUEUE = `arn:aws:sqs:eu-west-1:${ACCOUNT}:inbox`;
const QUEUE_URL = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/inbox`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const messages = (violations: { message: string }[]) => violations.map((violation) => violation.message).join("\n");

const queuePolicy = (statements: Record<string, unknown>[], config?: Record<string, unknown>) =>
    runResourcePolicy(iamNoWildcard, resourceArgs("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: QUEUE_URL, policy: doc(...statements) }, { config }));
const keyPolicy = (statements: Record<string, unknown>[], config?: Record<string, unknown>) => runResourcePolicy(iamNoWildcard, resourceArgs("aws:kms/key:Key", { arn: KEY, policy: doc(...statements) }, { config }));

const foreignRoot = { Sid: "Partner", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: "sqs:SendMessage", Resource: QUEUE };

describe("issue 16 class 2: an account named by a condition or a Resource is not trusted", function () {
    const vouchers: [string, Record<string, unknown>][] = [
        ["a partner's SNS topic as aws:SourceArn", { Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE, Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:sns:eu-west-1:${FOREIGN}:partner-events` } } }],
        ["aws:SourceAccount", { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE, Condition: { StringEquals: { "aws:SourceAccount": FOREIGN } } }],
        ["aws:SourceOwner", { Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE, Condition: { StringEquals: { "aws:SourceOwner": FOREIGN } } }],
        ["a Resource ARN of the foreign account", { Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: `arn:aws:sqs:eu-west-1:${FOREIGN}:x` }],
        ["aws:PrincipalAccount", { Effect: "Allow", Principal: { Service: "logs.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE, Condition: { StringEquals: { "aws:PrincipalAccount": FOREIGN } } }],
    ];
    for (const [what, voucher] of vouchers) {
        it(`blocks the foreign account's root elsewhere in the policy when ${what} names it`, async function () {
            const violations = await queuePolicy([voucher, foreignRoot]);
            expect(messages(violations)).to.contain(`statement "Partner"`).and.contain("outside the account").and.contain(FOREIGN);
        });
    }

    it("blocks it in a key policy whose service statement names the foreign account's log groups", async function () {
        const logs = { Effect: "Allow", Principal: { Service: "logs.eu-west-1.amazonaws.com" }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-1:${FOREIGN}:log-group:*` } } };
        const root = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" };
        expect(messages(await keyPolicy([root, logs, { Effect: "Allow", Principal: { AWS: FOREIGN }, Action: "kms:Decrypt", Resource: "*" }]))).to.contain(FOREIGN);
    });

    it("passes the same cross-account service statement alone, and the partner's root once trustedAccountIds lists it", async function () {
        const [topicVoucher] = vouchers[0] ? [vouchers[0][1]] : [];
        expect(await queuePolicy([topicVoucher as Record<string, unknown>])).to.deep.equal([]);
        expect(await queuePolicy([topicVoucher as Record<string, unknown>, foreignRoot], { trustedAccountIds: [FOREIGN] })).to.deep.equal([]);
    });

    it("takes this account from the resource the policy is attached to (queue URL, resource ARN) and grants to it", async function () {
        const own = { ...foreignRoot, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } };
        expect(await queuePolicy([own])).to.deep.equal([]);
        const stream = `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/logs`;
        const kinesis = (principal: string) =>
            runResourcePolicy(iamNoWildcard, resourceArgs("aws:kinesis/resourcePolicy:ResourcePolicy", { resourceArn: stream, policy: doc({ Effect: "Allow", Principal: { AWS: principal }, Action: "kinesis:GetRecords", Resource: stream }) }));
        expect(await kinesis(`arn:aws:iam::${ACCOUNT}:role/reader`)).to.deep.equal([]);
        expect(messages(await kinesis(`arn:aws:iam::${FOREIGN}:role/reader`))).to.contain("outside the account");
    });
});

describe("issue 16 class 2: a policy on a resource whose identity names no account", function () {
    it("fails closed on a bucket policy granting any account until accountId is set, then grants this one and blocks others", async function () {
        const bucketPolicy = (principal: string, config?: Record<string, unknown>) =>
            runResourcePolicy(iamNoWildcard, resourceArgs("aws:s3/bucketPolicy:BucketPolicy", { bucket: "reports-1a2b3c", policy: doc({ Effect: "Allow", Principal: { AWS: principal }, Action: "s3:GetObject", Resource: "arn:aws:s3:::reports-1a2b3c/*" }) }, { config }));
        expect(messages(await bucketPolicy(`arn:aws:iam::${ACCOUNT}:role/reader`))).to.contain('"accountId"');
        expect(await bucketPolicy(`arn:aws:iam::${ACCOUNT}:role/reader`, { accountId: ACCOUNT })).to.deep.equal([]);
        expect(messages(await bucketPolicy(`arn:aws:iam::${FOREIGN}:role/reader`, { accountId: ACCOUNT }))).to.contain("outside the account");
    });
});

describe("issue 16 false positive: Principal \"*\" pinned by the account keys AWS documents", function () {
    const everyone = (condition: Record<string, unknown>) => ({ Sid: "ViaService", Effect: "Allow", Principal: "*", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: "*", Condition: condition });

    it("passes Principal * pinned by kms:CallerAccount = this account (AWS's key policy for use through a service)", async function () {
        expect(await keyPolicy([everyone({ StringEquals: { "kms:CallerAccount": ACCOUNT, "kms:ViaService": "sqs.eu-west-1.amazonaws.com" } })])).to.deep.equal([]);
    });

    it("passes each documented key naming this account, its organization or a concrete ARN of it", async function () {
        const cases: Record<string, unknown>[] = [
            { StringEquals: { "aws:PrincipalAccount": ACCOUNT } },
            { StringEquals: { "aws:SourceOrgID": "o-a1b2c3d4e5" } },
            { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*" } },
            { ArnEquals: { "lambda:SourceFunctionArn": `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:shipper` } },
            { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
        ];
        for (const condition of cases) {
            expect(await keyPolicy([everyone(condition)]), JSON.stringify(condition)).to.deep.equal([]);
        }
    });

    it("blocks the look-alikes: another account, a wildcard, ForAllValues or IfExists, aws:ResourceAccount, caller-chosen encryption context, an open org path", async function () {
        const cases: Record<string, unknown>[] = [
            { StringEquals: { "kms:CallerAccount": FOREIGN } },
            { StringLike: { "kms:CallerAccount": "*" } },
            { "ForAllValues:StringEquals": { "kms:CallerAccount": ACCOUNT } },
            { StringEqualsIfExists: { "kms:CallerAccount": ACCOUNT } },
            { StringEquals: { "aws:ResourceAccount": ACCOUNT } },
            { StringEquals: { "kms:EncryptionContext:aws:sqs:arn": QUEUE } },
            { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "*/r-ab12/*" } },
        ];
        for (const condition of cases) {
            expect(messages(await keyPolicy([everyone(condition)])), JSON.stringify(condition)).to.contain('Principal "*"');
        }
    });

    it("lists the keys it accepts with what they pin and where AWS documents them", function () {
        const keys = PRINCIPAL_PINNING_KEYS.map((entry) => entry.key);
        expect(keys).to.include.members(["aws:SourceAccount", "aws:SourceArn", "aws:PrincipalOrgID", "kms:CallerAccount"]).and.not.include("aws:ResourceAccount");
        for (const entry of PRINCIPAL_PINNING_KEYS) {
            expect(entry.documentedIn.length, entry.key).to.be.greaterThan(10);
        }
    });
});
