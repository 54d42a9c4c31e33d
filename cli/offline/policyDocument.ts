/**
 * `aws.iam.getPolicyDocument`, rendered as the provider renders it (the Terraform AWS provider's
 * aws_iam_policy_document data source, which @pulumi/aws bridges), so the offline gate's pack sees the
 * document `pulumi preview` would hand it:
 *
 * - `sourcePolicyDocuments` are merged first, in order (a Sid repeated across them is an error); then the
 *   `statements` (a Sid repeated among them is an error; one equal to a source Sid replaces that
 *   statement); then each of `overridePolicyDocuments`, in order, replacing statements by Sid and adding
 *   the rest. Statements without a Sid are always added, never replaced. The highest Version wins.
 * - A principal block `{ type: "*", identifiers: ["*"] }`, alone, renders as `"Principal": "*"`; otherwise
 *   principals render as `{ <type>: <identifier or identifiers> }`, blocks of one type merged.
 * - A single action, resource or identifier renders as a string, several as an array sorted in reverse;
 *   a condition with one value renders the value as a string, several keep their order. `&{` becomes `${`.
 * - Empty Sids are omitted; the JSON is indented by two spaces (`json`) or compact (`minifiedJson`), with
 *   Go's escaping of <, > and &; the id is the CRC-32 of `json`.
 *
 * test/gate/policyDocumentRendering.spec.ts checks this against the provider's documented examples.
 */
import { crc32 } from "zlib";

type Inputs = Record<string, unknown>;
type Strings = string | string[];

interface Principal {
    type: string;
    identifiers: Strings;
}
interface Condition {
    test: string;
    variable: string;
    values: Strings;
}
interface Statement {
    sid?: string;
    effect?: string;
    actions?: unknown;
    notActions?: unknown;
    resources?: unknown;
    notResources?: unknown;
    principals?: Principal[];
    notPrincipals?: Principal[];
    conditions?: Condition[];
}
interface Document {
    version: string;
    id: string;
    statements: Statement[];
}

/** Raised for what the provider rejects (duplicate Sids, a document that is not a policy). */
export class PolicyDocumentError extends Error {
    constructor(message: string) {
        super(`aws.iam.getPolicyDocument: ${message}`);
        this.name = "PolicyDocumentError";
    }
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : []);

/** A set of strings as the provider writes it: one value as a string, several sorted in reverse. */
function decodeSet(values: string[]): Strings {
    const unique = [...new Set(values)];
    return unique.length === 1 ? (unique[0]) : unique.sort().reverse();
}

const replaceVariables = (value: string, version: string): string => {
    if (version === "2008-10-17" && value.includes("&{")) {
        throw new PolicyDocumentError(`found &{ sequence in (${value}), which is not supported in document version 2008-10-17`);
    }
    return value.split("&{").join("${");
};
const replaceAll = (values: Strings, version: string): Strings => (Array.isArray(values) ? values.map((value) => replaceVariables(value, version)) : replaceVariables(values, version));

function principalsOf(list: unknown, version: string): Principal[] | undefined {
    if (!Array.isArray(list) || list.length === 0) {
        return undefined;
    }
    return (list as Inputs[]).map((entry) => ({ type: String(entry["type"]), identifiers: replaceAll(decodeSet(stringList(entry["identifiers"])), version) }));
}

/** The statements given as arguments (the `statements` input). */
function argumentStatements(list: unknown, version: string): Statement[] {
    const sids = new Set<string>();
    return (Array.isArray(list) ? (list as Inputs[]) : []).map((input) => {
        const sid = typeof input["sid"] === "string" ? input["sid"] : "";
        if (sid !== "" && sids.has(sid)) {
            throw new PolicyDocumentError(`duplicate Sid (${sid}). Remove the Sid or ensure the Sid is unique.`);
        }
        sids.add(sid);
        const statement: Statement = { sid, effect: typeof input["effect"] === "string" ? input["effect"] : "Allow" };
        const set = (key: string) => {
            const values = stringList(input[key]);
            return values.length > 0 ? decodeSet(values) : undefined;
        };
        statement.actions = set("actions");
        statement.notActions = set("notActions");
        const resources = set("resources");
        statement.resources = resources === undefined ? undefined : replaceAll(resources, version);
        const notResources = set("notResources");
        statement.notResources = notResources === undefined ? undefined : replaceAll(notResources, version);
        statement.principals = principalsOf(input["principals"], version);
        statement.notPrincipals = principalsOf(input["notPrincipals"], version);
        if (Array.isArray(input["conditions"]) && input["conditions"].length > 0) {
            statement.conditions = (input["conditions"] as Inputs[]).map((condition) => {
                const values = replaceAll(stringList(condition["values"]), version) as string[];
                return { test: String(condition["test"]), variable: String(condition["variable"]), values: values.length === 1 ? (values[0]) : values };
            });
        }
        return statement;
    });
}

