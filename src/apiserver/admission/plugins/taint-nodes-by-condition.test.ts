import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import { TaintNodesByCondition } from "./taint-nodes-by-condition.ts";
import { attrs } from "./test-helpers.ts";

const plugin = new TaintNodesByCondition();

function admitNode(node: Obj, subresource = ""): Obj {
  const a = attrs({ resource: "nodes", object: node, subresource });
  plugin.admit(a);
  return a.object!;
}

test("a new node is tainted not-ready NoSchedule, beside the taints it brings", () => {
  assert.deepEqual(admitNode({ metadata: { name: "n" } }).spec.taints, [
    { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" },
  ]);
  assert.deepEqual(
    admitNode({
      metadata: { name: "n" },
      spec: { taints: [{ key: "gpu", value: "x", effect: "NoExecute" }] },
    }).spec.taints,
    [
      { key: "gpu", value: "x", effect: "NoExecute" },
      { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" },
    ],
  );
});

test("a node that already has the taint, whatever its value, is left as it is", () => {
  const taints = [{ key: "node.kubernetes.io/not-ready", value: "v", effect: "NoSchedule" }];
  assert.deepEqual(admitNode({ metadata: { name: "n" }, spec: { taints } }).spec.taints, taints);
  // The NoExecute taint of the same key is another taint.
  assert.equal(
    admitNode({
      metadata: { name: "n" },
      spec: { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoExecute" }] },
    }).spec.taints.length,
    2,
  );
});

test("only node creates, and not their subresources, are touched", () => {
  assert.equal(plugin.handles("CREATE"), true);
  assert.equal(plugin.handles("UPDATE"), false);
  assert.equal(admitNode({ metadata: { name: "n" } }, "status").spec, undefined);
  const pod = attrs({ resource: "pods", object: { metadata: { name: "p" }, spec: { containers: [] } } });
  plugin.admit(pod);
  assert.equal(pod.object!.spec.taints, undefined);
});
