import { DEFAULT_LAGS, DeletionLags } from "../../components/dataProtection/ages";
import { parseFlags, UsageError } from "../shared/args";

export { UsageError };

/** `npm run audit-retention` options, validated (the stack's settings are applied later, by cli/audit/stack.ts). */
export interface AuditRetentionOptions {
    /** Undefined: every enabled region (EC2 DescribeRegions in the default region). */
    regions?: string[];
    /** From --max-age-days; undefined: the stack's dataProtection.maxAgeDays, else 7. */
    maxAgeDays?: number;
    /** Only the lags given on the command line (the rest: the stack's, else DEFAULT_LAGS). */
    lags: Partial<DeletionLags>;
    stack?: string;
    elasticsearch?: string;
    elasticsearchSecretArn?: string;
    json: boolean;
}

export const USAGE = `Usage: npm run audit-retention -- [--regions eu-west-1,eu-west-2] [--max-age-days 7]
  [--deletion-lag-hours cloudwatch=${DEFAULT_LAGS.cloudwatchHours},s3=${DEFAULT_LAGS.s3Hours},dynamodbTtl=${DEFAULT_LAGS.dynamodbTtlHours}] [--stack prod]
  [--elasticsearch https://host:9243 [--elasticsearch-secret-arn arn:aws:secretsmanager:...]] [--json]
Inventories everything in the account that can hold data (log groups and account retention policies, S3 buckets,
SQS queues, Kinesis streams, DynamoDB tables, Athena workgroups, the shipper's Elasticsearch data streams) and judges
each store's worst-case age against the limit. --regions: default every enabled region. --stack reads
Pulumi.<stack>.yaml: its dataProtection limit, lags and exemptions, its trips table and data stream namespace (flags
win over it). --elasticsearch: the shipper's cluster; credentials from --elasticsearch-secret-arn (JSON
{"username","password"} or {"apiKey"}) or, for the local node, from .cache/services.env (its URL is then the default).
--json prints one JSON document. Exit 0 when every store is ok or exempt, 1 when one is too long or could not be read
(unknown), 2 on bad flags. Read-only; AWS credentials from the standard chain (docs/audit-retention.md lists the IAM actions).`;

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const LAG_KEYS: Record<string, keyof DeletionLags> = { cloudwatch: "cloudwatchHours", s3: "s3Hours", dynamodbTtl: "dynamodbTtlHours" };

export function parseAuditRetentionArgs(argv: string[]): AuditRetentionOptions {
    const values = parseFlags(argv, {
        regions: { type: "string" },
        "max-age-days": { type: "string" },
        "deletion-lag-hours": { type: "string" },
        stack: { type: "string" },
        elasticsearch: { type: "string" },
        "elasticsearch-secret-arn": { type: "string" },
        json: { type: "boolean" },
    });
    let regions: string[] | undefined;
    if (values.regions !== undefined) {
        regions = [...new Set(values.regions.split(",").map((region) => region.trim()).filter((region) => region.length > 0))];
        const bad = regions.filter((region) => !REGION.test(region));
        if (regions.length === 0 || bad.length > 0) {
            throw new UsageError(`--regions ${JSON.stringify(values.regions)}: ${bad.length > 0 ? `${bad.join(", ")} is not an AWS region` : "no region given"}; pass a comma-separated list like eu-west-1,eu-west-2 (or leave --regions out for every enabled region)`);
        }
    }
    let maxAgeDays: number | undefined;
    if (values["max-age-days"] !== undefined) {
        maxAgeDays = Number(values["max-age-days"]);
        if (!Number.isInteger(maxAgeDays) || maxAgeDays < 1 || maxAgeDays > 3653) {
            throw new UsageError(`--max-age-days ${JSON.stringify(values["max-age-days"])} must be a whole number of days from 1 to 3653, e.g. --max-age-days 7`);
        }
    }
    const lags: Partial<DeletionLags> = {};
    if (values["deletion-lag-hours"] !== undefined) {
        for (const entry of values["deletion-lag-hours"].split(",").map((part) => part.trim()).filter((part) => part.length > 0)) {
            const [key, value, extra] = entry.split("=");
            const field = key === undefined ? undefined : LAG_KEYS[key];
            const hours = Number(value);
            if (field === undefined || value === undefined || extra !== undefined || value.trim() === "" || !Number.isFinite(hours) || hours < 0 || hours > 336) {
                throw new UsageError(`--deletion-lag-hours: ${JSON.stringify(entry)} is not <store>=<hours>; stores are ${Object.keys(LAG_KEYS).join(", ")}, hours 0-336, e.g. --deletion-lag-hours cloudwatch=72,s3=24`);
            }
            lags[field] = hours;
        }
    }
    const stack = values.stack;
    if (stack !== undefined && !/^[A-Za-z0-9_.-]+$/.test(stack)) {
        throw new UsageError(`--stack ${JSON.stringify(stack)}: a stack name is letters, digits, '-', '_' and '.', the <name> of a Pulumi.<name>.yaml`);
    }
    const elasticsearch = values.elasticsearch;
    if (elasticsearch !== undefined && !/^https:\/\/[^/\s]+\/?$/.test(elasticsearch)) {
        throw new UsageError(`--elasticsearch ${JSON.stringify(elasticsearch)} must be the cluster's https:// URL (TLS is always verified), e.g. --elasticsearch https://logs.example.com:9243`);
    }
    const secretArn = values["elasticsearch-secret-arn"];
    if (secretArn !== undefined) {
        if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(secretArn)) {
            throw new UsageError(`--elasticsearch-secret-arn: expected a Secrets Manager secret ARN like arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/elasticsearch/log-shipper-AbCdEf, got ${secretArn}`);
        }
        if (elasticsearch === undefined) throw new UsageError("--elasticsearch-secret-arn needs --elasticsearch <https://cluster:port>: the secret holds the credentials, not the URL");
    }
    return {
        ...(regions ? { regions } : {}),
        ...(maxAgeDays === undefined ? {} : { maxAgeDays }),
        lags,
        ...(stack === undefined ? {} : { stack }),
        ...(elasticsearch === undefined ? {} : { elasticsearch: elasticsearch.replace(/\/$/, "") }),
        ...(secretArn === undefined ? {} : { elasticsearchSecretArn: secretArn }),
        json: values.json ?? false,
    };
}