/** A principal element of a JSON document, read as the provider reads it. */
function parsedPrincipals(value: unknown): Principal[] | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    if (typeof value === "string") {
        return [{ type: "*", identifiers: ["*"] }];
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        throw new PolicyDocumentError(`unsupported principal ${JSON.stringify(value)}`);
    }
    return Object.entries(value as Inputs).map(([type, identifiers]) => ({ type, identifiers: Array.isArray(identifiers) ? identifiers.map(String).sort() : String(identifiers) }));
}

/** A condition element of a JSON document, read as the provider reads it (booleans become strings). */
function parsedConditions(value: unknown): Condition[] | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const conditions: Condition[] = [];
    for (const [test, variables] of Object.entries(value as Record<string, Inputs>)) {
        for (const [variable, values] of Object.entries(variables ?? {})) {
            conditions.push({ test, variable, values: Array.isArray(values) ? values.map(String) : typeof values === "boolean" ? String(values) : [String(values)] });
        }
    }
    return conditions;
}

/** A JSON policy document given in sourcePolicyDocuments or overridePolicyDocuments. */
function parseDocument(json: string, where: string): Document {
    let raw: unknown;
    try {
        raw = JSON.parse(json) as unknown;
    } catch (error) {
        throw new PolicyDocumentError(`${where} is not valid JSON (${(error as Error).message})`);
    }
    const document = (raw ?? {}) as Inputs;
    const list = document["Statement"];
    if (list !== undefined && list !== null && !Array.isArray(list)) {
        throw new PolicyDocumentError(`${where}: cannot read a Statement that is not a list`);
    }
    return {
        version: typeof document["Version"] === "string" ? document["Version"] : "",
        id: typeof document["Id"] === "string" ? document["Id"] : "",
        statements: ((list ?? []) as Inputs[]).map((entry) => ({
            sid: typeof entry["Sid"] === "string" ? entry["Sid"] : "",
            effect: typeof entry["Effect"] === "string" ? entry["Effect"] : undefined,
            actions: entry["Action"],
            notActions: entry["NotAction"],
            resources: entry["Resource"],
            notResources: entry["NotResource"],
            principals: parsedPrincipals(entry["Principal"]),
            notPrincipals: parsedPrincipals(entry["NotPrincipal"]),
            conditions: parsedConditions(entry["Condition"]),
        })),
    };
}

/** Merges `next` into `into`: its Id and a higher Version win; statements replace those with the same Sid. */
function merge(into: Document, next: Document): void {
    if (next.id.length > 0) {
        into.id = next.id;
    }
    if (next.version > into.version) {
        into.version = next.version;
    }
    for (const statement of next.statements) {
        const at = statement.sid ? into.statements.findIndex((existing) => existing.sid === statement.sid) : -1;
        if (at >= 0) {
            into.statements[at] = statement;
        } else {
            into.statements.push(statement);
        }
    }
}

function renderPrincipals(principals: Principal[] | undefined): unknown {
    if (!principals || principals.length === 0) {
        return undefined;
    }
    const [only] = principals;
    if (principals.length === 1 && only && only.type === "*" && (only.identifiers === "*" || (Array.isArray(only.identifiers) && only.identifiers.length === 1 && only.identifiers[0] === "*"))) {
        return "*";
    }
    const raw: Record<string, Strings> = {};
    for (const principal of principals) {
        const existing = raw[principal.type];
        if (Array.isArray(principal.identifiers)) {
            const sorted = [...principal.identifiers].sort().reverse();
            raw[principal.type] = existing === undefined ? sorted : [...(Array.isArray(existing) ? existing : [existing]), ...sorted];
        } else {
            raw[principal.type] = existing === undefined ? principal.identifiers : [...(Array.isArray(existing) ? existing : [existing]), principal.identifiers];
        }
    }
    return sortedKeys(raw);
}

