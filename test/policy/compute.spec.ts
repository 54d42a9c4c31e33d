import { expect } from "chai";

import {
    eventSourceBatchItemFailures,
    eventSourceBatching,
    lambdaAsyncFailureDestination,
    lambdaErrorAlarm,
    lambdaInVpc,
    lambdaMemoryBounds,
    lambdaNoPlaintextSecrets,
    lambdaNotPublic,
    lambdaReservedConcurrency,
    lambdaRuntimeSupported,
    lambdaTimeoutBounds,
} from "../../policypack/policies/compute";
import { resourceArgs, runResourcePolicy, runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const FN = "aws:lambda/function:Function";
const ESM = "aws:lambda/eventSourceMapping:EventSourceMapping";
const onFunction = (policy: Parameters<typeof runResourcePolicy>[0], props: Record<string, unknown>, config?: Record<string, unknown>) => runResourcePolicy(policy, resourceArgs(FN, props, { config }));

describe("policy lambda-runtime-supported", function () {
    it("passes nodejs22.x and nodejs24.x, blocks nodejs20.x and deprecated runtimes", async function () {
        expect(await onFunction(lambdaRuntimeSupported, { runtime: "nodejs22.x" })).to.deep.equal([]);
        expect(await onFunction(lambdaRuntimeSupported, { runtime: "nodejs24.x" })).to.deep.equal([]);
        expect(await onFunction(lambdaRuntimeSupported, { runtime: "nodejs20.x" })).to.have.length(1);
        expect(await onFunction(lambdaRuntimeSupported, { runtime: "python3.9" })).to.have.length(1);
        expect(await onFunction(lambdaRuntimeSupported, { runtime: "nodejs22.x" }, { minimumNodeVersion: 24 })).to.have.length(1);
    });
});

describe("policy lambda-in-vpc", function () {
    const vpc = { subnetIds: ["subnet-0a1b2c3d4e5f60719"], securityGroupIds: ["sg-0123456789abcdef0"] };
    const esEnv = { environment: { variables: { ELASTICSEARCH_ENDPOINT: "https://es:9243" } } };

    it("blocks a function that reaches Elasticsearch outside a VPC, passes it inside", async function () {
        expect(await onFunction(lambdaInVpc, esEnv)).to.have.length(1);
        expect(await onFunction(lambdaInVpc, { ...esEnv, vpcConfig: vpc })).to.deep.equal([]);
        expect(await onFunction(lambdaInVpc, { ...esEnv, vpcConfig: { subnetIds: unknown.array, securityGroupIds: unknown.array } })).to.deep.equal([]);
    });

    it("leaves other functions alone unless scope is all", async function () {
        expect(await onFunction(lambdaInVpc, {})).to.deep.equal([]);
        expect(await onFunction(lambdaInVpc, {}, { scope: "all" })).to.have.length(1);
    });
});

describe("policy lambda-no-plaintext-secrets", function () {
    it("blocks secret-looking variables holding values, passes references", async function () {
        const violations = await onFunction(lambdaNoPlaintextSecrets, { environment: { variables: { ES_PASSWORD: "hunter2", API_TOKEN: "abc", LOG_LEVEL: "info" } } });
        expect(violations.map((v) => v.message).join()).to.contain("ES_PASSWORD").and.contain("API_TOKEN").and.not.contain("LOG_LEVEL");
        const references = await onFunction(lambdaNoPlaintextSecrets, {
            environment: { variables: { ES_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x", ES_PASSWORD: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:y" } },
        });
        expect(references).to.deep.equal([]);
    });
});

describe("policy lambda-not-public", function () {
    it('blocks principal "*" and unauthenticated function URLs; passes scoped service grants', async function () {
        expect(await runResourcePolicy(lambdaNotPublic, resourceArgs("aws:lambda/permission:Permission", { principal: "*", function: "f", action: "lambda:InvokeFunction" }))).to.have.length(1);
        expect(await runResourcePolicy(lambdaNotPublic, resourceArgs("aws:lambda/functionUrl:FunctionUrl", { functionName: "f", authorizationType: "NONE" }))).to.have.length(1);
        expect(await runResourcePolicy(lambdaNotPublic, resourceArgs("aws:lambda/functionUrl:FunctionUrl", { functionName: "f", authorizationType: "AWS_IAM" }))).to.deep.equal([]);
        expect(await runResourcePolicy(lambdaNotPublic, resourceArgs("aws:lambda/permission:Permission", { principal: "events.amazonaws.com", function: "f", sourceArn: "arn:aws:events:eu-west-1:123456789012:rule/r" }))).to.deep.equal([]);
        expect(await runResourcePolicy(lambdaNotPublic, resourceArgs("aws:lambda/permission:Permission", { principal: "logs.amazonaws.com", function: "f" }))).to.have.length(1);
    });
});

describe("policy lambda-error-alarm", function () {
    const fn: StackResourceSpec = { type: FN, name: "fn", props: { name: "fn-1" } };
    it("passes a function with an Errors alarm, advises one without", async function () {
        const alarm: StackResourceSpec = { type: "aws:cloudwatch/metricAlarm:MetricAlarm", name: "fn-errors", props: { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "fn-1" } } };
        expect(await runStackPolicy(lambdaErrorAlarm, stackArgs([fn, alarm]))).to.deep.equal([]);
        expect(await runStackPolicy(lambdaErrorAlarm, stackArgs([fn]))).to.have.length(1);
        const otherMetric = { ...alarm, props: { ...alarm.props, metricName: "Throttles" } };
        expect(await runStackPolicy(lambdaErrorAlarm, stackArgs([fn, otherMetric]))).to.have.length(1);
    });
});

