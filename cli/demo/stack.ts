import type { PlatformConfig } from "../../components/config";
import type { RegisteredResource } from "../offline/runProgram";

/**
 * The stack the demo runs: its validated configuration (the same `components/config` the program uses) and
 * the physical names of the sources and stores the program declares, read from the offline preview's
 * resources (the names Pulumi would give them), so what the demo creates in moto is named as the stack
 * would name it in AWS.
 */
export interface DemoStack {
    config: PlatformConfig;
    names: StackNames;
}

export interface StackNames {
    /** Log groups the shipper subscribes to (from the stack's config). */
    subscribedLogGroups: string[];
    streamName: string;
    sourceQueueName: string;
    deadLetterQueueName: string;
    tripsTableName: string;
    tripsIndexName: string;
    kpiBucketName: string;
    /** The Elasticsearch credentials secret's name (the ARN in config without its 6-character suffix). */
    secretName: string;
    /** Where each name came from, for the printed summary: "preview" or "derived". */
    origin: Record<string, "preview" | "derived">;
}

export { loadStackConfig, ROOT } from "../shared/stackConfig";

/** The secret's name from its ARN: `...:secret:prod/elasticsearch/log-shipper-Xb12Yz` -> `prod/elasticsearch/log-shipper`. */
export function secretNameOf(arn: string): string {
    const name = arn.split(":secret:")[1] ?? arn;
    return name.replace(/-[A-Za-z0-9]{6}$/, "");
}

/** The physical name the preview gave a resource of `type` whose logical name is `logical` (or ends with it). */
function previewName(resources: readonly RegisteredResource[], type: string, logical: string): string | undefined {
    const match = resources.find((resource) => resource.type === type && resource.name === logical) ?? resources.find((resource) => resource.type === type && resource.name.endsWith(logical));
    if (!match) {
        return undefined;
    }
    const state = match.wireState;
    const value = state["name"] ?? state["bucket"];
    return typeof value === "string" ? value : undefined;
}

/** Names of everything the demo creates in moto, from the preview where the program declares it, else derived from the stack. */
export function stackNames(config: PlatformConfig, resources: readonly RegisteredResource[]): StackNames {
    const origin: Record<string, "preview" | "derived"> = {};
    const pick = (key: string, found: string | undefined, derived: string): string => {
        origin[key] = found === undefined ? "derived" : "preview";
        return found ?? derived;
    };
    const stack = config.stack;
    const subscribed = config.shipper.logGroupSubscriptions.map((subscription) => subscription.logGroupName);
    return {
        subscribedLogGroups: subscribed.length > 0 ? subscribed : [`/app/api/${stack}`],
        streamName: pick("streamName", config.shipper.existingKinesisStreamArn?.split("/")[1] ?? previewName(resources, "aws:kinesis/stream:Stream", "shipper-stream"), `shipper-stream-${stack}`),
        sourceQueueName: pick("sourceQueueName", previewName(resources, "aws:sqs/queue:Queue", "shipper-sqs"), `shipper-sqs-${stack}`),
        deadLetterQueueName: pick("deadLetterQueueName", previewName(resources, "aws:sqs/queue:Queue", "shipper-dead-letters"), `shipper-dead-letters-${stack}`),
        tripsTableName: config.kpi.tripsTableName,
        tripsIndexName: config.kpi.completedDateIndexName,
        kpiBucketName: pick(
            "kpiBucketName",
            previewName(resources, "aws:s3/bucket:Bucket", "kpi-bucket") ?? previewName(resources, "aws:s3/bucketV2:BucketV2", "kpi-bucket"),
            `kpi-bucket-${stack}`,
        ),
        secretName: secretNameOf(config.elasticsearch.credentialsSecretArn),
        origin,
    };
}
