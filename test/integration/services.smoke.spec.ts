import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { expect } from "chai";

import { ElasticsearchService, MotoService, useElasticsearch, useMoto } from "../harness/services";
import { ELASTICSEARCH_VERSION, MOTO_VERSION } from "../harness/services/paths";

describe("local AWS (moto server) answers the SDK as AWS does", function () {
    let moto: MotoService;
    before(async function () {
        this.timeout(90000);
        moto = await useMoto();
    });

    it("is a real moto server process on loopback", async function () {
        expect(moto.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(moto.version).to.match(/^\d+\.\d+\.\d+/);
        expect(moto.version, "the version pinned in scripts/versions.env").to.equal(MOTO_VERSION);
        const response = await fetch(`${moto.endpoint}/moto-api/`);
        expect(response.ok).to.equal(true);
    });

    it("creates a DynamoDB table and queries items by key", async function () {
        const dynamo = new DynamoDBClient({});
        await dynamo.send(
            new CreateTableCommand({
                TableName: "smoke-trips",
                BillingMode: "PAY_PER_REQUEST",
                AttributeDefinitions: [
                    { AttributeName: "day", AttributeType: "S" },
                    { AttributeName: "tripId", AttributeType: "S" },
                ],
                KeySchema: [
                    { AttributeName: "day", KeyType: "HASH" },
                    { AttributeName: "tripId", KeyType: "RANGE" },
                ],
            }),
        );
        for (const tripId of ["t1", "t2", "t3"]) {
            await dynamo.send(new PutItemCommand({ TableName: "smoke-trips", Item: { day: { S: "2026-11-21" }, tripId: { S: tripId } } }));
        }
        await dynamo.send(new PutItemCommand({ TableName: "smoke-trips", Item: { day: { S: "2026-11-22" }, tripId: { S: "t4" } } }));
        const result = await dynamo.send(
            new QueryCommand({ TableName: "smoke-trips", KeyConditionExpression: "#d = :d", ExpressionAttributeNames: { "#d": "day" }, ExpressionAttributeValues: { ":d": { S: "2026-11-21" } } }),
        );
        expect(result.Items?.map((item) => item["tripId"]?.S).sort()).to.deep.equal(["t1", "t2", "t3"]);
    });

    it("stores an S3 object encrypted with a KMS key", async function () {
        const kms = new KMSClient({});
        const key = await kms.send(new CreateKeyCommand({ Description: "smoke" }));
        const keyId = key.KeyMetadata?.KeyId;
        expect(keyId).to.be.a("string");
        const s3 = new S3Client({ forcePathStyle: true });
        await s3.send(new CreateBucketCommand({ Bucket: "smoke-bucket", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
        await s3.send(new PutObjectCommand({ Bucket: "smoke-bucket", Key: "a.json", Body: '{"n":1}', ServerSideEncryption: "aws:kms", SSEKMSKeyId: keyId }));
        const head = await s3.send(new HeadObjectCommand({ Bucket: "smoke-bucket", Key: "a.json" }));
        expect(head.ServerSideEncryption).to.equal("aws:kms");
        const body = await (await s3.send(new GetObjectCommand({ Bucket: "smoke-bucket", Key: "a.json" }))).Body?.transformToString();
        expect(body).to.equal('{"n":1}');
    });

    it("sends and receives an SQS message", async function () {
        const sqs = new SQSClient({});
        const queue = await sqs.send(new CreateQueueCommand({ QueueName: "smoke-queue" }));
        await sqs.send(new SendMessageCommand({ QueueUrl: queue.QueueUrl, MessageBody: "hello" }));
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        expect(received.Messages?.map((message) => message.Body)).to.deep.equal(["hello"]);
    });

    it("puts a Kinesis record and reads it back", async function () {
        // The Kinesis client defaults to HTTP/2 (for SubscribeToShard); moto speaks HTTP/1.1.
        const kinesis = new KinesisClient({ requestHandler: new NodeHttpHandler() });
        await kinesis.send(new CreateStreamCommand({ StreamName: "smoke-stream", ShardCount: 1 }));
        await kinesis.send(new PutRecordCommand({ StreamName: "smoke-stream", PartitionKey: "p", Data: Buffer.from("record-1") }));
        const stream = await kinesis.send(new DescribeStreamCommand({ StreamName: "smoke-stream" }));
        const shardId = stream.StreamDescription?.Shards?.[0]?.ShardId;
        const iterator = await kinesis.send(new GetShardIteratorCommand({ StreamName: "smoke-stream", ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
        const records = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
        expect(records.Records?.map((record) => Buffer.from(record.Data ?? []).toString())).to.deep.equal(["record-1"]);
    });

    it("creates a log group and sets its retention", async function () {
        const logs = new CloudWatchLogsClient({});
        await logs.send(new CreateLogGroupCommand({ logGroupName: "/smoke/app" }));
        await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/smoke/app", retentionInDays: 7 }));
        const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/smoke/" }));
        expect(groups.logGroups?.map((group) => [group.logGroupName, group.retentionInDays])).to.deep.equal([["/smoke/app", 7]]);
    });
});

describe("local Elasticsearch is a real node with TLS and auth", function () {
    let es: ElasticsearchService;
    before(async function () {
        this.timeout(150000);
        es = await useElasticsearch();
    });

    it("passes the client's product check over verified TLS", async function () {
        // Every response of the 8.x client is product-checked (X-Elastic-Product header).
        const health = await es.client().cluster.health();
        expect(health.cluster_name).to.equal("log-platform-test");
        expect(es.version).to.match(/^8\./);
        expect(es.version, "the version pinned in scripts/versions.env").to.equal(ELASTICSEARCH_VERSION);
        expect(es.endpoint).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    });

    it("rejects a wrong password", async function () {
        const { Client } = await import("@elastic/elasticsearch");
        const bad = new Client({ node: es.endpoint, auth: { username: "elastic", password: "wrong" }, tls: { ca: es.caCertificate } });
        try {
            await bad.cluster.health();
            expect.fail("Elasticsearch accepted a wrong password");
        } catch (error) {
            expect((error as { meta?: { statusCode?: number } }).meta?.statusCode).to.equal(401);
        } finally {
            await bad.close();
        }
    });

    it("indexes documents and finds them by search", async function () {
        const client = es.client();
        await client.bulk({
            refresh: "wait_for",
            operations: [
                { create: { _index: "smoke-logs", _id: "a" } },
                { message: "user login", level: "info" },
                { create: { _index: "smoke-logs", _id: "b" } },
                { message: "disk full", level: "error" },
            ],
        });
        const result = await client.search<{ message: string }>({ index: "smoke-logs", query: { match: { level: "error" } } });
        expect(result.hits.hits.map((hit) => hit._id)).to.deep.equal(["b"]);
        await client.close();
    });
});
