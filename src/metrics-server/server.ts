// metrics-server's API: metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics,
// served over HTTPS to the apiserver's aggregation layer, which `kubectl top`
// reaches it through. Who calls is told as an extension apiserver learns it
// (upstream's delegated authentication): the aggregator's front-proxy client
// certificate with X-Remote-User/-Group/-Extra-*, a client certificate of the
// cluster CA, or a bearer token checked with a TokenReview. What they may see
// is asked with a SubjectAccessReview (delegated authorization), each answer
// kept 10 s as upstream's delegating authorizer does.

import { X509Certificate } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { TLSSocket } from "node:tls";
import type { RestClient } from "../client/rest-client.ts";
import { closeAtOnce } from "../machinery/close-server.ts";
import { parseSelector as parseFieldSelector } from "../machinery/fields.ts";
import { parse as parseLabelSelector } from "../machinery/labels.ts";
import { Format, Quantity } from "../machinery/quantity.ts";
import { makeStatus, type Status, StatusError, statusOf } from "../machinery/status.ts";
import type { Usage } from "./storage.ts";

export const GROUP = "metrics.k8s.io";
export const VERSION = "v1beta1";
const GROUP_VERSION = `${GROUP}/${VERSION}`;
const DECISION_TTL_MS = 10_000;

/** What the server reads from the scrapes and the informers. */
export interface MetricsSource {
  nodes(): { name: string; labels: Record<string, string>; usage?: Usage }[];
  pods(namespace?: string): {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    usage?: { timestamp: number; windowMs: number; containers: Map<string, Usage> };
  }[];
  /** Some scrape has stored figures: /readyz. */
  ready(): boolean;
}

/** kube-system/extension-apiserver-authentication's request-header settings. */
export interface RequestHeaderConfig {
  clientCA: string[];
  requestHeaderCA: string[];
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export interface MetricsApiOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  auth: RequestHeaderConfig;
  /** For TokenReviews and SubjectAccessReviews. */
  client: RestClient;
  source: MetricsSource;
}

interface User {
  name: string;
  groups: string[];
  extra: Record<string, string[]>;
}

function fail(
  code: number,
  reason: Status["reason"],
  message: string,
  details?: Status["details"],
): StatusError {
  return new StatusError(makeStatus({ status: "Failure", code, reason, message, details }));
}

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
function metaTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Go's time.Duration String() for whole milliseconds: 15s, 15.021s, 500ms, 1m0.5s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

/** Usage as upstream writes it: CPU in nanocores (canonical, "5m" when it can), memory in BinarySI bytes. */
function usageOf(u: Usage): { cpu: string; memory: string } {
  return {
    cpu: Quantity.fromScaled(u.cpuNanoCores, -9).toString(),
    memory: Quantity.fromInt(u.memoryBytes, Format.BinarySI).toString(),
  };
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const v = req.headersDistinct[name.toLowerCase()];
  return v ? v.flatMap((x) => x.split(",").map((s) => s.trim())).filter(Boolean) : [];
}

function issuedBy(peer: X509Certificate, cas: X509Certificate[]): boolean {
  return cas.some((ca) => peer.checkIssued(ca) && peer.verify(ca.publicKey));
}

function pemCerts(pems: string[]): X509Certificate[] {
  return pems.flatMap((pem) =>
    (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
      (c) => new X509Certificate(c),
    ),
  );
}

