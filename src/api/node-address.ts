// Where a node's kubelet is reached (upstream's GetPreferredNodeAddress with the
// apiserver's default --kubelet-preferred-address-types, and the port in
// daemonEndpoints): for the apiserver's connections and metrics-server's scrapes.
import type { Node } from "kubernetes-types/core/v1.d.ts";

export const PREFERRED_ADDRESS_TYPES = ["InternalIP", "Hostname", "ExternalIP"];

/** The node's preferred address, InternalIP first; undefined when it has none of those types. */
export function preferredNodeAddress(node: Node): string | undefined {
  const addrs = node.status?.addresses ?? [];
  return PREFERRED_ADDRESS_TYPES.map((t) => addrs.find((a) => a.type === t)?.address).find(
    (a) => a !== undefined,
  );
}

/**
 * The kubelet's port: 10250 when the node does not say, as upstream; undefined
 * when it says 0, a kubelet that serves nothing (k8ts's hollow nodes), whose
 * address must not be dialled at all.
 */
export function kubeletPort(node: Node): number | undefined {
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (port === 0) return undefined;
  return port ?? 10250;
}
