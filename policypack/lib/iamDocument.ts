/**
 * IAM policy documents: parsing (objects or JSON strings, as written or as rendered by
 * `aws.iam.getPolicyDocument`) and the checks the pack makes on them.
 */
import { containsUnknown, isUnknown, UNKNOWN } from "./values";

export interface Statement {
    sid?: string;
    effect: string;
    actions?: string[];
    notActions?: string[];
    resources?: string[];
    notResources?: string[];
    principal?: Principal;
    notPrincipal?: Principal;
    condition?: Record<string, Record<string, unknown>>;
}

/** `"*"`, or a map of principal type (AWS, Service, Federated, CanonicalUser) to identifiers. */
export type Principal = "*" | Record<string, string[]>;

export type ParsedDocument = { kind: "document"; statements: Statement[] } | { kind: "unknown" } | { kind: "absent" } | { kind: "invalid"; reason: string };

/** Parses a policy document given as an object or a JSON string; unknown (preview) values say so. */
export function parseDocument(value: unknown): ParsedDocument {
    if (value === undefined || value === null || value === "") {
        return { kind: "absent" };
    }
    if (value === UNKNOWN || isUnknown(value)) {
        return { kind: "unknown" };
    }
    let document: unknown = value;
    if (typeof value === "string") {
        try {
            document = JSON.parse(value) as unknown;
        } catch {
            return { kind: "invalid", reason: "is not valid JSON" };
        }
    }
    if (!document || typeof document !== "object") {
        return { kind: "invalid", reason: "is not a JSON object" };
    }
    const raw = (document as Record<string, unknown>)["Statement"];
    if (isUnknown(raw)) {
        return { kind: "unknown" };
    }
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const statements: Statement[] = [];
    for (const entry of list) {
        if (!entry || typeof entry !== "object") {
            return { kind: "invalid", reason: "has a Statement that is not an object" };
        }
        statements.push(normaliseStatement(entry as Record<string, unknown>));
    }
    return { kind: "document", statements };
}

function strings(value: unknown): string[] | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    return (Array.isArray(value) ? value : [value]).map((item) => String(item));
}

function principalOf(value: unknown): Principal | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    if (value === "*") {
        return "*";
    }
    if (typeof value === "object") {
        const result: Record<string, string[]> = {};
        for (const [type, ids] of Object.entries(value as Record<string, unknown>)) {
            result[type] = strings(ids) ?? [];
        }
        return result;
    }
    return { AWS: [typeof value === "string" ? value : JSON.stringify(value)] };
}

function normaliseStatement(raw: Record<string, unknown>): Statement {
    return {
        sid: typeof raw["Sid"] === "string" ? raw["Sid"] : undefined,
        effect: typeof raw["Effect"] === "string" ? raw["Effect"] : "Allow",
        actions: strings(raw["Action"]),
        notActions: strings(raw["NotAction"]),
        resources: strings(raw["Resource"]),
        notResources: strings(raw["NotResource"]),
        principal: principalOf(raw["Principal"]),
        notPrincipal: principalOf(raw["NotPrincipal"]),
        condition: raw["Condition"] && typeof raw["Condition"] === "object" ? (raw["Condition"] as Record<string, Record<string, unknown>>) : undefined,
    };
}

const isAllow = (statement: Statement) => statement.effect.toLowerCase() === "allow";
const label = (statement: Statement, index: number) => (statement.sid ? `statement "${statement.sid}"` : `statement ${index + 1}`);

/** Problems of an identity policy (attached to a role, user or group). */
export function identityPolicyProblems(statements: Statement[], allowedStarResourceActions: string[]): string[] {
    const allowed = new Set(allowedStarResourceActions.map((action) => action.toLowerCase()));
    const problems: string[] = [];
    statements.forEach((statement, index) => {
        if (!isAllow(statement) || containsUnknown(statement)) {
            return;
        }
        const where = label(statement, index);
        problems.push(...actionProblems(statement, where));
        if (statement.notResources) {
            problems.push(`${where} allows NotResource ${JSON.stringify(statement.notResources)}: it grants every other resource; list the resources instead`);
        }
        const wide = (statement.resources ?? []).filter(isServiceWideResource);
        if (wide.length > 0) {
            const needsResource = (statement.actions ?? []).filter((action) => !isWildcard(action) && !allowed.has(action.toLowerCase()));
            if (needsResource.length > 0) {
                const shown = wide.map((resource) => `"${resource}"`).join(", ");
                problems.push(
                    `${where} allows ${needsResource.join(", ")} on Resource ${shown}, which spans every resource of the service (in every account or region): name this account's ARNs, e.g. arn:aws:<service>:<region>:<account>:<resource> (only actions without resource-level permissions may use "*"; see the allowedStarResourceActions config)`,
                );
            }
        }
    });
    return problems;
}

