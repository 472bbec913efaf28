// The CRI PodSandboxConfig of a pod (upstream's generatePodSandboxConfig,
// pkg/kubelet/kuberuntime/kuberuntime_sandbox.go and _linux.go, v1.32):
// metadata, hostname, log directory, labels, annotations, port mappings and
// the Linux namespaces, the pod's user and groups, and its cgroup parent.
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import { podCgroupName } from "../cm/pod-cgroup.ts";
import type { NamespaceOption, PodSandboxConfig, PortMapping } from "../runtime/interface.ts";
import { isHostNetworkPod } from "./helpers.ts";
import { newPodAnnotations, newPodLabels } from "./labels.ts";

export interface SandboxConfigOptions {
  /** Root of the pod log directories (the kubelet's podLogsDirectory). */
  podLogsDirectory: string;
  /** The cluster DNS domain, for spec.subdomain and setHostnameAsFQDN. */
  clusterDomain: string;
  /** The pod's resolver settings (the DNS configurer); none when undefined. */
  dns?: PodSandboxConfig["dnsConfig"];
  /** The kubelet's cgroup root: pods get a cgroup parent below it (GetPodCgroupParent); none when undefined. */
  cgroupRoot?: string;
}

/**
 * NamespacesForPod: the node's namespaces where the pod asks for them; else
 * the pod's network and IPC, and a PID namespace per container unless the pod
 * shares one (shareProcessNamespace). The sandbox and every container get the same.
 */
export function namespacesForPod(pod: Pod): NamespaceOption {
  const spec = pod.spec;
  return {
    network: spec?.hostNetwork ? "NODE" : "POD",
    pid: spec?.hostPID ? "NODE" : spec?.shareProcessNamespace ? "POD" : "CONTAINER",
    ipc: spec?.hostIPC ? "NODE" : "POD",
  };
}

/** The CRI LinuxSandboxSecurityContext fields k8ts sets (the interface's type names only some). */
interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption;
  privileged?: boolean;
  runAsUser?: { value: number };
  runAsGroup?: { value: number };
  supplementalGroups?: number[];
}

/** BuildPodLogsDirectory: <root>/<namespace>_<name>_<uid>. */
export function buildPodLogsDirectory(root: string, pod: Pod): string {
  const m = pod.metadata ?? {};
  return `${root.replace(/\/+$/, "")}/${m.namespace ?? ""}_${m.name ?? ""}_${m.uid ?? ""}`;
}

/** BuildContainerLogsPath, relative to the pod log directory: <container>/<restartCount>.log. */
export function buildContainerLogsPath(containerName: string, restartCount: number): string {
  return `${containerName}/${restartCount}.log`;
}

const HOSTNAME_MAX_LENGTH = 63;

/** GeneratePodHostNameAndDomain: spec.hostname or the pod name (cut to 63), and the subdomain's domain. */
export function podHostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; domain: string } {
  let hostname = pod.spec?.hostname || pod.metadata?.name || "";
  if (hostname.length > HOSTNAME_MAX_LENGTH) {
    // A label must not end with '-' or '.'.
    hostname = hostname.slice(0, HOSTNAME_MAX_LENGTH).replace(/[-.]+$/, "");
  }
  const sub = pod.spec?.subdomain;
  const domain = sub ? `${sub}.${pod.metadata?.namespace ?? ""}.svc.${clusterDomain}` : "";
  return { hostname, domain };
}

/** kubecontainer.MakePortMappings for every container: all ports, deduplicated by name. */
export function makePortMappings(containers: readonly Container[]): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of containers) {
    const names = new Set<string>();
    for (const p of c.ports ?? []) {
      const family = !p.hostIP ? "any" : p.hostIP.includes(":") ? "v6" : "v4";
      const protocol = (p.protocol ?? "TCP") as PortMapping["protocol"];
      const name = p.name || `${family}-${protocol}-${p.hostIP ?? ""}:${p.containerPort}:${p.hostPort ?? 0}`;
      // A port name used twice in a container counts once.
      if (names.has(name)) continue;
      names.add(name);
      out.push({
        protocol,
        containerPort: p.containerPort,
        hostPort: p.hostPort ?? 0,
        hostIp: p.hostIP ?? "",
      });
    }
  }
  return out;
}

export function generatePodSandboxConfig(
  pod: Pod,
  attempt: number,
  opts: SandboxConfigOptions,
): PodSandboxConfig {
  const spec = pod.spec ?? { containers: [] };
  const config: PodSandboxConfig = {
    metadata: {
      name: pod.metadata?.name ?? "",
      namespace: pod.metadata?.namespace ?? "",
      uid: pod.metadata?.uid ?? "",
      attempt,
    },
    hostname: "",
    logDirectory: buildPodLogsDirectory(opts.podLogsDirectory, pod),
    portMappings: makePortMappings(spec.containers ?? []),
    labels: newPodLabels(pod),
    annotations: newPodAnnotations(pod),
  };
  if (opts.dns) config.dnsConfig = opts.dns;
  // A host-network pod keeps the node's hostname.
  if (!isHostNetworkPod(pod)) {
    const { hostname, domain } = podHostnameAndDomain(pod, opts.clusterDomain);
    config.hostname = spec.setHostnameAsFQDN && domain ? `${hostname}.${domain}` : hostname;
  }
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const sysctls: Record<string, string> = {};
  for (const s of spec.securityContext?.sysctls ?? []) {
    sysctls[sysctlDotsSeparator(s.name)] = s.value;
  }
  const securityContext: LinuxSandboxSecurityContext = {
    namespaceOptions: namespacesForPod(pod),
    privileged: all.some((c) => c.securityContext?.privileged === true),
  };
  // generatePodSandboxLinuxConfig: the sandbox runs as the pod's user, fsGroup first among its groups.
  const psc = spec.securityContext;
  if (psc?.runAsUser !== undefined) securityContext.runAsUser = { value: psc.runAsUser };
  if (psc?.runAsGroup !== undefined) securityContext.runAsGroup = { value: psc.runAsGroup };
  const groups = [...(psc?.fsGroup !== undefined ? [psc.fsGroup] : []), ...(psc?.supplementalGroups ?? [])];
  if (groups.length > 0) securityContext.supplementalGroups = groups;
  config.linux = { securityContext, sysctls };
  if (opts.cgroupRoot !== undefined) config.linux.cgroupParent = podCgroupName(pod, opts.cgroupRoot);
  return config;
}

/** ConvertSysctlVariableToDotsSeparator: runc wants "net.ipv4.ip_forward", so "net/ipv4/ip_forward" swaps '/' and '.'. */
export function sysctlDotsSeparator(name: string): string {
  const first = name.search(/[./]/);
  if (first === -1 || name[first] === ".") return name;
  return name.replace(/[./]/g, (ch) => (ch === "." ? "/" : "."));
}
