import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ConfigMap } from "kubernetes-types/core/v1.d.ts";
import { SharedInformerFactory } from "../../src/client/informer-factory.ts";
import type { ReflectorState } from "../../src/client/reflector.ts";
import { listerWatcher } from "../../src/client/reflector.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { SharedInformer, trimManagedFields } from "../../src/client/shared-informer.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";
import { until } from "../support/until.ts";

let api: TestApiServer;
let client: RestClient;
const cm = Resources.configmaps;

before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
  for (const name of ["resume", "expire", "scoped"])
    await client.create(Resources.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
});
after(async () => {
  client.close();
  await api.stop();
});

const mk = (ns: string, name: string, data: Record<string, string> = {}): ConfigMap => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns },
  data,
});

test("one informer per resource; handlers see add, update and delete with the final state", async (t) => {
  await client.create(cm, mk("default", "pre"));
  const factory = new SharedInformerFactory({ client });
  const inf = factory.forResource<ConfigMap>(cm);
  assert.equal(factory.forResource(cm), inf, "shared");
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o, initial) => log.push(`add ${o.metadata?.name} ${initial}`),
    onUpdate: (a, b) => log.push(`update ${a.data?.v ?? ""}->${b.data?.v ?? ""}`),
    onDelete: (o) => log.push(`delete ${o.metadata?.name} ${o.data?.v}`),
  });
  t.after(() => factory.shutdown());
  factory.start();
  const synced = await factory.waitForCacheSync();
  assert.deepEqual(synced, { "/v1/configmaps": true });
  assert.ok(inf.hasSynced());
  assert.ok(log.includes("add pre true"));

  const c = await client.create(cm, mk("default", "x", { v: "1" }));
  await client.update(cm, { ...c, data: { v: "2" } });
  await client.delete(cm, "x", { namespace: "default" });
  await until(() => log.some((l) => l.startsWith("delete x")), "delete", 8000, 20);
  assert.deepEqual(
    log.filter((l) => !l.includes("pre")),
    ["add x false", "update 1->2", "delete x 2"],
  );
  assert.equal(inf.getIndexer().get("default/x"), undefined);
  assert.ok(inf.getIndexer().get("default/pre"));
  assert.deepEqual(
    inf
      .getIndexer()
      .byNamespace("default")
      .map((o) => o.metadata?.name),
    ["pre"],
  );

  const late: string[] = [];
  inf.addEventHandler({ onAdd: (o, initial) => late.push(`${o.metadata?.name} ${initial}`) });
  assert.deepEqual(late, ["pre true"], "a late handler gets the cache as adds");
  await factory.shutdown();
  assert.equal(inf.state.phase, "stopped");
});

test("a transform (managedFields trimmed) applies to listed and watched objects; an update from the cache keeps the stored managedFields", async (t) => {
  await client.create(cm, mk("default", "trim-listed"));
  const factory = new SharedInformerFactory({
    client,
    transform: (res) => (res.resource === "configmaps" ? trimManagedFields : undefined),
  });
  const inf = factory.forResource<ConfigMap>(cm);
  const seen: ConfigMap[] = [];
  inf.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_, o) => seen.push(o) });
  t.after(() => factory.shutdown());
  factory.start();
  await factory.waitForCacheSync();
  await client.create(cm, mk("default", "trim-watched", { v: "1" }));
  await until(() => inf.getIndexer().get("default/trim-watched") !== undefined, "watched add", 8000, 20);
  for (const name of ["trim-listed", "trim-watched"]) {
    const stored = await client.get<ConfigMap>(cm, name, { namespace: "default" });
    assert.ok(stored.metadata?.managedFields?.length, `${name} has managedFields on the server`);
    assert.equal(inf.getIndexer().get(`default/${name}`)?.metadata?.managedFields, undefined, name);
  }
  assert.ok(seen.length >= 2 && seen.every((o) => o.metadata?.managedFields === undefined), "handlers");

  const cached = inf.getIndexer().get("default/trim-watched")!;
  const updated = await client.update(cm, { ...cached, data: { v: "2" } });
  assert.deepEqual(
    updated.metadata?.managedFields?.map((m) => m.operation),
    ["Update"],
    "the stored entry is kept and updated, not dropped",
  );
  await until(
    () => inf.getIndexer().get("default/trim-watched")?.data?.v === "2",
    "watched update",
    8000,
    20,
  );
  assert.equal(inf.getIndexer().get("default/trim-watched")?.metadata?.managedFields, undefined);
});

