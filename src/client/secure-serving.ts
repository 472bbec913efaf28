// A component's secure port (kube-scheduler's 10259, kube-controller-manager's
// 10257): HTTPS with the component's serving certificate; /healthz, /livez and
// /readyz are public; every other path needs a client certificate of the
// cluster CA, and a SubjectAccessReview that lets its user GET the path
// (upstream's delegated authentication and authorization).

import type { IncomingMessage } from "node:http";
import { createServer } from "node:https";
import type { TLSSocket } from "node:tls";
import { closeAtOnce } from "../machinery/close-server.ts";
import { parseTarget, type RequestTarget } from "../machinery/request-target.ts";
import type { RestClient } from "./rest-client.ts";

export interface SecureServing {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The serving certificate and key (PEM). */
  cert: string;
  key: string;
  /** The CA whose client certificates identify callers. */
  ca: string;
}

export interface SecureResponse {
  code: number;
  type: string;
  body: string;
}

export interface SecureServerOptions {
  serving: SecureServing;
  /** Asks the apiserver whether callers may reach a path. */
  client: RestClient;
  /** The answer for an authorized path; undefined is a 404. */
  handle(url: RequestTarget): SecureResponse | undefined | Promise<SecureResponse | undefined>;
  /** Health checks (public); default "ok". */
  health?(): boolean;
}

export interface SecureServer {
  url: string;
  close(): Promise<void>;
}

const HEALTH_PATHS = new Set(["/healthz", "/livez", "/readyz"]);

/** The user of a verified cluster-CA client certificate (CN, and O as groups), or undefined without one. */
export function clientCertificateUser(req: IncomingMessage): { user: string; groups: string[] } | undefined {
  const socket = req.socket as TLSSocket;
  const cert = socket.getPeerCertificate();
  if (!socket.authorized || !cert?.subject) return undefined;
  const org = cert.subject.O as string | string[] | undefined;
  return {
    user: String(cert.subject.CN ?? ""),
    groups: [...(Array.isArray(org) ? org : org ? [org] : []), "system:authenticated"],
  };
}

/** Delegated authorization: a SubjectAccessReview for the user with these attributes. */
export async function subjectAccessAllowed(
  client: RestClient,
  who: { user: string; groups: string[] },
  attributes:
    | { resourceAttributes: Record<string, string> }
    | { nonResourceAttributes: { path: string; verb: string } },
): Promise<boolean> {
  const review = await client.create(
    { group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews", namespaced: false },
    {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      metadata: {},
      spec: { user: who.user, groups: who.groups, ...attributes },
    },
  );
  return (review as { status?: { allowed?: boolean } }).status?.allowed === true;
}

/** undefined when allowed; otherwise the code and message to answer with. */
async function authorize(
  client: RestClient,
  req: IncomingMessage,
  path: string,
): Promise<{ code: number; message: string } | undefined> {
  const who = clientCertificateUser(req);
  if (!who) return { code: 401, message: "Unauthorized" };
  const verb = (req.method ?? "GET").toLowerCase();
  if (await subjectAccessAllowed(client, who, { nonResourceAttributes: { path, verb } })) return undefined;
  return { code: 403, message: `forbidden: User "${who.user}" cannot ${verb} path "${path}"` };
}

export async function startSecureServer(o: SecureServerOptions): Promise<SecureServer> {
  const { serving } = o;
  const server = createServer(
    { cert: serving.cert, key: serving.key, ca: serving.ca, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const send = (r: SecureResponse) => {
        res.writeHead(r.code, { "Content-Type": r.type });
        res.end(r.body);
      };
      const url = parseTarget(req.url);
      if (!url)
        return send({ code: 400, type: "text/plain", body: "400 Bad Request: invalid request target\n" });
      void (async () => {
        if (HEALTH_PATHS.has(url.pathname)) {
          const ok = o.health?.() ?? true;
          return send({ code: ok ? 200 : 500, type: "text/plain", body: ok ? "ok" : "unhealthy" });
        }
        const denied = await authorize(o.client, req, url.pathname).catch((e: Error) => ({
          code: 500,
          message: `authorization failed: ${e.message}`,
        }));
        if (denied) return send({ code: denied.code, type: "text/plain", body: `${denied.message}\n` });
        send((await o.handle(url)) ?? { code: 404, type: "text/plain", body: "404 page not found\n" });
      })().catch((e: Error) => send({ code: 500, type: "text/plain", body: `${e.message}\n` }));
    },
  );
  const close = closeAtOnce(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(serving.port, serving.host, () => resolve());
  });
  const addr = server.address();
  const port = addr && typeof addr === "object" ? addr.port : serving.port;
  return {
    url: `https://${serving.host}:${port}`,
    close,
  };
}
