/**
 * The data-protection limit as the pack's retention policies read it from their policy config: the longest a
 * piece of data may exist (`maxAgeDays`) and each service's deletion lag, with the names and defaults of the
 * program's `dataProtection` config section, so one JSON block configures the program and the pack alike.
 *
 * The arithmetic itself is the program's (components/dataProtection/ages.ts, which has no imports): one source
 * for the preview's plan, the audit and the pack.
 */
import { DEFAULT_LAGS, DeletionLags, HOURS_PER_DAY } from "../../components/dataProtection/ages";

/** The policy-config settings every retention policy of the pack takes. */
export const DATA_AGE_LIMIT_PROPERTIES = {
    maxAgeDays: {
        type: "integer" as const,
        minimum: 1,
        default: 7,
        description: "The data-protection limit: no data may exist longer than this many days, counted end to end (deletion lags and time upstream included).",
    },
    deletionLagHours: {
        type: "object" as const,
        properties: {
            cloudwatch: { type: "integer" as const, minimum: 0, default: DEFAULT_LAGS.cloudwatchHours },
            s3: { type: "integer" as const, minimum: 0, default: DEFAULT_LAGS.s3Hours },
            dynamodbTtl: { type: "integer" as const, minimum: 0, default: DEFAULT_LAGS.dynamodbTtlHours },
        },
        additionalProperties: false,
        default: { cloudwatch: DEFAULT_LAGS.cloudwatchHours, s3: DEFAULT_LAGS.s3Hours, dynamodbTtl: DEFAULT_LAGS.dynamodbTtlHours },
        description: "How long after its retention each service may still hold data (CloudWatch Logs, S3 lifecycle, DynamoDB TTL), in hours; a setting left out keeps its default.",
    },
};

/** Exemptions given by policy config, for programs without a DataProtection component. */
export const DATA_AGE_EXEMPTION_PROPERTIES = {
    exemptions: {
        type: "array" as const,
        items: {
            type: "object" as const,
            properties: {
                store: { type: "string" as const, minLength: 1 },
                reason: { type: "string" as const, minLength: 1 },
                maxAgeDays: { type: "integer" as const, minimum: 1 },
            },
            required: ["store", "reason", "maxAgeDays"],
            additionalProperties: false,
        },
        default: [] as unknown[],
        description:
            "Stores allowed to keep data longer than maxAgeDays, for programs without a DataProtection component: each { store, reason, maxAgeDays }; a resource uses one only when it carries the tag data-protection-exemption=<store>.",
    },
};

export const DATA_AGE_CONFIG = { properties: { ...DATA_AGE_LIMIT_PROPERTIES, ...DATA_AGE_EXEMPTION_PROPERTIES } };

/** The config as getConfig() returns it (top-level defaults filled in; nested lags possibly partial). */
export interface DataAgeConfig {
    maxAgeDays: number;
    deletionLagHours?: Partial<Record<"cloudwatch" | "s3" | "dynamodbTtl", number>>;
    exemptions?: unknown[];
}

/** An exemption as the pack uses it: the store it names, why, its own bound, and who declared it. */
export interface Exemption {
    store: string;
    reason: string;
    maxAgeDays: number;
    declaredBy: string;
}

export interface DataAgeSettings {
    maxAgeDays: number;
    limitHours: number;
    lags: DeletionLags;
    /** Valid exemptions of the policy config. */
    configExemptions: Exemption[];
}

/** An exemption entry if it names a store, gives a reason and a positive bound; else undefined. */
export function exemptionOf(entry: unknown, declaredBy: string): Exemption | undefined {
    if (!entry || typeof entry !== "object") {
        return undefined;
    }
    const { store, reason, maxAgeDays } = entry as Record<string, unknown>;
    if (typeof store !== "string" || store === "" || typeof reason !== "string" || reason.trim() === "" || typeof maxAgeDays !== "number" || !(maxAgeDays > 0)) {
        return undefined;
    }
    return { store, reason, maxAgeDays, declaredBy };
}

/** The settings of a policy's config, with every lag left out filled by its default. */
export function dataAgeSettings(config: DataAgeConfig): DataAgeSettings {
    const lag = config.deletionLagHours ?? {};
    const lags: DeletionLags = {
        cloudwatchHours: lag.cloudwatch ?? DEFAULT_LAGS.cloudwatchHours,
        s3Hours: lag.s3 ?? DEFAULT_LAGS.s3Hours,
        dynamodbTtlHours: lag.dynamodbTtl ?? DEFAULT_LAGS.dynamodbTtlHours,
    };
    const configExemptions = (config.exemptions ?? []).map((entry) => exemptionOf(entry, "the policy config")).filter((entry): entry is Exemption => entry !== undefined);
    return { maxAgeDays: config.maxAgeDays, limitHours: config.maxAgeDays * HOURS_PER_DAY, lags, configExemptions };
}
