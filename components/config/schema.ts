import { z } from "zod";

import { heartbeatWindow } from "../../functions/kpi/schedule";

/**
 * The stack configuration schema: every setting every component reads, with its constraints.
 *
 * Each top-level section is one Pulumi config key, `<project>:<section>`, holding a structured object
 * (set with `pulumi config set --path '<project>:<section>.<setting>' <value>`). Missing sections are
 * treated as empty objects so that each missing required setting is reported on its own line.
 */

/** Treat `undefined` as `{}` so that missing required leaves are reported one by one. */
function section<T extends z.ZodRawShape>(shape: T) {
    return z.preprocess((value) => (value === undefined ? {} : value), z.object(shape).strict());
}

const awsId = (prefix: string) =>
    z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `expected an id like ${prefix}-0123456789abcdef0`);

const cidr = z
    .string()
    .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "expected an IPv4 CIDR block like 10.20.0.0/16")
    .refine((value) => !value.endsWith("/0"), "a /0 block would open egress to the whole internet; name the Elasticsearch network instead");

const secretArn = z
    .string()
    .regex(
        /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
        "expected a Secrets Manager secret ARN like arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/elasticsearch-AbCdEf",
    );

const scheduleExpression = z
    .string()
    .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, "expected an EventBridge schedule like rate(1 hour) or cron(15 0 * * ? *)");

// Values set with `pulumi config set --path` may arrive as strings: accept "500" as 500 and "false" as false.
const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.preprocess((value) => (value === "true" ? true : value === "false" ? false : value), z.boolean());

/** The retention values CloudWatch Logs accepts that satisfy the 7-day data-protection rule. */
export const ALLOWED_RETENTION_DAYS = [1, 3, 5, 7] as const;

