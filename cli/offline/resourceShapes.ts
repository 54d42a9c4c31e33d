/**
 * The id and computed outputs the AWS provider returns for a resource, one entry per type: physical
 * names (Pulumi auto-naming: the logical name plus a suffix), ARNs in the format each service documents
 * (AWS Service Authorization Reference, "Resource types defined by <service>"; the provider's own import
 * examples where it documents one), ids with the right prefix. Types without an entry get an ARN of the
 * generic form only when the provider computes an `arn` output for them, and none otherwise.
 *
 * test/gate/mockCloud.spec.ts checks every entry against the provider's declarations and the documented
 * formats, and that every type this repository's programs create has an entry.
 */
import { computesOutput, hasOutput } from "./providerTypes";

export type Inputs = Record<string, unknown>;

export interface ShapeContext {
    type: string;
    /** The logical name the program gave the resource. */
    name: string;
    inputs: Inputs;
    /** The region the resource is managed in: its own `region` input, else its provider's, else the stack's. */
    region: string;
    account: string;
    partition: string;
    /** Hex digest of type and name: stable per resource, different between resources. */
    suffix: string;
    /** A UUID derived from `suffix`. */
    uuid: string;
}

export interface Shape {
    id: string;
    outputs: Inputs;
}

type ShapeOf = (context: ShapeContext) => Shape;

const given = (context: ShapeContext, key: string): string | undefined => (typeof context.inputs[key] === "string" ? (context.inputs[key]) : undefined);

/** The physical name: as given, else from a name prefix, else `<logical name>-<7 hex>` (Pulumi auto-naming). */
export function physicalName(context: ShapeContext, key = "name", max = 64): string {
    const prefix = given(context, `${key}Prefix`) ?? given(context, "namePrefix");
    return given(context, key) ?? (prefix !== undefined ? `${prefix}${context.suffix.slice(0, 26)}` : `${context.name}-${context.suffix.slice(0, 7)}`.slice(0, max));
}

const arn = (context: ShapeContext, service: string, resource: string, scope: { region?: boolean; account?: boolean } = {}) =>
    `arn:${context.partition}:${service}:${scope.region === false ? "" : context.region}:${scope.account === false ? "" : context.account}:${resource}`;

