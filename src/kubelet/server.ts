// The kubelet's HTTPS server (upstream's pkg/kubelet/server): /healthz is
// public; every other path needs a client certificate of the cluster CA and a
// SubjectAccessReview for the node's subresource (stats, metrics, log for
// /logs, proxy otherwise), as upstream's kubelet auth attributes. /containerLogs
// serves the CRI log files the runtime writes, read as kuberuntime's ReadLogs.
// /exec, /attach and /portForward are upgrade requests (WebSocket or SPDY)
// served by streaming/; /run is ExecSync.

import { open } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { Duplex } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { ContainerStatus, Pod, PodList, PodStatus } from "kubernetes-types/core/v1.d.ts";
import type { RestClient } from "../client/rest-client.ts";
import { clientCertificateUser, subjectAccessAllowed } from "../client/secure-serving.ts";
import { closeAtOnce } from "../machinery/close-server.ts";
import { parseTarget, type RequestTarget } from "../machinery/request-target.ts";
import { writeHttpError } from "../machinery/websocket.ts";
import { LABELS, type RuntimeService } from "./runtime/interface.ts";
import { type StreamingDeps, serveRun, serveStreamingUpgrade } from "./streaming/handler.ts";
import { parseStreamingPath } from "./streaming/options.ts";

export interface KubeletServerOptions {
  /** The address to bind (the node IP). */
  host: string;
  /** --kubelet-port; 0 picks a free one. */
  port: number;
  /** The serving certificate and key, and the CA of callers' client certificates (PEM). */
  cert: string;
  key: string;
  ca: string;
  nodeName: string;
  /** Asks the apiserver whether a caller may reach the node's subresource. */
  client: RestClient;
  /** The streaming calls are optional: without them /exec, /attach, /portForward and /run are refused. */
  runtime: StreamingDeps["runtime"] & Pick<RuntimeService, "containerStatus">;
  getPodByName(namespace: string, name: string): Pod | undefined;
  /** The kubelet's status of a pod: logs pick their container from it, as upstream's validateContainerLogStatus. */
  getPodStatus?(uid: string): PodStatus | undefined;
  /** /pods: the pods the kubelet runs, as a v1 PodList. */
  podList?(): PodList;
  /** /stats/summary: the Summary API's JSON. */
  statsSummary?(): Promise<unknown>;
  /** /metrics: Prometheus text. */
  metrics?(): Promise<string>;
  /** /metrics/resource: the resource metrics metrics-server scrapes (Prometheus text). */
  resourceMetrics?(): Promise<string>;
  /** How often follow looks for new lines and whether the container still runs. */
  followPollMs?: number;
}

export interface KubeletServer {
  /** The port actually listened on (daemonEndpoints.kubeletEndpoint.Port). */
  port: number;
  close(): Promise<void>;
}

/** The request's verb for authorization, as upstream's kubelet auth (GET → get, POST → create…). */
function verbOf(method: string | undefined): string {
  switch (method) {
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return "delete";
    default:
      return "get";
  }
}

/** undefined when allowed; otherwise the code and message to answer with. */
const isSubpath = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

/** The nodes subresource a path is authorized as (upstream's kubelet auth.go GetRequestAttributes). */
export function nodeSubresource(path: string): string {
  if (isSubpath(path, "/stats")) return "stats";
  if (isSubpath(path, "/metrics")) return "metrics";
  if (isSubpath(path, "/logs")) return "log";
  return "proxy";
}

async function authorize(
  o: KubeletServerOptions,
  req: IncomingMessage,
  subresource: string,
): Promise<{ code: number; message: string } | undefined> {
  const who = clientCertificateUser(req);
  if (!who) return { code: 401, message: "Unauthorized" };
  const verb = verbOf(req.method);
  const resourceAttributes = { verb, version: "v1", resource: "nodes", subresource, name: o.nodeName };
  if (await subjectAccessAllowed(o.client, who, { resourceAttributes })) return undefined;
  return {
    code: 403,
    message: `Forbidden (user=${who.user}, verb=${verb}, resource=nodes, subresource=${subresource})`,
  };
}

