// The byte-level proxy behind the connect subresources (pods/exec, attach,
// portforward; nodes/proxy): a port of apimachinery's UpgradeAwareHandler
// (pkg/util/proxy/upgradeaware.go). An upgrade request is written to the
// backend as it came (its Upgrade, Connection, Sec-WebSocket-* and
// X-Stream-Protocol-Version headers included); once the backend answers 101
// its raw answer goes back to the client and bytes are piped both ways until
// either side closes. A refusal (>= 400) is relayed as the backend sent it.
// Any other request goes through as a plain reverse proxy.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { makeStatus, newBadRequest, StatusError, StatusReason } from "../../machinery/status.ts";

/** Where the proxy sends the request; `path` carries the query. */
export interface ProxyLocation {
  scheme: "https" | "http";
  host: string;
  port: number;
  path: string;
  /** The client certificate and CA for an https backend (the kubelet client config). */
  tls?: { cert?: string; key?: string; ca?: string; servername?: string };
  /** Headers the apiserver sets for the backend (an extension apiserver's X-Remote-User and -Group). */
  headers?: Record<string, string | string[]>;
  /** https without verifying the backend's certificate (upstream's proxy transport for node ports). */
  insecure?: boolean;
}

// upstream dials with a 30 s timeout (the kubelet client transport's dialer).
const DIAL_TIMEOUT_MS = 30_000;
// A refused upgrade's answer is relayed for at most 10 s (upstream's deadline).
const ERROR_RELAY_MS = 10_000;
const MAX_RESPONSE_HEADER_BYTES = 1 << 20;

// Node hands an upgrade request to the 'upgrade' event with the bytes that
// followed its headers; server.ts records them here for the proxy to forward.
const upgradeHeads = new WeakMap<IncomingMessage, Buffer>();

/** Called by the server for a request that arrived through the 'upgrade' event. */
export function recordUpgradeHead(req: IncomingMessage, head: Buffer): void {
  upgradeHeads.set(req, head);
}

/** httpstream.IsUpgradeRequest: a Connection header that names "upgrade". */
export function isUpgradeRequest(req: IncomingMessage): boolean {
  const c = req.headers.connection;
  const values = Array.isArray(c) ? c : c ? [c] : [];
  return values.some((v) => v.toLowerCase().includes("upgrade")) && upgradeHeads.has(req);
}

/**
 * The apiserver's credentials end at the apiserver: the authentication and
 * impersonation filters remove them before a handler runs upstream.
 */
function isApiserverCredential(name: string): boolean {
  const n = name.toLowerCase();
  return n === "authorization" || n.startsWith("impersonate-");
}

/** Dropped from what the client sent: credentials, and when the apiserver sets identity headers, the client's own. */
function dropped(name: string, loc: ProxyLocation): boolean {
  return (
    isApiserverCredential(name) || (loc.headers !== undefined && name.toLowerCase().startsWith("x-remote-"))
  );
}

// Hop-by-hop headers a plain reverse proxy drops (Go's httputil.ReverseProxy).
const HOP_BY_HOP = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function forwardedFor(req: IncomingMessage): string {
  const prior = req.headers["x-forwarded-for"];
  const ip = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  const list = Array.isArray(prior) ? prior.join(", ") : prior;
  return list ? `${list}, ${ip}` : ip;
}

/** Go's dial error text, which kubectl users know ("dial tcp 10.0.0.1:10250: connect: connection refused"). */
function dialError(loc: ProxyLocation, e: NodeJS.ErrnoException): string {
  const addr = `${loc.host.includes(":") ? `[${loc.host}]` : loc.host}:${loc.port}`;
  switch (e.code) {
    case "ECONNREFUSED":
      return `dial tcp ${addr}: connect: connection refused`;
    case "EHOSTUNREACH":
      return `dial tcp ${addr}: connect: no route to host`;
    case "ENETUNREACH":
      return `dial tcp ${addr}: connect: network is unreachable`;
    case "ETIMEDOUT":
      return `dial tcp ${addr}: i/o timeout`;
    default:
      return e.message;
  }
}

/** ErrorResponder for a plain error: ErrorToAPIStatus gives 500 with an empty reason and the message. */
function proxyError(message: string): StatusError {
  return new StatusError(makeStatus({ status: "Failure", code: 500, reason: StatusReason.Unknown, message }));
}

