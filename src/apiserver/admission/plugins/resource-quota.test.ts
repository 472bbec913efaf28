import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import type { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes } from "../admission.ts";
import { ResourceQuotaAdmission } from "./resource-quota.ts";
import { type AttrsInit, attrs, newRegistry, pod, status } from "./test-helpers.ts";

/** A quota as the controller would have left it: spec.hard, and status.hard/used (used omitted = unknown). */
async function quota(
  registry: Registry,
  name: string,
  hard: Record<string, string>,
  used?: Record<string, string>,
  spec: Obj = {},
): Promise<void> {
  const store = registry.byResource("", "v1", "resourcequotas")!;
  await store.create("default", {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name, namespace: "default" },
    spec: { hard, ...spec },
  });
  await store.guaranteedUpdate("default", name, (q) => {
    q!.status = used ? { hard, used } : { hard };
    return q;
  });
}

async function used(registry: Registry, name: string): Promise<Obj> {
  return (await registry.byResource("", "v1", "resourcequotas")!.get("default", name)).status.used;
}

async function check(plugin: ResourceQuotaAdmission, init: AttrsInit): Promise<string> {
  const a: AdmissionAttributes = attrs(init);
  try {
    await plugin.validate(a);
  } catch (e) {
    assert.equal(status(e).code, 403);
    assert.equal(status(e).reason, "Forbidden");
    return status(e).message!;
  }
  return "admitted";
}

const burstable = (name: string) =>
  pod(name, "default", {
    containers: [
      {
        name: "c",
        image: "x",
        resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
      },
    ],
  });

test("object counts: charged to status.used, refused past hard with upstream's message", async () => {
  const registry = newRegistry();
  await quota(registry, "q", { pods: "2", "count/pods": "5" }, { pods: "1", "count/pods": "1" });
  const plugin = new ResourceQuotaAdmission({ registry });
  assert.equal(await check(plugin, { resource: "pods", object: pod("a") }), "admitted");
  assert.deepEqual(await used(registry, "q"), { "count/pods": "2", pods: "2" });
  assert.equal(
    await check(plugin, { resource: "pods", object: pod("b") }),
    'pods "b" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
  );
  assert.deepEqual(await used(registry, "q"), { "count/pods": "2", pods: "2" });
});

test("compute resources: usage sums requests and limits; quota'd cpu and memory must be stated", async () => {
  const registry = newRegistry();
  await quota(
    registry,
    "compute",
    { "requests.cpu": "1", "limits.cpu": "2", "requests.memory": "2Gi" },
    { "requests.cpu": "0", "limits.cpu": "0", "requests.memory": "0" },
  );
  const plugin = new ResourceQuotaAdmission({ registry });
  assert.equal(
    await check(plugin, { resource: "pods", object: pod("bare") }),
    'pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: c; requests.cpu for: c; requests.memory for: c',
  );
  assert.equal(await check(plugin, { resource: "pods", object: burstable("a") }), "admitted");
  assert.deepEqual(await used(registry, "compute"), {
    "limits.cpu": "1",
    "requests.cpu": "500m",
    "requests.memory": "1Gi",
  });
  assert.equal(await check(plugin, { resource: "pods", object: burstable("b") }), "admitted");
  assert.equal(
    await check(plugin, { resource: "pods", object: burstable("c") }),
    'pods "c" is forbidden: exceeded quota: compute, requested: limits.cpu=1,requests.cpu=500m,requests.memory=1Gi, ' +
      "used: limits.cpu=2,requests.cpu=1,requests.memory=2Gi, limited: limits.cpu=2,requests.cpu=1,requests.memory=2Gi",
  );
});

test("a quota the controller has not measured: unknown status refuses, no status at all is ignored", async () => {
  const registry = newRegistry();
  await quota(registry, "fresh", { pods: "5" });
  const plugin = new ResourceQuotaAdmission({ registry });
  assert.equal(
    await check(plugin, { resource: "pods", object: pod("a") }),
    'pods "a" is forbidden: status unknown for quota: fresh, resources: pods',
  );
  const other = newRegistry();
  await other.byResource("", "v1", "resourcequotas")!.create("default", {
    metadata: { name: "unsynced", namespace: "default" },
    spec: { hard: { pods: "0" } },
  });
  assert.equal(
    await check(new ResourceQuotaAdmission({ registry: other }), { resource: "pods", object: pod("a") }),
    "admitted",
  );
});

test("scopes: BestEffort, NotTerminating and a PriorityClass scopeSelector pick the pods they count", async () => {
  const registry = newRegistry();
  await quota(registry, "besteffort", { pods: "0" }, { pods: "0" }, { scopes: ["BestEffort"] });
  await quota(
    registry,
    "long-running",
    { pods: "1" },
    { pods: "0" },
    { scopes: ["NotTerminating", "NotBestEffort"] },
  );
  await quota(
    registry,
    "high",
    { pods: "0" },
    { pods: "0" },
    {
      scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["high"] }] },
    },
  );
  const plugin = new ResourceQuotaAdmission({ registry });
  assert.equal(
    await check(plugin, { resource: "pods", object: pod("be") }),
    'pods "be" is forbidden: exceeded quota: besteffort, requested: pods=1, used: pods=0, limited: pods=0',
  );
  assert.equal(await check(plugin, { resource: "pods", object: burstable("web") }), "admitted");
  assert.deepEqual(await used(registry, "long-running"), { pods: "1" });
  const job = burstable("job");
  job.spec.activeDeadlineSeconds = 60;
  assert.equal(await check(plugin, { resource: "pods", object: job }), "admitted");
  const high = burstable("vip");
  high.spec.activeDeadlineSeconds = 60;
  high.spec.priorityClassName = "high";
  assert.equal(
    await check(plugin, { resource: "pods", object: high }),
    'pods "vip" is forbidden: exceeded quota: high, requested: pods=1, used: pods=0, limited: pods=0',
  );
});

