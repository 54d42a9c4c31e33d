import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";

/** One request that reached the proxy, as recorded (bodies kept in memory: test-sized traffic only). */
export interface RecordedRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    /** The AWS JSON-protocol operation (`X-Amz-Target`, e.g. `Logs_20140328.PutRetentionPolicy`), or the `Action` of a query-protocol body. */
    operation?: string;
    body: Buffer;
    /** Milliseconds since the proxy started. */
    at: number;
    /** What the proxy did: forwarded (with the upstream status) or a fault. */
    outcome: string;
}

/** What a fault rule does with one request instead of (or around) forwarding it. */
export type Fault =
    | { kind: "respond"; status: number; body?: string | Buffer; headers?: Record<string, string> }
    | { kind: "reset" }
    | { kind: "hang" }
    | { kind: "delay"; ms: number }
    /** Forwards the request (the upstream processes it), runs `afterForward` (e.g. a rollover), then drops the connection: the client never sees the answer. */
    | { kind: "drop-answer"; afterForward?: () => Promise<void> };

export interface ProxyOptions {
    /** Where requests go: `http://127.0.0.1:port` or `https://127.0.0.1:port`. Loopback only. */
    upstream: string;
    /** CA that signed the upstream's certificate (for an https upstream). */
    upstreamCa?: string;
    /** Serve TLS with this certificate (for a client that verifies, e.g. the Elasticsearch node's own). */
    tls?: { cert: string; key: string };
    /** Decides, per request, a fault instead of plain forwarding. */
    fault?: (request: RecordedRequest, index: number) => Fault | undefined;
    /** Rewrites an upstream answer before it reaches the client (e.g. per-item failures in a bulk response). */
    transformResponse?: (request: RecordedRequest, status: number, body: Buffer) => { status: number; body: Buffer } | undefined;
}

/**
 * A recording, fault-injecting HTTP(S) proxy on 127.0.0.1 in front of a local test service (moto, the
 * Elasticsearch node). Counts calls by operation, times them, and injects throttling, errors, resets,
 * hangs and delays, so tests can prove retries, pacing and exactly-once outcomes against the real service.
 */
export class LoopbackProxy {
    readonly requests: RecordedRequest[] = [];
    private readonly server: http.Server;
    private readonly sockets = new Set<import("net").Socket>();
    private readonly started = Date.now();
    private readonly upstream: URL;
    endpoint = "";

    private constructor(private readonly options: ProxyOptions) {
        this.upstream = new URL(options.upstream);
        if (!/^127\.|^localhost$|^\[::1\]$/.test(this.upstream.hostname)) {
            throw new Error(`LoopbackProxy: upstream ${options.upstream} is not a loopback address; tests only send traffic to 127.0.0.0/8`);
        }
        const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
        this.server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener) : http.createServer(listener);
        this.server.keepAliveTimeout = 60_000;
        this.server.on("connection", (socket: import("net").Socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
        this.server.on("secureConnection", (socket: import("net").Socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
    }

    static async start(options: ProxyOptions): Promise<LoopbackProxy> {
        const proxy = new LoopbackProxy(options);
        await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
        const port = (proxy.server.address() as AddressInfo).port;
        proxy.endpoint = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
        return proxy;
    }

    /** Requests of one operation (X-Amz-Target suffix or query Action), e.g. `PutRetentionPolicy`. */
    calls(operation: string): RecordedRequest[] {
        return this.requests.filter((request) => request.operation === operation || request.operation?.endsWith(`.${operation}`));
    }

    reset(): void {
        this.requests.length = 0;
    }

    async stop(): Promise<void> {
        for (const socket of this.sockets) socket.destroy();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        const recorded: RecordedRequest = {
            method: req.method ?? "GET",
            path: req.url ?? "/",
            headers: req.headers,
            operation: operationOf(req.headers, body),
            body,
            at: Date.now() - this.started,
            outcome: "pending",
        };
        const index = this.requests.push(recorded) - 1;
        const fault = this.options.fault?.(recorded, index);
        if (fault?.kind === "reset") {
            recorded.outcome = "reset";
            req.socket.destroy();
            return;
        }
        if (fault?.kind === "hang") {
            recorded.outcome = "hang";
            return; // never answered; the client's timeout must fire (the socket is destroyed at stop)
        }
        if (fault?.kind === "respond") {
            recorded.outcome = `fault ${fault.status}`;
            res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
            res.end(fault.body ?? "");
            return;
        }
        if (fault?.kind === "delay") {
            await new Promise((resolve) => setTimeout(resolve, fault.ms));
        }
        if (fault?.kind === "drop-answer") {
            try {
                const answer = await this.forward(req, body);
                recorded.outcome = `answer dropped ${answer.status}`;
                await fault.afterForward?.();
            } catch (error) {
                recorded.outcome = `upstream error ${(error as Error).message}`;
            }
            req.socket.destroy();
            return;
        }
        try {
            const answer = await this.forward(req, body);
            const rewritten = this.options.transformResponse?.(recorded, answer.status, answer.body);
            const status = rewritten?.status ?? answer.status;
            const out = rewritten?.body ?? answer.body;
            recorded.outcome = rewritten ? `rewritten ${status}` : `forwarded ${status}`;
            const headers = { ...answer.headers };
            delete headers["content-length"];
            delete headers["transfer-encoding"];
            delete headers["content-encoding"];
            res.writeHead(status, { ...headers, "content-length": String(out.length) });
            res.end(out);
        } catch (error) {
            recorded.outcome = `upstream error ${(error as Error).message}`;
            res.writeHead(502, { "content-type": "text/plain" });
            res.end("proxy: upstream failed");
        }
    }

    private forward(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
        const headers = { ...req.headers, host: this.upstream.host };
        // The proxy reads whole bodies, so ask the upstream for an uncompressed answer it can rewrite.
        delete headers["accept-encoding"];
        const options: https.RequestOptions = {
            protocol: this.upstream.protocol,
            hostname: this.upstream.hostname,
            port: this.upstream.port,
            method: req.method,
            path: req.url,
            headers,
            ...(this.upstream.protocol === "https:" ? { ca: this.options.upstreamCa, rejectUnauthorized: true } : {}),
        };
        return new Promise((resolve, reject) => {
            const request = (this.upstream.protocol === "https:" ? https : http).request(options, (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
                response.on("error", reject);
            });
            request.on("error", reject);
            request.end(body);
        });
    }
}

function operationOf(headers: http.IncomingHttpHeaders, body: Buffer): string | undefined {
    const target = headers["x-amz-target"];
    if (typeof target === "string") return target;
    const contentType = String(headers["content-type"] ?? "");
    if (contentType.startsWith("application/x-www-form-urlencoded")) {
        return new URLSearchParams(body.toString("utf8")).get("Action") ?? undefined;
    }
    return undefined;
}
