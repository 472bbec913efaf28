import assert from "node:assert/strict";
import { test } from "node:test";
import { NamespaceLifecycle } from "./namespace-lifecycle.ts";
import { ObjectCache } from "./object-cache.ts";
import { attrs, newRegistry, pod, status } from "./test-helpers.ts";

async function setup() {
  const registry = newRegistry();
  for (const name of ["default", "kube-system", "doomed"]) {
    await registry.namespaces.create(undefined, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
      spec: { finalizers: ["kubernetes"] },
    });
  }
  // Deletion with a finalizer pending leaves the namespace Terminating.
  await registry.namespaces.delete(undefined, "doomed");
  return registry;
}

test("creates in an existing namespace pass; in a missing one 404 as upstream", async () => {
  const registry = await setup();
  const plugin = new NamespaceLifecycle({ registry });
  await plugin.admit(attrs({ resource: "pods", object: pod("p") }));
  await assert.rejects(
    () => Promise.resolve(plugin.admit(attrs({ resource: "pods", object: pod("p", "nowhere") }))),
    (e) => {
      const s = status(e);
      assert.equal(s.code, 404);
      assert.equal(s.reason, "NotFound");
      assert.equal(s.message, 'namespaces "nowhere" not found');
      assert.deepEqual(s.details, { name: "nowhere", kind: "namespaces" });
      return true;
    },
  );
});

test("creates in a terminating namespace: 403 with the NamespaceTerminating cause", async () => {
  const registry = await setup();
  const plugin = new NamespaceLifecycle({ registry });
  await assert.rejects(
    () =>
      Promise.resolve(
        plugin.admit(
          attrs({ resource: "configmaps", object: { metadata: { name: "cm", namespace: "doomed" } } }),
        ),
      ),
    (e) => {
      assert.deepEqual(status(e), {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message:
          'configmaps "cm" is forbidden: unable to create new content in namespace doomed because it is being terminated',
        reason: "Forbidden",
        details: {
          name: "cm",
          kind: "configmaps",
          causes: [
            {
              reason: "NamespaceTerminating",
              message: "namespace doomed is being terminated",
              field: "metadata.namespace",
            },
          ],
        },
        code: 403,
      });
      return true;
    },
  );
  // Updates and deletes of what is already there still pass, as upstream.
  const old = { metadata: { name: "cm", namespace: "doomed", resourceVersion: "1" } };
  await plugin.admit(attrs({ operation: "UPDATE", resource: "configmaps", object: old, oldObject: old }));
  await plugin.admit(attrs({ operation: "DELETE", resource: "configmaps", oldObject: old }));
});

test("the immortal namespaces may not be deleted; others may", async () => {
  const registry = await setup();
  const plugin = new NamespaceLifecycle({ registry });
  for (const name of ["default", "kube-system", "kube-public"]) {
    await assert.rejects(
      () =>
        Promise.resolve(
          plugin.admit(attrs({ operation: "DELETE", resource: "namespaces", name, namespace: name })),
        ),
      (e) => {
        assert.equal(status(e).code, 403);
        assert.equal(
          status(e).message,
          `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        );
        assert.deepEqual(status(e).details, { name, kind: "namespaces" });
        return true;
      },
    );
  }
  await plugin.admit(
    attrs({ operation: "DELETE", resource: "namespaces", name: "doomed", namespace: "doomed" }),
  );
  // Namespaces themselves and cluster-scoped objects are never checked.
  await plugin.admit(
    attrs({ resource: "namespaces", object: { metadata: { name: "new" } }, namespace: "new" }),
  );
  await plugin.admit(attrs({ resource: "nodes", object: { metadata: { name: "n1" } } }));
});

test("with a cache: reads memory, waits for a namespace created just before, and reads the store after a delete", async () => {
  const registry = await setup();
  const cache = new ObjectCache(registry.namespaces);
  const sleeps: number[] = [];
  let now = 1_000_000;
  const plugin = new NamespaceLifecycle({
    registry,
    cache,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  await cache.start();
  try {
    await plugin.admit(attrs({ resource: "pods", object: pod("p") }));
    assert.deepEqual(sleeps, []);
    // A namespace the cache has not seen: the plugin waits 50 ms, then asks the store.
    await registry.namespaces.create(undefined, { metadata: { name: "fresh" }, spec: {} });
    const inCache = cache.get(undefined, "fresh");
    await plugin.admit(attrs({ resource: "pods", object: pod("p", "fresh") }));
    if (!inCache) assert.deepEqual(sleeps, [50]);
    // The namespace's DELETE passes through the plugin: the next create reads the store, not a stale cache.
    await registry.namespaces.create(undefined, {
      metadata: { name: "goner" },
      spec: { finalizers: ["kubernetes"] },
    });
    await waitFor(() => cache.get(undefined, "goner") !== undefined);
    const stale = cache.get(undefined, "goner")!;
    await plugin.admit(
      attrs({ operation: "DELETE", resource: "namespaces", name: "goner", namespace: "goner" }),
    );
    await registry.namespaces.delete(undefined, "goner");
    const staleCache = { ...cache, synced: true, get: () => stale } as unknown as ObjectCache;
    const withStale = new NamespaceLifecycle({ registry, cache: staleCache, now: () => now });
    await withStale.admit(
      attrs({ operation: "DELETE", resource: "namespaces", name: "goner", namespace: "goner" }),
    );
    await assert.rejects(
      () => Promise.resolve(withStale.admit(attrs({ resource: "pods", object: pod("p", "goner") }))),
      (e) => status(e).code === 403,
    );
    // After 30 s the stale cache is trusted again (upstream's forceLiveLookupTTL).
    now += 31_000;
    await withStale.admit(attrs({ resource: "pods", object: pod("p", "goner") }));
  } finally {
    cache.stop();
  }
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
}
