import { createHash } from "crypto";

import type { Transport } from "@elastic/transport";

import type { ShipperFunctionConfig } from "./config";
import { ConnectionProvider } from "./connection";

export interface InstallTemplateOptions {
    /** Data stream lifecycle retention (e.g. "3d"): the template always sets one (data protection counts Elasticsearch too). */
    dataRetention: string;
    /**
     * The stack's data-protection config exempts Elasticsearch (an `elasticsearch` entry in
     * `dataProtection.exemptions`): the template carries the mark the audit and the operators read
     * (`_meta["data-protection-exemption"] = "elasticsearch"`). Never set by default.
     */
    dataProtectionExemption?: boolean;
    /** The field JSON messages are expanded under (default "json"). */
    jsonField?: string;
    /** PUT even when the installed template is identical. */
    force?: boolean;
}

/**
 * The retention the local commands (`npm run ship -- --install-template`) set when none is given: prod's, which with
 * the rollover before it and the time data spends upstream fits the 7-day limit (docs/retention.md). 7d would not.
 */
export const DEFAULT_LOCAL_DATA_RETENTION = "3d";

/** The `_meta` key of the exemption mark: the tag name the components put on exempted AWS resources (EXEMPTION_TAG). */
export const TEMPLATE_EXEMPTION_META_KEY = "data-protection-exemption";

/** Version of the template's shape: bump when the mappings change. */
export const TEMPLATE_VERSION = 1;

export function templateName(namespace: string): string {
    return `logs-shipper-${namespace}`;
}

/** The data streams this template covers: every dataset the shipper writes (aws.cloudwatch_logs[.group], aws.kinesis, aws.sqs). */
export function templatePattern(namespace: string): string {
    return `logs-aws.*-${namespace}`;
}

const keyword = { type: "keyword", ignore_above: 1024 } as const;

/**
 * The composable index template: data streams, ECS mappings of exactly the fields the shipper writes, and the
 * expanded JSON as one `flattened` field (every leaf a keyword under one mapping: no message can add or change
 * a mapping). `dynamic: false` at the root: a field nobody mapped is kept in _source, never mapped.
 */
export function indexTemplateBody(namespace: string, options: InstallTemplateOptions): Record<string, unknown> {
    const jsonField = options.jsonField ?? "json";
    const mappings = {
        dynamic: false,
        properties: {
            "@timestamp": { type: "date" },
            message: { type: "text" },
            tags: keyword,
            event: { properties: { id: keyword, ingested: { type: "date" } } },
            data_stream: { properties: { type: keyword, dataset: keyword, namespace: keyword } },
            cloud: { properties: { provider: keyword, region: keyword, account: { properties: { id: keyword } } } },
            aws: {
                properties: {
                    cloudwatch: { properties: { log_group: keyword, log_stream: keyword, event_id: keyword, owner: keyword } },
                    kinesis: { properties: { stream: keyword, shard_id: keyword, partition_key: keyword, sequence_number: keyword, sub_sequence_number: { type: "long" } } },
                    sqs: { properties: { queue: keyword, message_id: keyword } },
                    sns: { properties: { topic_arn: keyword, message_id: keyword } },
                },
            },
            [jsonField]: { type: "flattened", depth_limit: 20, ignore_above: 8191 },
        },
    };
    const template: Record<string, unknown> = { mappings, settings: { "index.mapping.total_fields.limit": 1000 } };
    if (!/^\d+[dh]$/.test(options.dataRetention)) throw new Error(`dataRetention ${JSON.stringify(options.dataRetention)} is not a retention like 7d or 96h: set elasticsearch.dataRetention`);
    template["lifecycle"] = { data_retention: options.dataRetention };
    const body = { index_patterns: [templatePattern(namespace)], data_stream: {}, priority: 200, template };
    const mark = options.dataProtectionExemption === true ? { [TEMPLATE_EXEMPTION_META_KEY]: "elasticsearch" } : {};
    // The mark is part of the hash: adding or removing an exemption re-installs the template.
    const hash = createHash("sha256").update(JSON.stringify({ ...body, mark })).digest("hex").slice(0, 16);
    return { ...body, _meta: { managed_by: "log-shipper", version: TEMPLATE_VERSION, hash, ...mark } };
}

/**
 * Installs the shipper's index template idempotently: reads the installed one first and writes only when its
 * content hash differs (or `force`). Takes a transport, or the shipper config (a transport is made and closed).
 */
export async function installIndexTemplate(target: Transport | ShipperFunctionConfig, namespace: string, options: InstallTemplateOptions): Promise<{ name: string; changed: boolean }> {
    if (!/^[a-z0-9_.]+$/.test(namespace) || namespace.length > 100) {
        throw new Error(`data stream namespace ${JSON.stringify(namespace)} is not valid: use lower-case letters, digits, _ and . (no -), at most 100 characters`);
    }
    if (isConfig(target)) {
        const connections = new ConnectionProvider(target.elasticsearch);
        try {
            return await install(await connections.get(), namespace, options);
        } finally {
            await connections.close();
        }
    }
    return install(target, namespace, options);
}

function isConfig(target: Transport | ShipperFunctionConfig): target is ShipperFunctionConfig {
    return typeof (target as ShipperFunctionConfig).elasticsearch === "object" && typeof (target as Transport).request !== "function";
}

interface IndexTemplates {
    index_templates?: { name: string; index_template?: { _meta?: { hash?: string } } }[];
}

async function install(transport: Transport, namespace: string, options: InstallTemplateOptions): Promise<{ name: string; changed: boolean }> {
    const name = templateName(namespace);
    const body = indexTemplateBody(namespace, options);
    if (!options.force) {
        const existing = await transport.request<IndexTemplates>({ method: "GET", path: `/_index_template/${encodeURIComponent(name)}` }, { ignore: [404] });
        const installed = existing.index_templates?.[0]?.index_template;
        if (installed?._meta?.hash === (body["_meta"] as { hash: string }).hash) return { name, changed: false };
    }
    await transport.request({ method: "PUT", path: `/_index_template/${encodeURIComponent(name)}`, body });
    return { name, changed: true };
}
