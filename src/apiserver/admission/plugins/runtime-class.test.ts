import assert from "node:assert/strict";
import { test } from "node:test";
import type { Toleration } from "kubernetes-types/core/v1.d.ts";
import type { Obj } from "../../../api/registry.ts";
import { mergeTolerations, RuntimeClassAdmission } from "./runtime-class.ts";
import { attrs, newRegistry, pod, status } from "./test-helpers.ts";

async function setup() {
  const registry = newRegistry();
  const store = registry.byResource("node.k8s.io", "v1", "runtimeclasses")!;
  const rc = (name: string, extra: Obj) =>
    store.create(undefined, {
      apiVersion: "node.k8s.io/v1",
      kind: "RuntimeClass",
      metadata: { name },
      handler: "runc",
      ...extra,
    });
  await rc("plain", {});
  await rc("vm", {
    overhead: { podFixed: { cpu: "250m", memory: "120Mi" } },
    scheduling: {
      nodeSelector: { "runtime/vm": "yes" },
      tolerations: [{ key: "vm-only", operator: "Exists", effect: "NoSchedule" }],
    },
  });
  const plugin = new RuntimeClassAdmission({ registry });
  /** Admit, then validate, as the chain runs them; the pod's spec after both. */
  const run = async (spec: Obj) => {
    const a = attrs({ resource: "pods", object: pod("p", "default", spec) });
    await plugin.admit(a);
    await plugin.validate(a);
    return a.object!.spec;
  };
  return { run, plugin };
}

test("a pod's RuntimeClass gives it the overhead, node selector and tolerations", async () => {
  const { run } = await setup();
  const spec = await run({
    runtimeClassName: "vm",
    nodeSelector: { disk: "ssd" },
    tolerations: [{ key: "a", operator: "Equal", value: "b", effect: "NoSchedule" }],
  });
  assert.deepEqual(spec.overhead, { cpu: "250m", memory: "120Mi" });
  assert.deepEqual(spec.nodeSelector, { disk: "ssd", "runtime/vm": "yes" });
  assert.deepEqual(spec.tolerations, [
    { key: "a", operator: "Equal", value: "b", effect: "NoSchedule" },
    { key: "vm-only", operator: "Exists", effect: "NoSchedule" },
  ]);
  // The same overhead written otherwise is the same overhead.
  assert.deepEqual(
    (await run({ runtimeClassName: "vm", overhead: { cpu: "0.25", memory: "120Mi" } })).overhead,
    {
      cpu: "250m",
      memory: "120Mi",
    },
  );
  const plain = await run({ runtimeClassName: "plain" });
  assert.equal(plain.overhead, undefined);
  assert.equal(plain.nodeSelector, undefined);
  assert.equal((await run({})).overhead, undefined);
});

test("refusals: a missing class, a conflicting selector, an overhead of the pod's own", async () => {
  const { run } = await setup();
  const refused = async (spec: Obj, message: string) =>
    assert.rejects(run(spec), (e) => {
      assert.equal(status(e).code, 403);
      assert.equal(status(e).message, `pods "p" is forbidden: ${message}`);
      return true;
    });
  await refused({ runtimeClassName: "gvisor" }, 'pod rejected: RuntimeClass "gvisor" not found');
  await refused(
    { runtimeClassName: "vm", nodeSelector: { "runtime/vm": "no" } },
    "conflict: runtimeClass.scheduling.nodeSelector[runtime/vm] = yes; pod.spec.nodeSelector[runtime/vm] = no",
  );
  await refused(
    { runtimeClassName: "vm", overhead: { cpu: "1" } },
    "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead",
  );
  await refused(
    { runtimeClassName: "plain", overhead: { cpu: "1" } },
    "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead",
  );
  await refused(
    { overhead: { cpu: "1" } },
    "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead",
  );
});

test("only pods themselves, on create", async () => {
  const { plugin } = await setup();
  assert.equal(plugin.handles("CREATE"), true);
  assert.equal(plugin.handles("UPDATE"), false);
  const a = attrs({
    resource: "pods",
    subresource: "status",
    object: pod("p", "default", { runtimeClassName: "gone" }),
  });
  await plugin.admit(a);
  await plugin.validate(a);
});

test("MergeTolerations keeps both lists in order, dropping what another toleration covers", () => {
  const t = (key: string, operator: string, effect = "", extra: Partial<Toleration> = {}): Toleration => ({
    key,
    operator,
    ...(effect ? { effect } : {}),
    ...extra,
  });
  const equal = (key: string, value: string, effect = "") => t(key, "Equal", effect, { value });
  assert.deepEqual(mergeTolerations([equal("a", "1")], [equal("a", "1")]), [equal("a", "1")]);
  // Exists covers every value of its key; an empty effect every effect.
  assert.deepEqual(mergeTolerations([equal("a", "1", "NoSchedule")], [t("a", "Exists")]), [t("a", "Exists")]);
  // An empty key with Exists tolerates everything.
  assert.deepEqual(mergeTolerations([equal("a", "1"), t("b", "Exists")], [t("", "Exists")]), [
    t("", "Exists"),
  ]);
  // A shorter NoExecute toleration is covered by a longer one, not the other way round.
  const ne = (s: number) => t("n", "Exists", "NoExecute", { tolerationSeconds: s });
  assert.deepEqual(mergeTolerations([ne(10)], [ne(300)]), [ne(300)]);
  assert.deepEqual(mergeTolerations([ne(300)], [ne(10)]), [ne(300)]);
  assert.deepEqual(mergeTolerations([equal("a", "1")], [equal("a", "2")]), [
    equal("a", "1"),
    equal("a", "2"),
  ]);
});
