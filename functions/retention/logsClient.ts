import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

import { awsClientConfig } from "../shared/awsClient";
import { Pacer, installPacing } from "./pacing";
import { RetentionSettings } from "./config";

/** Errors the Logs API answers when a call should simply be tried again later. */
export const RETRY_AS_THROTTLING = ["OperationAbortedException"];

/**
 * A CloudWatch Logs client for one region: the SDK's `standard` retry mode (jittered exponential backoff,
 * `ThrottlingException` included) with `settings.maxAttempts`, `OperationAbortedException` retried the same
 * way, and every attempt of PutRetentionPolicy / DescribeLogGroups paced under the configured rates.
 * The endpoint and credentials come from the standard chain (`AWS_ENDPOINT_URL` honoured) unless `endpoint` is given.
 */
export function createPacedLogsClient(
    region: string,
    settings: Pick<RetentionSettings, "putsPerSecond" | "describesPerSecond" | "maxAttempts">,
    options: { endpoint?: string } = {},
): CloudWatchLogsClient {
    const client = new CloudWatchLogsClient({
        ...awsClientConfig({ region, maxAttempts: settings.maxAttempts, retryMode: "standard" }),
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    });
    installPacing(
        client,
        {
            PutRetentionPolicyCommand: new Pacer(settings.putsPerSecond),
            DescribeLogGroupsCommand: new Pacer(settings.describesPerSecond),
        },
        RETRY_AS_THROTTLING,
    );
    return client;
}
