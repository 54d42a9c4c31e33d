import { expect } from "chai";

import type { ShipperOutcome } from "../../../functions/shipper/handler";
import { indexTemplateBody, installIndexTemplate, templateName } from "../../../functions/shipper/template";
import { baseConfig, cloudWatchEvent, context, cwId, namespace, readDocuments, shipperSuite, sqsEvent, type Doc } from "./fixtures";

interface InstalledTemplate {
    index_templates?: { name: string; index_template: { index_patterns: string[]; priority: number; template: { lifecycle?: { data_retention?: string }; mappings?: { properties?: Record<string, { type?: string; depth_limit?: number }> } }; _meta?: { hash?: string } } }[];
}

/**
 * The index template against the running node (8.19.8 or 9.1.0, docs/testing.md): installed idempotently with its
 * retention, data streams created from it roll over, and its mappings hold under the `logsdb` index mode that 9.x
 * clusters apply to `logs-*-*` data streams by default (docs/shipper.md, "Elasticsearch 8 and 9").
 */
describe("shipper index template on the running Elasticsearch version: install, retention, rollover, logsdb", function () {
    this.timeout(120_000);
    const shipper = shipperSuite();

    const localConfig = (ns: string) => {
        const config = baseConfig(shipper.es, ns);
        config.elasticsearch.credentials = { username: shipper.es.username, password: shipper.es.password };
        return config;
    };

    async function installed(ns: string): Promise<NonNullable<InstalledTemplate["index_templates"]>[number]["index_template"] | undefined> {
        const client = shipper.es.client();
        try {
            const answer = await client.transport.request<InstalledTemplate>({ method: "GET", path: `/_index_template/${templateName(ns)}` });
            return answer.index_templates?.[0]?.index_template;
        } finally {
            await client.close();
        }
    }

    it("installs once with its data retention, leaves an identical one alone, and replaces it when the retention changes", async () => {
        const ns = namespace("t");
        const config = localConfig(ns);
        expect(await installIndexTemplate(config, ns, { dataRetention: "7d" })).to.deep.equal({ name: templateName(ns), changed: true });
        expect(await installIndexTemplate(config, ns, { dataRetention: "7d" })).to.deep.equal({ name: templateName(ns), changed: false });
        const first = await installed(ns);
        expect(first?.index_patterns).to.deep.equal([`logs-aws.*-${ns}`]);
        expect(first?.priority).to.equal(200);
        expect(first?.template.lifecycle?.data_retention).to.equal("7d");
        expect(first?.template.mappings?.properties?.["json"]).to.deep.include({ type: "flattened", depth_limit: 20 });
        expect(await installIndexTemplate(config, ns, { dataRetention: "96h" })).to.deep.equal({ name: templateName(ns), changed: true });
        expect((await installed(ns))?.template.lifecycle?.data_retention).to.equal("96h");
        expect(() => indexTemplateBody(ns, { dataRetention: "forever" })).to.throw(/dataRetention "forever" is not a retention like 7d or 96h: set elasticsearch.dataRetention/);
    });

    it("carries the data-protection exemption mark only when the stack exempts Elasticsearch; adding or removing it re-installs", async () => {
        const ns = namespace("t");
        const config = localConfig(ns);
        expect(await installIndexTemplate(config, ns, { dataRetention: "30d" })).to.deep.include({ changed: true });
        const mark = async () => ((await installed(ns))?._meta as Record<string, unknown> | undefined)?.["data-protection-exemption"];
        expect(await mark(), "never by default").to.equal(undefined);
        expect(await installIndexTemplate(config, ns, { dataRetention: "30d", dataProtectionExemption: true })).to.deep.include({ changed: true });
        expect(await mark()).to.equal("elasticsearch");
        expect(await installIndexTemplate(config, ns, { dataRetention: "30d", dataProtectionExemption: true })).to.deep.include({ changed: false });
        expect(await installIndexTemplate(config, ns, { dataRetention: "30d", dataProtectionExemption: false })).to.deep.include({ changed: true });
        expect(await mark()).to.equal(undefined);
    });

    it("the deployed shipper installs it at cold start; its data streams roll over onto it and keep taking documents", async () => {
        const ns = namespace("t");
        const { handler } = await shipper.deploy(ns);
        expect(await handler(sqsEvent([{ messageId: "a", body: '{"k":{"v":1}}' }]), context())).to.deep.equal({ batchItemFailures: [] });
        expect((await installed(ns))?.template.lifecycle?.data_retention).to.equal("7d");
        const client = shipper.es.client();
        const rolled = await client.transport.request<{ rolled_over?: boolean; new_index?: string }>({ method: "POST", path: `/logs-aws.sqs-${ns}/_rollover` });
        await client.close();
        expect(rolled.rolled_over).to.equal(true);
        expect(await handler(sqsEvent([{ messageId: "b", body: '{"k":{"v":2}}' }]), context())).to.deep.equal({ batchItemFailures: [] });
        const documents = await readDocuments(shipper.es, ns);
        expect((documents.get("a-0") as Doc)["_index"]).to.not.equal((documents.get("b-0") as Doc)["_index"]);
        expect((documents.get("b-0") as Doc)["_index"]).to.equal(rolled.new_index);
        expect((documents.get("b-0") as Doc)["json"]).to.deep.equal({ k: { v: 2 } });
    });

    it("its mappings hold under index.mode logsdb (9.x's default for logs-*-* data streams): every document the shipper writes is taken", async () => {
        const ns = namespace("t");
        // The shipper's template as a logsdb cluster applies it: the same body with index.mode set.
        const body = indexTemplateBody(ns, { dataRetention: "7d" }) as { template: { settings: Record<string, unknown> } };
        body.template.settings["index.mode"] = "logsdb";
        const client = shipper.es.client();
        await client.indices.putIndexTemplate({ name: templateName(ns), ...(body as object) });
        const { handler } = await shipper.deploy(ns, { elasticsearch: { ...baseConfig(shipper.es, ns).elasticsearch, installIndexTemplate: false } });
        const messages = ["plain text", '{"level":"info","http":{"status":200},"tags":["a","b"]}', '{"deep":' + '{"a":'.repeat(30) + "1" + "}".repeat(30) + "}"];
        const outcome = (await handler(cloudWatchEvent("/app/logsdb", "s", messages.map((message, i) => ({ id: cwId(95, i), timestamp: 1_700_000_000_000 + i, message }))), context())) as ShipperOutcome;
        expect(outcome).to.include({ received: 3, shipped: 3, deadLettered: 0, failedForRetry: 0 });
        const settings = await client.transport.request<Record<string, { settings: { index: { mode?: string } } }>>({ method: "GET", path: `/logs-aws.cloudwatch_logs-${ns}/_settings/index.mode` });
        await client.close();
        expect(Object.values(settings).map((index) => index.settings.index.mode)).to.deep.equal(["logsdb"]);
        const documents = await readDocuments(shipper.es, ns);
        expect([...documents.keys()].sort()).to.deep.equal([cwId(95, 0), cwId(95, 1), cwId(95, 2)]);
        // Where the node applies synthetic _source (9.1.0's integ-test-zip does under logsdb), flattened leaves come
        // back as their keyword strings: read back, 200 may be "200"; the value and its search are the same.
        const status: unknown = (documents.get(cwId(95, 1)) as Doc)["json"]["http"]["status"];
        expect(typeof status === "number" || typeof status === "string" ? String(status) : status).to.equal("200");
        const search = shipper.es.client();
        const hits = await search.search({ index: `logs-aws.cloudwatch_logs-${ns}`, query: { term: { "json.http.status": "200" } } });
        await search.close();
        expect(hits.hits.hits.map((hit) => hit._id)).to.deep.equal([cwId(95, 1)]);
    });
});
