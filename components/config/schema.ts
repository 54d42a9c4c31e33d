import { z } from "zod";

import { scheduleProblem } from "../shared/schedule";

/**
 * The stack configuration schema: every setting every component reads, with its constraints.
 *
 * Each top-level section is one Pulumi config key, `<project>:<section>`, holding a structured object
 * (set with `pulumi config set --path '<project>:<section>.<setting>' <value>`). Missing sections are
 * treated as empty objects so that each missing required setting is reported on its own line.
 */

/** Refuses a schedule no heartbeat alarm can be sized from, on the setting's path. */
function refineSchedule(setting: string, schedule: string, ctx: z.RefinementCtx): void {
    const problem = scheduleProblem(setting, schedule);
    if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["schedule"], message: problem });
}

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

/** One source's message filter: an include and an exclude regular expression, both optional. */
const messageFilter = (source: string) =>
    z
        .object({
            include: z.string().optional().describe(`${source}: ship only messages that match this regular expression.`),
            exclude: z.string().optional().describe(`${source}: drop messages that match this regular expression (after include).`),
        })
        .strict()
        .optional()
        .describe(`The ${source} shipper's message filter.`);

/**
 * The stores that may be exempted from the limit: the KPI objects (daily aggregates, no personal data) and the
 * shipper's Elasticsearch data streams (when the cluster's own retention rules govern them). Nothing else can be.
 */
export const EXEMPTABLE_STORES = ["kpi-objects", "elasticsearch"] as const;
export type ExemptableStore = (typeof EXEMPTABLE_STORES)[number];

/** The retention values CloudWatch Logs accepts that satisfy the 7-day data-protection rule. */
export const ALLOWED_RETENTION_DAYS = [1, 3, 5, 7] as const;

