import { DeleteWorkGroupCommand } from "@aws-sdk/client-athena";
import { DeleteAccountPolicyCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DeleteBackupCommand, DeleteTableCommand, ListBackupsCommand, UpdateContinuousBackupsCommand } from "@aws-sdk/client-dynamodb";
import { DecreaseStreamRetentionPeriodCommand } from "@aws-sdk/client-kinesis";
import { DeleteBucketCommand, PutBucketLifecycleConfigurationCommand } from "@aws-sdk/client-s3";
import { SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { Transport } from "@elastic/transport";
import { expect } from "chai";

import type { AuditReport, ReportStore } from "../../../cli/audit/report";
import { ElasticsearchService, MotoService, useElasticsearch, useMoto } from "../../harness/services";
import { auditCli, bucket, dataStream, expiring, logGroup, newAccount, nodeTransport, queue, retentionAccountPolicy, stream, table, TestAccount, workgroup } from "./account";

const DAY = 24;
const WEST = "eu-west-1";
const CENTRAL = "eu-central-1";

/** kind + name of every store with a verdict, from the report. */
function verdicts(report: AuditReport, verdict: string): string[] {
    return report.stores.filter((store) => store.verdict === verdict).map((store) => `${store.kind} ${store.name}`).sort();
}

function store(report: AuditReport, kind: string, name: string): ReportStore {
    const found = report.stores.find((entry) => entry.kind === kind && entry.name === name);
    if (!found) throw new Error(`no ${kind} ${name} in the report: ${report.stores.map((entry) => `${entry.kind} ${entry.name}`).join(", ")}`);
    return found;
}

/**
 * The issue's acceptance test for the audit: an account (its own, in the shared moto) seeded with exactly one store
 * of each kind that keeps data past 7 days, beside compliant ones, run through the command as a pipeline runs it
 * (`--stack dev`: its 7-day limit, its trips table trips-dev with 3-day items, data streams logs-aws.*-dev), then
 * the same account with every violation fixed.
 */
describe("npm run audit-retention on an account with one violating store of each kind (real moto and Elasticsearch)", function () {
    this.timeout(300_000);
    let moto: MotoService;
    let node: ElasticsearchService;
    let account: TestAccount;
    let transport: Transport;
    let dlqUrl = "";
    let sourceUrl = "";
    let longQueueUrl = "";

    before(async function () {
        [moto, node] = await Promise.all([useMoto(), useElasticsearch()]);
        account = await newAccount(moto, "210987654321");
        transport = nodeTransport(node);
        const dlq = await queue(account, WEST, "audit-dlq.fifo", 4 * 86_400);
        dlqUrl = dlq.url;
        const ok = (name: string) => `audit-ok-${name}`;
        await Promise.all([
            // compliant neighbours: each kind has one that passes
            logGroup(account, WEST, "/audit/ok-3d", 3),
            logGroup(account, CENTRAL, "/audit/ok-1d", 1),
            bucket(account, WEST, ok("bucket"), { versioned: true, rules: [expiring(2)] }),
            queue(account, CENTRAL, ok("queue"), 86_400),
            stream(account, WEST, ok("stream"), 24),
            workgroup(account, WEST, ok("workgroup"), `s3://${ok("bucket")}/athena-results/`),
            dataStream(transport, "logs-aws.ok-dev", "2d"),
            // one violation of each kind
            logGroup(account, WEST, "/audit/no-retention"),
            logGroup(account, WEST, "/audit/overridden/app", 3).then(() => retentionAccountPolicy(account, WEST, "audit-30d", 30, ["/audit/overridden/"])),
            bucket(account, WEST, "audit-no-noncurrent", { versioned: true, rules: [expiring(2, null)] }),
            bucket(account, CENTRAL, "audit-object-lock", { versioned: true, rules: [expiring(1)], objectLockDays: 365 }),
            queue(account, WEST, "audit-14d", 14 * 86_400).then((created) => (longQueueUrl = created.url)),
            queue(account, WEST, "audit-src.fifo", 4 * 86_400, dlq.arn).then((created) => (sourceUrl = created.url)),
            stream(account, CENTRAL, "audit-8d", 8 * DAY),
            table(account, WEST, "trips-dev", { ttl: "expiresAt", pitrDays: "default" }),
            table(account, WEST, "audit-no-ttl"),
            table(account, CENTRAL, "audit-backup", { ttl: "expiresAt", backup: true }),
            workgroup(account, CENTRAL, "audit-results-forever", "s3://audit-no-noncurrent/athena/"),
            dataStream(transport, "logs-aws.forever-dev", undefined),
        ]);
    });

    after(async function () {
        account?.clients.destroy();
        await transport?.connectionPool.empty();
    });

    it("reports exactly the violating stores as too long, with how each worst case is counted, and exits 1", async function () {
        const run = await auditCli(["--regions", `${WEST},${CENTRAL}`, "--stack", "dev", "--json"], { moto, account, node });
        expect(run.code, run.stderr).to.equal(1);
        const report = JSON.parse(run.stdout) as AuditReport;
        expect(report).to.deep.include({ passed: false, limitDays: 7, stack: "dev", regions: [WEST, CENTRAL] });
        expect(report.elasticsearch).to.deep.equal({ audited: true, endpoint: node.endpoint, pattern: "logs-aws.*-dev" });
        expect(verdicts(report, "too long")).to.deep.equal(
            [
                "log-groups /audit/no-retention",
                "log-groups /audit/overridden/app",
                "log-account-policies audit-30d",
                "s3 audit-no-noncurrent",
                "s3 audit-object-lock",
                "sqs audit-14d",
                "sqs audit-dlq.fifo",
                "kinesis audit-8d",
                "dynamodb trips-dev",
                "dynamodb audit-no-ttl",
                "dynamodb audit-backup",
                "athena audit-results-forever",
                "elasticsearch logs-aws.forever-dev",
            ].sort(),
        );
        expect(verdicts(report, "unknown")).to.deep.equal([]);
        expect(verdicts(report, "exempt")).to.deep.equal([]);
        // Everything else passes: the compliant neighbours, the FIFO source queue, each region's primary workgroup.
        expect(verdicts(report, "ok")).to.include.members([
            "s3 audit-ok-bucket",
            "sqs audit-ok-queue",
            "sqs audit-src.fifo",
            "kinesis audit-ok-stream",
            "athena audit-ok-workgroup",
            "athena primary",
            "elasticsearch logs-aws.ok-dev",
        ]);
        const compliantGroups = report.stores.filter((entry) => entry.kind === "log-groups" && entry.count !== undefined);
        expect(compliantGroups.map((entry) => [entry.region, entry.count, entry.verdict])).to.deep.equal([
            [CENTRAL, 1, "ok"],
            [WEST, 1, "ok"],
        ]);
        // ok: one compliant log group per region, the bucket, two queues, the stream, three workgroups, the data stream.
        expect(report.counts).to.deep.equal({ ok: 2 + 1 + 2 + 1 + 3 + 1, exempt: 0, "too long": 13, unknown: 0 });

        // How each worst case is counted, and what it comes to (limit 7 days = 168 h; lags cloudwatch 72, s3 24, dynamodbTtl 72).
        expect(store(report, "log-groups", "/audit/no-retention")).to.deep.include({ worstHours: "forever", keeps: "no retention: never expires" });
        expect(store(report, "log-groups", "/audit/overridden/app")).to.deep.include({ worstHours: 30 * DAY + 72, keeps: "retention 30d (account policy audit-30d) + lag 72h" });
        expect(store(report, "log-account-policies", "audit-30d").worstHours).to.equal(30 * DAY + 72);
        expect(store(report, "log-account-policies", "audit-30d").keeps).to.contain('LogGroupNamePrefix IN ["/audit/overridden/"]');
        expect(store(report, "s3", "audit-ok-bucket")).to.deep.include({ worstHours: 2 * DAY + 24 + 24 + (1 * DAY + 24 + 24), keeps: "expire 2d + noncurrent 1d (versioned); uploads 1d" });
        expect(store(report, "s3", "audit-no-noncurrent")).to.deep.include({ worstHours: "forever" });
        expect(store(report, "s3", "audit-no-noncurrent").keeps).to.contain("old versions kept");
        expect(store(report, "s3", "audit-object-lock")).to.deep.include({ worstHours: 365 * DAY, region: CENTRAL });
        expect(store(report, "s3", "audit-object-lock").keeps).to.contain("Object Lock 365d");
        expect(store(report, "sqs", "audit-14d").worstHours).to.equal(14 * DAY);
        // A FIFO DLQ restarts the clock: 4 days in the source, then 4 more in the DLQ.
        expect(store(report, "sqs", "audit-dlq.fifo")).to.deep.include({ worstHours: 8 * DAY });
        expect(store(report, "sqs", "audit-dlq.fifo").keeps).to.contain("audit-src.fifo").and.to.contain("FIFO");
        expect(store(report, "sqs", "audit-src.fifo").worstHours).to.equal(4 * DAY);
        expect(store(report, "kinesis", "audit-8d")).to.deep.include({ worstHours: 8 * DAY, keeps: "retention 192h" });
        // The trips table: items 3 days (dev's kpi.tripRetentionDays) + the TTL lag + PITR's default 35-day window.
        expect(store(report, "dynamodb", "trips-dev")).to.deep.include({ worstHours: 3 * DAY + 72 + 35 * DAY });
        expect(store(report, "dynamodb", "trips-dev").keeps).to.contain("PITR 35d");
        expect(store(report, "dynamodb", "audit-no-ttl").keeps).to.contain("no TTL");
        expect(store(report, "dynamodb", "audit-backup").keeps).to.contain("1 backup (kept until deleted)");
        expect(store(report, "athena", "audit-results-forever").keeps).to.contain("s3://audit-no-noncurrent/athena/");
        expect(store(report, "athena", "audit-ok-workgroup").worstHours).to.equal(7 * DAY);
        // Rollover (1 day for a retention up to 14 days) + data_retention 2d + two lifecycle runs of 5 minutes.
        expect(store(report, "elasticsearch", "logs-aws.ok-dev").worstHours).to.be.closeTo(DAY + 2 * DAY + 10 / 60, 0.01);
        expect(store(report, "elasticsearch", "logs-aws.forever-dev")).to.deep.include({ worstHours: "forever" });
    });

    it("the same account with every violation fixed exits 0, in the text report too", async function () {
        const west = account.clients.region(WEST);
        const central = account.clients.region(CENTRAL);
        const backups = await central.dynamodb.send(new ListBackupsCommand({ TableName: "audit-backup" }));
        await Promise.all([
            west.logs.send(new PutRetentionPolicyCommand({ logGroupName: "/audit/no-retention", retentionInDays: 3 })),
            west.logs.send(new DeleteAccountPolicyCommand({ policyName: "audit-30d", policyType: "RETENTION_POLICY" })),
            west.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: "audit-no-noncurrent", LifecycleConfiguration: { Rules: [expiring(2)] } })),
            central.s3.send(new DeleteBucketCommand({ Bucket: "audit-object-lock" })),
            west.sqs.send(new SetQueueAttributesCommand({ QueueUrl: longQueueUrl, Attributes: { MessageRetentionPeriod: "86400" } })),
            west.sqs.send(new SetQueueAttributesCommand({ QueueUrl: sourceUrl, Attributes: { MessageRetentionPeriod: String(2 * 86_400) } })),
            west.sqs.send(new SetQueueAttributesCommand({ QueueUrl: dlqUrl, Attributes: { MessageRetentionPeriod: String(2 * 86_400) } })),
            central.kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "audit-8d", RetentionPeriodHours: 24 })),
            west.dynamodb.send(new UpdateContinuousBackupsCommand({ TableName: "trips-dev", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 1 } })),
            west.dynamodb.send(new DeleteTableCommand({ TableName: "audit-no-ttl" })),
            ...(backups.BackupSummaries ?? []).map((backup) => central.dynamodb.send(new DeleteBackupCommand({ BackupArn: backup.BackupArn }))),
            central.athena.send(new DeleteWorkGroupCommand({ WorkGroup: "audit-results-forever" })),
            dataStream(transport, "logs-aws.forever-dev", "1d"),
        ]);
        // The backup table's items have no bound but the trips table's contract: only the backup was its finding,
        // and without the trips-table contract its TTL bounds nothing, so it goes too.
        await central.dynamodb.send(new DeleteTableCommand({ TableName: "audit-backup" }));

        const run = await auditCli(["--regions", `${WEST},${CENTRAL}`, "--stack", "dev"], { moto, account, node });
        expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
        const out = run.stdout;
        expect(out).to.match(/^Retention audit: nothing kept longer than 7 days \(168h\), deletion lags cloudwatch 72h, s3 24h, dynamodbTtl 72h, stack dev; regions eu-west-1, eu-central-1$/m);
        expect(out).to.match(/^ {2}3 log groups within the limit\s+eu-west-1\s+retention 3d: 3 \(\+ lag 72h\)\s+6d\s+ok$/m);
        expect(out).to.match(/^ {2}audit-no-noncurrent\s+eu-west-1\s+expire 2d \+ noncurrent 1d \(versioned\); uploads 1d\s+7d\s+ok$/m);
        expect(out).to.match(/^ {2}audit-dlq\.fifo\s+eu-west-1\s+retention 2d \+ up to 2d in audit-src\.fifo \(FIFO DLQ: its clock restarts\)\s+4d\s+ok$/m);
        expect(out).to.match(/^ {2}trips-dev\s+eu-west-1\s+items 3d \+ TTL lag 72h, PITR 1d\s+7d\s+ok$/m);
        expect(out).to.match(/^ {2}logs-aws\.forever-dev\s+\S+\s+data_retention 1d \+ rollover 1d/m);
        expect(out).to.match(/^Summary: \d+ stores: \d+ ok, 0 exempt, 0 too long, 0 unknown$/m);
        expect(out).to.match(/^PASS: every store keeps data at most 7 days/m);
        expect(out).to.not.contain(node.password);
    });
});
