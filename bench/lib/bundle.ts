import * as path from "path";

import * as pulumi from "@pulumi/pulumi";
import archiver from "archiver";

import { excludedPackages } from "../../components/managedFunction";

const ROOT = path.join(__dirname, "..", "..");

export interface BundleSize {
    zipBytes: number;
    files: number;
    /** Top-level packages in the zip's node_modules. */
    packages: string[];
}

/** What CallbackFunction puts in a function's zip: the serialized factory and the node_modules files it selects. */
export interface DeployedFiles {
    /** `__index.js`: the serialized factory. */
    index: string;
    /** Path in the zip -> the file or folder it comes from, and whether it is a folder. */
    files: Map<string, { source: string; folder: boolean }>;
}

/**
 * The files of a function as CallbackFunction deploys it: the serialized factory plus the node_modules files
 * pulumi.runtime.computeCodePaths selects with the same exclusions ManagedFunction passes (everything in
 * `dependencies` but `packages`, and `aws-sdk`).
 */
export async function deployedFiles(factory: () => unknown, packages: string[]): Promise<DeployedFiles> {
    const serialized = await pulumi.runtime.serializeFunction(factory, { exportName: "handler", isFactoryFunction: true, allowSecrets: false });
    const cwd = process.cwd();
    process.chdir(ROOT);
    let paths: Map<string, pulumi.asset.Asset | pulumi.asset.Archive>;
    try {
        paths = await pulumi.runtime.computeCodePaths({ extraExcludePackages: [...excludedPackages("bench", packages), "aws-sdk"] });
    } finally {
        process.chdir(cwd);
    }
    const files = new Map<string, { source: string; folder: boolean }>();
    for (const [relative, asset] of paths) {
        const source = await Promise.resolve((asset as pulumi.asset.FileArchive | pulumi.asset.FileAsset).path);
        files.set(relative.replace(/\\/g, "/"), { source: path.resolve(ROOT, source), folder: asset instanceof pulumi.asset.FileArchive });
    }
    return { index: serialized.text, files };
}

/** The zipped size of a function as CallbackFunction deploys it (deployedFiles), deflated like Lambda's upload. */
export async function bundleSize(factory: () => unknown, packages: string[]): Promise<BundleSize> {
    const deployed = await deployedFiles(factory, packages);
    const zip = archiver("zip", { zlib: { level: 9 } });
    let zipBytes = 0;
    zip.on("data", (chunk: Buffer) => (zipBytes += chunk.length));
    const done = new Promise<void>((resolve, reject) => {
        zip.on("end", () => resolve());
        zip.on("error", reject);
    });
    zip.append(deployed.index, { name: "__index.js" });
    const top = new Set<string>();
    for (const [name, { source, folder }] of deployed.files) {
        const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(name);
        if (match?.[1]) top.add(match[1]);
        if (folder) {
            zip.directory(source, name);
        } else {
            zip.file(source, { name });
        }
    }
    await zip.finalize();
    await done;
    return { zipBytes, files: deployed.files.size + 1, packages: [...top].sort() };
}
