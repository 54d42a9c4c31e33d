import { expect } from "chai";

import { queueStreamDataRetention } from "../../policypack/policies/dataProtection";
import { runStackPolicy, StackResourceSpec, stackArgs, unknown } from "../harness/policy";

const DAY = 86400;
const ARN = (name: string) => `arn:aws:sqs:eu-west-1:123456789012:${name}`;
const queue = (name: string, retentionDays: number | undefined, props: Record<string, unknown> = {}, propertyDependencies?: Record<string, string[]>): StackResourceSpec => ({
    type: "aws:sqs/queue:Queue",
    name,
    props: { name, arn: ARN(name), url: `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`, messageRetentionSeconds: retentionDays === undefined ? undefined : retentionDays * DAY, ...props },
    propertyDependencies,
});
const stream = (name: string, retentionHours: number): StackResourceSpec => ({
    type: "aws:kinesis/stream:Stream",
    name,
    props: { name, arn: `arn:aws:kinesis:eu-west-1:123456789012:stream/${name}`, retentionPeriod: retentionHours, shardCount: 1 },
});
const fn = (name: string): StackResourceSpec => ({
    type: "aws:lambda/function:Function",
    name,
    props: { name, arn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`, role: `arn:aws:iam::123456789012:role/${name}-role` },
});
const role = (name: string, statements: unknown[]): StackResourceSpec[] => [
    { type: "aws:iam/role:Role", name: `${name}-role`, props: { name: `${name}-role`, arn: `arn:aws:iam::123456789012:role/${name}-role` } },
    { type: "aws:iam/rolePolicy:RolePolicy", name: `${name}-policy`, props: { role: `${name}-role`, policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) } },
];
const mapping = (name: string, source: string, fnName: string, props: Record<string, unknown> = {}): StackResourceSpec => ({
    type: "aws:lambda/eventSourceMapping:EventSourceMapping",
    name,
    props: { eventSourceArn: source, functionName: `arn:aws:lambda:eu-west-1:123456789012:function:${fnName}`, ...props },
});
const check = (specs: StackResourceSpec[], config?: Record<string, unknown>) => runStackPolicy(queueStreamDataRetention, stackArgs(specs, { config }));
const messages = async (specs: StackResourceSpec[]) => (await check(specs)).map((violation) => violation.message).join("\n");

describe("policy queue-stream-data-retention", function () {
    it("passes queues and streams that keep data within the limit on their own (unset: SQS 4 days, Kinesis 24 h)", async function () {
        expect(await check([queue("work", 7), queue("default", undefined), stream("logs", 168)])).to.deep.equal([]);
    });

    it("blocks a queue or stream that keeps data longer on its own", async function () {
        const violations = await check([queue("work", 8), stream("logs", 192)]);
        expect(violations.map((violation) => violation.urn?.split("::").pop())).to.deep.equal(["work", "logs"]);
        expect(violations[0]?.message).to.contain("8d").and.contain("7-day limit");
    });

    it("sums a FIFO queue and its dead-letter queue (the clock starts again): 4 d + 4 d = 8 d; a standard DLQ keeps the original enqueue time", async function () {
        const fifo = [queue("jobs.fifo", 4, { fifoQueue: true, redrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN("jobs-dlq.fifo"), maxReceiveCount: 5 }) }), queue("jobs-dlq.fifo", 4, { fifoQueue: true })];
        const [violation, ...more] = await check(fifo);
        expect(more).to.deep.equal([]);
        expect(violation?.urn).to.contain("::jobs-dlq.fifo");
        expect(violation?.message).to.contain("FIFO").and.contain("8d").and.contain('"jobs.fifo"');
        const standard = [queue("jobs", 4, { redrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN("jobs-dlq"), maxReceiveCount: 5 }) }), queue("jobs-dlq", 4)];
        expect(await check(standard)).to.deep.equal([]);
        // The same FIFO pair through an aws.sqs.RedrivePolicy resource, and by dependency while the ARN is unknown.
        const separate: StackResourceSpec = {
            type: "aws:sqs/redrivePolicy:RedrivePolicy",
            name: "jobs-redrive",
            props: { queueUrl: unknown.string, redrivePolicy: unknown.string },
            propertyDependencies: { queueUrl: ["jobs.fifo"], redrivePolicy: ["jobs-dlq.fifo"] },
        };
        expect(await check([queue("jobs.fifo", 4, { fifoQueue: true }), queue("jobs-dlq.fifo", 4, { fifoQueue: true }), separate])).to.have.length(1);
    });

    it("sums an event source mapping's record age limit and its on-failure destination", async function () {
        const failures = queue("failures", 5);
        const source = stream("clicks", 72);
        const on = (props: Record<string, unknown>) => mapping("clicks-mapping", "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks", "reader", { destinationConfig: { onFailure: { destinationArn: ARN("failures") } }, ...props });
        // No maximumRecordAgeInSeconds: records up to the stream's 72 h + 5 d = 8 d.
        const [violation] = await check([source, failures, fn("reader"), on({})]);
        expect(violation?.urn).to.contain("::failures");
        expect(violation?.message).to.contain("clicks-mapping").and.contain("8d");
        // Records given up after 6 h: 6 h + 5 d.
        expect(await check([source, failures, fn("reader"), on({ maximumRecordAgeInSeconds: 21600 })])).to.deep.equal([]);
    });

    it("sums a source a function reads and a queue its role may sqs:SendMessage to", async function () {
        const source = queue("inbox", 4);
        const out = queue("out", 4);
        const reads = mapping("inbox-mapping", ARN("inbox"), "worker");
        const send = [{ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [ARN("out")] }];
        const [violation, ...more] = await check([source, out, fn("worker"), ...role("worker", send), reads]);
        expect(more).to.deep.equal([]);
        expect(violation?.urn).to.contain("::out");
        expect(violation?.message).to.contain('function "worker"').and.contain("sqs:SendMessage").and.contain("8d");
        // Read-only grants, a grant on another queue, or no mapping: no path.
        expect(await check([source, out, fn("worker"), ...role("worker", [{ Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: [ARN("inbox")] }]), reads])).to.deep.equal([]);
        expect(await check([source, out, fn("worker"), ...role("worker", [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: ARN("elsewhere") }]), reads])).to.deep.equal([]);
        expect(await check([source, out, fn("worker"), ...role("worker", send)])).to.deep.equal([]);
        // Wildcards grant it too: here to every queue, the source included (a loop).
        const wide = await check([source, out, fn("worker"), ...role("worker", [{ Effect: "Allow", Action: "sqs:Send*", Resource: "arn:aws:sqs:eu-west-1:123456789012:*" }]), reads]);
        expect(wide.map((violation) => violation.urn?.split("::").pop())).to.deep.equal(["inbox", "out"]);
    });

    it("sums a function's asynchronous event age and its destinations or dead-letter queue", async function () {
        const config = (maximumEventAgeInSeconds?: number): StackResourceSpec => ({
            type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
            name: "worker-async",
            props: { functionName: "worker", maximumEventAgeInSeconds, destinationConfig: { onFailure: { destination: ARN("failed") } } },
        });
        // Lambda's default 6 h + 7 d.
        expect(await messages([fn("worker"), queue("failed", 7), config()])).to.contain("7d 6h");
        expect(await check([fn("worker"), queue("failed", 7), config(60)])).to.have.length(1);
        expect(await check([fn("worker"), queue("failed", 6), config()])).to.deep.equal([]);
        const legacy: StackResourceSpec = { ...fn("worker"), props: { ...fn("worker").props, deadLetterConfig: { targetArn: ARN("failed") } } };
        expect(await messages([legacy, queue("failed", 7)])).to.contain("dead-letter queue of function");
    });

    it("sums an EventBridge target's event age and its dead-letter queue", async function () {
        const target = (retryPolicy?: Record<string, unknown>): StackResourceSpec => ({
            type: "aws:cloudwatch/eventTarget:EventTarget",
            name: "nightly-target",
            props: { rule: "nightly", arn: "arn:aws:lambda:eu-west-1:123456789012:function:worker", deadLetterConfig: { arn: ARN("missed") }, retryPolicy },
        });
        // EventBridge's default 24 h + 7 d; 1 h + 6 d fits.
        expect(await messages([queue("missed", 7), target()])).to.contain("8d");
        expect(await check([queue("missed", 6), target({ maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 3 })])).to.deep.equal([]);
    });

    it("follows a path through several stores, and finds a loop", async function () {
        // worker reads inbox (1 d) and sends to a FIFO queue (2 d) whose DLQ keeps 4 d: 1 + 2 + 4 = 7 d fits; 5 d is 8 d.
        const chain = (dlqDays: number) => [
            queue("inbox", 1),
            queue("staged.fifo", 2, { fifoQueue: true, redrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN("staged-dlq.fifo") }) }),
            queue("staged-dlq.fifo", dlqDays, { fifoQueue: true }),
            fn("worker"),
            ...role("worker", [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: ARN("staged.fifo") }]),
            mapping("inbox-mapping", ARN("inbox"), "worker"),
        ];
        expect(await check(chain(4))).to.deep.equal([]);
        const [violation] = await check(chain(5));
        expect(violation?.message).to.contain("staged-dlq.fifo").and.contain("inbox").and.contain("8d");
        // A function that reads a queue and may send back to it: no bound.
        const loop = [queue("inbox", 1), fn("worker"), ...role("worker", [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: ARN("inbox") }]), mapping("inbox-mapping", ARN("inbox"), "worker")];
        expect(await messages(loop)).to.contain("loop").and.contain("forever");
    });

    it("still follows paths while the stores' own ARNs are unknown (preview): by dependency, and by the queue's name in a grant", async function () {
        const withoutArn = (spec: StackResourceSpec): StackResourceSpec => ({ ...spec, props: { ...spec.props, arn: unknown.string, url: unknown.string } });
        const fifo = [
            queue("jobs.fifo", 4, { fifoQueue: true, redrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN("jobs-dlq.fifo") }) }, { redrivePolicy: ["jobs-dlq.fifo"] }),
            withoutArn(queue("jobs-dlq.fifo", 4, { fifoQueue: true })),
        ];
        expect(await check(fifo)).to.have.length(1);
        const reads = mapping("inbox-mapping", unknown.string, "worker");
        const send = [{ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [ARN("out")] }];
        const specs = [withoutArn(queue("inbox", 4)), withoutArn(queue("out", 4)), fn("worker"), ...role("worker", send), { ...reads, propertyDependencies: { eventSourceArn: ["inbox"] } }];
        expect((await check(specs)).map((violation) => violation.urn?.split("::").pop())).to.deep.equal(["out"]);
    });

    it("never makes up a violation from unknown retentions, and takes the limit from config", async function () {
        expect(await check([queue("work", undefined, { messageRetentionSeconds: unknown.number })])).to.deep.equal([]);
        expect(await check([queue("work", 8)], { maxAgeDays: 8 })).to.deep.equal([]);
    });
});
