/**
 * Every property of an @pulumi/aws resource that holds a policy-like document, classified: checked as an
 * identity policy, a resource policy, a KMS key policy or a role trust policy, or not applicable (with the
 * reason). test/policy/policyDocumentTypes.spec.ts derives the list of such properties from the
 * provider's own type definitions and fails when one is missing here, so a resource type added by a
 * later provider version is classified before the pack claims to cover it.
 */

export type DocumentCheck = "identity" | "resource" | "key" | "trust";
export type Classification = { check: DocumentCheck } | { notApplicable: string };

const resource: Classification = { check: "resource" };
const identity: Classification = { check: "identity" };
const key: Classification = { check: "key" };
const na = (reason: string): Classification => ({ notApplicable: reason });

const SETTING = na("a named setting (TLS/ALPN/security policy name or enum value), not a policy document");
const SESSION = na("a session policy: it can only narrow what the role it applies to already grants, never widen it");
const ENDPOINT = na('a VPC endpoint policy: it only narrows what callers already inside the VPC, with their own IAM grants, may reach through the endpoint (Principal "*" there grants nothing by itself)');
const NON_IAM = (what: string) => na(`${what}, not an IAM policy document (no principals, actions or resources to grant)`);

/** Resource type token -> property -> classification. */
export const POLICY_DOCUMENT_PROPERTIES: Record<string, Record<string, Classification>> = {
    "aws:acmpca/policy:Policy": { policy: resource },
    "aws:alb/listener:Listener": { alpnPolicy: SETTING, sslPolicy: SETTING },
    "aws:lb/listener:Listener": { alpnPolicy: SETTING, sslPolicy: SETTING },
    "aws:amp/resourcePolicy:ResourcePolicy": { policyDocument: resource },
    "aws:apigateway/domainName:DomainName": { policy: resource, securityPolicy: SETTING },
    "aws:apigateway/restApi:RestApi": { policy: resource, securityPolicy: SETTING },
    "aws:apigateway/restApiPolicy:RestApiPolicy": { policy: resource },
    "aws:backup/vaultPolicy:VaultPolicy": { policy: resource },
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": { policy: resource },
    "aws:cloudsearch/domainServiceAccessPolicy:DomainServiceAccessPolicy": { accessPolicy: resource },
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": { policy: resource },
    "aws:cloudwatch/logAccountPolicy:LogAccountPolicy": { policyDocument: NON_IAM("an account-level data-protection, subscription-filter or field-index setting (subscriptions are checked by cloudwatch-logs-account-subscription-no-feedback)") },
    "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy": { policyDocument: NON_IAM("a data-protection (masking) policy") },
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": { accessPolicy: resource },
    "aws:cloudwatch/logIndexPolicy:LogIndexPolicy": { policyDocument: NON_IAM("a field-index policy") },
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": { policyDocument: resource },
    "aws:cloudwatch/logDeliveryDestinationPolicy:LogDeliveryDestinationPolicy": { deliveryDestinationPolicy: resource },
    "aws:codeartifact/domainPermissions:DomainPermissions": { policyDocument: resource },
    "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": { policyDocument: resource },
    "aws:codebuild/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": { defaultPolicy: SETTING },
    "aws:dsql/clusterPolicy:ClusterPolicy": { policy: resource },
    "aws:dynamodb/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:ec2/vpcEndpoint:VpcEndpoint": { policy: ENDPOINT },
    "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": { policy: ENDPOINT },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": { policy: NON_IAM("an image lifecycle (expiry) policy") },
    "aws:ecr/registryPolicy:RegistryPolicy": { policy: resource },
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": { lifecyclePolicy: NON_IAM("an image lifecycle (expiry) policy"), repositoryPolicy: resource },
    "aws:ecr/repositoryPolicy:RepositoryPolicy": { policy: resource },
    "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": { policy: resource },
    "aws:efs/fileSystemPolicy:FileSystemPolicy": { policy: resource },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": { policy: SESSION },
    "aws:elasticsearch/domain:Domain": { accessPolicies: resource },
    "aws:elasticsearch/domainPolicy:DomainPolicy": { accessPolicies: resource },
    "aws:emr/instanceGroup:InstanceGroup": { autoscalingPolicy: NON_IAM("an autoscaling policy") },
    "aws:fsx/ontapVolume:OntapVolume": { snapshotPolicy: SETTING },
    "aws:glacier/vault:Vault": { accessPolicy: resource },
    "aws:glacier/vaultLock:VaultLock": { policy: resource },
    "aws:glue/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:iam/groupPolicy:GroupPolicy": { policy: identity },
    "aws:iam/policy:Policy": { policy: identity },
    "aws:iam/role:Role": { assumeRolePolicy: { check: "trust" } },
    "aws:iam/rolePolicy:RolePolicy": { policy: identity },
    "aws:iam/userPolicy:UserPolicy": { policy: identity },
    "aws:iot/policy:Policy": { policy: identity },
    "aws:iot/policyAttachment:PolicyAttachment": { policy: na("the name of an IoT policy to attach (the document is checked on aws.iot.Policy)") },
    "aws:kinesis/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:kms/externalKey:ExternalKey": { policy: key },
    "aws:kms/key:Key": { policy: key },
    "aws:kms/keyPolicy:KeyPolicy": { policy: key },
    "aws:kms/replicaExternalKey:ReplicaExternalKey": { policy: key },
    "aws:kms/replicaKey:ReplicaKey": { policy: key },
    "aws:lambda/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:mailmanager/ingressPoint:IngressPoint": { tlsPolicy: SETTING },
    "aws:mediastore/containerPolicy:ContainerPolicy": { policy: resource },
    "aws:msk/clusterPolicy:ClusterPolicy": { policy: resource },
    "aws:networkfirewall/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:networkmanager/coreNetwork:CoreNetwork": { basePolicyDocument: NON_IAM("a core network routing policy") },
    "aws:networkmanager/coreNetworkPolicyAttachment:CoreNetworkPolicyAttachment": { policyDocument: NON_IAM("a core network routing policy") },
    "aws:oam/sinkPolicy:SinkPolicy": { policy: resource },
    "aws:odb/network:Network": { kmsPolicyDocument: ENDPOINT, s3PolicyDocument: ENDPOINT, stsPolicyDocument: ENDPOINT },
    "aws:opensearch/domain:Domain": { accessPolicies: resource },
    "aws:opensearch/domainPolicy:DomainPolicy": { accessPolicies: resource },
    "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy": { policy: NON_IAM("an OpenSearch Serverless data-access policy (its own Rules/Principal format)") },
    "aws:opensearch/serverlessLifecyclePolicy:ServerlessLifecyclePolicy": { policy: NON_IAM("an OpenSearch Serverless retention policy") },
    "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy": { policy: NON_IAM("an OpenSearch Serverless encryption/network policy") },
    "aws:opensearchingest/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:pinpoint/smsvoicev2ResourcePolicy:Smsvoicev2ResourcePolicy": { policy: resource },
    "aws:redshift/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:redshiftserverless/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:rolesanywhere/profile:Profile": { sessionPolicy: SESSION },
    "aws:s3/accessPoint:AccessPoint": { policy: resource },
    "aws:s3/bucket:Bucket": { policy: resource },
    "aws:s3/bucketPolicy:BucketPolicy": { policy: resource },
    "aws:s3/bucketV2:BucketV2": { policy: resource },
    "aws:s3/filesFileSystemPolicy:FilesFileSystemPolicy": { policy: resource },
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": { policy: resource },
    "aws:s3control/accessGrantsInstanceResourcePolicy:AccessGrantsInstanceResourcePolicy": { policy: resource },
    "aws:s3control/accessPointPolicy:AccessPointPolicy": { policy: resource },
    "aws:s3control/bucketPolicy:BucketPolicy": { policy: resource },
    "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": { policy: resource },
    "aws:s3tables/tableBucketPolicy:TableBucketPolicy": { resourcePolicy: resource },
    "aws:s3tables/tablePolicy:TablePolicy": { resourcePolicy: resource },
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": { resourcePolicy: resource },
    "aws:schemas/registryPolicy:RegistryPolicy": { policy: resource },
    "aws:secretsmanager/secret:Secret": { policy: resource },
    "aws:secretsmanager/secretPolicy:SecretPolicy": { policy: resource },
    "aws:ses/identityPolicy:IdentityPolicy": { policy: resource },
    "aws:ses/receiptFilter:ReceiptFilter": { policy: SETTING },
    "aws:ses/receiptRule:ReceiptRule": { tlsPolicy: SETTING },
    "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy": { policy: resource },
    "aws:sns/dataProtectionPolicy:DataProtectionPolicy": { policy: NON_IAM("a message data-protection (masking) policy") },
    "aws:sns/topic:Topic": { policy: resource, archivePolicy: NON_IAM("a message archive setting"), deliveryPolicy: NON_IAM("delivery retry settings") },
    "aws:sns/topicPolicy:TopicPolicy": { policy: resource },
    "aws:sns/topicSubscription:TopicSubscription": {
        deliveryPolicy: NON_IAM("delivery retry settings"),
        filterPolicy: NON_IAM("a message filter"),
        redrivePolicy: NON_IAM("a dead-letter queue setting"),
        replayPolicy: NON_IAM("a message replay setting"),
    },
    "aws:sqs/queue:Queue": { policy: resource, redrivePolicy: NON_IAM("a dead-letter queue setting"), redriveAllowPolicy: NON_IAM("which source queues may use it as a DLQ (names queues, grants nothing)") },
    "aws:sqs/queuePolicy:QueuePolicy": { policy: resource },
    "aws:sqs/redrivePolicy:RedrivePolicy": { redrivePolicy: NON_IAM("a dead-letter queue setting") },
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": { redriveAllowPolicy: NON_IAM("which source queues may use it as a DLQ (names queues, grants nothing)") },
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": { inlinePolicy: identity },
    "aws:storagegateway/nfsFileShare:NfsFileShare": { notificationPolicy: NON_IAM("a file-share notification setting") },
    "aws:storagegateway/smbFileShare:SmbFileShare": { notificationPolicy: NON_IAM("a file-share notification setting") },
    "aws:transfer/access:Access": { policy: SESSION },
    "aws:transfer/user:User": { policy: SESSION },
    "aws:verifiedaccess/endpoint:Endpoint": { policyDocument: NON_IAM("a Cedar access policy") },
    "aws:verifiedaccess/group:Group": { policyDocument: NON_IAM("a Cedar access policy") },
    "aws:vpclattice/authPolicy:AuthPolicy": { policy: resource },
    "aws:vpclattice/resourcePolicy:ResourcePolicy": { policy: resource },
    "aws:workspacesweb/browserSettings:BrowserSettings": { browserPolicy: NON_IAM("a Chrome browser policy") },
    "aws:xray/resourcePolicy:ResourcePolicy": { policyDocument: resource },
};

/** The checked documents of a resource type: property and check. */
export function checkedDocuments(type: string): { property: string; check: DocumentCheck }[] {
    return Object.entries(POLICY_DOCUMENT_PROPERTIES[type] ?? {}).flatMap(([property, classification]) => ("check" in classification ? [{ property, check: classification.check }] : []));
}
