// The flags `k8ts up` and `k8ts apiserver` share, and the options they make.
import { homedir } from "node:os";
import { join } from "node:path";
import type { StartApiServerOptions } from "../apiserver/index.ts";
import { parseDuration } from "../machinery/duration.ts";
import type { FlagSpec } from "./flags.ts";

export const apiserverFlags: FlagSpec[] = [
  {
    name: "data-dir",
    type: "string",
    default: join(homedir(), ".k8ts"),
    help: "Directory holding everything of this cluster (store, certificates, state)",
  },
  { name: "port", type: "number", default: 6443, help: "The apiserver's HTTPS port" },
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
];

export function apiserverOptions(flags: Record<string, unknown>): StartApiServerOptions {
  return {
    dataDir: String(flags["data-dir"]),
    port: Number(flags.port),
    bindAddress: flags["bind-address"] === undefined ? undefined : String(flags["bind-address"]),
    store: String(flags.store),
    compactionIntervalMs: parseDuration(String(flags["etcd-compaction-interval"])),
    maxRequestsInflight: Number(flags["max-requests-inflight"]),
    maxMutatingRequestsInflight: Number(flags["max-mutating-requests-inflight"]),
  };
}
