import type { Client } from "@elastic/elasticsearch";

import type { ShipperFunctionConfig } from "./config";

export interface InstallTemplateOptions {
    dataRetention?: string;
}

export async function installIndexTemplate(
    target: Client | ShipperFunctionConfig,
    namespace: string,
    options: InstallTemplateOptions = {},
): Promise<{ name: string; changed: boolean }> {
    void target;
    void namespace;
    void options;
    throw new Error("installIndexTemplate: not implemented yet");
}
