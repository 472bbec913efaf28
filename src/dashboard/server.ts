// The web dashboard's server, as the upstream Kubernetes Dashboard's API
// gateway: it serves the UI's files and passes the UI's requests on to the
// apiserver as whoever signed in (their bearer token), so the cluster's RBAC
// decides what each user sees and does. With --enable-skip-login a request
// without a token acts as the dashboard itself.
import { readdirSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent, createServer as createHttpsServer, request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { hostname } from "node:os";
import type { ClientConfig } from "../client/kubeconfig.ts";
import { closeAtOnce } from "../machinery/close-server.ts";
import { makeStatus, type Status, StatusError, type StatusReason, statusOf } from "../machinery/status.ts";
import { type ApplyResult, applyDocuments } from "./apply.ts";

/** The UI sends it on every API call: a page of another origin cannot, without a CORS preflight we never allow. */
export const CSRF_HEADER = "x-requested-with";
export const CSRF_VALUE = "k8ts-dashboard";

/** What the apiserver's own limit is: a manifest larger than that could not be stored anyway. */
const MAX_APPLY_BYTES = 3 * 1024 * 1024;

/** Request headers passed on to the apiserver; nothing else (cookies, Impersonate-*) goes through. */
const FORWARDED_REQUEST_HEADERS = ["accept", "content-type", "content-length"];
/** Response headers passed back to the browser. */
const FORWARDED_RESPONSE_HEADERS = ["content-type", "content-length", "warning", "retry-after", "audit-id"];

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
};

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

export interface DashboardOptions {
  /** The apiserver and the dashboard's own credentials (used only for skipped logins). */
  config: ClientConfig;
  bindAddress?: string;
  /** 0 picks a free port. */
  port: number;
  /** PEM serving certificate and key: HTTPS when given, plain HTTP otherwise. */
  tls?: { cert: string; key: string };
  /** --enable-skip-login: a request without a token acts with the dashboard's own identity. */
  enableSkipLogin?: boolean;
  /** Host names the UI may be reached by besides IP addresses, localhost and this machine's name. */
  allowedHosts?: string[];
  /** The UI's files (index.html, app.js, style.css). */
  uiDir?: string;
}

export interface RunningDashboard {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The signed-in user as the apiserver sees them (SelfSubjectReview). */
export interface DashboardUser {
  username: string;
  groups: string[];
}

function failure(code: number, reason: StatusReason, message: string): StatusError {
  return new StatusError(makeStatus({ status: "Failure", code, reason, message }));
}

export async function startDashboard(o: DashboardOptions): Promise<RunningDashboard> {
  const ui = loadUi(o.uiDir ?? new URL("./ui/", import.meta.url).pathname);
  const upstream = new Upstream(o.config);
  const allowed = new Set(
    [hostname(), ...(o.allowedHosts ?? [])].map((h) => h.toLowerCase()).filter((h) => h !== ""),
  );

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    const path = url.pathname;
    if (path === "/healthz") return void res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    // DNS rebinding would make another site's page same-origin with this one: answer only to our own names.
    if (!hostAllowed(req.headers.host, allowed)) {
      throw failure(
        403,
        "Forbidden",
        `host ${JSON.stringify(req.headers.host ?? "")} is not one of the dashboard's: reach it by IP address, localhost or ${[...allowed].join(", ")} (--allowed-hosts adds names)`,
      );
    }
    if (!path.startsWith("/k8s/") && !path.startsWith("/dashboard/")) return serveStatic(ui, req, res, path);
    res.setHeader("Cache-Control", "no-store");
    if (req.headers[CSRF_HEADER] !== CSRF_VALUE) {
      throw failure(
        403,
        "Forbidden",
        `requests to the dashboard's API must come from its page (the ${CSRF_HEADER}: ${CSRF_VALUE} header is missing)`,
      );
    }
    if (path.startsWith("/k8s/")) {
      const target = path.slice("/k8s".length) + url.search;
      if (!/^\/(api|apis|version|openapi)(\/|$|\?)/.test(target))
        throw failure(
          404,
          "NotFound",
          `the dashboard passes on only /api, /apis, /version and /openapi, not ${path}`,
        );
      return upstream.forward(req, res, target, credentialsOf(req, o.enableSkipLogin === true));
    }
    switch (`${req.method} ${path}`) {
      case "GET /dashboard/config":
        return sendJson(res, 200, { skipLoginAllowed: o.enableSkipLogin === true });
      case "POST /dashboard/login": {
        const body = parseJsonBody(await readBody(req, 64 * 1024));
        const token = typeof body?.token === "string" ? body.token.trim() : "";
        if (!token) throw failure(400, "BadRequest", "no token: paste a bearer token to sign in");
        return sendJson(res, 200, { user: await upstream.whoami({ token }) });
      }
      case "GET /dashboard/whoami":
        return sendJson(res, 200, {
          user: await upstream.whoami(credentialsOf(req, o.enableSkipLogin === true)),
        });
      case "POST /dashboard/apply": {
        const text = (await readBody(req, MAX_APPLY_BYTES)).toString("utf8");
        const creds = credentialsOf(req, o.enableSkipLogin === true);
        const results: ApplyResult[] = await applyDocuments(text, {
          namespace: url.searchParams.get("namespace") || "default",
          request: (method, target, body, contentType) =>
            upstream.call(method, target, creds, body, contentType),
        });
        return sendJson(res, 200, { results });
      }
      default:
        throw failure(404, "NotFound", `the dashboard serves no ${req.method} ${path}`);
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e) => {
      const status = statusOf(e);
      if (res.headersSent) return void res.destroy();
      sendJson(res, status.code ?? 500, status);
    });
  };
  const server = o.tls
    ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, listener)
    : createHttpServer(listener);
  const close = closeAtOnce(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.bindAddress ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const host = o.bindAddress && o.bindAddress !== "0.0.0.0" ? o.bindAddress : "127.0.0.1";
  return {
    url: `${o.tls ? "https" : "http"}://${isIP(host) === 6 ? `[${host}]` : host}:${port}/`,
    port,
    async stop() {
      await close();
      upstream.close();
    },
  };
}

