/**
 * Reads the stack configuration's zod schema into one row per setting: type, required-ness, default,
 * constraints, description and example. Defaults and required-ness are probed by parsing (what the program
 * does), types and constraints read from zod's definitions; a type or check this module cannot render is an
 * error naming the setting, so no setting can drop out of the reference silently.
 */
import { z } from "zod";

export type SettingKind = "leaf" | "group" | "list";

export interface Setting {
    /** Dotted path below the section (`network.vpcId`, `shipper.logGroupSubscriptions[].logGroupName`). */
    path: string;
    kind: SettingKind;
    type: string;
    required: boolean;
    /** The value the program uses when the setting is unset (undefined: none, the setting stays unset). */
    defaultValue: unknown;
    constraints: string[];
    description?: string;
    /** The key of CONFIG_EXAMPLES that holds this setting's example (`[]` for any list index). */
    exampleKeys: string[];
    /** The schema one example value must satisfy (a list's item, a map's value), for checking the examples. */
    exampleSchema?: z.ZodTypeAny;
}

export interface SectionSettings {
    name: string;
    description?: string;
    required: boolean;
    settings: Setting[];
}

/** A node with its wrappers peeled off: what wrapped it and the type underneath. */
interface Unwrapped {
    core: z.ZodTypeAny;
    description?: string;
    /** A refine/superRefine the generator cannot read: the description must say what it checks. */
    refined: boolean;
}

function unwrap(node: z.ZodTypeAny): Unwrapped {
    let current: z.ZodTypeAny = node;
    let description: string | undefined;
    let refined = false;
    for (;;) {
        description ??= current.description;
        if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
            current = current._def.innerType as z.ZodTypeAny;
        } else if (current instanceof z.ZodDefault) {
            current = current._def.innerType as z.ZodTypeAny;
        } else if (current instanceof z.ZodEffects) {
            if ((current._def.effect as { type: string }).type === "refinement") refined = true;
            current = current._def.schema as z.ZodTypeAny;
        } else {
            return { core: current, description, refined };
        }
    }
}

/** What the program does with the setting unset: fails (required), uses a default, or leaves it unset. */
function probe(node: z.ZodTypeAny): { required: boolean; defaultValue: unknown } {
    const result = node.safeParse(undefined);
    return result.success ? { required: false, defaultValue: result.data } : { required: true, defaultValue: undefined };
}

const code = (text: string) => `\`${text}\``;

function stringConstraints(path: string, node: z.ZodString): string[] {
    const out: string[] = [];
    for (const check of node._def.checks) {
        switch (check.kind) {
            case "min":
                out.push(`at least ${check.value} character${check.value === 1 ? "" : "s"}`);
                break;
            case "max":
                out.push(`at most ${check.value} characters`);
                break;
            case "regex":
                out.push(`matches ${code(check.regex.source)}`);
                break;
            case "url":
                out.push("a URL");
                break;
            case "email":
                out.push("an e-mail address");
                break;
            default:
                throw new Error(`configDocs: ${path}: cannot render the string check "${check.kind}"; teach scripts/configDocs/settings.ts`);
        }
    }
    return out;
}

function numberType(node: z.ZodNumber): string {
    return node._def.checks.some((check) => check.kind === "int") ? "integer" : "number";
}

function numberConstraints(path: string, node: z.ZodNumber): string[] {
    let low: string | undefined;
    let high: string | undefined;
    for (const check of node._def.checks) {
        if (check.kind === "int") continue;
        if (check.kind === "min") low = check.inclusive ? `${check.value}` : `> ${check.value}`;
        else if (check.kind === "max") high = check.inclusive ? `${check.value}` : `< ${check.value}`;
        else throw new Error(`configDocs: ${path}: cannot render the number check "${check.kind}"; teach scripts/configDocs/settings.ts`);
    }
    if (low !== undefined && high !== undefined && low === high) return [`exactly ${low}`];
    if (low !== undefined && high !== undefined && !low.startsWith(">") && !high.startsWith("<")) return [`${low} to ${high}`];
    return [low === undefined ? "" : low.startsWith(">") ? low : `at least ${low}`, high === undefined ? "" : high.startsWith("<") ? high : `at most ${high}`].filter(
        (part) => part !== "",
    );
}

/** Type and constraints of a value that is not an object (a list of them is handled by the caller). */
function scalar(path: string, node: z.ZodTypeAny): { type: string; constraints: string[]; refined: boolean } {
    const { core, refined } = unwrap(node);
    if (core instanceof z.ZodString) return { type: "string", constraints: stringConstraints(path, core), refined };
    if (core instanceof z.ZodNumber) return { type: numberType(core), constraints: numberConstraints(path, core), refined };
    if (core instanceof z.ZodBoolean) return { type: "boolean", constraints: [], refined };
    if (core instanceof z.ZodEnum) return { type: "string", constraints: [`one of ${(core._def.values as string[]).map(code).join(", ")}`], refined };
    throw new Error(`configDocs: ${path}: cannot render a ${core.constructor.name}; teach scripts/configDocs/settings.ts`);
}

