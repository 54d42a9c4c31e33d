/**
 * The offline mocks render aws.iam.getPolicyDocument as the provider does. Expected documents come from
 * the provider's documentation, not from the renderer:
 *
 * - @pulumi/aws iam/getPolicyDocument.d.ts (GetPolicyDocumentArgs): sourcePolicyDocuments "must have
 *   unique sids"; overridePolicyDocuments "statements with non-blank sids will override statements with
 *   the same sid from earlier documents ... [and] from sourcePolicyDocuments. Non-overriding statements
 *   will be added"; principal `type` "Valid values include AWS, Service, Federated, CanonicalUser and *".
 * - The data source's page (terraform-provider-aws website/docs/d/iam_policy_document.html.markdown,
 *   which @pulumi/aws bridges): the "will evaluate to" outputs of "Example Using A Source Document",
 *   "... An Override Document", "... Both Source and Override Documents", "... Merging Source Documents",
 *   "... Merging Override Documents" and "Example Multiple Condition Keys"; the note that `type = "*"`
 *   with `identifiers = ["*"]` renders `"Principal": "*"` and `type = "AWS"` renders `{"AWS": "*"}`;
 *   `&{...}` for policy variables. The page's outputs still show `"Sid": ""`, which provider v5
 *   removed (terraform-provider-aws PR #28539, "Omit Sid in aws_iam_policy_document data source when
 *   empty"); its "Merging Override Documents" output misspells the Sids it was given.
 * - The provider's source (internal/service/iam/policy_model.go): one value of a set renders as a
 *   string, several as an array sorted in reverse; condition values keep their order.
 */
import { expect } from "chai";

import { MockCloud } from "../../cli/offline/mockCloud";
import { PolicyDocumentError, policyDocumentResult } from "../../cli/offline/policyDocument";
import { iamNoWildcard } from "../../policypack/policies/iam";
import { resourceArgs, runResourcePolicy } from "../harness/policy";
import { runFixture } from "../harness/program";

const render = (inputs: Record<string, unknown>) => JSON.parse(policyDocumentResult(inputs).json) as { Version: string; Statement: Record<string, unknown>[] };
const jsonOf = (inputs: Record<string, unknown>) => policyDocumentResult(inputs).json;

