/**
 * Benchmark: the offline policy gate on the prod stack, against its 20 s budget. Runs the whole gate
 * (program under mocks + policy pack process + Analyzer calls) several times in fresh processes, the way
 * CI runs it, and prints each phase and the ratio to the budget, measured side by side in this one run.
 *
 * Usage: npm run bench:gate [-- --runs 3]
 */
import { execFileSync } from "child_process";
import * as path from "path";

import { analyze } from "../cli/gate/analyze";
import { PolicyPackProcess } from "../cli/gate/policyPackProcess";
import { runProgramOffline } from "../cli/offline/runProgram";

const ROOT = path.resolve(__dirname, "..");
const BUDGET_MS = 20000;

async function phases(): Promise<{ program: number; packStart: number; analysis: number }> {
    let t = Date.now();
    const run = await runProgramOffline({ programDir: ROOT, stack: "prod" });
    const program = Date.now() - t;
    t = Date.now();
    const pack = await PolicyPackProcess.start(path.join(ROOT, "policypack"));
    const packStart = Date.now() - t;
    t = Date.now();
    await analyze(pack, run);
    const analysis = Date.now() - t;
    await pack.stop();
    return { program, packStart, analysis };
}

function wholeGate(): number {
    const t = Date.now();
    execFileSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "cli", "gate.ts"), "--stack", "prod"], { cwd: ROOT, stdio: "ignore" });
    return Date.now() - t;
}

async function main(): Promise<void> {
    const runsIndex = process.argv.indexOf("--runs");
    const runs = runsIndex >= 0 ? Number(process.argv[runsIndex + 1]) : 3;
    const split = await phases();
    console.log(`phases (in-process, first run): program under mocks ${split.program} ms, pack start ${split.packStart} ms, analysis ${split.analysis} ms`);
    const totals: number[] = [];
    for (let index = 0; index < runs; index++) {
        totals.push(wholeGate());
        console.log(`gate run ${index + 1}/${runs} (fresh process, as CI runs it): ${totals[index]} ms`);
    }
    const sorted = [...totals].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const worst = sorted[sorted.length - 1] ?? 0;
    console.log(`gate on prod: median ${(median / 1000).toFixed(2)} s, worst ${(worst / 1000).toFixed(2)} s; budget ${BUDGET_MS / 1000} s`);
    console.log(`ratio worst/budget: ${(worst / BUDGET_MS).toFixed(3)} (${worst <= BUDGET_MS ? "within" : "OVER"} budget)`);
    process.exitCode = worst <= BUDGET_MS ? 0 : 1;
}

void main();
