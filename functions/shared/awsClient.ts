/**
 * The configuration every AWS SDK v3 client here is built with. The endpoint comes from the standard
 * `AWS_ENDPOINT_URL` variable (honoured by the SDK itself, so tests and the CLIs reach the local moto),
 * credentials from the standard chain; this adds the retry behaviour: the SDK's `adaptive` mode (token
 * bucket + client-side rate limiting on throttling) or `standard` (jittered exponential backoff).
 */
export interface AwsClientOptions {
    region?: string;
    /** Attempts per call including the first (the SDK's default is 3). */
    maxAttempts?: number;
    retryMode?: "standard" | "adaptive";
}

export interface AwsClientConfig {
    region?: string;
    maxAttempts: number;
    retryMode: "standard" | "adaptive";
}

export function awsClientConfig(options: AwsClientOptions = {}): AwsClientConfig {
    const region = options.region ?? process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"];
    return {
        ...(region === undefined ? {} : { region }),
        maxAttempts: options.maxAttempts ?? 5,
        retryMode: options.retryMode ?? "standard",
    };
}
