// Opens the store an apiserver runs on, from the --store flag: "sqlite" (the
// data dir's store.db) or "etcd://host:port[,host:port]".

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { EtcdStore } from "../storage/etcd.ts";
import { SqliteStore } from "../storage/sqlite.ts";
import type { Store } from "../storage/store.ts";

export function openStore(spec: string, dataDir: string): Store {
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
    return new EtcdStore({ endpoints });
  }
  throw new Error(
    `--store ${JSON.stringify(spec)}: use "sqlite", "sqlite:/path/to/file.db" or "etcd://host:port[,host:port]"`,
  );
}
