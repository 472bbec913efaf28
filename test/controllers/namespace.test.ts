// The namespace controller with the workload controllers, the service-account
// controller and the root-CA publisher, the scheduler and a hollow kubelet:
// deleting a namespace empties it of every kind discovery lists, waits for
// what is still going (pods in their grace period, objects held by
// finalizers, shown in upstream's status conditions), then releases the
// `kubernetes` finalizer through /finalize and the namespace is gone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { ConfigMap, Namespace, NamespaceCondition, Pod } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import type { KubeObject, ResourceRef } from "../../src/client/rest-client.ts";
import { deploymentControllerDescriptor } from "../../src/controllers/deployment/index.ts";
import { namespaceControllerDescriptor } from "../../src/controllers/namespace/index.ts";
import { replicaSetControllerDescriptor } from "../../src/controllers/replicaset/index.ts";
import { rootCACertPublisherDescriptor } from "../../src/controllers/rootcacertpublisher/index.ts";
import { serviceAccountControllerDescriptor } from "../../src/controllers/serviceaccount/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({
    nodes: 1,
    controllers: [
      namespaceControllerDescriptor,
      replicaSetControllerDescriptor,
      deploymentControllerDescriptor,
      serviceAccountControllerDescriptor,
      rootCACertPublisherDescriptor,
    ],
  });
});
after(() => c.stop());

const IMAGE = "k8ts.local/busybox:latest";

async function createNamespace(name: string): Promise<void> {
  await c.client.create<Namespace>(Resources.namespaces, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name },
  });
  // The other controllers have filled it before the test adds its own content.
  await c.waitFor(`default service account and kube-root-ca.crt in ${name}`, async () => {
    const sa = await c.list(Resources.serviceaccounts, { namespace: name });
    const cms = await c.list(Resources.configmaps, { namespace: name });
    return (
      sa.some((s) => s.metadata?.name === "default") &&
      cms.some((m) => m.metadata?.name === "kube-root-ca.crt")
    );
  });
}

const getNamespace = (name: string) => c.client.get<Namespace>(Resources.namespaces, name);

function waitGone(name: string, ms = 30_000): Promise<true> {
  return c.waitFor(
    `namespace ${name} to be gone`,
    async () => {
      try {
        await getNamespace(name);
        return false;
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
    },
    ms,
  );
}

const names = async (res: ResourceRef, namespace: string) =>
  (await c.list<KubeObject>(res, { namespace })).map((o) => o.metadata?.name).sort();

function condition(ns: Namespace, type: string): NamespaceCondition | undefined {
  return ns.status?.conditions?.find((x) => x.type === type);
}

test("deleting a namespace removes pods, a deployment, configmaps, services and secrets, then the namespace", async () => {
  const ns = "doomed";
  await createNamespace(ns);
  await c.client.create<Deployment>(Resources.deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: ns },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        // A short grace period keeps the controller's estimate (and the test) short.
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: IMAGE }] },
      },
    },
  });
  await c.client.create<Pod>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "bare", namespace: ns },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: IMAGE }] },
  });
  await c.client.create<ConfigMap>(Resources.configmaps, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: ns },
    data: { a: "1" },
  });
  await c.client.create(Resources.services, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: ns },
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
  });
  await c.client.create(Resources.secrets, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "creds", namespace: ns },
    stringData: { password: "hunter2" },
  });
  await c.waitFor("3 running pods", async () => {
    const pods = await c.pods({ namespace: ns });
    return pods.length === 3 && pods.every((p) => p.status?.phase === "Running");
  });

  await c.client.delete(Resources.namespaces, ns);
  const terminating = await getNamespace(ns);
  assert.equal(terminating.status?.phase, "Terminating");
  assert.deepEqual(terminating.spec?.finalizers, ["kubernetes"]);

  await waitGone(ns);
  for (const res of [
    Resources.pods,
    Resources.deployments,
    Resources.replicasets,
    Resources.configmaps,
    Resources.services,
    Resources.secrets,
    Resources.serviceaccounts,
    Resources.endpoints,
  ]) {
    assert.deepEqual(await names(res, ns), [], `${res.resource} left in ${ns}`);
  }
});

test("an object held by a finalizer keeps the namespace Terminating with upstream's conditions until it is released", async () => {
  const ns = "held";
  await createNamespace(ns);
  await c.client.create<ConfigMap>(Resources.configmaps, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "pinned", namespace: ns, finalizers: ["example.com/hold"] },
  });
  await c.client.delete(Resources.namespaces, ns);

  const stuck = await c.waitFor(
    "the content conditions",
    async () => {
      const n = await getNamespace(ns);
      return condition(n, "NamespaceFinalizersRemaining")?.status === "True" ? n : false;
    },
    20_000,
  );
  assert.equal(stuck.status?.phase, "Terminating");
  assert.deepEqual(stuck.spec?.finalizers, ["kubernetes"]);
  const strip = ({ lastTransitionTime, ...rest }: NamespaceCondition) => {
    assert.match(lastTransitionTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    return rest;
  };
  assert.deepEqual(stuck.status?.conditions?.map(strip), [
    {
      type: "NamespaceDeletionDiscoveryFailure",
      status: "False",
      reason: "ResourcesDiscovered",
      message: "All resources successfully discovered",
    },
    {
      type: "NamespaceDeletionGroupVersionParsingFailure",
      status: "False",
      reason: "ParsedGroupVersions",
      message: "All legacy kube types successfully parsed",
    },
    {
      type: "NamespaceDeletionContentFailure",
      status: "False",
      reason: "ContentDeleted",
      message: "All content successfully deleted, may be waiting on finalization",
    },
    {
      type: "NamespaceContentRemaining",
      status: "True",
      reason: "SomeResourcesRemain",
      message: "Some resources are remaining: configmaps. has 1 resource instances",
    },
    {
      type: "NamespaceFinalizersRemaining",
      status: "True",
      reason: "SomeFinalizerRemain",
      message: "Some finalizers are remaining: example.com/hold in 1 resource instances",
    },
  ]);
  // Everything else already went; the held object waits with its deletionTimestamp.
  assert.deepEqual(await names(Resources.configmaps, ns), ["pinned"]);
  assert.deepEqual(await names(Resources.serviceaccounts, ns), []);
  const pinned = await c.client.get<ConfigMap>(Resources.configmaps, "pinned", { namespace: ns });
  assert.ok(pinned.metadata?.deletionTimestamp);

  await c.client.patch(
    Resources.configmaps,
    "pinned",
    { metadata: { finalizers: null } },
    { type: "merge", namespace: ns },
  );
  await waitGone(ns);
  assert.deepEqual(await names(Resources.configmaps, ns), []);
});
