/**
 * The six classes of holes of issue 11: each with blocked cases and compliant look-alikes that must pass.
 */
import { expect } from "chai";

import { iamFederatedTrustPinned, iamNoWildcard } from "../../policypack/policies/iam";
import { lambdaNoPlaintextSecrets, ssmParameterNoPlaintextSecrets } from "../../policypack/policies/compute";
import { resourceArgs, runResourcePolicy, unknown } from "../harness/policy";

const ACCOUNT = "123456789012";
const FOREIGN = "999999999999";
const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const messages = (violations: { message: string }[]) => violations.map((violation) => violation.message).join("\n");

describe("issue 11 class 1: federated trust must pin who may assume the role", function () {
    const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const role = (statement: Record<string, unknown>) => runResourcePolicy(iamFederatedTrustPinned, resourceArgs("aws:iam/role:Role", { arn: `arn:aws:iam::${ACCOUNT}:role/ci`, assumeRolePolicy: doc(statement) }));
    const github = (condition: Record<string, unknown>) => role({ Effect: "Allow", Principal: { Federated: GITHUB }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition });
    const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };

    it("blocks GitHub OIDC trust that checks only the audience, or a subject of * / repo:* / repo:owner/*, naming the claim", async function () {
        const cases = [
            { StringEquals: aud },
            { StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": "*" } },
            { StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } },
            { StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": ["repo:acme/app:*", "repo:acme/*"] } },
            { StringEquals: aud, StringEqualsIfExists: { "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main" } },
            { StringEquals: aud, StringNotEquals: { "token.actions.githubusercontent.com:sub": "repo:evil/x:ref:refs/heads/main" } },
        ];
        for (const condition of cases) {
            const violations = await github(condition);
            expect(violations, JSON.stringify(condition)).to.have.length(1);
            expect(violations[0]?.message).to.contain("token.actions.githubusercontent.com:sub");
        }
    });

    it("passes a subject pinned to a repository and its ref or environment (StringEquals, or StringLike without a wildcard); issue 16 blocks repo:owner/repo:* (any ref)", async function () {
        expect(await github({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main" } })).to.deep.equal([]);
        expect(await github({ StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod" } })).to.deep.equal([]);
        expect(await github({ StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:*" } })).to.have.length(1);
    });

    it("blocks SAML without SAML:aud and Cognito without aud and amr; passes them pinned", async function () {
        const saml = { Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/corp` }, Action: "sts:AssumeRoleWithSAML" };
        expect(messages(await role(saml))).to.contain("SAML:aud");
        expect(await role({ ...saml, Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } } })).to.deep.equal([]);
        const cognito = { Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity" };
        const onlyAud = await role({ ...cognito, Condition: { StringEquals: { "cognito-identity.amazonaws.com:aud": "eu-west-1:0000-1111" } } });
        expect(messages(onlyAud)).to.contain("cognito-identity.amazonaws.com:amr").and.not.contain("cognito-identity.amazonaws.com:aud and");
        const pinned = { ...cognito, Condition: { StringEquals: { "cognito-identity.amazonaws.com:aud": "eu-west-1:0000-1111" }, "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" } } };
        expect(await role(pinned)).to.deep.equal([]);
    });

    it("leaves service trust and unknown documents alone", async function () {
        expect(await role({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" })).to.deep.equal([]);
        expect(await runResourcePolicy(iamFederatedTrustPinned, resourceArgs("aws:iam/role:Role", { assumeRolePolicy: unknown.string }))).to.deep.equal([]);
    });
});

describe("issue 11 class 2: conditions that pin nothing are as open as none", function () {
    const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:alarms`;
    const topic = (condition: Record<string, unknown> | undefined, config?: Record<string, unknown>) =>
        runResourcePolicy(iamNoWildcard, resourceArgs("aws:sns/topicPolicy:TopicPolicy", { arn: TOPIC, policy: doc({ Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: TOPIC, Condition: condition }) }, { config }));

    it("blocks Principal * scoped by wildcard or foreign SourceArn / SourceAccount / PrincipalOrgID / SourceOwner values", async function () {
        const cases = [
            { ArnLike: { "aws:SourceArn": "arn:aws:events:*:*:rule/*" } },
            { StringEquals: { "aws:SourceAccount": "*" } },
            { StringLike: { "aws:SourceAccount": "1234*" } },
            { StringEquals: { "aws:SourceAccount": FOREIGN } },
            { StringLike: { "aws:PrincipalOrgID": "o-*" } },
            { StringEquals: { "aws:SourceOwner": "*" } },
            { ArnLike: { "aws:SourceArn": `arn:aws:s3:::*` } },
            { ArnEqualsIfExists: { "aws:SourceArn": `arn:aws:events:eu-west-1:${ACCOUNT}:rule/r` } },
        ];
        for (const condition of cases) {
            expect(messages(await topic(condition)), JSON.stringify(condition)).to.contain('Principal "*"');
        }
    });

    it("passes conditions naming this account, a trusted account, an org id or a concrete ARN of this account", async function () {
        expect(await topic({ StringEquals: { "aws:SourceAccount": ACCOUNT } })).to.deep.equal([]);
        expect(await topic({ ArnLike: { "aws:SourceArn": `arn:aws:events:eu-west-1:${ACCOUNT}:rule/*` } })).to.deep.equal([]);
        expect(await topic({ StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } })).to.deep.equal([]);
        expect(await topic({ StringEquals: { "aws:SourceAccount": FOREIGN } }, { trustedAccountIds: [FOREIGN] })).to.deep.equal([]);
    });
});

describe("issue 11 class 5: service-wide resource ARNs and ? actions", function () {
    const policy = (statement: Record<string, unknown>) => runResourcePolicy(iamNoWildcard, resourceArgs("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: doc({ Effect: "Allow", ...statement }) }));

    it("blocks arn:aws:s3:::*, bucket-name wildcards and ARNs whose partition, service, region or account is *", async function () {
        for (const resource of ["arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:s3:::logs-*", "arn:aws:sqs:*:*:q", `arn:aws:logs:*:${ACCOUNT}:log-group:x`, "arn:aws:dynamodb:eu-west-1:*:table/t", "arn:*:sqs:eu-west-1:123456789012:q", "arn:aws:*:eu-west-1:123456789012:q", "*"]) {
            const violations = await policy({ Action: "s3:GetObject", Resource: resource });
            expect(messages(violations), resource).to.contain(`Resource "${resource}"`);
        }
    });

    it("passes wildcards inside this account's resources: log-group:*, <bucketArn>/kpis/*, table/*", async function () {
        for (const resource of [`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*`, "arn:aws:s3:::kpi-bucket-1a2b3c/kpis/*", `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/trips-*`, `arn:aws:iam::${ACCOUNT}:role/*`]) {
            expect(await policy({ Action: "logs:PutRetentionPolicy", Resource: resource }), resource).to.deep.equal([]);
        }
        expect(await policy({ Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"], Resource: "*" })).to.deep.equal([]);
    });

    it("treats ? in an action as a wildcard", async function () {
        expect(messages(await policy({ Action: "sqs:?eleteMessage", Resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:q` }))).to.contain('"sqs:?eleteMessage"');
        expect(messages(await policy({ Action: "iam:PassRol?", Resource: "*" }))).to.contain("iam:PassRol?");
    });
});

describe("issue 11 class 6: the stack's account unknown at preview", function () {
    const trust = (principal: unknown, props: Record<string, unknown> = {}, config?: Record<string, unknown>) =>
        runResourcePolicy(iamNoWildcard, resourceArgs("aws:iam/role:Role", { arn: unknown.string, ...props, assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole" }) }, { config }));

    it("fails closed on a trust naming an account when nothing tells this stack's account, naming the config to set", async function () {
        const violations = await trust(`arn:aws:iam::${FOREIGN}:root`);
        expect(messages(violations)).to.contain(FOREIGN).and.contain('"accountId"').and.contain("iam-no-wildcard");
    });

    it("takes the account from policy config: blocks a foreign account, passes the own one and trusted ones", async function () {
        expect(messages(await trust(`arn:aws:iam::${FOREIGN}:root`, {}, { accountId: ACCOUNT }))).to.contain("outside the account");
        expect(await trust(`arn:aws:iam::${ACCOUNT}:role/deployer`, {}, { accountId: ACCOUNT })).to.deep.equal([]);
        expect(await trust(FOREIGN, {}, { accountId: ACCOUNT, trustedAccountIds: [FOREIGN] })).to.deep.equal([]);
    });

    it("takes the account from the resource's own ARN or the policy config, never from the grant itself (issue 16: nor from conditions naming an account)", async function () {
        const root = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" };
        const logs = { Effect: "Allow", Principal: { Service: "logs.eu-west-1.amazonaws.com" }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*` } } };
        const key = (arn: string, statements: Record<string, unknown>[], config?: Record<string, unknown>) => runResourcePolicy(iamNoWildcard, resourceArgs("aws:kms/key:Key", { arn, policy: doc(...statements) }, { config }));
        expect(await key(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/k`, [root, logs])).to.deep.equal([]);
        // At preview (key ARN unknown) the condition naming the account is no evidence: fail closed, naming the config.
        expect(messages(await key(unknown.string, [root, logs]))).to.contain('"accountId"');
        expect(await key(unknown.string, [root, logs], { accountId: ACCOUNT })).to.deep.equal([]);
        const foreignRoot = { ...root, Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` } };
        expect(messages(await key(unknown.string, [foreignRoot, logs], { accountId: ACCOUNT }))).to.contain(FOREIGN);
        // A grant naming its own account in a condition does not vouch for itself.
        const selfVouching = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalAccount": FOREIGN } } };
        expect(messages(await runResourcePolicy(iamNoWildcard, resourceArgs("aws:iam/role:Role", { arn: unknown.string, assumeRolePolicy: doc(selfVouching) })))).to.contain("accountId");
    });
});

describe("issue 11 class 4: plaintext secrets by name and by value", function () {
    const fn = (variables: Record<string, unknown>) => runResourcePolicy(lambdaNoPlaintextSecrets, resourceArgs("aws:lambda/function:Function", { environment: { variables } }));
    const parameter = (props: Record<string, unknown>) => runResourcePolicy(ssmParameterNoPlaintextSecrets, resourceArgs("aws:ssm/parameter:Parameter", props));
    // Built at run time so no scanner mistakes this file for a leak.
    const AWS_KEY = ["AKIA", "QYLPMN5HHHFPZAM2"].join("");
    const GITHUB_TOKEN = ["ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"].join("");
    const PRIVATE_KEY = ["-----BEGIN RSA PRIVATE", " KEY-----\n", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n".repeat(3), "-----END RSA PRIVATE", " KEY-----"].join("");

    it("blocks secret names the old rule missed (DB_PASS, DB_PWD, ES_AUTH, clientSecret) and never prints the value", async function () {
        const violations = await fn({ DB_PASS: "hunter2", DB_PWD: "hunter2", ES_AUTH: "elastic:changeme", clientSecret: "abc", LOG_LEVEL: "info" });
        const text = messages(violations);
        expect(violations).to.have.length(4);
        expect(text).to.contain("DB_PASS").and.contain("DB_PWD").and.contain("ES_AUTH").and.contain("clientSecret").and.not.contain("hunter2").and.not.contain("changeme");
    });

    it("blocks secrets by value under innocent names: URL credentials, AWS access keys, private keys, tokens", async function () {
        const violations = await fn({ ENDPOINT: "https://elastic:s3cr3tPassw0rd@es.internal:9243", BROKER: "amqp://app:Pa55word@mq:5672", KEY: AWS_KEY, CERT: PRIVATE_KEY, CI: GITHUB_TOKEN, DATABASE: "postgres://admin:Sup3rS3cret@db:5432/app" });
        expect(violations.map((violation) => violation.message.split(" ")[2])).to.have.members(["ENDPOINT", "BROKER", "KEY", "CERT", "CI", "DATABASE"]);
        expect(messages(violations)).to.not.contain("s3cr3tPassw0rd").and.not.contain(AWS_KEY);
    });

    it("passes references and ordinary settings that look alike", async function () {
        expect(
            await fn({
                ELASTICSEARCH_SECRET_ARN: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:es-Ab12Cd`,
                DB_PASSWORD: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:db-Ab12Cd`,
                ELASTICSEARCH_ENDPOINT: "https://es.internal.example.com:9243",
                AUTH_MODE: "iam",
                TOKEN_TTL_SECONDS: "300",
                ACCOUNT_ID: ACCOUNT,
                KMS_KEY_ID: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
                BYPASS_CACHE: "true",
                SECRET: unknown.string,
            }),
        ).to.deep.equal([]);
    });

    it("checks SSM String and StringList parameters by name and value; SecureString passes", async function () {
        expect(messages(await parameter({ name: "/app/db/password", type: "String", value: "hunter2" }))).to.contain("/app/db/password");
        expect(messages(await parameter({ name: "/app/endpoints", type: "StringList", value: "https://a.example.com,https://u:p4ssw0rd@b.example.com" }))).to.contain("credentials");
        expect(await parameter({ name: "/app/db/password", type: "SecureString", value: "hunter2" })).to.deep.equal([]);
        expect(await parameter({ name: "/app/log-level", type: "String", value: "info" })).to.deep.equal([]);
        expect(await parameter({ name: "/app/db/password", type: unknown.string, value: "hunter2" })).to.deep.equal([]);
    });
});
