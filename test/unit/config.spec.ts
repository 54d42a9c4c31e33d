import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

import { ConfigError, parsePlatformConfig } from "../../components/config";
import { runStack } from "../harness/program";
import { ROOT } from "../harness/services/paths";

/** The prod stack's sections, read straight from Pulumi.prod.yaml. */
function prodSections(): Record<string, unknown> {
    const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };
    const sections: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(file.config)) {
        if (key.startsWith("log-platform:")) {
            sections[key.slice("log-platform:".length)] = value;
        }
    }
    return sections;
}

function problemsOf(sections: Record<string, unknown>, region: string | undefined): ConfigError {
    try {
        parsePlatformConfig({ project: "log-platform", stack: "prod", region, sections });
    } catch (error) {
        if (error instanceof ConfigError) {
            return error;
        }
        throw error;
    }
    throw new Error("expected the configuration to be rejected");
}

describe("stack configuration (components/config)", function () {
    it("accepts Pulumi.prod.yaml and applies defaults for unset settings", function () {
        const sections = prodSections();
        delete (sections["shipper"] as Record<string, unknown>)["batchSize"];
        const config = parsePlatformConfig({ project: "log-platform", stack: "prod", region: "eu-west-1", sections });
        expect(config.network.subnetIds).to.have.length(3);
        expect(config.shipper.batchSize).to.equal(500);
        // Unset in prod: the longest CloudWatch retention whose data is gone within 7 days, 72 h deletion lag included (3 + 3 <= 7 < 5 + 3).
        expect(config.retention.maxRetentionDays).to.equal(3);
        expect(config.elasticsearch.endpoint.startsWith("https://")).to.equal(true);
    });

    it("lists every problem at once, each with the command that fixes it", function () {
        const sections = prodSections();
        (sections["network"] as Record<string, unknown>)["vpcId"] = "my-vpc";
        (sections["elasticsearch"] as Record<string, unknown>)["endpoint"] = "http://es.internal:9200";
        delete sections["kpi"];
        const error = problemsOf(sections, undefined);
        const keys = error.problems.map((problem) => problem.key);
        expect(keys).to.include.members(["aws:region", "log-platform:network.vpcId", "log-platform:elasticsearch.endpoint", "log-platform:kpi.tripsTableName"]);
        const vpc = error.problems.find((problem) => problem.key === "log-platform:network.vpcId");
        expect(vpc?.message).to.contain('"my-vpc"');
        expect(vpc?.fix).to.match(/^pulumi config set --path 'log-platform:network\.vpcId' vpc-[0-9a-f]+$/);
        expect(error.problems.find((problem) => problem.key === "log-platform:elasticsearch.endpoint")?.message).to.contain("https");
        expect(error.message).to.contain(`${error.problems.length} problems`);
        for (const problem of error.problems) {
            expect(error.message).to.contain(problem.fix);
        }
    });

    it("rejects retention over 7 days, an internet-wide CIDR and unknown settings", function () {
        const sections = prodSections();
        (sections["retention"] as Record<string, unknown>)["maxRetentionDays"] = 14;
        (sections["network"] as Record<string, unknown>)["elasticsearchCidrs"] = ["0.0.0.0/0"];
        (sections["shipper"] as Record<string, unknown>)["batchSise"] = 10;
        const error = problemsOf(sections, "eu-west-1");
        expect(error.problems.map((problem) => problem.key)).to.have.members([
            "log-platform:retention.maxRetentionDays",
            "log-platform:network.elasticsearchCidrs[0]",
            "log-platform:shipper.batchSise",
        ]);
        expect(error.problems.find((problem) => problem.key.endsWith("batchSise"))?.fix).to.equal("pulumi config rm --path 'log-platform:shipper.batchSise'");
    });

    it("accepts numbers and booleans given as strings, as `pulumi config set --path` stores them", function () {
        const sections = prodSections();
        (sections["shipper"] as Record<string, unknown>)["batchSize"] = "250";
        (sections["network"] as Record<string, unknown>)["createVpcEndpoints"] = "false";
        const config = parsePlatformConfig({ project: "log-platform", stack: "prod", region: "eu-west-1", sections });
        expect(config.shipper.batchSize).to.equal(250);
        expect(config.network.createVpcEndpoints).to.equal(false);
    });

    it("stops the real program (index.ts) when a required key in Pulumi.prod.yaml is broken", async function () {
        const network = prodSections()["network"] as Record<string, unknown>;
        try {
            await runStack("prod", { "log-platform:network": { ...network, subnetIds: "subnet-1" }, "log-platform:elasticsearch": null });
            expect.fail("the program accepted a broken configuration");
        } catch (error) {
            const message = (error as Error).message;
            expect(message).to.contain('Invalid configuration for stack "prod"');
            expect(message).to.contain("log-platform:network.subnetIds");
            expect(message).to.contain("fix: pulumi config set --path 'log-platform:elasticsearch.endpoint' https://");
            expect(message).to.contain("fix: pulumi config set --path 'log-platform:elasticsearch.credentialsSecretArn' arn:aws:secretsmanager:");
        }
    });
});