export const stackConfigSchema = z
    .object({
        network: section({
            vpcId: awsId("vpc"),
            subnetIds: z.array(awsId("subnet")).min(2, "give at least two private subnets in different availability zones"),
            elasticsearchCidrs: z.array(cidr).min(1, "give the CIDR block(s) of the Elasticsearch cluster"),
            createVpcEndpoints: flag.default(true),
            /**
             * With createVpcEndpoints false: the security groups of the existing Secrets Manager and SQS interface
             * endpoints (private DNS on). The shipper's egress goes to them on 443, and each gets an ingress rule from the shipper.
             * Required then (the LogShipper component says so); ignored when the endpoints are created.
             */
            vpcEndpointSecurityGroupIds: z.array(awsId("sg")).default([]),
        }),
        elasticsearch: section({
            endpoint: z
                .string()
                .url("expected a URL like https://logs.es.internal.example.com:9243")
                .refine((value) => value.startsWith("https://"), "must use https:// (TLS in transit is required)"),
            credentialsSecretArn: secretArn,
            dataStreamNamespace: z
                .string()
                .regex(/^[a-z0-9_]{1,100}$/, "expected lower-case letters, digits and underscores (a data stream namespace)")
                .default("default"),
            /** PEM of a private CA that signed the cluster's certificate (public, not a secret); the system trust store when unset. */
            caCertificatePem: z
                .string()
                .regex(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/, "expected a PEM certificate (-----BEGIN CERTIFICATE----- ...)")
                .optional(),
            /** Install (idempotently) the shipper's index template at cold start; the `npm run ship -- --install-template` step does it too. */
            installIndexTemplate: flag.default(true),
            /** Data stream lifecycle retention inside Elasticsearch (e.g. "30d"); unset keeps data until its owners decide. */
            dataRetention: z
                .string()
                .regex(/^\d+(d|h)$/, "expected a duration like 30d or 72h")
                .optional(),
        }),
        shipper: section({
            logGroupSubscriptions: z
                .array(
                    z
                        .object({
                            logGroupName: z.string().min(1).max(512),
                            filterPattern: z.string().max(1024).default(""),
                        })
                        .strict(),
                )
                .default([]),
            kinesisShardCount: intIn(1, 500).default(1),
            /** Kinesis keeps records at least 24 h; the shipper's stream keeps them no longer (issue 7). */
            kinesisRetentionHours: z.coerce.number().int().min(24).max(24, "the shipper's stream keeps records 24 h (Kinesis' minimum, and the most the shipper allows)").default(24),
            /** The source queue keeps messages at most 4 days. */
            sqsMessageRetentionSeconds: z.coerce.number().int().min(60).max(345600, "at most 345600 (4 days): the shipper's queues keep messages no longer").default(345600),
            batchSize: intIn(1, 10000).default(500),
            maxBatchingWindowSeconds: intIn(0, 300).default(5),
            reservedConcurrency: intIn(1, 1000).default(10),
            memoryMb: intIn(128, 10240).default(512),
            timeoutSeconds: intIn(10, 900).default(60),
            /**
             * KMS key of the Elasticsearch credentials secret, when it is a customer-managed key (the shipper gets
             * kms:Decrypt on it, only via Secrets Manager); unset for the AWS-managed aws/secretsmanager key.
             */
            credentialsSecretKmsKeyArn: z
                .string()
                .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, "expected a KMS key ARN like arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                .optional(),
            /** An existing Kinesis stream to consume instead of creating one. */
            existingKinesisStreamArn: z
                .string()
                .regex(/^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]{1,128}$/, "expected a Kinesis stream ARN like arn:aws:kinesis:eu-west-1:123456789012:stream/app-logs")
                .optional(),
            /** Ship every log group of the account (an account-level subscription filter policy), the shipper's own excluded. */
            accountLevelSubscription: flag.default(false),
            /** Data stream dataset: one per source (aws.cloudwatch_logs, aws.kinesis, aws.sqs) or one per CloudWatch log group. */
            datasetBy: z.enum(["source", "logGroup"]).default("source"),
            /** Per-source regular expressions on the message: include only matches, then drop matches of exclude. */
            filters: z
                .preprocess(
                    (value) => (value === undefined ? {} : value),
                    z
                        .object({
                            cloudwatch: z.object({ include: z.string().optional(), exclude: z.string().optional() }).strict().optional(),
                            kinesis: z.object({ include: z.string().optional(), exclude: z.string().optional() }).strict().optional(),
                            sqs: z.object({ include: z.string().optional(), exclude: z.string().optional() }).strict().optional(),
                        })
                        .strict(),
                )
                .superRefine((filters, ctx) => {
                    for (const [source, pair] of Object.entries(filters)) {
                        for (const [kind, pattern] of Object.entries(pair ?? {})) {
                            try {
                                new RegExp(String(pattern));
                            } catch (error) {
                                ctx.addIssue({ code: "custom", path: [source, kind], message: `not a valid regular expression: ${(error as Error).message}` });
                            }
                        }
                    }
                }),
            /** A message that is a JSON object is also expanded under this field, bounded so one message cannot explode the mapping. */
            jsonField: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "expected a lower-case field name like json").default("json"),
            jsonMaxDepth: intIn(1, 10).default(3),
            jsonMaxFields: intIn(1, 1000).default(100),
            /** Bulk requests in flight per invocation, and the size of one bulk request. */
            bulkConcurrency: intIn(1, 16).default(2),
            bulkMaxBytes: intIn(65536, 104857600).default(5242880),
        }),
        kpi: z.preprocess(
            (value) => (value === undefined ? {} : value),
            z
                .object({
                    tripsTableName: z
                        .string()
                        .regex(/^[A-Za-z0-9_.-]{3,255}$/, "expected a DynamoDB table name (3-255 letters, digits, _ . -)"),
                    tripsTableKmsKeyArn: z
                        .string()
                        .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, "expected a KMS key ARN like arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                        .optional(),
                    schedule: scheduleExpression.default("cron(15 0 * * ? *)"),
                    athenaDatabase: z.string().regex(/^[a-z0-9_]{1,255}$/, "expected lower-case letters, digits and underscores").default("trip_kpis"),
                    /** Create the trips table here (SSE with the platform key, PITR, deletion protection) instead of using an existing one. */
                    createTripsTable: flag.default(false),
                    /** Stream NEW_IMAGE from a created table and keep today's KPIs current from it. */
                    streamTrigger: flag.default(false),
                    /** The sparse GSI keyed by completedDate (YYYY-MM-DD) with sort key completedAt. */
                    completedDateIndexName: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, "expected a DynamoDB index name").default("completedDate-index"),
                    /** IANA time zone that defines a KPI day. */
                    timeZone: z
                        .string()
                        .refine((zone) => {
                            try {
                                new Intl.DateTimeFormat("en-US", { timeZone: zone });
                                return true;
                            } catch {
                                return false;
                            }
                        }, "expected an IANA time zone like UTC or Europe/Berlin")
                        .default("UTC"),
                    /** Days recomputed by every scheduled run (today's run also redoes the days before it, to count late trips). */
                    recomputeDays: intIn(1, 31).default(2),
                    currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 currency code like USD").default("USD"),
                    topZones: intIn(1, 100).default(10),
                    /** Alarm when a computed day has zero trips. */
                    expectTripsDaily: flag.default(true),
                    /**
                     * Days a trip item may stay in the trips table after its completedAt (its `expiresAt`, DynamoDB TTL): the
                     * account keeps no data over 7 days, and a scheduled recompute must still find its days' trips.
                     */
                    tripRetentionDays: intIn(1, 7).default(3),
                })
                .strict()
                .superRefine((kpi, ctx) => {
                    if (kpi.tripRetentionDays < kpi.recomputeDays + 1) {
                        ctx.addIssue({
                            code: "custom",
                            path: ["tripRetentionDays"],
                            message: `kpi.tripRetentionDays (${kpi.tripRetentionDays}) must be at least kpi.recomputeDays + 1 (${kpi.recomputeDays + 1}): the last scheduled recompute of a day must still find its trips; raise tripRetentionDays (at most 7) or lower recomputeDays`,
                        });
                    }
                    try {
                        heartbeatWindow(kpi.schedule);
                    } catch (error) {
                        ctx.addIssue({ code: "custom", path: ["schedule"], message: (error as Error).message });
                    }
                }),
        ),
        retention: section({
            maxRetentionDays: z.coerce
                .number()
                .refine(
                    (value) => (ALLOWED_RETENTION_DAYS as readonly number[]).includes(value),
                    `must be one of ${ALLOWED_RETENTION_DAYS.join(", ")} (CloudWatch retention values of 7 days or less)`,
                )
                .default(7),
            schedule: scheduleExpression.default("rate(1 hour)"),
            /** Regions swept by the scheduled Lambda (one schedule per region); the stack's region when empty. */
            regions: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected an AWS region like eu-west-1")).default([]),
            /** Log groups left alone (and reported), by name prefix or regular expression. */
            excludePrefixes: z.array(z.string().min(1)).default([]),
            excludePatterns: z
                .array(
                    z.string().refine((pattern) => {
                        try {
                            new RegExp(pattern);
                            return true;
                        } catch {
                            return false;
                        }
                    }, "not a valid regular expression"),
                )
                .default([]),
            /** PutRetentionPolicy calls per second (the account quota is 5 and cannot be raised). */
            putsPerSecond: z.coerce.number().gt(0).max(5).default(4),
            /** Set retention at once when a log group is created (EventBridge rule on CloudTrail CreateLogGroup). */
            onCreate: flag.default(true),
            /** Create a multi-region CloudTrail trail (KMS, log-file validation, 7-day bucket) for the on-create rule. */
            createTrail: flag.default(false),
        }),
        alerts: section({
            emails: z.array(z.string().email("expected an e-mail address")).default([]),
        }),
        tags: z
            .preprocess((value) => (value === undefined ? {} : value), z.record(z.string().regex(/^[\w .:/=+@-]{1,128}$/), z.string().max(256)))
            .refine((tags) => typeof tags["owner"] === "string", { message: "required tag, but not set", path: ["owner"] })
            .refine((tags) => typeof tags["cost-center"] === "string", { message: "required tag, but not set", path: ["cost-center"] }),
    })
    .strict();

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;