test("scopes of a factory share its watch and cache; a scope's shutdown removes only its handlers", async (t) => {
  await client.create(cm, mk("scoped", "pre", { v: "0" }));
  const factory = new SharedInformerFactory({ client });
  t.after(() => factory.shutdown());
  const log: string[] = [];
  const scope = (name: string) => {
    const s = factory.scoped();
    const inf = s.forResource<ConfigMap>(cm);
    inf.addEventHandler({
      onAdd: (o, initial) => {
        if (o.metadata?.namespace === "scoped") log.push(`${name} add ${o.metadata?.name} ${initial}`);
      },
      onUpdate: (_, o) => {
        if (o.metadata?.namespace === "scoped") log.push(`${name} update ${o.metadata?.name} ${o.data?.v}`);
      },
    });
    return { s, inf };
  };
  const a = scope("a");
  // A later term of the same component adds its indexer again: no conflict.
  const byV = { byV: (o: ConfigMap) => [`${o.metadata?.namespace}/${o.data?.v ?? ""}`] };
  a.inf.addIndexers(byV);
  a.s.start();
  assert.deepEqual(await a.s.waitForCacheSync(), { "/v1/configmaps": true });
  const b = scope("b");
  b.inf.addIndexers(byV);
  b.s.start();
  await b.s.waitForCacheSync();
  assert.ok(b.inf.hasSynced());
  assert.deepEqual(log.sort(), ["a add pre true", "b add pre true"]);
  assert.equal(a.inf.getIndexer().get("scoped/pre"), b.inf.getIndexer().get("scoped/pre"), "one cache");
  assert.equal(a.inf.getIndexer().get("scoped/pre"), factory.forResource(cm).getIndexer().get("scoped/pre"));

  log.length = 0;
  const x = await client.create(cm, mk("scoped", "x", { v: "1" }));
  await until(() => log.length === 2, "both scopes see the add", 8000, 20);
  await a.s.shutdown();
  assert.equal(factory.forResource(cm).state.phase, "watching", "the factory's watch goes on");
  await client.update(cm, { ...x, data: { v: "2" } });
  await until(() => log.includes("b update x 2"), "b sees the update", 8000, 20);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(log.sort(), ["a add x false", "b add x false", "b update x 2"]);
  assert.deepEqual(
    b.inf
      .getIndexer()
      .byIndex("byV", "scoped/2")
      .map((o) => o.metadata?.name),
    ["x"],
  );
  // An index a scope adds to the running cache covers what is already there.
  const c = scope("c");
  c.inf.addIndexers({ byName: (o: ConfigMap) => [`${o.metadata?.namespace}/${o.metadata?.name}`] });
  assert.deepEqual(
    c.inf
      .getIndexer()
      .byIndex("byName", "scoped/pre")
      .map((o) => o.data?.v),
    ["0"],
  );
  await c.s.shutdown();
  await b.s.shutdown();
});

test("a watch the server ends is resumed from the last resourceVersion, not relisted", async (t) => {
  const states: ReflectorState[] = [];
  const inf = new SharedInformer<ConfigMap>({
    listerWatcher: listerWatcher(client, cm, { namespace: "resume" }),
    watchTimeoutSeconds: 1,
    onStateChange: (s) => states.push(s),
  });
  const names: string[] = [];
  inf.addEventHandler({ onAdd: (o) => names.push(o.metadata!.name!) });
  t.after(() => inf.stop());
  inf.start();
  await inf.waitForSync();
  await client.create(cm, mk("resume", "a"));
  await until(() => names.includes("a"), "a", 8000, 20);
  // Past the server's timeout: the reflector must be on its second watch.
  await until(() => states.filter((s) => s.phase === "watching").length >= 2, "second watch", 5000, 20);
  await client.create(cm, mk("resume", "b"));
  await until(() => names.includes("b"), "b", 8000, 20);
  await inf.stop();
  assert.equal(states.filter((s) => s.phase === "listing").length, 1, "listed once");
  assert.equal(states.filter((s) => s.phase === "backoff").length, 0);
  assert.deepEqual(names, ["a", "b"]);
});

test("410 Expired after compaction makes the reflector relist, and the cache catches up", async (t) => {
  const states: ReflectorState[] = [];
  const inf = new SharedInformer<ConfigMap>({
    listerWatcher: listerWatcher(client, cm, { namespace: "expire" }),
    watchTimeoutSeconds: 1,
    onStateChange: (s) => states.push(s),
  });
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata?.name}`),
    onDelete: (o) => log.push(`delete ${o.metadata?.name}`),
  });
  await client.create(cm, mk("expire", "gone-later"));
  t.after(() => inf.stop());
  inf.start();
  await inf.waitForSync();
  const rv = inf.lastSyncResourceVersion();
  // Writes elsewhere move the revision on; compacting them away leaves our resourceVersion behind.
  for (let i = 0; i < 3; i++) await client.create(cm, mk("default", `other-${i}`));
  const current = await client.list(cm, { namespace: "default" });
  const listingsBefore = states.filter((s) => s.phase === "listing").length;
  await api.store.compact(Number(current.metadata.resourceVersion));
  // Relisted and watching again (the new list's resourceVersion is then in place).
  await until(
    () =>
      states.filter((s) => s.phase === "listing").length > listingsBefore && inf.state.phase === "watching",
    "relist",
    5000,
    20,
  );
  assert.notEqual(inf.lastSyncResourceVersion(), rv);
  await client.delete(cm, "gone-later", { namespace: "expire" });
  await until(() => log.includes("delete gone-later"), "delete after relist", 8000, 20);
  await inf.stop();
  assert.equal(states.filter((s) => s.phase === "backoff").length, 0, "410 relists without backoff");
});
