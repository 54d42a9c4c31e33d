import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

import { ConfigError, parsePlatformConfig } from "../../components/config";
import {
    DEFAULT_LAGS,
    dynamodbWorstHours,
    elasticsearchWorstHours,
    logGroupWorstHours,
    longestLogGroupRetentionDays,
    parseDurationHours,
    s3WorstHours,
} from "../../components/dataProtection/ages";
import { EXEMPTION_TAG, formatPlan } from "../../components/dataProtection/component";
import { shipperBaseConfig } from "../../components/logShipper";
import { indexTemplateBody } from "../../functions/shipper/template";
import { runStack } from "../harness/program";
import { ROOT } from "../harness/services/paths";

type Sections = Record<string, Record<string, unknown>>;

/** The sections of a stack file, as `pulumi config` hands them to the program. */
function stackSections(stack: string): Sections {
    const file = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const sections: Sections = {};
    for (const [key, value] of Object.entries(file.config)) {
        if (key.startsWith("log-platform:")) sections[key.slice("log-platform:".length)] = structuredClone(value) as Record<string, unknown>;
    }
    return sections;
}

function parse_(sections: Sections, stack = "prod") {
    return parsePlatformConfig({ project: "log-platform", stack, region: "eu-west-1", sections });
}

/** The problems a config is refused with (fails when it is accepted). */
function refusal(sections: Sections): ConfigError["problems"] {
    try {
        parse_(sections);
    } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
    }
    throw new Error("expected the configuration to be refused");
}

const DAY = 24;

describe("data protection: worst-case ages (components/dataProtection/ages.ts)", function () {
    it("log groups: retention plus CloudWatch's 72 h deletion lag; the longest retention that fits", function () {
        expect(logGroupWorstHours(7, DEFAULT_LAGS)).to.equal(10 * DAY);
        expect(logGroupWorstHours(undefined, DEFAULT_LAGS)).to.equal(Infinity);
        // 3 d + 3 d <= 7 d < 5 d + 3 d
        expect(longestLogGroupRetentionDays(7 * DAY, DEFAULT_LAGS)).to.equal(3);
        // Without a lag, 7 itself fits; a 5-day limit leaves only 1 day with the lag; a 3-day limit none.
        expect(longestLogGroupRetentionDays(7 * DAY, { ...DEFAULT_LAGS, cloudwatchHours: 0 })).to.equal(7);
        expect(longestLogGroupRetentionDays(5 * DAY, DEFAULT_LAGS)).to.equal(1);
        expect(longestLogGroupRetentionDays(3 * DAY, DEFAULT_LAGS)).to.equal(undefined);
    });

    it("S3: expiry rounds to the next midnight and waits for the removal lag, twice in a versioned bucket; Object Lock holds versions", function () {
        const lags = { ...DEFAULT_LAGS, s3Hours: 24 };
        // current: 2 d + midnight 1 d + lag 1 d; old version: 1 d + 1 d + 1 d; multipart parts 1 d + 1 d + 1 d.
        expect(s3WorstHours({ expirationDays: 2, versioned: true, noncurrentDays: 1, abortIncompleteMultipartDays: 1 }, lags)).to.equal(7 * DAY);
        expect(s3WorstHours({ expirationDays: 7, versioned: false, abortIncompleteMultipartDays: 1 }, lags)).to.equal(9 * DAY);
        expect(s3WorstHours({ expirationDays: 2, versioned: true, abortIncompleteMultipartDays: 1 }, lags), "no noncurrent expiry").to.equal(Infinity);
        expect(s3WorstHours({ expirationDays: 2, versioned: false }, lags), "no abort rule: parts stay").to.equal(Infinity);
        expect(s3WorstHours({ expirationDays: 1, versioned: false, abortIncompleteMultipartDays: 1, objectLockDays: 365 }, lags)).to.equal(365 * DAY);
    });

    it("Elasticsearch: the automatic rollover, the retention and two lifecycle runs; DynamoDB: TTL lag and the PITR window", function () {
        expect(elasticsearchWorstHours(3 * DAY)).to.be.closeTo(DAY + 3 * DAY + 10 / 60, 1e-9);
        expect(elasticsearchWorstHours(30 * DAY)).to.be.closeTo(7 * DAY + 30 * DAY + 10 / 60, 1e-9);
        expect(elasticsearchWorstHours(undefined)).to.equal(Infinity);
        expect(parseDurationHours("72h")).to.equal(72);
        expect(parseDurationHours("3d")).to.equal(72);
        expect(parseDurationHours("3 days")).to.equal(undefined);
        const table = { ttlEnabled: true, itemLifetimeHours: 3 * DAY, pitrEnabled: true, pitrRecoveryDays: 1, onDemandBackups: 0 };
        expect(dynamodbWorstHours(table, DEFAULT_LAGS)).to.equal(7 * DAY);
        expect(dynamodbWorstHours({ ...table, pitrRecoveryDays: undefined }, DEFAULT_LAGS), "PITR defaults to 35 days").to.equal(3 * DAY + 72 + 35 * DAY);
        expect(dynamodbWorstHours({ ...table, ttlEnabled: false }, DEFAULT_LAGS)).to.equal(Infinity);
        expect(dynamodbWorstHours({ ...table, onDemandBackups: 1 }, DEFAULT_LAGS)).to.equal(Infinity);
    });
});

