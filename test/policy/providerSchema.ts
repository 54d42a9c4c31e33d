/**
 * Property paths of @pulumi/aws resources, read from the provider's type definitions: each resource's
 * `<Name>Args` and, through `inputs.<module>.<Type>` references, the nested input types
 * (types/input.d.ts), so a test can list every property of a kind (e.g. every `...PolicyArn`) however
 * deep the provider puts it.
 */
import * as fs from "fs";
import * as path from "path";

import { allDeclarations, PROVIDER_ROOT, ResourceDeclaration } from "../../cli/offline/providerTypes";

let nested: Map<string, Map<string, string>> | undefined;

/** `<module>.<Type>` -> property -> type text, from types/input.d.ts. */
function inputTypes(): Map<string, Map<string, string>> {
    if (nested) {
        return nested;
    }
    nested = new Map();
    let module = "";
    let current: Map<string, string> | undefined;
    for (const line of fs.readFileSync(path.join(PROVIDER_ROOT, "types", "input.d.ts"), "utf8").split("\n")) {
        const namespace = /^export declare namespace (\w+) \{/.exec(line);
        if (namespace?.[1]) {
            module = namespace[1];
            continue;
        }
        const declared = /^ {4}(?:export )?interface (\w+) \{/.exec(line);
        if (declared?.[1]) {
            current = new Map();
            nested.set(`${module}.${declared[1]}`, current);
            continue;
        }
        const property = /^ {8}(\w+)\??: (.+);$/.exec(line);
        if (current && property?.[1] && property[2]) {
            current.set(property[1], property[2]);
        }
    }
    return nested;
}

/** The nested input types a type text refers to. */
function referencedTypes(typeText: string): string[] {
    return [...typeText.matchAll(/inputs\.(\w+)\.(\w+)/g)].map((match) => `${match[1]}.${match[2]}`);
}

/** Every dotted property path of a resource whose last name matches, down to `depth` levels. */
export function propertyPaths(declaration: ResourceDeclaration, matches: (name: string, typeText: string) => boolean, depth = 4): string[] {
    const found: string[] = [];
    const walk = (properties: Map<string, string>, prefix: string, level: number, seen: Set<string>) => {
        for (const [name, typeText] of properties) {
            const where = prefix ? `${prefix}.${name}` : name;
            if (matches(name, typeText)) {
                found.push(where);
            }
            if (level >= depth) continue;
            for (const reference of referencedTypes(typeText)) {
                const inner = inputTypes().get(reference);
                if (inner && !seen.has(reference)) walk(inner, where, level + 1, new Set([...seen, reference]));
            }
        }
    };
    walk(declaration.args, "", 1, new Set());
    return found;
}

/** Every resource type of the installed provider, once (the scan takes a moment). */
let declarations: ResourceDeclaration[] | undefined;
export function resourceDeclarations(): ResourceDeclaration[] {
    declarations ??= allDeclarations();
    return declarations;
}
