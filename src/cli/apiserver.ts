import { homedir } from "node:os";
import { join } from "node:path";
import { startApiServer } from "../apiserver/index.ts";
import { parseDuration } from "./durations.ts";
import type { Command } from "./flags.ts";
import { untilSignal } from "./signals.ts";

export const apiserverCommand: Command = {
  name: "apiserver",
  summary: "Run the Kubernetes API server",
  description:
    "Run the Kubernetes API server over HTTPS. At first start it makes a cluster CA and a serving\ncertificate in <data-dir>/pki; clients authenticate with certificates from that CA.",
  flags: [
    {
      name: "data-dir",
      type: "string",
      default: join(homedir(), ".k8ts"),
      help: "Directory for the store, certificates and state",
    },
    { name: "port", type: "number", default: 6443, help: "HTTPS port" },
    { name: "bind-address", type: "string", default: "0.0.0.0", help: "Address to listen on" },
    {
      name: "store",
      type: "string",
      default: "sqlite",
      help: "sqlite (the data dir's store.db), sqlite:PATH or etcd://host:port[,host:port]",
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
      help: "How often to compact the store's history (0 disables it)",
    },
  ],
  async run(flags) {
    const running = await startApiServer({
      dataDir: String(flags["data-dir"]),
      port: Number(flags.port),
      bindAddress: String(flags["bind-address"]),
      store: String(flags.store),
      compactionIntervalMs: parseDuration(String(flags["etcd-compaction-interval"])),
      maxRequestsInflight: Number(flags["max-requests-inflight"]),
      maxMutatingRequestsInflight: Number(flags["max-mutating-requests-inflight"]),
    });
    process.stderr.write(`k8ts apiserver: serving on ${running.url} (store: ${flags.store})\n`);
    await untilSignal();
    await running.stop();
    return 0;
  },
};
