// npm run bench -- store
// The same workload against the SQLite backend, our etcd backend, and etcd
// through the plain etcd3 client ("etcd-raw"): 64 concurrent clients, 1 KiB
// values, each phase bounded in time. Prints one JSON line per backend.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { EtcdStore } from "../src/storage/etcd.ts";
import { SqliteStore } from "../src/storage/sqlite.ts";
import type { Store } from "../src/storage/store.ts";
import { startEtcd } from "../test/support/etcd.ts";
import { percentile, runPhase } from "./_load.ts";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 64);
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 1500);
/**
 * Backends run in alternating rounds, each on a fresh store, and each figure is
 * the median of the rounds: etcd shares the 2 cores with the client, and single
 * runs vary by ±20%. 3 rounds of 4 phases stay under 20 s per backend.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MAX_KEYS_PER_CLIENT = 2000;
const LIST_LIMIT = 100;
const value = new Uint8Array(1024).fill(0x61);

/** The operations the workload needs, so the raw etcd client can run it too. */
interface Ops {
  create(key: string): Promise<number>;
  get(key: string): Promise<void>;
  update(key: string, modRevision: number): Promise<number>;
  list(prefix: string): Promise<number>;
  revision(): Promise<number>;
  /** Starts a watch on `prefix` after `fromRevision`, calling `onEvents(n)` as events arrive. */
  watch(prefix: string, fromRevision: number, onEvents: (n: number) => void): Promise<() => void>;
  close(): Promise<void>;
}

function storeOps(store: Store): Ops {
  return {
    create: async (k) => (await store.create(k, value)).revision,
    get: async (k) => {
      await store.get(k);
    },
    update: async (k, rev) => (await store.update(k, value, rev)).revision,
    list: async (p) => (await store.range(p, { limit: LIST_LIMIT })).kvs.length,
    revision: () => store.currentRevision(),
    watch: async (p, from, on) => {
      const w = store.watch(p, from);
      void (async () => {
        try {
          for await (const batch of w) on(batch.length);
        } catch {
          // cancelled at the end
        }
      })();
      return () => w.cancel();
    },
    close: () => store.close(),
  };
}

function rawEtcdOps(endpoints: string[]): Ops {
  const client = new Etcd3({ hosts: endpoints.map((e) => `http://${e}`) });
  return {
    create: async (k) => {
      const r = await client
        .if(k, "Create", "==", 0)
        .then(client.put(k).value(Buffer.from(value)))
        .commit();
      if (!r.succeeded) throw new Error("create failed");
      return Number(r.header.revision);
    },
    get: async (k) => {
      await client.get(k).buffer();
    },
    update: async (k, rev) => {
      const r = await client
        .if(k, "Mod", "==", rev)
        .then(client.put(k).value(Buffer.from(value)))
        .commit();
      if (!r.succeeded) throw new Error("update conflict");
      return Number(r.header.revision);
    },
    list: async (p) => Object.keys(await client.getAll().prefix(p).limit(LIST_LIMIT).buffers()).length,
    revision: async () =>
      Number((await client.kv.range({ key: Buffer.from("/"), count_only: true })).header.revision),
    watch: async (p, from, on) => {
      const w = await client
        .watch()
        .prefix(p)
        .startRevision(String(from + 1))
        .create();
      w.on("data", (res) => on(res.events.length));
      return () => void w.cancel();
    },
    close: async () => client.close(),
  };
}

/** Runs `op` from every client until the phase deadline (or until `op` returns false). */
function phase(
  latencies: number[] | undefined,
  op: (client: number, i: number) => Promise<boolean | undefined>,
): Promise<{ ops: number; seconds: number }> {
  return runPhase({ clients: CLIENTS, ms: PHASE_MS }, latencies, op);
}

type Result = Record<string, number | string>;