const REFINED = "checked in code: see the description";

/** The settings of one object's shape, in declaration order, groups before their members. */
function shapeSettings(prefix: string, shape: z.ZodRawShape): Setting[] {
    const settings: Setting[] = [];
    for (const [key, node] of Object.entries(shape)) {
        const path = prefix === "" ? key : `${prefix}.${key}`;
        const { core, description, refined } = unwrap(node);
        const { required, defaultValue } = probe(node);
        const checked = refined ? [REFINED] : [];
        if (core instanceof z.ZodObject) {
            settings.push({ path, kind: "group", type: "object", required, defaultValue: undefined, constraints: checked, description, exampleKeys: [] });
            settings.push(...shapeSettings(path, core.shape as z.ZodRawShape));
        } else if (core instanceof z.ZodArray) {
            const item = core._def.type as z.ZodTypeAny;
            const length = [
                ...(core._def.minLength ? [`at least ${core._def.minLength.value} item${core._def.minLength.value === 1 ? "" : "s"}`] : []),
                ...(core._def.maxLength ? [`at most ${core._def.maxLength.value} items`] : []),
            ];
            const itemCore = unwrap(item);
            if (itemCore.core instanceof z.ZodObject) {
                settings.push({ path, kind: "list", type: "list of objects", required, defaultValue, constraints: [...length, ...checked], description, exampleKeys: [] });
                settings.push(...shapeSettings(`${path}[]`, itemCore.core.shape as z.ZodRawShape));
            } else {
                const each = scalar(`${path}[]`, item);
                const itemConstraints = [...each.constraints, ...(each.refined ? [REFINED] : [])].map((text) => `each ${text}`);
                settings.push({
                    path,
                    kind: "leaf",
                    type: `list of ${each.type}`,
                    required,
                    defaultValue,
                    constraints: [...length, ...itemConstraints, ...checked],
                    description,
                    exampleKeys: [`${path}[]`],
                    exampleSchema: item,
                });
            }
        } else if (core instanceof z.ZodRecord) {
            settings.push(recordSetting(path, node, core as z.ZodRecord<z.ZodTypeAny, z.ZodTypeAny>, { required, defaultValue, description, refined }));
        } else {
            const { type, constraints, refined: innerRefined } = scalar(path, node);
            settings.push({
                path,
                kind: "leaf",
                type,
                required,
                defaultValue,
                constraints: [...constraints, ...(refined || innerRefined ? [REFINED] : [])],
                description,
                exampleKeys: [path],
                exampleSchema: node,
            });
        }
    }
    return settings;
}

/** A map (the tags): key and value constraints, and the keys it requires (found by parsing an empty map). */
function recordSetting(
    path: string,
    node: z.ZodTypeAny,
    record: z.ZodRecord<z.ZodTypeAny, z.ZodTypeAny>,
    facts: { required: boolean; defaultValue: unknown; description?: string; refined: boolean },
): Setting {
    const key = scalar(`${path} key`, record._def.keyType);
    const value = scalar(`${path} value`, record._def.valueType);
    const parsed = node.safeParse({});
    const requiredKeys = parsed.success ? [] : parsed.error.issues.filter((issue) => issue.path.length === 1).map((issue) => String(issue.path[0]));
    return {
        path,
        kind: "leaf",
        type: `map of ${key.type} to ${value.type}`,
        required: facts.required,
        defaultValue: facts.defaultValue,
        constraints: [
            ...(requiredKeys.length > 0 ? [`required keys ${requiredKeys.map(code).join(", ")}`] : []),
            ...key.constraints.map((text) => `each key ${text}`),
            ...value.constraints.map((text) => `each value ${text}`),
        ],
        description: facts.description,
        exampleKeys: requiredKeys.map((name) => `${path}.${name}`),
        exampleSchema: record._def.valueType,
    };
}

/** Every section of the schema with its settings, in the schema's order. */
export function sectionSettings(schema: z.ZodObject<z.ZodRawShape>): SectionSettings[] {
    return Object.entries(schema.shape).map(([name, node]) => {
        const { core, description } = unwrap(node);
        const { required } = probe(node);
        if (core instanceof z.ZodObject) {
            return { name, description, required, settings: shapeSettings(name, core.shape as z.ZodRawShape) };
        }
        // A section that is itself one value (the tags map): one row for the section.
        return { name, description, required, settings: shapeSettings("", { [name]: node }) };
    });
}
