// The garbage collector against the real API, with no other controller:
// ConfigMaps (and a ClusterRole, a ReplicaSet made by hand, a Secret) whose
// ownerReferences we write ourselves. Background, Foreground and Orphan
// deletion, owners that never existed, several owners, scopes, and a
// resource that discovery starts serving after the GC started.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { ConfigMap, Event } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import type { KubeObject, ResourceRef } from "../../src/client/rest-client.ts";
import type { ControllerDescriptor } from "../../src/controllers/context.ts";
import {
  discoveryFor,
  garbageCollectorControllerDescriptor,
  startGarbageCollector,
} from "../../src/controllers/garbagecollector/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const clusterroles: ResourceRef = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  resource: "clusterroles",
  namespaced: false,
};

// Secrets are hidden from the GC's discovery until a test "serves" them, as a
// custom resource would be after its CRD is created (k8ts has no CRDs).
let secretsServed = false;

let c: ControllerCluster;
before(async () => {
  const gc: ControllerDescriptor = {
    ...garbageCollectorControllerDescriptor,
    init: (ctx) => {
      const discover = discoveryFor(ctx.client);
      return startGarbageCollector(ctx, {
        resyncPeriodMs: 500,
        discover: async (signal) => {
          const d = await discover(signal);
          if (secretsServed) return d;
          const visible = (r: { ref: ResourceRef }) => !(r.ref.group === "" && r.ref.resource === "secrets");
          return { ...d, preferred: d.preferred.filter(visible), all: d.all.filter(visible) };
        },
      });
    },
  };
  c = await startControllerCluster({ nodes: 0, scheduler: false, controllers: [gc] });
  await c.client.create(Resources.namespaces, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "gc-other" },
  });
});
after(() => c.stop());

function ref(owner: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? "v1",
    kind: owner.kind ?? "ConfigMap",
    name: owner.metadata?.name ?? "",
    uid: owner.metadata?.uid ?? "",
    ...extra,
  };
}

function configMap(name: string, owners: OwnerReference[] = [], extra: Partial<ConfigMap["metadata"]> = {}) {
  return c.client.create<ConfigMap>(Resources.configmaps, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: "default",
      ...(owners.length > 0 ? { ownerReferences: owners } : {}),
      ...extra,
    },
    data: { k: "v" },
  });
}