/** The top-level sections: each is one `<project>:<section>` key. */
export const CONFIG_SECTIONS = Object.keys(stackConfigSchema.shape) as (keyof StackConfig)[];

/**
 * A valid example value for every setting, used in the `pulumi config set` command printed for a problem.
 * Keys are dotted paths; `[]` stands for any array index.
 */
export const CONFIG_EXAMPLES: Record<string, string> = {
    "network.vpcId": "vpc-0123456789abcdef0",
    "network.subnetIds[]": "subnet-0123456789abcdef0",
    "network.elasticsearchCidrs[]": "10.20.0.0/16",
    "network.createVpcEndpoints": "true",
    "network.vpcEndpointSecurityGroupIds[]": "sg-0123456789abcdef0",
    "elasticsearch.endpoint": "https://logs.es.internal.example.com:9243",
    "elasticsearch.credentialsSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/elasticsearch-AbCdEf",
    "elasticsearch.dataStreamNamespace": "prod",
    "shipper.logGroupSubscriptions[].logGroupName": "/app/api",
    "shipper.logGroupSubscriptions[].filterPattern": "''",
    "shipper.kinesisShardCount": "1",
    "shipper.kinesisRetentionHours": "24",
    "shipper.sqsMessageRetentionSeconds": "345600",
    "shipper.batchSize": "500",
    "shipper.maxBatchingWindowSeconds": "5",
    "shipper.reservedConcurrency": "10",
    "shipper.memoryMb": "512",
    "shipper.timeoutSeconds": "60",
    "kpi.tripsTableName": "trips",
    "kpi.tripsTableKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "kpi.schedule": "'cron(15 0 * * ? *)'",
    "kpi.athenaDatabase": "trip_kpis",
    "retention.maxRetentionDays": "7",
    "retention.schedule": "'rate(1 hour)'",
    "retention.regions[]": "eu-west-1",
    "retention.excludePrefixes[]": "/aws/vendedlogs/",
    "retention.excludePatterns[]": "'^/legal-hold/'",
    "retention.putsPerSecond": "4",
    "retention.onCreate": "true",
    "retention.createTrail": "false",
    "elasticsearch.installIndexTemplate": "true",
    "elasticsearch.dataRetention": "30d",
    "shipper.credentialsSecretKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "shipper.existingKinesisStreamArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/app-logs",
    "shipper.accountLevelSubscription": "true",
    "shipper.datasetBy": "source",
    "shipper.filters.cloudwatch.exclude": "'^DEBUG'",
    "shipper.jsonField": "json",
    "shipper.jsonMaxDepth": "3",
    "shipper.jsonMaxFields": "100",
    "shipper.bulkConcurrency": "2",
    "shipper.bulkMaxBytes": "5242880",
    "kpi.createTripsTable": "false",
    "kpi.streamTrigger": "false",
    "kpi.completedDateIndexName": "completedDate-index",
    "kpi.timeZone": "UTC",
    "kpi.recomputeDays": "2",
    "kpi.currency": "USD",
    "kpi.topZones": "10",
    "kpi.expectTripsDaily": "true",
    "kpi.tripRetentionDays": "3",
    "alerts.emails[]": "platform-oncall@example.com",
    "tags.owner": "platform-team",
    "tags.cost-center": "cc-1234",
};