function actionProblems(statement: Statement, where: string): string[] {
    const problems: string[] = [];
    if (statement.notActions) {
        problems.push(`${where} allows NotAction ${JSON.stringify(statement.notActions)}: it grants every other action; list the actions instead`);
    }
    const wildcards = (statement.actions ?? []).filter(isWildcard);
    if (wildcards.length > 0) {
        problems.push(`${where} allows wildcard action${wildcards.length > 1 ? "s" : ""} ${wildcards.map((action) => `"${action}"`).join(", ")}: list the exact actions needed`);
    }
    return problems;
}

/** True for an action pattern with a wildcard (`*` or `?`): it grants actions nobody listed. */
export function isWildcard(action: string): boolean {
    return /[*?]/.test(action);
}

/**
 * True for a resource as wide as `"*"`: `*` itself, an ARN whose partition, service, region or account
 * is a wildcard (`arn:aws:sqs:*:*:q`, `arn:*`), or an S3 ARN whose bucket name holds a wildcard
 * (`arn:aws:s3:::*`: every bucket of every account). A wildcard inside this account's resource path
 * (`arn:aws:logs:<region>:<account>:log-group:*`, `<bucketArn>/kpis/*`) is not.
 */
export function isServiceWideResource(resource: string): boolean {
    if (/^[*?]+$/.test(resource)) {
        return true;
    }
    if (!resource.startsWith("arn:")) {
        return false;
    }
    const [, partition = "", service = "", region = "", account = "", ...rest] = resource.split(":");
    if ([partition, service, region, account].some((part) => /[*?]/.test(part)) || rest.length === 0) {
        return true;
    }
    const path = rest.join(":");
    if (service === "s3" && account === "") {
        // Bucket ARNs carry no account: a wildcard in the bucket name reaches other accounts' buckets.
        return /[*?]/.test(path.split("/")[0] ?? "");
    }
    return /^[*?]+$/.test(path) && region === "" && account === "";
}

/**
 * Condition operators that require the key to be present and to match. IfExists, Null and negated
 * operators pin nothing; nor does ForAllValues, which is true when the request carries no such key.
 */
const PINNING_OPERATORS = /^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/i;
/** Operators that read `*` and `?` in a value as wildcards (the others compare them literally). */
const MATCHING_OPERATORS = /(StringLike|ArnLike|ArnEquals)$/i;

/** What a condition key pins a grant to, when its value names something of this account. */
export type PinnedBy = "account" | "arn" | "organization" | "organization path" | "network";

export interface PinningKey {
    key: string;
    pins: PinnedBy;
    /** Where AWS documents the key. */
    documentedIn: string;
}

/**
 * The condition keys AWS documents as naming who calls (or on whose behalf a service calls): with a
 * value naming this account (or a trusted one), its organization, or a concrete ARN of it, they pin
 * Principal "*". Keys about the resource itself (aws:ResourceAccount: in a resource policy it is always
 * this account) or values the caller chooses (kms:EncryptionContext:*) pin nothing.
 */
