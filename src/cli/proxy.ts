// `k8ts proxy`: kube-proxy for one node, against any apiserver.
import { hostname } from "node:os";
import { loadClientConfig } from "../client/kubeconfig.ts";
import { RestClient } from "../client/rest-client.ts";
import { ExecIptables } from "../proxy/iptables/iptables.ts";
import { cleanupLeftovers } from "../proxy/iptables/proxier.ts";
import { runProxy } from "../proxy/run.ts";
import { cleanupLeftovers as cleanupUserspaceLeftovers } from "../proxy/userspace/portals.ts";
import type { Command } from "./flags.ts";
import { untilSignal } from "./signals.ts";

/** Go duration strings as kube-proxy's flags take them ("1s", "30s", "500ms", "1m"). */
export function parseDurationMs(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== s.length || consumed === 0) throw new Error(`invalid duration ${JSON.stringify(s)}`);
  return total;
}

export const proxyCommand: Command = {
  name: "proxy",
  summary: "Run kube-proxy: program this node so that Service IPs and NodePorts reach their endpoints",
  description:
    "Run kube-proxy for one node against the cluster of --kubeconfig. It watches Services and\n" +
    "EndpointSlices and writes iptables rules (KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-*, ...);\n" +
    "with --mode userspace it proxies each service port itself (KUBE-PORTALS-* rules).\n" +
    "--cleanup removes every rule and chain it made, then exits.",
  flags: [
    { name: "kubeconfig", type: "string", help: "Kubeconfig of the cluster (required unless --cleanup)" },
    {
      name: "mode",
      type: "string",
      default: "iptables",
      help: "Proxy mode: iptables or userspace",
    },
    {
      name: "bind-address",
      type: "string",
      default: "0.0.0.0",
      help: "userspace: IP the per-service proxy sockets listen on",
    },
    {
      name: "udp-timeout",
      type: "string",
      default: "250ms",
      help: "userspace: how long an idle UDP session is kept open",
    },
    { name: "hostname-override", type: "string", help: "This node's name, if not the host name" },
    {
      name: "cluster-cidr",
      type: "string",
      default: "10.244.0.0/16",
      help: "Pod CIDR: traffic from outside it to a ClusterIP is masqueraded",
    },
    { name: "masquerade-all", type: "boolean", help: "SNAT all traffic sent via Service cluster IPs" },
    {
      name: "iptables-masquerade-bit",
      type: "number",
      default: 14,
      help: "Bit of the fwmark space marking packets to SNAT",
    },
    {
      name: "iptables-localhost-nodeports",
      type: "boolean",
      default: true,
      help: "NodePorts also answer on 127.0.0.1 (sets route_localnet)",
    },
    { name: "iptables-sync-period", type: "string", default: "30s", help: "Longest time between full syncs" },
    { name: "iptables-min-sync-period", type: "string", default: "1s", help: "Shortest time between syncs" },
    {
      name: "healthz-bind-address",
      type: "string",
      default: "127.0.0.1:10256",
      help: "host:port of /healthz (empty: off)",
    },
    {
      name: "metrics-bind-address",
      type: "string",
      default: "127.0.0.1:10249",
      help: "host:port of /metrics (empty: off)",
    },
    { name: "cleanup", type: "boolean", help: "Remove all KUBE-* iptables chains and rules, then exit" },
  ],
  async run(flags) {
    const iptables = new ExecIptables();
    if (flags.cleanup) {
      // As upstream's --cleanup: the rules of every mode go.
      const failedIptables = await cleanupLeftovers(iptables);
      const failed = (await cleanupUserspaceLeftovers(iptables)) || failedIptables;
      if (failed) process.stderr.write("proxy: some rules could not be removed\n");
      return failed ? 1 : 0;
    }
    const mode = String(flags.mode);
    if (mode !== "iptables" && mode !== "userspace")
      throw new Error(`unknown --mode ${JSON.stringify(mode)}; valid: iptables, userspace`);
    if (!flags.kubeconfig) throw new Error("--kubeconfig is required");
    const client = new RestClient(loadClientConfig({ kubeconfig: String(flags.kubeconfig) }), {
      userAgent: "k8ts-proxy",
    });
    const abort = new AbortController();
    const running = runProxy({
      client,
      mode,
      bindAddress: String(flags["bind-address"] ?? "0.0.0.0"),
      udpIdleTimeoutMs: parseDurationMs(String(flags["udp-timeout"] ?? "250ms")),
      iptables,
      hostname: String(flags["hostname-override"] ?? hostname()).toLowerCase(),
      clusterCIDR: flags["cluster-cidr"] ? String(flags["cluster-cidr"]) : undefined,
      masqueradeAll: flags["masquerade-all"] === true,
      masqueradeBit: Number(flags["iptables-masquerade-bit"]),
      localhostNodePorts: flags["iptables-localhost-nodeports"] !== false,
      syncPeriodMs: parseDurationMs(String(flags["iptables-sync-period"])),
      minSyncPeriodMs: parseDurationMs(String(flags["iptables-min-sync-period"])),
      healthzBindAddress: String(flags["healthz-bind-address"] ?? ""),
      metricsBindAddress: String(flags["metrics-bind-address"] ?? ""),
      signal: abort.signal,
      onListening: (what, url) => process.stderr.write(`proxy: serving ${what} on ${url}\n`),
    });
    const sig = await Promise.race([untilSignal(), running.then(() => undefined)]);
    if (sig) process.stderr.write(`proxy: ${sig}: stopping…\n`);
    abort.abort();
    await running;
    client.close();
    return 0;
  },
};
