import { createHash } from "crypto";

import type * as pulumi from "@pulumi/pulumi";

import { policyDocumentResult } from "./policyDocument";
import { hasOutput } from "./providerTypes";
import { genericShape, Inputs, RESOURCE_SHAPES, ShapeContext } from "./resourceShapes";

export { renderPolicyDocument } from "./policyDocument";

/** The regions AWS enables in every account (opt-in-not-required), as `aws.getRegions()` lists them. */
export const DEFAULT_ENABLED_REGIONS = [
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1",
    "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
];

/** The account every offline run pretends to be in (it matches the ARNs in Pulumi.prod.yaml). */
export const MOCK_ACCOUNT_ID = "123456789012";

/** What the mock cloud answers for one resource: its id and its full state (inputs + computed outputs). */
export interface MockedState {
    id: string;
    state: Inputs;
}

const PROVIDER_TYPES = ["pulumi:providers:aws", "aws:index/provider:Provider"];

/**
 * Answers the program's resource registrations and data-source calls as the AWS provider would: the
 * outputs of resourceShapes.ts (names, ARNs, ids), the `region` every regional resource of provider v7
 * reports (its own `region` input, else its provider's region, else the stack's), and
 * `aws.iam.getPolicyDocument` rendered as policyDocument.ts describes. Values derive from the resource
 * name, so two runs of the same program give the same answers.
 */
export class MockCloud implements pulumi.runtime.Mocks {
    /** Region of each explicit provider, by the provider id this mock gave it. */
    private readonly providerRegions = new Map<string, string>();

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
        const { id, state } = this.mockState(args.type, args.name, args.inputs as Inputs, args.provider);
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Inputs {
        const inputs = args.inputs as Inputs;
        const region = this.regionOf(inputs, args.provider);
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    accountId: MOCK_ACCOUNT_ID,
                    arn: `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/deployer/pulumi`,
                    userId: "AROAEXAMPLEDEPLOYER:pulumi",
                    id: MOCK_ACCOUNT_ID,
                };
            case "aws:index/getRegion:getRegion":
                return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: ["a", "b", "c"].map((zone) => `${region}${zone}`), zoneIds: ["1", "2", "3"].map((n) => `euw1-az${n}`) };
            case "aws:index/getServicePrincipal:getServicePrincipal": {
                // The provider names service principals <service>.amazonaws.com in the aws partition.
                const service = typeof inputs["serviceName"] === "string" ? inputs["serviceName"] : "";
                return { ...inputs, id: `${service}.amazonaws.com`, name: `${service}.amazonaws.com`, suffix: "amazonaws.com", region };
            }
            case "aws:iam/getPolicyDocument:getPolicyDocument":
                return { ...inputs, ...policyDocumentResult(inputs) };
            case "aws:index/getRegions:getRegions":
                // The regions enabled in the mock account: those AWS enables by default (opt-in-not-required).
                return { ...inputs, id: "aws", names: DEFAULT_ENABLED_REGIONS };
            case "aws:dynamodb/getTable:getTable":
                // An existing table as a compliant account has it: TTL on expiresAt, PITR with a 1-day window.
                return {
                    ...inputs,
                    id: String(inputs["name"]),
                    arn: `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT_ID}:table/${String(inputs["name"])}`,
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

    /** The region a resource or call is managed in: its own input, its provider's, or the stack's. */
    private regionOf(inputs: Inputs, provider: string | undefined): string {
        if (typeof inputs["region"] === "string" && inputs["region"] !== "") {
            return inputs["region"];
        }
        // A provider reference is "<urn>::<id>".
        const providerId = provider?.split("::").pop();
        return (providerId !== undefined ? this.providerRegions.get(providerId) : undefined) ?? this.region;
    }

    /** The id and outputs AWS would return for a resource of this type. */
    mockState(type: string, name: string, inputs: Inputs, provider?: string): MockedState {
        const suffix = createHash("sha1").update(`${type}::${name}`).digest("hex");
        if (PROVIDER_TYPES.includes(type)) {
            const id = `provider-${suffix.slice(0, 8)}`;
            if (typeof inputs["region"] === "string") {
                this.providerRegions.set(id, inputs["region"]);
            }
            return { id, state: inputs };
        }
        const region = this.regionOf(inputs, provider);
        const context: ShapeContext = {
            type,
            name,
            inputs,
            region,
            account: MOCK_ACCOUNT_ID,
            partition: "aws",
            suffix,
            uuid: `${suffix.slice(0, 8)}-${suffix.slice(8, 12)}-4${suffix.slice(13, 16)}-8${suffix.slice(17, 20)}-${suffix.slice(20, 32)}`,
        };
        // Provider v7 reports the region of every regional resource, set or not.
        const regional = hasOutput(type, "region") === true;
        const shapeOf = RESOURCE_SHAPES[type];
        const { id, outputs } = shapeOf ? shapeOf(context) : genericShape(context, regional);
        return { id, state: { ...inputs, ...outputs, ...(regional ? { region } : {}) } };
    }
}

