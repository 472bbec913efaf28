// `k8ts metrics-server`: the resource metrics API (metrics.k8s.io) alone, against any apiserver.
import { readFileSync } from "node:fs";
import { loadClientConfig } from "../client/kubeconfig.ts";
import { RestClient } from "../client/rest-client.ts";
import { parseDuration } from "../machinery/duration.ts";
import { runMetricsServer } from "../metrics-server/run.ts";
import { type Command, UsageError } from "./flags.ts";
import { untilSignal } from "./signals.ts";

export const metricsServerCommand: Command = {
  name: "metrics-server",
  summary: "Run metrics-server: node and pod CPU and memory from the kubelets, for kubectl top",
  description:
    "Scrape every node's kubelet (/metrics/resource) each --metric-resolution and serve\nmetrics.k8s.io/v1beta1 NodeMetrics and PodMetrics over HTTPS, behind an APIService\n(v1beta1.metrics.k8s.io) of the aggregation layer. It authenticates to the kubelets\nwith the kubeconfig's client certificate. `k8ts up` runs it and registers it.",
  flags: [
    {
      name: "kubeconfig",
      type: "string",
      help: "Kubeconfig of the cluster (required; its client certificate is used for the kubelets too)",
    },
    { name: "bind-address", type: "string", default: "0.0.0.0", help: "Address to serve the metrics API on" },
    {
      name: "secure-port",
      type: "number",
      default: 4443,
      help: "HTTPS port of the metrics API (0 picks a free one)",
    },
    { name: "tls-cert-file", type: "string", help: "PEM serving certificate (required)" },
    { name: "tls-private-key-file", type: "string", help: "PEM key of --tls-cert-file (required)" },
    { name: "metric-resolution", type: "string", default: "15s", help: "How often the kubelets are scraped" },
    {
      name: "kubelet-insecure-tls",
      type: "boolean",
      default: false,
      help: "Do not verify the kubelets' serving certificates (only for testing)",
    },
  ],
  async run(flags) {
    if (!flags.kubeconfig) throw new UsageError("--kubeconfig is required");
    if (!flags["tls-cert-file"] || !flags["tls-private-key-file"])
      throw new UsageError(
        "--tls-cert-file and --tls-private-key-file are required: the aggregator speaks HTTPS",
      );
    const resolutionMs = parseDuration(String(flags["metric-resolution"]));
    if (!(resolutionMs >= 1000))
      throw new UsageError(`--metric-resolution must be at least 1s, got ${flags["metric-resolution"]}`);
    const config = loadClientConfig({ kubeconfig: String(flags.kubeconfig) });
    const client = new RestClient(config, { userAgent: "k8ts-metrics-server" });
    const server = await runMetricsServer({
      client,
      kubelet: {
        ca: config.ca,
        cert: config.cert,
        key: config.key,
        insecure: flags["kubelet-insecure-tls"] === true,
      },
      bindAddress: String(flags["bind-address"]),
      port: Number(flags["secure-port"]),
      cert: readFileSync(String(flags["tls-cert-file"]), "utf8"),
      key: readFileSync(String(flags["tls-private-key-file"]), "utf8"),
      resolutionMs,
    });
    const signalled = untilSignal();
    process.stderr.write(
      `metrics-server: serving ${server.url}, scraping every ${flags["metric-resolution"]}\n`,
    );
    const sig = await signalled;
    process.stderr.write(`metrics-server: ${sig}: stopping…\n`);
    await server.stop();
    client.close();
    return 0;
  },
};