describe("data protection: the stack's retention plan (components/dataProtection/plan.ts)", function () {
    it("prod: every store within 7 days counted end to end, the KPI objects only by their named exemption", function () {
        const { plan } = parse_(stackSections("prod"));
        const verdicts = Object.fromEntries(plan.stores.map((store) => [store.store, store.verdict]));
        expect(verdicts).to.deep.equal({
            "log-groups": "ok",
            "shipper-kinesis": "ok",
            "shipper-sqs": "ok",
            "shipper-sqs-dlq": "ok",
            "shipper-dead-letters": "ok",
            "failure-queues": "ok",
            "eventbridge-dlqs": "ok",
            elasticsearch: "ok",
            "kpi-objects": "exempt",
            "athena-results": "ok",
            "trail-bucket": "ok",
            "trips-table": "ok",
        });
        for (const store of plan.stores.filter((entry) => entry.verdict === "ok")) {
            expect(store.worstHours, store.store).to.be.at.most(7 * DAY);
        }
        // Elasticsearch: fed at worst by a failure record shipped by hand (6 h + 48 h), then 1 d rollover + 3 d + 10 min.
        const es = plan.stores.find((store) => store.store === "elasticsearch");
        expect(es?.upstreamHours).to.equal(54);
        expect(es?.worstHours).to.be.closeTo(54 + DAY + 3 * DAY + 10 / 60, 1e-9);
        expect(plan.values).to.deep.include({ logGroupDays: 3, sourceQueueSeconds: 86400, deadLetterSeconds: 72 * 3600, failureQueueSeconds: 48 * 3600 });
        expect(plan.values.bucket).to.deep.equal({ expirationDays: 2, noncurrentDays: 1, abortMultipartDays: 1 });
        expect(plan.values.trips).to.deep.equal({ retentionDays: 3, pitrDays: 1 });
        // A dead letter's data may be replayed into Elasticsearch only while it has room left there.
        expect(plan.values.replayMaxDataAgeHours).to.be.closeTo(7 * DAY - (DAY + 3 * DAY + 10 / 60), 1e-9);
        expect(formatPlan(plan, 7)).to.match(/kpi-objects\s.*exempt \(400d\)/);
    });

    it("dev: no exemption, so its KPI objects expire like every other object", function () {
        const { plan } = parse_(stackSections("dev"), "dev");
        expect(plan.stores.find((store) => store.store === "kpi-objects")?.verdict).to.equal("ok");
        expect(plan.values.kpiObjects).to.deep.equal({ expirationDays: 2, noncurrentDays: 1, exempt: false });
        expect(plan.stores.every((store) => store.verdict === "ok")).to.equal(true);
    });

    it("refuses a source queue that, with a redrive and Elasticsearch after it, keeps data past the limit, naming the settings", function () {
        const sections = stackSections("prod");
        sections["shipper"]["sqsMessageRetentionSeconds"] = 345600; // 4 days: redriven once = 8 days before Elasticsearch
        const problems = refusal(sections);
        // 4 d in the source DLQ + 4 d again after a redrive, then 1 d rollover + 3 d + 10 min: 12 d 10 min.
        expect(problems.map((problem) => problem.key)).to.deep.equal(["log-platform:elasticsearch.dataRetention"]);
        expect(problems[0]?.message).to.match(/^elasticsearch .* can keep data 12d 10m /);
        expect(problems[0]?.fix).to.include("shipper.sqsMessageRetentionSeconds");
    });

    it("refuses a long Elasticsearch retention unless an exemption names it with its own bound", function () {
        const sections = stackSections("prod");
        sections["elasticsearch"]["dataRetention"] = "30d";
        expect(refusal(sections).map((problem) => problem.key)).to.deep.equal(["log-platform:elasticsearch.dataRetention"]);
        (sections["dataProtection"]["exemptions"] as unknown[]).push({ store: "elasticsearch", reason: "the cluster's owners keep 30 days under their own policy", maxAgeDays: 30 });
        // 30 d + 7 d rollover + upstream: past its own 30-day bound too.
        expect(refusal(sections)[0]?.message).to.include("its exemption's 30 days");
        (sections["dataProtection"]["exemptions"] as { maxAgeDays: number }[])[1].maxAgeDays = 40;
        const { plan } = parse_(sections);
        expect(plan.stores.find((store) => store.store === "elasticsearch")?.verdict).to.equal("exempt");
        // ... and the shipper's index template carries the mark the audit needs (functions/shipper/template.ts).
        expect(plan.values.elasticsearchExempt).to.equal(true);
        const config = shipperBaseConfig(parse_(stackSections("prod")).shipper, parse_(sections).elasticsearch, plan.values.elasticsearchExempt);
        expect(config.elasticsearch.dataProtectionExemption).to.equal(true);
        expect(indexTemplateBody("prod", { dataRetention: "30d", dataProtectionExemption: config.elasticsearch.dataProtectionExemption })["_meta"]).to.deep.include({ [EXEMPTION_TAG]: "elasticsearch" });
        expect(parse_(stackSections("prod")).plan.values.elasticsearchExempt, "never by default").to.equal(false);
    });

    it("refuses a log group retention whose deletion lag takes it past the limit, and an on-create rule without a trail", function () {
        const sections = stackSections("prod");
        sections["retention"]["maxRetentionDays"] = 5;
        sections["retention"]["createTrail"] = false;
        const problems = refusal(sections);
        // 5 d + 72 h = 8 d: refused once, as the setting (not again as the log-groups store it sizes).
        expect(problems.map((problem) => problem.key)).to.have.members(["log-platform:retention.maxRetentionDays", "log-platform:retention.createTrail"]);
        expect(problems.find((problem) => problem.key.endsWith("maxRetentionDays"))?.fix).to.include("retention.maxRetentionDays' 3");
        expect(problems.find((problem) => problem.key.endsWith("createTrail"))?.fix).to.include("retention.existingTrailArn");
        sections["retention"]["maxRetentionDays"] = 3;
        sections["retention"]["existingTrailArn"] = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/organization-trail";
        expect(parse_(sections).retention.maxRetentionDays).to.equal(3);
    });

    it("refuses trips kept shorter than the recompute window, an exemption of any other store, and a reasonless exemption", function () {
        const sections = stackSections("prod");
        sections["kpi"]["tripRetentionDays"] = 2;
        expect(refusal(sections).map((problem) => problem.key)).to.deep.equal(["log-platform:kpi.tripRetentionDays"]);
        const other = stackSections("prod");
        other["dataProtection"]["exemptions"] = [{ store: "log-groups", reason: "we would like to keep them longer", maxAgeDays: 30 }];
        expect(refusal(other)[0]?.key).to.equal("log-platform:dataProtection.exemptions[0].store");
        const reasonless = stackSections("prod");
        reasonless["dataProtection"]["exemptions"] = [{ store: "kpi-objects", reason: "kpis", maxAgeDays: 400 }];
        expect(refusal(reasonless)[0]?.message).to.match(/say why/);
    });
});

