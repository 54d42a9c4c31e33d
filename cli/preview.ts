import * as path from "path";

import { RegisteredResource, runProgramOffline } from "./offline/runProgram";

/**
 * Offline preview: runs the program under mocks with a stack's config and prints the resource tree it
 * would create (type and name, nested by parent), then the stack outputs.
 *
 * Usage: ts-node cli/preview.ts [--stack prod] [--program <dir>]
 */
async function main(argv: string[]): Promise<number> {
    const stack = option(argv, "--stack") ?? "prod";
    const programDir = path.resolve(option(argv, "--program") ?? path.join(__dirname, ".."));
    const run = await runProgramOffline({ programDir, stack });
    console.log(`Offline preview of ${run.project}/${run.stack}: ${run.resources.length} resources would be created`);
    console.log(renderTree(run.resources));
    console.log("Outputs:");
    for (const [key, value] of Object.entries(run.outputs)) {
        console.log(`  ${key}: ${JSON.stringify(value)}`);
    }
    return 0;
}

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

function option(argv: string[], name: string): string | undefined {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            console.error(`preview failed: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
        },
    );
}
