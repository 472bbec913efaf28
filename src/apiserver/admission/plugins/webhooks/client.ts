// Calling a webhook (upstream's util/webhook ClientManager + the REST client
// it builds): an HTTPS POST of JSON over HTTP/1.1, the server verified with the
// webhook's caBundle (the system roots without one), `?timeout=Ns` telling the
// webhook its deadline. Errors read as Go's net/http and client-go word them,
// since they end up in the Status the user sees:
//   Post "https://127.0.0.1:9443/validate?timeout=10s": dial tcp 127.0.0.1:9443: connect: connection refused
// A service reference is called at https://<name>.<namespace>.svc:<port><path>
// (the URL and TLS server name upstream uses) but dialled at the address the
// service resolver gives: upstream kube-apiserver's default resolves the
// service's ClusterIP.
import { Agent, request } from "node:https";
import { posix } from "node:path";
import type { WebhookClientConfig } from "kubernetes-types/admissionregistration/v1.d.ts";
import { goQuote } from "../../../../machinery/field-errors.ts";
import {
  makeStatus,
  type StatusDetails,
  StatusError,
  type StatusReason,
} from "../../../../machinery/status.ts";
import { ErrCallingWebhook } from "./errors.ts";

/** Where to dial a service's port; throws (e.g. `service "x" not found`) when it cannot be reached. */
export type ServiceResolver = (
  namespace: string,
  name: string,
  port: number,
) => Promise<{ host: string; port: number }>;

/** A failed POST: the error text (Go's), and the Status a non-2xx answer carried. */
export class WebhookCallError extends Error {
  constructor(
    message: string,
    readonly status?: StatusError,
  ) {
    super(message);
    this.name = "WebhookCallError";
  }
}

/** client-go's maxUnstructuredResponseTextBytes. */
const MAX_UNSTRUCTURED_RESPONSE_TEXT = 2048;
const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

interface Target {
  scheme: string;
  /** The URL's host[:port] as written: Go keeps an explicit ":443" in the URL it reports. */
  authority: string;
  path: string;
  /** Where to connect. */
  dial: () => Promise<{ host: string; port: number }>;
  /** TLS server name, when it is not the host dialled. */
  servername?: string;
}

/** time.Duration.String() for whole seconds. */
function goSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${s % 60}s` : `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

/** The REST client's path: path.Join("/", apiPath), which drops a trailing slash. */
function joinPath(p: string | undefined): string {
  const joined = posix.normalize(`/${p ?? ""}`);
  return joined.length > 1 && joined.endsWith("/") ? joined.slice(0, -1) : joined;
}

/** errors.NewGenericServerResponse for a webhook's non-2xx answer without a Status body. */
export function genericServerResponse(code: number, serverMessage: string): StatusError {
  let reason: StatusReason = "";
  let message = `the server responded with the status code ${code} but did not return more information`;
  switch (code) {
    case 409:
      reason = "AlreadyExists";
      message = "the server reported a conflict";
      break;
    case 404:
      reason = "NotFound";
      message = "the server could not find the requested resource";
      break;
    case 400:
      reason = "BadRequest";
      message = "the server rejected our request for an unknown reason";
      break;
    case 401:
      reason = "Unauthorized";
      message = "the server has asked for the client to provide credentials";
      break;
    case 403:
      reason = "Forbidden";
      message = serverMessage;
      break;
    case 406:
      reason = "NotAcceptable";
      message =
        serverMessage === "" || serverMessage === "unknown"
          ? "the server was unable to respond with a content type that the client supports"
          : serverMessage;
      break;
    case 415:
      reason = "UnsupportedMediaType";
      message = serverMessage;
      break;
    case 405:
      reason = "MethodNotAllowed";
      message = "the server does not allow this method on the requested resource";
      break;
    case 422:
      reason = "Invalid";
      message = "the server rejected our request due to an error in our request";
      break;
    case 503:
      reason = "ServiceUnavailable";
      message = "the server is currently unable to handle the request";
      break;
    case 504:
      reason = "Timeout";
      message =
        "the server was unable to return a response in the time allotted, but may still be processing the request";
      break;
    case 429:
      reason = "TooManyRequests";
      message = "the server has received too many requests and has asked us to try again later";
      break;
    default:
      if (code >= 500) {
        reason = "InternalError";
        message = `an error on the server (${goQuote(serverMessage)}) has prevented the request from succeeding`;
      }
  }
  return new StatusError(
    makeStatus({
      status: "Failure",
      code,
      reason,
      message,
      details: { causes: [{ reason: "UnexpectedServerResponse", message: serverMessage }] },
    }),
  );
}

function isTextResponse(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return contentType.trim().toLowerCase().startsWith("text/");
}

/** The transport error as Go's net/http would word it (the part after `Post "<url>": `). */
function goTransportError(
  e: NodeJS.ErrnoException & { host?: string; hostname?: string; address?: string; port?: number },
): string {
  switch (e.code) {
    case "ECONNREFUSED":
      return `dial tcp ${e.address}:${e.port}: connect: connection refused`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `dial tcp: lookup ${e.hostname ?? e.host ?? ""}: no such host`;
    case "EHOSTUNREACH":
      return `dial tcp ${e.address}:${e.port}: connect: no route to host`;
    case "ENETUNREACH":
      return `dial tcp ${e.address}:${e.port}: connect: network is unreachable`;
    case "ECONNRESET":
      return "EOF";
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
      return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
    case "CERT_HAS_EXPIRED":
    case "CERT_NOT_YET_VALID":
      return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid";
    case "ERR_TLS_CERT_ALTNAME_INVALID": {
      const cert = (e as { cert?: { subjectaltname?: string } }).cert;
      const names = (cert?.subjectaltname ?? "")
        .split(", ")
        .map((n) => n.replace(/^(DNS|IP Address):/, ""))
        .filter(Boolean);
      const host = (e as { host?: string }).host ?? "";
      return `tls: failed to verify certificate: x509: certificate is valid for ${names.join(", ")}, not ${host}`;
    }
    default:
      return e.message;
  }
}

