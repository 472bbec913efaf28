// RFC 6902 examples and evanphx/json-patch v4 behaviour (patch_test.go cases
// and its error texts), as the apiserver applies JSON patches.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyJSONPatch, decodeJSONPatch, maxJSONPatchOperations } from "./json-patch.ts";
import { PatchError } from "./patch-error.ts";
import type { JSONValue } from "./strategic-merge.ts";

function applies(doc: JSONValue, patch: unknown, want: JSONValue) {
  assert.deepEqual(applyJSONPatch(doc, patch), want);
}

function fails(doc: JSONValue, patch: unknown, message: string) {
  assert.throws(
    () => applyJSONPatch(doc, patch),
    (e: unknown) =>
      e instanceof PatchError &&
      e.code === 422 &&
      e.reason === "Invalid" &&
      e.statusMessage === "the server rejected our request due to an error in our request" &&
      e.message === message,
  );
}

describe("RFC 6902 appendix A", () => {
  test("A.1 adding an object member", () => {
    applies({ foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }], { foo: "bar", baz: "qux" });
  });
  test("A.2 adding an array element", () => {
    applies({ foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }], {
      foo: ["bar", "qux", "baz"],
    });
  });
  test("A.3 removing an object member", () => {
    applies({ baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }], { foo: "bar" });
  });
  test("A.4 removing an array element", () => {
    applies({ foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }], { foo: ["bar", "baz"] });
  });
  test("A.5 replacing a value", () => {
    applies({ baz: "qux", foo: "bar" }, [{ op: "replace", path: "/baz", value: "boo" }], {
      baz: "boo",
      foo: "bar",
    });
  });
  test("A.6 moving a value", () => {
    applies(
      { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
      [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
      { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
    );
  });
  test("A.7 moving an array element", () => {
    applies({ foo: ["all", "grass", "cows", "eat"] }, [{ op: "move", from: "/foo/1", path: "/foo/3" }], {
      foo: ["all", "cows", "eat", "grass"],
    });
  });
  test("A.8 testing a value: success", () => {
    applies(
      { baz: "qux", foo: ["a", 2, "c"] },
      [
        { op: "test", path: "/baz", value: "qux" },
        { op: "test", path: "/foo/1", value: 2 },
      ],
      { baz: "qux", foo: ["a", 2, "c"] },
    );
  });
  test("A.9 testing a value: error", () => {
    fails(
      { baz: "qux" },
      [{ op: "test", path: "/baz", value: "bar" }],
      "testing value /baz failed: test failed",
    );
  });
  test("A.10 adding a nested member object", () => {
    applies({ foo: "bar" }, [{ op: "add", path: "/child", value: { grandchild: {} } }], {
      foo: "bar",
      child: { grandchild: {} },
    });
  });
  test("A.12 adding to a nonexistent target", () => {
    fails(
      { foo: "bar" },
      [{ op: "add", path: "/baz/bat", value: "qux" }],
      'add operation does not apply: doc is missing path: "/baz/bat": missing value',
    );
  });
  test("A.14 ~ escape ordering", () => {
    applies({ "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: 10 }], { "/": 9, "~1": 10 });
    applies({ "a/b": 1 }, [{ op: "replace", path: "/a~1b", value: 2 }], { "a/b": 2 });
  });
  test("A.16 adding an array value", () => {
    applies({ foo: ["bar"] }, [{ op: "add", path: "/foo/-", value: ["abc", "def"] }], {
      foo: ["bar", ["abc", "def"]],
    });
  });
  test("copy", () => {
    applies({ foo: { a: 1 } }, [{ op: "copy", from: "/foo", path: "/bar" }], {
      foo: { a: 1 },
      bar: { a: 1 },
    });
  });
});

describe("evanphx/json-patch v4 behaviour", () => {
  test("negative indices count from the end", () => {
    applies({ foo: [1, 2, 3] }, [{ op: "remove", path: "/foo/-1" }], { foo: [1, 2] });
    applies({ foo: [1, 2, 3] }, [{ op: "add", path: "/foo/-1", value: 9 }], { foo: [1, 2, 3, 9] });
    applies({ foo: [1, 2, 3] }, [{ op: "replace", path: "/foo/-3", value: 9 }], { foo: [9, 2, 3] });
  });
  test("replace of a missing object key adds it", () => {
    applies({ foo: "bar" }, [{ op: "replace", path: "/baz", value: 1 }], { foo: "bar", baz: 1 });
  });
  test("replace of the root", () => {
    applies({ a: 1 }, [{ op: "replace", path: "", value: { b: 2 } }], { b: 2 });
    applies({ a: 1 }, [{ op: "replace", path: "", value: 3 }], { a: 1 });
  });
  test("test of a missing key against null passes", () => {
    applies({ a: 1 }, [{ op: "test", path: "/b", value: null }], { a: 1 });
  });
  test("test of the whole document", () => {
    applies({ a: [1] }, [{ op: "test", path: "", value: { a: [1] } }], { a: [1] });
    fails({ a: 1 }, [{ op: "test", path: "", value: {} }], "testing value  failed: test failed");
  });
  test("the document is not modified", () => {
    const doc = { a: { b: 1 } };
    applyJSONPatch(doc, [{ op: "replace", path: "/a/b", value: 2 }]);
    assert.deepEqual(doc, { a: { b: 1 } });
  });
  test("operations apply in order and stop at the first failure", () => {
    fails(
      { a: 1 },
      [
        { op: "add", path: "/b", value: 2 },
        { op: "remove", path: "/c" },
      ],
      "error in remove for path: '/c': Unable to remove nonexistent key: c: missing value",
    );
  });
});

describe("error texts", () => {
  test("remove of an out-of-range index", () => {
    fails(
      { foo: [1] },
      [{ op: "remove", path: "/foo/5" }],
      "error in remove for path: '/foo/5': Unable to access invalid index: 5: invalid index referenced",
    );
  });
  test("add past the end of an array", () => {
    fails(
      { foo: [1] },
      [{ op: "add", path: "/foo/3", value: 2 }],
      "error in add for path: '/foo/3': Unable to access invalid index: 3: invalid index referenced",
    );
  });
  test("add with a non-numeric array index", () => {
    fails(
      { foo: [1] },
      [{ op: "add", path: "/foo/x", value: 2 }],
      `error in add for path: '/foo/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
    );
  });
  test("replace of an out-of-range index", () => {
    fails(
      { foo: [1] },
      [{ op: "replace", path: "/foo/1", value: 2 }],
      "replace operation does not apply: doc is missing key: /foo/1: missing value",
    );
  });
  test("replace under a missing parent", () => {
    fails(
      { foo: 1 },
      [{ op: "replace", path: "/a/b", value: 2 }],
      "replace operation does not apply: doc is missing path: /a/b: missing value",
    );
  });
  test("move from a missing key", () => {
    fails(
      { foo: 1 },
      [{ op: "move", from: "/bar", path: "/baz" }],
      "error in move for path: 'bar': Unable to remove nonexistent key: bar: missing value",
    );
  });
  test("copy from a missing parent", () => {
    fails(
      { foo: 1 },
      [{ op: "copy", from: "/a/b", path: "/c" }],
      "copy operation does not apply: doc is missing from path: /a/b: missing value",
    );
  });
  test("missing path and unknown op", () => {
    fails({}, [{ op: "add", value: 1 }], "add operation failed to decode path: missing value");
    fails(
      {},
      [{ op: "move", path: "/a" }],
      "move operation failed to decode from: operation, missing from field: missing value",
    );
    fails({}, [{ op: "frobnicate", path: "/a" }], "Unexpected kind: frobnicate");
    fails({}, [{ path: "/a" }], "Unexpected kind: unknown");
  });
  test("test under a missing path", () => {
    fails(
      {},
      [{ op: "test", path: "/a/b", value: 1 }],
      "test operation does not apply: is missing path: /a/b: missing value",
    );
  });
});

describe("decoding", () => {
  test("a body that is not an array is a 400", () => {
    assert.throws(
      () => decodeJSONPatch({ op: "add" }),
      (e: unknown) =>
        e instanceof PatchError &&
        e.code === 400 &&
        e.message === "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
    );
    assert.throws(() => decodeJSONPatch(["x"]), {
      message: "json: cannot unmarshal string into Go value of type jsonpatch.Operation",
    });
  });
  test("too many operations is a 413", () => {
    const ops = Array.from({ length: maxJSONPatchOperations + 1 }, () => ({
      op: "test",
      path: "/a",
      value: 1,
    }));
    assert.throws(
      () => decodeJSONPatch(ops),
      (e: unknown) =>
        e instanceof PatchError &&
        e.code === 413 &&
        e.message === "The allowed maximum operations in a JSON patch is 10000, got 10001",
    );
  });
  test("null is an empty patch", () => {
    applies({ a: 1 }, null, { a: 1 });
  });
});