async function getOrUndefined<T = KubeObject>(res: ResourceRef, name: string, namespace = "default") {
  try {
    return await c.client.get<T>(res, name, { namespace: res.namespaced ? namespace : undefined });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

const gone =
  (res: ResourceRef, name: string, namespace = "default") =>
  async () =>
    (await getOrUndefined(res, name, namespace)) === undefined;

const WAIT_MS = 25_000;

test("background: dependents of a deleted owner are deleted", async () => {
  const owner = await configMap("bg-owner");
  await configMap("bg-dep-1", [ref(owner)]);
  await configMap("bg-dep-2", [ref(owner, { controller: true, blockOwnerDeletion: true })]);
  await c.client.delete(Resources.configmaps, "bg-owner", {
    namespace: "default",
    propagationPolicy: "Background",
  });
  await c.waitFor("bg-dep-1 deleted", gone(Resources.configmaps, "bg-dep-1"), WAIT_MS);
  await c.waitFor("bg-dep-2 deleted", gone(Resources.configmaps, "bg-dep-2"), WAIT_MS);
});

test("foreground: the owner waits for its blocking dependents; a dependent with dependents goes in foreground too", async () => {
  const owner = await configMap("fg-owner");
  const mid = await configMap("fg-mid", [ref(owner, { blockOwnerDeletion: true })]);
  // A finalizer of someone else's holds the leaf, and with it the whole chain.
  await configMap("fg-leaf", [ref(mid, { blockOwnerDeletion: true })], { finalizers: ["example.com/hold"] });
  await configMap("fg-nonblocking", [ref(owner)]);
  await c.client.delete(Resources.configmaps, "fg-owner", {
    namespace: "default",
    propagationPolicy: "Foreground",
  });

  const leaf = await c.waitFor(
    "fg-leaf being deleted",
    async () => {
      const l = await getOrUndefined(Resources.configmaps, "fg-leaf");
      return l?.metadata?.deletionTimestamp ? l : undefined;
    },
    WAIT_MS,
  );
  assert.deepEqual(
    leaf.metadata?.finalizers,
    ["example.com/hold"],
    "a leaf without dependents goes in background",
  );
  const midNow = await c.waitFor(
    "fg-mid deleting its dependents",
    async () => {
      const m = await getOrUndefined(Resources.configmaps, "fg-mid");
      return m?.metadata?.deletionTimestamp ? m : undefined;
    },
    WAIT_MS,
  );
  assert.deepEqual(midNow.metadata?.finalizers, ["foregroundDeletion"]);
  // A non-blocking dependent is deleted too, but nobody waits for it.
  await c.waitFor("fg-nonblocking deleted", gone(Resources.configmaps, "fg-nonblocking"), WAIT_MS);
  const ownerNow = await getOrUndefined(Resources.configmaps, "fg-owner");
  assert.ok(ownerNow?.metadata?.deletionTimestamp, "the owner stays while a blocking dependent exists");
  assert.deepEqual(ownerNow.metadata?.finalizers, ["foregroundDeletion"]);

  await c.client.patch(
    Resources.configmaps,
    "fg-leaf",
    { metadata: { finalizers: null } },
    { namespace: "default", type: "merge" },
  );
  await c.waitFor("fg-leaf deleted", gone(Resources.configmaps, "fg-leaf"), WAIT_MS);
  await c.waitFor("fg-mid deleted", gone(Resources.configmaps, "fg-mid"), WAIT_MS);
  await c.waitFor("fg-owner deleted", gone(Resources.configmaps, "fg-owner"), WAIT_MS);
});

test("orphan: the owner goes, its dependents stay without the reference to it", async () => {
  const owner = await configMap("or-owner");
  const keeper = await configMap("or-keeper");
  await configMap("or-dep-1", [ref(owner, { controller: true, blockOwnerDeletion: true })]);
  await configMap("or-dep-2", [ref(owner), ref(keeper)]);
  await c.client.delete(Resources.configmaps, "or-owner", {
    namespace: "default",
    propagationPolicy: "Orphan",
  });
  await c.waitFor("or-owner deleted", gone(Resources.configmaps, "or-owner"), WAIT_MS);
  const dep1 = await getOrUndefined(Resources.configmaps, "or-dep-1");
  const dep2 = await getOrUndefined(Resources.configmaps, "or-dep-2");
  assert.ok(dep1 && dep2, "dependents are kept");
  assert.equal(dep1.metadata?.ownerReferences, undefined);
  assert.deepEqual(dep2.metadata?.ownerReferences, [ref(keeper)]);
});

test("a dependent whose owner never existed is deleted, as is one naming a live object by another uid", async () => {
  await configMap("ghost-dep", [{ apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: randomUUID() }]);
  const impostor = await configMap("impostor");
  await configMap("impostor-dep", [ref(impostor, { uid: randomUUID() })]);
  await c.waitFor("ghost-dep deleted", gone(Resources.configmaps, "ghost-dep"), WAIT_MS);
  await c.waitFor("impostor-dep deleted", gone(Resources.configmaps, "impostor-dep"), WAIT_MS);
  assert.ok(await getOrUndefined(Resources.configmaps, "impostor"), "the live object is left alone");
});

test("a dependent with two owners survives while one remains, losing the reference to the other", async () => {
  const a = await configMap("two-a");
  const rs = await c.client.create<KubeObject>(Resources.replicasets, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "two-rs", namespace: "default" },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: "two" } },
      template: {
        metadata: { labels: { app: "two" } },
        spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
      },
    },
  } as KubeObject);
  await configMap("two-dep", [ref(a), ref({ ...rs, apiVersion: "apps/v1", kind: "ReplicaSet" })]);
  await c.client.delete(Resources.configmaps, "two-a", { namespace: "default" });
  const dep = await c.waitFor(
    "two-dep losing its reference to two-a",
    async () => {
      const d = await getOrUndefined(Resources.configmaps, "two-dep");
      return d?.metadata?.ownerReferences?.length === 1 ? d : undefined;
    },
    WAIT_MS,
  );
  assert.equal(dep.metadata?.ownerReferences?.[0].name, "two-rs");
  assert.equal(dep.metadata?.deletionTimestamp, undefined);
  await c.client.delete(Resources.replicasets, "two-rs", {
    namespace: "default",
    propagationPolicy: "Background",
  });
  await c.waitFor("two-dep deleted", gone(Resources.configmaps, "two-dep"), WAIT_MS);
});