export interface WebhookClientOptions {
  serviceResolver?: ServiceResolver;
}

export class WebhookClient {
  /** One keep-alive pool for every webhook; the TLS options key its connections. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 100 });

  constructor(private readonly opts: WebhookClientOptions = {}) {}

  close(): void {
    this.agent.destroy();
  }

  /** HookClient: where a client config points; throws ErrCallingWebhook for a config that points nowhere. */
  private target(webhookName: string, cc: WebhookClientConfig): Target {
    const svc = cc.service;
    if (svc) {
      const port = svc.port || 443;
      const serverName = `${svc.name}.${svc.namespace}.svc`;
      const resolver = this.opts.serviceResolver;
      return {
        scheme: "https",
        authority: `${serverName}:${port}`,
        path: joinPath(svc.path),
        servername: serverName,
        dial: resolver
          ? () => resolver(svc.namespace, svc.name, port)
          : () => Promise.resolve({ host: serverName, port }),
      };
    }
    if (!cc.url) {
      throw new ErrCallingWebhook(webhookName, "webhook configuration must have either service or URL");
    }
    let url: URL;
    try {
      url = new URL(cc.url);
    } catch (e) {
      throw new ErrCallingWebhook(webhookName, `Unparsable URL: ${(e as Error).message}`);
    }
    const authority = /^[^:]+:\/\/([^/?#]*)/.exec(cc.url)?.[1] ?? url.host;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port) || 443;
    return {
      scheme: url.protocol.slice(0, -1),
      authority,
      path: joinPath(url.pathname),
      dial: () => Promise.resolve({ host, port }),
    };
  }

  /**
   * POSTs `body` and returns the decoded JSON answer. Throws ErrCallingWebhook
   * when the config is unusable, else WebhookCallError with Go's wording.
   */
  async post(
    webhookName: string,
    cc: WebhookClientConfig,
    body: unknown,
    timeoutSeconds: number,
  ): Promise<unknown> {
    const t = this.target(webhookName, cc);
    const query = `?timeout=${goSeconds(timeoutSeconds)}`;
    const urlText = `${t.scheme}://${t.authority}${t.path}${query}`;
    const fail = (msg: string, status?: StatusError): never => {
      throw new WebhookCallError(`Post ${goQuote(urlText)}: ${msg}`, status);
    };
    const deadline = Date.now() + timeoutSeconds * 1000;
    if (t.scheme !== "https") return fail(`unsupported protocol scheme ${goQuote(t.scheme)}`);
    let dial: { host: string; port: number };
    try {
      dial = await t.dial();
    } catch (e) {
      return fail((e as Error).message);
    }
    const ca = cc.caBundle ? Buffer.from(cc.caBundle, "base64").toString("utf8") : undefined;
    const payload = Buffer.from(JSON.stringify(body));
    const res = await new Promise<{ status: number; contentType?: string; body: Buffer }>(
      (resolve, reject) => {
        const req = request({
          host: dial.host,
          port: dial.port,
          method: "POST",
          path: `${t.path}${query}`,
          servername: t.servername,
          ca,
          agent: this.agent,
          headers: {
            host: t.authority,
            "content-type": "application/json",
            accept: "application/json, */*",
            "user-agent": "kube-apiserver-admission",
            "content-length": String(payload.length),
          },
        });
        const timer = setTimeout(
          () => req.destroy(Object.assign(new Error("context deadline exceeded"), { code: "DEADLINE" })),
          Math.max(0, deadline - Date.now()),
        );
        req.on("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
        req.on("response", (r) => {
          const chunks: Buffer[] = [];
          let size = 0;
          r.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy(new Error("the response from the webhook is too large"));
              return;
            }
            chunks.push(c);
          });
          r.on("end", () => {
            clearTimeout(timer);
            resolve({
              status: r.statusCode ?? 0,
              contentType: r.headers["content-type"],
              body: Buffer.concat(chunks),
            });
          });
          r.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
          });
        });
        req.end(payload);
      },
    ).catch((e: NodeJS.ErrnoException) => fail(e.code === "DEADLINE" ? e.message : goTransportError(e)));

    if (res.status < 200 || res.status > 206) {
      // client-go prefers a Status the server sent; otherwise it makes one from the code.
      let status: StatusError | undefined;
      try {
        const s = JSON.parse(res.body.toString("utf8"));
        if (s && s.kind === "Status" && s.status === "Failure") {
          status = new StatusError(
            makeStatus({
              status: "Failure",
              message: s.message,
              reason: s.reason,
              details: s.details as StatusDetails | undefined,
              code: s.code || res.status,
            }),
          );
        }
      } catch {
        // not a Status
      }
      if (!status) {
        const text = isTextResponse(res.contentType)
          ? res.body.subarray(0, MAX_UNSTRUCTURED_RESPONSE_TEXT).toString("utf8").trim()
          : "unknown";
        status = genericServerResponse(res.status, text);
      }
      throw new WebhookCallError(status.message, status);
    }
    if (res.body.length === 0) {
      throw new WebhookCallError(
        `0-length response with status code: ${res.status} and content type: ${res.contentType ?? ""}`,
      );
    }
    try {
      return JSON.parse(res.body.toString("utf8"));
    } catch (e) {
      throw new WebhookCallError(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
}
