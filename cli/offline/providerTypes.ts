/**
 * What @pulumi/aws declares about a resource type, read from the provider package's own type
 * declarations: the outputs a resource of that type has (`arn`, `region`...). The offline mocks use it to
 * return the outputs the real provider returns and nothing it does not; the tests use it to derive the
 * lists of types (attachments, buckets, ARN formats) from the provider instead of from memory.
 */
import * as fs from "fs";
import * as path from "path";

/** The installed @pulumi/aws package. */
export const PROVIDER_ROOT = path.dirname(require.resolve("@pulumi/aws/package.json"));

export interface ResourceDeclaration {
    /** e.g. `aws:cloudwatch/logGroup:LogGroup`. */
    token: string;
    /** The `.d.ts` that declares it. */
    file: string;
    /** The properties of the resource class (`readonly <name>: pulumi.Output<...>`), by name, with their type text. */
    outputs: Map<string, string>;
    /** The properties of its `<Name>Args` interface, by name, with their type text. */
    args: Map<string, string>;
    /** The properties its `<Name>Args` interface requires. */
    required: Set<string>;
}

const cache = new Map<string, ResourceDeclaration | undefined>();

/** `aws:<module>/<file>:<Class>` → `<root>/<module>/<file>.d.ts` (module `index` is the package root; file names compared case-insensitively when needed). */
function fileOf(token: string): string | undefined {
    const match = /^aws:([a-zA-Z0-9]+)\/([a-zA-Z0-9]+):([A-Za-z0-9]+)$/.exec(token);
    if (!match) {
        return undefined;
    }
    const [, module = "", file = ""] = match;
    const dir = path.join(PROVIDER_ROOT, module === "index" ? "" : module);
    const exact = path.join(dir, `${file}.d.ts`);
    if (fs.existsSync(exact) || !fs.existsSync(dir)) {
        return exact;
    }
    // A few files are named in lower case (resiliencehub/v2service.d.ts for v2Service).
    const named = fs.readdirSync(dir).find((entry) => entry.toLowerCase() === `${file.toLowerCase()}.d.ts`);
    return named ? path.join(dir, named) : exact;
}

/** The members of the first `export interface|declare class <name>` block of a declaration file. */
function members(text: string, header: RegExp, member: RegExp): Map<string, string> {
    const found = new Map<string, string>();
    const start = text.search(header);
    if (start < 0) {
        return found;
    }
    const body = text.slice(start, text.indexOf("\n}", start));
    for (const line of body.split("\n")) {
        const entry = member.exec(line);
        if (entry?.[1] && entry[2]) {
            found.set(entry[1], entry[2]);
        }
    }
    return found;
}

/** Parses one declaration file (and checks the token its .js registers). */
export function parseDeclaration(file: string): ResourceDeclaration | undefined {
    const js = file.replace(/\.d\.ts$/, ".js");
    if (!fs.existsSync(file) || !fs.existsSync(js)) {
        return undefined;
    }
    const token = /__pulumiType = '([^']+)'/.exec(fs.readFileSync(js, "utf8"))?.[1];
    const className = /export declare class (\w+) extends pulumi\.CustomResource/.exec(fs.readFileSync(file, "utf8"))?.[1];
    if (!token || !className) {
        return undefined;
    }
    const text = fs.readFileSync(file, "utf8");
    const argsHeader = new RegExp(`export interface ${className}Args \\{`);
    return {
        token,
        file,
        outputs: members(text, new RegExp(`export declare class ${className} extends`), /^ {4}readonly (\w+): pulumi\.Output<(.+)>;$/),
        args: members(text, argsHeader, /^ {4}(\w+)\??: pulumi\.Input<(.+)>;$/),
        required: new Set(members(text, argsHeader, /^ {4}(\w+): pulumi\.Input<(.+)>;$/).keys()),
    };
}

/** The declaration of a resource type, or undefined when the installed provider has no such type. */
export function declarationOf(token: string): ResourceDeclaration | undefined {
    if (!cache.has(token)) {
        const file = fileOf(token);
        const declaration = file ? parseDeclaration(file) : undefined;
        cache.set(token, declaration?.token === token ? declaration : undefined);
    }
    return cache.get(token);
}

/** True when resources of the type have the output (e.g. `arn`); undefined when the type is not known. */
export function hasOutput(token: string, output: string): boolean | undefined {
    return declarationOf(token)?.outputs.has(output);
}

/** True when the provider computes the output (declared as an output, not a required input it echoes, e.g. EventTarget's `arn`). */
export function computesOutput(token: string, output: string): boolean {
    const declaration = declarationOf(token);
    return declaration !== undefined && declaration.outputs.has(output) && !declaration.required.has(output);
}

/** Every custom resource type of the installed provider (a scan of the whole package; for tests). */
export function allDeclarations(): ResourceDeclaration[] {
    const found: ResourceDeclaration[] = [];
    const visit = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!["types", "node_modules", "config"].includes(entry.name)) visit(full);
            } else if (entry.name.endsWith(".d.ts")) {
                const declaration = parseDeclaration(full);
                if (declaration) found.push(declaration);
            }
        }
    };
    visit(PROVIDER_ROOT);
    return found;
}