/** utilnet.SplitSchemeNamePort: "name", "name:port" or "scheme:name:port", scheme http, https or empty. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(":");
  let scheme = "";
  let name: string;
  let port = "";
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) [name, port] = parts as [string, string];
  else if (parts.length === 3) [scheme, name, port] = parts as [string, string, string];
  else return undefined;
  if (name === "" || !["", "http", "https"].includes(scheme)) return undefined;
  return { scheme, name, port };
}

/**
 * The path and query to ask the backend for: what follows .../proxy in the
 * request, a trailing slash kept. A GET of .../proxy itself is redirected to
 * .../proxy/ (proxyRedirectsforRootPath, issue 4958), and gives undefined.
 */
export function proxiedPath(
  req: IncomingMessage,
  res: ServerResponse,
  parts: readonly string[],
): string | undefined {
  const url = new URL(req.url ?? "/", "https://apiserver");
  let path = parts.join("/");
  if (path === "" && !url.pathname.endsWith("/") && (req.method === "GET" || req.method === "HEAD")) {
    res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
    res.end();
    return undefined;
  }
  if (!path.startsWith("/")) path = `/${path}`;
  if (!path.endsWith("/") && url.pathname.endsWith("/")) path += "/";
  return `${path}${url.search}`;
}

/** A port given as text: a number from 1 to 65535, or a BadRequest naming the request. */
export function proxyPort(port: string, id: string, kind: string): number {
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) {
    throw newBadRequest(`invalid ${kind} request ${JSON.stringify(id)}`);
  }
  return n;
}

export interface ProxyOptions {
  /** exec, attach and portforward need an upgrade: a plain request is a 400 "Upgrade request required". */
  upgradeRequired: boolean;
}

/** Serves req by proxying it to loc; errors before the backend answered reject as Status errors. */
export function proxyUpgradeAware(
  req: IncomingMessage,
  res: ServerResponse,
  loc: ProxyLocation,
  opts: ProxyOptions,
): Promise<void> {
  if (isUpgradeRequest(req)) return tryUpgrade(req, res, loc);
  if (opts.upgradeRequired) return Promise.reject(newBadRequest("Upgrade request required"));
  return reverseProxy(req, res, loc);
}

function dial(loc: ProxyLocation): Socket {
  if (loc.scheme === "http") return netConnect({ host: loc.host, port: loc.port });
  return tlsConnect({
    host: loc.host,
    port: loc.port,
    cert: loc.tls?.cert,
    key: loc.tls?.key,
    ca: loc.tls?.ca,
    servername: loc.tls?.servername,
    rejectUnauthorized: !loc.insecure,
    ALPNProtocols: ["http/1.1"],
  });
}

/** The request line and headers as the client sent them, for the backend's location. */
function upgradeRequestHead(req: IncomingMessage, loc: ProxyLocation): Buffer {
  const lines = [`${req.method ?? "GET"} ${loc.path} HTTP/1.1`];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (dropped(name, loc) || name.toLowerCase() === "x-forwarded-for") continue;
    lines.push(`${name}: ${raw[i + 1]}`);
  }
  lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
  for (const [name, value] of Object.entries(loc.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
}

/** Ends a socket's writing side and lets it go once its data is flushed. */
function finish(s: Socket): void {
  if (s.destroyed) return;
  s.end(() => s.destroy());
  // A peer that never reads must not hold the socket open.
  setTimeout(() => s.destroy(), ERROR_RELAY_MS).unref();
}

function tryUpgrade(req: IncomingMessage, res: ServerResponse, loc: ProxyLocation): Promise<void> {
  const client = req.socket;
  const head = upgradeHeads.get(req) ?? Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const backend = dial(loc);
    let received = Buffer.alloc(0);
    let answered = false;
    let connected = false;
    const timer = setTimeout(() => {
      backend.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }));
    }, DIAL_TIMEOUT_MS);
    const fail = (message: string) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      backend.destroy();
      reject(proxyError(message));
    };
    backend.once(loc.scheme === "https" ? "secureConnect" : "connect", () => {
      connected = true;
      clearTimeout(timer);
      backend.write(upgradeRequestHead(req, loc));
      if (head.length > 0) backend.write(head);
    });
    backend.on("error", (e: NodeJS.ErrnoException) => {
      if (!answered) {
        fail(
          connected ? `error sending request: ${e.message}` : `error dialing backend: ${dialError(loc, e)}`,
        );
      }
    });
    backend.on("end", () => fail("unexpected EOF"));
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) {
        if (received.length > MAX_RESPONSE_HEADER_BYTES) fail("net/http: response header too large");
        return;
      }
      backend.off("data", onData);
      backend.pause();
      const headText = received.subarray(0, end).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(headText);
      if (!m) {
        fail(`malformed HTTP response ${JSON.stringify(headText.split("\r\n")[0])}`);
        return;
      }
      const code = Number(m[1]);
      if (code !== 101 && code < 400) {
        fail(`invalid upgrade response: status code ${code}`);
        return;
      }
      answered = true;
      backend.removeAllListeners("end");
      backend.removeAllListeners("error");
      // The client's connection is ours now ("hijacked"): the response object must not write to it.
      res.detachSocket(client);
      client.write(received);
      if (code !== 101) {
        relayRefusal(backend, client, headText, received.length - end - 4);
        resolve();
        return;
      }
      pipeBoth(client, backend);
      resolve();
    };
    backend.on("data", onData);
  });
}