test("a namespaced dependent of a cluster-scoped owner is collected with it", async () => {
  const role = await c.client.create<KubeObject>(clusterroles, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "gc-test-owner" },
    rules: [],
  } as KubeObject);
  await configMap("cluster-owned", [
    ref({ ...role, apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" }),
  ]);
  // Still there after the GC has seen it (its owner is solid).
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(await getOrUndefined(Resources.configmaps, "cluster-owned"));
  await c.client.delete(clusterroles, "gc-test-owner");
  await c.waitFor("cluster-owned deleted", gone(Resources.configmaps, "cluster-owned"), WAIT_MS);
});

async function eventsFor(name: string, namespace = "default"): Promise<Event[]> {
  const list = await c.client.list<Event>(Resources.events, { namespace });
  return list.items.filter((e) => e.involvedObject.name === name);
}

test("a cluster-scoped dependent of a namespaced owner is left alone with OwnerRefInvalidNamespace", async () => {
  const owner = await configMap("ns-owner");
  await c.client.create(clusterroles, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "gc-bad-dependent", ownerReferences: [ref(owner)] },
    rules: [],
  } as KubeObject);
  const [ev] = await c.waitFor(
    "an OwnerRefInvalidNamespace event",
    async () => {
      const evs = (await eventsFor("gc-bad-dependent")).filter(
        (e) => e.reason === "OwnerRefInvalidNamespace",
      );
      return evs.length > 0 ? evs : undefined;
    },
    WAIT_MS,
  );
  assert.equal(ev.type, "Warning");
  assert.equal(ev.source?.component, "garbage-collector-controller");
  assert.equal(ev.involvedObject.kind, "ClusterRole");
  assert.equal(
    ev.message,
    `ownerRef [v1/ConfigMap, namespace: , name: ns-owner, uid: ${owner.metadata?.uid}] does not exist in namespace ""`,
  );
  // Even with the owner gone it is not collected: the reference is invalid, not dangling.
  await c.client.delete(Resources.configmaps, "ns-owner", { namespace: "default" });
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(await getOrUndefined(clusterroles, "gc-bad-dependent"), "left alone");
});

test("a dependent naming an owner in another namespace is reported and collected (its owner is absent there)", async () => {
  const owner = await configMap("xns-owner");
  await c.client.create(Resources.configmaps, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "xns-dep", namespace: "gc-other", ownerReferences: [ref(owner)] },
  });
  await c.waitFor("xns-dep deleted", gone(Resources.configmaps, "xns-dep", "gc-other"), WAIT_MS);
  const evs = await c.waitFor(
    "an OwnerRefInvalidNamespace event",
    async () => {
      const e = (await eventsFor("xns-dep", "gc-other")).filter(
        (x) => x.reason === "OwnerRefInvalidNamespace",
      );
      return e.length > 0 ? e : undefined;
    },
    WAIT_MS,
  );
  assert.equal(
    evs[0].message,
    `ownerRef [v1/ConfigMap, namespace: gc-other, name: xns-owner, uid: ${owner.metadata?.uid}] does not exist in namespace "gc-other"`,
  );
  assert.ok(await getOrUndefined(Resources.configmaps, "xns-owner"), "the owner itself is untouched");
});

test("a resource served after the GC started is watched after rediscovery", async () => {
  const owner = await configMap("rd-owner");
  await c.client.create(Resources.secrets, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "rd-dep", namespace: "default", ownerReferences: [ref(owner)] },
    stringData: { k: "v" },
  } as KubeObject);
  await c.client.delete(Resources.configmaps, "rd-owner", { namespace: "default" });
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(
    await getOrUndefined(Resources.secrets, "rd-dep"),
    "not collected while secrets are not discovered",
  );
  secretsServed = true;
  await c.waitFor("rd-dep deleted", gone(Resources.secrets, "rd-dep"), WAIT_MS);
});
