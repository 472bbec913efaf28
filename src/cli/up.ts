import { homedir } from "node:os";
import { join } from "node:path";
import { startApiServer } from "../apiserver/index.ts";
import { parseDuration } from "./durations.ts";
import type { Command } from "./flags.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { untilSignal } from "./signals.ts";

function progress(msg: string): void {
  process.stderr.write(`k8ts: ${msg}\n`);
}

export const upCommand: Command = {
  name: "up",
  summary: "Start an all-in-one cluster on this machine",
  description:
    "Start an all-in-one cluster: the apiserver on the embedded SQLite store (or etcd), with its data\nin --data-dir. Writes an admin kubeconfig and prints 'k8ts ready: kubeconfig=<path>' when the\ncluster serves. Running it again on the same data dir brings the same cluster back. Ctrl-C stops it.",
  flags: [
    {
      name: "data-dir",
      type: "string",
      default: join(homedir(), ".k8ts"),
      help: "Directory holding everything of this cluster",
    },
    { name: "port", type: "number", default: 6443, help: "The apiserver's HTTPS port" },
    {
      name: "store",
      type: "string",
      default: "sqlite",
      help: "sqlite, sqlite:PATH or etcd://host:port[,host:port]",
    },
    {
      name: "kubeconfig",
      type: "string",
      help: "Where to write the admin kubeconfig (default <data-dir>/kubeconfig)",
    },
    {
      name: "max-requests-inflight",
      type: "number",
      default: 400,
      help: "Non-mutating requests served at once; beyond it, 429 with Retry-After",
    },
    {
      name: "max-mutating-requests-inflight",
      type: "number",
      default: 200,
      help: "Mutating requests served at once; beyond it, 429 with Retry-After",
    },
    {
      name: "etcd-compaction-interval",
      type: "string",
      default: "5m",
      help: "How often to compact the store's history",
    },
  ],
  async run(flags) {
    const dataDir = String(flags["data-dir"]);
    const kubeconfig = flags.kubeconfig ? String(flags.kubeconfig) : join(dataDir, "kubeconfig");
    const started = performance.now();
    progress(`data dir ${dataDir}`);
    progress(`starting apiserver on port ${flags.port} (store: ${flags.store})…`);
    const api = await startApiServer({
      dataDir,
      port: Number(flags.port),
      store: String(flags.store),
      compactionIntervalMs: parseDuration(String(flags["etcd-compaction-interval"])),
      maxRequestsInflight: Number(flags["max-requests-inflight"]),
      maxMutatingRequestsInflight: Number(flags["max-mutating-requests-inflight"]),
    });
    progress(`apiserver serving on ${api.url}`);
    await writeKubeconfig({
      path: kubeconfig,
      server: api.url,
      ca: api.pki.ca,
      user: "kubernetes-admin",
      groups: ["system:masters"],
    });
    progress(`admin kubeconfig written (${Math.round(performance.now() - started)} ms since start)`);
    process.stdout.write(`k8ts ready: kubeconfig=${kubeconfig}\n`);
    const sig = await untilSignal();
    progress(`${sig}: stopping…`);
    await api.stop();
    progress("stopped");
    return 0;
  },
};
