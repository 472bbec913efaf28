// pods/exec, pods/attach and pods/portforward (upstream's ExecREST,
// AttachREST and PortForwardREST in pkg/registry/core/pod/rest/subresources.go,
// with ExecLocation, AttachLocation and PortForwardLocation from the pod
// strategy): the options from the query, the container, the pod's node and its
// kubelet, then an upgrade-aware proxy to the kubelet's /exec, /attach or
// /portForward. The kubelet terminates the WebSocket or SPDY stream itself.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { newBadRequest, newForbidden, newInternalError } from "../../machinery/status.ts";
import type { Attributes, Authorizer } from "../authorization/authorizer.ts";
import type { SubresourceHandler, VirtualContext } from "../handlers/rest.ts";
import type { Registry } from "./index.ts";
import { type KubeletClientConfig, nodeConnectionInfo } from "./kubelet-connection.ts";
import { defaultContainer } from "./pod-log.ts";
import { proxyUpgradeAware } from "./upgrade-aware-proxy.ts";

/**
 * The kubelet's query parameter names (k8s.io/api/core/v1 ExecStdinParam,
 * ExecStdoutParam, ExecStderrParam, ExecTTYParam, PortHeader): the apiserver
 * turns PodExecOptions' stdin=true into input=1, as streamParams does.
 */
export const KUBELET_STREAM_PARAMS = {
  stdin: "input",
  stdout: "output",
  stderr: "error",
  tty: "tty",
  ports: "port",
} as const;

export interface PodConnectOptions {
  registry: Registry;
  /** The apiserver's kubelet client certificate (shared with pods/log). */
  kubeletClient: Promise<KubeletClientConfig>;
  /** The server's authorizer: a GET (WebSocket) must be allowed "create" too. */
  authorizer: Authorizer;
}

/** runtime.Convert_Slice_string_To_bool: absent, "0" and "false" are false; any other value is true. */
function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === "0" || v.toLowerCase() === "false");
}

/** metav1.Convert_Slice_string_To_Slice_int32: repeated or comma-separated ports. */
function queryPorts(q: URLSearchParams): number[] {
  const ports: number[] = [];
  for (const value of q.getAll("ports")) {
    for (const v of value.split(",")) {
      if (!/^\d+$/.test(v))
        throw newBadRequest(
          `cannot convert to []int32: strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`,
        );
      const n = Number(v);
      if (n > 65535)
        throw newBadRequest(
          `cannot convert to []int32: strconv.ParseUint: parsing ${JSON.stringify(v)}: value out of range`,
        );
      ports.push(n);
    }
  }
  return ports;
}

/** Go's url.QueryEscape: only A-Z a-z 0-9 - _ . ~ stay, a space becomes "+". */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** url.Values.Encode: keys sorted, each key's values in order. */
function encodeValues(values: [string, string][]): string {
  const keys = [...new Set(values.map(([k]) => k))].sort();
  return keys
    .flatMap((k) => values.filter(([key]) => key === k).map(([, v]) => `${queryEscape(k)}=${queryEscape(v)}`))
    .join("&");
}

/** streamParams for exec and attach: the streams as "1", then exec's command. */
function streamParams(q: URLSearchParams, withCommand: boolean): [string, string][] {
  const params: [string, string][] = [];
  for (const o of ["stdin", "stdout", "stderr", "tty"] as const) {
    if (queryBool(q, o)) params.push([KUBELET_STREAM_PARAMS[o], "1"]);
  }
  if (withCommand) for (const c of q.getAll("command")) params.push(["command", c]);
  return params;
}

/**
 * ensureAuthorizedForVerb (AuthorizePodWebsocketUpgradeCreatePermission):
 * kubectl's WebSocket exec is a GET, authorized as "get"; the permission that
 * counts for running commands is "create", so a GET is checked for it too.
 */
async function ensureAuthorizedForCreate(authorizer: Authorizer, ctx: VirtualContext): Promise<void> {
  const { info } = ctx;
  if (info.verb === "create") return;
  const a: Attributes = {
    user: ctx.user,
    verb: "create",
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    namespace: info.namespace,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
  };
  const r = await authorizer.authorize(a);
  if (r.decision !== "Allow")
    throw newForbidden({ group: info.apiGroup, resource: info.resource }, info.name, r.reason);
}

type ConnectKind = "exec" | "attach" | "portforward";

function connectHandler(kind: ConnectKind, o: PodConnectOptions): SubresourceHandler {
  return async (req, res, ctx) => {
    await ensureAuthorizedForCreate(o.authorizer, ctx);
    const ns = ctx.info.namespace ?? "";
    const name = ctx.info.name ?? "";
    const q = ctx.query;
    // The options decode before the pod is read, as the REST handler decodes them first.
    const ports = kind === "portforward" ? queryPorts(q) : [];
    const pod = (await ctx.store.get(ns, name)) as Pod;
    const container = kind === "portforward" ? "" : defaultContainer(pod, q.get("container") ?? "");
    const nodeName = pod.spec?.nodeName ?? "";
    if (nodeName === "") throw newBadRequest(`pod ${name} does not have a host assigned`);
    const { host, port } = await nodeConnectionInfo(o.registry, nodeName);
    let path: string;
    let params: [string, string][];
    if (kind === "portforward") {
      path = `/portForward/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;
      params = ports.length > 0 ? [[KUBELET_STREAM_PARAMS.ports, ports.join(",")]] : [];
    } else {
      path = `/${kind}/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
      params = streamParams(q, kind === "exec");
    }
    const query = encodeValues(params);
    const tls = await o.kubeletClient.catch((e) => {
      throw newInternalError(e);
    });
    await proxyUpgradeAware(
      req,
      res,
      { scheme: "https", host, port, path: query ? `${path}?${query}` : path, tls },
      { upgradeRequired: true },
    );
  };
}

/** The handlers for RestOptions.subresources: "/pods/exec", "/pods/attach", "/pods/portforward". */
export function podConnectHandlers(o: PodConnectOptions): [string, SubresourceHandler][] {
  return [
    ["/pods/exec", connectHandler("exec", o)],
    ["/pods/attach", connectHandler("attach", o)],
    ["/pods/portforward", connectHandler("portforward", o)],
  ];
}
