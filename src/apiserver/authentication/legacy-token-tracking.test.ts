import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { SqliteStore } from "../../storage/sqlite.ts";
import { Registry } from "../registry/index.ts";
import {
  CREATION_INTERVAL_MS,
  isValidDate,
  LegacyTokenTrackingController,
  TRACKING_CONFIG_MAP_NAME,
} from "./legacy-token-tracking.ts";

const NS = "kube-system";
let store: SqliteStore | undefined;

afterEach(async () => {
  await store?.close();
  store = undefined;
});

function setup(start = new Date("2025-03-10T23:59:00Z")) {
  store = new SqliteStore({ path: ":memory:" });
  const registry = new Registry(store);
  let now = start;
  const c = new LegacyTokenTrackingController({ registry, now: () => now });
  const cms = registry.byResource("", "v1", "configmaps")!;
  const get = () => cms.get(NS, TRACKING_CONFIG_MAP_NAME).catch(() => undefined);
  return { c, cms, get, tick: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

test('dates as time.Parse("2006-01-02") takes them', () => {
  assert.equal(isValidDate("2024-02-29"), true);
  assert.equal(isValidDate("2023-02-29"), false);
  assert.equal(isValidDate("2025-3-10"), false);
  assert.equal(isValidDate("2025-03-10T00:00:00Z"), false);
  assert.equal(isValidDate(""), false);
  assert.equal(isValidDate(undefined), false);
});

test("a missing ConfigMap is made with today's UTC date, written as kube-apiserver", async () => {
  const s = setup();
  assert.equal(await s.c.syncConfigMap(), undefined);
  const cm = await s.get();
  assert.deepEqual(cm?.data, { since: "2025-03-10" });
  assert.equal(cm?.metadata.managedFields?.[0]?.manager, "kube-apiserver");
  assert.equal(cm?.metadata.managedFields?.[0]?.operation, "Update");
  // Present and well-formed: nothing changes.
  s.tick(3 * 24 * 3600_000);
  await s.c.syncConfigMap();
  assert.equal((await s.get())?.metadata.resourceVersion, cm?.metadata.resourceVersion);
});

test("a malformed date is replaced, other data kept", async () => {
  const s = setup();
  await s.cms.create(NS, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: TRACKING_CONFIG_MAP_NAME },
    data: { since: "yesterday", note: "kept" },
  });
  await s.c.syncConfigMap();
  assert.deepEqual((await s.get())?.data, { since: "2025-03-10", note: "kept" });
});

test("re-creation after a delete waits for the creation limiter (one per 30 minutes)", async () => {
  const s = setup();
  await s.c.syncConfigMap();
  await s.cms.delete(NS, TRACKING_CONFIG_MAP_NAME);
  s.tick(10 * 60_000);
  assert.equal(await s.c.syncConfigMap(), CREATION_INTERVAL_MS - 10 * 60_000);
  assert.equal(await s.get(), undefined);
  s.tick(20 * 60_000);
  assert.equal(await s.c.syncConfigMap(), undefined);
  // The clock has moved to the next day meanwhile.
  assert.deepEqual((await s.get())?.data, { since: "2025-03-11" });
});

test("started, it makes the ConfigMap and repairs it when its date breaks", async () => {
  const s = setup();
  s.c.start();
  try {
    const until = async (f: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await f()); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(await f());
    };
    await until(async () => (await s.get())?.data?.since === "2025-03-10");
    const cm = (await s.get())!;
    cm.data = { since: "broken" };
    await s.cms.update(NS, TRACKING_CONFIG_MAP_NAME, cm);
    await until(async () => (await s.get())?.data?.since === "2025-03-10");
  } finally {
    await s.c.stop();
  }
});
