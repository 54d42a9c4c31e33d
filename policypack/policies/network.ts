import { resourcePolicy } from "../lib/policy";
import { asArray, asNumber, asString, get } from "../lib/values";

const OPEN = ["0.0.0.0/0", "::/0"];

/** The open CIDR blocks of one rule (inline SG rule, SecurityGroupRule, or VPC ingress/egress rule). */
function openBlocks(rule: unknown): string[] {
    const blocks = [
        ...asArray(get(rule, "cidrBlocks")),
        ...asArray(get(rule, "ipv6CidrBlocks")),
        get(rule, "cidrIpv4"),
        get(rule, "cidrIpv6"),
    ]
        .map(asString)
        .filter((block): block is string => block !== undefined);
    return blocks.filter((block) => OPEN.includes(block));
}

export const securityGroupNoOpenCidr = resourcePolicy({
    name: "security-group-no-open-cidr",
    description: "No security group rule, ingress or egress, is open to 0.0.0.0/0 or ::/0: egress goes only to the networks and VPC endpoints a workload needs.",
    category: "security",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Name the destination: the Elasticsearch CIDR, a VPC endpoint's security group, or an S3/DynamoDB prefix list (prefixListIds).",
    validateResource: (args, reportViolation) => {
        const rules: { direction: string; rule: unknown }[] = [];
        if (args.type === "aws:ec2/securityGroup:SecurityGroup") {
            rules.push(...asArray(get(args.props, "ingress")).map((rule) => ({ direction: "ingress", rule })));
            rules.push(...asArray(get(args.props, "egress")).map((rule) => ({ direction: "egress", rule })));
        } else if (args.type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
            rules.push({ direction: asString(get(args.props, "type")) ?? "rule", rule: args.props });
        } else if (args.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
            rules.push({ direction: "ingress", rule: args.props });
        } else if (args.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") {
            rules.push({ direction: "egress", rule: args.props });
        }
        for (const { direction, rule } of rules) {
            const open = openBlocks(rule);
            if (open.length > 0) {
                const port = (key: string) => asNumber(get(rule, key)) ?? "all";
                const ports = `${port("fromPort")}-${port("toPort")}`;
                reportViolation(`${direction} rule (ports ${ports}) is open to ${open.join(" and ")}`);
            }
        }
    },
});
