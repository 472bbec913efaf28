import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import type { Registry } from "../../registry/index.ts";
import { LimitRanger } from "./limit-ranger.ts";
import { ObjectCache } from "./object-cache.ts";
import { attrs, newRegistry, pod, status } from "./test-helpers.ts";

async function withLimits(limits: Obj[], namespace = "default"): Promise<Registry> {
  const registry = newRegistry();
  await registry.byResource("", "v1", "limitranges")!.create(namespace, {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "limits", namespace },
    spec: { limits },
  });
  return registry;
}

/** Runs both phases as the chain does. */
async function admitAndValidate(plugin: LimitRanger, obj: Obj, resource = "pods"): Promise<Obj> {
  const a = attrs({ resource, object: obj });
  await plugin.admit(a);
  await plugin.validate(a);
  return a.object!;
}

async function refusal(plugin: LimitRanger, obj: Obj, resource = "pods"): Promise<string> {
  try {
    await admitAndValidate(plugin, obj, resource);
  } catch (e) {
    assert.equal(status(e).code, 403);
    assert.equal(status(e).reason, "Forbidden");
    return status(e).message!;
  }
  assert.fail("expected a refusal");
}

test("Container defaults fill what a container lacks and are recorded in the annotation", async () => {
  const registry = await withLimits([
    {
      type: "Container",
      default: { memory: "128Mi", cpu: "0.5" },
      defaultRequest: { cpu: "250m", memory: "64Mi" },
    },
  ]);
  const plugin = new LimitRanger({ registry });
  const p = pod("p", "default", {
    containers: [
      { name: "app", image: "x" },
      { name: "side", image: "x", resources: { limits: { cpu: "1" }, requests: { cpu: "1" } } },
    ],
    initContainers: [{ name: "init", image: "x", resources: {} }],
  });
  const out = await admitAndValidate(plugin, p);
  assert.deepEqual(out.spec.containers[0].resources, {
    limits: { cpu: "500m", memory: "128Mi" },
    requests: { cpu: "250m", memory: "64Mi" },
  });
  assert.deepEqual(out.spec.containers[1].resources, {
    limits: { cpu: "1", memory: "128Mi" },
    requests: { cpu: "1", memory: "64Mi" },
  });
  assert.deepEqual(out.spec.initContainers[0].resources.limits, { cpu: "500m", memory: "128Mi" });
  assert.equal(
    out.metadata.annotations["kubernetes.io/limit-ranger"],
    "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; " +
      "memory request for container side; memory limit for container side; " +
      "cpu, memory request for init container init; cpu, memory limit for init container init",
  );
});

test("Container max, min and maxLimitRequestRatio refuse with upstream's messages", async () => {
  const plugin = new LimitRanger({
    registry: await withLimits([
      { type: "Container", max: { cpu: "1" }, min: { memory: "100Mi" }, maxLimitRequestRatio: { cpu: "2" } },
    ]),
  });
  const c = (resources: Obj) => pod("p", "default", { containers: [{ name: "c", image: "x", resources }] });
  assert.equal(
    await refusal(plugin, c({ limits: { cpu: "2" }, requests: { cpu: "1500m", memory: "100Mi" } })),
    'pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
  );
  assert.equal(
    await refusal(plugin, c({ limits: { cpu: "1" }, requests: { cpu: "500m", memory: "50Mi" } })),
    'pods "p" is forbidden: minimum memory usage per Container is 100Mi, but request is 50Mi',
  );
  assert.equal(
    await refusal(plugin, c({ limits: { cpu: "500m" }, requests: { cpu: "100m", memory: "1Gi" } })),
    'pods "p" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000',
  );
  await admitAndValidate(plugin, c({ limits: { cpu: "1" }, requests: { cpu: "500m", memory: "100Mi" } }));
  // The stored LimitRange defaults its default limit to max (SetDefaults_LimitRangeItem): a container without one gets it.
  const defaulted = await admitAndValidate(plugin, c({ requests: { memory: "1Gi" } }));
  assert.deepEqual(defaulted.spec.containers[0].resources, {
    requests: { cpu: "1", memory: "1Gi" },
    limits: { cpu: "1" },
  });
});

