// How the apiserver reaches a node's kubelet (upstream's
// pkg/kubelet/client NodeConnectionInfoGetter): the node's preferred address
// and kubelet port from its status, and the client certificate the apiserver
// presents (kube-apiserver-kubelet-client, issued from the cluster CA at
// start). The kubelet's serving certificate is verified with the same CA.
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { kubeletPort, preferredNodeAddress } from "../../api/node-address.ts";
import { newBadRequest, newServiceUnavailable } from "../../machinery/status.ts";
import type { CertificateAuthority } from "../certs.ts";
import type { Registry } from "./index.ts";

/** The user the apiserver calls kubelets as (kubeadm's apiserver-kubelet-client.crt). */
export const KUBELET_CLIENT_USER = "kube-apiserver-kubelet-client";

export interface KubeletClientConfig {
  cert: string;
  key: string;
  /** The CA that signed the kubelets' serving certificates. */
  ca: string;
}

/** Issues the apiserver's kubelet client certificate (--kubelet-client-certificate). */
export async function issueKubeletClient(ca: CertificateAuthority): Promise<KubeletClientConfig> {
  const cred = await ca.issueClient(KUBELET_CLIENT_USER);
  return { cert: cred.cert, key: cred.key, ca: ca.certPem };
}

/** Where a kubelet listens: ConnectionInfo's Hostname and Port (the scheme is always https). */
export interface KubeletLocation {
  host: string;
  port: number;
}

/** The node's address for the kubelet (GetPreferredNodeAddress, InternalIP first) and its port. */
export function kubeletLocation(node: Node): KubeletLocation {
  const addr = preferredNodeAddress(node);
  if (!addr) {
    const known = (node.status?.addresses ?? []).map((a) => `{${a.type} ${a.address}}`).join(" ");
    throw newBadRequest(`no preferred addresses found; known addresses: [${known}]`);
  }
  const port = kubeletPort(node);
  if (port === undefined)
    throw newServiceUnavailable(
      `node ${JSON.stringify(node.metadata?.name)} serves no kubelet API (daemonEndpoints.kubeletEndpoint.Port is 0: a hollow node)`,
    );
  return { host: addr, port };
}

/** GetConnectionInfo: the named node's kubelet; a 404 when the node does not exist. */
export async function nodeConnectionInfo(registry: Registry, nodeName: string): Promise<KubeletLocation> {
  const nodes = registry.byResource("", "v1", "nodes")!;
  const node = (await nodes.get(undefined, nodeName)) as Node;
  return kubeletLocation(node);
}