/** The backend refused the upgrade: echo its body after the head already written, then close. */
function relayRefusal(backend: Socket, client: Socket, headText: string, bodySent: number): void {
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(headText);
  let remaining = length ? Number(length[1]) - bodySent : Number.POSITIVE_INFINITY;
  const done = () => {
    backend.destroy();
    finish(client);
  };
  if (remaining <= 0) {
    done();
    return;
  }
  const deadline = setTimeout(done, ERROR_RELAY_MS);
  deadline.unref();
  backend.on("data", (chunk: Buffer) => {
    const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    client.write(part);
    remaining -= part.length;
    if (remaining <= 0) {
      clearTimeout(deadline);
      done();
    }
  });
  backend.on("end", () => {
    clearTimeout(deadline);
    done();
  });
  backend.on("error", () => {
    clearTimeout(deadline);
    done();
  });
  backend.resume();
}

/** After 101: bytes both ways; when either side stops, both connections close (upstream's two io.Copy). */
function pipeBoth(client: Socket, backend: Socket): void {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.unpipe(backend);
    backend.unpipe(client);
    finish(client);
    finish(backend);
  };
  client.pipe(backend, { end: false });
  backend.pipe(client, { end: false });
  for (const s of [client, backend]) {
    s.on("end", close);
    s.on("close", close);
    s.on("error", close);
  }
  backend.resume();
  client.resume();
}

function reverseProxy(req: IncomingMessage, res: ServerResponse, loc: ProxyLocation): Promise<void> {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    // HTTP/2's pseudo-headers (:authority, :path…) are not headers of the request sent on.
    if (value === undefined || name.startsWith(":") || HOP_BY_HOP.has(name) || dropped(name, loc)) continue;
    headers[name] = value;
  }
  headers["x-forwarded-for"] = forwardedFor(req);
  Object.assign(headers, loc.headers);
  return new Promise((resolve, reject) => {
    const options = {
      host: loc.host,
      port: loc.port,
      path: loc.path,
      method: req.method,
      headers,
      agent: false as const,
      timeout: DIAL_TIMEOUT_MS,
      ...(loc.scheme === "https"
        ? {
            cert: loc.tls?.cert,
            key: loc.tls?.key,
            ca: loc.tls?.ca,
            servername: loc.tls?.servername,
            rejectUnauthorized: !loc.insecure,
          }
        : {}),
    };
    const upstream = (loc.scheme === "https" ? httpsRequest : httpRequest)(options, (bres) => {
      upstream.setTimeout(0);
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(bres.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith("access-control-allow-")) continue;
        out[name] = value;
      }
      res.writeHead(bres.statusCode ?? 502, out);
      res.flushHeaders();
      bres.pipe(res);
      bres.on("end", resolve);
      bres.on("error", () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on("timeout", () =>
      upstream.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })),
    );
    upstream.on("error", (e: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else reject(proxyError(dialError(loc, e)));
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
}

/** Proxies to a pod's address (pods/ and services/proxy), http or https; upstream's proxy transport does not verify a pod's certificate. */
export async function proxyToAddress(
  req: IncomingMessage,
  res: ServerResponse,
  parts: readonly string[],
  scheme: "http" | "https",
  host: string,
  port: number,
): Promise<void> {
  const path = proxiedPath(req, res, parts);
  if (path === undefined) return;
  const loc = { scheme, host, port, path, insecure: scheme === "https" };
  await proxyUpgradeAware(req, res, loc, { upgradeRequired: false });
}
