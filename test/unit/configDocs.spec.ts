import * as fs from "fs";
import * as path from "path";

import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

import { CONFIG_EXAMPLES } from "../../components/config/schema";
import { CONFIG_DOCS, configReference, examplesOf, PROJECT_FILE, renderConfigDocs, renderProjectFile } from "../../scripts/configDocs";
import { Setting, sectionSettings } from "../../scripts/configDocs/settings";
import { ROOT } from "../harness/services/paths";

/**
 * One shell word as `pulumi config set` receives it: 'single-quoted' text unquoted, a bare word as it is, and
 * null for a command substitution ("$(cat file)"), whose value only the shell knows.
 */
function shellWord(word: string): string | null {
    if (/^'[^']*'$/.test(word)) return word.slice(1, -1);
    if (/^"\$\([^)]*\)"$/.test(word)) return null;
    if (/['"\s\\$`;&|<>()]/.test(word)) throw new Error(`example ${word} is not one plain shell word: quote it with '...'`);
    return word;
}

const allSettings = (): Setting[] => configReference().flatMap((section) => section.settings);

describe("configuration reference (scripts/configDocs.ts, generated from components/config/schema.ts)", function () {
    it("docs/configuration.md is what `npm run docs:config` generates now (run it and commit when this fails)", function () {
        expect(fs.readFileSync(CONFIG_DOCS, "utf8") === renderConfigDocs(), "docs/configuration.md is stale: run `npm run docs:config`").to.equal(true);
    });

    it("Pulumi.yaml declares exactly the schema's sections, with the generated descriptions", function () {
        const text = fs.readFileSync(PROJECT_FILE, "utf8");
        expect(text === renderProjectFile(text), "Pulumi.yaml's config block is stale: run `npm run docs:config`").to.equal(true);
        const declared = Object.keys((parseYaml(text) as { config: Record<string, unknown> }).config);
        expect(declared).to.deep.equal(configReference().map((section) => section.name));
    });

    it("every Pulumi.<stack>.yaml sets every section Pulumi.yaml declares (Pulumi refuses a stack that misses one)", function () {
        const declared = Object.keys((parseYaml(fs.readFileSync(PROJECT_FILE, "utf8")) as { config: Record<string, unknown> }).config);
        const stacks = fs.readdirSync(ROOT).filter((file) => /^Pulumi\.[^.]+\.yaml$/.test(file));
        expect(stacks).to.include.members(["Pulumi.prod.yaml", "Pulumi.dev.yaml"]);
        for (const file of stacks) {
            const config = (parseYaml(fs.readFileSync(path.join(ROOT, file), "utf8")) as { config: Record<string, unknown> }).config;
            const missing = declared.filter((section) => !(`log-platform:${section}` in config));
            expect(missing, `${file} misses sections`).to.deep.equal([]);
        }
    });

    it("gives every section and every setting a description", function () {
        const undescribed = [
            ...configReference().filter((section) => !section.description).map((section) => section.name),
            ...allSettings().filter((setting) => !setting.description || setting.description.length < 10).map((setting) => setting.path),
        ];
        expect(undescribed, "add .describe(...) in components/config/schema.ts").to.deep.equal([]);
    });

    it("gives every setting an example that the setting itself accepts, and no example names a setting that does not exist", function () {
        const missing: string[] = [];
        const refused: string[] = [];
        for (const setting of allSettings()) {
            for (const { key, value } of examplesOf(setting)) {
                if (value === undefined) {
                    missing.push(key);
                    continue;
                }
                const word = shellWord(value);
                if (word === null) continue;
                const result = setting.exampleSchema?.safeParse(word);
                if (!result?.success) refused.push(`${key}: ${value} (${result?.error.issues.map((issue) => issue.message).join("; ")})`);
            }
        }
        expect(missing, "add the example to CONFIG_EXAMPLES").to.deep.equal([]);
        expect(refused).to.deep.equal([]);
        const known = new Set(allSettings().flatMap((setting) => setting.exampleKeys));
        expect(Object.keys(CONFIG_EXAMPLES).filter((key) => !known.has(key))).to.deep.equal([]);
    });

    it("states what the schema fixes, where the old hand-written reference did not", function () {
        const byPath = new Map(allSettings().map((setting) => [setting.path, setting]));
        expect(byPath.get("shipper.kinesisRetentionHours")?.constraints).to.deep.equal(["exactly 24"]);
        expect(byPath.get("shipper.sqsMessageRetentionSeconds")?.constraints).to.deep.equal(["60 to 345600"]);
        expect(byPath.get("shipper.sqsMessageRetentionSeconds")?.defaultValue).to.equal(86400);
        expect(byPath.get("retention.createTrail")?.defaultValue).to.equal(true);
        expect(byPath.get("elasticsearch.dataRetention")?.required).to.equal(true);
        expect(byPath.get("retention.maxRetentionDays")).to.include({ required: false, defaultValue: undefined });
        expect(byPath.get("network.createVpcEndpoints")?.description).to.match(/interface endpoints/).and.not.match(/gateway/i);
        // The settings the old reference missed.
        for (const name of ["elasticsearch.caCertificatePem", "shipper.credentialsSecretKmsKeyArn", "network.vpcEndpointSecurityGroupIds", "shipper.accountLevelSubscription", "kpi.tripRetentionDays", "retention.existingTrailArn", "dataProtection.exemptions[].reason"]) {
            expect(byPath.has(name), name).to.equal(true);
            expect(renderConfigDocs()).to.contain(`| \`${name}\` |`);
        }
    });

    describe("reading a schema (scripts/configDocs/settings.ts)", function () {
        const schema = z
            .object({
                one: z
                    .object({
                        id: z.string().regex(/^x-[0-9]+$/).describe("an id"),
                        count: z.coerce.number().int().min(1).max(9).default(3).describe("a count"),
                        fixed: z.coerce.number().int().min(24).max(24).default(24).describe("fixed"),
                        rate: z.coerce.number().gt(0).max(5).default(4).describe("a rate"),
                        mode: z.enum(["a", "b"]).default("a").describe("a mode"),
                        maybe: z.string().url().optional().describe("a URL"),
                        odd: z.coerce.number().refine((value) => value % 2 === 1, "odd").optional().describe("an odd number"),
                        names: z.array(z.string().min(1)).min(2).describe("names"),
                        items: z.array(z.object({ key: z.string().max(8).describe("a key"), on: z.boolean().default(false).describe("on") })).default([]).describe("items"),
                    })
                    .describe("section one"),
                labels: z
                    .record(z.string().regex(/^[a-z]+$/), z.string().max(20))
                    .refine((labels) => typeof labels["team"] === "string", { message: "required", path: ["team"] })
                    .describe("labels"),
            })
            .strict();

        it("finds type, required-ness, default and constraints of every kind of setting", function () {
            const [one, labels] = sectionSettings(schema);
            const rows = Object.fromEntries((one?.settings ?? []).map((setting) => [setting.path, { type: setting.type, required: setting.required, defaultValue: setting.defaultValue, constraints: setting.constraints }]));
            expect(rows).to.deep.equal({
                "one.id": { type: "string", required: true, defaultValue: undefined, constraints: ["matches `^x-[0-9]+$`"] },
                "one.count": { type: "integer", required: false, defaultValue: 3, constraints: ["1 to 9"] },
                "one.fixed": { type: "integer", required: false, defaultValue: 24, constraints: ["exactly 24"] },
                "one.rate": { type: "number", required: false, defaultValue: 4, constraints: ["> 0", "at most 5"] },
                "one.mode": { type: "string", required: false, defaultValue: "a", constraints: ["one of `a`, `b`"] },
                "one.maybe": { type: "string", required: false, defaultValue: undefined, constraints: ["a URL"] },
                "one.odd": { type: "number", required: false, defaultValue: undefined, constraints: ["checked in code: see the description"] },
                "one.names": { type: "list of string", required: true, defaultValue: undefined, constraints: ["at least 2 items", "each at least 1 character"] },
                "one.items": { type: "list of objects", required: false, defaultValue: [], constraints: [] },
                "one.items[].key": { type: "string", required: true, defaultValue: undefined, constraints: ["at most 8 characters"] },
                "one.items[].on": { type: "boolean", required: false, defaultValue: false, constraints: [] },
            });
            expect(one?.description).to.equal("section one");
            expect(one?.settings.find((setting) => setting.path === "one.names")?.exampleKeys).to.deep.equal(["one.names[]"]);
            expect(labels?.settings).to.have.length(1);
            expect(labels?.settings[0]).to.deep.include({
                path: "labels",
                type: "map of string to string",
                required: true,
                constraints: ["required keys `team`", "each key matches `^[a-z]+$`", "each value at most 20 characters"],
                exampleKeys: ["labels.team"],
                description: "labels",
            });
        });

        it("refuses a check it cannot render, naming the setting, instead of leaving it out", function () {
            const unknown = z.object({ s: z.object({ id: z.string().uuid().describe("an id") }) });
            expect(() => sectionSettings(unknown)).to.throw(/s\.id: cannot render the string check "uuid"/);
        });
    });
});
