import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

import { awsClientConfig } from "../../functions/shared/awsClient";
import { InputError } from "../../functions/shared/errors";
import { parseCredentials } from "../../functions/shipper/connection";
import { UsageError } from "./args";

/** Secrets Manager answers that no retry can fix: a wrong ARN, region or permission. */
const NOT_USABLE = new Set(["ResourceNotFoundException", "AccessDeniedException", "InvalidRequestException", "InvalidParameterException", "DecryptionFailure"]);

/**
 * Checks, before anything is shipped, that `--secret-arn` names a secret this caller can read and that it
 * holds credentials in the shape the shipper expects; the shipper then reads it itself, as deployed. A secret
 * that is missing, unreadable or malformed is a UsageError naming the ARN and the fix (never its value).
 * Other failures (network, throttling) are left to the shipper, which counts its documents as failed for retry.
 */
export async function checkCredentialsSecret(secretArn: string): Promise<void> {
    const client = new SecretsManagerClient(awsClientConfig({ maxAttempts: 3 }));
    try {
        const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
        if (typeof answer.SecretString !== "string") {
            throw new UsageError(`--secret-arn ${secretArn} has no SecretString: store the credentials as JSON text {"username":"...","password":"..."} or {"apiKey":"..."}`);
        }
        parseCredentials(answer.SecretString, secretArn);
    } catch (error) {
        if (error instanceof UsageError) throw error;
        if (error instanceof InputError) throw new UsageError(`--secret-arn: ${error.message}`);
        const name = (error as Error).name;
        if (NOT_USABLE.has(name)) {
            const where = `region ${process.env["AWS_REGION"] ?? "(AWS_REGION unset)"}${process.env["AWS_ENDPOINT_URL"] ? ` at ${process.env["AWS_ENDPOINT_URL"]}` : ""}`;
            throw new UsageError(`--secret-arn ${secretArn}: Secrets Manager answered ${name} (${where}): check the ARN, the region and that your credentials may call secretsmanager:GetSecretValue on it`);
        }
    } finally {
        client.destroy();
    }
}
