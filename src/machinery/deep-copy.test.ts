import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deepCopyJson } from "./deep-copy.ts";

describe("deepCopyJson", () => {
  it("copies a pod as structuredClone does, sharing nothing", () => {
    const pod = JSON.parse(
      '{"metadata":{"name":"p","labels":{"app":"x"},"managedFields":[{"fieldsV1":{"f:spec":{}}}]},' +
        '"spec":{"containers":[{"name":"c","ports":[{"containerPort":80}]}],"priority":0,"hostNetwork":false},' +
        '"status":{"hostIP":null}}',
    );
    const copy = deepCopyJson(pod);
    assert.deepEqual(copy, structuredClone(pod));
    assert.equal(JSON.stringify(copy), JSON.stringify(pod));
    copy.spec.containers[0].ports[0].containerPort = 81;
    copy.metadata.labels.app = "y";
    assert.equal(pod.spec.containers[0].ports[0].containerPort, 80);
    assert.equal(pod.metadata.labels.app, "x");
  });

  it("keeps an own __proto__ key a key", () => {
    const v = JSON.parse('{"a":{"__proto__":{"polluted":true}}}');
    const copy = deepCopyJson(v);
    assert.equal(Object.getPrototypeOf(copy.a), Object.prototype);
    assert.deepEqual(Object.keys(copy.a), ["__proto__"]);
    assert.equal(JSON.stringify(copy), '{"a":{"__proto__":{"polluted":true}}}');
  });

  it("keeps keys whose value is undefined, as structuredClone does", () => {
    const copy = deepCopyJson({ a: undefined, b: 1 });
    assert.deepEqual(Object.keys(copy), ["a", "b"]);
  });

  it("copies non-JSON values with structuredClone", () => {
    const d = new Date(0);
    const copy = deepCopyJson({ when: d, bytes: new Uint8Array([1, 2]) });
    assert.ok(copy.when instanceof Date);
    assert.notEqual(copy.when, d);
    assert.equal(copy.when.getTime(), 0);
    assert.deepEqual([...copy.bytes], [1, 2]);
  });

  it("returns primitives as they are", () => {
    for (const v of ["s", 1, true, null, undefined]) assert.equal(deepCopyJson(v), v);
  });
});