test("several violations are reported together, in upstream's aggregate form", async () => {
  const plugin = new LimitRanger({
    registry: await withLimits([{ type: "Pod", max: { cpu: "1" }, min: { memory: "1Gi" } }]),
  });
  assert.equal(
    await refusal(plugin, pod("p")),
    'pods "p" is forbidden: [minimum memory usage per Pod is 1Gi.  No request is specified, ' +
      "maximum cpu usage per Pod is 1.  No limit is specified]",
  );
});

test("Pod limits count the sum of containers and the largest init container", async () => {
  const plugin = new LimitRanger({ registry: await withLimits([{ type: "Pod", max: { cpu: "1.5" } }]) });
  const two = pod("p", "default", {
    containers: [
      { name: "a", image: "x", resources: { limits: { cpu: "1" } } },
      { name: "b", image: "x", resources: { limits: { cpu: "1" } } },
    ],
  });
  assert.equal(
    await refusal(plugin, two),
    'pods "p" is forbidden: maximum cpu usage per Pod is 1500m, but limit is 2',
  );
  const init = pod("p", "default", {
    containers: [{ name: "a", image: "x", resources: { limits: { cpu: "500m" } } }],
    initContainers: [{ name: "i", image: "x", resources: { limits: { cpu: "1400m" } } }],
  });
  await admitAndValidate(plugin, init);
});

test("PersistentVolumeClaims: min and max on requested storage", async () => {
  const plugin = new LimitRanger({
    registry: await withLimits([
      { type: "PersistentVolumeClaim", min: { storage: "1Gi" }, max: { storage: "10Gi" } },
    ]),
  });
  const pvc = (storage: string) => ({
    metadata: { name: "data", namespace: "default" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } },
  });
  assert.equal(
    await refusal(plugin, pvc("500Mi"), "persistentvolumeclaims"),
    'persistentvolumeclaims "data" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
  );
  assert.equal(
    await refusal(plugin, pvc("20Gi"), "persistentvolumeclaims"),
    'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
  );
  await admitAndValidate(plugin, pvc("5Gi"), "persistentvolumeclaims");
});

test("pod updates, subresources, other namespaces and objects being deleted are left alone", async () => {
  const registry = await withLimits([{ type: "Container", max: { cpu: "1" }, default: { cpu: "1" } }]);
  const plugin = new LimitRanger({ registry });
  const big = pod("p", "default", {
    containers: [{ name: "c", image: "x", resources: { limits: { cpu: "4" } } }],
  });
  const update = attrs({ operation: "UPDATE", resource: "pods", object: big, oldObject: big });
  await plugin.validate(update);
  const status = attrs({
    operation: "UPDATE",
    resource: "pods",
    subresource: "status",
    object: big,
    oldObject: big,
  });
  await plugin.validate(status);
  const elsewhere = attrs({ resource: "pods", object: pod("p", "other") });
  await plugin.admit(elsewhere);
  assert.equal(elsewhere.object!.spec.containers[0].resources, undefined);
});

test("with a cache: LimitRanges come from memory; a namespace without any is listed from the store", async () => {
  const registry = await withLimits([{ type: "Container", default: { cpu: "1" } }]);
  const cache = new ObjectCache(registry.byResource("", "v1", "limitranges")!);
  const plugin = new LimitRanger({ registry, cache });
  await cache.start();
  try {
    const a = attrs({ resource: "pods", object: pod("p") });
    await plugin.admit(a);
    assert.deepEqual(a.object!.spec.containers[0].resources.limits, { cpu: "1" });
    assert.deepEqual(await plugin.limitRanges("empty"), []);
    // Created while the empty answer is remembered: the cache sees it, so it is used at once.
    await registry.byResource("", "v1", "limitranges")!.create("empty", {
      metadata: { name: "l", namespace: "empty" },
      spec: { limits: [{ type: "Container", default: { cpu: "2" } }] },
    });
    for (let i = 0; i < 100 && cache.list("empty").length === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal((await plugin.limitRanges("empty")).length, 1);
  } finally {
    cache.stop();
  }
});