describe("mock aws.iam.getPolicyDocument renders what the provider renders", function () {
    it("merges sourcePolicyDocuments first, then the statements (same Sid replaces): 'Example Using A Source Document'", function () {
        const source = jsonOf({ statements: [{ actions: ["ec2:*"], resources: ["*"] }, { sid: "SidToOverride", actions: ["s3:*"], resources: ["*"] }] });
        const merged = render({ sourcePolicyDocuments: [source], statements: [{ sid: "SidToOverride", actions: ["s3:*"], resources: ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"] }] });
        expect(merged).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: "ec2:*", Resource: "*" },
                { Sid: "SidToOverride", Effect: "Allow", Action: "s3:*", Resource: ["arn:aws:s3:::somebucket/*", "arn:aws:s3:::somebucket"] },
            ],
        });
    });

    it("applies overridePolicyDocuments last: 'Example Using An Override Document'", function () {
        const override = jsonOf({ statements: [{ sid: "SidToOverride", actions: ["s3:*"], resources: ["*"] }] });
        const merged = render({
            overridePolicyDocuments: [override],
            statements: [{ actions: ["ec2:*"], resources: ["*"] }, { sid: "SidToOverride", actions: ["s3:*"], resources: ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"] }],
        });
        expect(merged.Statement).to.deep.equal([
            { Effect: "Allow", Action: "ec2:*", Resource: "*" },
            { Sid: "SidToOverride", Effect: "Allow", Action: "s3:*", Resource: "*" },
        ]);
    });

    it("combines both: 'Example with Both Source and Override Documents'", function () {
        const source = jsonOf({ statements: [{ sid: "OverridePlaceholder", actions: ["ec2:DescribeAccountAttributes"], resources: ["*"] }] });
        const override = jsonOf({ statements: [{ sid: "OverridePlaceholder", actions: ["s3:GetObject"], resources: ["*"] }] });
        expect(render({ sourcePolicyDocuments: [source], overridePolicyDocuments: [override] }).Statement).to.deep.equal([{ Sid: "OverridePlaceholder", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]);
    });

    it("keeps every statement of several sources in order: 'Example of Merging Source Documents'", function () {
        const one = jsonOf({ statements: [{ actions: ["ec2:*"], resources: ["*"] }, { sid: "UniqueSidOne", actions: ["s3:*"], resources: ["*"] }] });
        const two = jsonOf({ statements: [{ sid: "UniqueSidTwo", actions: ["iam:*"], resources: ["*"] }, { actions: ["lambda:*"], resources: ["*"] }] });
        expect(render({ sourcePolicyDocuments: [one, two] }).Statement.map((statement) => [statement["Sid"], statement["Action"]])).to.deep.equal([
            [undefined, "ec2:*"],
            ["UniqueSidOne", "s3:*"],
            ["UniqueSidTwo", "iam:*"],
            [undefined, "lambda:*"],
        ]);
    });

    it("overrides iteratively, later documents winning: 'Example of Merging Override Documents'", function () {
        const one = jsonOf({ statements: [{ sid: "OverridePlaceHolderOne", effect: "Allow", actions: ["s3:*"], resources: ["*"] }] });
        const two = jsonOf({ statements: [{ effect: "Allow", actions: ["ec2:*"], resources: ["*"] }, { sid: "OverridePlaceHolderTwo", effect: "Allow", actions: ["iam:*"], resources: ["*"] }] });
        const three = jsonOf({ statements: [{ sid: "OverridePlaceHolderOne", effect: "Deny", actions: ["logs:*"], resources: ["*"] }] });
        const merged = render({ overridePolicyDocuments: [one, two, three], statements: [{ sid: "OverridePlaceHolderTwo", effect: "Deny", actions: ["*"], resources: ["*"] }] });
        expect(merged.Statement).to.deep.equal([
            { Sid: "OverridePlaceHolderTwo", Effect: "Allow", Action: "iam:*", Resource: "*" },
            { Sid: "OverridePlaceHolderOne", Effect: "Deny", Action: "logs:*", Resource: "*" },
            { Effect: "Allow", Action: "ec2:*", Resource: "*" },
        ]);
    });

    it("renders several condition keys under one operator, keys sorted, and sets in reverse order: 'Example Multiple Condition Keys'", function () {
        const statement = render({
            statements: [
                {
                    actions: ["kms:Decrypt", "kms:GenerateDataKey"],
                    resources: ["*"],
                    conditions: [
                        { test: "ForAnyValue:StringEquals", variable: "kms:EncryptionContext:service", values: ["pi"] },
                        { test: "ForAnyValue:StringEquals", variable: "kms:EncryptionContext:aws:pi:service", values: ["rds"] },
                    ],
                },
            ],
        }).Statement[0];
        expect(JSON.stringify(statement)).to.equal(
            JSON.stringify({ Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: "*", Condition: { "ForAnyValue:StringEquals": { "kms:EncryptionContext:aws:pi:service": "rds", "kms:EncryptionContext:service": "pi" } } }),
        );
    });

    it('renders type "*" with identifiers ["*"] as Principal "*", and type AWS with "*" as {"AWS": "*"}', function () {
        const principal = (principals: unknown[]) => render({ statements: [{ actions: ["sqs:SendMessage"], resources: ["*"], principals }] }).Statement[0]?.["Principal"];
        expect(principal([{ type: "*", identifiers: ["*"] }])).to.equal("*");
        expect(principal([{ type: "AWS", identifiers: ["*"] }])).to.deep.equal({ AWS: "*" });
        // 'Example Assume-Role Policy with Multiple Principals': blocks of different types, one map.
        expect(
            principal([
                { type: "Service", identifiers: ["firehose.amazonaws.com"] },
                { type: "AWS", identifiers: ["arn:aws:iam::123456789012:role/trusted"] },
                { type: "Federated", identifiers: ["arn:aws:iam::123456789012:saml-provider/corp", "cognito-identity.amazonaws.com"] },
            ]),
        ).to.deep.equal({ AWS: "arn:aws:iam::123456789012:role/trusted", Federated: ["cognito-identity.amazonaws.com", "arn:aws:iam::123456789012:saml-provider/corp"], Service: "firehose.amazonaws.com" });
    });

    it("turns &{...} into ${...} and keeps condition values (empty ones too) in order: 'Basic Example'", function () {
        const [, listing] = render({
            statements: [
                { sid: "1", actions: ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], resources: ["arn:aws:s3:::*"] },
                { actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::b"], conditions: [{ test: "StringLike", variable: "s3:prefix", values: ["", "home/", "home/&{aws:username}/"] }] },
            ],
        }).Statement;
        expect(listing?.["Condition"]).to.deep.equal({ StringLike: { "s3:prefix": ["", "home/", "home/${aws:username}/"] } });
    });

    it("rejects a Sid repeated across sourcePolicyDocuments or among the statements, as the provider does", function () {
        const source = jsonOf({ statements: [{ sid: "Same", actions: ["s3:GetObject"], resources: ["*"] }] });
        expect(() => policyDocumentResult({ sourcePolicyDocuments: [source, source] })).to.throw(PolicyDocumentError, "duplicate Sid (Same)");
        expect(() => policyDocumentResult({ statements: [{ sid: "A", actions: ["s3:GetObject"] }, { sid: "A", actions: ["s3:PutObject"] }] })).to.throw(PolicyDocumentError, "duplicate Sid (A)");
    });

    it("returns json (indented), minifiedJson and an id, with Go's escaping", function () {
        const result = policyDocumentResult({ statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/a&b"] }] });
        expect(result.json).to.contain('\n  "Statement": [').and.contain("a\\u0026b");
        expect(result.minifiedJson).to.equal('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a\\u0026b"}]}');
        expect(result.id).to.match(/^\d+$/);
        const call = new MockCloud("eu-west-1").call({ token: "aws:iam/getPolicyDocument:getPolicyDocument", inputs: { statements: [{ actions: ["s3:GetObject"], resources: ["*"] }] } });
        expect(call["json"]).to.equal(jsonOf({ statements: [{ actions: ["s3:GetObject"], resources: ["*"] }] }));
        expect(call["minifiedJson"]).to.be.a("string");
    });

    it("lets the pack see a wildcard merged in from a source document, and an override that narrows it", async function () {
        const wide = jsonOf({ statements: [{ sid: "Objects", actions: ["s3:*"], resources: ["arn:aws:s3:::b/*"] }] });
        const merged = jsonOf({ sourcePolicyDocuments: [wide], statements: [{ sid: "List", actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::b"] }] });
        const check = (policy: string) => runResourcePolicy(iamNoWildcard, resourceArgs("aws:iam/rolePolicy:RolePolicy", { role: "r", policy }));
        expect((await check(merged)).map((violation) => violation.message).join()).to.contain('"s3:*"');
        const narrowed = jsonOf({ sourcePolicyDocuments: [wide], overridePolicyDocuments: [jsonOf({ statements: [{ sid: "Objects", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] })] });
        expect(await check(narrowed)).to.deep.equal([]);
    });

    it("renders the documents of a program run under the mocks (the gate fixture's merged document reaches the role policy)", async function () {
        const run = await runFixture("policy-document-merged-wildcard");
        const policy = run.resources.find((resource) => resource.name === "reader-reports");
        const document = JSON.parse(String(policy?.inputs["policy"])) as { Statement: { Action: unknown }[] };
        expect(document.Statement.map((statement) => statement.Action)).to.deep.include("s3:*");
    });
});