describe("policy lambda-async-failure-destination", function () {
    const fn: StackResourceSpec = { type: FN, name: "fn", props: { name: "fn-1" } };
    const permission: StackResourceSpec = { type: "aws:lambda/permission:Permission", name: "p", props: { principal: "events.amazonaws.com", function: "fn-1" }, propertyDependencies: { function: ["fn"] } };
    it("advises an async function without destination; passes with one", async function () {
        expect(await runStackPolicy(lambdaAsyncFailureDestination, stackArgs([fn, permission]))).to.have.length(1);
        const config: StackResourceSpec = { type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", name: "c", props: { functionName: "fn-1", destinationConfig: { onFailure: { destination: "arn:aws:sqs:eu-west-1:123456789012:dlq" } } } };
        expect(await runStackPolicy(lambdaAsyncFailureDestination, stackArgs([fn, permission, config]))).to.deep.equal([]);
        expect(await runStackPolicy(lambdaAsyncFailureDestination, stackArgs([fn]))).to.deep.equal([]);
    });
});

describe("policy lambda-event-source-batch-item-failures", function () {
    it("advises a mapping without ReportBatchItemFailures", async function () {
        expect(await runResourcePolicy(eventSourceBatchItemFailures, resourceArgs(ESM, { functionName: "f" }))).to.have.length(1);
        expect(await runResourcePolicy(eventSourceBatchItemFailures, resourceArgs(ESM, { functionName: "f", functionResponseTypes: ["ReportBatchItemFailures"] }))).to.deep.equal([]);
    });
});

describe("policies lambda-memory-bounds and lambda-timeout-bounds", function () {
    it("advise outside the bounds, pass inside, follow config", async function () {
        expect(await onFunction(lambdaMemoryBounds, { memorySize: 512 })).to.deep.equal([]);
        expect(await onFunction(lambdaMemoryBounds, { memorySize: 10240 })).to.have.length(1);
        expect(await onFunction(lambdaMemoryBounds, { memorySize: 10240 }, { maxMemoryMb: 10240 })).to.deep.equal([]);
        expect(await onFunction(lambdaTimeoutBounds, { timeout: 60 })).to.deep.equal([]);
        expect(await onFunction(lambdaTimeoutBounds, { timeout: 900 })).to.have.length(1);
        expect(await onFunction(lambdaTimeoutBounds, {})).to.have.length(1);
    });
});

describe("policies lambda-reserved-concurrency and lambda-event-source-batching", function () {
    const stream: StackResourceSpec = { type: "aws:kinesis/stream:Stream", name: "stream", props: { shardCount: 4 } };
    const fn = (reserved?: number): StackResourceSpec => ({ type: FN, name: "fn", props: { name: "fn-1", reservedConcurrentExecutions: reserved } });
    const mapping = (props: Record<string, unknown>): StackResourceSpec => ({ type: ESM, name: "esm", props: { functionName: "fn-1", ...props }, propertyDependencies: { functionName: ["fn"], eventSourceArn: ["stream"] } });

    it("advise event-driven functions without reserved concurrency", async function () {
        expect(await runStackPolicy(lambdaReservedConcurrency, stackArgs([stream, fn(), mapping({})]))).to.have.length(1);
        expect(await runStackPolicy(lambdaReservedConcurrency, stackArgs([stream, fn(8), mapping({})]))).to.deep.equal([]);
    });

    it("advise too little concurrency for the shards, and large batches with no window", async function () {
        const short = await runStackPolicy(eventSourceBatching, stackArgs([stream, fn(2), mapping({ batchSize: 100, maximumBatchingWindowInSeconds: 5 })]));
        expect(short.map((v) => v.message).join()).to.contain("needs 4");
        const noWindow = await runStackPolicy(eventSourceBatching, stackArgs([stream, fn(8), mapping({ batchSize: 500 })]));
        expect(noWindow.map((v) => v.message).join()).to.contain("no batching window");
        expect(await runStackPolicy(eventSourceBatching, stackArgs([stream, fn(8), mapping({ batchSize: 500, maximumBatchingWindowInSeconds: 5, parallelizationFactor: 2 })]))).to.deep.equal([]);
    });
});
