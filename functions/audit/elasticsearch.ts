import { errors, Transport } from "@elastic/transport";

import { autoRolloverMaxAgeHours, elasticsearchWorstHours, formatHours, parseDurationHours } from "../../components/dataProtection/ages";
import { AuditRow, AuditSettings, errorText, mapLimit } from "./model";
import { judge } from "./verdict";

/** The cluster the shipper writes to, and which of its data streams to audit. */
export interface ElasticsearchTarget {
    transport: Transport;
    /** The node's URL, for the rows' "region" column. */
    endpoint: string;
    /** The shipper's data streams: `logs-aws.*-<namespace>` (every namespace without `--stack`). */
    pattern: string;
}

/** The data stream lifecycle as `GET _data_stream/<name>` (or a template) describes it. */
interface Lifecycle {
    enabled?: boolean;
    data_retention?: string;
    effective_retention?: string;
}

interface DataStreamInfo {
    name: string;
    template?: string;
    lifecycle?: Lifecycle;
    ilm_policy?: string;
    next_generation_managed_by?: string;
}

interface TemplateEntry {
    name: string;
    index_template: { index_patterns: string[]; priority?: number; _meta?: Record<string, unknown> };
}

/** The cluster-wide lifecycle settings (`data_streams.lifecycle.*`): default and max retention, poll interval. */
interface ClusterLifecycle {
    defaultRetention?: string;
    maxRetention?: string;
    pollMinutes: number;
}

/** A node without the data stream lifecycle APIs (the integ-test distribution) answers 405 or "no handler found". */
function missingApi(error: unknown): boolean {
    if (!(error instanceof errors.ResponseError)) return false;
    const text = JSON.stringify(error.body ?? "");
    return error.statusCode === 405 || (error.statusCode === 400 && text.includes("no handler found"));
}

