/**
 * Issue 16 class 4: every resource type that attaches managed policies is checked for administrator
 * policies. The list of properties that name managed policies by ARN is derived from the provider's own
 * type definitions (nested inputs too), like the policy-document types of issue 11.
 */
import { expect } from "chai";

import { MANAGED_POLICY_PROPERTIES } from "../../policypack/lib/managedPolicyAttachments";
import { iamNoAdminManagedPolicies } from "../../policypack/policies/iam";
import { resourceArgs, runResourcePolicy, unknown } from "../harness/policy";
import { propertyPaths, resourceDeclarations } from "./providerSchema";

/** A property holding managed-policy ARNs: policyArn(s), managedPolicyArn(s), <kind>PolicyArn(s). */
const POLICY_ARN = /^([a-z][A-Za-z]*PolicyArns?|policyArns?)$/;

/** Sets a dotted path in a fresh object (lists become one-element lists where the provider has lists). */
function propsAt(path: string, value: unknown): Record<string, unknown> {
    const parts = path.split(".");
    const last = parts.pop() as string;
    const root: Record<string, unknown> = {};
    let current = root;
    for (const part of parts) {
        const next: Record<string, unknown> = {};
        current[part] = next;
        current = next;
    }
    current[last] = /Arns$/.test(last) ? [value] : value;
    return root;
}

describe("issue 16 class 4: every type that attaches managed policies is checked", function () {
    const scanned = new Map<string, string[]>();
    for (const declaration of resourceDeclarations()) {
        const paths = propertyPaths(declaration, (name) => POLICY_ARN.test(name));
        if (paths.length > 0) scanned.set(declaration.token, paths);
    }

    it("finds the attachment types the review named (the scan itself works), nested ones included", function () {
        for (const [type, path] of [
            ["aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "policyArns"],
            ["aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive", "policyArns"],
            ["aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive", "policyArns"],
            ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "policyArn"],
            ["aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", "managedPolicyArn"],
            ["aws:budgets/budgetAction:BudgetAction", "definition.iamActionDefinition.policyArn"],
        ] as const) {
            expect(scanned.get(type), type).to.include(path);
        }
    });

    it("has a classification (checked, or not applicable with a reason) for each one the provider has", function () {
        const missing = [...scanned].flatMap(([type, paths]) => paths.filter((path) => MANAGED_POLICY_PROPERTIES[type]?.[path] === undefined).map((path) => `${type} ${path}`));
        expect(missing, "classify these in policypack/lib/managedPolicyAttachments.ts").to.deep.equal([]);
        for (const [type, paths] of Object.entries(MANAGED_POLICY_PROPERTIES)) {
            for (const [path, classification] of Object.entries(paths)) {
                expect(scanned.get(type), `${type} ${path} is not a property of the installed provider`).to.include(path);
                if ("notApplicable" in classification) expect(classification.notApplicable.length, `${type} ${path}`).to.be.greaterThan(20);
            }
        }
    });

    it("blocks AdministratorAccess through every checked IAM attachment property, and passes a narrow policy there", async function () {
        let checked = 0;
        for (const [type, paths] of Object.entries(MANAGED_POLICY_PROPERTIES)) {
            for (const [path, classification] of Object.entries(paths)) {
                if (!("check" in classification) || classification.check !== "iam") continue;
                checked++;
                const admin = await runResourcePolicy(iamNoAdminManagedPolicies, resourceArgs(type, propsAt(path, "arn:aws:iam::aws:policy/AdministratorAccess")));
                expect(admin.map((violation) => violation.message).join(), `${type} ${path}`).to.contain("AdministratorAccess");
                expect(await runResourcePolicy(iamNoAdminManagedPolicies, resourceArgs(type, propsAt(path, "arn:aws:iam::123456789012:policy/shipper"))), `${type} ${path}`).to.deep.equal([]);
            }
        }
        expect(checked).to.be.greaterThan(10);
    });

    it("blocks each exclusive attachment listing an admin policy among narrow ones, and the admin variants", async function () {
        const exclusive = (policyArns: unknown) => runResourcePolicy(iamNoAdminManagedPolicies, resourceArgs("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", { roleName: "app", policyArns }));
        const violations = await exclusive(["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess"]);
        expect(violations).to.have.length(2);
        expect(await exclusive(["arn:aws:iam::aws:policy/AdministratorAccess-Amplify"])).to.have.length(1);
        expect(await exclusive(["arn:aws-us-gov:iam::aws:policy/AdministratorAccess"])).to.have.length(1);
        expect(await exclusive(["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "arn:aws:iam::aws:policy/ReadOnlyAccess"])).to.deep.equal([]);
        expect(await exclusive(unknown.array)).to.deep.equal([]);
        expect(await exclusive([unknown.string])).to.deep.equal([]);
    });

    it("blocks the EKS cluster-admin access policies, and passes view/edit ones", async function () {
        const associate = (policyArn: string) => runResourcePolicy(iamNoAdminManagedPolicies, resourceArgs("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", { clusterName: "c", principalArn: "arn:aws:iam::123456789012:role/ci", policyArn, accessScope: { type: "cluster" } }));
        expect(await associate("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")).to.have.length(1);
        expect(await associate("arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy")).to.have.length(1);
        expect(await associate("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy")).to.deep.equal([]);
    });

    it("leaves boundaries and session policies alone (they cap, they do not grant)", async function () {
        const boundary = await runResourcePolicy(
            iamNoAdminManagedPolicies,
            resourceArgs("aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment", { permissionsBoundary: { managedPolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } }),
        );
        expect(boundary).to.deep.equal([]);
        expect(await runResourcePolicy(iamNoAdminManagedPolicies, resourceArgs("aws:rolesanywhere/profile:Profile", { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }))).to.deep.equal([]);
    });
});
