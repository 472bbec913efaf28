// The conformance suite every Store backend must pass. Backend test files call
// runConformance with a factory that opens a fresh, empty store.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  isStoreError,
  type KeyValue,
  MAX_VALUE_BYTES,
  type Store,
  type StoreError,
  type WatchEvent,
  type WatchTrigger,
} from "./store.ts";

export interface StoreFactory {
  /** Opens a fresh store; `watchBuffer` bounds each watcher's undelivered events. */
  open(opts?: { watchBuffer?: number }): Promise<Store>;
  /** Runs once after the whole suite. */
  teardown?(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string) => enc.encode(s);
const text = (kv: KeyValue | undefined) => (kv ? dec.decode(kv.value) : undefined);

async function expectStoreError(p: Promise<unknown>, code: StoreError["code"]): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isStoreError(e), `expected StoreError ${code}, got ${e}`);
    assert.equal((e as StoreError).code, code, (e as Error).message);
    return e as StoreError;
  }
  assert.fail(`expected StoreError ${code}, but the call succeeded`);
}

/** Collects events from a watch until `n` arrived, failing after `ms`. */
async function collect(w: AsyncIterable<WatchEvent[]> & { cancel(): void }, n: number, ms = 20_000) {
  const out: WatchEvent[] = [];
  const timer = setTimeout(() => w.cancel(), ms);
  try {
    for await (const batch of w) {
      out.push(...batch);
      if (out.length >= n) break;
    }
  } finally {
    clearTimeout(timer);
    w.cancel();
  }
  return out;
}