/** IAM paths: `/` (the default) adds nothing; `/team/` adds `team/`. */
const iamPath = (context: ShapeContext) => (given(context, "path") ?? "/").replace(/^\//, "");

const hexId = (context: ShapeContext, prefix: string) => `${prefix}-${context.suffix.slice(0, 17)}`;

/** Named resources whose id is their name and whose ARN is `<service>:<region>:<account>:<resource(name)>`. */
const named = (service: string, resource: (name: string, context: ShapeContext) => string, options: { key?: string; max?: number; id?: "name" | "arn" } = {}): ShapeOf => (context) => {
    const name = physicalName(context, options.key ?? "name", options.max ?? 64);
    const resourceArn = arn(context, service, resource(name, context));
    return { id: options.id === "arn" ? resourceArn : name, outputs: { [options.key ?? "name"]: name, arn: resourceArn } };
};

/** Named IAM resources: global, no region, `<kind>/<path><name>`. */
const iamNamed = (kind: string, uniquePrefix?: string): ShapeOf => (context) => {
    const name = physicalName(context);
    const outputs: Inputs = { name, arn: arn(context, "iam", `${kind}/${iamPath(context)}${name}`, { region: false }) };
    if (uniquePrefix) outputs["uniqueId"] = `${uniquePrefix}${context.suffix.slice(0, 17).toUpperCase()}`;
    return { id: name, outputs };
};

const bucketShape: ShapeOf = (context) => {
    const bucket = physicalName(context, "bucket", 63).toLowerCase();
    return {
        id: bucket,
        outputs: {
            bucket,
            arn: `arn:${context.partition}:s3:::${bucket}`,
            bucketDomainName: `${bucket}.s3.amazonaws.com`,
            bucketRegionalDomainName: `${bucket}.s3.${context.region}.amazonaws.com`,
            hostedZoneId: "Z1BKCTXD74EZPE",
        },
    };
};

/** Resource type token -> how the provider names it and what it computes. */
export const RESOURCE_SHAPES: Record<string, ShapeOf> = {
    "aws:kms/key:Key": (context) => ({ id: context.uuid, outputs: { keyId: context.uuid, arn: arn(context, "kms", `key/${context.uuid}`) } }),
    "aws:kms/alias:Alias": (context) => {
        const name = given(context, "name") ?? `${given(context, "namePrefix") ?? "alias/"}${context.name}-${context.suffix.slice(0, 7)}`;
        const target = given(context, "targetKeyId") ?? "";
        return { id: name, outputs: { name, arn: arn(context, "kms", name), targetKeyArn: target.startsWith("arn:") ? target : arn(context, "kms", `key/${target}`) } };
    },
    "aws:iam/role:Role": iamNamed("role", "AROA"),
    "aws:iam/user:User": iamNamed("user", "AIDA"),
    "aws:iam/group:Group": iamNamed("group", "AGPA"),
    "aws:iam/instanceProfile:InstanceProfile": iamNamed("instance-profile", "AIPA"),
    "aws:iam/policy:Policy": (context) => {
        const name = physicalName(context, "name", 128);
        const policyArn = arn(context, "iam", `policy/${iamPath(context)}${name}`, { region: false });
        return { id: policyArn, outputs: { name, arn: policyArn, policyId: `ANPA${context.suffix.slice(0, 17).toUpperCase()}` } };
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (context) => {
        // IAM names the provider by its URL without the scheme; GetOpenIDConnectProvider returns the URL that way too.
        const host = (given(context, "url") ?? "").replace(/^https:\/\//, "").replace(/\/+$/, "");
        const providerArn = arn(context, "iam", `oidc-provider/${host}`, { region: false });
        return { id: providerArn, outputs: { arn: providerArn, url: host } };
    },
    "aws:iam/samlProvider:SamlProvider": (context) => {
        const name = physicalName(context);
        const providerArn = arn(context, "iam", `saml-provider/${name}`, { region: false });
        return { id: providerArn, outputs: { name, arn: providerArn } };
    },
    "aws:iam/rolePolicy:RolePolicy": (context) => {
        const name = physicalName(context, "name", 128);
        return { id: `${given(context, "role") ?? ""}:${name}`, outputs: { name } };
    },
    "aws:sns/topic:Topic": (context) => {
        const fifo = context.inputs["fifoTopic"] === true;
        const name = given(context, "name") ?? `${context.name}-${context.suffix.slice(0, 7)}${fifo ? ".fifo" : ""}`;
        const topicArn = arn(context, "sns", name);
        return { id: topicArn, outputs: { name, arn: topicArn, owner: context.account } };
    },
    "aws:sns/topicPolicy:TopicPolicy": (context) => ({ id: given(context, "arn") ?? "", outputs: { owner: context.account } }),
    "aws:sns/topicSubscription:TopicSubscription": (context) => {
        const subscriptionArn = `${given(context, "topic") ?? ""}:${context.uuid}`;
        return { id: subscriptionArn, outputs: { arn: subscriptionArn, ownerId: context.account } };
    },
    "aws:sqs/queue:Queue": (context) => {
        const fifo = context.inputs["fifoQueue"] === true;
        const name = given(context, "name") ?? `${context.name}-${context.suffix.slice(0, 7)}${fifo ? ".fifo" : ""}`;
        const url = `https://sqs.${context.region}.amazonaws.com/${context.account}/${name}`;
        return { id: url, outputs: { name, url, arn: arn(context, "sqs", name) } };
    },
    "aws:sqs/queuePolicy:QueuePolicy": (context) => ({ id: given(context, "queueUrl") ?? "", outputs: {} }),
    "aws:kinesis/stream:Stream": (context) => {
        const name = physicalName(context, "name", 128);
        const streamArn = arn(context, "kinesis", `stream/${name}`);
        return { id: streamArn, outputs: { name, arn: streamArn } };
    },
    "aws:kinesis/resourcePolicy:ResourcePolicy": (context) => ({ id: given(context, "resourceArn") ?? "", outputs: {} }),
    "aws:lambda/function:Function": (context) => {
        const name = physicalName(context);
        const functionArn = arn(context, "lambda", `function:${name}`);
        const version = context.inputs["publish"] === true ? "1" : "$LATEST";
        return {
            id: name,
            outputs: {
                name,
                arn: functionArn,
                qualifiedArn: `${functionArn}:${version}`,
                invokeArn: `arn:${context.partition}:apigateway:${context.region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
                version,
            },
        };
    },
    "aws:lambda/eventSourceMapping:EventSourceMapping": (context) => {
        const target = given(context, "functionName") ?? "";
        return {
            id: context.uuid,
            outputs: { uuid: context.uuid, arn: arn(context, "lambda", `event-source-mapping:${context.uuid}`), functionArn: target.startsWith("arn:") ? target : arn(context, "lambda", `function:${target}`) },
        };
    },
    "aws:lambda/permission:Permission": (context) => {
        const statementId = given(context, "statementId") ?? `${given(context, "statementIdPrefix") ?? "terraform-"}${context.suffix.slice(0, 26)}`;
        return { id: statementId, outputs: { statementId } };
    },
    "aws:cloudwatch/logGroup:LogGroup": named("logs", (name) => `log-group:${name}`, { max: 512 }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": named("cloudwatch", (name) => `alarm:${name}`, { max: 255 }),
    "aws:cloudwatch/eventRule:EventRule": (context) => {
        const name = physicalName(context);
        const bus = given(context, "eventBusName");
        const onDefault = bus === undefined || bus === "default";
        return { id: onDefault ? name : `${bus}/${name}`, outputs: { name, arn: arn(context, "events", onDefault ? `rule/${name}` : `rule/${bus}/${name}`) } };
    },
    "aws:cloudwatch/eventBus:EventBus": named("events", (name) => `event-bus/${name}`, { max: 256 }),
    "aws:s3/bucket:Bucket": bucketShape,
    "aws:s3/bucketV2:BucketV2": bucketShape,
    "aws:s3/directoryBucket:DirectoryBucket": (context) => {
        const bucket = given(context, "bucket") ?? "";
        return { id: bucket, outputs: { bucket, arn: arn(context, "s3express", `bucket/${bucket}`) } };
    },
    "aws:s3control/bucket:Bucket": (context) => {
        const bucket = given(context, "bucket") ?? "";
        const bucketArn = arn(context, "s3-outposts", `outpost/${given(context, "outpostId") ?? ""}/bucket/${bucket}`);
        return { id: bucketArn, outputs: { arn: bucketArn } };
    },
    "aws:s3tables/tableBucket:TableBucket": (context) => {
        const name = physicalName(context, "name", 63);
        const bucketArn = arn(context, "s3tables", `bucket/${name}`);
        return { id: bucketArn, outputs: { name, arn: bucketArn, ownerAccountId: context.account } };
    },
    "aws:dynamodb/table:Table": (context) => {
        const name = physicalName(context, "name", 255);
        const tableArn = arn(context, "dynamodb", `table/${name}`);
        const streams = context.inputs["streamEnabled"] === true ? { streamArn: `${tableArn}/stream/2026-01-01T00:00:00.000`, streamLabel: "2026-01-01T00:00:00.000" } : {};
        return { id: name, outputs: { name, arn: tableArn, ...streams } };
    },
    // Global tables (version 2017): global-table/<name>, no region (Service Authorization Reference, DynamoDB).
    "aws:dynamodb/globalTable:GlobalTable": (context) => {
        const name = physicalName(context, "name", 255);
        return { id: name, outputs: { name, arn: arn(context, "dynamodb", `global-table/${name}`, { region: false }) } };
    },
    // An export: the table's ARN, then export/<timestamp>-<id> (DynamoDB API reference, ExportDescription).
    "aws:dynamodb/tableExport:TableExport": (context) => {
        const exportArn = `${given(context, "tableArn") ?? arn(context, "dynamodb", "table/unknown")}/export/01767225600000-${context.suffix.slice(0, 8)}`;
        return { id: exportArn, outputs: { arn: exportArn, exportStatus: "COMPLETED" } };
    },
    // A backup plan: its id is a UUID, its ARN backup-plan:<id> (AWS Backup API reference, CreateBackupPlan).
    "aws:backup/plan:Plan": (context) => ({
        id: context.uuid,
        outputs: { arn: arn(context, "backup", `backup-plan:${context.uuid}`), version: context.suffix.slice(0, 32) },
    }),
    "aws:ec2/securityGroup:SecurityGroup": (context) => {
        const id = hexId(context, "sg");
        return { id, outputs: { name: physicalName(context, "name", 255), arn: arn(context, "ec2", `security-group/${id}`), ownerId: context.account } };
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (context) => {
        const id = hexId(context, "sgr");
        return { id, outputs: { securityGroupRuleId: id, arn: arn(context, "ec2", `security-group-rule/${id}`) } };
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (context) => {
        const id = hexId(context, "sgr");
        return { id, outputs: { securityGroupRuleId: id, arn: arn(context, "ec2", `security-group-rule/${id}`) } };
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": (context) => {
        const id = hexId(context, "vpce");
        return { id, outputs: { arn: arn(context, "ec2", `vpc-endpoint/${id}`), ownerId: context.account } };
    },
    "aws:glue/catalogDatabase:CatalogDatabase": (context) => {
        const name = physicalName(context, "name", 255);
        return { id: `${context.account}:${name}`, outputs: { name, catalogId: context.account, arn: arn(context, "glue", `database/${name}`) } };
    },
    "aws:glue/catalogTable:CatalogTable": (context) => {
        const name = physicalName(context, "name", 255);
        const database = given(context, "databaseName") ?? "";
        return { id: `${context.account}:${database}:${name}`, outputs: { name, catalogId: context.account, arn: arn(context, "glue", `table/${database}/${name}`) } };
    },
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": (context) => ({ id: given(context, "catalogId") ?? context.account, outputs: { catalogId: given(context, "catalogId") ?? context.account } }),
    "aws:athena/workgroup:Workgroup": named("athena", (name) => `workgroup/${name}`, { max: 128 }),
    "aws:cloudtrail/trail:Trail": (context) => {
        const name = physicalName(context, "name", 128);
        const trailArn = arn(context, "cloudtrail", `trail/${name}`);
        return { id: trailArn, outputs: { name, arn: trailArn, homeRegion: context.region } };
    },
    "aws:cloudtrail/eventDataStore:EventDataStore": (context) => {
        const storeArn = arn(context, "cloudtrail", `eventdatastore/${context.uuid}`);
        return { id: storeArn, outputs: { name: physicalName(context, "name", 128), arn: storeArn } };
    },
    "aws:ssm/parameter:Parameter": (context) => {
        const name = physicalName(context, "name", 2048);
        return { id: name, outputs: { name, arn: arn(context, "ssm", `parameter/${name.replace(/^\//, "")}`), version: 1 } };
    },
    "aws:secretsmanager/secret:Secret": (context) => {
        const name = physicalName(context, "name", 512);
        // Secrets Manager appends a hyphen and six random characters to the name in the ARN.
        const secretArn = arn(context, "secretsmanager", `secret:${name}-${context.suffix.slice(0, 6)}`);
        return { id: secretArn, outputs: { name, arn: secretArn } };
    },
    "aws:ecr/repository:Repository": (context) => {
        const name = physicalName(context, "name", 256);
        return { id: name, outputs: { name, arn: arn(context, "ecr", `repository/${name}`), registryId: context.account, repositoryUrl: `${context.account}.dkr.ecr.${context.region}.amazonaws.com/${name}` } };
    },
    "aws:cognito/identityPool:IdentityPool": (context) => {
        const id = `${context.region}:${context.uuid}`;
        return { id, outputs: { arn: arn(context, "cognito-identity", `identitypool/${id}`) } };
    },
    "aws:cognito/userPool:UserPool": (context) => {
        const id = `${context.region}_${context.suffix.slice(0, 9).toUpperCase()}`;
        return { id, outputs: { arn: arn(context, "cognito-idp", `userpool/${id}`), endpoint: `cognito-idp.${context.region}.amazonaws.com/${id}` } };
    },
    "aws:sfn/stateMachine:StateMachine": (context) => {
        const name = physicalName(context, "name", 80);
        const machineArn = arn(context, "states", `stateMachine:${name}`);
        return { id: machineArn, outputs: { name, arn: machineArn } };
    },
};

/** ARN service namespaces whose names differ from the provider's module names (for the generic form). */
const SERVICE_OF_MODULE: Record<string, string> = {
    alb: "elasticloadbalancing",
    lb: "elasticloadbalancing",
    elb: "elasticloadbalancing",
    opensearch: "es",
    elasticsearch: "es",
    sfn: "states",
    efs: "elasticfilesystem",
    vpc: "ec2",
    ebs: "ec2",
    msk: "kafka",
    cognito: "cognito-idp",
    resourceexplorer: "resource-explorer-2",
    ssmcontacts: "ssm-contacts",
    networkfirewall: "network-firewall",
    appautoscaling: "application-autoscaling",
};

/** The ARN service of a type the table has no entry for: CloudWatch's module holds logs and events too. */
function serviceOf(type: string): string {
    const [, module = "", resource = ""] = /^aws:([a-z0-9]+)\/([a-zA-Z0-9]+):/.exec(type) ?? [];
    if (module === "cloudwatch") {
        return resource.startsWith("log") ? "logs" : resource.startsWith("event") ? "events" : "cloudwatch";
    }
    return SERVICE_OF_MODULE[module] ?? module;
}

/** `logDestination` -> `log-destination`. */
const kebab = (text: string) => text.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/**
 * A type without an entry: its id is its (auto-named) name, and it has an ARN (`<service>:<region>:<account>:<kind>/<name>`,
 * the most common form; global when the type has no region) only when the provider computes an `arn` output.
 */
export function genericShape(context: ShapeContext, regional: boolean): Shape {
    const name = physicalName(context);
    const outputs: Inputs = hasOutput(context.type, "name") === true ? { name } : {};
    if (computesOutput(context.type, "arn")) {
        const kind = kebab(/^aws:[a-z0-9]+\/([a-zA-Z0-9]+):/.exec(context.type)?.[1] ?? "resource");
        outputs["arn"] = arn(context, serviceOf(context.type), `${kind}/${name}`, { region: regional });
    }
    return { id: name, outputs };
}
