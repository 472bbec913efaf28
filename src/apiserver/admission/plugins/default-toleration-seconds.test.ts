import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import { DefaultTolerationSeconds } from "./default-toleration-seconds.ts";
import { attrs, pod } from "./test-helpers.ts";

function admit(tolerations?: Obj[], op: "CREATE" | "UPDATE" = "CREATE"): Obj[] {
  const p = pod("p", "default", tolerations ? { tolerations } : {});
  const a = attrs({ operation: op, resource: "pods", object: p, oldObject: op === "UPDATE" ? p : undefined });
  new DefaultTolerationSeconds().admit(a);
  return a.object!.spec.tolerations;
}

const notReady = {
  key: "node.kubernetes.io/not-ready",
  operator: "Exists",
  effect: "NoExecute",
  tolerationSeconds: 300,
};
const unreachable = {
  key: "node.kubernetes.io/unreachable",
  operator: "Exists",
  effect: "NoExecute",
  tolerationSeconds: 300,
};

test("pods tolerate not-ready and unreachable NoExecute for 300 s", () => {
  assert.deepEqual(admit(), [notReady, unreachable]);
  assert.deepEqual(admit(undefined, "UPDATE"), [notReady, unreachable]);
  const other = { key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" };
  assert.deepEqual(admit([other]), [other, notReady, unreachable]);
});

test("a pod's own toleration of either taint is kept as it is", () => {
  const own = {
    key: "node.kubernetes.io/not-ready",
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: 10,
  };
  assert.deepEqual(admit([own]), [own, unreachable]);
  // An empty effect covers NoExecute; an empty key covers every taint.
  const anyEffect = { key: "node.kubernetes.io/unreachable", operator: "Exists" };
  assert.deepEqual(admit([anyEffect]), [anyEffect, notReady]);
  const everything = { operator: "Exists" };
  assert.deepEqual(admit([everything]), [everything]);
  // A NoSchedule toleration of not-ready does not count.
  const noSchedule = { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" };
  assert.deepEqual(admit([noSchedule]), [noSchedule, notReady, unreachable]);
});

test("subresources and other resources are left alone", () => {
  const plugin = new DefaultTolerationSeconds();
  const p = pod("p");
  plugin.admit(
    attrs({ operation: "UPDATE", resource: "pods", subresource: "status", object: p, oldObject: p }),
  );
  assert.equal(p.spec.tolerations, undefined);
  const cm = { metadata: { name: "c", namespace: "default" } };
  plugin.admit(attrs({ resource: "configmaps", object: cm }));
  assert.deepEqual(cm, { metadata: { name: "c", namespace: "default" } });
});