/** Whose request goes to the apiserver: the signed-in user's token, or the dashboard itself. */
type Credentials = { token: string } | "self";

function credentialsOf(req: IncomingMessage, skipLogin: boolean): Credentials {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (m) return { token: m[1] };
  if (skipLogin) return "self";
  throw failure(
    401,
    "Unauthorized",
    "sign in with a bearer token (the dashboard runs without --enable-skip-login)",
  );
}

function hostAllowed(host: string | undefined, allowed: Set<string>): boolean {
  if (!host) return false;
  const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
  const lower = name.toLowerCase();
  return isIP(name) !== 0 || lower === "localhost" || lower.endsWith(".localhost") || allowed.has(lower);
}

/** The apiserver, reached as a user (their token only) or as the dashboard (its kubeconfig's credentials). */
class Upstream {
  private readonly asUser: Agent;
  private readonly asSelf: Agent;
  private readonly base: URL;

  constructor(private readonly config: ClientConfig) {
    this.base = new URL(config.server);
    const tls = {
      ca: config.ca,
      rejectUnauthorized: !config.insecureSkipTlsVerify,
      servername: config.tlsServerName,
      keepAlive: true,
    };
    this.asUser = new Agent(tls);
    this.asSelf = new Agent({ ...tls, cert: config.cert, key: config.key });
  }

  close(): void {
    this.asUser.destroy();
    this.asSelf.destroy();
  }

  private open(method: string, target: string, creds: Credentials, headers: Record<string, string>) {
    const token = creds === "self" ? this.selfToken() : creds.token;
    if (token) headers.authorization = `Bearer ${token}`;
    headers["user-agent"] = "k8ts-dashboard";
    return httpsRequest({
      protocol: "https:",
      hostname: this.base.hostname.replace(/^\[|\]$/g, ""),
      port: this.base.port || 443,
      method,
      path: target,
      headers,
      agent: creds === "self" ? this.asSelf : this.asUser,
    });
  }

  private tokenRead?: { token: string; at: number };

  /** The kubeconfig's token, or its token file read again once a minute (projected tokens rotate), as RestClient does. */
  private selfToken(): string | undefined {
    if (this.config.token) return this.config.token;
    if (!this.config.tokenFile) return undefined;
    if (!this.tokenRead || Date.now() - this.tokenRead.at >= 60_000) {
      this.tokenRead = { token: readFileSync(this.config.tokenFile, "utf8").trim(), at: Date.now() };
    }
    return this.tokenRead.token;
  }

