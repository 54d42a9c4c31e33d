import { expect } from "chai";

import { CATEGORIES } from "../../policypack/lib/policy";
import { allPolicies } from "../../policypack/policies";

describe("the policy pack's metadata", function () {
    it("gives every policy a unique name, description, severity, remediation, level and one category tag", function () {
        const names = allPolicies.map((policy) => policy.name);
        expect(new Set(names).size).to.equal(names.length);
        for (const policy of allPolicies) {
            expect(policy.name, policy.name).to.match(/^[a-z0-9-]+$/);
            expect(policy.description.length, policy.name).to.be.greaterThan(20);
            expect(policy.remediationSteps.length, policy.name).to.be.greaterThan(10);
            expect(["low", "medium", "high", "critical"], policy.name).to.include(policy.severity);
            expect(["advisory", "mandatory"], policy.name).to.include(policy.enforcementLevel);
            expect(CATEGORIES, policy.name).to.include(policy.tags[0]);
            expect(policy.tags[0], policy.name).to.equal(policy.category);
        }
    });

    it("covers all five advisor categories", function () {
        expect(new Set(allPolicies.map((policy) => policy.category))).to.have.keys([...CATEGORIES]);
    });

    it("has advisory checks in each of the five categories, as README.md promises", function () {
        for (const category of CATEGORIES) {
            const advisory = allPolicies.filter((policy) => policy.category === category && policy.enforcementLevel === "advisory");
            expect(advisory.map((policy) => policy.name), category).to.not.be.empty;
        }
    });

    it("makes the product's three promises mandatory", function () {
        const level = (name: string) => allPolicies.find((policy) => policy.name === name)?.enforcementLevel;
        expect(level("iam-no-wildcard")).to.equal("mandatory");
        expect(level("s3-bucket-encryption")).to.equal("mandatory");
        expect(level("cloudwatch-log-group-retention")).to.equal("mandatory");
    });
});

describe("docs/policies.md", function () {
    it("is generated from the current policy objects (run `npm run docs:policies` after changing a policy)", async function () {
        const fs = await import("fs");
        const { POLICY_DOCS, renderPolicyDocs } = await import("../../scripts/policyDocs");
        expect(fs.readFileSync(POLICY_DOCS, "utf8")).to.equal(renderPolicyDocs());
    });
});
