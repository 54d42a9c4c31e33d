import { expect } from "chai";

import { EXEMPTION_TAG } from "../../../components/dataProtection/component";
import { auditAccount } from "../../../functions/audit/audit";
import { installIndexTemplate, templatePattern } from "../../../functions/shipper/template";
import { AuditRow, AuditSettings, DEFAULT_EXEMPTION_TAG } from "../../../functions/audit/model";
import type { Transport } from "@elastic/transport";
import type { AuditReport } from "../../../cli/audit/report";
import { ElasticsearchService, MotoService, useElasticsearch, useMoto } from "../../harness/services";
import { auditCli, bucket, dataStream, expiring, newAccount, nodeTransport, TestAccount } from "./account";

const DAY = 24;
const REGION = "eu-north-1";
const LAGS = { cloudwatchHours: 72, s3Hours: 24, dynamodbTtlHours: 72 };
const KPI_EXEMPTION = { store: "kpi-objects", reason: "daily KPI aggregates, no personal data", maxAgeDays: 400 };
const ES_EXEMPTION = { store: "elasticsearch", reason: "security logs kept for the incident window", maxAgeDays: 40 };

function settings(exemptions: AuditSettings["exemptions"]): AuditSettings {
    return { limitHours: 7 * DAY, lags: LAGS, exemptions, exemptionTag: DEFAULT_EXEMPTION_TAG };
}

/**
 * An exemption lets a store keep data past the limit only when the stack config has the exemption AND the store
 * carries the tag (buckets: the `data-protection-exemption` tag; data streams: their template's `_meta` entry), and
 * only up to the exemption's own bound.
 */
