/**
 * The offline gate's mocks answer as the AWS provider does, for every resource type whose ARN or
 * document a program here or the pack reads: ids and ARNs per type (cli/offline/resourceShapes.ts),
 * the region of provider v7's per-resource `region` (or of the resource's provider), and no output the
 * provider does not declare.
 */
import * as fs from "fs";
import * as path from "path";

import { expect } from "chai";

import { MOCK_ACCOUNT_ID, MockCloud } from "../../cli/offline/mockCloud";
import { computesOutput, declarationOf } from "../../cli/offline/providerTypes";
import { RESOURCE_SHAPES } from "../../cli/offline/resourceShapes";
import { POLICY_DOCUMENT_PROPERTIES } from "../../policypack/lib/policyDocumentTypes";
import { ROOT } from "../harness/services/paths";

const REGION = "eu-west-1";
const mocked = (type: string, inputs: Record<string, unknown> = {}, name = "subject", provider?: string) => new MockCloud(REGION).mockState(type, name, inputs, provider);

/**
 * ARN formats as AWS documents them (Service Authorization Reference, "Resource types defined by
 * <service>": https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 * `{uuid}`, `{hex}` and `{any}` stand for generated parts.
 */
const DOCUMENTED_ARNS: [type: string, inputs: Record<string, unknown>, format: string][] = [
    ["aws:kms/key:Key", {}, "arn:aws:kms:{region}:{account}:key/{uuid}"],
    ["aws:kms/alias:Alias", { name: "alias/platform", targetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }, "arn:aws:kms:{region}:{account}:alias/platform"],
    ["aws:iam/role:Role", { name: "deployer", path: "/ci/" }, "arn:aws:iam::{account}:role/ci/deployer"],
    ["aws:iam/user:User", { name: "alice" }, "arn:aws:iam::{account}:user/alice"],
    ["aws:iam/group:Group", { name: "admins" }, "arn:aws:iam::{account}:group/admins"],
    ["aws:iam/instanceProfile:InstanceProfile", { name: "web" }, "arn:aws:iam::{account}:instance-profile/web"],
    ["aws:iam/policy:Policy", { name: "reader" }, "arn:aws:iam::{account}:policy/reader"],
    ["aws:iam/openIdConnectProvider:OpenIdConnectProvider", { url: "https://token.actions.githubusercontent.com" }, "arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"],
    ["aws:iam/openIdConnectProvider:OpenIdConnectProvider", { url: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789" }, "arn:aws:iam::{account}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"],
    ["aws:iam/samlProvider:SamlProvider", { name: "corp" }, "arn:aws:iam::{account}:saml-provider/corp"],
    ["aws:sns/topic:Topic", { name: "alarms" }, "arn:aws:sns:{region}:{account}:alarms"],
    ["aws:sns/topicSubscription:TopicSubscription", { topic: "arn:aws:sns:eu-west-1:123456789012:alarms" }, "arn:aws:sns:{region}:{account}:alarms:{uuid}"],
    ["aws:sqs/queue:Queue", { name: "work" }, "arn:aws:sqs:{region}:{account}:work"],
    ["aws:kinesis/stream:Stream", { name: "logs" }, "arn:aws:kinesis:{region}:{account}:stream/logs"],
    ["aws:lambda/function:Function", { name: "shipper" }, "arn:aws:lambda:{region}:{account}:function:shipper"],
    ["aws:lambda/eventSourceMapping:EventSourceMapping", { functionName: "shipper" }, "arn:aws:lambda:{region}:{account}:event-source-mapping:{uuid}"],
    ["aws:cloudwatch/logGroup:LogGroup", { name: "/aws/lambda/shipper" }, "arn:aws:logs:{region}:{account}:log-group:/aws/lambda/shipper"],
    ["aws:cloudwatch/metricAlarm:MetricAlarm", { name: "errors" }, "arn:aws:cloudwatch:{region}:{account}:alarm:errors"],
    ["aws:cloudwatch/eventRule:EventRule", { name: "nightly" }, "arn:aws:events:{region}:{account}:rule/nightly"],
    ["aws:cloudwatch/eventRule:EventRule", { name: "nightly", eventBusName: "platform" }, "arn:aws:events:{region}:{account}:rule/platform/nightly"],
    ["aws:cloudwatch/eventBus:EventBus", { name: "platform" }, "arn:aws:events:{region}:{account}:event-bus/platform"],
    ["aws:s3/bucket:Bucket", { bucket: "kpi-1a2b3c" }, "arn:aws:s3:::kpi-1a2b3c"],
    ["aws:s3/bucketV2:BucketV2", { bucket: "kpi-1a2b3c" }, "arn:aws:s3:::kpi-1a2b3c"],
    ["aws:s3/directoryBucket:DirectoryBucket", { bucket: "scratch--euw1-az1--x-s3" }, "arn:aws:s3express:{region}:{account}:bucket/scratch--euw1-az1--x-s3"],
    ["aws:s3control/bucket:Bucket", { bucket: "edge", outpostId: "op-12345678" }, "arn:aws:s3-outposts:{region}:{account}:outpost/op-12345678/bucket/edge"],
    ["aws:s3tables/tableBucket:TableBucket", { name: "lake" }, "arn:aws:s3tables:{region}:{account}:bucket/lake"],
    ["aws:dynamodb/table:Table", { name: "trips" }, "arn:aws:dynamodb:{region}:{account}:table/trips"],
    ["aws:dynamodb/globalTable:GlobalTable", { name: "trips" }, "arn:aws:dynamodb::{account}:global-table/trips"],
    ["aws:dynamodb/tableExport:TableExport", { tableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/trips" }, "arn:aws:dynamodb:eu-west-1:123456789012:table/trips/export/{any}-{any}"],
    ["aws:backup/plan:Plan", { name: "nightly" }, "arn:aws:backup:{region}:{account}:backup-plan:{uuid}"],
    ["aws:ec2/securityGroup:SecurityGroup", {}, "arn:aws:ec2:{region}:{account}:security-group/sg-{hex}"],
    ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {}, "arn:aws:ec2:{region}:{account}:security-group-rule/sgr-{hex}"],
    ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", {}, "arn:aws:ec2:{region}:{account}:security-group-rule/sgr-{hex}"],
    ["aws:ec2/vpcEndpoint:VpcEndpoint", {}, "arn:aws:ec2:{region}:{account}:vpc-endpoint/vpce-{hex}"],
    ["aws:glue/catalogDatabase:CatalogDatabase", { name: "trip_kpis" }, "arn:aws:glue:{region}:{account}:database/trip_kpis"],
    ["aws:glue/catalogTable:CatalogTable", { name: "daily", databaseName: "trip_kpis" }, "arn:aws:glue:{region}:{account}:table/trip_kpis/daily"],
    ["aws:athena/workgroup:Workgroup", { name: "kpi" }, "arn:aws:athena:{region}:{account}:workgroup/kpi"],
    ["aws:cloudtrail/trail:Trail", { name: "audit" }, "arn:aws:cloudtrail:{region}:{account}:trail/audit"],
    ["aws:cloudtrail/eventDataStore:EventDataStore", {}, "arn:aws:cloudtrail:{region}:{account}:eventdatastore/{uuid}"],
    ["aws:ssm/parameter:Parameter", { name: "/app/level" }, "arn:aws:ssm:{region}:{account}:parameter/app/level"],
    ["aws:secretsmanager/secret:Secret", { name: "es" }, "arn:aws:secretsmanager:{region}:{account}:secret:es-{any}"],
    ["aws:ecr/repository:Repository", { name: "shipper" }, "arn:aws:ecr:{region}:{account}:repository/shipper"],
    ["aws:cognito/identityPool:IdentityPool", { identityPoolName: "app" }, "arn:aws:cognito-identity:{region}:{account}:identitypool/{region}:{uuid}"],
    ["aws:cognito/userPool:UserPool", { name: "app" }, "arn:aws:cognito-idp:{region}:{account}:userpool/{region}_{any}"],
    ["aws:sfn/stateMachine:StateMachine", { name: "flow" }, "arn:aws:states:{region}:{account}:stateMachine:flow"],
];

function formatPattern(format: string, region = REGION): RegExp {
    const escaped = format.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
    return new RegExp(
        `^${escaped
            .replace(/\{region\}/g, region)
            .replace(/\{account\}/g, MOCK_ACCOUNT_ID)
            .replace(/\{uuid\}/g, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .replace(/\{hex\}/g, "[0-9a-f]{17}")
            .replace(/\{any\}/g, "[A-Za-z0-9]+")}$`,
    );
}

/** The example id of `pulumi import <type> <name> <id>` in the provider's docs of the type, if any. */
function importExample(type: string): string | undefined {
    const file = declarationOf(type)?.file;
    return file ? new RegExp(`\\$ pulumi import ${type.replace(/[/:]/g, "\\$&")} \\S+ (\\S+)`).exec(fs.readFileSync(file, "utf8"))?.[1] : undefined;
}

/** What a documented id looks like: an ARN's service, whether it names a region and an account, its resource's structure and kind; a URL; or its number of `:` parts. */
function idShape(id: string): string {
    if (id.startsWith("arn:")) {
        const [, , service, region, account, ...rest] = id.split(":");
        // The resource part's structure (x/x, x:x), and its kind where a "/" follows one (trail/<name>).
        const resource = rest.join(":");
        return `arn ${service} region:${region !== ""} account:${account !== ""} ${resource.replace(/[^/:]+/g, "x")} ${/^([^/:]+)\//.exec(resource)?.[1] ?? ""}`;
    }
    return /^https?:\/\//.test(id) ? "url" : `${id.split(":").length} part(s)`;
}

/** The resource types this repository's programs create: `new aws.<module>.<Class>(` in the program and the fixtures, and what CallbackFunction creates. */
function programTypes(): Set<string> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const aws = require("@pulumi/aws") as Record<string, Record<string, { __pulumiType?: string }>>;
    const files: string[] = [path.join(ROOT, "index.ts")];
    const collect = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) collect(full);
            else if (entry.name.endsWith(".ts")) files.push(full);
        }
    };
    collect(path.join(ROOT, "components"));
    collect(path.join(ROOT, "test", "fixtures", "programs"));
    const types = new Set(["aws:lambda/function:Function", "aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]);
    for (const file of files) {
        for (const match of fs.readFileSync(file, "utf8").matchAll(/new aws\.([a-z0-9]+)\.([A-Za-z0-9]+)\(/g)) {
            const token = aws[match[1]]?.[match[2]]?.__pulumiType;
            if (token) types.add(token);
        }
    }
    return types;
}

describe("offline mocks: ids and ARNs as the provider returns them", function () {
    it("gives each type of the table the ARN format AWS documents", function () {
        for (const [type, inputs, format] of DOCUMENTED_ARNS) {
            expect(String(mocked(type, inputs).state["arn"]), `${type} ${JSON.stringify(inputs)}`).to.match(formatPattern(format));
        }
        const documented = new Set(DOCUMENTED_ARNS.map(([type]) => type));
        const undocumented = Object.keys(RESOURCE_SHAPES).filter((type) => computesOutput(type, "arn") && !documented.has(type));
        expect(undocumented, "add their documented ARN format to DOCUMENTED_ARNS").to.deep.equal([]);
    });

    it("matches the ids and ARNs of the provider's own import examples for every type of the table", function () {
        // Importers that translate what they are given: the id differs from the import id.
        const translated: Record<string, string> = {
            "aws:kinesis/stream:Stream": "imported by name, the stream's id is its ARN (terraform-provider-aws internal/service/kinesis/stream.go sets the id to StreamARN)",
        };
        let compared = 0;
        const seen = new Set<string>();
        for (const [type, inputs] of DOCUMENTED_ARNS) {
            const example = importExample(type);
            if (!example || seen.has(type) || translated[type]) continue;
            seen.add(type);
            compared++;
            const { id } = mocked(type, inputs);
            // A type imported by ARN has its ARN as id; otherwise the id has the example's form (name, URL, a:b:c).
            expect(idShape(id), `${type}: id ${id} vs documented ${example}`).to.equal(idShape(example));
        }
        expect(compared).to.be.greaterThan(25);
    });

    it("computes an ARN only for types the provider computes one for (not EventTarget's or TopicPolicy's input), and every type of the table exists", function () {
        for (const type of Object.keys(RESOURCE_SHAPES)) {
            expect(declarationOf(type), `${type} is not a type of the installed provider`).to.not.equal(undefined);
            expect("arn" in mocked(type, { name: "x", queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q" }).state, type).to.equal(computesOutput(type, "arn"));
        }
        // The old mock gave every type an invented ARN, QueuePolicy and FunctionEventInvokeConfig included.
        for (const type of ["aws:sqs/queuePolicy:QueuePolicy", "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"]) {
            expect(mocked(type, { functionName: "f", name: "x" }).state, type).to.not.have.property("arn");
        }
    });

    it("has an entry for every type this repository's programs create that has a computed ARN", function () {
        const types = programTypes();
        expect(types.size).to.be.greaterThan(30);
        const missing = [...types].filter((type) => computesOutput(type, "arn") && RESOURCE_SHAPES[type] === undefined);
        expect(missing, "add them to cli/offline/resourceShapes.ts").to.deep.equal([]);
    });

    it("gives resource-policy types the pack checks an ARN of this account and region when the provider declares one (the pack reads their account)", function () {
        let checked = 0;
        for (const type of Object.keys(POLICY_DOCUMENT_PROPERTIES)) {
            if (!computesOutput(type, "arn")) continue;
            const arn = String(mocked(type, { name: "x", bucket: "x", url: "https://issuer.example.com", databaseName: "d", topic: "arn:aws:sns:eu-west-1:123456789012:t" }).state["arn"]);
            const [, , , region, account] = arn.split(":");
            expect(account, `${type} ${arn}`).to.equal(type.startsWith("aws:s3/bucket") ? "" : MOCK_ACCOUNT_ID);
            expect([REGION, ""], `${type} ${arn}`).to.include(region);
            checked++;
        }
        expect(checked).to.be.greaterThan(40);
    });

    it("renders an OIDC provider the program creates as IAM does: oidc-provider/<host>, url without the scheme, id the ARN", function () {
        const { id, state } = mocked("aws:iam/openIdConnectProvider:OpenIdConnectProvider", { url: "https://gitlab.com", clientIdLists: ["sts.amazonaws.com"] });
        expect(state["arn"]).to.equal(`arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/gitlab.com`);
        expect(state["url"]).to.equal("gitlab.com");
        expect(id).to.equal(state["arn"]);
    });
});

describe("offline mocks: per-resource region (provider v7)", function () {
    it("manages a resource in its own region when it sets one, in the stack's otherwise, and reports it", function () {
        const there = mocked("aws:lambda/function:Function", { name: "edge", region: "us-east-1" });
        expect(there.state["region"]).to.equal("us-east-1");
        expect(there.state["arn"]).to.equal(`arn:aws:lambda:us-east-1:${MOCK_ACCOUNT_ID}:function:edge`);
        const here = mocked("aws:cloudwatch/logGroup:LogGroup", { name: "/aws/lambda/edge" });
        expect(here.state["region"]).to.equal(REGION);
        expect(here.state["arn"]).to.equal(`arn:aws:logs:${REGION}:${MOCK_ACCOUNT_ID}:log-group:/aws/lambda/edge`);
    });

    it("takes the region of the resource's explicit provider, for resources and data sources", function () {
        const cloud = new MockCloud(REGION);
        const provider = cloud.mockState("pulumi:providers:aws", "use1", { region: "us-east-1" });
        const reference = `urn:pulumi:test::p::pulumi:providers:aws::use1::${provider.id}`;
        expect(cloud.mockState("aws:sqs/queue:Queue", "q", { name: "q" }, reference).state["arn"]).to.equal(`arn:aws:sqs:us-east-1:${MOCK_ACCOUNT_ID}:q`);
        expect(cloud.call({ token: "aws:index/getRegion:getRegion", inputs: {}, provider: reference })["region"]).to.equal("us-east-1");
        expect(cloud.call({ token: "aws:index/getRegion:getRegion", inputs: {} })["region"]).to.equal(REGION);
    });

    it("reports no region for global types (IAM) and keeps regional ARNs of a region-less ARN format (S3) region-less", function () {
        expect(mocked("aws:iam/role:Role", { name: "r" }).state).to.not.have.property("region");
        const bucket = mocked("aws:s3/bucket:Bucket", { bucket: "b", region: "us-east-1" });
        expect(bucket.state["arn"]).to.equal("arn:aws:s3:::b");
        expect(bucket.state["region"]).to.equal("us-east-1");
        expect(bucket.state["bucketRegionalDomainName"]).to.equal("b.s3.us-east-1.amazonaws.com");
    });
});
