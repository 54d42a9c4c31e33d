/**
 * Every policy of the pack, in one list. Tests import the policy objects from their domain files; only
 * ../index.ts constructs the PolicyPack (whose constructor starts the analyzer's gRPC server).
 */
import { PlatformPolicy } from "../lib/policy";
import * as compute from "./compute";
import * as database from "./database";
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
    logs.logGroupRetention,
    logs.logGroupEncrypted,
    logs.logGroupClass,
    logs.lambdaManagedLogGroup,
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
    database.dynamodbTableKms,
    database.dynamodbPointInTimeRecovery,
    kms.kmsKeyRotation,
];
