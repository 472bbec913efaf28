import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ConfigMap } from "kubernetes-types/core/v1.d.ts";
import { ApiError, isAlreadyExists, isConflict, isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient, type WatchEvent } from "../../src/client/rest-client.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let client: RestClient;
const cm = Resources.configmaps;

before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
});
after(async () => {
  client.close();
  await api.stop();
});

test("create, get, list, update, patch (merge, strategic, json, apply) and delete a ConfigMap", async () => {
  const created = await client.create<ConfigMap>(cm, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "one", namespace: "default" },
    data: { a: "1" },
  });
  assert.ok(created.metadata?.resourceVersion);
  const got = await client.get<ConfigMap>(cm, "one", { namespace: "default" });
  assert.deepEqual(got.data, { a: "1" });
  const list = await client.list<ConfigMap>(cm, { namespace: "default" });
  assert.ok(list.items.some((i) => i.metadata?.name === "one"));
  assert.ok(list.metadata.resourceVersion);

  const updated = await client.update<ConfigMap>(cm, { ...got, data: { a: "2" } });
  assert.deepEqual(updated.data, { a: "2" });

  const merged = await client.patch<ConfigMap>(
    cm,
    "one",
    { data: { b: "3" } },
    { namespace: "default", type: "merge" },
  );
  assert.deepEqual(merged.data, { a: "2", b: "3" });
  const strategic = await client.patch<ConfigMap>(
    cm,
    "one",
    { metadata: { labels: { x: "y" } } },
    { namespace: "default", type: "strategic" },
  );
  assert.deepEqual(strategic.metadata?.labels, { x: "y" });
  const json = await client.patch<ConfigMap>(cm, "one", [{ op: "remove", path: "/data/b" }], {
    namespace: "default",
    type: "json",
  });
  assert.deepEqual(json.data, { a: "2" });
  const applied = await client.patch<ConfigMap>(
    cm,
    "two",
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "two", namespace: "default" },
      data: { k: "v" },
    },
    { namespace: "default", type: "apply", fieldManager: "test", force: true },
  );
  assert.deepEqual(applied.data, { k: "v" });
  assert.equal(applied.metadata?.managedFields?.[0]?.manager, "test");

  await client.delete(cm, "one", { namespace: "default" });
  await assert.rejects(client.get(cm, "one", { namespace: "default" }), isNotFound);
});

test("errors carry the server's Status: 404 NotFound, 409 AlreadyExists and Conflict", async () => {
  const err = await client.get(cm, "missing", { namespace: "default" }).catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 404);
  assert.equal(err.reason, "NotFound");
  assert.equal(err.message, 'configmaps "missing" not found');
  assert.deepEqual(err.details, { name: "missing", kind: "configmaps" });

  const obj: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "dup", namespace: "default" },
  };
  const first = await client.create<ConfigMap>(cm, obj);
  const dup = await client.create(cm, obj).catch((e: unknown) => e);
  assert.ok(isAlreadyExists(dup));
  assert.equal((dup as ApiError).code, 409);
  assert.equal((dup as ApiError).message, 'configmaps "dup" already exists');

  await client.update<ConfigMap>(cm, { ...first, data: { v: "1" } });
  const stale = await client.update<ConfigMap>(cm, { ...first, data: { v: "2" } }).catch((e: unknown) => e);
  assert.ok(isConflict(stale));
  assert.equal(
    (stale as ApiError).message,
    'Operation cannot be fulfilled on configmaps "dup": the object has been modified; please apply your changes to the latest version and try again',
  );
});

test("watch decodes typed events from the list's resourceVersion and stops on abort", async () => {
  const ns = "default";
  const list = await client.list<ConfigMap>(cm, { namespace: ns });
  const ac = new AbortController();
  const seen: WatchEvent<ConfigMap>[] = [];
  const done = (async () => {
    for await (const ev of client.watch<ConfigMap>(cm, {
      namespace: ns,
      resourceVersion: list.metadata.resourceVersion,
      signal: ac.signal,
    })) {
      seen.push(ev);
      if (seen.length === 3) ac.abort();
    }
  })();
  const w = await client.create<ConfigMap>(cm, { metadata: { name: "w", namespace: ns } });
  await client.update<ConfigMap>(cm, { ...w, data: { a: "b" } });
  await client.delete(cm, "w", { namespace: ns });
  await done;
  assert.deepEqual(
    seen.map((e) => [e.type, (e.object as ConfigMap).metadata?.name]),
    [
      ["ADDED", "w"],
      ["MODIFIED", "w"],
      ["DELETED", "w"],
    ],
  );
});

test("a watch ends when the server's timeoutSeconds passes", async () => {
  const started = Date.now();
  const events: string[] = [];
  for await (const ev of client.watch(cm, { namespace: "default", timeoutSeconds: 1 })) events.push(ev.type);
  assert.ok(Date.now() - started >= 900);
});

test("an unauthenticated client gets a typed 403 Forbidden", async () => {
  const anon = new RestClient({ server: api.url, ca: api.admin.ca, namespace: "default" });
  const err = await anon.list(cm, { namespace: "default" }).catch((e: unknown) => e);
  anon.close();
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 403);
  assert.equal(err.reason, "Forbidden");
});
