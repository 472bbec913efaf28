// One HTTPS request to an apiserver (or an extension apiserver) as one user, for tests that look at codes,
// headers and Status bodies the typed client would turn into exceptions: a
// JSON body (a string goes as it is, for YAML), the answer parsed when it is JSON.
import type { IncomingHttpHeaders } from "node:http";
import { request } from "node:https";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of any kind
type Obj = Record<string, any>;

export interface ApiTarget {
  url: string;
  ca: string;
  /** The client certificate; none for requests that carry a token or nothing. */
  cert?: string;
  key?: string;
}

export interface ApiAnswer {
  code: number;
  /** The parsed JSON answer, or {} when there is none or it is not JSON. */
  body: Obj;
  text: string;
  headers: IncomingHttpHeaders;
}

export function apiCall(
  target: ApiTarget,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${target.url}${path}`,
      {
        method,
        ca: target.ca,
        cert: target.cert,
        key: target.key,
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: Obj = {};
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {}
          resolve({ code: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
        });
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body));
  });
}
