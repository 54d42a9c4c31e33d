import { expect } from "chai";

import { renderPolicyDocument } from "../../cli/offline/mockCloud";
import { iamNoAdminManagedPolicies, iamNoWildcard, lambdaCallbackFunctionExplicitRole } from "../../policypack/policies/iam";
import { resourceArgs, runResourcePolicy, runStackPolicy, stackArgs, unknown } from "../harness/policy";

const doc = (...statements: Record<string, unknown>[]) => ({ Version: "2012-10-17", Statement: statements });
const check = (type: string, props: Record<string, unknown>, config?: Record<string, unknown>) => runResourcePolicy(iamNoWildcard, resourceArgs(type, props, { config }));
const rolePolicy = (policy: unknown, config?: Record<string, unknown>) => check("aws:iam/rolePolicy:RolePolicy", { role: "r", policy }, config);
const QUEUE = "arn:aws:sqs:eu-west-1:123456789012:q";

describe("policy iam-no-wildcard", function () {
    it("passes a least-privilege policy with exact actions and ARNs", async function () {
        expect(await rolePolicy(doc({ Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: QUEUE }))).to.deep.equal([]);
    });

    it("blocks a wildcard action given as a string and as an array element", async function () {
        const asString = await rolePolicy(doc({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }));
        const inArray = await rolePolicy(doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:Put*"], Resource: "arn:aws:s3:::b/*" }));
        expect(asString.map((v) => v.message).join()).to.contain('"s3:*"');
        expect(inArray.map((v) => v.message).join()).to.contain('"s3:Put*"').and.not.contain("GetObject");
    });

    it("blocks `*` and upper-case service wildcards (S3:*)", async function () {
        for (const action of ["*", "S3:*", "Iam:*Policy"]) {
            const violations = await rolePolicy(doc({ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::b" }));
            expect(violations, action).to.have.length.greaterThan(0);
        }
    });

    it("blocks NotAction and NotResource on Allow", async function () {
        const notAction = await rolePolicy(doc({ Effect: "Allow", NotAction: "iam:*", Resource: QUEUE }));
        const notResource = await rolePolicy(doc({ Effect: "Allow", Action: "sqs:SendMessage", NotResource: QUEUE }));
        expect(notAction.map((v) => v.message).join()).to.contain("NotAction");
        expect(notResource.map((v) => v.message).join()).to.contain("NotResource");
    });

    it('blocks Resource "*" for actions with resource-level permissions, and names them', async function () {
        const violations = await rolePolicy(doc({ Effect: "Allow", Action: ["sqs:SendMessage", "ec2:CreateNetworkInterface"], Resource: "*" }));
        expect(violations).to.have.length(1);
        expect(violations[0]?.message).to.contain("sqs:SendMessage").and.not.contain("ec2:CreateNetworkInterface");
    });

    it('allows Resource "*" for allow-listed actions (case-insensitive), and the allow-list is configurable', async function () {
        const vpcAccess = doc({ Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "EC2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"], Resource: "*" });
        expect(await rolePolicy(vpcAccess)).to.deep.equal([]);
        const restricted = await rolePolicy(vpcAccess, { allowedStarResourceActions: ["ec2:CreateNetworkInterface"] });
        expect(restricted).to.have.length(1);
        expect(restricted[0]?.message).to.contain("ec2:DeleteNetworkInterface");
        const extended = await rolePolicy(doc({ Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" }), { allowedStarResourceActions: [] });
        expect(extended).to.have.length(1);
    });

    it("reads documents given as JSON strings, and flags only the bad statement of several", async function () {
        const violations = await rolePolicy(
            JSON.stringify(doc({ Sid: "Good", Effect: "Allow", Action: "sqs:SendMessage", Resource: QUEUE }, { Sid: "Bad", Effect: "Allow", Action: "dynamodb:*", Resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/t" })),
        );
        expect(violations).to.have.length(1);
        expect(violations[0]?.message).to.contain('statement "Bad"');
    });

    it("reads documents rendered by aws.iam.getPolicyDocument", async function () {
        const rendered = JSON.stringify(renderPolicyDocument({ statements: [{ effect: "Allow", actions: ["kinesis:*"], resources: ["arn:aws:kinesis:eu-west-1:123456789012:stream/s"] }] }));
        expect((await rolePolicy(rendered)).map((v) => v.message).join()).to.contain('"kinesis:*"');
    });

    it("ignores Deny statements, which may use wildcards", async function () {
        const deny = doc({ Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
        expect(await rolePolicy(deny)).to.deep.equal([]);
    });

    it("checks every place a document appears: Policy, UserPolicy, GroupPolicy, Role inline policies", async function () {
        const bad = JSON.stringify(doc({ Effect: "Allow", Action: "*", Resource: "*" }));
        for (const type of ["aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"]) {
            expect(await check(type, { policy: bad }), type).to.have.length.greaterThan(0);
        }
        const role = await check("aws:iam/role:Role", { assumeRolePolicy: JSON.stringify(doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" })), inlinePolicies: [{ name: "a", policy: bad }] });
        expect(role).to.have.length.greaterThan(0);
    });

    it("blocks resource policies that grant to anyone or to another account, unless pinned by a condition", async function () {
        const open = await check("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "u", policy: doc({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: QUEUE }) });
        expect(open.map((v) => v.message).join()).to.contain('Principal "*"');
        const pinned = await check("aws:sqs/queuePolicy:QueuePolicy", {
            queueUrl: "u",
            policy: doc({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE, Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:eu-west-1:123456789012:t" } } }),
        });
        expect(pinned).to.deep.equal([]);
        const foreign = await check("aws:sns/topicPolicy:TopicPolicy", {
            arn: "arn:aws:sns:eu-west-1:123456789012:t",
            policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:123456789012:t" }),
        });
        expect(foreign.map((v) => v.message).join()).to.contain("999999999999");
        const trusted = await check(
            "aws:sns/topicPolicy:TopicPolicy",
            { arn: "arn:aws:sns:eu-west-1:123456789012:t", policy: doc({ Effect: "Allow", Principal: { AWS: "999999999999" }, Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:123456789012:t" }) },
            { trustedAccountIds: ["999999999999"] },
        );
        expect(trusted).to.deep.equal([]);
    });

    it("keeps the AWS default root statement in KMS key policies but not kms:* for other principals", async function () {
        const root = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" };
        expect(await check("aws:kms/key:Key", { arn: "arn:aws:kms:eu-west-1:123456789012:key/k", policy: JSON.stringify(doc(root)) })).to.deep.equal([]);
        const role = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/app" }, Action: "kms:*", Resource: "*" };
        expect(await check("aws:kms/key:Key", { arn: "arn:aws:kms:eu-west-1:123456789012:key/k", policy: JSON.stringify(doc(root, role)) })).to.have.length(1);
    });

    it("reports a document that is not valid JSON", async function () {
        expect((await rolePolicy("{not json")).map((v) => v.message).join()).to.contain("not valid JSON");
    });

    it("never reports or crashes on unknown values during preview", async function () {
        expect(await rolePolicy(unknown.string)).to.deep.equal([]);
        expect(await rolePolicy(doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: unknown.string }))).to.deep.equal([]);
        expect(await check("aws:iam/role:Role", { assumeRolePolicy: unknown.string, inlinePolicies: unknown.array })).to.deep.equal([]);
    });
});

describe("policy iam-no-admin-managed-policies", function () {
    const attach = (policyArn: unknown) => runResourcePolicy(iamNoAdminManagedPolicies, resourceArgs("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn }));

    it("blocks AdministratorAccess, PowerUserAccess, IAMFullAccess and any *FullAccess", async function () {
        for (const name of ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonS3FullAccess", "AWSLambda_FullAccess", "job-function/SystemAdministrator"]) {
            const violations = await attach(`arn:aws:iam::aws:policy/${name}`);
            if (name.startsWith("job-function")) {
                expect(violations, name).to.deep.equal([]);
            } else {
                expect(violations, name).to.have.length(1);
            }
        }
    });

    it("passes customer-managed and narrow AWS-managed policies, and unknown ARNs", async function () {
        expect(await attach("arn:aws:iam::123456789012:policy/shipper")).to.deep.equal([]);
        expect(await attach("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")).to.deep.equal([]);
        expect(await attach(unknown.string)).to.deep.equal([]);
    });

    it("checks a role's managedPolicyArns", async function () {
        const violations = await runResourcePolicy(iamNoAdminManagedPolicies, resourceArgs("aws:iam/role:Role", { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }));
        expect(violations).to.have.length(1);
    });
});

describe("policy lambda-callback-function-explicit-role", function () {
    it("blocks a CallbackFunction that uses the default role it creates", async function () {
        const violations = await runStackPolicy(
            lambdaCallbackFunctionExplicitRole,
            stackArgs([
                { type: "aws:iam/role:Role", name: "handler", props: {} },
                { type: "aws:lambda/function:Function", name: "handler", props: { handler: "__index.handler", role: "arn:aws:iam::123456789012:role/handler-1" }, propertyDependencies: { role: ["handler"] } },
            ]),
        );
        expect(violations).to.have.length(1);
        expect(violations[0]?.urn).to.contain("handler");
    });

    it("passes a CallbackFunction given its own role", async function () {
        const violations = await runStackPolicy(
            lambdaCallbackFunctionExplicitRole,
            stackArgs([
                { type: "aws:iam/role:Role", name: "handler-role", props: {} },
                { type: "aws:lambda/function:Function", name: "handler", props: { handler: "__index.handler", role: unknown.string }, propertyDependencies: { role: ["handler-role"] } },
            ]),
        );
        expect(violations).to.deep.equal([]);
    });
});
