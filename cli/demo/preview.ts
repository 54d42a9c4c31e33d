import * as fs from "fs";
import * as path from "path";

import { analyze } from "../gate/analyze";
import { PolicyPackProcess } from "../gate/policyPackProcess";
import { GateVerdict, renderText, verdictOf } from "../gate/report";
import { ProgramRun, RegisteredResource, runProgramOffline } from "../offline/runProgram";
import { renderTree } from "../preview";
import { ROOT } from "./stack";
import { Print, table } from "./ui";

export interface PreviewResult {
    run: ProgramRun;
    verdict: GateVerdict;
    treeFile: string;
    gateFile: string;
}

/** Resources per top-level component (the stack's direct children), largest first. */
export function countByComponent(resources: readonly RegisteredResource[]): [string, number][] {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const counts = new Map<string, number>();
    for (const resource of resources) {
        let top = resource;
        while (top.parent && byUrn.get(top.parent)?.type !== "pulumi:pulumi:Stack" && byUrn.has(top.parent)) {
            top = byUrn.get(top.parent)!;
        }
        if (resource.type === "pulumi:pulumi:Stack") continue;
        const label = top.custom ? "(stack-level resources)" : `${top.name} (${top.type.split(":").pop()})`;
        counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * Step 1: the offline preview (program under mocks with the stack's config) and the policy gate's verdict
 * on it, in one program run: the per-component count is printed; the full tree and the full gate report
 * go to files under reports/.
 */
export async function previewAndGate(stack: string, print: Print): Promise<PreviewResult> {
    const [program, packStart] = await Promise.allSettled([runProgramOffline({ programDir: ROOT, stack }), PolicyPackProcess.start(path.join(ROOT, "policypack"))]);
    if (program.status === "rejected" || packStart.status === "rejected") {
        if (packStart.status === "fulfilled") await packStart.value.stop();
        throw program.status === "rejected" ? program.reason : (packStart as PromiseRejectedResult).reason;
    }
    const run = program.value;
    const pack = packStart.value;
    const started = performance.now();
    let verdict: GateVerdict;
    try {
        const tags = run.resources.find((resource) => resource.type === "pulumi:providers:aws")?.inputs["defaultTags"] as string | undefined;
        const stackTags = tags ? ((JSON.parse(tags) as { tags?: Record<string, string> }).tags ?? {}) : {};
        const result = await analyze(pack, run, {}, stackTags);
        verdict = verdictOf(run.project, run.stack, run.resources.length, result, performance.now() - started);
    } finally {
        await pack.stop();
    }
    const reports = path.join(ROOT, "reports");
    fs.mkdirSync(reports, { recursive: true });
    const treeFile = path.join(reports, `preview-${stack}.txt`);
    const gateFile = path.join(reports, `gate-${stack}.txt`);
    fs.writeFileSync(treeFile, `Offline preview of ${run.project}/${run.stack}: ${run.resources.length} resources would be created\n${renderTree(run.resources)}\n`);
    fs.writeFileSync(gateFile, `${renderText(verdict)}\n`);

    print(`    ${run.resources.length} resources would be created, per component:`);
    print(table(["component", "resources"], countByComponent(run.resources)));
    print(`    policy gate: ${verdict.passed ? "PASS" : "FAIL"}: ${verdict.mandatory} mandatory, ${verdict.advisory} advisory violations (${verdict.pack.name}@${verdict.pack.version}, ${verdict.pack.policies} policies)`);
    print(`    full tree: ${path.relative(process.cwd(), treeFile)}   full gate report: ${path.relative(process.cwd(), gateFile)}`);
    return { run, verdict, treeFile, gateFile };
}
