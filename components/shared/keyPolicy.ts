/** One KMS key policy statement (`Resource` is always "*": the key itself). */
export interface KeyPolicyStatement {
    Sid: string;
    Effect: "Allow";
    Principal: { Service: string } | { AWS: string };
    Action: string | string[];
    Resource: "*";
    Condition?: Record<string, Record<string, string>>;
}

/**
 * A key policy: the account root keeps administration (the AWS default statement, so IAM policies decide who
 * in the account uses the key), then the service grants the key exists for.
 */
export function keyPolicy(accountId: string, partition: string, serviceGrants: KeyPolicyStatement[]): Record<string, unknown> {
    const accountAdministration: KeyPolicyStatement = {
        Sid: "AccountAdministration",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
    };
    return { Version: "2012-10-17", Statement: [accountAdministration, ...serviceGrants] };
}