function renderConditions(conditions: Condition[] | undefined): unknown {
    if (!conditions || conditions.length === 0) {
        return undefined;
    }
    const raw: Record<string, Record<string, string[]>> = {};
    for (const condition of conditions) {
        const variables = (raw[condition.test] ??= {});
        variables[condition.variable] = [...(variables[condition.variable] ?? []), ...(Array.isArray(condition.values) ? condition.values : [condition.values])];
    }
    const flattened: Record<string, Record<string, Strings>> = {};
    for (const [test, variables] of Object.entries(raw)) {
        flattened[test] = sortedKeys(Object.fromEntries(Object.entries(variables).map(([variable, values]) => [variable, values.length === 1 ? (values[0]) : values])));
    }
    return sortedKeys(flattened);
}

/** Go marshals maps with their keys sorted. */
function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** An empty list or string is dropped (the provider's `omitempty`). */
const present = (value: unknown): boolean => value !== undefined && value !== null && value !== "";

function renderStatement(statement: Statement): Record<string, unknown> {
    const entries: [string, unknown][] = [
        ["Sid", statement.sid],
        ["Effect", statement.effect],
        ["Action", statement.actions],
        ["NotAction", statement.notActions],
        ["Resource", statement.resources],
        ["NotResource", statement.notResources],
        ["Principal", renderPrincipals(statement.principals)],
        ["NotPrincipal", renderPrincipals(statement.notPrincipals)],
        ["Condition", renderConditions(statement.conditions)],
    ];
    return Object.fromEntries(entries.filter(([, value]) => present(value)));
}

/** The merged document as an object, its keys in the order the provider writes them. */
export function renderPolicyDocument(inputs: Inputs): Record<string, unknown> {
    const merged: Document = { version: "", id: "", statements: [] };
    const sourceSids = new Set<string>();
    stringListOrNull(inputs["sourcePolicyDocuments"]).forEach((json, index) => {
        if (json === null) return;
        const source = parseDocument(json, `sourcePolicyDocuments[${index}]`);
        source.statements.forEach((statement, statementIndex) => {
            if (statement.sid) {
                if (sourceSids.has(statement.sid)) {
                    throw new PolicyDocumentError(`merging source document ${index}: duplicate Sid (${statement.sid}) in sourcePolicyDocuments (statement ${statementIndex}). Remove the Sid or ensure Sids are unique.`);
                }
                sourceSids.add(statement.sid);
            }
        });
        merge(merged, source);
    });
    const version = typeof inputs["version"] === "string" ? inputs["version"] : "2012-10-17";
    merge(merged, { version, id: typeof inputs["policyId"] === "string" ? inputs["policyId"] : "", statements: argumentStatements(inputs["statements"], version) });
    stringListOrNull(inputs["overridePolicyDocuments"]).forEach((json, index) => {
        if (json !== null) merge(merged, parseDocument(json, `overridePolicyDocuments[${index}]`));
    });
    const document: Record<string, unknown> = {};
    if (merged.version) document["Version"] = merged.version;
    if (merged.id) document["Id"] = merged.id;
    if (merged.statements.length > 0) document["Statement"] = merged.statements.map(renderStatement);
    return document;
}

function stringListOrNull(value: unknown): (string | null)[] {
    return Array.isArray(value) ? value.map((entry) => (entry === undefined || entry === null ? null : String(entry))) : [];
}

/** Go's encoding/json escapes <, > and & (and U+2028/U+2029) inside strings. */
function goEscape(json: string): string {
    return json.replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** What the data source returns: the indented and the minified JSON, and its id. */
export function policyDocumentResult(inputs: Inputs): { json: string; minifiedJson: string; id: string } {
    const document = renderPolicyDocument(inputs);
    const json = goEscape(JSON.stringify(document, null, 2));
    return { json, minifiedJson: goEscape(JSON.stringify(document)), id: String(crc32(json)) };
}
