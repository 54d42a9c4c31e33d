import type { PlatformConfig } from "../../components/config";
import { DEAD_LETTER_QUEUE_URL_VARIABLE, shipperBaseConfig } from "../../components/logShipper";
import type { ShipperFunctionConfig, ShipperSource } from "../../functions/shipper/config";
import { makeShipperHandler, type LambdaContextLike, type ShipperOutcome } from "../../functions/shipper/handler";
import { loadSerializedFactory } from "../../test/harness/closure";
import type { CreatedResources } from "./resources";
import type { LocalServices } from "./services";

export type ShipperResponse = { batchItemFailures: { itemIdentifier: string }[] } | ShipperOutcome;
export type ShipperHandler = (event: unknown, context: LambdaContextLike) => Promise<ShipperResponse>;

/**
 * The shipper function's configuration for one source, built by the LogShipper component's own builder
 * (components/logShipper.ts `shipperBaseConfig`) from the stack's config, pointed at the local node: its
 * endpoint and CA instead of the stack's, and the credentials secret the demo created in moto under the
 * stack's secret name.
 */
export function shipperFunctionConfig(config: PlatformConfig, created: CreatedResources, services: LocalServices, source: ShipperSource): ShipperFunctionConfig {
    const local: PlatformConfig["elasticsearch"] = {
        ...config.elasticsearch,
        endpoint: services.elasticsearch.endpoint,
        credentialsSecretArn: created.secretArn,
        caCertificatePem: services.elasticsearch.caCertificate,
    };
    const elasticsearchExempt = config.dataProtection.exemptions.some((exemption) => exemption.store === "elasticsearch");
    return { ...shipperBaseConfig(config.shipper, local, elasticsearchExempt), source };
}

/**
 * The three shipper functions as deployed: each closure is serialized in the component's form (the factory
 * reads the dead-letter queue's URL from the function's environment at cold start) and loaded as Lambda
 * loads `__index.js`.
 */
export async function loadShipperFunctions(config: PlatformConfig, created: CreatedResources, services: LocalServices): Promise<Record<ShipperSource, ShipperHandler>> {
    process.env[DEAD_LETTER_QUEUE_URL_VARIABLE] = created.deadLetterQueueUrl;
    const variable = DEAD_LETTER_QUEUE_URL_VARIABLE;
    const load = async (source: ShipperSource): Promise<ShipperHandler> => {
        const functionConfig = shipperFunctionConfig(config, created, services, source);
        const loaded = await loadSerializedFactory(() => makeShipperHandler({ ...functionConfig, deadLetterQueueUrl: process.env[variable] })());
        return loaded.handler;
    };
    const [cloudwatch, kinesis, sqs] = await Promise.all([load("cloudwatch"), load("kinesis"), load("sqs")]);
    return { cloudwatch, kinesis, sqs };
}

/** The Lambda context of one invocation of the `source` function (its ARN gives the documents' cloud.region and account). */
export function invocationContext(config: PlatformConfig, created: CreatedResources, source: ShipperSource, requestId: string): LambdaContextLike {
    const deadline = Date.now() + config.shipper.timeoutSeconds * 1000;
    return {
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        invokedFunctionArn: `arn:aws:lambda:${config.region}:${created.accountId}:function:shipper-${source}-${config.stack}`,
        awsRequestId: requestId,
    };
}