export function runConformance(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let n = 0;
    // Every test works under its own prefix, so they share one store.
    const ns = () => `/registry/t${++n}/`;

    before(async () => {
      store = await factory.open();
    });
    after(async () => {
      await store.close();
      await factory.teardown?.();
    });

    it("creates, gets, updates with optimistic locking, and deletes", async () => {
      const p = ns();
      const k = `${p}default/a`;
      const c = await store.create(k, bytes("v1"));
      const got = await store.get(k);
      assert.equal(text(got.kv), "v1");
      assert.equal(got.kv!.createRevision, c.revision);
      assert.equal(got.kv!.modRevision, c.revision);
      assert.equal(got.kv!.version, 1);

      const dup = await expectStoreError(store.create(k, bytes("again")), "KeyExists");
      assert.ok(dup);

      const u = await store.update(k, bytes("v2"), c.revision);
      assert.ok(u.revision > c.revision);
      const conflict = await expectStoreError(store.update(k, bytes("v3"), c.revision), "Conflict");
      assert.equal(text(conflict.current), "v2", "a Conflict carries the current value");
      assert.equal(conflict.current!.modRevision, u.revision);
      const got2 = await store.get(k);
      assert.equal(got2.kv!.version, 2);
      assert.equal(got2.kv!.createRevision, c.revision);

      await expectStoreError(store.delete(k, c.revision), "Conflict");
      const d = await store.delete(k, u.revision);
      assert.equal(text(d.prevKv), "v2");
      assert.equal((await store.get(k)).kv, undefined);
      await expectStoreError(store.delete(k), "NotFound");
      await expectStoreError(store.update(k, bytes("x"), u.revision), "NotFound");

      // Re-creation starts a new life: version 1 and a new create revision.
      const c2 = await store.create(k, bytes("again"));
      const got3 = await store.get(k);
      assert.equal(got3.kv!.version, 1);
      assert.equal(got3.kv!.createRevision, c2.revision);
      // An older revision still shows the old value.
      assert.equal(text((await store.get(k, { revision: u.revision })).kv), "v2");
      assert.equal((await store.get(k, { revision: d.revision })).kv, undefined);
    });

    it("refuses keys outside /registry/ and oversized values with clear errors", async () => {
      const e1 = await expectStoreError(store.create("/other/x", bytes("v")), "InvalidKey");
      assert.match(e1.message, /\/registry\//);
      await expectStoreError(store.get("relative"), "InvalidKey");
      const e2 = await expectStoreError(
        store.create(`${ns()}big`, new Uint8Array(MAX_VALUE_BYTES + 1)),
        "ValueTooLarge",
      );
      assert.match(e2.message, /1\.5 MiB/);
    });

    it("stores large values intact", async () => {
      const p = ns();
      const big = new Uint8Array(MAX_VALUE_BYTES - 4096);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      await store.create(`${p}big`, big);
      const got = await store.get(`${p}big`);
      assert.equal(got.kv!.value.byteLength, big.byteLength);
      assert.ok(Buffer.from(got.kv!.value).equals(Buffer.from(big)));
    });

    it("increases the revision with every write, and only with writes", async () => {
      const p = ns();
      const r0 = await store.currentRevision();
      const revs: number[] = [];
      for (let i = 0; i < 20; i++) revs.push((await store.create(`${p}k${i}`, bytes(`${i}`))).revision);
      for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1]);
      assert.ok(revs[0] > r0);
      const r1 = await store.currentRevision();
      assert.equal(r1, revs[revs.length - 1]);
      await store.get(`${p}k1`);
      await store.range(p);
      await expectStoreError(store.create(`${p}k1`, bytes("dup")), "KeyExists");
      assert.equal(await store.currentRevision(), r1, "reads and failed writes do not move the revision");
      // Concurrent writes get distinct revisions.
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.create(`${p}c${i}`, bytes("x"))),
      );
      assert.equal(new Set(results.map((r) => r.revision)).size, 50);
    });

    it("ranges a prefix in key order, with limit, continue and count", async () => {
      const p = ns();
      for (let i = 0; i < 25; i++) await store.create(`${p}ns/k${String(i).padStart(2, "0")}`, bytes(`${i}`));
      await store.create(`${p}nt/other`, bytes("x")); // shares a textual prefix only when `/` is dropped
      const all = await store.range(`${p}ns/`, { withCount: true });
      assert.equal(all.kvs.length, 25);
      assert.equal(all.count, 25);
      assert.equal(all.more, false);
      assert.deepEqual(
        all.kvs.map((kv) => kv.key),
        [...all.kvs.map((kv) => kv.key)].sort(),
      );
      const page = await store.range(`${p}ns/`, { limit: 10, withCount: true });
      assert.equal(page.kvs.length, 10);
      assert.equal(page.more, true);
      assert.equal(page.count, 25);
      const next = await store.range(`${p}ns/`, {
        limit: 10,
        startKey: `${page.kvs[9].key}\x00`,
        revision: page.revision,
        withCount: true,
      });
      assert.equal(next.kvs[0].key, `${p}ns/k10`);
      assert.equal(next.count, 15, "count covers the keys from the start key on");
      const c = await store.count(`${p}ns/`);
      assert.equal(c.count, 25);
    });

    it("keeps a paginated list one consistent snapshot while writes happen", async () => {
      const p = ns();
      for (let i = 0; i < 60; i++) await store.create(`${p}k${String(i).padStart(2, "0")}`, bytes("orig"));
      const first = await store.range(p, { limit: 7 });
      const snapshot = first.revision;
      const seen = [...first.kvs];
      let startKey = `${first.kvs[first.kvs.length - 1].key}\x00`;
      let more = first.more;
      let i = 0;
      while (more) {
        // Writes between pages: updates, deletes and creations everywhere in the range.
        const k = `${p}k${String(i).padStart(2, "0")}`;
        const cur = await store.get(k);
        if (cur.kv) await store.update(k, bytes("changed"), cur.kv.modRevision);
        const victim = `${p}k${String(59 - i).padStart(2, "0")}`;
        if ((await store.get(victim)).kv) await store.delete(victim);
        await store.create(`${p}k${String(i).padStart(2, "0")}x`, bytes("new"));
        i++;
        const page = await store.range(p, { limit: 7, startKey, revision: snapshot });
        assert.equal(page.revision, snapshot);
        seen.push(...page.kvs);
        more = page.more;
        if (page.kvs.length) startKey = `${page.kvs[page.kvs.length - 1].key}\x00`;
      }
      assert.equal(seen.length, 60);
      assert.ok(seen.every((kv) => text(kv) === "orig"));
      assert.equal(new Set(seen.map((kv) => kv.key)).size, 60);
    });

    it("watches every change after a revision in order, exactly once, under concurrent writers", async () => {
      const p = ns();
      const from = await store.currentRevision();
      const w = store.watch(p, from);
      const writers = 8;
      const perWriter = 100;
      const written: number[] = [];
      const events = collect(w, writers * perWriter * 2);
      await Promise.all(
        Array.from({ length: writers }, async (_, wi) => {
          for (let j = 0; j < perWriter; j++) {
            const k = `${p}w${wi}/k${j}`;
            const c = await store.create(k, bytes(`${j}`));
            written.push(c.revision);
            const u = await store.update(k, bytes(`${j}'`), c.revision);
            written.push(u.revision);
          }
        }),
      );
      const got = await events;
      assert.equal(got.length, written.length);
      for (let i = 1; i < got.length; i++) {
        assert.ok(got[i].kv.modRevision > got[i - 1].kv.modRevision, "events arrive in revision order");
      }
      assert.deepEqual(
        got.map((e) => e.kv.modRevision),
        [...written].sort((a, b) => a - b),
        "every write is delivered exactly once",
      );
      const updates = got.filter((e) => e.type === "put" && e.prevKv);
      assert.equal(updates.length, writers * perWriter);
      assert.ok(updates.every((e) => text(e.kv) === `${text(e.prevKv)}'`));
    });

    it("replays history when watching from an old revision, with previous values", async () => {
      const p = ns();
      const from = await store.currentRevision();
      const c = await store.create(`${p}a`, bytes("1"));
      const u = await store.update(`${p}a`, bytes("2"), c.revision);
      await store.create(`${p}b`, bytes("b"));
      await store.delete(`${p}a`, u.revision);
      await store.create(`${ns()}elsewhere`, bytes("not mine"));
      const w = store.watch(p, from);
      const live = collect(w, 5);
      await store.create(`${p}a`, bytes("3"));
      const got = await live;
      assert.deepEqual(
        got.map((e) => [e.type, e.kv.key.slice(p.length), text(e.kv), text(e.prevKv)]),
        [
          ["put", "a", "1", undefined],
          ["put", "a", "2", "1"],
          ["put", "b", "b", undefined],
          ["delete", "a", "", "2"],
          ["put", "a", "3", undefined],
        ],
      );
      assert.equal(got[3].prevKv!.modRevision, u.revision);
      // Watching from the middle starts right after that revision.
      const w2 = store.watch(p, c.revision);
      const mid = await collect(w2, 1);
      assert.equal(mid[0].kv.modRevision, u.revision);
    });

    it("delivers only the events a watch's filter accepts, replayed and live, in order", async () => {
      const p = ns();
      const from = await store.currentRevision();
      await store.create(`${p}x1`, bytes("skip"));
      const k = await store.create(`${p}k1`, bytes("keep"));
      const wanted = (e: WatchEvent) => text(e.kv) === "keep" || text(e.prevKv) === "keep";
      const w = store.watch(p, from, wanted);
      const got = collect(w, 3);
      await store.create(`${p}x2`, bytes("skip"));
      await store.update(`${p}k1`, bytes("changed"), k.revision);
      await store.create(`${p}k2`, bytes("keep"));
      assert.deepEqual(
        (await got).map((e) => [e.kv.key.slice(p.length), text(e.kv), text(e.prevKv)]),
        [
          ["k1", "keep", undefined],
          ["k1", "changed", "keep"],
          ["k2", "keep", undefined],
        ],
      );
    });

    it("a watch with a trigger gets what its filter accepts, also when an object moves into or out of its value", async () => {
      const p = ns();
      const from = await store.currentRevision();
      // The value's "field" is the text before ":", as a pod's spec.nodeName would be.
      const field = (kv: KeyValue | undefined) =>
        kv && kv.value.length > 0 ? dec.decode(kv.value).split(":")[0] : undefined;
      const onNode = (node: string) => (e: WatchEvent) => field(e.kv) === node || field(e.prevKv) === node;
      const trigger = (value: string): WatchTrigger => ({ field: "node", value, valueOf: (kv) => field(kv) });
      const a = store.watch(p, from, onNode("a"), trigger("a"));
      const b = store.watch(p, from, onNode("b"), trigger("b"));
      const gotA = collect(a, 4);
      const gotB = collect(b, 2);
      const x = await store.create(`${p}x`, bytes("a:1"));
      await store.create(`${p}y`, bytes("c:1"));
      const x2 = await store.update(`${p}x`, bytes("b:2"), x.revision);
      const z = await store.create(`${p}z`, bytes("a:3"));
      await store.delete(`${p}x`, x2.revision);
      await store.delete(`${p}z`, z.revision);
      const show = (e: WatchEvent) => [e.type, e.kv.key.slice(p.length), e.type === "put" ? text(e.kv) : ""];
      assert.deepEqual((await gotA).map(show), [
        ["put", "x", "a:1"],
        ["put", "x", "b:2"],
        ["put", "z", "a:3"],
        ["delete", "z", ""],
      ]);
      assert.deepEqual((await gotB).map(show), [
        ["put", "x", "b:2"],
        ["delete", "x", ""],
      ]);
    });

    it("a watch of a prefix spanning resources sees all their events in revision order", async () => {
      const a = ns();
      const b = ns();
      const from = await store.currentRevision();
      // "/registry/t" is above every test's own "/registry/tN/".
      const all = store.watch("/registry/t", from);
      const onlyA = store.watch(a, from);
      const got = collect(all, 3);
      const gotA = collect(onlyA, 2);
      await store.create(`${a}1`, bytes("a1"));
      await store.create(`${b}1`, bytes("b1"));
      await store.create(`${a}2`, bytes("a2"));
      const seen = (await got).filter((e) => e.kv.key.startsWith(a) || e.kv.key.startsWith(b));
      assert.deepEqual(
        seen.map((e) => text(e.kv)),
        ["a1", "b1", "a2"],
      );
      assert.deepEqual(
        (await gotA).map((e) => text(e.kv)),
        ["a1", "a2"],
      );
    });

    it("fails reads and watches below a compacted revision, and keeps the rest", async () => {
      const p = ns();
      const c = await store.create(`${p}a`, bytes("1"));
      const u = await store.update(`${p}a`, bytes("2"), c.revision);
      await store.create(`${p}gone`, bytes("x"));
      await store.delete(`${p}gone`);
      const u2 = await store.update(`${p}a`, bytes("3"), u.revision);
      await store.create(`${p}b`, bytes("b"));
      await store.compact(u2.revision);
      const e = await expectStoreError(store.get(`${p}a`, { revision: c.revision }), "Compacted");
      assert.ok(e.message.includes(String(c.revision)));
      await expectStoreError(store.range(p, { revision: u.revision }), "Compacted");
      const watchErr = store.watch(p, c.revision);
      await assert.rejects(collect(watchErr, 1), (err) => isStoreError(err, "Compacted"));
      // The compacted revision itself and everything after stay readable.
      assert.equal(text((await store.get(`${p}a`, { revision: u2.revision })).kv), "3");
      const now = await store.range(p);
      assert.deepEqual(
        now.kvs.map((kv) => text(kv)),
        ["3", "b"],
      );
      const w = store.watch(p, u2.revision);
      const live = collect(w, 2);
      await store.update(`${p}a`, bytes("4"), u2.revision);
      const got = await live;
      assert.equal(text(got[0].kv), "b");
      assert.equal(text(got[1].kv), "4");
      assert.equal(text(got[1].prevKv), "3");
    });

    it("lets exactly one of N concurrent updaters of a key win each round", async () => {
      const k = `${ns()}counter`;
      await store.create(k, bytes("0"));
      const updaters = 16;
      for (let round = 1; round <= 10; round++) {
        const cur = (await store.get(k)).kv!;
        const results = await Promise.allSettled(
          Array.from({ length: updaters }, (_, i) =>
            store.update(k, bytes(`${round}:${i}`), cur.modRevision),
          ),
        );
        const won = results.filter((r) => r.status === "fulfilled");
        assert.equal(won.length, 1, `round ${round}: exactly one winner`);
        for (const r of results) {
          if (r.status === "rejected") assert.ok(isStoreError(r.reason, "Conflict"));
        }
      }
      const end = (await store.get(k)).kv!;
      assert.equal(end.version, 11, "no lost update: one version per round");
    });

    it("holds 10,000 keys", async () => {
      const p = ns();
      const total = 10_000;
      const value = bytes("x".repeat(100));
      for (let i = 0; i < total; i += 500) {
        await Promise.all(
          Array.from({ length: 500 }, (_, j) => store.create(`${p}${String(i + j).padStart(5, "0")}`, value)),
        );
      }
      assert.equal((await store.count(p)).count, total);
      const keys = new Set<string>();
      let startKey: string | undefined;
      let revision: number | undefined;
      for (;;) {
        const page = await store.range(p, { limit: 1000, startKey, revision });
        revision = page.revision;
        for (const kv of page.kvs) keys.add(kv.key);
        if (!page.more) break;
        startKey = `${page.kvs[page.kvs.length - 1].key}\x00`;
      }
      assert.equal(keys.size, total);
    });

    it("drops a watcher that cannot keep up, without blocking writers", async () => {
      const slowStore = await factory.open({ watchBuffer: 50 });
      try {
        const p = ns();
        const w = slowStore.watch(p, await slowStore.currentRevision());
        // Nobody reads the watch while 200 writes happen.
        for (let i = 0; i < 200; i++) await slowStore.create(`${p}k${i}`, bytes("x"));
        await assert.rejects(
          (async () => {
            for await (const _ of w) {
              // drain
            }
          })(),
          (err) => isStoreError(err, "TooSlow") && /relist/.test((err as Error).message),
        );
        // The store goes on serving.
        assert.equal((await slowStore.count(p)).count, 200);
      } finally {
        await slowStore.close();
      }
    });

    it("refuses reads in the future", async () => {
      const rev = await store.currentRevision();
      await expectStoreError(store.get(`${ns()}x`, { revision: rev + 1000 }), "FutureRevision");
    });
  });
}
