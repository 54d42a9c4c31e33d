import { expect } from "chai";

import { backupDataRetention, dynamodbDataRetention } from "../../policypack/policies/dataProtection";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const TABLE = "aws:dynamodb/table:Table";
const TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/trips";
const table = (props: Record<string, unknown> = {}, name = "trips"): StackResourceSpec => ({
    type: TABLE,
    name,
    props: { name, arn: TABLE_ARN, hashKey: "tripId", ttl: { attributeName: "expiresAt", enabled: true }, pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 1 }, ...props },
});
const check = (specs: StackResourceSpec[], config?: Record<string, unknown>) => runStackPolicy(dynamodbDataRetention, stackArgs(specs, { config }));
const messages = async (specs: StackResourceSpec[], config?: Record<string, unknown>) => (await check(specs, config)).map((violation) => violation.message).join("\n");

// By hand: items 3 d (default itemLifetimeDays) + 72 h TTL lag + PITR window.
describe("policy dynamodb-data-retention", function () {
    it("passes TTL on and a 1-day PITR window (3 d + 72 h + 1 d = 7 d), and no PITR at all (6 d)", async function () {
        expect(await check([table()])).to.deep.equal([]);
        expect(await check([table({ pointInTimeRecovery: { enabled: false } })])).to.deep.equal([]);
        expect(await check([table({ pointInTimeRecovery: undefined })])).to.deep.equal([]);
    });

    it("blocks a 2-day window (8 days in all), with the sum, on the table", async function () {
        const [violation, ...more] = await check([table({ pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 2 } })]);
        expect(more).to.deep.equal([]);
        expect(violation?.urn).to.contain("::trips");
        expect(violation?.message).to.contain("8d").and.contain("3 d").and.contain("72 h").and.contain("PITR window 2 d");
    });

    it("blocks PITR without recoveryPeriodInDays (35 days) and a table without TTL", async function () {
        expect(await messages([table({ pointInTimeRecovery: { enabled: true } })])).to.contain("recoveryPeriodInDays").and.contain("35 days");
        expect(await messages([table({ ttl: { attributeName: "expiresAt", enabled: false } })])).to.contain("TTL is off").and.contain("forever");
        expect(await messages([table({ ttl: undefined })])).to.contain("TTL is off");
    });

    it("takes the item lifetime, the limit and the TTL lag from config", async function () {
        // 5 d items + 72 h + 1 d = 9 d.
        expect(await messages([table()], { itemLifetimeDays: 5 })).to.contain("9d");
        expect(await check([table()], { itemLifetimeDays: 5, maxAgeDays: 9 })).to.deep.equal([]);
        // A 24 h TTL lag: 3 d + 24 h + 2 d = 6 d.
        expect(await check([table({ pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 2 } })], { deletionLagHours: { dynamodbTtl: 24 } })).to.deep.equal([]);
    });

    it("blocks global-table replicas with point-in-time recovery (a replica cannot set the window)", async function () {
        const replicated = table({ replicas: [{ regionName: "eu-central-1", pointInTimeRecovery: true }] });
        expect(await messages([replicated])).to.contain("eu-central-1").and.contain("35 days");
        expect(await check([table({ replicas: [{ regionName: "eu-central-1", pointInTimeRecovery: false }] })])).to.deep.equal([]);
        const replica: StackResourceSpec = { type: "aws:dynamodb/tableReplica:TableReplica", name: "trips-frankfurt", props: { globalTableArn: TABLE_ARN, pointInTimeRecovery: true } };
        const [violation] = await check([table(), replica]);
        expect(violation?.urn).to.contain("::trips-frankfurt");
        expect(await check([table(), { ...replica, props: { globalTableArn: TABLE_ARN } }])).to.deep.equal([]);
    });

    it("blocks a legacy global table replicating into a region where the program manages no such table", async function () {
        const global: StackResourceSpec = { type: "aws:dynamodb/globalTable:GlobalTable", name: "trips-global", props: { name: "trips", replicas: [{ regionName: "eu-west-1" }, { regionName: "us-east-1" }] } };
        const west = table({ region: "eu-west-1" }, "trips");
        expect(await messages([west, global])).to.contain("us-east-1").and.not.contain("eu-west-1,");
        const east: StackResourceSpec = { ...table({ region: "us-east-1" }), name: "trips-east", props: { ...table({ region: "us-east-1" }).props, name: "trips" } };
        expect(await check([west, east, global])).to.deep.equal([]);
        // Without a region input, the table is where its ARN says (eu-west-1); with neither known, it may be anywhere.
        expect(await messages([table(), global])).to.contain("us-east-1");
        expect(await check([table({ arn: unknown.string }), global])).to.deep.equal([]);
    });

    it("counts a table export: the items' age + how long the bucket keeps the copy; blocks a bucket outside the program", async function () {
        const bucket: StackResourceSpec = { type: "aws:s3/bucket:Bucket", name: "exports", props: { bucket: "exports-abc1234" } };
        // Unversioned bucket, expire 1 d, abort 1 d: 24 + 48 = 72 h.
        const lifecycle: StackResourceSpec = {
            type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            name: "exports-lifecycle",
            props: { bucket: "exports-abc1234", rules: [{ id: "r", status: "Enabled", filter: { prefix: "" }, expiration: { days: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }] },
            propertyDependencies: { bucket: ["exports"] },
        };
        const exported: StackResourceSpec = { type: "aws:dynamodb/tableExport:TableExport", name: "trips-export", props: { tableArn: TABLE_ARN, s3Bucket: "exports-abc1234", s3Prefix: "trips/" } };
        // Items 1 d + 72 h, no PITR = 96 h; + 72 h in S3 = 168 h: fits. With 3-day items: 144 + 72 = 216 h = 9 d.
        const noPitr = table({ pointInTimeRecovery: { enabled: false } });
        expect(await check([noPitr, bucket, lifecycle, exported], { itemLifetimeDays: 1 })).to.deep.equal([]);
        const [violation] = await check([noPitr, bucket, lifecycle, exported]);
        expect(violation?.urn).to.contain("::trips-export");
        expect(violation?.message).to.contain("9d");
        expect(await messages([noPitr, { ...exported, props: { ...exported.props, s3Bucket: "someone-elses-bucket" } }], { itemLifetimeDays: 1 })).to.contain("someone-elses-bucket");
    });

    it("never makes up a violation from unknown values", async function () {
        expect(await check([table({ ttl: { attributeName: "expiresAt", enabled: unknown.boolean } })])).to.deep.equal([]);
        expect(await check([table({ pointInTimeRecovery: unknown.object })])).to.deep.equal([]);
    });
});

