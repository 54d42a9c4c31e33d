/**
 * Issue 16 class 1: a federated subject pins only when the identity's own segments are concrete
 * (GitHub: repository and ref; GitLab: project path; Kubernetes/EKS: namespace and service account;
 * Terraform: organization, project and workspace; Bitbucket: repository; CircleCI: organization and
 * project), not when a fixed prefix is followed by a wildcard.
 */
import { expect } from "chai";

import { iamFederatedTrustPinned } from "../../policypack/policies/iam";
import { resourceArgs, runResourcePolicy, unknown } from "../harness/policy";

const ACCOUNT = "123456789012";
const UUID_A = "1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b";
const UUID_B = "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f";

const trust = (host: string, condition: Record<string, unknown>) =>
    runResourcePolicy(
        iamFederatedTrustPinned,
        resourceArgs("aws:iam/role:Role", {
            arn: `arn:aws:iam::${ACCOUNT}:role/ci`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition }],
            }),
        }),
    );

const PROVIDERS = {
    github: "token.actions.githubusercontent.com",
    gitlab: "gitlab.example.com",
    eks: "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789",
    terraform: "app.terraform.io",
    bitbucket: "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc",
    circleci: `oidc.circleci.com/org/${UUID_A}`,
    google: "accounts.google.com",
    auth0: "acme.eu.auth0.com",
};
type Host = keyof typeof PROVIDERS;

const like = (host: Host, sub: string | string[]) => trust(PROVIDERS[host], { StringEquals: { [`${PROVIDERS[host]}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${PROVIDERS[host]}:sub`]: sub } });

describe("issue 16 class 1: subjects that pin nothing after a fixed prefix", function () {
    const blocked: [Host, string][] = [
        ["eks", "system:serviceaccount:*"],
        ["eks", "system:serviceaccount:kube-system:*"],
        ["eks", "system:serviceaccount:*:builder"],
        ["eks", "system:serviceaccount:ship*"],
        ["gitlab", "project_path:*"],
        ["gitlab", "project_path:acme/*"],
        ["gitlab", "project_path:acme/app*"],
        ["gitlab", "project_path:acme/*:ref_type:branch:ref:main"],
        ["github", "repo:acme/app:*"],
        ["github", "repo:acme/*:ref:refs/heads/main"],
        ["github", "repo:acme/app:ref:refs/heads/*"],
        ["github", "repo:*/app:ref:refs/heads/main"],
        ["github", "repo:acme/app:environment:*"],
        ["github", "repo:acme/app?:ref:refs/heads/main"],
        ["terraform", "organization:acme:*"],
        ["terraform", "organization:acme:project:*"],
        ["terraform", "organization:acme:project:default:workspace:*"],
        ["bitbucket", "*"],
        ["bitbucket", "{1b2c*"],
        ["circleci", `org/${UUID_A}/*`],
        ["circleci", `org/${UUID_A}/project/*`],
        ["google", "1045*"],
        ["auth0", "auth0|*"],
    ];
    for (const [host, sub] of blocked) {
        it(`blocks ${host} subject ${sub}, naming the claim and what is open`, async function () {
            const violations = await like(host, sub);
            expect(violations, sub).to.have.length(1);
            expect(violations[0]?.message).to.contain(`${PROVIDERS[host]}:sub`).and.contain(sub);
        });
    }

    it("blocks a list of subjects when one of them is open, and ForAllValues (true without the key) as no pin", async function () {
        expect(await like("eks", ["system:serviceaccount:shipper:shipper", "system:serviceaccount:*"])).to.have.length(1);
        const eks = PROVIDERS.eks;
        expect(await trust(eks, { StringEquals: { [`${eks}:aud`]: "sts.amazonaws.com" }, "ForAllValues:StringEquals": { [`${eks}:sub`]: "system:serviceaccount:shipper:shipper" } })).to.have.length(1);
    });

    const compliant: [Host, string][] = [
        ["eks", "system:serviceaccount:shipper:shipper"],
        ["gitlab", "project_path:acme/app:ref_type:branch:ref:main"],
        ["gitlab", "project_path:acme/app:*"],
        ["gitlab", "project_path:acme/platform/app:*"],
        ["github", "repo:acme/app:ref:refs/heads/main"],
        ["github", "repo:acme/app:environment:prod"],
        ["github", "repo:acme/app:pull_request"],
        ["terraform", "organization:acme:project:default:workspace:prod:run_phase:*"],
        ["bitbucket", `{${UUID_A}}:*`],
        ["circleci", `org/${UUID_A}/project/${UUID_B}/user/*`],
        ["google", "104523457812345678901"],
        ["auth0", "auth0|5f7c8ec7c33c6c004bbafe82"],
    ];
    for (const [host, sub] of compliant) {
        it(`passes ${host} subject ${sub}`, async function () {
            expect(await like(host, sub)).to.deep.equal([]);
        });
    }

    it("passes a wildcard compared literally (StringEquals), and an open StringLike ANDed with a pinning StringEquals", async function () {
        const github = PROVIDERS.github;
        expect(await trust(github, { StringEquals: { [`${github}:aud`]: "sts.amazonaws.com", [`${github}:sub`]: "repo:acme/app:*" } })).to.deep.equal([]);
        expect(await trust(github, { StringEquals: { [`${github}:sub`]: "repo:acme/app:ref:refs/heads/main" }, StringLike: { [`${github}:sub`]: "repo:*" } })).to.deep.equal([]);
    });
});

describe("issue 16 class 1 at preview: a provider the program creates is known only after the update", function () {
    // The document given as an object (not a JSON string), so only the provider's ARN is unknown.
    const trustUnknownProvider = (statement: Record<string, unknown>) =>
        runResourcePolicy(
            iamFederatedTrustPinned,
            resourceArgs("aws:iam/role:Role", { assumeRolePolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: unknown.string }, Action: "sts:AssumeRoleWithWebIdentity", ...statement }] } }),
        );
    const eks = PROVIDERS.eks;

    it("judges the claims its condition names: an open EKS subject is blocked, a pinned one passes", async function () {
        expect((await trustUnknownProvider({ Condition: { StringLike: { [`${eks}:sub`]: "system:serviceaccount:*" } } })).map((violation) => violation.message).join()).to.contain(`${eks}:sub`);
        expect(await trustUnknownProvider({ Condition: { StringEquals: { [`${eks}:sub`]: "system:serviceaccount:shipper:shipper", [`${eks}:aud`]: "sts.amazonaws.com" } } })).to.deep.equal([]);
    });

    it("blocks a trust whose condition names no claim at all, or only the audience, and a SAML trust without SAML:aud", async function () {
        expect(await trustUnknownProvider({})).to.have.length(1);
        expect(await trustUnknownProvider({ Condition: { StringEquals: { [`${eks}:aud`]: "sts.amazonaws.com" } } })).to.have.length(1);
        expect(await trustUnknownProvider({ Action: "sts:AssumeRoleWithSAML" })).to.have.length(1);
        expect(await trustUnknownProvider({ Action: "sts:AssumeRoleWithSAML", Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } } })).to.deep.equal([]);
    });
});