describe("audit-retention exemptions: the config entry and the tag, both, within the exemption's bound", function () {
    this.timeout(240_000);
    let moto: MotoService;
    let node: ElasticsearchService;
    let account: TestAccount;
    let transport: Transport;
    const namespace = `exempt${Date.now().toString(36)}`;
    const audit = async (exemptions: AuditSettings["exemptions"], kind: "s3" | "elasticsearch"): Promise<AuditRow[]> => {
        const result = await auditAccount({
            regions: [REGION],
            settings: settings(exemptions),
            clients: account.clients,
            ...(kind === "elasticsearch" ? { elasticsearch: { transport, endpoint: node.endpoint, pattern: `logs-aws.*-${namespace}` } } : {}),
        });
        return result.rows.filter((row) => row.kind === kind);
    };
    const row = (rows: AuditRow[], name: string): AuditRow => {
        const found = rows.find((entry) => entry.name === name);
        if (!found) throw new Error(`no row ${name}`);
        return found;
    };

    before(async function () {
        [moto, node] = await Promise.all([useMoto(), useElasticsearch()]);
        account = await newAccount(moto, "310987654321");
        transport = nodeTransport(node);
        // The KPI bucket as the prod stack's exemption allows: kpis/ objects 395 days (+ old versions 1 day, roundings and lags = 400 days).
        const kpiRules = [expiring(395)];
        await Promise.all([
            bucket(account, REGION, "audit-kpi-tagged", { versioned: true, rules: kpiRules, tags: { [EXEMPTION_TAG]: "kpi-objects" } }),
            bucket(account, REGION, "audit-kpi-untagged", { versioned: true, rules: kpiRules }),
            bucket(account, REGION, "audit-kpi-tagged-too-long", { versioned: true, rules: [expiring(500)], tags: { [EXEMPTION_TAG]: "kpi-objects" } }),
            // 30 days of data_retention: 7 days' rollover + 30 days + two runs.
            dataStream(transport, `logs-aws.marked-${namespace}`, "30d", { [EXEMPTION_TAG]: "elasticsearch" }),
            dataStream(transport, `logs-aws.unmarked-${namespace}`, "30d"),
        ]);
    });

    after(async function () {
        account?.clients.destroy();
        await transport?.connectionPool.empty();
    });

    it("the audit's tag is the one the components apply", function () {
        expect(DEFAULT_EXEMPTION_TAG).to.equal(EXEMPTION_TAG);
    });

    it("a tagged bucket within its exemption's bound is exempt; untagged, or past the bound, it is too long", async function () {
        const rows = await audit([KPI_EXEMPTION], "s3");
        expect(row(rows, "audit-kpi-tagged")).to.deep.include({ verdict: "exempt", worstHours: 395 * DAY + 48 + (DAY + 48) });
        expect(row(rows, "audit-kpi-tagged").note).to.contain("exemption \"kpi-objects\" (up to 400d)");
        expect(row(rows, "audit-kpi-untagged").verdict).to.equal("too long");
        expect(row(rows, "audit-kpi-tagged-too-long")).to.deep.include({ verdict: "too long" });
        expect(row(rows, "audit-kpi-tagged-too-long").note).to.contain("over its \"kpi-objects\" exemption's 400d");
    });

    it("the tag alone exempts nothing", async function () {
        const rows = await audit([], "s3");
        expect(rows.map((entry) => [entry.name, entry.verdict])).to.deep.equal([
            ["audit-kpi-tagged", "too long"],
            ["audit-kpi-tagged-too-long", "too long"],
            ["audit-kpi-untagged", "too long"],
        ]);
        expect(row(rows, "audit-kpi-tagged").note).to.contain("a tag alone never exempts");
    });

    it("a data stream is exempt only with the config's elasticsearch exemption and its template's mark", async function () {
        const exempted = await audit([ES_EXEMPTION], "elasticsearch");
        expect(row(exempted, `logs-aws.marked-${namespace}`)).to.deep.include({ verdict: "exempt" });
        expect(row(exempted, `logs-aws.marked-${namespace}`).worstHours).to.be.closeTo(7 * DAY + 30 * DAY + 10 / 60, 0.01);
        expect(row(exempted, `logs-aws.unmarked-${namespace}`).verdict).to.equal("too long");
        const notInConfig = await audit([], "elasticsearch");
        expect(notInConfig.map((entry) => entry.verdict)).to.deep.equal(["too long", "too long"]);
        const tooShortABound = await audit([{ ...ES_EXEMPTION, maxAgeDays: 30 }], "elasticsearch");
        expect(row(tooShortABound, `logs-aws.marked-${namespace}`).verdict).to.equal("too long");
    });

    it("the shipper's own template, installed for a stack with an elasticsearch exemption, carries the mark the audit accepts", async function () {
        const marked = `${namespace}s`;
        const plain = `${namespace}p`;
        await installIndexTemplate(transport, marked, { dataRetention: "30d", dataProtectionExemption: true });
        await installIndexTemplate(transport, plain, { dataRetention: "30d" });
        for (const ns of [marked, plain]) {
            await transport.request({ method: "POST", path: `/logs-aws.sqs-${ns}/_doc`, querystring: { refresh: "true" }, body: { "@timestamp": new Date().toISOString(), message: "audit test" } });
        }
        const verdicts = async (ns: string) => {
            const result = await auditAccount({ regions: [REGION], settings: settings([ES_EXEMPTION]), clients: account.clients, elasticsearch: { transport, endpoint: node.endpoint, pattern: templatePattern(ns) } });
            return result.rows.filter((entry) => entry.kind === "elasticsearch").map((entry) => [entry.name, entry.verdict]);
        };
        expect(await verdicts(marked)).to.deep.equal([[`logs-aws.sqs-${marked}`, "exempt"]]);
        expect(await verdicts(plain)).to.deep.equal([[`logs-aws.sqs-${plain}`, "too long"]]);
    });

    it("from the command line: --stack prod (kpi-objects exempt up to 400 days) exempts the tagged bucket only; --stack dev (no exemption) exempts nothing", async function () {
        const prod = await auditCli(["--regions", REGION, "--stack", "prod", "--json"], { moto, account });
        const prodReport = JSON.parse(prod.stdout) as AuditReport;
        const byName = (report: AuditReport) => Object.fromEntries(report.stores.filter((entry) => entry.kind === "s3").map((entry) => [entry.name, entry.verdict]));
        expect(byName(prodReport)).to.deep.equal({ "audit-kpi-tagged": "exempt", "audit-kpi-untagged": "too long", "audit-kpi-tagged-too-long": "too long" });
        expect(prodReport.elasticsearch).to.deep.include({ audited: false });
        expect(prod.code).to.equal(1);

        const dev = await auditCli(["--regions", REGION, "--stack", "dev", "--json"], { moto, account });
        expect(byName(JSON.parse(dev.stdout) as AuditReport)).to.deep.equal({ "audit-kpi-tagged": "too long", "audit-kpi-untagged": "too long", "audit-kpi-tagged-too-long": "too long" });
        expect(dev.code).to.equal(1);
    });
});
