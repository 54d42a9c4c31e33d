import * as path from "path";

import * as pulumi from "@pulumi/pulumi";
import archiver from "archiver";

import { excludedPackages } from "../../components/managedFunction";

export interface BundleSize {
    zipBytes: number;
    files: number;
    /** Top-level packages in the zip's node_modules. */
    packages: string[];
}

/**
 * The zipped size of a function as CallbackFunction deploys it: the serialized factory as `__index.js` plus
 * the node_modules files pulumi.runtime.computeCodePaths selects with the same exclusions ManagedFunction
 * passes (everything in `dependencies` but `packages`, and `aws-sdk`), deflated like Lambda's upload.
 */
export async function bundleSize(factory: () => unknown, packages: string[]): Promise<BundleSize> {
    const serialized = await pulumi.runtime.serializeFunction(factory, { exportName: "handler", isFactoryFunction: true, allowSecrets: false });
    const root = path.join(__dirname, "..", "..");
    const cwd = process.cwd();
    process.chdir(root);
    let paths: Map<string, pulumi.asset.Asset | pulumi.asset.Archive>;
    try {
        paths = await pulumi.runtime.computeCodePaths({ extraExcludePackages: [...excludedPackages("bench", packages), "aws-sdk"] });
    } finally {
        process.chdir(cwd);
    }
    const zip = archiver("zip", { zlib: { level: 9 } });
    let zipBytes = 0;
    zip.on("data", (chunk: Buffer) => (zipBytes += chunk.length));
    const done = new Promise<void>((resolve, reject) => {
        zip.on("end", () => resolve());
        zip.on("error", reject);
    });
    zip.append(serialized.text, { name: "__index.js" });
    let files = 1;
    const top = new Set<string>();
    for (const [relative, asset] of paths) {
        const source = (asset as pulumi.asset.FileArchive | pulumi.asset.FileAsset).path;
        const resolved = await Promise.resolve(source);
        const name = relative.replace(/\\/g, "/");
        const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(name);
        if (match?.[1]) top.add(match[1]);
        if (asset instanceof pulumi.asset.FileArchive) {
            zip.directory(resolved, name);
        } else {
            zip.file(resolved, { name });
        }
        files++;
    }
    await zip.finalize();
    await done;
    return { zipBytes, files, packages: [...top].sort() };
}
