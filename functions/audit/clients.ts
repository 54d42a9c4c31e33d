import { AthenaClient } from "@aws-sdk/client-athena";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";

import { awsClientConfig } from "../shared/awsClient";

/** Static credentials (the tests' own account in moto). */
export interface StaticCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}

/** The SDK clients of one region. */
export interface RegionClients {
    logs: CloudWatchLogsClient;
    s3: S3Client;
    sqs: SQSClient;
    kinesis: KinesisClient;
    dynamodb: DynamoDBClient;
    athena: AthenaClient;
    ec2: EC2Client;
}

/**
 * SDK clients per region, made on first use and destroyed together. Credentials come from the standard chain and the
 * endpoint from `AWS_ENDPOINT_URL` (the local moto); every call is read-only. Retries: the SDK's standard mode, 8
 * attempts, so throttling on a large account slows the audit down instead of failing it.
 */
export class AuditClients {
    private readonly regions = new Map<string, RegionClients>();

    /** `credentials` and `endpoint` override the standard chain and AWS_ENDPOINT_URL (tests: an account of their own, a fault proxy). */
    constructor(private readonly overrides: { credentials?: StaticCredentials; endpoint?: string } = {}) {}

    region(region: string): RegionClients {
        let clients = this.regions.get(region);
        if (!clients) {
            const options = {
                ...awsClientConfig({ region, maxAttempts: 8, retryMode: "standard" }),
                ...(this.overrides.credentials ? { credentials: this.overrides.credentials } : {}),
                ...(this.overrides.endpoint ? { endpoint: this.overrides.endpoint } : {}),
            };
            const local = (this.overrides.endpoint ?? process.env["AWS_ENDPOINT_URL"]) !== undefined;
            clients = {
                logs: new CloudWatchLogsClient(options),
                // Path-style addressing for a local endpoint (a bucket name cannot be a subdomain of 127.0.0.1).
                s3: new S3Client({ ...options, followRegionRedirects: true, ...(local ? { forcePathStyle: true } : {}) }),
                sqs: new SQSClient(options),
                // HTTP/1.1: the Kinesis client would otherwise negotiate HTTP/2 (for SubscribeToShard), which the audit never calls.
                kinesis: new KinesisClient({ ...options, requestHandler: new NodeHttpHandler() }),
                dynamodb: new DynamoDBClient(options),
                athena: new AthenaClient(options),
                ec2: new EC2Client(options),
            };
            this.regions.set(region, clients);
        }
        return clients;
    }

    destroy(): void {
        for (const clients of this.regions.values()) for (const client of Object.values(clients)) (client as { destroy(): void }).destroy();
        this.regions.clear();
    }
}
