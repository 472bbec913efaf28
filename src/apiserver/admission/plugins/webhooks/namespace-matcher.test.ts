import assert from "node:assert/strict";
import { test } from "node:test";
import { isNotFound } from "../../../../machinery/status.ts";
import { ObjectCache } from "../object-cache.ts";
import { newRegistry } from "../test-helpers.ts";
import { cachedNamespaces } from "./namespace-matcher.ts";

test("namespaces for namespaceSelectors: from the cache once synced, the store on a miss, NotFound when none", async () => {
  const registry = newRegistry();
  await registry.namespaces.create(undefined, {
    metadata: { name: "team", labels: { env: "prod" } },
    spec: {},
  });
  const cache = new ObjectCache(registry.namespaces);
  let storeReads = 0;
  const get = registry.namespaces.get.bind(registry.namespaces);
  registry.namespaces.get = (...args) => {
    storeReads++;
    return get(...args);
  };
  const getNamespace = cachedNamespaces(cache);
  // Before the cache has listed, the store answers.
  assert.equal((await getNamespace("team")).metadata?.labels?.env, "prod");
  assert.equal(storeReads, 1);
  await cache.start();
  for (let i = 0; i < 3; i++) assert.equal((await getNamespace("team")).metadata?.labels?.env, "prod");
  assert.equal(storeReads, 1, "a synced cache answers from memory");
  await assert.rejects(getNamespace("missing"), (e) => isNotFound(e));
  assert.equal(storeReads, 2, "a miss asks the store, as upstream's matcher does a live GET");
  cache.stop();
});
