// The resource quota controller against a real apiserver (which, in this
// harness, does not run quota admission: every figure comes from the
// controller). A quota reports what its namespace's objects use, goes down
// when they are deleted or finish, and counts only the pods its scopes pick.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Pod, ResourceQuota, ResourceQuotaSpec } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import type { KubeObject, ResourceRef } from "../../src/client/rest-client.ts";
import {
  resourceQuotaControllerDescriptor,
  startResourceQuotaController,
} from "../../src/controllers/resourcequota/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const PRIORITY_CLASSES: ResourceRef = {
  group: "scheduling.k8s.io",
  version: "v1",
  resource: "priorityclasses",
  namespaced: false,
};

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ nodes: 1, controllers: [resourceQuotaControllerDescriptor] });
});
after(() => c.stop());

async function namespace(name: string): Promise<string> {
  await c.client.create(Resources.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return name;
}

type ContainerResources = { requests?: Record<string, string>; limits?: Record<string, string> };

function pod(
  ns: string,
  name: string,
  opts: {
    resources?: ContainerResources;
    priorityClassName?: string;
    annotations?: Record<string, string>;
  } = {},
): Pod & KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, annotations: opts.annotations },
    spec: {
      restartPolicy: "Never",
      priorityClassName: opts.priorityClassName,
      terminationGracePeriodSeconds: 0,
      containers: [{ name: "c", image: "k8ts.local/busybox:latest", resources: opts.resources }],
    },
  };
}

async function createQuota(ns: string, name: string, spec: ResourceQuotaSpec): Promise<void> {
  await c.client.create(Resources.resourcequotas, {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name, namespace: ns },
    spec,
  });
}

