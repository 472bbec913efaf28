// The kubelet-managed /etc/hosts of a pod (upstream's ensureHostsFile,
// managedHostsFileContent and nodeHostsFileContent, pkg/kubelet/kubelet_pods.go,
// v1.32): written as <pod dir>/etc-hosts and bind-mounted at /etc/hosts in each
// container once the pod has an IP. A host-network pod gets the node's file.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Container, HostAlias } from "kubernetes-types/core/v1.d.ts";
import type { Mount } from "../runtime/interface.ts";

export const ETC_HOSTS_PATH = "/etc/hosts";
const MANAGED_HOSTS_HEADER = "# Kubernetes-managed hosts file.\n";
const MANAGED_HOSTS_HEADER_WITH_HOST_NETWORK = "# Kubernetes-managed hosts file (host network).\n";

/** hostsEntriesFromHostAliases: one line per alias IP, names tab-separated. */
export function hostsEntriesFromHostAliases(hostAliases: readonly HostAlias[] | undefined): string {
  if (!hostAliases || hostAliases.length === 0) return "";
  let out = "\n# Entries added by HostAliases.\n";
  for (const a of hostAliases) out += `${a.ip}\t${(a.hostnames ?? []).join("\t")}\n`;
  return out;
}

/** managedHostsFileContent: localhost lines, then each pod IP with the hostname (FQDN first with a subdomain). */
export function managedHostsFileContent(
  hostIPs: readonly string[],
  hostName: string,
  hostDomainName: string,
  hostAliases?: readonly HostAlias[],
): string {
  let out = MANAGED_HOSTS_HEADER;
  out += "127.0.0.1\tlocalhost\n";
  out += "::1\tlocalhost ip6-localhost ip6-loopback\n";
  out += "fe00::0\tip6-localnet\n";
  out += "fe00::0\tip6-mcastprefix\n";
  out += "fe00::1\tip6-allnodes\n";
  out += "fe00::2\tip6-allrouters\n";
  for (const ip of hostIPs) {
    out += hostDomainName ? `${ip}\t${hostName}.${hostDomainName}\t${hostName}\n` : `${ip}\t${hostName}\n`;
  }
  return out + hostsEntriesFromHostAliases(hostAliases);
}

/** nodeHostsFileContent: the node's own hosts file under the host-network header, plus the aliases. */
export function nodeHostsFileContent(nodeHosts: string, hostAliases?: readonly HostAlias[]): string {
  return MANAGED_HOSTS_HEADER_WITH_HOST_NETWORK + nodeHosts + hostsEntriesFromHostAliases(hostAliases);
}

export interface EnsureHostsFileInput {
  fileName: string;
  hostIPs: readonly string[];
  hostName: string;
  hostDomainName: string;
  hostAliases?: readonly HostAlias[];
  useHostNetwork: boolean;
  /** The node's hosts file; /etc/hosts by default. */
  nodeHostsPath?: string;
}

/** ensureHostsFile: (re)writes the pod's hosts file, mode 0644. */
export function ensureHostsFile(input: EnsureHostsFileInput): void {
  const content = input.useHostNetwork
    ? nodeHostsFileContent(readFileSync(input.nodeHostsPath ?? ETC_HOSTS_PATH, "utf8"), input.hostAliases)
    : managedHostsFileContent(input.hostIPs, input.hostName, input.hostDomainName, input.hostAliases);
  mkdirSync(dirname(input.fileName), { recursive: true });
  writeFileSync(input.fileName, content, { mode: 0o644 });
  chmodSync(input.fileName, 0o644);
}

/** shouldMountHostsFile and makeMounts' check: a pod with an IP, unless the container mounts /etc/hosts itself. */
export function shouldMountHostsFile(podIPs: readonly string[], c: Container): boolean {
  if (podIPs.length === 0) return false;
  return !(c.volumeMounts ?? []).some((m) => m.mountPath === ETC_HOSTS_PATH);
}

/** makeHostsMount: the pod's hosts file at /etc/hosts, writable as upstream mounts it. */
export function makeHostsMount(hostsFilePath: string): Mount {
  return { containerPath: ETC_HOSTS_PATH, hostPath: hostsFilePath, readonly: false };
}