describe("policy backup-data-retention", function () {
    const plan = (rule: Record<string, unknown>): StackResourceSpec => ({
        type: "aws:backup/plan:Plan",
        name: "nightly",
        props: { name: "nightly", rules: [{ ruleName: "daily", targetVaultName: "vault", schedule: "cron(0 1 * * ? *)", ...rule }] },
    });
    const check = (specs: StackResourceSpec[], config?: Record<string, unknown>) => runStackPolicy(backupDataRetention, stackArgs(specs, { config }));

    it("passes recovery points deleted within 7 days", async function () {
        expect(await check([plan({ lifecycle: { deleteAfter: 7 } })])).to.deep.equal([]);
        expect(await check([plan({ lifecycle: { deleteAfter: 3 }, copyActions: [{ destinationVaultArn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:copy", lifecycle: { deleteAfter: 5 } }] })])).to.deep.equal([]);
    });

    it("blocks a rule or copy action kept longer, or kept until deleted by hand", async function () {
        expect((await check([plan({ lifecycle: { deleteAfter: 35 } })])).map((violation) => violation.message).join()).to.contain("35 days");
        expect((await check([plan({})])).map((violation) => violation.message).join()).to.contain("deleted by hand");
        const copy = await check([plan({ lifecycle: { deleteAfter: 7 }, copyActions: [{ destinationVaultArn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:copy" }] })]);
        expect(copy.map((violation) => violation.message).join()).to.contain("copy action 1");
        expect(await check([plan({ lifecycle: { deleteAfter: unknown.number } })])).to.deep.equal([]);
    });

    it("blocks a vault lock whose minimum retention is past the limit", async function () {
        const lock = (minRetentionDays: number): StackResourceSpec => ({ type: "aws:backup/vaultLockConfiguration:VaultLockConfiguration", name: "vault-lock", props: { backupVaultName: "vault", minRetentionDays } });
        expect(await check([lock(30)])).to.have.length(1);
        expect(await check([lock(7)])).to.deep.equal([]);
        expect(await check([lock(30)], { maxAgeDays: 30 })).to.deep.equal([]);
    });
});