/** Waits until the quota's status.used is exactly `used`; returns the quota. */
async function waitForUsed(ns: string, name: string, used: Record<string, string>): Promise<ResourceQuota> {
  let last: unknown;
  try {
    return await c.waitFor(
      `quota ${ns}/${name} used=${JSON.stringify(used)}`,
      async () => {
        const q = await c.client.get<ResourceQuota & KubeObject>(Resources.resourcequotas, name, {
          namespace: ns,
        });
        last = q.status;
        try {
          assert.deepEqual(q.status?.used, used);
          return q;
        } catch {
          return false;
        }
      },
      30_000,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; status: ${JSON.stringify(last)}`);
  }
}

test("usage of pods, compute, object counts, services, claims and count/deployments.apps; it goes down after deletes", async () => {
  const ns = await namespace("rq-usage");
  const create = (res: ResourceRef, obj: KubeObject & { spec?: object }) =>
    c.client.create(res, { ...obj, metadata: { ...obj.metadata, namespace: ns } });
  await create(
    Resources.pods,
    pod(ns, "web-0", {
      resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    }),
  );
  await create(
    Resources.pods,
    pod(ns, "web-1", { resources: { requests: { cpu: "250m", memory: "64Mi" } } }),
  );
  await create(Resources.configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } });
  await create(Resources.configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } });
  await create(Resources.secrets, { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } });
  await create(Resources.services, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web" },
    spec: { ports: [{ port: 80 }] },
  });
  await create(Resources.services, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web-np" },
    spec: {
      type: "NodePort",
      ports: [
        { name: "http", port: 80 },
        { name: "https", port: 443 },
      ],
    },
  });
  await create(Resources.persistentvolumeclaims, {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data" },
    spec: {
      storageClassName: "gold",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
    },
  });
  await create(Resources.deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
      },
    },
  });

  await createQuota(ns, "all", {
    hard: {
      pods: "10",
      "requests.cpu": "2000m",
      "requests.memory": "1Gi",
      "limits.cpu": "4",
      "limits.memory": "2Gi",
      configmaps: "10",
      secrets: "10",
      services: "10",
      "services.nodeports": "4",
      "services.loadbalancers": "1",
      persistentvolumeclaims: "5",
      "requests.storage": "10Gi",
      "gold.storageclass.storage.k8s.io/requests.storage": "5Gi",
      "count/deployments.apps": "3",
      resourcequotas: "1",
    },
  });
  const q = await waitForUsed(ns, "all", {
    configmaps: "2",
    "count/deployments.apps": "1",
    "gold.storageclass.storage.k8s.io/requests.storage": "1Gi",
    "limits.cpu": "200m",
    "limits.memory": "128Mi",
    persistentvolumeclaims: "1",
    pods: "2",
    "requests.cpu": "350m",
    "requests.memory": "128Mi",
    "requests.storage": "1Gi",
    resourcequotas: "1",
    secrets: "1",
    services: "2",
    "services.loadbalancers": "0",
    "services.nodeports": "2",
  });
  // status.hard is spec.hard in canonical form.
  assert.equal(q.status?.hard?.["requests.cpu"], "2");
  assert.equal(Object.keys(q.status?.hard ?? {}).length, 15);

  // Deletes are seen by the monitors and replenish the quota.
  const del = (res: ResourceRef, name: string) =>
    c.client.delete(res, name, { namespace: ns, gracePeriodSeconds: 0 });
  await del(Resources.pods, "web-0");
  await del(Resources.configmaps, "a");
  await del(Resources.secrets, "s");
  await del(Resources.services, "web-np");
  await del(Resources.persistentvolumeclaims, "data");
  await del(Resources.deployments, "web");
  await waitForUsed(ns, "all", {
    configmaps: "1",
    "count/deployments.apps": "0",
    "gold.storageclass.storage.k8s.io/requests.storage": "0",
    "limits.cpu": "0",
    "limits.memory": "0",
    persistentvolumeclaims: "0",
    pods: "1",
    "requests.cpu": "250m",
    "requests.memory": "64Mi",
    "requests.storage": "0",
    resourcequotas: "1",
    secrets: "0",
    services: "1",
    "services.loadbalancers": "0",
    "services.nodeports": "0",
  });

  // A new spec.hard is recalculated at once, including what was created since.
  await create(Resources.configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
  // A patch, not a get and update: the controller writes the status in between.
  await c.client.patch(
    Resources.resourcequotas,
    "all",
    [{ op: "replace", path: "/spec/hard", value: { configmaps: "5", pods: "3" } }],
    { namespace: ns, type: "json" },
  );
  const updated = await waitForUsed(ns, "all", { configmaps: "2", pods: "1" });
  assert.deepEqual(updated.status?.hard, { configmaps: "5", pods: "3" });
});

test("scopes: BestEffort and NotBestEffort quotas count different pods", async () => {
  const ns = await namespace("rq-qos");
  await c.client.create(Resources.pods, pod(ns, "best-effort"));
  await c.client.create(Resources.pods, pod(ns, "burstable", { resources: { requests: { cpu: "100m" } } }));
  await c.client.create(
    Resources.pods,
    pod(ns, "guaranteed", { resources: { limits: { cpu: "500m", memory: "32Mi" } } }),
  );
  await createQuota(ns, "best-effort", { hard: { pods: "5" }, scopes: ["BestEffort"] });
  await createQuota(ns, "not-best-effort", {
    hard: { pods: "5", "requests.cpu": "2", "limits.memory": "1Gi" },
    scopes: ["NotBestEffort"],
  });
  await waitForUsed(ns, "best-effort", { pods: "1" });
  // Limits without requests default the requests to the limits.
  await waitForUsed(ns, "not-best-effort", { pods: "2", "requests.cpu": "600m", "limits.memory": "32Mi" });
});

test("a PriorityClass scopeSelector counts the pods of the classes it selects", async () => {
  const ns = await namespace("rq-priority");
  await c.client.create(PRIORITY_CLASSES, {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: "rq-high" },
    value: 1000,
  });
  await c.client.create(Resources.pods, pod(ns, "high-0", { priorityClassName: "rq-high" }));
  await c.client.create(Resources.pods, pod(ns, "high-1", { priorityClassName: "rq-high" }));
  await c.client.create(Resources.pods, pod(ns, "plain"));
  const selector = (operator: string, values?: string[]): ResourceQuotaSpec => ({
    hard: { pods: "10" },
    scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator, values }] },
  });
  await createQuota(ns, "in-high", selector("In", ["rq-high"]));
  await createQuota(ns, "not-in-high", selector("NotIn", ["rq-high"]));
  await createQuota(ns, "exists", selector("Exists"));
  await createQuota(ns, "does-not-exist", selector("DoesNotExist"));
  await waitForUsed(ns, "in-high", { pods: "2" });
  await waitForUsed(ns, "not-in-high", { pods: "1" });
  await waitForUsed(ns, "exists", { pods: "2" });
  await waitForUsed(ns, "does-not-exist", { pods: "1" });
});

test("terminal pods use no quota but still count in count/pods", async () => {
  const ns = await namespace("rq-terminal");
  await c.client.create(Resources.pods, pod(ns, "runs", { resources: { requests: { cpu: "100m" } } }));
  await c.client.create(
    Resources.pods,
    pod(ns, "finishes", {
      resources: { requests: { cpu: "300m" } },
      annotations: { "fake.k8ts.io/run-seconds": "1" },
    }),
  );
  await createQuota(ns, "compute", { hard: { pods: "5", "count/pods": "5", "requests.cpu": "1" } });
  // Whether the quota first saw it running or not, the pod that finished gives its share back.
  await waitForUsed(ns, "compute", { "count/pods": "2", pods: "1", "requests.cpu": "100m" });
  const finished = await c.client.get<Pod & KubeObject>(Resources.pods, "finishes", { namespace: ns });
  assert.equal(finished.status?.phase, "Succeeded");
});

test("the full resync (--resource-quota-sync-period) picks up objects created after the quota", async () => {
  // A cluster of its own, with a short resync: creates are not watched (admission charges them).
  const fast = await startControllerCluster({
    nodes: 0,
    scheduler: false,
    controllers: [
      {
        ...resourceQuotaControllerDescriptor,
        init: (ctx) => startResourceQuotaController(ctx, { resyncPeriodMs: 1_000 }),
      },
    ],
  });
  try {
    await fast.client.create(Resources.resourcequotas, {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "cm", namespace: "default" },
      spec: { hard: { configmaps: "5", "count/configmaps": "5" } },
    });
    await fast.waitFor("first usage", async () => {
      const q = await fast.client.get<ResourceQuota & KubeObject>(Resources.resourcequotas, "cm", {
        namespace: "default",
      });
      return q.status?.used?.configmaps === "0";
    });
    await fast.client.create(Resources.configmaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "late", namespace: "default" },
    });
    const q = await fast.waitFor(
      "the resync to count the new configmap",
      async () => {
        const q = await fast.client.get<ResourceQuota & KubeObject>(Resources.resourcequotas, "cm", {
          namespace: "default",
        });
        return q.status?.used?.configmaps === "1" && q;
      },
      20_000,
    );
    assert.deepEqual(q.status?.used, { configmaps: "1", "count/configmaps": "1" });
    // Two more resyncs change nothing, so nothing is written.
    await new Promise((r) => setTimeout(r, 2_500));
    const again = await fast.client.get<ResourceQuota & KubeObject>(Resources.resourcequotas, "cm", {
      namespace: "default",
    });
    assert.equal(again.metadata?.resourceVersion, q.metadata?.resourceVersion);
  } finally {
    await fast.stop();
  }
});