test("services: node ports and load balancers, charged by the change on update", async () => {
  const registry = newRegistry();
  await quota(
    registry,
    "svc",
    { services: "10", "services.nodeports": "2", "services.loadbalancers": "1" },
    { services: "0", "services.nodeports": "0", "services.loadbalancers": "0" },
  );
  const plugin = new ResourceQuotaAdmission({ registry });
  const svc = (type: string, ports: number) => ({
    metadata: { name: "web", namespace: "default", resourceVersion: "5" },
    spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) },
  });
  assert.equal(
    await check(plugin, { resource: "services", object: svc("NodePort", 3) }),
    'services "web" is forbidden: exceeded quota: svc, requested: services.nodeports=3, used: services.nodeports=0, limited: services.nodeports=2',
  );
  assert.equal(await check(plugin, { resource: "services", object: svc("ClusterIP", 2) }), "admitted");
  assert.equal(
    await check(plugin, {
      operation: "UPDATE",
      resource: "services",
      object: svc("LoadBalancer", 2),
      oldObject: svc("ClusterIP", 2),
    }),
    "admitted",
  );
  assert.deepEqual(await used(registry, "svc"), {
    services: "1",
    "services.loadbalancers": "1",
    "services.nodeports": "2",
  });
});

test("count/<resource>.<group>, legacy names, PVC storage by class, dry run", async () => {
  const registry = newRegistry();
  await quota(
    registry,
    "objects",
    {
      "count/deployments.apps": "1",
      configmaps: "1",
      "requests.storage": "10Gi",
      "gold.storageclass.storage.k8s.io/requests.storage": "5Gi",
    },
    {
      "count/deployments.apps": "1",
      configmaps: "0",
      "requests.storage": "0",
      "gold.storageclass.storage.k8s.io/requests.storage": "0",
    },
  );
  const plugin = new ResourceQuotaAdmission({ registry });
  assert.equal(
    await check(plugin, {
      group: "apps",
      resource: "deployments",
      object: { metadata: { name: "d", namespace: "default" } },
    }),
    'deployments.apps "d" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
  );
  const cm = { metadata: { name: "c", namespace: "default" } };
  assert.equal(await check(plugin, { resource: "configmaps", object: cm, dryRun: true }), "admitted");
  assert.equal((await used(registry, "objects")).configmaps, "0");
  assert.equal(await check(plugin, { resource: "configmaps", object: cm }), "admitted");
  assert.equal((await used(registry, "objects")).configmaps, "1");
  const pvc = (storage: string) => ({
    metadata: { name: "data", namespace: "default" },
    spec: { storageClassName: "gold", resources: { requests: { storage } } },
  });
  assert.equal(
    await check(plugin, { resource: "persistentvolumeclaims", object: pvc("6Gi") }),
    'persistentvolumeclaims "data" is forbidden: exceeded quota: objects, requested: gold.storageclass.storage.k8s.io/requests.storage=6Gi, used: gold.storageclass.storage.k8s.io/requests.storage=0, limited: gold.storageclass.storage.k8s.io/requests.storage=5Gi',
  );
  assert.equal(await check(plugin, { resource: "persistentvolumeclaims", object: pvc("4Gi") }), "admitted");
  assert.equal((await used(registry, "objects"))["requests.storage"], "4Gi");
  // Events, namespaces and subresources are never counted.
  assert.equal(
    await check(plugin, { resource: "events", object: { metadata: { name: "e", namespace: "default" } } }),
    "admitted",
  );
});

test("concurrent creates never charge past hard", async () => {
  const registry = newRegistry();
  await quota(registry, "q", { pods: "3" }, { pods: "0" });
  const plugin = new ResourceQuotaAdmission({ registry });
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => check(plugin, { resource: "pods", object: pod(`p${i}`) })),
  );
  assert.equal(results.filter((r) => r === "admitted").length, 3);
  assert.deepEqual(await used(registry, "q"), { pods: "3" });
  // Two plugin instances (two apiservers) share the quota through optimistic concurrency.
  await quota(registry, "q2", { "count/configmaps": "4" }, { "count/configmaps": "0" });
  const other = new ResourceQuotaAdmission({ registry });
  const both = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      check(i % 2 ? plugin : other, {
        resource: "configmaps",
        object: { metadata: { name: `c${i}`, namespace: "default" } },
      }),
    ),
  );
  assert.equal(both.filter((r) => r === "admitted").length, 4);
  assert.deepEqual(await used(registry, "q2"), { "count/configmaps": "4" });
});
