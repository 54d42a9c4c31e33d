import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The AWS APIs the shipper's code calls from inside the VPC: its credentials secret, and the dead-letter queue. */
export const SHIPPER_ENDPOINT_SERVICES = ["secretsmanager", "sqs"] as const;

export interface ShipperNetworkArgs {
    vpcId: string;
    subnetIds: string[];
    elasticsearchCidrs: string[];
    /** The cluster's URL: its port (443 when the URL names none) is the only one open towards the CIDRs. */
    elasticsearchEndpoint: string;
    /** Create the interface endpoints (private DNS), or use existing ones through their security groups. */
    createVpcEndpoints: boolean;
    existingEndpointSecurityGroupIds: string[];
    region: string;
}

/** The port of an https:// URL: the explicit one, else 443. */
export function elasticsearchPort(endpoint: string): number {
    const url = new URL(endpoint);
    if (url.protocol !== "https:") {
        throw new Error(`elasticsearch.endpoint must use https:// (got ${url.protocol}//)`);
    }
    return url.port === "" ? 443 : Number(url.port);
}

/**
 * The shipper's network: a security group with no ingress and egress only to the Elasticsearch CIDRs on the
 * cluster's port and, on 443, to the interface endpoints of the APIs it calls; and those endpoints (created
 * with private DNS and their own group open to the shipper only, or existing ones given by security group).
 */
export class ShipperNetwork extends pulumi.ComponentResource {
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly securityGroupId: pulumi.Output<string>;
    readonly endpointSecurityGroupIds: pulumi.Output<string[]>;
    readonly endpointIds: pulumi.Output<string[]>;

    constructor(name: string, args: ShipperNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("log-platform:shipper:ShipperNetwork", name, {}, opts);
        const parent = { parent: this };
        const port = elasticsearchPort(args.elasticsearchEndpoint);

        // No inline rules: the provider removes the default allow-all egress of a new group, and every rule
        // below is its own resource (inline and separate rules must not be mixed).
        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            { vpcId: args.vpcId, description: "Log shipper Lambdas: no ingress; egress to Elasticsearch and the AWS API endpoints only" },
            parent,
        );
        args.elasticsearchCidrs.forEach((cidr, index) => {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-to-elasticsearch-${index}`,
                { securityGroupId: this.securityGroup.id, description: `Elasticsearch (${cidr}) on ${port}`, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr },
                parent,
            );
        });

        let endpointGroupIds: pulumi.Input<string>[];
        const endpointIds: pulumi.Output<string>[] = [];
        if (args.createVpcEndpoints) {
            const endpointGroup = new aws.ec2.SecurityGroup(
                `${name}-endpoints-sg`,
                { vpcId: args.vpcId, description: "Interface endpoints the log shipper calls: HTTPS from the shipper only" },
                parent,
            );
            endpointGroupIds = [endpointGroup.id];
            for (const service of SHIPPER_ENDPOINT_SERVICES) {
                const endpoint = new aws.ec2.VpcEndpoint(
                    `${name}-${service}-endpoint`,
                    {
                        vpcId: args.vpcId,
                        serviceName: `com.amazonaws.${args.region}.${service}`,
                        vpcEndpointType: "Interface",
                        privateDnsEnabled: true,
                        subnetIds: args.subnetIds,
                        securityGroupIds: [endpointGroup.id],
                    },
                    parent,
                );
                endpointIds.push(endpoint.id);
            }
        } else {
            if (args.existingEndpointSecurityGroupIds.length === 0) {
                throw new Error(
                    `${name}: network.createVpcEndpoints is false, so name the security group(s) of the existing Secrets Manager and SQS interface endpoints: ` +
                        "pulumi config set --path 'log-platform:network.vpcEndpointSecurityGroupIds[0]' sg-0123456789abcdef0 (or set network.createVpcEndpoints true)",
                );
            }
            endpointGroupIds = args.existingEndpointSecurityGroupIds;
        }
        endpointGroupIds.forEach((groupId, index) => {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-to-endpoints-${index}`,
                { securityGroupId: this.securityGroup.id, description: "AWS API interface endpoints (HTTPS)", ipProtocol: "tcp", fromPort: 443, toPort: 443, referencedSecurityGroupId: groupId },
                parent,
            );
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-endpoints-from-shipper-${index}`,
                { securityGroupId: groupId, description: "HTTPS from the log shipper", ipProtocol: "tcp", fromPort: 443, toPort: 443, referencedSecurityGroupId: this.securityGroup.id },
                parent,
            );
        });

        this.securityGroupId = this.securityGroup.id;
        this.endpointSecurityGroupIds = pulumi.output(endpointGroupIds);
        this.endpointIds = pulumi.all(endpointIds);
        this.registerOutputs({ securityGroupId: this.securityGroupId, endpointSecurityGroupIds: this.endpointSecurityGroupIds, endpointIds: this.endpointIds });
    }
}
