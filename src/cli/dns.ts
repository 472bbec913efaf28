// `k8ts dns`: the cluster DNS add-on alone, against any apiserver.
import { loadClientConfig } from "../client/kubeconfig.ts";
import { RestClient } from "../client/rest-client.ts";
import { readResolvConf } from "../dns/resolv-conf.ts";
import { startDns } from "../dns/run.ts";
import type { Command } from "./flags.ts";
import { untilSignal } from "./signals.ts";

export const dnsCommand: Command = {
  name: "dns",
  summary: "Run the cluster DNS add-on: <svc>.<ns>.svc.<domain> records from Services and EndpointSlices",
  description:
    "Answer the Kubernetes DNS specification's records for --cluster-domain from informer caches\nof Services and EndpointSlices, and forward other names to the resolvers of --resolv-conf.\n`k8ts up` runs it behind the kube-system/kube-dns Service (10.96.0.10).",
  flags: [
    { name: "kubeconfig", type: "string", help: "Kubeconfig of the cluster (required)" },
    { name: "cluster-domain", type: "string", default: "cluster.local", help: "The cluster's DNS domain" },
    {
      name: "bind-address",
      type: "string",
      default: "0.0.0.0",
      help: "Address to serve DNS on (UDP and TCP)",
    },
    { name: "port", type: "number", default: 53, help: "Port to serve DNS on (0 picks a free one)" },
    {
      name: "resolv-conf",
      type: "string",
      default: "/etc/resolv.conf",
      help: "Resolvers for names outside the cluster domain",
    },
    {
      name: "health-bind-address",
      type: "string",
      default: "127.0.0.1",
      help: "Address of /healthz, /ready and /metrics",
    },
    {
      name: "health-port",
      type: "number",
      default: 8080,
      help: "Port of /healthz, /ready and /metrics (0 picks one, -1 serves none)",
    },
  ],
  async run(flags) {
    if (!flags.kubeconfig) throw new Error("--kubeconfig is required");
    const client = new RestClient(loadClientConfig({ kubeconfig: String(flags.kubeconfig) }), {
      userAgent: "k8ts-dns",
    });
    const upstreams = readResolvConf(String(flags["resolv-conf"]));
    if (!upstreams.length)
      process.stderr.write(
        `dns: no nameserver in ${flags["resolv-conf"]}: names outside the cluster get SERVFAIL\n`,
      );
    const dns = await startDns({
      client,
      clusterDomain: String(flags["cluster-domain"]),
      bindAddress: String(flags["bind-address"]),
      port: Number(flags.port),
      upstreams,
      healthBindAddress: String(flags["health-bind-address"]),
      healthPort: Number(flags["health-port"]),
    });
    const signalled = untilSignal();
    process.stderr.write(
      `dns: serving ${flags["bind-address"]}:${dns.port} (udp, tcp)${dns.healthUrl ? `, ${dns.healthUrl}/healthz, /ready, /metrics` : ""}\n`,
    );
    const sig = await signalled;
    process.stderr.write(`dns: ${sig}: stopping…\n`);
    await dns.stop();
    client.close();
    return 0;
  },
};
