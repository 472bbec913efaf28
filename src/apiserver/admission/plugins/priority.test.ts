import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import type { Registry } from "../../registry/index.ts";
import { ensureSystemPriorityClasses, PriorityAdmission } from "./priority.ts";
import { attrs, newRegistry, pod, status } from "./test-helpers.ts";

async function withClasses(...classes: Obj[]): Promise<Registry> {
  const registry = newRegistry();
  const store = registry.byResource("scheduling.k8s.io", "v1", "priorityclasses")!;
  for (const pc of classes) {
    const obj = { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", ...pc };
    store.strategy.defaults(obj);
    await store.create(undefined, obj);
  }
  return registry;
}

async function admitPod(plugin: PriorityAdmission, obj: Obj): Promise<Obj> {
  const a = attrs({ resource: "pods", object: obj });
  await plugin.admit(a);
  return a.object!;
}

test("the system classes are created at start, once, as upstream's bootstrap hook makes them", async () => {
  const registry = newRegistry();
  await ensureSystemPriorityClasses(registry);
  await ensureSystemPriorityClasses(registry);
  const list = await registry.byResource("scheduling.k8s.io", "v1", "priorityclasses")!.list(undefined);
  const byName = Object.fromEntries((list.items as Obj[]).map((pc) => [pc.metadata.name, pc]));
  assert.deepEqual(Object.keys(byName).sort(), ["system-cluster-critical", "system-node-critical"]);
  assert.equal(byName["system-node-critical"].value, 2000001000);
  assert.equal(byName["system-cluster-critical"].value, 2000000000);
  assert.equal(byName["system-node-critical"].preemptionPolicy, "PreemptLowerPriority");
  assert.equal(
    byName["system-cluster-critical"].description,
    "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
  );
});

test("priorityClassName resolves to spec.priority and preemptionPolicy", async () => {
  const registry = await withClasses({ metadata: { name: "high" }, value: 1000, preemptionPolicy: "Never" });
  await ensureSystemPriorityClasses(registry);
  const plugin = new PriorityAdmission({ registry });
  const high = await admitPod(plugin, pod("a", "default", { priorityClassName: "high" }));
  assert.equal(high.spec.priority, 1000);
  assert.equal(high.spec.preemptionPolicy, "Never");
  const critical = await admitPod(
    plugin,
    pod("b", "kube-system", { priorityClassName: "system-node-critical" }),
  );
  assert.equal(critical.spec.priority, 2000001000);
  // No class and no global default: 0, PreemptLowerPriority, no class name.
  const plain = await admitPod(plugin, pod("c"));
  assert.equal(plain.spec.priority, 0);
  assert.equal(plain.spec.preemptionPolicy, "PreemptLowerPriority");
  assert.equal(plain.spec.priorityClassName, undefined);
});

test("unknown classes and conflicting values are refused with upstream's messages", async () => {
  const plugin = new PriorityAdmission({
    registry: await withClasses({ metadata: { name: "high" }, value: 1000 }),
  });
  await assert.rejects(
    () => admitPod(plugin, pod("a", "default", { priorityClassName: "missing" })),
    (e) => {
      assert.equal(status(e).code, 403);
      assert.equal(status(e).message, 'pods "a" is forbidden: no PriorityClass with name missing was found');
      return true;
    },
  );
  await assert.rejects(
    () => admitPod(plugin, pod("a", "default", { priorityClassName: "high", priority: 5 })),
    (e) =>
      status(e).message ===
      'pods "a" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
  );
  await assert.rejects(
    () => admitPod(plugin, pod("a", "default", { priorityClassName: "high", preemptionPolicy: "Never" })),
    (e) =>
      status(e).message ===
      'pods "a" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name',
  );
  // The same value as computed is accepted.
  assert.equal(
    (await admitPod(plugin, pod("a", "default", { priorityClassName: "high", priority: 1000 }))).spec
      .priority,
    1000,
  );
});

test("the global default class applies to pods without one; only one default may exist", async () => {
  const registry = await withClasses(
    { metadata: { name: "normal" }, value: 100, globalDefault: true },
    { metadata: { name: "high" }, value: 1000 },
  );
  const plugin = new PriorityAdmission({ registry });
  const p = await admitPod(plugin, pod("a"));
  assert.equal(p.spec.priorityClassName, "normal");
  assert.equal(p.spec.priority, 100);
  const second = attrs({
    group: "scheduling.k8s.io",
    resource: "priorityclasses",
    object: { metadata: { name: "other" }, value: 5, globalDefault: true },
  });
  await assert.rejects(
    () => plugin.validate(second),
    (e) =>
      status(e).message ===
      'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass normal is already marked as default. Only one default can exist',
  );
  // Marking the existing default again is fine; marking another is not.
  const normal = { metadata: { name: "normal" }, value: 100, globalDefault: true };
  await plugin.validate(
    attrs({
      operation: "UPDATE",
      group: "scheduling.k8s.io",
      resource: "priorityclasses",
      object: normal,
      oldObject: normal,
    }),
  );
  const high = { metadata: { name: "high" }, value: 1000, globalDefault: true };
  await assert.rejects(() =>
    plugin.validate(
      attrs({
        operation: "UPDATE",
        group: "scheduling.k8s.io",
        resource: "priorityclasses",
        object: high,
        oldObject: high,
      }),
    ),
  );
});

test("pod updates keep the priority set at creation", async () => {
  const plugin = new PriorityAdmission({ registry: newRegistry() });
  const old = pod("a", "default", { priority: 7, preemptionPolicy: "Never" });
  const next = pod("a");
  const a = attrs({ operation: "UPDATE", resource: "pods", object: next, oldObject: old });
  await plugin.admit(a);
  assert.equal(a.object!.spec.priority, 7);
  assert.equal(a.object!.spec.preemptionPolicy, "Never");
});
