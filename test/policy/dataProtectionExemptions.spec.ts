import { expect } from "chai";

import { EXEMPTION_TAG as COMPONENT_TAG } from "../../components/dataProtection/component";
import { EXEMPTION_TAG } from "../../policypack/lib/dataAgeExemptions";
import { dataProtectionExemptionDeclared, dataProtectionExemptionInUse, queueStreamDataRetention, s3DataRetention } from "../../policypack/policies/dataProtection";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const REASON = "daily KPI aggregates, no personal data";
const component = (exemptions: unknown[]): StackResourceSpec => ({
    type: "log-platform:security:DataProtection",
    name: "data-protection",
    props: { maxAgeDays: 7, deletionLagHours: { cloudwatchHours: 72, s3Hours: 24, dynamodbTtlHours: 72 }, exemptions, stores: [] },
});
const tagged = (tag: unknown): Record<string, unknown> => ({ tags: { [EXEMPTION_TAG]: tag, owner: "platform-team" } });
// A versioned bucket whose objects expire after 395 days (old versions 1 d, uploads 1 d): about 400 days.
const kpiBucket = (tags: Record<string, unknown> = {}, expireDays = 395): StackResourceSpec[] => [
    { type: "aws:s3/bucket:Bucket", name: "kpi-bucket", props: { bucket: "kpi-bucket-441b454", ...tags } },
    { type: "aws:s3/bucketVersioning:BucketVersioning", name: "kpi-bucket-versioning", props: { bucket: "kpi-bucket-441b454", versioningConfiguration: { status: "Enabled" } }, propertyDependencies: { bucket: ["kpi-bucket"] } },
    {
        type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        name: "kpi-bucket-lifecycle",
        props: { bucket: "kpi-bucket-441b454", rules: [{ id: "r", status: "Enabled", filter: { prefix: "" }, expiration: { days: expireDays }, noncurrentVersionExpiration: { noncurrentDays: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }] },
        propertyDependencies: { bucket: ["kpi-bucket"] },
    },
];
const exemption = { store: "kpi-objects", reason: REASON, maxAgeDays: 400 };
const run = (policy: Parameters<typeof runStackPolicy>[0], specs: StackResourceSpec[], config?: Record<string, unknown>) => runStackPolicy(policy, stackArgs(specs, { config }));

describe("data-protection exemptions: the stack's declaration AND the resource's tag", function () {
    it("uses the tag the program sets", function () {
        expect(EXEMPTION_TAG).to.equal(COMPONENT_TAG);
    });

    it("exempts a tagged bucket the DataProtection component names, up to the exemption's bound", async function () {
        expect(await run(s3DataRetention, [component([exemption]), ...kpiBucket(tagged("kpi-objects"))])).to.deep.equal([]);
        // Past its own bound (400 days): 410 days of expiry is blocked, naming the exemption.
        const [violation] = await run(s3DataRetention, [component([exemption]), ...kpiBucket(tagged("kpi-objects"), 410)]);
        expect(violation?.message).to.contain("its exemption's 400 days").and.contain("kpi-objects");
    });

    it("exempts nothing with only one half: the entry without the tag, or the tag without the entry", async function () {
        expect((await run(s3DataRetention, [component([exemption]), ...kpiBucket()])).map((violation) => violation.message).join()).to.contain("7-day limit");
        expect(await run(s3DataRetention, [component([]), ...kpiBucket(tagged("kpi-objects"))])).to.have.length(1);
        expect(await run(s3DataRetention, [component([{ ...exemption, store: "elasticsearch" }]), ...kpiBucket(tagged("kpi-objects"))])).to.have.length(1);
        // An entry without a reason declares nothing.
        expect(await run(s3DataRetention, [component([{ store: "kpi-objects", maxAgeDays: 400 }]), ...kpiBucket(tagged("kpi-objects"))])).to.have.length(1);
    });

    it("takes exemptions from policy config for programs without the component", async function () {
        expect(await run(s3DataRetention, kpiBucket(tagged("kpi-objects")), { exemptions: [exemption] })).to.deep.equal([]);
        expect(await run(s3DataRetention, kpiBucket(), { exemptions: [exemption] })).to.have.length(1);
    });

    it("applies to queues too: an exempted queue may keep data up to its bound", async function () {
        const queue: StackResourceSpec = { type: "aws:sqs/queue:Queue", name: "archive", props: { name: "archive", messageRetentionSeconds: 14 * 86400, ...tagged("archive-queue") } };
        expect(await run(queueStreamDataRetention, [queue])).to.have.length(1);
        expect(await run(queueStreamDataRetention, [component([{ store: "archive-queue", reason: REASON, maxAgeDays: 14 }]), queue])).to.deep.equal([]);
    });
});

describe("policy data-protection-exemption-declared", function () {
    it("passes a tag whose store the component (or the policy config) declares", async function () {
        expect(await run(dataProtectionExemptionDeclared, [component([exemption]), ...kpiBucket(tagged("kpi-objects"))])).to.deep.equal([]);
        expect(await run(dataProtectionExemptionDeclared, kpiBucket(tagged("kpi-objects")), { exemptions: [exemption] })).to.deep.equal([]);
        expect(await run(dataProtectionExemptionDeclared, kpiBucket())).to.deep.equal([]);
    });

    it("blocks a tag without the component's entry, on the tagged resource", async function () {
        const [violation, ...more] = await run(dataProtectionExemptionDeclared, [component([]), ...kpiBucket(tagged("kpi-objects"))]);
        expect(more).to.deep.equal([]);
        expect(violation?.urn).to.contain("::kpi-bucket");
        expect(violation?.message).to.contain(`${EXEMPTION_TAG}=kpi-objects`).and.contain("the tag alone exempts nothing");
        const noReason = await run(dataProtectionExemptionDeclared, [component([{ store: "kpi-objects", reason: " ", maxAgeDays: 400 }]), ...kpiBucket(tagged("kpi-objects"))]);
        expect(noReason.map((entry) => entry.message).join()).to.contain("without a reason");
    });

    it("reads the provider's tagsAll too, and leaves an unknown tag alone", async function () {
        expect(await run(dataProtectionExemptionDeclared, kpiBucket({ tagsAll: { [EXEMPTION_TAG]: "kpi-objects" } }))).to.have.length(1);
        expect(await run(dataProtectionExemptionDeclared, kpiBucket(tagged(unknown.string)))).to.deep.equal([]);
    });
});

describe("policy data-protection-exemption-in-use (advisory)", function () {
    it("reports every exemption in use with its reason and bound", async function () {
        const [violation, ...more] = await run(dataProtectionExemptionInUse, [component([exemption]), ...kpiBucket(tagged("kpi-objects"))]);
        expect(more).to.deep.equal([]);
        expect(dataProtectionExemptionInUse.enforcementLevel).to.equal("advisory");
        expect(violation?.urn).to.contain("::kpi-bucket");
        expect(violation?.message).to.contain(REASON).and.contain("400 days").and.contain('DataProtection component "data-protection"');
    });

    it("says when the store fits the limit anyway (the exemption is not needed, or its longer retention never applies)", async function () {
        // Expire 2 d: (48 + 48) + (24 + 48) = 168 h.
        const [violation] = await run(dataProtectionExemptionInUse, [component([exemption]), ...kpiBucket(tagged("kpi-objects"), 2)]);
        expect(violation?.message).to.contain("not needed").and.contain("7d");
        const [longer] = await run(dataProtectionExemptionInUse, [component([exemption]), ...kpiBucket(tagged("kpi-objects"))]);
        expect(longer?.message).to.not.contain("not needed");
    });

    it("reports nothing for a tag the stack does not declare (data-protection-exemption-declared blocks it)", async function () {
        expect(await run(dataProtectionExemptionInUse, kpiBucket(tagged("kpi-objects")))).to.deep.equal([]);
    });
});
