import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { expect } from "chai";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

import { parsePlatformConfig } from "../../components/config";
import { ROOT } from "../harness/services/paths";

/**
 * The first-deploy runbook (docs/deploy.md), its steps that need no cloud run as an operator runs them: the
 * `pulumi config set` commands it gives fill in a copy of Pulumi.prod.yaml, which must validate and pass the
 * offline policy gate; the configuration reference must match the schema; the README's short version must keep
 * the runbook's order; and CI must deploy every stack file.
 */

const RUNBOOK = fs.readFileSync(path.join(ROOT, "docs", "deploy.md"), "utf8");

interface Result {
    code: number;
    stdout: string;
    stderr: string;
}

/** `npm run <script>` as its package.json entry runs it (ts-node, transpile only), in a child process. */
function tsNode(script: string, args: string[], timeoutMs = 240_000): Promise<Result> {
    return new Promise((resolve) => {
        execFile(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, script), ...args], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        );
    });
}

/** Splits a command line into words as a POSIX shell would for the forms the runbook uses (no substitution). */
function shellWords(line: string): string[] {
    const words: string[] = [];
    const pattern = /'([^']*)'|"([^"$`\\]*)"|([^\s'"]+)/g;
    for (const match of line.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? "");
    return words;
}

/** Every `pulumi config set` command in the runbook's bash blocks, as [key, value, with --path]. */
function configCommands(): { key: string; value: string; path: boolean }[] {
    const blocks = [...RUNBOOK.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    return blocks
        .flatMap((block) => block.split("\n"))
        .filter((line) => line.startsWith("pulumi config set "))
        .map((line) => {
            const words = shellWords(line.replace(/\s+#.*$/, ""));
            const withPath = words[3] === "--path";
            const [key, value, ...rest] = words.slice(withPath ? 4 : 3);
            if (key === undefined || value === undefined || rest.length > 0) throw new Error(`cannot read the runbook command: ${line}`);
            return { key, value, path: withPath };
        });
}

/** Applies `pulumi config set [--path] <key> <value>` to a stack file's `config:` map, as the CLI does. */
function applySet(config: Record<string, unknown>, command: { key: string; value: string; path: boolean }): void {
    if (!command.path) {
        config[command.key] = command.value;
        return;
    }
    const [namespace, rest] = command.key.split(/:(.*)/s) as [string, string];
    const parts = rest.split(/\.|\[(\d+)\]/).filter((part) => part !== undefined && part !== "");
    const top = `${namespace}:${parts.shift() ?? ""}`;
    config[top] ??= {};
    let node = config[top] as Record<string, unknown>;
    parts.forEach((part, index) => {
        const isLast = index === parts.length - 1;
        const key: string | number = /^\d+$/.test(part) ? Number(part) : part;
        if (isLast) {
            (node as Record<string | number, unknown>)[key] = command.value;
        } else {
            const nextIsIndex = /^\d+$/.test(parts[index + 1] ?? "");
            (node as Record<string | number, unknown>)[key] ??= nextIsIndex ? [] : {};
            node = (node as Record<string | number, unknown>)[key] as Record<string, unknown>;
        }
    });
}

/** The settings Pulumi.prod.yaml marks `# replace with yours` (section.setting), read line by line. */
function placeholders(text: string): string[] {
    const found: string[] = [];
    let section = "";
    let setting = "";
    for (const line of text.split("\n")) {
        const top = /^ {2}log-platform:(\w+):/.exec(line);
        if (top) section = top[1] ?? "";
        const key = /^ {4}(\w+):/.exec(line);
        if (key) setting = key[1] ?? "";
        if (line.includes("# replace with yours") && section !== "") found.push(`${section}.${setting}`);
        if (/^ {2}aws:region:/.test(line)) section = "";
    }
    return [...new Set(found)];
}

describe("the first-deploy runbook (docs/deploy.md): its steps without a cloud, as an operator runs them", function () {
    this.timeout(300_000);
    let program: string;
    let filled: Record<string, unknown>;

    before(function () {
        const prod = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };
        filled = structuredClone(prod.config);
        for (const command of configCommands()) applySet(filled, command);
        // A program directory holding the filled-in stack file: the project file, and this repository's program.
        program = fs.mkdtempSync(path.join(os.tmpdir(), "runbook-"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(program, "Pulumi.yaml"));
        fs.symlinkSync(path.join(ROOT, "index.ts"), path.join(program, "index.ts"));
        fs.writeFileSync(path.join(program, "Pulumi.first.yaml"), stringifyYaml({ config: filled }));
    });
    after(function () {
        if (program) fs.rmSync(program, { recursive: true, force: true });
    });

    it("step 4-5: its commands set every value Pulumi.prod.yaml marks `# replace with yours`, and the region", function () {
        const set = configCommands().map((command) => command.key.replace(/^log-platform:/, "").replace(/\[\d+\]$/, ""));
        const marked = placeholders(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
        expect(marked).to.include.members(["network.vpcId", "network.subnetIds", "elasticsearch.endpoint", "elasticsearch.credentialsSecretArn", "alerts.emails"]);
        expect(marked.filter((key) => !set.includes(key)), "settings the runbook leaves as the file's placeholders").to.deep.equal([]);
        expect(set).to.include("aws:region");
        expect((filled["log-platform:network"] as Record<string, unknown>)["vpcId"]).to.equal("vpc-0123456789abcdef0");
        expect((filled["log-platform:alerts"] as Record<string, unknown>)["emails"]).to.deep.equal(["platform-oncall@example.com"]);
    });

    it("step 4-5: the filled-in configuration is valid (the program's own validation, data-protection plan included)", function () {
        const sections: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(filled)) if (key.startsWith("log-platform:")) sections[key.slice("log-platform:".length)] = value;
        const config = parsePlatformConfig({ project: "log-platform", stack: "first", region: filled["aws:region"] as string, sections });
        expect(config.elasticsearch.credentialsSecretArn).to.equal("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/elasticsearch/log-shipper-AbCdEf");
        expect(config.network.subnetIds).to.have.length(3);
    });

    it("step 6: `npm run gate` passes the filled-in stack (the program under mocks and the real policy pack)", async function () {
        const result = await tsNode("cli/gate.ts", ["--program", program, "--stack", "first", "--json"]);
        expect(result.code, result.stderr).to.equal(0);
        // The gate prints the program's own log lines (the data-protection plan) before its JSON verdict.
        const verdict = JSON.parse(result.stdout.slice(result.stdout.search(/^\{/m))) as { passed: boolean; stack: string; resources: number };
        expect([verdict.passed, verdict.stack]).to.deep.equal([true, "first"]);
        expect(verdict.resources).to.be.greaterThan(50);
    });

    it("step 6: `npm run docs:config -- --check`: docs/configuration.md and Pulumi.yaml match the schema", async function () {
        const result = await tsNode("scripts/configDocs.ts", ["--check"]);
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.contain("match components/config/schema.ts");
    });

    it("the README's short version keeps the runbook's order, and CI deploys every stack file, prod last", async function () {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const deploy = readme.slice(readme.indexOf("## Deploy"), readme.indexOf("## Operator commands"));
        const steps = ["pulumi login", "pulumi stack init", "pulumi config set", "aws secretsmanager create-secret", "npm run gate", "pulumi preview --stack prod --policy-pack", "pulumi up", "confirm", "npm run enforce-retention", "npm run audit-retention"];
        for (const [name, text] of [
            ["docs/deploy.md", RUNBOOK],
            ["README.md", deploy],
        ] as const) {
            const at = steps.map((step) => text.toLowerCase().indexOf(step.toLowerCase()));
            expect(at.filter((index) => index < 0), `${name} names every step`).to.deep.equal([]);
            expect(at, `${name} keeps the order`).to.deep.equal([...at].sort((a, b) => a - b));
        }
        // The workflow's own stack list, run as the job runs it.
        const workflow = parseYaml(fs.readFileSync(path.join(ROOT, ".github", "workflows", "pulumi.yml"), "utf8")) as {
            jobs: Record<string, { steps?: { id?: string; run?: string }[]; strategy?: { matrix?: { stack?: unknown } } }>;
        };
        const script = workflow.jobs["stacks"]?.steps?.find((step) => step.id === "list")?.run ?? "";
        const output = path.join(program, "github-output");
        const listed = await new Promise<Result>((resolve) =>
            execFile("bash", ["-c", script], { cwd: ROOT, env: { ...process.env, GITHUB_OUTPUT: output } }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr })),
        );
        expect(listed.code, listed.stderr).to.equal(0);
        const stacks = JSON.parse(fs.readFileSync(output, "utf8").replace(/^list=/, "")) as string[];
        const files = fs.readdirSync(ROOT).filter((file) => /^Pulumi\.[^.]+\.yaml$/.test(file)).map((file) => file.slice("Pulumi.".length, -".yaml".length));
        expect([...stacks].sort()).to.deep.equal(files.sort());
        expect(stacks[stacks.length - 1]).to.equal("prod");
        for (const job of ["preview", "deploy", "drift"]) {
            expect(workflow.jobs[job]?.strategy?.matrix?.stack, job).to.equal("${{ fromJSON(needs.stacks.outputs.list) }}");
        }
        // Every deploy enforces retention and audits, for its own stack, in every enabled region unless a variable narrows it.
        const enforce = (workflow.jobs["deploy"]?.steps ?? []).find((step) => step.run === "bash .ci/enforce-retention.sh") as { env?: Record<string, string> } | undefined;
        expect(enforce, "the deploy job runs .ci/enforce-retention.sh").to.not.equal(undefined);
        expect(enforce?.env?.["RETENTION_STACK"]).to.equal("${{ matrix.stack }}");
        expect(enforce?.env?.["RETENTION_REGIONS"], "no default narrower than every enabled region").to.equal("${{ vars.RETENTION_REGIONS }}");
        expect(enforce?.env?.["RETENTION_AUDIT"], "the audit is not skipped").to.equal(undefined);
    });
});