export const PRINCIPAL_PINNING_KEYS: PinningKey[] = [
    { key: "aws:SourceAccount", pins: "account", documentedIn: "IAM global condition keys (the account of the resource a service acts for)" },
    { key: "aws:SourceOwner", pins: "account", documentedIn: "Amazon SNS and Amazon SES (the account that owns the source)" },
    { key: "aws:PrincipalAccount", pins: "account", documentedIn: "IAM global condition keys (the caller's account)" },
    { key: "kms:CallerAccount", pins: "account", documentedIn: "AWS KMS condition keys (the caller's account)" },
    { key: "aws:SourceArn", pins: "arn", documentedIn: "IAM global condition keys (the resource a service acts for)" },
    { key: "aws:PrincipalArn", pins: "arn", documentedIn: "IAM global condition keys (the caller)" },
    { key: "lambda:SourceFunctionArn", pins: "arn", documentedIn: "AWS Lambda condition keys (the function whose credentials make the call)" },
    { key: "ec2:SourceInstanceARN", pins: "arn", documentedIn: "Amazon EC2 condition keys (the instance whose credentials make the call)" },
    { key: "aws:PrincipalOrgID", pins: "organization", documentedIn: "IAM global condition keys (the caller's organization)" },
    { key: "aws:SourceOrgID", pins: "organization", documentedIn: "IAM global condition keys (the organization of the resource a service acts for)" },
    { key: "aws:PrincipalOrgPaths", pins: "organization path", documentedIn: "IAM global condition keys" },
    { key: "aws:SourceOrgPaths", pins: "organization path", documentedIn: "IAM global condition keys" },
    { key: "aws:SourceVpce", pins: "network", documentedIn: "IAM global condition keys (the VPC endpoint the request came through)" },
    { key: "aws:SourceVpc", pins: "network", documentedIn: "IAM global condition keys (the VPC the request came through)" },
];
const PINNING_BY_KEY = new Map(PRINCIPAL_PINNING_KEYS.map((entry) => [entry.key.toLowerCase(), entry.pins]));

/** One key of a statement's condition under a positive (pinning) operator. */
export interface ConditionEntry {
    operator: string;
    /** Lower case (condition keys are case-insensitive). */
    key: string;
    /** As written. */
    name: string;
    values: string[];
    /** True when the operator reads `*` and `?` as wildcards. */
    matching: boolean;
}

/** The keys a statement's condition requires, under positive (pinning) operators. */
export function pinningConditions(statement: Statement): ConditionEntry[] {
    const entries: ConditionEntry[] = [];
    for (const [operator, keys] of Object.entries(statement.condition ?? {})) {
        if (!PINNING_OPERATORS.test(operator) || !keys || typeof keys !== "object") {
            continue;
        }
        for (const [key, value] of Object.entries(keys)) {
            entries.push({ operator, key: key.toLowerCase(), name: key, values: (Array.isArray(value) ? value : [value]).map((item) => String(item)), matching: MATCHING_OPERATORS.test(operator) });
        }
    }
    return entries;
}

/** The values a statement's condition gives a key under positive (pinning) operators, by key (lower case). */
export function pinnedConditionValues(statement: Statement): Map<string, string[]> {
    const result = new Map<string, string[]>();
    for (const entry of pinningConditions(statement)) {
        result.set(entry.key, [...(result.get(entry.key) ?? []), ...entry.values]);
    }
    return result;
}

/**
 * Whether one value of a pinning key names something known: an account of this stack (or trusted), an
 * ARN of it with no wildcard in partition, service, region or account, a concrete organization (path),
 * VPC or endpoint id.
 */
function pinsValue(pins: PinnedBy, value: string, trusted: string[]): boolean {
    switch (pins) {
        case "account":
            return /^\d{12}$/.test(value) && trusted.includes(value);
        case "arn": {
            const account = accountOf(value);
            return !isServiceWideResource(value) && account !== undefined && trusted.includes(account);
        }
        case "organization path":
            // o-<id>/r-<root>/ou-.../: the organization must be named; a wildcard after it narrows within it.
            return /^o-[a-z0-9]{10,32}\//.test(value);
        default:
            return value.length > 0 && !/[*?]/.test(value);
    }
}