  /** Streams the browser's request to the apiserver and the answer back (watches, followed logs). */
  forward(req: IncomingMessage, res: ServerResponse, target: string, creds: Credentials): Promise<void> {
    const headers: Record<string, string> = {};
    for (const h of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    return new Promise((resolve, reject) => {
      const up = this.open(req.method ?? "GET", target, creds, headers);
      let complete = false;
      up.on("response", (answer) => {
        const out: Record<string, string> = {};
        for (const h of FORWARDED_RESPONSE_HEADERS) {
          const v = answer.headers[h];
          if (typeof v === "string") out[h] = v;
        }
        res.writeHead(answer.statusCode ?? 502, out);
        // A watch flushes each event as it comes.
        res.flushHeaders();
        answer.pipe(res);
        answer.on("end", () => {
          complete = true;
          resolve();
        });
        answer.on("error", () => res.destroy());
      });
      up.on("error", (e) =>
        res.headersSent
          ? res.destroy()
          : reject(
              failure(
                503,
                "ServiceUnavailable",
                `the apiserver at ${this.config.server} could not be reached: ${e.message}`,
              ),
            ),
      );
      // The browser went away (a view closed its watch): so does the request to the apiserver.
      res.on("close", () => {
        if (!complete) up.destroy();
        resolve();
      });
      req.pipe(up);
    });
  }

  /** One request with a JSON answer; a failure's Status becomes an HttpError. */
  async call(
    method: string,
    target: string,
    creds: Credentials,
    body?: string,
    contentType = "application/json",
  ): Promise<{ code: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = contentType;
    return new Promise((resolve, reject) => {
      const up = this.open(method, target, creds, headers);
      up.on("response", (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const code = answer.statusCode ?? 500;
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            // not JSON: a proxy's or a crashed server's text, told as it came
          }
          if (code < 400 && parsed) return resolve({ code, body: parsed });
          const status =
            parsed?.kind === "Status"
              ? (parsed as unknown as Status)
              : makeStatus({
                  status: "Failure",
                  code,
                  reason: "InternalError",
                  message: text.slice(0, 1000),
                });
          reject(new StatusError(status));
        });
        answer.on("error", reject);
      });
      up.on("error", (e) =>
        reject(
          failure(
            503,
            "ServiceUnavailable",
            `the apiserver at ${this.config.server} could not be reached: ${e.message}`,
          ),
        ),
      );
      up.end(body);
    });
  }

  /** Who the apiserver takes these credentials for: kubectl auth whoami's SelfSubjectReview. */
  async whoami(creds: Credentials): Promise<DashboardUser> {
    const r = await this.call(
      "POST",
      "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      creds,
      JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
    );
    const info = (r.body.status as { userInfo?: { username?: string; groups?: string[] } } | undefined)
      ?.userInfo;
    return { username: info?.username ?? "", groups: info?.groups ?? [] };
  }
}

interface UiFile {
  body: Buffer;
  type: string;
}

function loadUi(dir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[name.slice(name.lastIndexOf(".") + 1)];
    if (type && !name.includes(".test."))
      files.set(`/${name}`, { body: readFileSync(`${dir}/${name}`), type });
  }
  if (!files.has("/index.html")) throw new Error(`the dashboard's UI is missing: no index.html in ${dir}`);
  return files;
}

function serveStatic(ui: Map<string, UiFile>, req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.method !== "GET" && req.method !== "HEAD")
    throw failure(405, "MethodNotAllowed", `${req.method} ${path}`);
  const file = ui.get(path === "/" ? "/index.html" : path);
  if (!file) throw failure(404, "NotFound", `the dashboard has no ${path}`);
  res.writeHead(200, {
    "Content-Type": file.type,
    "Content-Length": file.body.length,
    "Cache-Control": "no-cache",
  });
  res.end(req.method === "HEAD" ? undefined : file.body);
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw failure(413, "RequestEntityTooLarge", `the request body is over ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function parseJsonBody(buf: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(buf.toString("utf8"));
    return v && typeof v === "object" ? v : undefined;
  } catch (e) {
    throw failure(400, "BadRequest", `the request body is not JSON: ${(e as Error).message}`);
  }
}
