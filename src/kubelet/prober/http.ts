// httpGet probes (pkg/probe/http): a GET to the pod IP (or host), success for
// 200-399; redirects followed only to the same host, else reported as a
// warning; no keep-alive, no certificate checks, as upstream's prober client.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Container, HTTPGetAction } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import { joinHostPort, resolveContainerPort } from "./port.ts";
import { maxProbeOutput, type ProbeOutcome, probeUserAgent } from "./result.ts";

export interface ProbeRequest {
  url: URL;
  /** Canonical header names (Go's http.Header), each with its values. */
  headers: Map<string, string[]>;
}

/** Go's textproto.CanonicalMIMEHeaderKey: "x-custom-header" → "X-Custom-Header". */
export function canonicalHeaderKey(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(name)) return name;
  return name
    .split("-")
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1).toLowerCase() : p))
    .join("-");
}

/** NewRequestForHTTPGetAction: the URL and headers of an httpGet probe. Throws when the port cannot be resolved. */
export function newRequestForHTTPGetAction(
  action: HTTPGetAction,
  container: Container,
  podIP: string,
): ProbeRequest {
  const scheme = (action.scheme ?? "").toLowerCase() || "http";
  const host = action.host || podIP;
  const port = resolveContainerPort(action.port, container);
  const path = action.path ?? "";
  const url = new URL(`${scheme}://${joinHostPort(host, port)}`);
  if (path) {
    const rel = new URL(path.startsWith("/") ? path : `/${path}`, "http://x");
    url.pathname = rel.pathname;
    url.search = rel.search;
  }
  const headers = new Map<string, string[]>();
  for (const h of action.httpHeaders ?? []) {
    const key = canonicalHeaderKey(h.name);
    headers.set(key, [...(headers.get(key) ?? []), h.value]);
  }
  if (!headers.has("User-Agent")) headers.set("User-Agent", [probeUserAgent]);
  if (!headers.has("Accept")) headers.set("Accept", ["*/*"]);
  else if ((headers.get("Accept") ?? [])[0] === "") headers.delete("Accept");
  return { url, headers };
}

/** Go's url.String() as http errors quote it: no trailing "/" for an empty path. */
function goURL(url: URL): string {
  const s = url.toString();
  return url.pathname === "/" && !url.search && !s.endsWith("//") ? s.replace(/\/$/, "") : s;
}

/** The text Go's net package gives for a failed dial. */
export function dialErrorText(network: string, addr: string, err: NodeJS.ErrnoException): string {
  const op = `dial ${network} ${addr}`;
  switch (err.code) {
    case "ECONNREFUSED":
      return `${op}: connect: connection refused`;
    case "EHOSTUNREACH":
      return `${op}: connect: no route to host`;
    case "ENETUNREACH":
      return `${op}: connect: network is unreachable`;
    case "ECONNRESET":
      return `read tcp ${addr}: read: connection reset by peer`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${op}: lookup ${addr.replace(/:\d+$/, "")}: no such host`;
    default:
      return `${op}: ${err.message}`;
  }
}

class Timeout extends Error {}

interface Response {
  status: number;
  location?: string;
  body: string;
}

function get(url: URL, headers: Map<string, string[]>, timeoutMs: number, clock: Clock): Promise<Response> {
  return new Promise((resolve, reject) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of headers) if (k !== "Host") out[k] = v.length === 1 ? v[0] : v;
    const hostHeader = headers.get("Host")?.[0];
    if (hostHeader) out.Host = hostHeader;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      cancelTimer();
      fn();
    };
    const req = send(url, { method: "GET", headers: out, agent: false, rejectUnauthorized: false });
    const cancelTimer = clock.after(timeoutMs, () => {
      finish(() => reject(new Timeout()));
      req.destroy();
    });
    req.on("error", (err) => finish(() => reject(err)));
    req.on("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        finish(() => {
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: Buffer.concat(chunks).subarray(0, maxProbeOutput).toString("utf8"),
          });
          res.destroy();
        });
      res.on("data", (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        // A body past the limit is truncated, which upstream treats as non-fatal.
        if (size >= maxProbeOutput) done();
      });
      res.on("end", done);
      res.on("error", (err) => finish(() => reject(err)));
    });
    req.end();
  });
}

/** DoHTTPProbe with upstream's redirect policy. Never throws: errors are failures with Go's text. */
export async function httpProbe(req: ProbeRequest, timeoutMs: number, clock: Clock): Promise<ProbeOutcome> {
  let url = req.url;
  const firstHost = url.hostname;
  for (let redirects = 0; ; redirects++) {
    let res: Response;
    try {
      res = await get(url, req.headers, timeoutMs, clock);
    } catch (e) {
      const what = `Get "${goURL(url)}"`;
      if (e instanceof Timeout) {
        return {
          result: "failure",
          output: `${what}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        };
      }
      const addr = joinHostPort(url.hostname.replace(/^\[|\]$/g, ""), Number(url.port) || defaultPort(url));
      return {
        result: "failure",
        output: `${what}: ${dialErrorText("tcp", addr, e as NodeJS.ErrnoException)}`,
      };
    }
    if (res.status >= 300 && res.status < 400 && res.location) {
      const next = new URL(res.location, url);
      // Only redirects to the same host are followed (followNonLocalRedirects=false).
      if (next.hostname === firstHost) {
        if (redirects + 1 >= 10)
          return { result: "failure", output: `Get "${goURL(next)}": stopped after 10 redirects` };
        url = next;
        continue;
      }
    }
    if (res.status >= 200 && res.status < 400) {
      if (res.status >= 300) {
        return { result: "warning", output: `Probe terminated redirects, Response body: ${res.body}` };
      }
      return { result: "success", output: res.body };
    }
    // Upstream keeps the body out of the user-facing message (issue 99425).
    return { result: "failure", output: `HTTP probe failed with statuscode: ${res.status}` };
  }
}

function defaultPort(url: URL): number {
  return url.protocol === "https:" ? 443 : 80;
}
