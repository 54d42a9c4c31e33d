import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Diagnostic, Serializer, Transport, UndiciConnection, WeightedConnectionPool } from "@elastic/transport";

import { awsClientConfig } from "../shared/awsClient";
import { InputError, RetryableError, describeError } from "../shared/errors";
import type { ElasticsearchCredentials, ShipperFunctionConfig } from "./config";

/** Parses the secret's JSON: `{"username","password"}` or `{"apiKey"}` (what the component documents). */
export function parseCredentials(secretString: string, secretArn: string): ElasticsearchCredentials {
    let parsed: unknown;
    try {
        parsed = JSON.parse(secretString);
    } catch {
        throw new InputError(`Secrets Manager secret ${secretArn} is not JSON: store {"username":"...","password":"..."} or {"apiKey":"..."}`);
    }
    const value = parsed as Record<string, unknown>;
    if (typeof value["apiKey"] === "string" && value["apiKey"].length > 0) return { apiKey: value["apiKey"] };
    if (typeof value["username"] === "string" && typeof value["password"] === "string") return { username: value["username"], password: value["password"] };
    throw new InputError(`Secrets Manager secret ${secretArn} holds neither username/password nor apiKey: store {"username":"...","password":"..."} or {"apiKey":"..."}`);
}

async function readCredentials(config: ShipperFunctionConfig["elasticsearch"]): Promise<ElasticsearchCredentials> {
    if (config.credentials) return config.credentials;
    const arn = config.credentialsSecretArn;
    if (!arn) throw new InputError("elasticsearch.credentialsSecretArn is not set: the shipper needs the ARN of a secret holding the Elasticsearch credentials");
    const client = new SecretsManagerClient(awsClientConfig({ maxAttempts: 3 }));
    try {
        const answer = await client.send(new GetSecretValueCommand({ SecretId: arn }));
        if (typeof answer.SecretString !== "string") throw new InputError(`Secrets Manager secret ${arn} has no SecretString: store the credentials as JSON text`);
        return parseCredentials(answer.SecretString, arn);
    } catch (error) {
        if (error instanceof InputError) throw error;
        throw new RetryableError(`reading the Elasticsearch credentials from ${arn} failed: ${describeError(error)}`, { cause: error });
    } finally {
        client.destroy();
    }
}

/** Content types of the Elasticsearch 8 REST API (what `@elastic/elasticsearch` sends: compatible with 8). */
const VENDORED_HEADERS = {
    jsonContentType: "application/vnd.elasticsearch+json; compatible-with=8",
    ndjsonContentType: "application/vnd.elasticsearch+x-ndjson; compatible-with=8",
    accept: "application/vnd.elasticsearch+json; compatible-with=8,text/plain",
};

/**
 * The transport of the official client (`@elastic/transport`, what `@elastic/elasticsearch`'s Client is built on),
 * set up as the Client sets it up: one node, TLS verified, basic or API-key auth, the Elasticsearch product check
 * and its content types. Used directly because the Client's module also loads its helpers (apache-arrow) at require
 * time, which cost most of the cold start; the shipper only needs `request` (bulk and index template).
 */
export function createTransport(options: { endpoint: string; credentials: ElasticsearchCredentials; caCertificatePem?: string; requestTimeoutMs: number; name: string }): Transport {
    const diagnostic = new Diagnostic();
    const tls = { rejectUnauthorized: true, ...(options.caCertificatePem ? { ca: options.caCertificatePem } : {}) };
    const connectionPool = new WeightedConnectionPool({ Connection: UndiciConnection, auth: options.credentials, tls, diagnostic });
    connectionPool.addConnection({ url: new URL(options.endpoint), auth: options.credentials, tls, timeout: options.requestTimeoutMs });
    return new Transport({
        diagnostic,
        connectionPool,
        serializer: new Serializer(),
        maxRetries: 0,
        requestTimeout: options.requestTimeoutMs,
        compression: false,
        name: options.name,
        productCheck: "Elasticsearch",
        vendoredHeaders: VENDORED_HEADERS,
    });
}

/**
 * The Elasticsearch transport of one container: created on first use (credentials read once from Secrets
 * Manager), then reused by every invocation. TLS is always verified (the custom CA when configured). The
 * transport's own retries are off: bulk.ts retries with backoff and the invocation's deadline in mind
 * (the transport retries 502-504 at once, and never 429 nor timeouts).
 */
export class ConnectionProvider {
    private transport?: Promise<Transport>;

    constructor(private readonly config: ShipperFunctionConfig["elasticsearch"] & { requestTimeoutMs?: number }) {}

    get(): Promise<Transport> {
        this.transport ??= readCredentials(this.config).then(
            (credentials) =>
                createTransport({
                    endpoint: this.config.endpoint,
                    credentials,
                    ...(this.config.caCertificatePem ? { caCertificatePem: this.config.caCertificatePem } : {}),
                    requestTimeoutMs: this.config.requestTimeoutMs ?? 30_000,
                    name: "log-shipper",
                }),
            (error: unknown) => {
                this.transport = undefined; // a failed read is retried by the next invocation
                throw error;
            },
        );
        return this.transport;
    }

    async close(): Promise<void> {
        const transport = this.transport;
        this.transport = undefined;
        if (transport) await (await transport.catch(() => undefined))?.connectionPool.empty();
    }
}