/** `logs-aws.*-prod` as a regular expression over data stream names. */
function globToRegExp(glob: string): RegExp {
    return new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

async function clusterLifecycle(transport: Transport): Promise<ClusterLifecycle> {
    const answer = await transport.request<Record<string, Record<string, unknown>>>({
        method: "GET",
        path: "/_cluster/settings",
        querystring: { include_defaults: "true", flat_settings: "true", filter_path: "*.data_streams.lifecycle*" },
    });
    const setting = (key: string): string | undefined => {
        for (const scope of ["transient", "persistent", "defaults"]) {
            const value = answer[scope]?.[key];
            if (typeof value === "string" && value !== "-1") return value;
        }
        return undefined;
    };
    const poll = parseDurationHours(setting("data_streams.lifecycle.poll_interval") ?? "5m");
    const defaultRetention = setting("data_streams.lifecycle.retention.default");
    const maxRetention = setting("data_streams.lifecycle.retention.max");
    return { ...(defaultRetention ? { defaultRetention } : {}), ...(maxRetention ? { maxRetention } : {}), pollMinutes: (poll ?? 5 / 60) * 60 };
}

/**
 * The shipper's Elasticsearch data streams. A data stream's lifecycle deletes a backing index once its rollover is
 * older than `data_retention` (the cluster's default retention when unset, capped by its max retention); worst case =
 * `elasticsearchWorstHours` (rollover + retention + two lifecycle runs). Read from `GET _data_stream/<name>`; where the
 * node lacks that API (the test node: docs/elasticsearch-test-node.md) from the index template that matches the
 * stream (`_index_template/_simulate_index`). No retention, or lifecycle disabled: forever. Managed by ILM: `unknown`
 * (ILM policies are not evaluated). The exemption mark is the matching template's `_meta[<exemption tag>]`.
 */
export async function auditDataStreams(target: ElasticsearchTarget, settings: AuditSettings): Promise<AuditRow[]> {
    const { transport } = target;
    const region = target.endpoint;
    const resolved = await transport.request<{ data_streams?: { name: string }[] }>(
        { method: "GET", path: `/_resolve/index/${encodeURIComponent(target.pattern)}`, querystring: { expand_wildcards: "all" } },
        { ignore: [404] },
    );
    const names = (resolved.data_streams ?? []).map((stream) => stream.name).sort();
    if (names.length === 0) return [];
    const [cluster, templates] = await Promise.all([
        clusterLifecycle(transport),
        transport.request<{ index_templates?: TemplateEntry[] }>({ method: "GET", path: "/_index_template" }).then((answer) => answer.index_templates ?? []),
    ]);
    // The template a new backing index would take: the highest priority one whose patterns match.
    const templateOf = (name: string): TemplateEntry | undefined =>
        templates
            .filter((entry) => entry.index_template.index_patterns.some((pattern) => globToRegExp(pattern).test(name)))
            .sort((a, b) => (b.index_template.priority ?? 0) - (a.index_template.priority ?? 0))[0];

    return mapLimit(names, 4, async (name): Promise<AuditRow> => {
        try {
            const { info, source } = await streamInfo(transport, name);
            const template = templates.find((entry) => entry.name === info.template) ?? templateOf(name);
            const tag = template?.index_template._meta?.[settings.exemptionTag];
            const tagged = typeof tag === "string" ? tag : undefined;
            if (info.next_generation_managed_by === "Index Lifecycle Management" || (info.lifecycle === undefined && info.ilm_policy)) {
                return { kind: "elasticsearch", name, region, keeps: `managed by ILM policy ${info.ilm_policy ?? "?"}`, verdict: "unknown", note: "ILM policies are not evaluated by the audit" };
            }
            const lifecycle = info.lifecycle;
            let retention: string | undefined;
            let origin: string;
            if (!lifecycle || lifecycle.enabled === false) {
                origin = lifecycle ? "lifecycle disabled" : "no lifecycle";
            } else if (lifecycle.effective_retention) {
                retention = lifecycle.effective_retention;
                origin = lifecycle.data_retention ? "data_retention" : "cluster default retention";
            } else {
                retention = lifecycle.data_retention ?? cluster.defaultRetention;
                origin = lifecycle.data_retention ? "data_retention" : cluster.defaultRetention ? "cluster default retention" : "lifecycle without data_retention";
                const max = cluster.maxRetention ? parseDurationHours(cluster.maxRetention) : undefined;
                const hours = retention ? parseDurationHours(retention) : undefined;
                if (max !== undefined && (hours === undefined || hours > max)) {
                    retention = cluster.maxRetention;
                    origin = "cluster max retention";
                }
            }
            const retentionHours = retention ? parseDurationHours(retention) : undefined;
            if (retention && retentionHours === undefined) {
                return { kind: "elasticsearch", name, region, keeps: `${origin} ${retention}`, verdict: "unknown", note: "retention not in d/h/m/s units" };
            }
            const worst = elasticsearchWorstHours(retentionHours, cluster.pollMinutes);
            const from = source === "template" ? ` (from template ${template?.name ?? "?"}: the node has no data stream API)` : "";
            const keeps =
                retentionHours === undefined
                    ? `${origin}${from}: never deleted`
                    : `${origin} ${retention} + rollover ${formatHours(autoRolloverMaxAgeHours(retentionHours))} + 2 lifecycle runs (${cluster.pollMinutes}m)${from}`;
            return { kind: "elasticsearch", name, region, keeps, worstHours: worst, ...judge(worst, settings, tagged) };
        } catch (error) {
            return { kind: "elasticsearch", name, region, keeps: "could not be read", verdict: "unknown", note: errorText(error) };
        }
    });
}

/** The data stream's own lifecycle, or (on a node without the data stream API) the one its template gives it. */
async function streamInfo(transport: Transport, name: string): Promise<{ info: DataStreamInfo; source: "data stream" | "template" }> {
    try {
        const answer = await transport.request<{ data_streams?: DataStreamInfo[] }>({ method: "GET", path: `/_data_stream/${encodeURIComponent(name)}` });
        const info = answer.data_streams?.[0];
        if (!info) throw new Error(`GET _data_stream/${name} returned no data stream`);
        return { info, source: "data stream" };
    } catch (error) {
        if (!missingApi(error)) throw error;
    }
    const simulated = await transport.request<{ template?: { lifecycle?: Lifecycle; settings?: { index?: { lifecycle?: { name?: string } } } } }>({
        method: "POST",
        path: `/_index_template/_simulate_index/${encodeURIComponent(name)}`,
    });
    const ilm = simulated.template?.settings?.index?.lifecycle?.name;
    const lifecycle = simulated.template?.lifecycle;
    return { info: { name, ...(lifecycle ? { lifecycle } : {}), ...(ilm && !lifecycle ? { ilm_policy: ilm } : {}) }, source: "template" };
}

