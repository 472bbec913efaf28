// One HTTPS GET read whole: how the aggregator asks an extension apiserver for
// its discovery, and how metrics-server scrapes a kubelet. Any status
// resolves; the callers judge it.
import { type RequestOptions, request } from "node:https";

export interface HttpsAnswer {
  status: number;
  body: string;
}

/** Rejects when the connection fails, or with `timeoutError()` when nothing arrives within `timeout` ms. */
export function httpsGet(
  options: RequestOptions & { timeout: number },
  timeoutError: () => Error,
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ ...options, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(timeoutError()));
    req.on("error", reject);
    req.end();
  });
}
