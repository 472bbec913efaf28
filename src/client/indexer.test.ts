import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { Indexer, metaNamespaceKey, NAMESPACE_INDEX } from "./indexer.ts";

const pod = (ns: string, name: string, node?: string): Pod => ({
  metadata: { namespace: ns, name },
  spec: { containers: [], nodeName: node },
});

test("keys are namespace/name, or name when cluster-scoped (MetaNamespaceKeyFunc)", () => {
  assert.equal(metaNamespaceKey(pod("ns", "a")), "ns/a");
  assert.equal(metaNamespaceKey({ metadata: { name: "node-1" } }), "node-1");
});

test("the namespace index and a custom index follow updates and deletes", () => {
  const idx = new Indexer<Pod>();
  idx.addIndexers({ nodeName: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) });
  idx.upsert(pod("a", "p1", "n1"));
  idx.upsert(pod("a", "p2", "n2"));
  idx.upsert(pod("b", "p3", "n1"));
  assert.deepEqual(idx.indexKeys(NAMESPACE_INDEX, "a").sort(), ["a/p1", "a/p2"]);
  assert.deepEqual(idx.indexKeys("nodeName", "n1").sort(), ["a/p1", "b/p3"]);

  const old = idx.upsert(pod("a", "p1", "n2"));
  assert.equal(old?.spec?.nodeName, "n1");
  assert.deepEqual(idx.indexKeys("nodeName", "n1"), ["b/p3"]);
  assert.deepEqual(idx.indexKeys("nodeName", "n2").sort(), ["a/p1", "a/p2"]);

  assert.equal(idx.deleteKey("b/p3")?.metadata?.name, "p3");
  assert.deepEqual(idx.indexKeys("nodeName", "n1"), []);
  assert.deepEqual(idx.listIndexValues("nodeName"), ["n2"]);
  assert.deepEqual(
    idx
      .byNamespace("a")
      .map((p) => p.metadata?.name)
      .sort(),
    ["p1", "p2"],
  );
});

test("replace swaps everything at once; unknown index and late indexers are errors", () => {
  const idx = new Indexer<Pod>();
  idx.upsert(pod("a", "old"));
  idx.replace([pod("a", "new1"), pod("c", "new2")]);
  assert.deepEqual(idx.listKeys().sort(), ["a/new1", "c/new2"]);
  assert.deepEqual(idx.indexKeys(NAMESPACE_INDEX, "a"), ["a/new1"]);
  assert.throws(() => idx.byIndex("nope", "x"), /Index with name nope does not exist/);
  assert.throws(() => idx.addIndexers({ x: () => [] }), /cannot add indexers/);
});

test("a view reads later writes and has no write methods", () => {
  const idx = new Indexer<Pod>();
  const view = idx.view();
  idx.upsert(pod("a", "p"));
  assert.equal(view.get("a/p")?.metadata?.name, "p");
  assert.equal("upsert" in view, false);
});
