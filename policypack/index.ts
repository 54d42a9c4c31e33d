import { PolicyPack } from "@pulumi/policy";

import { allPolicies } from "./policies";

// Constructing the pack starts the analyzer's gRPC server: this file is only ever run by the Pulumi
// engine (or the offline gate), never imported by tests.
new PolicyPack("log-platform-guard", {
    description: "Log platform guardrails: no wildcard IAM, encrypted storage, nothing kept over 7 days, private networking, and advisory checks in five categories.",
    policies: allPolicies,
});
