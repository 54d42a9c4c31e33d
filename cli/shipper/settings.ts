import * as fs from "fs";

import type { ShipperFunctionConfig } from "../../functions/shipper/config";
import { DEFAULT_LOCAL_DATA_RETENTION } from "../../functions/shipper/template";
import { UsageError } from "./args";

export interface LocalShipperOptions {
    /** Read credentials from this Secrets Manager secret instead of ELASTICSEARCH_USERNAME/PASSWORD (or ELASTICSEARCH_API_KEY). */
    secretArn?: string;
    /** data_stream.namespace; default ELASTICSEARCH_NAMESPACE or "default". */
    namespace?: string;
    deadLetterQueueUrl?: string;
    installIndexTemplate?: boolean;
    /** The data stream retention the index template sets (`--data-retention`); default DEFAULT_LOCAL_DATA_RETENTION (3d). */
    dataRetention?: string;
}

/**
 * The shipper configuration for a local command (`npm run ship`, `npm run replay`): the same config object the
 * component gives each function, with source "any", and Elasticsearch settings from the environment
 * (ELASTICSEARCH_URL, ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD or ELASTICSEARCH_API_KEY, ELASTICSEARCH_CA_FILE),
 * which `npm run services -- up` writes to .cache/services.env.
 */
export function localShipperConfig(options: LocalShipperOptions, env: NodeJS.ProcessEnv = process.env): ShipperFunctionConfig {
    const endpoint = env["ELASTICSEARCH_URL"];
    if (!endpoint) {
        throw new UsageError("ELASTICSEARCH_URL is not set: run `npm run services -- up` (writes .cache/services.env), or export ELASTICSEARCH_URL=https://host:port");
    }
    if (!endpoint.startsWith("https://")) {
        throw new UsageError(`ELASTICSEARCH_URL must be an https:// URL (TLS is always verified), got ${endpoint}`);
    }
    let credentials: ShipperFunctionConfig["elasticsearch"]["credentials"];
    if (options.secretArn === undefined) {
        const apiKey = env["ELASTICSEARCH_API_KEY"];
        const [username, password] = [env["ELASTICSEARCH_USERNAME"], env["ELASTICSEARCH_PASSWORD"]];
        if (apiKey) {
            credentials = { apiKey };
        } else if (username && password) {
            credentials = { username, password };
        } else {
            throw new UsageError("no Elasticsearch credentials: set ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD (or ELASTICSEARCH_API_KEY), or pass --secret-arn <Secrets Manager ARN>");
        }
    } else if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(options.secretArn)) {
        throw new UsageError(`--secret-arn: expected a Secrets Manager secret ARN like arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/elasticsearch-AbCdEf, got ${options.secretArn}`);
    }
    const caFile = env["ELASTICSEARCH_CA_FILE"];
    let caCertificatePem: string | undefined;
    if (caFile) {
        if (!fs.existsSync(caFile)) {
            throw new UsageError(`ELASTICSEARCH_CA_FILE names ${caFile}, which does not exist: point it at the cluster's CA certificate (PEM), or unset it to use the system trust store`);
        }
        caCertificatePem = fs.readFileSync(caFile, "utf8");
    }
    const namespace = options.namespace ?? env["ELASTICSEARCH_NAMESPACE"] ?? "default";
    if (!/^[a-z0-9_]{1,100}$/.test(namespace)) {
        throw new UsageError(`--namespace: expected lower-case letters, digits and underscores (a data stream namespace), got ${namespace}`);
    }
    const dataRetention = options.dataRetention ?? DEFAULT_LOCAL_DATA_RETENTION;
    if (!/^\d+[dh]$/.test(dataRetention)) {
        throw new UsageError(`--data-retention: expected a retention like 7d or 96h (the index template's data_retention), got ${dataRetention}`);
    }
    return {
        source: "any",
        elasticsearch: {
            endpoint,
            credentialsSecretArn: options.secretArn,
            credentials,
            caCertificatePem,
            installIndexTemplate: options.installIndexTemplate ?? false,
            dataRetention,
            namespace,
        },
        routing: { datasetBy: "source" },
        filters: {},
        json: { field: "json", maxDepth: 3, maxFields: 100 },
        delivery: { bulkConcurrency: 2, bulkMaxBytes: 5242880, requestTimeoutMs: 30000, maxRetries: 3 },
        deadLetterQueueUrl: options.deadLetterQueueUrl ?? env["SHIPPER_DEAD_LETTER_QUEUE_URL"],
    };
}
