import type { RegisteredResource } from "../offline/runProgram";

/** Renders resources as an indented tree under their parents, like `pulumi preview`. */
export function renderTree(resources: RegisteredResource[]): string {
    const children = new Map<string | undefined, RegisteredResource[]>();
    const urns = new Set(resources.map((resource) => resource.urn));
    for (const resource of resources) {
        const parent = resource.parent && urns.has(resource.parent) ? resource.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), resource]);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, depth: number): void => {
        const list = [...(children.get(parent) ?? [])].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
        for (const resource of list) {
            lines.push(`${"    ".repeat(depth)}+ ${resource.type.padEnd(60 - depth * 4)} ${resource.name}`);
            walk(resource.urn, depth + 1);
        }
    };
    walk(undefined, 1);
    return lines.join("\n");
}
