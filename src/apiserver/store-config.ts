// Opens the store an apiserver runs on, from the --store flag: "sqlite" (the
// data dir's store.db), "sqlite:PATH" or "etcd://host:port[,host:port]".
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SqliteStore } from "../storage/sqlite.ts";
import type { Store } from "../storage/store.ts";

export async function openStore(spec: string, dataDir: string): Promise<Store> {
  if (spec === "sqlite" || spec === "") {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteStore({ path: join(dataDir, "store.db") });
  }
  if (spec.startsWith("sqlite:")) return new SqliteStore({ path: spec.slice("sqlite:".length) });
  if (spec.startsWith("etcd://")) {
    const endpoints = spec
      .slice("etcd://".length)
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean);
    if (endpoints.length === 0)
      throw new Error(`--store ${spec}: no etcd endpoints; use etcd://host:port[,host:port]`);
    // The gRPC stack costs half a second to load: only clusters on etcd pay for it.
    const { EtcdStore } = await import("../storage/etcd.ts");
    return new EtcdStore({ endpoints });
  }
  throw new Error(
    `--store ${JSON.stringify(spec)}: use "sqlite", "sqlite:/path/to/file.db" or "etcd://host:port[,host:port]"`,
  );
}
