import { resourcePolicy, stackPolicy } from "../lib/policy";
import { ofTypes } from "../lib/stack";
import { asString, get, UNKNOWN } from "../lib/values";

export const CATALOG_ENCRYPTION_TYPE = "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings";
const TABLE_TYPE = "aws:glue/catalogTable:CatalogTable";
const KMS_MODES = ["SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"];

export const glueDataCatalogEncryption = resourcePolicy({
    name: "glue-data-catalog-encryption",
    description:
        "Glue Data Catalog encryption settings encrypt the catalog at rest with a KMS key (SSE-KMS) and return connection passwords encrypted with a KMS key.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        'Set `dataCatalogEncryptionSettings: { encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: key.arn }, connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: key.arn } }` on the aws.glue.DataCatalogEncryptionSettings.',
    validateResource: (args, reportViolation) => {
        if (args.type !== CATALOG_ENCRYPTION_TYPE) {
            return;
        }
        const settings = "dataCatalogEncryptionSettings";
        const mode = get(args.props, `${settings}.encryptionAtRest.catalogEncryptionMode`);
        if (mode !== UNKNOWN && !KMS_MODES.includes(asString(mode) ?? "")) {
            reportViolation(`catalog is not encrypted at rest with KMS (catalogEncryptionMode is ${asString(mode) ?? "not set"}; required: ${KMS_MODES.join(" or ")})`);
        } else if (mode !== UNKNOWN && get(args.props, `${settings}.encryptionAtRest.sseAwsKmsKeyId`) === undefined) {
            reportViolation("catalog encryption at rest names no KMS key (set encryptionAtRest.sseAwsKmsKeyId)");
        }
        const passwords = get(args.props, `${settings}.connectionPasswordEncryption.returnConnectionPasswordEncrypted`);
        if (passwords !== UNKNOWN && (passwords !== true || get(args.props, `${settings}.connectionPasswordEncryption.awsKmsKeyId`) === undefined)) {
            reportViolation("connection passwords are not returned encrypted with a KMS key (set connectionPasswordEncryption.returnConnectionPasswordEncrypted and awsKmsKeyId)");
        }
    },
});

export const glueDataCatalogEncryptionSettingsPresent = stackPolicy({
    name: "glue-data-catalog-encryption-settings-present",
    description:
        "A stack that defines Glue tables also sets the Data Catalog's encryption (aws.glue.DataCatalogEncryptionSettings); advisory, because the setting is one per account and region and may belong to another stack.",
    category: "security",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
        'Add `new aws.glue.DataCatalogEncryptionSettings(..., { dataCatalogEncryptionSettings: { encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: key.arn }, connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: key.arn } } })` (its key policy must let Glue and the catalog\'s readers use the key), or confirm that the stack owning the account\'s catalog settings does.',
    validateStack: (args, reportViolation) => {
        const tables = ofTypes(args.resources, TABLE_TYPE);
        if (tables.length > 0 && ofTypes(args.resources, CATALOG_ENCRYPTION_TYPE).length === 0) {
            reportViolation(
                `${tables.length} Glue table(s) but no aws.glue.DataCatalogEncryptionSettings in this stack: the catalog holding their metadata may be unencrypted`,
                tables[0]?.urn,
            );
        }
    },
});
