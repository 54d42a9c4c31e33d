import { expect } from "chai";

import { glueDataCatalogEncryption, glueDataCatalogEncryptionSettingsPresent } from "../../policypack/policies/glue";
import { resourceArgs, runResourcePolicy, runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const SETTINGS = "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const settings = (atRest: Record<string, unknown>, passwords: Record<string, unknown>) => ({ dataCatalogEncryptionSettings: { encryptionAtRest: atRest, connectionPasswordEncryption: passwords } });
const kmsAtRest = { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: KEY };
const encryptedPasswords = { returnConnectionPasswordEncrypted: true, awsKmsKeyId: KEY };

describe("policy glue-data-catalog-encryption", function () {
    const run = (props: Record<string, unknown>) => runResourcePolicy(glueDataCatalogEncryption, resourceArgs(SETTINGS, props));

    it("passes SSE-KMS (also with a service role) and encrypted connection passwords", async function () {
        expect(await run(settings(kmsAtRest, encryptedPasswords))).to.deep.equal([]);
        expect(await run(settings({ ...kmsAtRest, catalogEncryptionMode: "SSE-KMS-WITH-SERVICE-ROLE", catalogEncryptionServiceRole: "arn:aws:iam::123456789012:role/glue" }, encryptedPasswords))).to.deep.equal([]);
    });

    it("blocks DISABLED, SSE-KMS without a key, and passwords returned in plaintext or without a key", async function () {
        expect((await run(settings({ catalogEncryptionMode: "DISABLED" }, encryptedPasswords))).map((v) => v.message).join()).to.contain("DISABLED");
        expect((await run(settings({ catalogEncryptionMode: "SSE-KMS" }, encryptedPasswords))).map((v) => v.message).join()).to.contain("sseAwsKmsKeyId");
        expect(await run(settings(kmsAtRest, { returnConnectionPasswordEncrypted: false }))).to.have.length(1);
        expect(await run(settings(kmsAtRest, { returnConnectionPasswordEncrypted: true }))).to.have.length(1);
    });

    it("does not report unknown settings", async function () {
        expect(await run(settings({ catalogEncryptionMode: unknown.string }, { returnConnectionPasswordEncrypted: unknown.boolean }))).to.deep.equal([]);
        expect(await run({ dataCatalogEncryptionSettings: unknown.object })).to.deep.equal([]);
    });
});

describe("policy glue-data-catalog-encryption-settings-present (advisory)", function () {
    const table: StackResourceSpec = { type: "aws:glue/catalogTable:CatalogTable", name: "kpi-table", props: { databaseName: "trip_kpis", name: "daily_kpis" } };

    it("reports once for a stack with Glue tables and no catalog encryption settings, on a table", async function () {
        const violations = await runStackPolicy(glueDataCatalogEncryptionSettingsPresent, stackArgs([table, { ...table, name: "other-table" }]));
        expect(violations).to.have.length(1);
        expect(violations[0]?.message).to.contain("2 Glue table(s)");
        expect(violations[0]?.urn).to.contain("::kpi-table");
        expect(glueDataCatalogEncryptionSettingsPresent.enforcementLevel).to.equal("advisory");
    });

    it("passes when the stack sets the catalog's encryption, or has no tables", async function () {
        expect(await runStackPolicy(glueDataCatalogEncryptionSettingsPresent, stackArgs([table, { type: SETTINGS, name: "catalog", props: settings(kmsAtRest, encryptedPasswords) }]))).to.deep.equal([]);
        expect(await runStackPolicy(glueDataCatalogEncryptionSettingsPresent, stackArgs([{ type: "aws:glue/catalogDatabase:CatalogDatabase", name: "db", props: {} }]))).to.deep.equal([]);
    });
});