/** Why Principal "*" is not pinned by the statement's conditions, or undefined when it is. */
function unpinnedReason(statement: Statement, trusted: string[]): string | undefined {
    const scoping = pinningConditions(statement).filter((entry) => PINNING_BY_KEY.has(entry.key));
    if (scoping.length === 0) {
        return `with no condition naming who may call (one of ${PRINCIPAL_PINNING_KEYS.map((entry) => entry.key).join(", ")}, under StringEquals/StringLike/ArnEquals/ArnLike; IfExists, ForAllValues and negated operators pin nothing)`;
    }
    if (scoping.some((entry) => entry.values.length > 0 && entry.values.every((value) => pinsValue(PINNING_BY_KEY.get(entry.key) as PinnedBy, value, trusted)))) {
        return undefined;
    }
    const shown = scoping.map((entry) => `${entry.key}=${JSON.stringify(entry.values)}`).join(", ");
    if (trusted.length === 0 && scoping.some((entry) => entry.values.some((value) => /^\d{12}$/.test(value) || accountOf(value) !== undefined))) {
        return `scoped by ${shown}, but this stack's account is not known here: ${ACCOUNT_CONFIG_FIX}`;
    }
    return `scoped by ${shown}, which pins nothing: the condition must name this account, a trusted account (trustedAccountIds) or concrete ARNs, with no wildcard in their partition, service, region or account`;
}

/** The fix when the stack's own account cannot be told at preview. */
export const ACCOUNT_CONFIG_FIX =
    'set the policy config of iam-no-wildcard, e.g. { "iam-no-wildcard": { "accountId": "<this stack\'s 12-digit account id>" } } (pulumi preview --policy-pack-config)';

/** The 12-digit account of a principal given as an ARN or an account id, if it names one. */
export function accountOf(identifier: string): string | undefined {
    if (/^\d{12}$/.test(identifier)) {
        return identifier;
    }
    return /^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):/.exec(identifier)?.[1];
}

/** True for the AWS default key-policy statement: the account root may do `kms:*`. */
function isAccountRootStatement(statement: Statement): boolean {
    if (statement.principal === "*" || !statement.principal) {
        return false;
    }
    const entries = Object.entries(statement.principal);
    return (
        entries.length === 1 &&
        entries[0]?.[0] === "AWS" &&
        (entries[0]?.[1] ?? []).every((id) => /^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$/.test(id)) &&
        (statement.actions ?? []).every((action) => action.toLowerCase() === "kms:*")
    );
}

export interface ResourcePolicyOptions {
    /** KMS key policies: Resource is always "*", and the default root statement is allowed. */
    keyPolicy: boolean;
    /** Accounts the resource lives in or that are trusted by config. */
    trustedAccounts: string[];
}

/** Problems of a resource policy (queue, topic, bucket or key): wildcards and grants outside the account. */
export function resourcePolicyProblems(statements: Statement[], options: ResourcePolicyOptions): string[] {
    const problems: string[] = [];
    statements.forEach((statement, index) => {
        if (!isAllow(statement) || containsUnknown(statement)) {
            return;
        }
        const where = label(statement, index);
        if (!(options.keyPolicy && isAccountRootStatement(statement))) {
            problems.push(...actionProblems(statement, where));
        }
        if (statement.notPrincipal) {
            problems.push(`${where} allows NotPrincipal: it grants everyone else; name the principals instead`);
        }
        const principal = statement.principal;
        const everyone = principal === "*" || (principal !== undefined && (principal["AWS"] ?? []).includes("*"));
        const unpinned = everyone ? unpinnedReason(statement, options.trustedAccounts) : undefined;
        if (unpinned) {
            problems.push(`${where} allows Principal "*" ${unpinned}: anyone outside the account may use it`);
        }
        if (principal && principal !== "*") {
            const named = [...(principal["AWS"] ?? []), ...(principal["Federated"] ?? [])].filter((id) => accountOf(id) !== undefined);
            if (named.length > 0 && options.trustedAccounts.length === 0) {
                problems.push(`${where} grants ${named.join(", ")}, and this stack's account cannot be told at preview, so a foreign account cannot be ruled out: ${ACCOUNT_CONFIG_FIX}`);
            } else {
                const outside = named.filter((id) => !options.trustedAccounts.includes(accountOf(id) as string));
                if (outside.length > 0) {
                    problems.push(`${where} grants principals outside the account (${outside.join(", ")}): add the account to trustedAccountIds if this is intended`);
                }
            }
        }
    });
    return problems;
}
