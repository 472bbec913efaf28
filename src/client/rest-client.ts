// A typed REST client for the Kubernetes API (client-go's rest.RESTClient and
// dynamic client in one): retries with backoff for 429 and, on idempotent
// verbs, 5xx and dropped connections; watch as an async iterable of typed
// events decoded from the stream. Requests and watches go over HTTP/2, one
// connection shared by the clients of one TLS identity (transport.ts).
import { readFileSync } from "node:fs";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import type { Status } from "../machinery/status.ts";
import { ApiError } from "./api-error.ts";
import { type Clock, realClock, sleep } from "./clock.ts";
import type { ClientConfig } from "./kubeconfig.ts";
import { type Sent, Transport } from "./transport.ts";

/** A resource as discovery names it. `group` is "" for the core group. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export type WatchEvent<T> =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: T }
  /** Only metadata.resourceVersion is meaningful: the watch is at least this current. */
  | { type: "BOOKMARK"; object: KubeObject }
  | { type: "ERROR"; object: Status };

export type PatchType = "json" | "merge" | "strategic" | "apply";

const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

export interface ObjectOptions {
  namespace?: string;
  subresource?: string;
  signal?: AbortSignal;
}

export interface WriteOptions extends ObjectOptions {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: "Ignore" | "Warn" | "Strict";
}