describe("data protection at preview (the program under mocks)", function () {
    this.timeout(120_000);

    it("prints the plan, and each exemption as a warning", async function () {
        const run = await runStack("prod");
        const info = run.diagnostics.filter((diagnostic) => diagnostic.severity === "info").map((diagnostic) => diagnostic.message);
        expect(info.some((message) => /^Data protection: nothing kept longer than 7 days/.test(message) && /trips-table\s/.test(message))).to.equal(true);
        const warnings = run.diagnostics.filter((diagnostic) => diagnostic.severity === "warning").map((diagnostic) => diagnostic.message);
        expect(warnings).to.deep.equal([
            'data-protection exemption "kpi-objects": keeps data up to 400 days, past the 7-day limit. Reason: daily KPI aggregates (counts, sums, percentiles per day); no trip, rider or driver data',
        ]);
        const component = run.resources.find((resource) => resource.type === "log-platform:security:DataProtection");
        expect(component?.inputs["maxAgeDays"]).to.equal(7);
        expect(component?.inputs["exemptions"]).to.deep.equal([
            { store: "kpi-objects", reason: "daily KPI aggregates (counts, sums, percentiles per day); no trip, rider or driver data", maxAgeDays: 400 },
        ]);
    });

    it("fails the preview of a stack whose existing trips table keeps trips too long, with the commands that fix it", async function () {
        const failure = await runStack("prod", undefined, { existingTable: { ttl: { attributeName: "", enabled: false }, pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 0 } } }).then(
            () => undefined,
            (error: Error) => error,
        );
        expect(failure?.message).to.include("The trips table trips-prod keeps trips past the data-protection limit");
        expect(failure?.message).to.include("aws dynamodb update-time-to-live --table-name trips-prod --time-to-live-specification Enabled=true,AttributeName=expiresAt");
        expect(failure?.message).to.include("point-in-time recovery reaches back 35 days (at most 1)");
        const fine = await runStack("prod", undefined, { existingTable: { pointInTimeRecovery: { enabled: false, recoveryPeriodInDays: 0 } } });
        expect(fine.resources.length).to.be.greaterThan(50);
    });
});
