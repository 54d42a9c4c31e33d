import { expect } from "chai";

import { parseAuditRetentionArgs, UsageError } from "../../../cli/audit/args";
import type { AuditReport } from "../../../cli/audit/report";
import { runAudit } from "../../../cli/audit/run";
import { auditAccount } from "../../../functions/audit/audit";
import { AuditClients } from "../../../functions/audit/clients";
import { DEFAULT_EXEMPTION_TAG } from "../../../functions/audit/model";
import { LoopbackProxy } from "../../harness/proxy";
import { MotoService, useMoto } from "../../harness/services";
import { awsError } from "../retention/groups";
import { auditCli, bucket, expiring, logGroup, newAccount, queue, stream, table, TestAccount, workgroup } from "./account";

const DAY = 24;

describe("npm run audit-retention: flags, a compliant account, unreadable stores (cli/auditRetention.ts)", function () {
    this.timeout(240_000);
    let moto: MotoService;

    before(async function () {
        moto = await useMoto();
    });

    describe("bad flags: a usage error naming the fix (exit 2)", function () {
        const cases: [string[], RegExp][] = [
            [["--regions", "eu-west-1,mars-north-9x"], /mars-north-9x is not an AWS region/],
            [["--max-age-days", "0"], /--max-age-days "0" must be a whole number of days from 1 to 3653/],
            [["--deletion-lag-hours", "cloudwatch=72,glacier=5"], /"glacier=5" is not <store>=<hours>; stores are cloudwatch, s3, dynamodbTtl/],
            [["--deletion-lag-hours", "s3=-1"], /"s3=-1" is not <store>=<hours>/],
            [["--elasticsearch", "http://127.0.0.1:9200"], /must be the cluster's https:\/\/ URL/],
            [["--elasticsearch-secret-arn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf"], /needs --elasticsearch/],
            [["--frobnicate"], /Unknown option '--frobnicate'/],
            // Found once the flags parse: no such stack file; a cluster without credentials.
            [["--stack", "staging"], /--stack staging: .*Pulumi\.staging\.yaml does not exist; the stacks here are dev, prod/],
            [["--elasticsearch", "https://127.0.0.1:9200"], /no credentials for it; pass --elasticsearch-secret-arn/],
        ];
        for (const [args, message] of cases) {
            it(args.join(" "), async function () {
                const attempt = async () => runAudit(parseAuditRetentionArgs(["--regions", "eu-west-1", ...args]), undefined);
                const error = await attempt().then(
                    () => undefined,
                    (thrown: unknown) => thrown,
                );
                expect(error).to.be.instanceOf(UsageError);
                expect((error as Error).message).to.match(message);
            });
        }

        it("the command prints the message and the usage on stderr, nothing on stdout, and exits 2", async function () {
            const run = await auditCli(["--regions", "eu-west-1", "--deletion-lag-hours", "glacier=5"], { moto });
            expect(run.code, run.stderr).to.equal(2);
            expect(run.stderr).to.match(/^audit-retention: --deletion-lag-hours: "glacier=5" is not <store>=<hours>/);
            expect(run.stderr).to.include("Usage: npm run audit-retention");
            expect(run.stdout).to.equal("");
        });
    });

    describe("a compliant account", function () {
        let account: TestAccount;

        before(async function () {
            account = await newAccount(moto, "410987654321");
            await Promise.all([
                logGroup(account, "ap-southeast-2", "/app/api", 3),
                logGroup(account, "ap-southeast-2", "/app/worker", 1),
                bucket(account, "ap-southeast-2", "compliant-results", { versioned: true, rules: [expiring(2), expiring(1, 1, "athena/")] }),
                bucket(account, "ap-southeast-2", "compliant-plain", { rules: [expiring(5, null)] }),
                queue(account, "sa-east-1", "compliant-queue", 3 * 86_400),
                stream(account, "sa-east-1", "compliant-stream", 24),
                table(account, "ap-southeast-2", "trips-dev", { ttl: "expiresAt", pitrDays: 1 }),
                workgroup(account, "ap-southeast-2", "compliant-workgroup", "s3://compliant-results/athena/"),
            ]);
        });

        after(() => account?.clients.destroy());

        it("exits 0 over every enabled region (EC2 DescribeRegions when --regions is left out)", async function () {
            const run = await auditCli(["--stack", "dev", "--json", "--deletion-lag-hours", "s3=24"], { moto, account, region: "ap-southeast-2" });
            expect(run.code, run.stderr).to.equal(0);
            const report = JSON.parse(run.stdout) as AuditReport;
            expect(report.passed).to.equal(true);
            // moto enables every region it knows; the account's stores are in two of them.
            expect(report.regions.length).to.be.greaterThan(10);
            expect(report.regions).to.include.members(["ap-southeast-2", "sa-east-1", "eu-west-1", "us-east-1"]);
            expect(report.counts["too long"] + report.counts.unknown).to.equal(0);
            const names = report.stores.filter((entry) => entry.name !== "primary").map((entry) => `${entry.kind} ${entry.name} ${entry.region} ${entry.verdict}`);
            expect(names).to.deep.equal([
                "log-groups 2 log groups within the limit ap-southeast-2 ok",
                "s3 compliant-plain ap-southeast-2 ok",
                "s3 compliant-results ap-southeast-2 ok",
                "sqs compliant-queue sa-east-1 ok",
                "kinesis compliant-stream sa-east-1 ok",
                "dynamodb trips-dev ap-southeast-2 ok",
                "athena compliant-workgroup ap-southeast-2 ok",
            ]);
            // Not versioned: no old versions to keep; 5 days + midnight rounding + S3's lag = 7 days.
            const plain = report.stores.find((entry) => entry.name === "compliant-plain");
            expect(plain).to.deep.include({ keeps: "expire 5d; uploads 1d", worstHours: 5 * DAY + 48 });
            // athena/ keys: the prefix rule (1 day, old versions 1 day) is shorter than the bucket's 2 days: the shortest wins.
            expect(report.stores.find((entry) => entry.name === "compliant-workgroup")?.worstHours).to.equal(DAY + 48 + DAY + 48);
        });

        it("a tighter limit (--max-age-days 5) fails the stores that fit 7 days only, naming them", async function () {
            const run = await auditCli(["--regions", "ap-southeast-2,sa-east-1", "--max-age-days", "5"], { moto, account });
            expect(run.code, run.stderr).to.equal(1);
            const failing = run.stdout.split("\n").filter((line) => line.startsWith("  too long"));
            // 5 days = 120 h: 3 days + the 72 h CloudWatch lag, and every 7-day bucket, table and result location, are over.
            expect(failing.map((line) => line.trim().split(/\s+/).slice(2, 4).join(" ")).sort()).to.deep.equal(
                ["athena compliant-workgroup", "dynamodb trips-dev", "log-groups /app/api", "s3 compliant-plain", "s3 compliant-results"].sort(),
            );
            expect(run.stdout).to.match(/^FAIL: 5 stores can keep data longer than 5 days or could not be read:$/m);
        });
    });

    it("a store that cannot be read is unknown, and fails the audit", async function () {
        const account = await newAccount(moto, "510987654321");
        await Promise.all([table(account, "ca-central-1", "trips-dev", { ttl: "expiresAt", pitrDays: 1 }), queue(account, "ca-central-1", "readable", 86_400)]);
        const proxy = await LoopbackProxy.start({
            upstream: moto.endpoint,
            fault: (request) => (request.operation?.endsWith(".DescribeContinuousBackups") ? awsError("AccessDeniedException", "not authorized to perform dynamodb:DescribeContinuousBackups") : undefined),
        });
        const clients = new AuditClients({ credentials: account.credentials, endpoint: proxy.endpoint });
        try {
            const result = await auditAccount({
                regions: ["ca-central-1"],
                settings: { limitHours: 7 * DAY, lags: { cloudwatchHours: 72, s3Hours: 24, dynamodbTtlHours: 72 }, exemptions: [], exemptionTag: DEFAULT_EXEMPTION_TAG, tripsTable: { name: "trips-dev", ttlAttribute: "expiresAt", itemLifetimeHours: 3 * DAY } },
                clients,
            });
            const tableRow = result.rows.find((row) => row.kind === "dynamodb");
            expect(tableRow).to.deep.include({ name: "trips-dev", verdict: "unknown" });
            expect(tableRow?.note).to.contain("AccessDeniedException");
            expect(result.rows.find((row) => row.kind === "sqs")).to.deep.include({ name: "readable", verdict: "ok" });
            expect(result.passed).to.equal(false);
            expect(result.counts.unknown).to.equal(1);
        } finally {
            clients.destroy();
            account.clients.destroy();
            await proxy.stop();
        }
    });
});
