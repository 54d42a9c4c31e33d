import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client } from "@elastic/elasticsearch";

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

/**
 * The Elasticsearch client of one container: created on first use (credentials read once from Secrets
 * Manager), then reused by every invocation. TLS is always verified (the custom CA when configured). The
 * transport's own retries are off: bulk.ts retries with backoff and the invocation's deadline in mind
 * (the transport retries 502-504 at once, and never 429 nor timeouts).
 */
export class ConnectionProvider {
    private client?: Promise<Client>;

    constructor(private readonly config: ShipperFunctionConfig["elasticsearch"] & { requestTimeoutMs?: number }) {}

    get(): Promise<Client> {
        this.client ??= readCredentials(this.config).then(
            (credentials) =>
                new Client({
                    node: this.config.endpoint,
                    auth: credentials,
                    tls: { rejectUnauthorized: true, ...(this.config.caCertificatePem ? { ca: this.config.caCertificatePem } : {}) },
                    maxRetries: 0,
                    requestTimeout: this.config.requestTimeoutMs ?? 30_000,
                    compression: false,
                    name: "log-shipper",
                }),
            (error: unknown) => {
                this.client = undefined; // a failed read is retried by the next invocation
                throw error;
            },
        );
        return this.client;
    }

    async close(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client) await (await client.catch(() => undefined))?.close();
    }
}
