// storeObjectUpdate semantics: never go back to an older version, let the same one through.
import assert from "node:assert/strict";
import { it } from "node:test";
import { ObjectCache } from "./object-cache.ts";

const obj = (rv: string, ns?: string) => ({ metadata: { name: "x", namespace: ns, resourceVersion: rv } });

it("keeps the newest version; the same version passes for periodic syncs", () => {
  const cache = new ObjectCache("claim");
  assert.equal(cache.update(obj("5", "ns")), true);
  assert.equal(cache.update(obj("5", "ns")), true);
  assert.equal(cache.update(obj("4", "ns")), false);
  assert.equal(cache.get("ns/x")?.metadata?.resourceVersion, "5");
  assert.equal(cache.update(obj("12", "ns")), true);
  assert.equal(cache.list().length, 1);
  cache.delete("ns/x");
  assert.equal(cache.get("ns/x"), undefined);
});

it("refuses a resourceVersion that is not a number, as upstream's ParseInt", () => {
  const cache = new ObjectCache("volume");
  cache.update(obj("1"));
  assert.throws(() => cache.update(obj("abc")), {
    message:
      'error parsing ResourceVersion "abc" of volume "x": strconv.ParseInt: parsing "abc": invalid syntax',
  });
});