export async function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  const server = createServer(
    { cert: o.cert, key: o.key, ca: o.ca, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const text = (code: number, body: string) => {
        if (res.headersSent) return void res.end();
        res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(body);
      };
      const json = (body: unknown) => {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const url = parseTarget(req.url);
      if (!url) return text(400, "400 Bad Request: invalid request target\n");
      void (async () => {
        if (url.pathname === "/healthz") return text(200, "ok");
        const subresource = nodeSubresource(url.pathname);
        const denied = await authorize(o, req, subresource).catch((e: Error) => ({
          code: 500,
          message: `Authorization error (user=?, verb=get, resource=nodes, subresource=${subresource}): ${e.message}`,
        }));
        if (denied) return text(denied.code, `${denied.message}\n`);
        if (url.pathname.startsWith("/containerLogs/")) return serveContainerLogs(o, url, req, res);
        if (url.pathname === "/pods" && o.podList) return json(o.podList());
        if (url.pathname === "/stats/summary" && o.statsSummary) return json(await o.statsSummary());
        if (url.pathname === "/metrics" && o.metrics) {
          res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
          return void res.end(`${await o.metrics()}\n`);
        }
        if (url.pathname === "/metrics/resource" && o.resourceMetrics) {
          const body = await o.resourceMetrics();
          res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
          return void res.end(body);
        }
        const target = parseStreamingPath(url.pathname);
        if (target?.kind === "run") {
          if (req.method !== "POST") return text(405, "405: Method Not Allowed\n");
          return serveRun(o, target, url, res);
        }
        // Reached only without an Upgrade header.
        if (target) return text(400, "unable to upgrade: missing upgrade headers in request\n");
        text(404, "404 page not found\n");
      })().catch((e: Error) => text(500, `${e.message}\n`));
    },
  );
  // Upgraded sockets (exec, attach, port-forward) leave the HTTP server's bookkeeping; closeAtOnce ends them too.
  const close = closeAtOnce(server);
  // exec, attach and portForward: WebSocket (kubectl through the apiserver) or SPDY upgrades.
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const url = parseTarget(req.url);
    if (!url) return writeHttpError(socket, 400, "400 Bad Request: invalid request target\n");
    const target = parseStreamingPath(url.pathname);
    void (async () => {
      if (!target || target.kind === "run") return writeHttpError(socket, 404, "404 page not found\n");
      const denied = await authorize(o, req, "proxy").catch((e: Error) => ({
        code: 500,
        message: `Authorization error (user=?, verb=${verbOf(req.method)}, resource=nodes, subresource=proxy): ${e.message}`,
      }));
      if (denied) return writeHttpError(socket, denied.code, `${denied.message}\n`);
      await serveStreamingUpgrade(o, target, req, socket, head, url.searchParams);
    })().catch((e: Error) => writeHttpError(socket, 500, `${e.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  return {
    port: addr && typeof addr === "object" ? addr.port : o.port,
    close,
  };
}

/** upstream's v1.PodLogOptions as the kubelet reads them from the query. */
/** The runtime's ID in a status's "containerd://<id>". */
function runtimeID(containerID: string | undefined): string | undefined {
  return containerID ? containerID.slice(containerID.indexOf("://") + 3) : undefined;
}

/**
 * validateContainerLogStatus: the container whose log to read — with
 * previous its last terminated one, else the running one, else the one that
 * ended — from the status the kubelet holds; the runtime's newest attempts
 * when it holds none (a pod not synced yet).
 */
async function logContainerID(
  o: KubeletServerOptions,
  pod: Pod,
  name: string,
  previous: boolean,
): Promise<{ id: string } | { error: string }> {
  const podName = JSON.stringify(pod.metadata?.name ?? "");
  const podStatus = pod.metadata?.uid ? o.getPodStatus?.(pod.metadata.uid) : undefined;
  if (!podStatus) {
    const attempts = (
      await o.runtime.listContainers({
        labelSelector: { [LABELS.podUid]: pod.metadata?.uid ?? "", [LABELS.containerName]: name },
      })
    ).sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt);
    const c = previous ? attempts[1] : attempts[0];
    if (c) return { id: c.id };
    return {
      error: previous
        ? `previous terminated container ${JSON.stringify(name)} in pod ${podName} not found`
        : `container ${JSON.stringify(name)} in pod ${podName} is waiting to start: ContainerCreating`,
    };
  }
  const all: ContainerStatus[] = [
    ...(podStatus.containerStatuses ?? []),
    ...(podStatus.initContainerStatuses ?? []),
    ...(podStatus.ephemeralContainerStatuses ?? []),
  ];
  const cs = all.find((s) => s.name === name);
  if (!cs) return { error: `container ${JSON.stringify(name)} in pod ${podName} is not available` };
  const last = runtimeID(cs.lastState?.terminated?.containerID);
  if (previous) {
    return last
      ? { id: last }
      : { error: `previous terminated container ${JSON.stringify(name)} in pod ${podName} not found` };
  }
  const id =
    (cs.state?.running ? runtimeID(cs.containerID) : undefined) ??
    runtimeID(cs.state?.terminated?.containerID) ??
    last;
  if (id) return { id };
  const reason = cs.state?.waiting?.reason ?? "ContainerCreating";
  const why =
    reason === "ErrImagePull"
      ? "image can't be pulled"
      : reason === "ImagePullBackOff"
        ? "trying and failing to pull image"
        : reason;
  return { error: `container ${JSON.stringify(name)} in pod ${podName} is waiting to start: ${why}` };
}

export interface LogOptions {
  tailLines?: number;
  limitBytes?: number;
  /** Only lines at or after this time (ms since the epoch), from sinceSeconds or sinceTime. */
  since?: number;
  timestamps: boolean;
  follow: boolean;
  previous: boolean;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`invalid ${name}: ${JSON.stringify(v)}`);
  return n;
}

export function parseLogOptions(q: URLSearchParams, now = Date.now()): LogOptions {
  const sinceSeconds = intParam(q, "sinceSeconds");
  const sinceTime = q.get("sinceTime");
  const since =
    sinceSeconds !== undefined ? now - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;
  const flag = (name: string) => q.get(name) === "true" || q.get(name) === "1";
  return {
    tailLines: intParam(q, "tailLines"),
    limitBytes: intParam(q, "limitBytes"),
    since: since !== undefined && !Number.isNaN(since) ? since : undefined,
    timestamps: flag("timestamps"),
    follow: flag("follow"),
    previous: flag("previous"),
  };
}

async function serveContainerLogs(
  o: KubeletServerOptions,
  url: RequestTarget,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const text = (code: number, body: string) => {
    res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(`${body}\n`);
  };
  const parts = url.pathname.split("/").slice(2).map(decodeURIComponent);
  const [namespace, podName, containerName] = parts;
  if (parts.length !== 3 || !namespace || !podName || !containerName) {
    return text(400, `Bad Request: ${url.pathname}`);
  }
  const pod = o.getPodByName(namespace, podName);
  if (!pod) return text(404, `pod ${JSON.stringify(podName)} does not exist`);
  const spec = pod.spec;
  const known = [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ];
  if (!known.some((c) => c.name === containerName)) {
    return text(
      404,
      `container ${JSON.stringify(containerName)} not found in pod ${JSON.stringify(podName)}`,
    );
  }
  let opts: LogOptions;
  try {
    opts = parseLogOptions(url.searchParams);
  } catch (e) {
    return text(400, (e as Error).message);
  }
  const podRef = `${namespace}/${podName}`;
  const chosen = await logContainerID(o, pod, containerName, opts.previous);
  if ("error" in chosen) return text(400, chosen.error);
  const status = await o.runtime.containerStatus(chosen.id);
  if (!status.logPath)
    return text(400, `container ${JSON.stringify(containerName)} in pod ${podRef} has no log file`);
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(status.logPath, "r");
  } catch (e) {
    return text(400, `failed to open log file ${JSON.stringify(status.logPath)}: ${(e as Error).message}`);
  }
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "Transfer-Encoding": "chunked" });
  let closed = false;
  req.on("close", () => {
    closed = true;
  });
  res.on("close", () => {
    closed = true;
  });
  try {
    await readLogs(file, opts, {
      write: (chunk) => {
        if (!closed) res.write(chunk);
      },
      closed: () => closed,
      running: async () =>
        (await o.runtime.containerStatus(chosen.id).catch(() => undefined))?.state === "CONTAINER_RUNNING",
      pollMs: o.followPollMs ?? 200,
    });
  } finally {
    await file.close();
    res.end();
  }
}

/** One CRI log line: `<RFC3339Nano> <stdout|stderr> <F|P> <text>`. */
export interface CriLogLine {
  timestamp: string;
  stream: "stdout" | "stderr";
  partial: boolean;
  content: string;
}

/** parseCRILog: undefined for a malformed line. */
export function parseCriLogLine(line: string): CriLogLine | undefined {
  const a = line.indexOf(" ");
  const b = a < 0 ? -1 : line.indexOf(" ", a + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== "stdout" && stream !== "stderr") return undefined;
  // The tag: "F" or "P" (older runtimes wrote no tag, meaning a full line).
  const c = line.indexOf(" ", b + 1);
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  const tags = tag.split(":");
  if (tags.includes("P") || tags.includes("F")) {
    return {
      timestamp: line.slice(0, a),
      stream,
      partial: tags.includes("P"),
      content: c < 0 ? "" : line.slice(c + 1),
    };
  }
  return { timestamp: line.slice(0, a), stream, partial: false, content: line.slice(b + 1) };
}

/** The timestamp as upstream writes it with timestamps=true: RFC3339 with nine fraction digits. */
export function formatTimestamp(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? "").padEnd(9, "0").slice(0, 9)}${m[3]}`;
}

/** ms since the epoch of an RFC3339Nano timestamp. */
function timeOf(ts: string): number {
  return Date.parse(ts);
}

/** The byte offset where the last n lines of buf start (tail.FindTailLineStartIndex). */
export function tailStart(buf: Buffer, n: number): number {
  if (n < 0) return 0;
  let end = buf.length;
  // A trailing newline ends the last line; it does not start another.
  if (end > 0 && buf[end - 1] === 0x0a) end--;
  let count = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (buf[i] === 0x0a) {
      count++;
      if (count === n) return i + 1;
    }
  }
  return n === 0 ? buf.length : 0;
}

interface LogSink {
  write(chunk: string): void;
  closed(): boolean;
  running(): Promise<boolean>;
  pollMs: number;
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/**
 * ReadLogs: the file's messages from the tail (or the start), partial lines
 * joined, since and limitBytes applied; with follow, new lines as they come
 * until the container stops or the client goes.
 */
export async function readLogs(file: FileHandle, opts: LogOptions, sink: LogSink): Promise<void> {
  const { size } = await file.stat();
  let offset = 0;
  if (opts.tailLines !== undefined) {
    const whole = Buffer.alloc(size);
    await file.read(whole, 0, size, 0);
    offset = tailStart(whole, opts.tailLines);
  }
  let remaining = opts.limitBytes !== undefined && opts.limitBytes > 0 ? opts.limitBytes : Infinity;
  let pending = "";
  // A partial message waits for the rest of its line.
  let partial = "";
  const emit = (line: string): boolean => {
    const msg = parseCriLogLine(line);
    if (!msg) return true;
    if (msg.partial) {
      partial += msg.content;
      return true;
    }
    const content = partial + msg.content;
    partial = "";
    if (opts.since !== undefined && timeOf(msg.timestamp) < opts.since) return true;
    let out = `${opts.timestamps ? `${formatTimestamp(msg.timestamp)} ` : ""}${content}\n`;
    const bytes = Buffer.byteLength(out);
    if (bytes > remaining) out = Buffer.from(out).subarray(0, remaining).toString("utf8");
    remaining -= Math.min(bytes, remaining);
    sink.write(out);
    return remaining > 0;
  };
  const decoder = new StringDecoder("utf8");
  const chunk = Buffer.alloc(64 * 1024);
  let idleChecks = 0;
  for (;;) {
    if (sink.closed()) return;
    const { bytesRead } = await file.read(chunk, 0, chunk.length, offset);
    if (bytesRead > 0) {
      offset += bytesRead;
      idleChecks = 0;
      pending += decoder.write(chunk.subarray(0, bytesRead));
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (!emit(line)) return;
      continue;
    }
    if (!opts.follow) return;
    // At the end: wait for more while the container runs; once it stopped, read what is left once more.
    if (!(await sink.running())) {
      if (idleChecks++ > 0) return;
    }
    await new Promise((r) => setTimeout(r, sink.pollMs));
  }
}