export const stackConfigSchema = z
    .object({
        network: section({
            vpcId: awsId("vpc").describe("The existing VPC the log shipper's functions run in."),
            subnetIds: z
                .array(awsId("subnet"))
                .min(2, "give at least two private subnets in different availability zones")
                .describe("Private subnets of that VPC, in different availability zones, for the shipper's functions (no route to the internet is needed)."),
            elasticsearchCidrs: z
                .array(cidr)
                .min(1, "give the CIDR block(s) of the Elasticsearch cluster")
                .describe(
                    "Where the Elasticsearch nodes are: the shipper's only egress besides the AWS endpoints, on the endpoint's port. A /0 block is refused.",
                ),
            createVpcEndpoints: flag
                .default(true)
                .describe(
                    "Create the interface endpoints the shipper calls from the VPC (Secrets Manager and SQS, private DNS on), with a security group that admits only the shipper. False: use existing ones, named in vpcEndpointSecurityGroupIds.",
                ),
            vpcEndpointSecurityGroupIds: z
                .array(awsId("sg"))
                .default([])
                .describe(
                    "With createVpcEndpoints false: the security groups of the existing Secrets Manager and SQS interface endpoints (private DNS on). The shipper's egress goes to them on 443, and each gets an ingress rule from the shipper. Required then; ignored when the endpoints are created.",
                ),
        }).describe("Where the log shipper's functions run (private subnets of an existing VPC) and the only networks they may reach. The KPI and retention functions run outside any VPC."),
        elasticsearch: section({
            endpoint: z
                .string()
                .url("expected a URL like https://logs.es.internal.example.com:9243")
                .refine((value) => value.startsWith("https://"), "must use https:// (TLS in transit is required)")
                .describe("URL of the cluster, https:// only (TLS in transit is required; a plain http:// URL is refused)."),
            credentialsSecretArn: secretArn.describe(
                'The Secrets Manager secret holding the shipper\'s credentials as JSON text: {"username":"...","password":"..."} or {"apiKey":"<encoded API key>"}. Only the ARN is in config; the shipper reads the secret once per container.',
            ),
            dataStreamNamespace: z
                .string()
                .regex(/^[a-z0-9_]{1,100}$/, "expected lower-case letters, digits and underscores (a data stream namespace)")
                .default("default")
                .describe("Namespace of the shipper's data streams, logs-<dataset>-<namespace>."),
            caCertificatePem: z
                .string()
                .regex(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/, "expected a PEM certificate (-----BEGIN CERTIFICATE----- ...)")
                .optional()
                .describe("PEM of a private CA that signed the cluster's certificate (public, not a secret). Unset: the system trust store."),
            installIndexTemplate: flag
                .default(true)
                .describe("Install (idempotently) the shipper's index template at cold start; `npm run ship -- --install-template` does it too."),
            dataRetention: z
                .string()
                .regex(/^\d+(d|h)$/, "expected a duration like 3d or 72h")
                .describe(
                    "Data stream lifecycle retention of the shipper's data streams (e.g. 3d or 72h). With the rollover before it and the time data can spend upstream, it must fit the data-protection limit (docs/retention.md); a longer one only with an elasticsearch exemption in dataProtection.exemptions.",
                ),
        }).describe("The existing Elasticsearch cluster the shipper writes to: its endpoint, the secret holding the credentials, the data streams and their retention."),
        shipper: section({
            logGroupSubscriptions: z
                .array(
                    z
                        .object({
                            logGroupName: z.string().min(1).max(512).describe("A log group (in the stack's region) whose events are shipped."),
                            filterPattern: z
                                .string()
                                .max(1024)
                                .default("")
                                .describe("CloudWatch Logs filter pattern of its subscription; empty ships every event."),
                        })
                        .strict(),
                )
                .default([])
                .describe("Log groups subscribed to the CloudWatch Logs shipper, one subscription filter each."),
            kinesisShardCount: intIn(1, 500)
                .default(1)
                .describe("Shards of the Kinesis stream the stack creates for producers (ignored with existingKinesisStreamArn)."),
            kinesisRetentionHours: z.coerce
                .number()
                .int()
                .min(24)
                .max(24, "the shipper's stream keeps records 24 h (Kinesis' minimum, and the most the shipper allows)")
                .default(24)
                .describe("How long the stack's Kinesis stream keeps records: 24 h, Kinesis' minimum and the most the data-protection plan allows."),
            sqsMessageRetentionSeconds: z.coerce
                .number()
                .int()
                .min(60)
                .max(345600, "at most 345600 (4 days): the shipper's queues keep messages no longer")
                .default(86400)
                .describe(
                    "How long the SQS source queue (and its redrive DLQ, counted from the original enqueue) keeps a message. With the rest of the path it must fit the data-protection limit (docs/retention.md). An alarm fires when the oldest message has waited a quarter of it.",
                ),
            batchSize: intIn(1, 10000)
                .default(500)
                .describe("Records per invocation of the Kinesis and SQS shippers (over 10 needs a batching window for SQS)."),
            maxBatchingWindowSeconds: intIn(0, 300)
                .default(5)
                .describe("How long the Kinesis and SQS event source mappings gather records before invoking (0 only with batchSize 10 or less)."),
            reservedConcurrency: intIn(1, 1000)
                .default(10)
                .describe("Reserved concurrency of each shipper function: caps the load on Elasticsearch (and the SQS pollers)."),
            memoryMb: intIn(128, 10240).default(512).describe("Memory of each shipper function (MB)."),
            timeoutSeconds: intIn(10, 900)
                .default(60)
                .describe("Timeout of each shipper function: its time budget; the SQS visibility timeout is 6 times it plus the batching window."),
            credentialsSecretKmsKeyArn: z
                .string()
                .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, "expected a KMS key ARN like arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                .optional()
                .describe(
                    "KMS key of the Elasticsearch credentials secret, when it is a customer-managed key (the shipper gets kms:Decrypt on it, only via Secrets Manager). Unset for the AWS-managed aws/secretsmanager key.",
                ),
            existingKinesisStreamArn: z
                .string()
                .regex(/^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]{1,128}$/, "expected a Kinesis stream ARN like arn:aws:kinesis:eu-west-1:123456789012:stream/app-logs")
                .optional()
                .describe("An existing Kinesis stream to consume instead of creating one."),
            accountLevelSubscription: flag
                .default(false)
                .describe("Ship every log group of the account and region (an account-level subscription filter policy), the shipper's own log groups excluded."),
            datasetBy: z
                .enum(["source", "logGroup"])
                .default("source")
                .describe("Data stream dataset: one per source (aws.cloudwatch_logs, aws.kinesis, aws.sqs) or one per CloudWatch log group."),
            filters: z
                .preprocess(
                    (value) => (value === undefined ? {} : value),
                    z
                        .object({
                            cloudwatch: messageFilter("CloudWatch Logs"),
                            kinesis: messageFilter("Kinesis"),
                            sqs: messageFilter("SQS"),
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
                })
                .describe("Per-source regular expressions (JavaScript) on the message: include only matches, then drop matches of exclude. An invalid expression is refused."),
            jsonField: z
                .string()
                .regex(/^[a-z][a-z0-9_]{0,63}$/, "expected a lower-case field name like json")
                .default("json")
                .describe("A message that is a JSON object is also expanded under this field of the document."),
            jsonMaxDepth: intIn(1, 10).default(3).describe("Levels of objects the JSON expansion keeps; deeper objects are kept as their JSON text."),
            jsonMaxFields: intIn(1, 1000).default(100).describe("Most leaf values one message's JSON expansion may hold; fields past it are left out and the document is tagged shipper_json_truncated."),
            bulkConcurrency: intIn(1, 16).default(2).describe("Bulk requests in flight per invocation."),
            bulkMaxBytes: intIn(65536, 104857600)
                .default(5242880)
                .describe("Size of one bulk request in bytes; a single document larger than this is dead-lettered."),
        }).describe("The log shipper: its sources (CloudWatch Logs subscriptions, a Kinesis stream, an SQS queue), the Lambda sizing and triggers, and how a message becomes a document."),
        kpi: section({
            tripsTableName: z
                .string()
                .regex(/^[A-Za-z0-9_.-]{3,255}$/, "expected a DynamoDB table name (3-255 letters, digits, _ . -)")
                .describe("The DynamoDB table of trips: an existing one, or the one created with createTripsTable."),
            tripsTableKmsKeyArn: z
                .string()
                .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, "expected a KMS key ARN like arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                .optional()
                .describe("The existing table's KMS key, when it is customer-managed (the function gets kms:Decrypt on it)."),
            schedule: scheduleExpression
                .default("cron(15 0 * * ? *)")
                .describe("When the KPI run starts (EventBridge schedule, UTC): a fixed interval (rate, or a cron on every day), so its heartbeat alarm can be sized."),
            athenaDatabase: z
                .string()
                .regex(/^[a-z0-9_]{1,255}$/, "expected lower-case letters, digits and underscores")
                .default("trip_kpis")
                .describe("Glue/Athena database of the KPI table."),
            createTripsTable: flag
                .default(false)
                .describe("Create the trips table here (SSE with the platform key, PITR, deletion protection, TTL, the sparse index) instead of using an existing one."),
            streamTrigger: flag.default(false).describe("Keep today's KPIs current from the created table's NEW_IMAGE stream (needs createTripsTable)."),
            completedDateIndexName: z
                .string()
                .regex(/^[A-Za-z0-9_.-]{3,255}$/, "expected a DynamoDB index name")
                .default("completedDate-index")
                .describe("The sparse GSI keyed by completedDate (YYYY-MM-DD) with sort key completedAt (docs/kpi.md, item contract)."),
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
                .default("UTC")
                .describe("IANA time zone that defines a KPI day (an unknown zone is refused)."),
            recomputeDays: intIn(1, 31)
                .default(2)
                .describe("Days recomputed by every scheduled run, ending yesterday (the days before are redone to count late trips)."),
            currency: z
                .string()
                .regex(/^[A-Z]{3}$/, "expected an ISO 4217 currency code like USD")
                .default("USD")
                .describe("ISO 4217 code every trip must carry (trips in another currency are rejected and counted)."),
            topZones: intIn(1, 100).default(10).describe("Pickup zones listed in top_pickup_zones."),
            expectTripsDaily: flag.default(true).describe("Alarm when a complete day has zero trips."),
            tripRetentionDays: intIn(1, 7)
                .default(3)
                .describe(
                    "Trips carry expiresAt (DynamoDB TTL, epoch seconds) at most this many days after their completedAt (docs/kpi.md, item contract); the created table expires them with TTL. At least recomputeDays + 1.",
                ),
        })
            .superRefine((kpi, ctx) => refineSchedule("kpi.schedule", kpi.schedule, ctx))
            .describe("The daily trip KPI pipeline: the DynamoDB trips table it reads, when it runs, what a KPI day is, and where the KPIs go."),
        retention: section({
            maxRetentionDays: z.coerce
                .number()
                .refine(
                    (value) => (ALLOWED_RETENTION_DAYS as readonly number[]).includes(value),
                    `must be one of ${ALLOWED_RETENTION_DAYS.join(", ")} (CloudWatch retention values of 7 days or less)`,
                )
                .optional()
                .describe(
                    `The retention (one of ${ALLOWED_RETENTION_DAYS.join(", ")}) the enforcer sets and this stack's own log groups get. Unset: the longest CloudWatch value whose data is gone within the limit, deletion lag included (3 days for 7 days and a 72 h lag). Set: at most that.`,
                ),
            schedule: scheduleExpression.default("rate(1 hour)").describe("How often every log group is swept: one EventBridge schedule; the function fans out to every covered region. A fixed interval (rate, or a cron on every day), so its heartbeat alarm can be sized."),
            regions: z
                .array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected an AWS region like eu-west-1"))
                .default([])
                .describe(
                    "Regions swept by the scheduled function and covered by the CreateLogGroup rule. Empty (the default): every region enabled in the account, discovered at deployment; a list narrows it.",
                ),
            excludePrefixes: z
                .array(z.string().min(1))
                .default([])
                .describe("Log groups whose name starts with one of these are left alone (and reported)."),
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
                .default([])
                .describe("Log groups whose name matches one of these regular expressions (JavaScript) are left alone (and reported); an invalid one is refused."),
            putsPerSecond: z.coerce
                .number()
                .gt(0)
                .max(5)
                .default(4)
                .describe("PutRetentionPolicy calls per second and region, retries included (the account quota is 5 and cannot be raised)."),
            onCreate: flag
                .default(true)
                .describe("Set retention at once when a log group is created (EventBridge rule on CloudTrail's CreateLogGroup record; needs a trail)."),
            createTrail: flag
                .default(true)
                .describe(
                    "Create the multi-region CloudTrail trail the on-create rule needs (KMS, log-file validation, a bucket that keeps its files within the limit). To rely on a trail the account has already, set this false and name it in existingTrailArn.",
                ),
            existingTrailArn: z
                .string()
                .regex(/^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9_.-]{3,128}$/, "expected a CloudTrail trail ARN like arn:aws:cloudtrail:eu-west-1:123456789012:trail/organization-trail")
                .optional()
                .describe("With createTrail false: the account's existing trail; the function checks at every sweep that it records management write events."),
        })
            .superRefine((retention, ctx) => refineSchedule("retention.schedule", retention.schedule, ctx))
            .describe("The retention enforcer: the retention every CloudWatch log group gets, where and how often it sweeps, what it leaves alone, and the on-create rule and its trail."),
        dataProtection: section({
            maxAgeDays: intIn(1, 7)
                .default(7)
                .describe("The rule: no data any store of this stack holds is older than this, counted end to end (docs/retention.md)."),
            deletionLagHours: z
                .preprocess(
                    (value) => (value === undefined ? {} : value),
                    z
                        .object({
                            cloudwatch: intIn(0, 336).default(72).describe("How long CloudWatch Logs may still hold events after their retention."),
                            s3: intIn(0, 336).default(24).describe("How long S3 may still hold an object after its lifecycle expiry."),
                            dynamodbTtl: intIn(0, 336).default(72).describe("How long DynamoDB may still hold an item after its TTL."),
                        })
                        .strict(),
                )
                .describe("How long after its retention each service may still hold data (docs/retention.md gives the sources)."),
            deadLetterRetentionHours: intIn(1, 168)
                .default(72)
                .describe("The shipper's dead-letter queue keeps letters this long (they are replayed with `npm run replay`)."),
            failureQueueRetentionHours: intIn(1, 168)
                .default(48)
                .describe("Every on-failure queue and EventBridge dead-letter queue keeps failed events this long."),
            exemptions: z
                .array(
                    z
                        .object({
                            store: z.enum(EXEMPTABLE_STORES).describe("The exempted store: kpi-objects (daily aggregates) or elasticsearch (the cluster's own rules govern it)."),
                            reason: z
                                .string()
                                .min(20, "say why this store may keep data longer (at least 20 characters)")
                                .describe("Why this store may keep data longer (printed by every preview)."),
                            maxAgeDays: intIn(1, 3653).describe("The exempted store's own bound, in days."),
                        })
                        .strict(),
                )
                .default([])
                .superRefine((exemptions, ctx) => {
                    const seen = new Set<string>();
                    exemptions.forEach((exemption, index) => {
                        if (seen.has(exemption.store)) ctx.addIssue({ code: "custom", path: [index, "store"], message: `${exemption.store} is exempted twice` });
                        seen.add(exemption.store);
                    });
                })
                .describe(
                    "Stores allowed to keep data longer than the limit, each named once, with its reason and its own bound. Only aggregate or otherwise non-personal data; the preview prints every exemption.",
                ),
        }).describe("The data-protection limit every store of the stack is planned against (docs/retention.md): the longest any data may be kept, the services' deletion lags, and named exemptions."),
        alerts: section({
            emails: z
                .array(z.string().email("expected an e-mail address"))
                .default([])
                .describe("Addresses subscribed to the encrypted alarm topic; each must confirm the e-mail AWS sends before alarms reach it."),
        }).describe("Who is told when an alarm fires."),
        tags: z
            .preprocess((value) => (value === undefined ? {} : value), z.record(z.string().regex(/^[\w .:/=+@-]{1,128}$/), z.string().max(256)))
            .refine((tags) => typeof tags["owner"] === "string", { message: "required tag, but not set", path: ["owner"] })
            .refine((tags) => typeof tags["cost-center"] === "string", { message: "required tag, but not set", path: ["cost-center"] })
            .describe("Tags on every resource (the provider's default tags; managed-by and pulumi-stack are added). owner and cost-center are required; any other tag is allowed."),
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
    "shipper.sqsMessageRetentionSeconds": "86400",
    "shipper.batchSize": "500",
    "shipper.maxBatchingWindowSeconds": "5",
    "shipper.reservedConcurrency": "10",
    "shipper.memoryMb": "512",
    "shipper.timeoutSeconds": "60",
    "kpi.tripsTableName": "trips",
    "kpi.tripsTableKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "kpi.schedule": "'cron(15 0 * * ? *)'",
    "kpi.athenaDatabase": "trip_kpis",
    "retention.maxRetentionDays": "3",
    "retention.schedule": "'rate(1 hour)'",
    "retention.regions[]": "eu-west-1",
    "retention.excludePrefixes[]": "/aws/vendedlogs/",
    "retention.excludePatterns[]": "'^/legal-hold/'",
    "retention.putsPerSecond": "4",
    "retention.onCreate": "true",
    "retention.createTrail": "true",
    "retention.existingTrailArn": "arn:aws:cloudtrail:eu-west-1:123456789012:trail/organization-trail",
    "dataProtection.maxAgeDays": "7",
    "dataProtection.deletionLagHours.cloudwatch": "72",
    "dataProtection.deletionLagHours.s3": "24",
    "dataProtection.deletionLagHours.dynamodbTtl": "72",
    "dataProtection.deadLetterRetentionHours": "72",
    "dataProtection.failureQueueRetentionHours": "48",
    "dataProtection.exemptions[].store": "kpi-objects",
    "dataProtection.exemptions[].reason": "'daily KPI aggregates, no personal data'",
    "dataProtection.exemptions[].maxAgeDays": "400",
    "elasticsearch.installIndexTemplate": "true",
    "elasticsearch.dataRetention": "3d",
    // Shell-ready: the PEM file's content, newlines kept.
    "elasticsearch.caCertificatePem": '"$(cat cluster-ca.pem)"',
    "shipper.credentialsSecretKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "shipper.existingKinesisStreamArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/app-logs",
    "shipper.accountLevelSubscription": "true",
    "shipper.datasetBy": "source",
    "shipper.filters.cloudwatch.include": "'ERROR|WARN'",
    "shipper.filters.cloudwatch.exclude": "'^DEBUG'",
    "shipper.filters.kinesis.include": "'\"level\":\"(error|warn)\"'",
    "shipper.filters.kinesis.exclude": "'healthcheck'",
    "shipper.filters.sqs.include": "'^\\{'",
    "shipper.filters.sqs.exclude": "'^DEBUG'",
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
