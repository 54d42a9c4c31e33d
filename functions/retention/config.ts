import { InputError } from "../shared/errors";

/**
 * The retention values CloudWatch Logs accepts that are also within the 7-day data-protection rule. (Kept here,
 * not imported from components/config, so the Lambda code has no dependency on the Pulumi side.)
 */
export const ALLOWED_TARGET_DAYS = [1, 3, 5, 7] as const;

/** Every value PutRetentionPolicy accepts, for the error message of a bad target. */
export const CLOUDWATCH_RETENTION_VALUES = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * Every log group this platform creates for its functions is under this path, one folder per stack
 * (components/managedFunction.ts `ownLogGroupPrefix`; kept here too so the Lambda code has no Pulumi dependency,
 * and test/unit/retentionEnforcer.spec.ts checks both agree).
 */
export const PLATFORM_LOG_GROUP_ROOT = "/aws/lambda/log-platform/";

/** What a sweep enforces and how fast it may go: a plain, JSON-like object (the component serializes it into the closure). */
export interface RetentionSettings {
    /**
     * Retention set on every group that keeps logs longer (or forever): one of 1, 3, 5, 7. The components and the CLI
     * derive it from the data-protection limit and CloudWatch's deletion lag (components/dataProtection/ages.ts).
     */
    targetDays: number;
    /**
     * The stack this sweep belongs to: its own groups under PLATFORM_LOG_GROUP_ROOT/<stack>/ are swept, every other
     * stack's are left alone (and reported). Unset: every stack's groups of this platform are left alone.
     */
    stack?: string;
    /** Groups whose name starts with one of these are left alone (and reported). */
    excludePrefixes: string[];
    /** Groups whose name matches one of these regular expressions are left alone (and reported). */
    excludePatterns: string[];
    /** PutRetentionPolicy calls per second, retries included (the account quota is 5/s per region). */
    putsPerSecond: number;
    /** DescribeLogGroups calls per second (the quota is 10/s per region). */
    describesPerSecond: number;
    /** Attempts per call, the first included (SDK `standard` retry mode: jittered exponential backoff). */
    maxAttempts: number;
}

/** The defaults of everything but the target, which every caller states (it depends on the limit and the lag). */
export const DEFAULT_SETTINGS: Omit<RetentionSettings, "targetDays"> = {
    excludePrefixes: [],
    excludePatterns: [],
    putsPerSecond: 4,
    describesPerSecond: 5,
    maxAttempts: 8,
};

/** The account's hard quotas; a pace above them only buys throttling. */
export const PUT_QUOTA_PER_SECOND = 5;
export const DESCRIBE_QUOTA_PER_SECOND = 10;

/**
 * Fills defaults and checks every setting, throwing an InputError that names the setting and the fix.
 * `allowAboveQuota` lets tests and the benchmark pace faster than AWS's quotas against moto (which has none).
 */
export function resolveSettings(partial: Partial<RetentionSettings> & { targetDays: number }, options: { allowAboveQuota?: boolean } = {}): RetentionSettings {
    const settings: RetentionSettings = { ...DEFAULT_SETTINGS, ...stripUndefined(partial), targetDays: partial.targetDays };
    validateTargetDays(settings.targetDays);
    if (settings.stack !== undefined && !/^[A-Za-z0-9_.-]+$/.test(settings.stack)) {
        throw new InputError(`stack must be a Pulumi stack name (letters, digits, _ . -), got ${JSON.stringify(settings.stack)}`);
    }
    checkRate("putsPerSecond", settings.putsPerSecond, options.allowAboveQuota ? Infinity : PUT_QUOTA_PER_SECOND);
    checkRate("describesPerSecond", settings.describesPerSecond, options.allowAboveQuota ? Infinity : DESCRIBE_QUOTA_PER_SECOND);
    if (!Number.isInteger(settings.maxAttempts) || settings.maxAttempts < 1 || settings.maxAttempts > 20) {
        throw new InputError(`maxAttempts must be an integer from 1 to 20, got ${String(settings.maxAttempts)}`);
    }
    for (const prefix of settings.excludePrefixes) {
        if (typeof prefix !== "string" || prefix.length === 0) {
            throw new InputError("excludePrefixes: an empty prefix would exclude every log group; remove it");
        }
    }
    compilePatterns(settings.excludePatterns);
    return settings;
}

/** The target must be a CloudWatch retention value and at most 7 days. */
export function validateTargetDays(days: unknown): asserts days is number {
    if (typeof days !== "number" || !(ALLOWED_TARGET_DAYS as readonly number[]).includes(days)) {
        const hint = typeof days === "number" && CLOUDWATCH_RETENTION_VALUES.includes(days) ? ` (${days} is a CloudWatch value, but more than the 7-day data-protection limit)` : "";
        throw new InputError(`target retention must be one of ${ALLOWED_TARGET_DAYS.join(", ")} days, got ${String(days)}${hint}`);
    }
}

/** Compiles the exclusion patterns, naming the one that is not a valid regular expression. */
export function compilePatterns(patterns: string[]): RegExp[] {
    return patterns.map((pattern) => {
        try {
            return new RegExp(pattern);
        } catch (error) {
            throw new InputError(`excludePatterns: "${pattern}" is not a valid regular expression (${(error as Error).message})`);
        }
    });
}

function checkRate(name: string, value: unknown, max: number): void {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) {
        throw new InputError(`${name} must be a number above 0${Number.isFinite(max) ? ` and at most ${max} (the AWS quota)` : ""}, got ${String(value)}`);
    }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
    return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