export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions extends ObjectOptions {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface WatchOptions extends ListOptions {
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export interface RestClientOptions {
  clock?: Clock;
  /** A number in [0,1), for backoff jitter. */
  random?: () => number;
  /** Retries after the first attempt. */
  maxRetries?: number;
  /** First retry delay; doubles each retry, capped at maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Non-watch requests fail after this long. */
  requestTimeoutMs?: number;
  userAgent?: string;
  /** HTTP/1.1 only (a server without h2): connections for requests; more wait for a free one. */
  maxConnections?: number;
}

/** Verbs that may be repeated without changing the outcome (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);
const RETRYABLE_NET = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN"]);
const TOKEN_RELOAD_MS = 60_000;

/** A watch response's events: one JSON object a line, lines split anywhere across chunks. */
export async function* decodeWatchStream<T>(chunks: AsyncIterable<string>): AsyncGenerator<WatchEvent<T>> {
  let buf = "";
  for await (const chunk of chunks) {
    buf += chunk;
    // A chunk may hold hundreds of events: walk it with a cursor, cutting the rest once.
    let start = 0;
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n", start)) {
      const line = buf.slice(start, nl);
      start = nl + 1;
      // JSON.parse skips surrounding whitespace itself; only blank lines are left out.
      if (line.length > 2 || line.trim()) yield JSON.parse(line) as WatchEvent<T>;
    }
    if (start > 0) buf = buf.slice(start);
  }
  if (buf.trim()) yield JSON.parse(buf) as WatchEvent<T>;
}

export class RestClient {
  readonly config: ClientConfig;
  private readonly transport: Transport;
  private closed = false;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly opts: Required<Omit<RestClientOptions, "clock" | "random">>;
  private token?: string;
  private tokenReadAt = 0;

  constructor(config: ClientConfig, opts: RestClientOptions = {}) {
    this.config = config;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.opts = {
      maxRetries: opts.maxRetries ?? 5,
      baseBackoffMs: opts.baseBackoffMs ?? 200,
      maxBackoffMs: opts.maxBackoffMs ?? 10_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 60_000,
      userAgent: opts.userAgent ?? "k8ts-client",
      maxConnections: opts.maxConnections ?? 64,
    };
    this.transport = Transport.acquire(config, this.opts.maxConnections);
    this.token = config.token;
    if (config.tokenFile && !config.token) this.bearer();
  }

  /** Lets go of the connection; the last client of a TLS identity closes it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.release();
  }

  /** The URL path of a resource collection or object: /api/v1/namespaces/ns/pods/name/status. */
  path(res: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
    let p = res.group === "" ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
    if (res.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${res.resource}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  get<T = KubeObject>(res: ResourceRef, name: string, opts: ObjectOptions = {}): Promise<T> {
    return this.json<T>("GET", this.path(res, opts.namespace, name, opts.subresource), {}, undefined, opts);
  }

  list<T = KubeObject>(res: ResourceRef, opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.json<ObjectList<T>>("GET", this.path(res, opts.namespace), listQuery(opts), undefined, opts);
  }

  create<T extends KubeObject>(res: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    const ns = opts.namespace ?? obj.metadata?.namespace;
    const name = opts.subresource ? obj.metadata?.name : undefined;
    return this.json<T>("POST", this.path(res, ns, name, opts.subresource), writeQuery(opts), obj, opts);
  }

  update<T extends KubeObject>(res: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    const ns = opts.namespace ?? obj.metadata?.namespace;
    const name = obj.metadata?.name;
    if (!name) throw new Error("update needs metadata.name");
    return this.json<T>("PUT", this.path(res, ns, name, opts.subresource), writeQuery(opts), obj, opts);
  }

  patch<T = KubeObject>(res: ResourceRef, name: string, patch: unknown, opts: PatchOptions): Promise<T> {
    const q = writeQuery(opts);
    if (opts.type === "apply") {
      if (!opts.fieldManager) throw new Error("server-side apply needs a fieldManager");
      if (opts.force) q.force = "true";
    }
    const body = typeof patch === "string" ? patch : JSON.stringify(patch);
    return this.json<T>("PATCH", this.path(res, opts.namespace, name, opts.subresource), q, body, opts, {
      "Content-Type": PATCH_CONTENT_TYPE[opts.type],
    });
  }

  /** Returns the object as the server left it (e.g. with a deletionTimestamp) or a Success Status. */
  delete<T = KubeObject | Status>(res: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<T> {
    const body: Record<string, unknown> = { kind: "DeleteOptions", apiVersion: "v1" };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ["All"];
    return this.json<T>("DELETE", this.path(res, opts.namespace, name, opts.subresource), {}, body, opts);
  }

  /**
   * Watches a collection. Iterating opens the stream; breaking out of the loop
   * or aborting opts.signal closes it. A stream the server ends (timeoutSeconds)
   * simply finishes the iteration.
   */
  watch<T = KubeObject>(res: ResourceRef, opts: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    const q = listQuery(opts);
    q.watch = "1";
    if (opts.timeoutSeconds !== undefined) q.timeoutSeconds = String(opts.timeoutSeconds);
    if (opts.allowWatchBookmarks) q.allowWatchBookmarks = "true";
    const path = this.path(res, opts.namespace);
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const sent = await self.send("GET", path, q, undefined, opts.signal, {}, true);
        const stream = sent.stream!;
        const abort = () => sent.destroy();
        opts.signal?.addEventListener("abort", abort, { once: true });
        try {
          stream.setEncoding("utf8");
          yield* decodeWatchStream<T>(stream as AsyncIterable<string>);
        } catch (e) {
          // A stream we closed ourselves is a normal end.
          if (!opts.signal?.aborted) throw e;
        } finally {
          opts.signal?.removeEventListener("abort", abort);
          sent.destroy();
        }
      },
    };
  }

  /** Any request with a JSON answer; the building block of the verbs above. */
  async json<T>(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    opts: { signal?: AbortSignal } = {},
    headers: Record<string, string> = {},
  ): Promise<T> {
    const sent = await this.send(method, path, query, body, opts.signal, headers, false);
    const text = await sent.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** A GET of any path with a text answer (kubectl get --raw): /metrics, /healthz. */
  async raw(path: string, opts: { signal?: AbortSignal } = {}): Promise<string> {
    const sent = await this.send("GET", path, {}, undefined, opts.signal, {}, false);
    return sent.text();
  }

  /** Replaces the bearer token of every later request (a rotated TokenRequest token). */
  setBearerToken(token: string): void {
    this.token = token;
  }

  private bearer(): string | undefined {
    const file = this.config.tokenFile;
    if (file && (this.token === undefined || this.clock.now() - this.tokenReadAt >= TOKEN_RELOAD_MS)) {
      try {
        this.token = readFileSync(file, "utf8").trim();
        this.tokenReadAt = this.clock.now();
      } catch {
        // keep the last token we had
      }
    }
    return this.token;
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** attempt);
    return d * (1 + this.random());
  }

  /** Sends, retrying as allowed; resolves with a 2xx response whose body is unread. */
  private async send(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    signal: AbortSignal | undefined,
    headers: Record<string, string>,
    streaming: boolean,
  ): Promise<Sent> {
    const qs = new URLSearchParams(query).toString();
    const url = new URL(path + (qs ? `?${qs}` : ""), this.config.server);
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw signal.reason ?? new Error("aborted");
      const canRetry = attempt < this.opts.maxRetries;
      let sent: Sent;
      try {
        sent = await this.once(method, url, payload, headers, signal, streaming);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (canRetry && IDEMPOTENT.has(method) && code && RETRYABLE_NET.has(code) && !signal?.aborted) {
          await sleep(this.clock, this.backoff(attempt), signal);
          continue;
        }
        throw e;
      }
      const status = sent.status;
      if (status >= 200 && status < 300) return sent;
      const text = await sent.text();
      // 429 means the server did not act on the request, so any verb may retry it.
      const retry = status === 429 || (status >= 500 && IDEMPOTENT.has(method) && status !== 501);
      if (canRetry && retry) {
        const after = Number(sent.header("retry-after"));
        const wait = Number.isFinite(after) && after > 0 ? after * 1000 : this.backoff(attempt);
        await sleep(this.clock, wait, signal);
        continue;
      }
      throw ApiError.fromResponse(status, text, `${method} ${url.pathname}`);
    }
  }

  private once(
    method: string,
    url: URL,
    payload: string | undefined,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    streaming: boolean,
  ): Promise<Sent> {
    const h: Record<string, string> = { accept: "application/json", "user-agent": this.opts.userAgent };
    for (const name in headers) h[name.toLowerCase()] = headers[name];
    if (payload !== undefined) {
      h["content-type"] ??= "application/json";
      h["content-length"] = String(Buffer.byteLength(payload));
    }
    const token = this.bearer();
    if (token) h.authorization = `Bearer ${token}`;
    return this.transport.roundTrip({
      method,
      url,
      payload,
      headers: h,
      signal,
      streaming,
      timeoutMs: this.opts.requestTimeoutMs,
    });
  }
}

function listQuery(opts: ListOptions): Record<string, string> {
  const q: Record<string, string> = {};
  if (opts.labelSelector) q.labelSelector = opts.labelSelector;
  if (opts.fieldSelector) q.fieldSelector = opts.fieldSelector;
  if (opts.resourceVersion !== undefined) q.resourceVersion = opts.resourceVersion;
  if (opts.resourceVersionMatch) q.resourceVersionMatch = opts.resourceVersionMatch;
  if (opts.limit) q.limit = String(opts.limit);
  if (opts.continue) q.continue = opts.continue;
  return q;
}

function writeQuery(opts: WriteOptions): Record<string, string> {
  const q: Record<string, string> = {};
  if (opts.fieldManager) q.fieldManager = opts.fieldManager;
  if (opts.dryRun) q.dryRun = "All";
  if (opts.fieldValidation) q.fieldValidation = opts.fieldValidation;
  return q;
}
