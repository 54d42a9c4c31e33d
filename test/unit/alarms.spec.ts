import * as fs from "fs";
import * as path from "path";

import { expect } from "chai";

import { heartbeatWindow, scheduleIntervalSeconds } from "../../components/shared/heartbeat";
import { ofType, ProgramRun, RegisteredResource, runStack } from "../harness/program";
import { ROOT } from "../harness/services/paths";

/** One row of docs/deploy.md's "Alarms: what silence means" table. */
interface Row {
    pattern: string;
    namespace: string;
    metricName: string;
    missingData: string;
}

/** The documented table, read from docs/deploy.md: the expectation the deployed alarms are held to. */
function documentedAlarms(): Row[] {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "deploy.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Alarms: what silence means"));
    const rows = section.split("\n").filter((line) => /^\| `[^`]+-alarm` \|/.test(line));
    return rows.map((line) => {
        const cells = line.split("|").map((cell) => cell.trim());
        const [namespace, metricName] = (cells[2] ?? "").split(" ");
        return { pattern: (cells[1] ?? "").replace(/`/g, ""), namespace: namespace ?? "", metricName: metricName ?? "", missingData: (cells[4] ?? "").replace(/`/g, "") };
    });
}

const FUNCTIONS = ["shipper-cloudwatch", "shipper-kinesis", "shipper-sqs", "kpi-daily", "retention-sweep"];
const SOURCES = ["cloudwatch", "kinesis", "sqs"];

/** The alarm names a documented pattern stands for (`<function>`, `<source>` expanded). */
function expand(pattern: string): string[] {
    if (pattern.includes("<function>")) return FUNCTIONS.map((fn) => pattern.replace("<function>", fn));
    if (pattern.includes("<source>")) return SOURCES.map((source) => pattern.replace("<source>", source));
    return [pattern];
}

const input = (alarm: RegisteredResource, key: string): unknown => alarm.inputs[key];

describe("alarms of both stacks: what missing data means, heartbeats, failure alarms (components/shared/alarmData.ts, heartbeat.ts)", function () {
    this.timeout(180_000);
    const runs: Record<string, ProgramRun> = {};
    before(async function () {
        runs["prod"] = await runStack("prod");
        runs["dev"] = await runStack("dev");
    });
    const alarmsOf = (stack: string) => ofType(runs[stack], "aws:cloudwatch/metricAlarm:MetricAlarm");

    it("reads the documented table: every row names a metric and one of CloudWatch's missing-data rules", function () {
        const rows = documentedAlarms();
        expect(rows.length).to.be.greaterThan(10);
        for (const row of rows) {
            expect(row.namespace, row.pattern).to.match(/^(AWS\/\w+|LogPlatform)$/);
            expect(row.missingData, row.pattern).to.be.oneOf(["breaching", "notBreaching", "ignore", "missing"]);
        }
    });

    for (const stack of ["prod", "dev"]) {
        it(`${stack}: every alarm is in docs/deploy.md's table, with the metric and the missing-data rule it documents`, function () {
            const rows = documentedAlarms();
            for (const alarm of alarmsOf(stack)) {
                const matches = rows.filter((row) => expand(row.pattern).includes(alarm.name));
                expect(matches.length, `${alarm.name} is documented`).to.be.greaterThan(0);
                for (const row of matches) {
                    expect([input(alarm, "namespace"), input(alarm, "metricName"), input(alarm, "treatMissingData")], `${alarm.name} (row ${row.pattern})`).to.deep.equal([
                        row.namespace,
                        row.metricName,
                        row.missingData,
                    ]);
                }
            }
        });
    }

    it("documents no alarm that neither stack has", function () {
        const names = new Set([...alarmsOf("prod"), ...alarmsOf("dev")].map((alarm) => alarm.name));
        const unused = documentedAlarms().filter((row) => !expand(row.pattern).some((name) => names.has(name)));
        expect(unused.map((row) => row.pattern)).to.deep.equal([]);
    });

    it("gives each scheduled function a heartbeat on its successful runs that breaches on silence, over a window of its own schedule", function () {
        // Schedules from the stack files: prod kpi cron(15 0 * * ? *), retention rate(1 hour); dev cron(30 1 * * ? *), rate(6 hours).
        const expected: Record<string, Record<string, [number, number]>> = {
            prod: { "kpi-daily-heartbeat-alarm": [3600, 26], "retention-sweep-heartbeat-alarm": [3600, 2] },
            dev: { "kpi-daily-heartbeat-alarm": [3600, 26], "retention-sweep-heartbeat-alarm": [3600, 8] },
        };
        for (const stack of ["prod", "dev"]) {
            const heartbeats = alarmsOf(stack).filter((alarm) => alarm.name.endsWith("-heartbeat-alarm"));
            const run = runs[stack];
            expect(Object.fromEntries(heartbeats.map((alarm) => [alarm.name, [input(alarm, "period"), input(alarm, "evaluationPeriods")]])), stack).to.deep.equal(expected[stack]);
            // The metric each handler publishes when a run completed successfully (not its invocations: a run that fails
            // every time is as stopped as one that never starts), with the stack's dimension.
            const success: Record<string, [string, Record<string, string>]> = {
                "kpi-daily-heartbeat-alarm": ["ScheduledRunSucceeded", { service: "kpi-pipeline", stack }],
                "retention-sweep-heartbeat-alarm": ["RegionSweepSucceeded", { service: "retention-enforcer", stack }],
            };
            expect(run.resources.length).to.be.greaterThan(0);
            for (const alarm of heartbeats) {
                expect([input(alarm, "namespace"), input(alarm, "metricName"), input(alarm, "statistic"), input(alarm, "comparisonOperator"), input(alarm, "threshold"), input(alarm, "treatMissingData")]).to.deep.equal([
                    "LogPlatform",
                    success[alarm.name]?.[0],
                    "Sum",
                    "LessThanThreshold",
                    1,
                    "breaching",
                ]);
                expect(input(alarm, "datapointsToAlarm")).to.equal(input(alarm, "evaluationPeriods"));
                expect(input(alarm, "dimensions")).to.deep.equal(success[alarm.name]?.[1]);
            }
        }
    });

    it("says in the README exactly which functions have an errors alarm and which a failures alarm", function () {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const namedIn = (prefix: string) => {
            const row = readme.split("\n").find((line) => line.startsWith(`| \`${prefix}\``)) ?? "";
            return [...(row.split("|")[1] ?? "").matchAll(/`([a-z-]+)`/g)].map((match) => match[1]).filter((name): name is string => FUNCTIONS.includes(name ?? ""));
        };
        for (const stack of ["prod", "dev"]) {
            const run = runs[stack];
            const functions = ofType(run, "aws:lambda/function:Function").map((fn) => fn.name);
            const alarms = new Set(alarmsOf(stack).map((alarm) => alarm.name));
            expect(functions.filter((fn) => alarms.has(`${fn}-errors-alarm`)).sort(), stack).to.deep.equal(functions.sort());
            expect(namedIn("<function>-errors-alarm").sort()).to.deep.equal(functions.sort());
            const asyncFunctions = ofType(run, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").map((config) => config.name.replace(/-async$/, ""));
            // shipper-kinesis-failures-alarm is the Kinesis mapping's on-failure queue (LogShipper's), not a ManagedFunction's.
            expect(functions.filter((fn) => alarms.has(`${fn}-failures-alarm`) && fn !== "shipper-kinesis").sort(), stack).to.deep.equal(asyncFunctions.sort());
            expect(namedIn("<function>-failures-alarm").sort()).to.deep.equal(asyncFunctions.sort());
        }
    });

    describe("the heartbeat's window (components/shared/heartbeat.ts)", function () {
        it("reads a schedule's longest gap: a rate, a daily cron; none for a cron that skips days", function () {
            expect(scheduleIntervalSeconds("rate(1 minute)")).to.equal(60);
            expect(scheduleIntervalSeconds("rate(6 hours)")).to.equal(21600);
            expect(scheduleIntervalSeconds("rate(2 days)")).to.equal(172800);
            expect(scheduleIntervalSeconds("cron(15 0 * * ? *)")).to.equal(86400);
            expect(scheduleIntervalSeconds("cron(0/10 * ? * * *)")).to.equal(600);
            expect(scheduleIntervalSeconds("cron(0 8 ? * MON-FRI *)")).to.equal(undefined);
            expect(scheduleIntervalSeconds("cron(0 0 1 * ? *)")).to.equal(undefined);
        });

        it("fires only after the gap plus its slack (the gap itself, at most 2 h) without a success, within CloudWatch's evaluation limits", function () {
            // [period, evaluation periods]: hourly periods (a minute under an hour) covering interval + min(interval, 2 h).
            const cases: [string, [number, number] | undefined][] = [
                ["rate(1 minute)", [60, 2]],
                ["rate(10 minutes)", [60, 20]],
                ["rate(90 minutes)", [3600, 3]],
                ["rate(1 hour)", [3600, 2]],
                ["cron(0 */6 * * ? *)", [3600, 8]],
                ["cron(15 0 * * ? *)", [3600, 26]],
                ["rate(2 days)", [3600, 50]],
                ["rate(6 days)", [3600, 146]],
                ["rate(7 days)", undefined],
                ["cron(0 8 ? * MON *)", undefined],
                ["rate(0 minutes)", undefined],
            ];
            for (const [schedule, window] of cases) {
                const got = heartbeatWindow(schedule);
                expect(got === undefined ? undefined : [got.period, got.evaluationPeriods], schedule).to.deep.equal(window);
                if (got) {
                    expect(got.period % 60, schedule).to.equal(0);
                    expect(got.period * got.evaluationPeriods, schedule).to.be.at.most(got.period < 3600 ? 86400 : 604800);
                    expect(got.period * got.evaluationPeriods, `${schedule}: a window longer than the gap`).to.be.above(scheduleIntervalSeconds(schedule) ?? Infinity);
                }
            }
        });
    });
});
