import assert from "node:assert/strict";
import { test } from "node:test";
import { startEtcd } from "../../test/support/etcd.ts";
import { EtcdStore } from "./etcd.ts";
import type { WatchEvent } from "./store.ts";

const enc = new TextEncoder();

test("a 3-member etcd cluster keeps serving reads, writes and watches after one member dies", async () => {
  const cluster = await startEtcd(3);
  const store = new EtcdStore({ endpoints: cluster.endpoints });
  try {
    const p = "/registry/ha/";
    const from = await store.currentRevision();
    const seen: WatchEvent[] = [];
    const w = store.watch(p, from);
    const consumer = (async () => {
      for await (const batch of w) seen.push(...batch);
    })();
    const written: number[] = [];
    for (let i = 0; i < 20; i++)
      written.push((await store.create(`${p}before${i}`, enc.encode("x"))).revision);

    // Kill the first member: the client and the watch fail over to the others.
    await cluster.members[0].kill("SIGKILL");
    for (let i = 0; i < 20; i++) {
      written.push((await store.create(`${p}after${i}`, enc.encode("y"))).revision);
    }
    const cur = (await store.get(`${p}after0`)).kv!;
    written.push((await store.update(`${p}after0`, enc.encode("z"), cur.modRevision)).revision);
    assert.equal((await store.range(p)).count, 40);

    const deadline = Date.now() + 20_000;
    while (seen.length < written.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    w.cancel();
    await consumer;
    assert.deepEqual(
      seen.map((e) => e.kv.modRevision),
      written,
      "the watch delivered every write exactly once, in order, across the failover",
    );
  } finally {
    await store.close();
    await cluster.stop();
  }
});
