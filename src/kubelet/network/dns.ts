// The pod's resolver settings (upstream's DNS configurer,
// pkg/kubelet/network/dns/dns.go, v1.32): ClusterFirst gets the cluster DNS
// service and the cluster search list with ndots:5, Default the node's
// resolv.conf, None only spec.dnsConfig; dnsConfig is merged into all of them.
// containerd writes the sandbox's /etc/resolv.conf from the result.
import { readFileSync } from "node:fs";
import type { Pod, PodDNSConfigOption } from "kubernetes-types/core/v1.d.ts";
import type { PodSandboxConfig } from "../runtime/interface.ts";

export type DNSConfig = NonNullable<PodSandboxConfig["dnsConfig"]>;

/** The cluster DNS service's IP (kube-dns is reserved at the tenth address of 10.96.0.0/12). */
export const DEFAULT_CLUSTER_DNS = "10.96.0.10";
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
/** The kubelet's --resolv-conf default. */
export const DEFAULT_RESOLV_CONF = "/etc/resolv.conf";

// validation.MaxDNSNameservers, MaxDNSSearchPaths, MaxDNSSearchListChars.
const MAX_DNS_NAMESERVERS = 3;
const MAX_DNS_SEARCH_PATHS = 32;
const MAX_DNS_SEARCH_LIST_CHARS = 2048;
const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

const DEFAULT_DNS_OPTIONS = ["ndots:5"];

type PodDNSType = "cluster" | "host" | "none";

export interface DNSConfigurerOptions {
  /** --cluster-dns; empty: ClusterFirst pods fall back to Default. */
  clusterDNS: string[];
  /** --cluster-domain. */
  clusterDomain: string;
  /** --resolv-conf: the node's resolver file; "" disables host DNS (127.0.0.1 with search "."). */
  resolverConfig?: string;
  /** The node's IPs, for the loopback server when resolverConfig is "". */
  nodeIPs?: string[];
  /** Reads the resolver file; the host's file by default. */
  readFile?: (path: string) => string;
  /** Records the MissingClusterDNS event on the pod. */
  event?: (pod: Pod, type: "Warning", reason: string, message: string) => void;
}

