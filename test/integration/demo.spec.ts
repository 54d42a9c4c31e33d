import { spawn } from "child_process";
import * as path from "path";

import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..");

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs `cli/demo.ts` as `bash scripts/local.sh` does (after set-up), in its own process with its own services. */
function demo(args: string[], timeoutMs: number): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(path.join(ROOT, "node_modules", ".bin", "ts-node"), ["--transpile-only", "cli/demo.ts", ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "SILENT" }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const timer = setTimeout(() => {
            child.kill("SIGTERM"); // the demo stops its services on SIGTERM
            reject(new Error(`the demo did not finish within ${timeoutMs} ms; output so far:\n${stdout}\n${stderr}`));
        }, timeoutMs);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}

describe("bash scripts/local.sh (the demo, at --size small)", function () {
    // The demo runs the program offline for its stores' settings and audits them (step 6): on a 2-core machine shared
    // with other work it has taken up to ~255 s at --size small; the timeout is a safety net, not a target.
    this.timeout(480_000);

    it("runs every step of the dev stack on real moto and Elasticsearch, with its invariants held, and stops what it started", async () => {
        const run = await demo(["dev", "--size", "small", "--skip-preview", "--seed", "7"], 450_000);
        expect(run.code, `exit code; output:\n${run.stdout}\n${run.stderr}`).to.equal(0);
        const out = run.stdout;
        expect(out).to.contain('Local end-to-end run of stack "dev" (size small, seed 7)');
        // Step 2: the stack's names (Pulumi.dev.yaml).
        expect(out).to.match(/table trips-dev \(\+ index completedDate-index\)/);
        expect(out).to.contain("secret dev/elasticsearch/log-shipper");
        expect(out).to.contain("log group /app/api/dev");
        // Step 3: documents = items in - malformed, in the dev namespace, and the replay added none.
        expect(out).to.contain("(data streams logs-*-dev)");
        expect(out).to.match(/ok \([\d.]+s\): (\S+) documents = \S+ items in - \d+ malformed \(dead-lettered\); a replay of one batch per source added none/);
        expect(out).to.match(/"namespace": "dev"/);
        // Step 4: KPIs equal the reference; the docs' Athena query agrees.
        expect(out).to.match(/ok \([\d.]+s\): [\d,]+ trips over 3 days = reference; [\d,]+ late trips counted by the scheduled recompute; rerun byte-identical/);
        expect(out).to.contain("the example Athena query of docs/kpi.md");
        // Step 5: the dev stack's own maximum (3 days).
        expect(out).to.match(/ok \([\d.]+s\): \d+ of \d+ log groups set to 3 days, \d+ left alone(, \d+ excluded)?; none over 3 days/);
        // Step 6 (5th here): the account audit over the demo's moto and node passes with the stack's own stores.
        expect(out).to.contain("npm run audit-retention -- --stack dev --regions eu-west-1 --elasticsearch https://127.0.0.1:");
        expect(out).to.match(/^ {6}trips-dev\s+eu-west-1\s+items 3d \+ TTL lag 72h, PITR 1d\s+7d\s+ok$/m);
        expect(out).to.match(/^ {6}logs-aws\.sqs-dev\s+\S+\s+data_retention 1d /m);
        expect(out).to.match(/^ {4}PASS: every store keeps data at most 7 days/m);
        expect(out).to.match(/ok \([\d.]+s\): \d+ stores within 7 days \(0 exempt\): \d+ log groups, 9 queues, 1 stream, 2 buckets, 1 table, 2 workgroups, 3 data streams/);
        // The KPI bucket and the Athena results bucket (two buckets: S3 applies the shortest of overlapping expiries).
        expect(out).to.match(/^ {6}kpi-[a-z]+-\w+ +eu-west-1 +results in s3:\/\/kpi-athena-results-\w+\/athena-results\/: expire 2d/m);
        expect(out).to.match(/all 5 steps passed in [\d.]+s/);
        expect(out).to.match(/events\/s through the shipper into the real node: [\d,]+\/s/);
        expect(out).to.match(/trips\/s through the KPI closure \(moto\): [\d,]+\/s/);
        expect(out, "--keep instructions without --keep").to.not.contain("npm run services -- down");
        // Without --keep, the services it started are gone when it exits.
        const endpoints = /moto \S+ at (http:\/\/127\.0\.0\.1:\d+); Elasticsearch \S+ at (https:\/\/127\.0\.0\.1:\d+)/.exec(out);
        expect(endpoints, "the services' endpoints in the output").to.not.equal(null);
        for (const endpoint of [endpoints![1], endpoints![2]]) {
            const reached = await fetch(endpoint, { signal: AbortSignal.timeout(5000) }).then(
                () => true,
                () => false,
            );
            expect(reached, `${endpoint} still answers after the demo exited`).to.equal(false);
        }
    });

    it("exits 2 with the usage on a bad flag, before starting anything", async () => {
        const run = await demo(["--size", "huge"], 60_000);
        expect(run.code).to.equal(2);
        expect(run.stderr).to.contain('--size must be small, standard or full, got "huge"').and.to.contain("Usage: bash scripts/local.sh");
        expect(run.stdout).to.equal("");
    });

    it("exits 1 naming the stack file when the stack does not exist", async () => {
        const run = await demo(["no-such-stack", "--size", "small"], 60_000);
        expect(run.code).to.equal(1);
        expect(run.stderr).to.match(/demo FAILED/).and.to.contain("Pulumi.no-such-stack.yaml");
    });
});
