// pods/log (upstream's pkg/registry/core/pod/rest/log.go and the pod
// strategy's LogLocation): validate the options, default the container, find
// the pod's node and its kubelet (kubelet-connection.ts), and stream
// GET /containerLogs/… from it, chunk by chunk.
import type { IncomingMessage, ServerResponse } from "node:http";
import { request } from "node:https";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import {
  makeStatus,
  newBadRequest,
  newInternalError,
  StatusError,
  StatusReason,
} from "../../machinery/status.ts";
import type { SubresourceHandler } from "../handlers/rest.ts";
import type { Registry } from "./index.ts";
import { type KubeletClientConfig, nodeConnectionInfo } from "./kubelet-connection.ts";

const LOG_PARAMS = [
  "follow",
  "previous",
  "timestamps",
  "sinceSeconds",
  "sinceTime",
  "tailLines",
  "limitBytes",
];

/** validateContainer: the named container, or the only one; otherwise a 400 naming the choices. */
export function defaultContainer(pod: Pod, container: string): string {
  const spec = pod.spec;
  const name = pod.metadata?.name ?? "";
  const all = [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ];
  if (container === "") {
    const containers = spec?.containers ?? [];
    if (containers.length === 1) return containers[0]!.name;
    if (containers.length === 0) throw newBadRequest(`a container name must be specified for pod ${name}`);
    throw newBadRequest(
      `a container name must be specified for pod ${name}, choose one of: [${all.map((c) => c.name).join(" ")}]`,
    );
  }
  if (!all.some((c) => c.name === container)) {
    throw newBadRequest(`container ${container} is not valid for pod ${name}`);
  }
  return container;
}

/** ValidatePodLogOptions, its messages as upstream's field errors. */
function validateLogOptions(q: URLSearchParams, name: string): void {
  const errs: string[] = [];
  const int = (p: string) => (q.get(p) ? Number(q.get(p)) : undefined);
  const tail = int("tailLines");
  if (tail !== undefined && tail < 0)
    errs.push(`tailLines: Invalid value: ${tail}: must be greater than or equal to 0`);
  const limit = int("limitBytes");
  if (limit !== undefined && limit < 1)
    errs.push(`limitBytes: Invalid value: ${limit}: must be greater than 0`);
  const since = int("sinceSeconds");
  if (since !== undefined && since < 1)
    errs.push(`sinceSeconds: Invalid value: ${since}: must be greater than 0`);
  if (since !== undefined && q.get("sinceTime"))
    errs.push("sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
  if (errs.length > 0) {
    const list = errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`;
    throw new StatusError(
      makeStatus({
        status: "Failure",
        code: 422,
        reason: StatusReason.Invalid,
        message: `PodLogOptions ${JSON.stringify(name)} is invalid: ${list}`,
      }),
    );
  }
}

/** GenericHttpResponseChecker: a kubelet's non-2xx answer as a Status. */
function kubeletError(code: number, body: string, podName: string): StatusError {
  if (code === 500) return newInternalError(body);
  if (code === 400) return newBadRequest(body);
  const reason =
    code === 404
      ? StatusReason.NotFound
      : code === 403
        ? StatusReason.Forbidden
        : code === 401
          ? StatusReason.Unauthorized
          : StatusReason.Unknown;
  return new StatusError(
    makeStatus({
      status: "Failure",
      code,
      reason,
      message: `${body.trim()} (get pods/log ${podName})`,
      details: { kind: "pods/log", name: podName },
    }),
  );
}

export interface PodLogOptions {
  registry: Registry;
  /** The client certificate, issued at start (a promise so start need not wait for it). */
  kubeletClient: Promise<KubeletClientConfig>;
}

/** The pods/log handler for RestOptions.subresources ("/pods/log"). */
export function podLogHandler(o: PodLogOptions): SubresourceHandler {
  return async (req, res, ctx) => {
    const ns = ctx.info.namespace ?? "";
    const name = ctx.info.name ?? "";
    const q = ctx.query;
    const pod = (await ctx.store.get(ns, name)) as Pod;
    validateLogOptions(q, name);
    const container = defaultContainer(pod, q.get("container") ?? "");
    const nodeName = pod.spec?.nodeName ?? "";
    // Not yet scheduled: upstream's LogLocation has no location and streams nothing.
    if (nodeName === "") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end();
      return;
    }
    const { host, port } = await nodeConnectionInfo(o.registry, nodeName);
    const params = new URLSearchParams();
    for (const p of LOG_PARAMS) {
      const v = q.get(p);
      if (v !== null && v !== "") params.set(p, v);
    }
    const path = `/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}${params.size > 0 ? `?${params}` : ""}`;
    await proxyLogs(req, res, { host, port, path, client: await o.kubeletClient, podName: name });
  };
}

function proxyLogs(
  req: IncomingMessage,
  res: ServerResponse,
  t: { host: string; port: number; path: string; client: KubeletClientConfig; podName: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      {
        host: t.host,
        port: t.port,
        path: t.path,
        method: "GET",
        cert: t.client.cert,
        key: t.client.key,
        ca: t.client.ca,
        // A long follow must not be cut by an idle agent socket.
        agent: false,
      },
      (kres) => {
        const code = kres.statusCode ?? 500;
        if (code < 200 || code > 206) {
          let body = "";
          kres.setEncoding("utf8");
          kres.on("data", (d: string) => {
            if (body.length < 1 << 16) body += d;
          });
          kres.on("end", () => reject(kubeletError(code, body, t.podName)));
          kres.on("error", (e) => reject(newInternalError(e)));
          return;
        }
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.flushHeaders();
        kres.on("data", (chunk: Buffer) => res.write(chunk));
        kres.on("end", () => {
          res.end();
          resolve();
        });
        kres.on("error", () => {
          res.end();
          resolve();
        });
      },
    );
    // The client went: stop the kubelet's stream too.
    const abort = () => upstream.destroy();
    req.on("close", abort);
    res.on("close", abort);
    upstream.on("error", (e) => {
      if (res.headersSent) {
        res.end();
        resolve();
      } else reject(newInternalError(e));
    });
    upstream.end();
  });
}
