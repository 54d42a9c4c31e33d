/**
 * Issue 11 class 3: every resource-policy-bearing type of @pulumi/aws is classified, derived from the
 * provider's own type definitions, and the checked ones are checked.
 */
import * as fs from "fs";
import * as path from "path";

import { expect } from "chai";

import { POLICY_DOCUMENT_PROPERTIES } from "../../policypack/lib/policyDocumentTypes";
import { iamNoWildcard } from "../../policypack/policies/iam";
import { resourceArgs, runResourcePolicy } from "../harness/policy";
import { ROOT } from "../harness/services/paths";

const PROVIDER = path.dirname(require.resolve("@pulumi/aws/package.json", { paths: [ROOT] }));

/** A property name that can hold a policy document: policy, policyDocument, accessPolicies, *Policy... */
const DOCUMENT_NAME = /^(policy|policyDocument|[a-z][a-zA-Z]*(Policy|Policies|PolicyDocument))$/;

/**
 * Scans the provider's type definitions: for each resource (a .d.ts with a `<Name>Args` interface and a
 * .js declaring its `__pulumiType`), the Args properties named like a policy document whose type is a
 * string or a PolicyDocument (not a list, not a nested object of settings).
 */
function documentProperties(): Map<string, string[]> {
    const found = new Map<string, string[]>();
    const visit = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!["types", "node_modules", "config"].includes(entry.name)) visit(full);
                continue;
            }
            if (!entry.name.endsWith(".d.ts")) continue;
            const js = full.replace(/\.d\.ts$/, ".js");
            const token = fs.existsSync(js) ? /__pulumiType = '([^']+)'/.exec(fs.readFileSync(js, "utf8"))?.[1] : undefined;
            const args = /export interface \w+Args \{\n([\s\S]*?)\n\}/.exec(fs.readFileSync(full, "utf8"))?.[1];
            if (!token || !args) continue;
            for (const line of args.split("\n")) {
                const property = /^ {4}(\w+)\??: pulumi\.Input<(.+)>;$/.exec(line);
                if (property && DOCUMENT_NAME.test(property[1]) && /^(string|string \| [\w.]*PolicyDocument)( \| undefined)?$/.test(property[2])) {
                    found.set(token, [...(found.get(token) ?? []), property[1]]);
                }
            }
        }
    };
    visit(PROVIDER);
    return found;
}

describe("issue 11 class 3: every policy-document property of @pulumi/aws is classified", function () {
    const scanned = documentProperties();

    it("finds the resource-policy types the review named (the scan itself works)", function () {
        for (const [type, property] of [
            ["aws:kinesis/resourcePolicy:ResourcePolicy", "policy"],
            ["aws:dynamodb/resourcePolicy:ResourcePolicy", "policy"],
            ["aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "policyDocument"],
            ["aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy", "accessPolicy"],
            ["aws:secretsmanager/secretPolicy:SecretPolicy", "policy"],
            ["aws:cloudwatch/eventBusPolicy:EventBusPolicy", "policy"],
            ["aws:glue/resourcePolicy:ResourcePolicy", "policy"],
            ["aws:ecr/repositoryPolicy:RepositoryPolicy", "policy"],
            ["aws:apigateway/restApiPolicy:RestApiPolicy", "policy"],
            ["aws:opensearch/domainPolicy:DomainPolicy", "accessPolicies"],
            ["aws:backup/vaultPolicy:VaultPolicy", "policy"],
            ["aws:iam/role:Role", "assumeRolePolicy"],
        ] as const) {
            expect(scanned.get(type), type).to.include(property);
        }
        expect(scanned.size).to.be.greaterThan(80);
    });

    it("has a classification (checked, or not applicable with a reason) for each one the provider has", function () {
        const missing = [...scanned].flatMap(([type, properties]) => properties.filter((property) => POLICY_DOCUMENT_PROPERTIES[type]?.[property] === undefined).map((property) => `${type} ${property}`));
        expect(missing, "classify these in policypack/lib/policyDocumentTypes.ts").to.deep.equal([]);
        for (const [type, properties] of Object.entries(POLICY_DOCUMENT_PROPERTIES)) {
            for (const [property, classification] of Object.entries(properties)) {
                if ("notApplicable" in classification) expect(classification.notApplicable.length, `${type} ${property}`).to.be.greaterThan(20);
            }
        }
    });

    it("checks every resource-policy type it classifies as checked: an open grant on each is blocked, a pinned one passes", async function () {
        const open = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "x:Get", Resource: "*" }] });
        const pinned = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "x:Get", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }] });
        let checked = 0;
        for (const [type, properties] of Object.entries(POLICY_DOCUMENT_PROPERTIES)) {
            for (const [property, classification] of Object.entries(properties)) {
                if (!("check" in classification) || classification.check === "identity") continue;
                checked++;
                const props = (document: string) => ({ arn: "arn:aws:svc:eu-west-1:123456789012:thing/t", [property]: document });
                expect(await runResourcePolicy(iamNoWildcard, resourceArgs(type, props(open))), `${type} ${property}`).to.have.length.greaterThan(0);
                expect(await runResourcePolicy(iamNoWildcard, resourceArgs(type, props(pinned))), `${type} ${property}`).to.deep.equal([]);
            }
        }
        expect(checked).to.be.greaterThan(50);
    });
});
