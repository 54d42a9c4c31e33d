import type * as sarif from "sarif";

import type { AnalysisResult, Violation } from "./analyze";

/** The five advisor categories, in report order. */
export const REPORT_CATEGORIES = ["security", "fault-tolerance", "performance", "cost", "service-limits"];

export interface GateVerdict {
    stack: string;
    project: string;
    resources: number;
    pack: { name: string; version: string; policies: number };
    mandatory: number;
    advisory: number;
    passed: boolean;
    violations: Violation[];
    durationMs: number;
}

export function verdictOf(project: string, stack: string, resources: number, result: AnalysisResult, durationMs: number): GateVerdict {
    const mandatory = result.violations.filter((violation) => violation.enforcementLevel === "mandatory").length;
    return {
        project,
        stack,
        resources,
        pack: { name: result.packName, version: result.packVersion, policies: result.policies.length },
        mandatory,
        advisory: result.violations.length - mandatory,
        passed: mandatory === 0,
        violations: result.violations,
        durationMs,
    };
}

const resourceLabel = (violation: Violation) => (violation.resourceType ? `${violation.resourceType} "${violation.resourceName}"` : "stack");

/** A readable report: violations grouped by advisor category, then totals and the verdict. */
export function renderText(verdict: GateVerdict): string {
    const lines = [
        `Policy gate: ${verdict.project}/${verdict.stack} (${verdict.resources} resources) against ${verdict.pack.name}@${verdict.pack.version} (${verdict.pack.policies} policies)`,
    ];
    const categories = [...REPORT_CATEGORIES, ...new Set(verdict.violations.map((violation) => violation.category).filter((category) => !REPORT_CATEGORIES.includes(category)))];
    for (const category of categories) {
        const inCategory = verdict.violations.filter((violation) => violation.category === category);
        lines.push("", `${category} (${inCategory.length})`);
        const sorted = [...inCategory].sort((a, b) => (a.enforcementLevel === b.enforcementLevel ? a.policyName.localeCompare(b.policyName) : a.enforcementLevel === "mandatory" ? -1 : 1));
        for (const violation of sorted) {
            lines.push(`  [${violation.enforcementLevel}] ${violation.policyName} on ${resourceLabel(violation)}`, `      ${violation.message.split("\n").join("\n      ")}`);
        }
    }
    lines.push(
        "",
        `Totals: ${verdict.mandatory} mandatory, ${verdict.advisory} advisory violation${verdict.advisory === 1 ? "" : "s"} (${(verdict.durationMs / 1000).toFixed(1)}s)`,
        verdict.passed ? "Verdict: PASS (no mandatory violations)" : `Verdict: FAIL (${verdict.mandatory} mandatory violation${verdict.mandatory === 1 ? "" : "s"})`,
    );
    return lines.join("\n");
}

const SARIF_LEVEL: Record<string, sarif.Result.level> = { mandatory: "error", remediate: "error", advisory: "warning", disabled: "none" };

/**
 * SARIF 2.1.0: one rule per policy (with its description and remediation), one result per violation,
 * located at the program's entry file with the resource URN as a logical location.
 */
export function renderSarif(verdict: GateVerdict, result: AnalysisResult, programFile: string): sarif.Log {
    const rules: sarif.ReportingDescriptor[] = result.policies.map((policy) => ({
        id: policy.name,
        name: policy.name,
        shortDescription: { text: policy.description.slice(0, 200) },
        fullDescription: { text: policy.description },
        help: { text: policy.remediationSteps || policy.description },
        defaultConfiguration: { level: SARIF_LEVEL[policy.enforcementLevel] ?? "warning" },
        properties: { tags: policy.tags, category: policy.category, severity: policy.severity },
    }));
    const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
    const results: sarif.Result[] = verdict.violations.map((violation) => ({
        ruleId: violation.policyName,
        ruleIndex: ruleIndex.get(violation.policyName),
        level: SARIF_LEVEL[violation.enforcementLevel] ?? "warning",
        message: { text: `${resourceLabel(violation)}: ${violation.message}` },
        locations: [
            {
                physicalLocation: { artifactLocation: { uri: programFile }, region: { startLine: 1 } },
                logicalLocations: violation.urn ? [{ fullyQualifiedName: violation.urn, kind: "resource" }] : [],
            },
        ],
        properties: { category: violation.category, severity: violation.severity },
    }));
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: result.packName, version: result.packVersion || "0.0.0", informationUri: "https://www.pulumi.com/docs/iac/packages-and-automation/crossguard/", rules } },
                results,
                properties: { stack: verdict.stack, project: verdict.project },
            },
        ],
    };
}
