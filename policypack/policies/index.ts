/**
 * Every policy of the pack, in one list. Tests import the policy objects from their domain files; only
 * ../index.ts constructs the PolicyPack (whose constructor starts the analyzer's gRPC server).
 */
import { PlatformPolicy } from "../lib/policy";
import * as athena from "./athena";
import * as cloudtrail from "./cloudtrail";
import * as compute from "./compute";
import * as dataProtection from "./dataProtection";
import * as database from "./database";
import * as events from "./events";
import * as glue from "./glue";
import * as iam from "./iam";
import * as kms from "./kms";
import * as logs from "./logs";
import * as messaging from "./messaging";
import * as network from "./network";
import * as storage from "./storage";

export const allPolicies: PlatformPolicy[] = [
    iam.iamNoWildcard,
    iam.iamFederatedTrustPinned,
    iam.iamNoAdminManagedPolicies,
    iam.lambdaCallbackFunctionExplicitRole,
    storage.s3BucketEncryption,
    storage.s3PublicAccessBlock,
    storage.s3DenyInsecureTransport,
    storage.s3Versioning,
    storage.s3LogBucketExpiry,
    logs.logGroupRetention,
    logs.logGroupEncrypted,
    logs.logGroupClass,
    logs.lambdaManagedLogGroup,
    logs.logsAccountSubscriptionNoFeedback,
    cloudtrail.cloudtrailTrailKms,
    cloudtrail.cloudtrailLogFileValidation,
    cloudtrail.cloudtrailMultiRegion,
    cloudtrail.cloudtrailBucketExpiry,
    cloudtrail.cloudtrailEventDataStoreRetention,
    athena.athenaWorkgroupEnforceConfiguration,
    athena.athenaWorkgroupResultsEncrypted,
    athena.athenaWorkgroupResultsExpire,
    glue.glueDataCatalogEncryption,
    glue.glueDataCatalogEncryptionSettingsPresent,
    compute.lambdaRuntimeSupported,
    compute.lambdaInVpc,
    compute.lambdaNoPlaintextSecrets,
    compute.ssmParameterNoPlaintextSecrets,
    compute.lambdaNotPublic,
    compute.lambdaErrorAlarm,
    compute.lambdaAsyncFailureDestination,
    compute.eventSourceBatchItemFailures,
    compute.lambdaMemoryBounds,
    compute.lambdaTimeoutBounds,
    compute.lambdaReservedConcurrency,
    compute.eventSourceBatching,
    network.securityGroupNoOpenCidr,
    messaging.sqsQueueEncryptedShortRetention,
    messaging.kinesisStreamEncryptedShortRetention,
    messaging.snsTopicEncrypted,
    events.eventbridgeTargetDeadLetterQueue,
    database.dynamodbTableKms,
    database.dynamodbPointInTimeRecovery,
    kms.kmsKeyRotation,
    dataProtection.logsNoAccountRetentionPolicy,
    dataProtection.s3DataRetention,
    dataProtection.dynamodbDataRetention,
    dataProtection.backupDataRetention,
    dataProtection.queueStreamDataRetention,
    dataProtection.dataProtectionExemptionDeclared,
    dataProtection.dataProtectionExemptionInUse,
];