async function run(backend: string, ops: Ops): Promise<Result> {
  const prefix = `/registry/bench/${backend}-${process.pid}/`;
  const revs: number[][] = Array.from({ length: CLIENTS }, () => []);
  const writeLatencies: number[] = [];
  // A live watch runs through the writes; afterwards a second watch replays them all from history.
  const startRevision = await ops.revision();
  let liveEvents = 0;
  const stopLive = await ops.watch(prefix, startRevision, (n) => {
    liveEvents += n;
  });

  const key = (c: number, i: number) => `${prefix}c${c}/k${i}`;
  const create = await phase(writeLatencies, async (c, i) => {
    if (i >= MAX_KEYS_PER_CLIENT) return false;
    revs[c][i] = await ops.create(key(c, i));
  });
  const get = await phase(undefined, async (c, i) => {
    const n = revs[c].length;
    await ops.get(key(c, (i * 7919) % n));
  });
  const update = await phase(writeLatencies, async (c, i) => {
    const n = revs[c].length;
    const k = i % n;
    revs[c][k] = await ops.update(key(c, k), revs[c][k]);
  });
  const list = await phase(undefined, async (c) => {
    await ops.list(`${prefix}c${c}/`);
  });

  const expected = create.ops + update.ops;
  const drained = (count: () => number) => async () => {
    const until = performance.now() + 10_000;
    while (count() < expected && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
  };
  await drained(() => liveEvents)();
  stopLive();
  let replayed = 0;
  const replayStart = performance.now();
  const stopReplay = await ops.watch(prefix, startRevision, (n) => {
    replayed += n;
  });
  await drained(() => replayed)();
  const replaySeconds = (performance.now() - replayStart) / 1000;
  stopReplay();

  await ops.close();
  return {
    createPerSec: create.ops / create.seconds,
    getPerSec: get.ops / get.seconds,
    updatePerSec: update.ops / update.seconds,
    listPerSec: list.ops / list.seconds,
    watchEventsPerSec: replayed / replaySeconds,
    watchEventsMissing: expected - liveEvents,
    p99WriteMs: percentile(writeLatencies, 0.99),
  };
}

function report(backend: string, results: Result[]): void {
  const median = (k: string) => {
    const xs = results.map((r) => r[k] as number).sort((a, b) => a - b);
    const mid = Math.floor(xs.length / 2);
    return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  };
  console.log(
    JSON.stringify({
      bench: "store",
      backend,
      clients: CLIENTS,
      valueBytes: value.length,
      rounds: results.length,
      createPerSec: Math.round(median("createPerSec")),
      getPerSec: Math.round(median("getPerSec")),
      updatePerSec: Math.round(median("updatePerSec")),
      listPerSec: Math.round(median("listPerSec")),
      listLimit: LIST_LIMIT,
      watchEventsPerSec: Math.round(median("watchEventsPerSec")),
      watchEventsMissing: results.reduce((a, r) => a + (r.watchEventsMissing as number), 0),
      p99WriteMs: Number(median("p99WriteMs").toFixed(2)),
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), "k8ts-bench-store-"));
const results: Record<string, Result[]> = { sqlite: [], "etcd-raw": [], etcd: [] };
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const backend of Object.keys(results)) {
      process.stderr.write(`bench store: round ${round}/${ROUNDS}: ${backend}…\n`);
      if (backend === "sqlite") {
        results[backend].push(
          await run(backend, storeOps(new SqliteStore({ path: join(dir, `bench-${round}.db`) }))),
        );
        continue;
      }
      // Each etcd run gets a fresh etcd, so no run inherits another's data.
      const etcd = await startEtcd();
      try {
        const ops =
          backend === "etcd"
            ? storeOps(new EtcdStore({ endpoints: etcd.endpoints }))
            : rawEtcdOps(etcd.endpoints);
        results[backend].push(await run(backend, ops));
      } finally {
        await etcd.stop();
      }
    }
  }
  for (const [backend, r] of Object.entries(results)) report(backend, r);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
