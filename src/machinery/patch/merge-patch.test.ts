// RFC 7386 appendix A examples and evanphx/json-patch v4 MergePatch specifics.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyMergePatch } from "./merge-patch.ts";
import { PatchError } from "./patch-error.ts";

describe("RFC 7386 appendix A", () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases) {
    test(`${JSON.stringify(doc)} + ${JSON.stringify(patch)}`, () => {
      assert.deepEqual(applyMergePatch(doc as never, patch), want);
    });
  }
});

describe("evanphx/json-patch v4", () => {
  test("nulls inside objects of an added array are pruned, null items stay", () => {
    assert.deepEqual(applyMergePatch({}, { a: [{ b: null, c: 1 }, null] }), { a: [{ c: 1 }, null] });
  });
  test("an object replacing a scalar loses its nulls", () => {
    assert.deepEqual(applyMergePatch({ a: 1 }, { a: { b: null, c: 2 } }), { a: { c: 2 } });
  });
  test("a non-object replacing an object is taken as is", () => {
    assert.deepEqual(applyMergePatch({ a: { b: 1 } }, { a: [null] }), { a: [null] });
  });
  test("an array patch replaces the document", () => {
    assert.deepEqual(applyMergePatch({ a: 1 }, [1, { b: null }]), [1, {}]);
  });
  test("null or scalar patch is a 400 Invalid JSON Patch", () => {
    for (const p of [null, 1, "x", true]) {
      assert.throws(
        () => applyMergePatch({ a: 1 }, p),
        (e: unknown) => e instanceof PatchError && e.code === 400 && e.message === "Invalid JSON Patch",
      );
    }
  });
  test("the document is not modified", () => {
    const doc = { a: { b: 1 } };
    applyMergePatch(doc, { a: { b: 2 } });
    assert.deepEqual(doc, { a: { b: 1 } });
  });
  test("metadata labels merge, a null label is removed", () => {
    const doc = { metadata: { name: "x", labels: { app: "web", tier: "fe" } }, spec: { replicas: 1 } };
    const got = applyMergePatch(doc, {
      metadata: { labels: { tier: null, env: "prod" } },
      spec: { replicas: 3 },
    });
    assert.deepEqual(got, {
      metadata: { name: "x", labels: { app: "web", env: "prod" } },
      spec: { replicas: 3 },
    });
  });
});
