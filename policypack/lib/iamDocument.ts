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
        if (statement.resources?.includes("*")) {
            const needsResource = (statement.actions ?? []).filter((action) => !action.includes("*") && !allowed.has(action.toLowerCase()));
            if (needsResource.length > 0) {
                problems.push(
                    `${where} allows ${needsResource.join(", ")} on Resource "*": name the ARNs (only actions without resource-level permissions may use "*"; see the allowedStarResourceActions config)`,
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
    const wildcards = (statement.actions ?? []).filter((action) => action.includes("*"));
    if (wildcards.length > 0) {
        problems.push(`${where} allows wildcard action${wildcards.length > 1 ? "s" : ""} ${wildcards.map((action) => `"${action}"`).join(", ")}: list the exact actions needed`);
    }
    return problems;
}

/** Condition keys that pin a grant to a known account, organisation or source. */
const SCOPING_CONDITION_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:principalaccount", "aws:principalorgid", "aws:sourcevpce", "aws:sourcevpc", "aws:principalarn"];

function isScopedByCondition(statement: Statement): boolean {
    return Object.values(statement.condition ?? {}).some((entries) => Object.keys(entries ?? {}).some((key) => SCOPING_CONDITION_KEYS.includes(key.toLowerCase())));
}

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
        if (everyone && !isScopedByCondition(statement)) {
            problems.push(`${where} allows Principal "*" with no aws:SourceAccount/aws:SourceArn/aws:PrincipalOrgID condition: anyone outside the account may use it`);
        }
        if (principal && principal !== "*" && options.trustedAccounts.length > 0) {
            const outside = (principal["AWS"] ?? []).filter((id) => {
                const account = accountOf(id);
                return account !== undefined && !options.trustedAccounts.includes(account);
            });
            if (outside.length > 0) {
                problems.push(`${where} grants principals outside the account (${outside.join(", ")}): add the account to trustedAccountIds if this is intended`);
            }
        }
    });
    return problems;
}
