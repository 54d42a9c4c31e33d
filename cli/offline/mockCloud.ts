import { createHash } from "crypto";

import type * as pulumi from "@pulumi/pulumi";

/** The regions AWS enables in every account (opt-in-not-required), as `aws.getRegions()` lists them. */
export const DEFAULT_ENABLED_REGIONS = [
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1",
    "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
];

/** The account every offline run pretends to be in (it matches the ARNs in Pulumi.prod.yaml). */
export const MOCK_ACCOUNT_ID = "123456789012";

type Inputs = Record<string, unknown>;

/** What the mock cloud answers for one resource: its id and its full state (inputs + computed outputs). */
export interface MockedState {
    id: string;
    state: Inputs;
}

/**
 * Computes realistic provider outputs for the resources the program registers: physical names with a
 * suffix (as Pulumi auto-naming does), ARNs in each service's format, ids with the right prefix. Values
 * are derived from the resource name, so two runs of the same program give the same answers.
 */
export class MockCloud implements pulumi.runtime.Mocks {
    /**
     * @param tableOverrides what `aws.dynamodb.getTable` answers besides the compliant defaults (a test of the
     *   existing-table check sets a table without TTL, say).
     */
    constructor(
        private readonly region: string,
        private readonly tableOverrides: Inputs = {},
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Inputs } {
        if (!args.custom) {
            return { id: undefined, state: args.inputs as Inputs };
        }
        const { id, state } = this.mockState(args.type, args.name, args.inputs as Inputs);
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Inputs {
        const inputs = args.inputs as Inputs;
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    accountId: MOCK_ACCOUNT_ID,
                    arn: `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/deployer/pulumi`,
                    userId: "AROAEXAMPLEDEPLOYER:pulumi",
                    id: MOCK_ACCOUNT_ID,
                };
            case "aws:index/getRegion:getRegion":
                return { name: this.region, region: this.region, id: this.region, endpoint: `ec2.${this.region}.amazonaws.com` };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: ["a", "b", "c"].map((zone) => `${this.region}${zone}`), zoneIds: ["1", "2", "3"].map((n) => `euw1-az${n}`) };
            case "aws:iam/getPolicyDocument:getPolicyDocument":
                return { ...inputs, json: JSON.stringify(renderPolicyDocument(inputs)), id: "policy-document" };
            case "aws:index/getRegions:getRegions":
                // The regions enabled in the mock account: those AWS enables by default (opt-in-not-required).
                return { ...inputs, id: "aws", names: DEFAULT_ENABLED_REGIONS };
            case "aws:dynamodb/getTable:getTable":
                // An existing table as a compliant account has it: TTL on expiresAt, PITR with a 1-day window.
                return {
                    ...inputs,
                    id: String(inputs["name"]),
                    arn: `arn:aws:dynamodb:${this.region}:${MOCK_ACCOUNT_ID}:table/${String(inputs["name"])}`,
                    ttl: { attributeName: "expiresAt", enabled: true },
                    pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 1 },
                    ...this.tableOverrides,
                };
            case "aws:ec2/getPrefixList:getPrefixList":
                return { ...inputs, id: "pl-6da54004", cidrBlocks: ["52.218.0.0/17"] };
            default:
                return inputs;
        }
    }

    /** The id and outputs AWS would return for a resource of this type. */
    mockState(type: string, name: string, inputs: Inputs): MockedState {
        const suffix = createHash("sha1").update(`${type}::${name}`).digest("hex");
        const physical = (key: string, max = 64): string => {
            const given = inputs[key];
            return typeof given === "string" ? given : `${name}-${suffix.slice(0, 7)}`.slice(0, max);
        };
        const region = this.region;
        const account = MOCK_ACCOUNT_ID;
        const uuid = `${suffix.slice(0, 8)}-${suffix.slice(8, 12)}-4${suffix.slice(13, 16)}-8${suffix.slice(17, 20)}-${suffix.slice(20, 32)}`;
        const hexId = (prefix: string) => `${prefix}-${suffix.slice(0, 17)}`;
        const service = type.split(":")[1]?.split("/")[0] ?? "unknown";

        switch (type) {
            case "aws:kms/key:Key":
                return { id: uuid, state: { ...inputs, keyId: uuid, arn: `arn:aws:kms:${region}:${account}:key/${uuid}` } };
            case "aws:kms/alias:Alias": {
                const aliasName = physical("name");
                return { id: aliasName, state: { ...inputs, name: aliasName, arn: `arn:aws:kms:${region}:${account}:${aliasName}` } };
            }
            case "aws:iam/role:Role": {
                const roleName = physical("name");
                return { id: roleName, state: { ...inputs, name: roleName, arn: `arn:aws:iam::${account}:role/${roleName}`, uniqueId: `AROA${suffix.slice(0, 17).toUpperCase()}` } };
            }
            case "aws:iam/policy:Policy": {
                const policyName = physical("name");
                const arn = `arn:aws:iam::${account}:policy/${policyName}`;
                return { id: arn, state: { ...inputs, name: policyName, arn, policyId: `ANPA${suffix.slice(0, 17).toUpperCase()}` } };
            }
            case "aws:sns/topic:Topic": {
                const topicName = physical("name", 256);
                const arn = `arn:aws:sns:${region}:${account}:${topicName}`;
                return { id: arn, state: { ...inputs, name: topicName, arn } };
            }
            case "aws:sqs/queue:Queue": {
                const queueName = physical("name", 80);
                const url = `https://sqs.${region}.amazonaws.com/${account}/${queueName}`;
                return { id: url, state: { ...inputs, name: queueName, url, arn: `arn:aws:sqs:${region}:${account}:${queueName}` } };
            }
            case "aws:kinesis/stream:Stream": {
                const streamName = physical("name", 128);
                const arn = `arn:aws:kinesis:${region}:${account}:stream/${streamName}`;
                return { id: arn, state: { ...inputs, name: streamName, arn } };
            }
            case "aws:lambda/function:Function": {
                const functionName = physical("name");
                const arn = `arn:aws:lambda:${region}:${account}:function:${functionName}`;
                return {
                    id: functionName,
                    state: {
                        ...inputs,
                        name: functionName,
                        arn,
                        qualifiedArn: `${arn}:$LATEST`,
                        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
                        version: "$LATEST",
                    },
                };
            }
            case "aws:cloudwatch/logGroup:LogGroup": {
                const groupName = physical("name", 512);
                return { id: groupName, state: { ...inputs, name: groupName, arn: `arn:aws:logs:${region}:${account}:log-group:${groupName}` } };
            }
            case "aws:s3/bucket:Bucket":
            case "aws:s3/bucketV2:BucketV2": {
                const bucketName = physical("bucket", 63).toLowerCase();
                return {
                    id: bucketName,
                    state: { ...inputs, bucket: bucketName, arn: `arn:aws:s3:::${bucketName}`, bucketRegionalDomainName: `${bucketName}.s3.${region}.amazonaws.com`, region },
                };
            }
            case "aws:dynamodb/table:Table": {
                const tableName = physical("name", 255);
                const arn = `arn:aws:dynamodb:${region}:${account}:table/${tableName}`;
                return { id: tableName, state: { ...inputs, name: tableName, arn, streamArn: `${arn}/stream/2026-01-01T00:00:00.000` } };
            }
            case "aws:ec2/securityGroup:SecurityGroup": {
                const groupId = hexId("sg");
                return { id: groupId, state: { ...inputs, name: physical("name", 255), arn: `arn:aws:ec2:${region}:${account}:security-group/${groupId}` } };
            }
            case "aws:ec2/vpcEndpoint:VpcEndpoint": {
                const endpointId = hexId("vpce");
                return { id: endpointId, state: { ...inputs, arn: `arn:aws:ec2:${region}:${account}:vpc-endpoint/${endpointId}` } };
            }
            case "aws:cloudwatch/eventRule:EventRule": {
                const ruleName = physical("name");
                return { id: ruleName, state: { ...inputs, name: ruleName, arn: `arn:aws:events:${region}:${account}:rule/${ruleName}` } };
            }
            case "aws:cloudwatch/metricAlarm:MetricAlarm": {
                const alarmName = physical("name", 255);
                return { id: alarmName, state: { ...inputs, name: alarmName, arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}` } };
            }
            case "aws:lambda/eventSourceMapping:EventSourceMapping":
                return { id: uuid, state: { ...inputs, uuid, functionArn: inputs["functionName"] } };
            case "aws:sns/topicSubscription:TopicSubscription":
                return { id: `${String(inputs["topic"])}:${uuid}`, state: { ...inputs, arn: `${String(inputs["topic"])}:${uuid}` } };
            case "aws:index/provider:Provider":
            case "pulumi:providers:aws":
                return { id: `provider-${suffix.slice(0, 8)}`, state: inputs };
            default: {
                const resourceName = physical("name");
                return { id: `${resourceName}`, state: { ...inputs, arn: `arn:aws:${service}:${region}:${account}:${resourceName}` } };
            }
        }
    }
}

/** Renders `aws.iam.getPolicyDocument` inputs the way the provider does, so policies see real JSON. */
export function renderPolicyDocument(inputs: Inputs): Record<string, unknown> {
    const statements = Array.isArray(inputs["statements"]) ? (inputs["statements"] as Inputs[]) : [];
    const one = (values: unknown): unknown => (Array.isArray(values) && values.length === 1 ? values[0] : values);
    const principals = (list: unknown): Record<string, unknown> | undefined => {
        if (!Array.isArray(list) || list.length === 0) {
            return undefined;
        }
        const result: Record<string, unknown> = {};
        for (const entry of list as Inputs[]) {
            result[String(entry["type"])] = one(entry["identifiers"]);
        }
        return result;
    };
    return {
        Version: inputs["version"] ?? "2012-10-17",
        Statement: statements.map((statement) => {
            const rendered: Record<string, unknown> = { Effect: statement["effect"] ?? "Allow" };
            if (statement["sid"]) rendered["Sid"] = statement["sid"];
            if (statement["actions"]) rendered["Action"] = one(statement["actions"]);
            if (statement["notActions"]) rendered["NotAction"] = one(statement["notActions"]);
            if (statement["resources"]) rendered["Resource"] = one(statement["resources"]);
            if (statement["notResources"]) rendered["NotResource"] = one(statement["notResources"]);
            const principal = principals(statement["principals"]);
            if (principal) rendered["Principal"] = principal;
            const notPrincipal = principals(statement["notPrincipals"]);
            if (notPrincipal) rendered["NotPrincipal"] = notPrincipal;
            if (Array.isArray(statement["conditions"])) {
                const condition: Record<string, Record<string, unknown>> = {};
                for (const entry of statement["conditions"] as Inputs[]) {
                    const test = String(entry["test"]);
                    condition[test] = { ...(condition[test] ?? {}), [String(entry["variable"])]: one(entry["values"]) };
                }
                rendered["Condition"] = condition;
            }
            return rendered;
        }),
    };
}
