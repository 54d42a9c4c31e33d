import type { ShipperFunctionConfig } from "./config";

export interface LambdaContextLike {
    getRemainingTimeInMillis(): number;
    invokedFunctionArn?: string;
    awsRequestId?: string;
}

export interface ShipperOutcome {
    source: "cloudwatch" | "kinesis" | "sqs";
    /** received = shipped + alreadyPresent + deadLettered + failedForRetry + filtered, always. */
    received: number;
    shipped: number;
    alreadyPresent: number;
    deadLettered: number;
    failedForRetry: number;
    filtered: number;
    batchItemFailures: { itemIdentifier: string }[];
    /** true when Lambda would count the invocation as failed (CloudWatch Logs retryable failure => the handler throws). */
    invocationFailed: boolean;
}

/** Shared core: returns the outcome instead of the Lambda response (the `ship` CLI and tests use it). */
export function makeShipperCore(config: ShipperFunctionConfig): { handle(event: unknown, context: LambdaContextLike): Promise<ShipperOutcome>; close(): Promise<void> } {
    void config;
    throw new Error("makeShipperCore: not implemented yet");
}

/** The Lambda handler factory the component serializes: SQS/Kinesis => { batchItemFailures }; CloudWatch Logs => throws a RetryableError on retryable failure. */
export function makeShipperHandler(
    config: ShipperFunctionConfig,
): () => (event: unknown, context: LambdaContextLike) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | ShipperOutcome> {
    return () => {
        const core = makeShipperCore(config);
        return async (event, context) => {
            const outcome = await core.handle(event, context);
            return { batchItemFailures: outcome.batchItemFailures };
        };
    };
}
