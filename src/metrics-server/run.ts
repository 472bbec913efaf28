// `k8ts metrics-server` as a process part: informers on Nodes and Pods, a
// scrape of every node's kubelet each --metric-resolution into the storage,
// and the metrics.k8s.io API over them. The request-header settings come
// from kube-system/extension-apiserver-authentication, as an extension
// apiserver reads them.
import type { ConfigMap, Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { SharedInformerFactory } from "../client/informer-factory.ts";
import { Resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { type KubeletClient, kubeletAddress, scrapeNode } from "./scrape.ts";
import { type MetricsSource, type RequestHeaderConfig, startMetricsApi } from "./server.ts";
import { MetricsStorage } from "./storage.ts";

export interface RunMetricsServerOptions {
  client: RestClient;
  kubelet: KubeletClient;
  bindAddress: string;
  /** 0 picks a free port. */
  port: number;
  cert: string;
  key: string;
  /** --metric-resolution (default 15 s). */
  resolutionMs?: number;
  log?(msg: string): void;
}

export interface RunningMetricsServer {
  url: string;
  port: number;
  /** One scrape of every node now (the loop's own step). */
  scrape(): Promise<void>;
  stop(): Promise<void>;
}

const AUTH_CONFIGMAP = { namespace: "kube-system", name: "extension-apiserver-authentication" };

/** The settings kube-apiserver publishes for extension apiservers (JSON lists in the ConfigMap). */
export async function requestHeaderConfig(client: RestClient): Promise<RequestHeaderConfig> {
  const cm = await client.get<ConfigMap>(Resources.configmaps, AUTH_CONFIGMAP.name, {
    namespace: AUTH_CONFIGMAP.namespace,
  });
  const d = cm.data ?? {};
  const list = (k: string) => {
    try {
      const v = JSON.parse(d[k] ?? "[]");
      return Array.isArray(v) ? v.map(String) : [];
    } catch {
      return [];
    }
  };
  return {
    clientCA: d["client-ca-file"] ? [d["client-ca-file"]] : [],
    requestHeaderCA: d["requestheader-client-ca-file"] ? [d["requestheader-client-ca-file"]] : [],
    allowedNames: list("requestheader-allowed-names"),
    usernameHeaders: list("requestheader-username-headers"),
    groupHeaders: list("requestheader-group-headers"),
    extraHeaderPrefixes: list("requestheader-extra-headers-prefix"),
  };
}

export async function runMetricsServer(o: RunMetricsServerOptions): Promise<RunningMetricsServer> {
  const log =
    o.log ??
    ((m: string) => process.stderr.write(`${JSON.stringify({ component: "metrics-server", msg: m })}\n`));
  const resolutionMs = o.resolutionMs ?? 15_000;
  const auth = await requestHeaderConfig(o.client);
  const factory = new SharedInformerFactory({ client: o.client });
  const nodes = factory.forResource<Node & { metadata: object }>(Resources.nodes);
  const pods = factory.forResource<Pod & { metadata: object }>(Resources.pods);
  factory.start();
  await factory.waitForCacheSync();

  const storage = new MetricsStorage();
  /** node → the pods it had at its last scrape, to forget those that went. */
  const podsByNode = new Map<string, Set<string>>();
  let scraped = false;
  const failing = new Set<string>();

  const scrape = async () => {
    const all = nodes.getIndexer().list();
    const names = new Set(all.map((n) => n.metadata?.name ?? ""));
    for (const [node, keys] of podsByNode) {
      if (!names.has(node)) {
        storage.forgetNode(node, keys);
        podsByNode.delete(node);
      }
    }
    // Hollow nodes publish no kubelet (Port 0): nothing to scrape, and their addresses are not this machine's.
    await Promise.all(
      all
        .filter((node) => kubeletAddress(node) !== undefined)
        .map(async (node) => {
          const name = node.metadata?.name ?? "";
          try {
            const r = await scrapeNode(node, { ...o.kubelet, timeoutMs: Math.min(resolutionMs, 10_000) });
            storage.storeNode(name, r.node, r.pods, podsByNode.get(name) ?? new Set());
            podsByNode.set(name, new Set(r.pods.keys()));
            scraped = true;
            if (failing.delete(name)) log(`scraping node ${name} works again`);
          } catch (e) {
            // Said once per node until it works again, as a hollow node without a kubelet server fails every time.
            if (!failing.has(name)) log(`failed to scrape node ${name}: ${(e as Error).message}`);
            failing.add(name);
          }
        }),
    );
  };

  const source: MetricsSource = {
    nodes: () =>
      nodes
        .getIndexer()
        .list()
        .map((n) => ({
          name: n.metadata?.name ?? "",
          labels: n.metadata?.labels ?? {},
          usage: storage.node(n.metadata?.name ?? ""),
        })),
    pods: (namespace) =>
      (namespace === undefined ? pods.getIndexer().list() : pods.getIndexer().byNamespace(namespace)).map(
        (p) => ({
          name: p.metadata?.name ?? "",
          namespace: p.metadata?.namespace ?? "",
          labels: p.metadata?.labels ?? {},
          usage: storage.pod(p.metadata?.namespace ?? "", p.metadata?.name ?? ""),
        }),
      ),
    ready: () => scraped,
  };
  const api = await startMetricsApi({
    host: o.bindAddress,
    port: o.port,
    cert: o.cert,
    key: o.key,
    auth,
    client: o.client,
    source,
  });

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    running = scrape().finally(() => {
      if (!stopped) timer = setTimeout(loop, resolutionMs);
    });
  };
  loop();
  return {
    url: api.url,
    port: api.port,
    scrape,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await api.close();
      await factory.shutdown();
    },
  };
}
