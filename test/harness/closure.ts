import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import { CACHE } from "./services/paths";

/** Where serialized closures are written: inside the repository, so their `require`s resolve from node_modules. */
const CLOSURE_DIR = path.join(CACHE, "closures");

export interface SerializedHandler<H> {
    /** The text CallbackFunction would put into the zip as `__index.js`. */
    text: string;
    file: string;
    handler: H;
}

/**
 * Serializes a handler factory exactly as `aws.lambda.CallbackFunction` does (`isFactoryFunction`, export
 * `handler`), writes the text to a file and loads it as Lambda would: a module whose `handler` export is
 * what the factory returned at load time (the cold start).
 */
export async function loadSerializedFactory<H>(factory: () => H): Promise<SerializedHandler<H>> {
    const serialized = await pulumi.runtime.serializeFunction(factory, { exportName: "handler", isFactoryFunction: true, allowSecrets: false });
    fs.mkdirSync(CLOSURE_DIR, { recursive: true });
    const file = path.join(CLOSURE_DIR, `${createHash("sha256").update(serialized.text).digest("hex").slice(0, 16)}-${process.pid}.js`);
    fs.writeFileSync(file, serialized.text);
    // A fresh cold start per load: Node caches a module under its real path (the cache dir may be a symlink).
    delete require.cache[file];
    delete require.cache[fs.realpathSync(file)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(file) as { handler: H };
    return { text: serialized.text, file, handler: loaded.handler };
}