/** parseResolvConf: nameservers, the last search line (without "." and trailing dots) and all options. */
export function parseResolvConf(content: string): DNSConfig {
  const servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  for (const raw of content.split("\n")) {
    let line = raw;
    // Comments start with '#' or ';' anywhere on the line.
    const comment = line.search(/[#;]/);
    if (comment !== -1) line = line.slice(0, comment);
    const fields = line.trim().split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    if (fields[0] === "nameserver" && fields.length >= 2) servers.push(fields[1]);
    if (fields[0] === "search") {
      // Normalise search fields so the same domain with and without trailing dot counts once.
      searches = fields
        .slice(1)
        .filter((s) => s !== ".")
        .map((s) => s.replace(/\.$/, ""));
    }
    if (fields[0] === "options") options = mergeDNSOptions(options, fields.slice(1).map(optionOf));
  }
  return { servers, searches, options };
}

function optionOf(op: string): PodDNSConfigOption {
  const i = op.indexOf(":");
  return i === -1 ? { name: op } : { name: op.slice(0, i), value: op.slice(i + 1) };
}

/** getPodDNSType: ClusterFirst on the host network falls back to Default. */
export function getPodDNSType(pod: Pod): PodDNSType {
  switch (pod.spec?.dnsPolicy ?? "ClusterFirst") {
    case "None":
      return "none";
    case "ClusterFirstWithHostNet":
      return "cluster";
    case "ClusterFirst":
      return pod.spec?.hostNetwork ? "host" : "cluster";
    case "Default":
      return "host";
    default:
      // The apiserver rejects other policies; upstream falls back to ClusterFirst.
      return "cluster";
  }
}

function omitDuplicates(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** mergeDNSOptions: later options override earlier ones by name; "name:value" or "name". */
export function mergeDNSOptions(existing: string[], extra: readonly PodDNSConfigOption[]): string[] {
  const options = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(":");
    if (i === -1) options.set(op, "");
    else options.set(op.slice(0, i), op.slice(i + 1));
  }
  for (const op of extra) options.set(op.name ?? "", op.value ?? "");
  return [...options].map(([name, value]) => (value !== "" ? `${name}:${value}` : name));
}

export class DNSConfigurer {
  constructor(private readonly opts: DNSConfigurerOptions) {}

  private hostDNSConfig(): DNSConfig {
    const path = this.opts.resolverConfig ?? DEFAULT_RESOLV_CONF;
    if (path === "") return { servers: [], searches: [], options: [] };
    const read = this.opts.readFile ?? ((p: string) => readFileSync(p, "utf8"));
    return parseResolvConf(read(path));
  }

  /** generateSearchesForDNSClusterFirst: <ns>.svc.<domain> svc.<domain> <domain>, then the host's. */
  private clusterSearches(hostSearch: string[], pod: Pod): string[] {
    const domain = this.opts.clusterDomain;
    if (domain === "") return hostSearch;
    const ns = pod.metadata?.namespace ?? "";
    return omitDuplicates([`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...hostSearch]);
  }

  /** GetPodDNS: the pod sandbox's DNSConfig. */
  getPodDNS(pod: Pod): DNSConfig {
    let config = this.hostDNSConfig();
    const type = getPodDNSType(pod);
    if (type === "none") {
      config = { servers: [], searches: [], options: [] };
    } else if (type === "cluster" && this.opts.clusterDNS.length > 0) {
      // The cluster DNS server is the only nameserver: it forwards what it cannot answer.
      config.servers = [...this.opts.clusterDNS];
      config.searches = this.clusterSearches(config.searches, pod);
      config.options = [...DEFAULT_DNS_OPTIONS];
    } else {
      if (type === "cluster") {
        const message = `kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`;
        this.opts.event?.(
          pod,
          "Warning",
          "MissingClusterDNS",
          `pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})". ${message}`,
        );
      }
      if ((this.opts.resolverConfig ?? DEFAULT_RESOLV_CONF) === "") {
        // No resolver file: the local machine's nameserver, as the resolver does without one.
        for (const ip of this.opts.nodeIPs ?? []) config.servers.push(ip.includes(":") ? "::1" : "127.0.0.1");
        if (config.servers.length === 0) config.servers.push("127.0.0.1");
        config.searches = ["."];
      }
    }
    const extra = pod.spec?.dnsConfig;
    if (extra) {
      config.servers = omitDuplicates([...config.servers, ...(extra.nameservers ?? [])]);
      config.searches = omitDuplicates([...config.searches, ...(extra.searches ?? [])]);
      config.options = mergeDNSOptions(config.options, extra.options ?? []);
    }
    return formDNSConfigFitsLimits(config);
  }
}

/**
 * formDNSConfigFitsLimits: at most 3 nameservers and 32 search paths of 2048
 * characters in all. Upstream also records a DNSConfigForming event; k8ts cuts silently.
 */
export function formDNSConfigFitsLimits(config: DNSConfig): DNSConfig {
  const servers = config.servers.slice(0, MAX_DNS_NAMESERVERS);
  let searches = config.searches.slice(0, MAX_DNS_SEARCH_PATHS);
  let chars = 0;
  const fit: string[] = [];
  // glibc aborts on a search path over 255 characters: such paths go.
  searches = searches.filter((s) => s.length <= DNS1123_SUBDOMAIN_MAX_LENGTH);
  for (const s of searches) {
    // The resolver counts one separator per path.
    chars += s.length + (fit.length > 0 ? 1 : 0);
    if (chars > MAX_DNS_SEARCH_LIST_CHARS) break;
    fit.push(s);
  }
  searches = fit;
  return { servers, searches, options: config.options };
}