export async function startMetricsApi(
  o: MetricsApiOptions,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const clientCAs = pemCerts(o.auth.clientCA);
  const requestHeaderCAs = pemCerts(o.auth.requestHeaderCA);
  const decisions = new Map<string, { allowed: boolean; until: number }>();

  const authenticate = async (req: IncomingMessage): Promise<User | undefined> => {
    const socket = req.socket as TLSSocket;
    const peer = socket.authorized ? socket.getPeerX509Certificate() : undefined;
    if (peer) {
      const cn = /(?:^|\n)CN=([^\n]*)/.exec(peer.subject)?.[1] ?? "";
      const name = o.auth.usernameHeaders.map((h) => headerValues(req, h)[0]).find(Boolean);
      if (
        name &&
        issuedBy(peer, requestHeaderCAs) &&
        (o.auth.allowedNames.length === 0 || o.auth.allowedNames.includes(cn))
      ) {
        const extra: Record<string, string[]> = {};
        for (const [h, v] of Object.entries(req.headersDistinct)) {
          const prefix = o.auth.extraHeaderPrefixes.find((p) => h.startsWith(p.toLowerCase()));
          if (prefix && v) extra[decodeURIComponent(h.slice(prefix.length))] = v;
        }
        return { name, groups: o.auth.groupHeaders.flatMap((h) => headerValues(req, h)), extra };
      }
      if (issuedBy(peer, clientCAs)) {
        const groups = [...peer.subject.matchAll(/(?:^|\n)O=([^\n]*)/g)].map((m) => m[1]);
        return { name: cn, groups, extra: {} };
      }
    }
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!token) return undefined;
    const review = await o.client.json<{
      status?: {
        authenticated?: boolean;
        user?: { username?: string; groups?: string[]; extra?: Record<string, string[]> };
      };
    }>(
      "POST",
      "/apis/authentication.k8s.io/v1/tokenreviews",
      {},
      {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token },
      },
    );
    const u = review.status?.user;
    if (!review.status?.authenticated || !u?.username) return undefined;
    return { name: u.username, groups: u.groups ?? [], extra: u.extra ?? {} };
  };

  const authorize = async (user: User, attributes: Record<string, unknown>): Promise<boolean> => {
    const key = JSON.stringify([user, attributes]);
    const cached = decisions.get(key);
    if (cached && cached.until > Date.now()) return cached.allowed;
    const review = await o.client.json<{ status?: { allowed?: boolean } }>(
      "POST",
      "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      {},
      {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { user: user.name, groups: user.groups, extra: user.extra, ...attributes },
      },
    );
    const allowed = review.status?.allowed === true;
    if (decisions.size > 10_000) decisions.clear();
    decisions.set(key, { allowed, until: Date.now() + DECISION_TTL_MS });
    return allowed;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "https://metrics-server.invalid");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path === "/healthz" || path === "/livez") return text(res, 200, "ok");
    if (path === "/readyz")
      return o.source.ready() ? text(res, 200, "ok") : text(res, 500, "no metrics scraped yet");
    const authenticated = await authenticate(req);
    if (!authenticated) throw fail(401, "Unauthorized", "Unauthorized");
    const user = {
      ...authenticated,
      groups: [...new Set([...authenticated.groups, "system:authenticated"])],
    };
    if (req.method !== "GET") {
      throw fail(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
    }

    const api = parseApiPath(path);
    if (!api) {
      // Discovery and the rest: non-resource paths, as the apiserver authorizes them (system:discovery).
      if (!(await authorize(user, { nonResourceAttributes: { path, verb: "get" } })))
        throw fail(403, "Forbidden", `forbidden: User "${user.name}" cannot get path "${path}"`);
      const doc = discovery(path);
      if (!doc) throw fail(404, "NotFound", "the server could not find the requested resource");
      return json(res, 200, doc);
    }
    const verb = api.name ? "get" : "list";
    const resourceAttributes = {
      group: GROUP,
      version: VERSION,
      resource: api.resource,
      verb,
      ...(api.namespace ? { namespace: api.namespace } : {}),
      ...(api.name ? { name: api.name } : {}),
    };
    if (!(await authorize(user, { resourceAttributes }))) {
      const scope = api.namespace ? ` in the namespace "${api.namespace}"` : " at the cluster scope";
      throw fail(
        403,
        "Forbidden",
        `${api.resource}.${GROUP}${api.name ? ` "${api.name}"` : ""} is forbidden: User "${user.name}" cannot ${verb} resource "${api.resource}" in API group "${GROUP}"${scope}`,
        { name: api.name, group: GROUP, kind: api.resource },
      );
    }
    const labelSelector = url.searchParams.get("labelSelector") ?? "";
    const fieldSelector = url.searchParams.get("fieldSelector") ?? "";
    let labels: ReturnType<typeof parseLabelSelector>;
    let fields: ReturnType<typeof parseFieldSelector>;
    try {
      labels = parseLabelSelector(labelSelector);
      fields = parseFieldSelector(fieldSelector);
    } catch (e) {
      throw fail(400, "BadRequest", (e as Error).message);
    }
    const now = Date.now();
    const items =
      api.resource === "nodes"
        ? o.source
            .nodes()
            .filter((n) => n.usage && (!api.name || n.name === api.name))
            .filter((n) => labels.matches(n.labels) && fields.matches({ "metadata.name": n.name }))
            .map((n) => nodeMetrics(n.name, n.labels, n.usage!, now))
        : o.source
            .pods(api.namespace)
            .filter((p) => p.usage && (!api.name || p.name === api.name))
            .filter(
              (p) =>
                labels.matches(p.labels) &&
                fields.matches({ "metadata.name": p.name, "metadata.namespace": p.namespace }),
            )
            .map((p) => podMetrics(p.name, p.namespace, p.labels, p.usage!, now));
    const kind = api.resource === "nodes" ? "NodeMetrics" : "PodMetrics";
    if (api.name) {
      if (!items.length)
        throw fail(404, "NotFound", `${kind.toLowerCase()}.${GROUP} "${api.name}" not found`, {
          name: api.name,
          group: GROUP,
          kind: api.resource,
        });
      return wantsTable(req) ? json(res, 200, table([items[0]])) : json(res, 200, items[0]);
    }
    if (wantsTable(req)) return json(res, 200, table(items));
    return json(res, 200, { kind: `${kind}List`, apiVersion: GROUP_VERSION, metadata: {}, items });
  };

  const server = createServer(
    {
      cert: o.cert,
      key: o.key,
      ca: [...o.auth.clientCA, ...o.auth.requestHeaderCA],
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      handle(req, res).catch((e) => {
        const status = statusOf(e);
        json(res, status.code ?? 500, status);
      });
    },
  );
  const close = closeAtOnce(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}`,
    port,
    close,
  };
}

/** /apis/metrics.k8s.io/v1beta1/[namespaces/<ns>/]<nodes|pods>[/<name>] */
function parseApiPath(
  path: string,
): { resource: "nodes" | "pods"; namespace?: string; name?: string } | undefined {
  const prefix = `/apis/${GROUP_VERSION}/`;
  if (!path.startsWith(prefix)) return undefined;
  const parts = path.slice(prefix.length).split("/").map(decodeURIComponent);
  if (parts[0] === "nodes" && parts.length <= 2) return { resource: "nodes", name: parts[1] };
  if (parts[0] === "pods" && parts.length === 1) return { resource: "pods" };
  if (parts[0] === "namespaces" && parts[2] === "pods" && parts.length <= 4)
    return { resource: "pods", namespace: parts[1], name: parts[3] };
  return undefined;
}

const API_GROUP = {
  name: GROUP,
  versions: [{ groupVersion: GROUP_VERSION, version: VERSION }],
  preferredVersion: { groupVersion: GROUP_VERSION, version: VERSION },
};

function discovery(path: string): unknown {
  if (path === "/apis") return { kind: "APIGroupList", apiVersion: "v1", groups: [API_GROUP] };
  if (path === `/apis/${GROUP}`) return { kind: "APIGroup", apiVersion: "v1", ...API_GROUP };
  if (path === `/apis/${GROUP_VERSION}`) {
    return {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: GROUP_VERSION,
      resources: [
        { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
        { name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] },
      ],
    };
  }
  return undefined;
}

function nodeMetrics(name: string, labels: Record<string, string>, u: Usage, now: number) {
  return {
    kind: "NodeMetrics",
    apiVersion: GROUP_VERSION,
    metadata: { name, creationTimestamp: metaTime(now), labels },
    timestamp: metaTime(u.timestamp),
    window: goDuration(u.windowMs),
    usage: usageOf(u),
  };
}

function podMetrics(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  u: { timestamp: number; windowMs: number; containers: Map<string, Usage> },
  now: number,
) {
  return {
    kind: "PodMetrics",
    apiVersion: GROUP_VERSION,
    metadata: { name, namespace, creationTimestamp: metaTime(now), labels },
    timestamp: metaTime(u.timestamp),
    window: goDuration(u.windowMs),
    containers: [...u.containers]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([c, cu]) => ({ name: c, usage: usageOf(cu) })),
  };
}

function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? "");
}

/** metrics-server's Table: Name, CPU, Memory, Window. */
function table(items: (ReturnType<typeof nodeMetrics> | ReturnType<typeof podMetrics>)[]) {
  const col = (name: string, description: string, format = "") => ({
    name,
    type: "string",
    format,
    description,
    priority: 0,
  });
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: {},
    columnDefinitions: [
      col("Name", "Name of the resource", "name"),
      col("CPU", "CPU usage"),
      col("Memory", "Memory usage"),
      col("Window", "Time window of the sample"),
    ],
    rows: items.map((m) => {
      const usage =
        "usage" in m
          ? m.usage
          : m.containers.reduce(
              (sum, c) => ({
                cpu: Quantity.parse(sum.cpu).add(Quantity.parse(c.usage.cpu)).toString(),
                memory: Quantity.parse(sum.memory).add(Quantity.parse(c.usage.memory)).toString(),
              }),
              { cpu: "0", memory: "0" },
            );
      return {
        cells: [m.metadata.name, usage.cpu, usage.memory, m.window],
        object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: m.metadata },
      };
    }),
  };
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(body);
}

function json(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const data = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) });
  res.end(data);
}
