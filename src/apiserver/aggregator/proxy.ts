// Requests for a group-version an APIService sends to a service go there, as
// kube-aggregator's proxy handler sends them: after this apiserver has
// authenticated and authorized them, over TLS with the aggregator's client
// certificate, the user named in X-Remote-User, -Group and -Extra-* (what an
// extension apiserver's request-header authentication reads).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Obj } from "../../api/registry.ts";
import { newServiceUnavailable } from "../../machinery/status.ts";
import type { UserInfo } from "../authentication/user.ts";
import { proxyUpgradeAware } from "../registry/upgrade-aware-proxy.ts";
import type { APIServiceController } from "./apiservice-controller.ts";

export async function proxyToAPIService(
  req: IncomingMessage,
  res: ServerResponse,
  o: {
    controller: APIServiceController;
    apiservice: Obj;
    user: UserInfo;
    proxyClient?: { cert: string; key: string };
  },
): Promise<void> {
  if (!o.controller.isAvailable(o.apiservice)) throw newServiceUnavailable("service unavailable");
  const ep = await o.controller.endpoint(o.apiservice);
  if ("reason" in ep) throw newServiceUnavailable("service unavailable");
  const headers: Record<string, string | string[]> = { "x-remote-user": o.user.name };
  if (o.user.groups.length > 0) headers["x-remote-group"] = o.user.groups;
  for (const [k, v] of Object.entries(o.user.extra ?? {}))
    headers[`x-remote-extra-${encodeURIComponent(k)}`] = v;
  await proxyUpgradeAware(
    req,
    res,
    {
      scheme: "https",
      host: ep.host,
      port: ep.port,
      path: req.url ?? "/",
      tls: { cert: o.proxyClient?.cert, key: o.proxyClient?.key, ca: ep.ca, servername: ep.servername },
      insecure: ep.insecure,
      headers,
    },
    { upgradeRequired: false },
  );
}
