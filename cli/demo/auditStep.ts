import type { PlatformConfig } from "../../components/config";
import { parseAuditRetentionArgs } from "../audit/args";
import { AuditReport, renderReport } from "../audit/report";
import { runAudit } from "../audit/run";
import type { CreatedResources } from "./resources";
import type { LocalServices } from "./services";
import { check, n, Print, StepReport } from "./ui";

function count(value: number, noun: string): string {
    return `${n(value)} ${noun}${value === 1 ? "" : "s"}`;
}

/** The stores of one kind the audit listed (compliant log groups are counted, not named). */
function listed(report: AuditReport, kind: string): Set<string> {
    return new Set(report.stores.filter((store) => store.kind === kind).map((store) => store.name));
}

/**
 * Step 6: `npm run audit-retention -- --stack <stack> --regions <region> --elasticsearch <node>` over the demo's moto
 * and Elasticsearch, in process: every store the stack declares (created in step 2 with the preview's retention
 * settings), the log groups the sweep left, and the shipper's data streams must keep data within the stack's limit.
 * Asserts the audit passed and that it saw every store the demo created.
 */
export async function runAuditStep(options: { config: PlatformConfig; created: CreatedResources; services: LocalServices; stack: string; print: Print }): Promise<StepReport> {
    const { config, created, services, print } = options;
    const node = services.elasticsearch;
    const args = ["--stack", options.stack, "--regions", config.region, "--elasticsearch", node.endpoint];
    print(`    npm run audit-retention -- ${args.join(" ")}`);
    const report = await runAudit(parseAuditRetentionArgs(args), { url: node.endpoint, username: node.username, password: node.password, caPem: node.caCertificate });
    for (const line of renderReport(report).trimEnd().split("\n")) print(`    ${line}`);

    const expectations: [string, string[]][] = [
        ["sqs", created.stores.queues],
        ["kinesis", created.stores.streams],
        ["s3", created.stores.buckets],
        ["athena", created.stores.workgroups],
        ["dynamodb", created.stores.tables],
    ];
    for (const [kind, names] of expectations) {
        const seen = listed(report, kind);
        const missing = names.filter((name) => !seen.has(name));
        check(missing.length === 0, `the audit did not list the ${kind} store(s) the demo created: ${missing.join(", ")}`);
    }
    const groups = report.stores.filter((store) => store.kind === "log-groups").reduce((sum, store) => sum + (store.count ?? 1), 0);
    check(groups >= created.stores.logGroups.length, `the audit counted ${groups} log groups, the demo created at least ${created.stores.logGroups.length}`);
    const dataStreams = listed(report, "elasticsearch").size;
    check(dataStreams > 0, `no data stream of the shipper (${report.elasticsearch.audited ? report.elasticsearch.pattern : "not audited"}) was audited`);
    const failing = report.stores.filter((store) => store.verdict === "too long" || store.verdict === "unknown");
    check(report.passed, `the audit failed: ${failing.map((store) => `${store.kind} ${store.name} (${store.worstCase}, ${store.verdict})`).join("; ")}`);
    const total = report.counts.ok + report.counts.exempt;
    const kinds = [
        count(groups, "log group"),
        count(listed(report, "sqs").size, "queue"),
        count(listed(report, "kinesis").size, "stream"),
        count(listed(report, "s3").size, "bucket"),
        count(listed(report, "dynamodb").size, "table"),
        count(listed(report, "athena").size, "workgroup"),
        count(dataStreams, "data stream"),
    ];
    return {
        outcome: `${n(total)} stores within ${report.limitDays} days (${report.counts.exempt} exempt): ${kinds.join(", ")}`,
        proves: `every store the stack declares, with the retention the preview gives it, keeps data at most ${report.limitDays} days end to end, as the account audit counts it`,
    };
}
