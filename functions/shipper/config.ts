/**
 * The plain configuration the LogShipper component hands to `makeShipperHandler` (functions/shipper/handler.ts).
 * It is serialized by value into each function, so it holds no secret: credentials come from Secrets Manager
 * at run time (`credentialsSecretArn`), or, for local use only (tests, `npm run ship`), from `credentials`.
 */
export type ShipperSource = "cloudwatch" | "kinesis" | "sqs";

export interface SourceFilter {
    /** Only messages matching this regular expression are shipped. */
    include?: string;
    /** Messages matching this regular expression are dropped (counted as filtered). */
    exclude?: string;
}

export type ElasticsearchCredentials = { username: string; password: string } | { apiKey: string };

export interface ShipperFunctionConfig {
    /** Which trigger this function is deployed for (one function per source); events of another shape are rejected with an InputError. `any` accepts all three (the CLI). */
    source: ShipperSource | "any";
    elasticsearch: {
        /** https://host:port of the cluster. */
        endpoint: string;
        /** Secrets Manager secret holding JSON `{"username","password"}` or `{"apiKey"}`; read once per container. */
        credentialsSecretArn?: string;
        /** Local use only (tests, CLI): never set by the component. */
        credentials?: ElasticsearchCredentials;
        /** PEM of a private CA; the system trust store when unset. TLS is always verified. */
        caCertificatePem?: string;
        /** Install the index template (idempotently) at cold start. */
        installIndexTemplate: boolean;
        /** Data stream lifecycle retention (e.g. "7d") the index template sets: always set (the stack config caps it by the data-protection budget). */
        dataRetention: string;
        /** The stack exempts Elasticsearch from the data-protection limit (its template then carries the mark). */
        dataProtectionExemption?: boolean;
        /** data_stream.namespace: from the stack. */
        namespace: string;
    };
    routing: {
        /** dataset per source (aws.cloudwatch_logs, aws.kinesis, aws.sqs) or per CloudWatch log group. */
        datasetBy: "source" | "logGroup";
    };
    filters: Partial<Record<ShipperSource, SourceFilter>>;
    json: {
        /** Field a JSON-object message is expanded under. */
        field: string;
        maxDepth: number;
        maxFields: number;
    };
    delivery: {
        bulkConcurrency: number;
        bulkMaxBytes: number;
        /** Cap of one request's timeout; always kept below the invocation's remaining time. */
        requestTimeoutMs: number;
        /** Transport retries per request (429, 502-504, connection errors), with backoff. */
        maxRetries: number;
    };
    /** SQS queue (URL) that receives non-retryable documents and malformed input, with the original event and the error. */
    deadLetterQueueUrl?: string;
    /** S3 bucket for dead letters too large for SQS (optional; otherwise they are gzip-compressed, then split). */
    deadLetterBucket?: string;
}
