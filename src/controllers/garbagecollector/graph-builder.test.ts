import assert from "node:assert/strict";
import { test } from "node:test";
import type { ObjectReference } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { SharedInformerFactory } from "../../client/informer-factory.ts";
import type { KubeObject } from "../../client/rest-client.ts";
import type { GraphNode } from "./graph.ts";
import {
  GraphBuilder,
  type GraphEvent,
  getAlternateOwnerIdentity,
  partitionDependents,
  referencesDiffs,
} from "./graph-builder.ts";

interface Recorded {
  ref: ObjectReference;
  type: string;
  reason: string;
  message: string;
}

function builder() {
  const toDelete: string[] = [];
  const toDeleteRateLimited: string[] = [];
  const toOrphan: string[] = [];
  const events: Recorded[] = [];
  const gb = new GraphBuilder({
    informers: {} as SharedInformerFactory,
    recorder: {
      event: (ref: ObjectReference, type: string, reason: string, message: string) =>
        events.push({ ref, type, reason, message }),
    } as unknown as EventRecorder,
    attemptToDelete: {
      add: (n: GraphNode) => toDelete.push(n.identity.name),
      addRateLimited: (n: GraphNode) => toDeleteRateLimited.push(n.identity.name),
    },
    attemptToOrphan: { add: (n: GraphNode) => toOrphan.push(n.identity.name), addRateLimited: () => {} },
    log: () => {},
  });
  return { gb, toDelete, toDeleteRateLimited, toOrphan, events };
}

function cm(
  name: string,
  uid: string,
  meta: Partial<NonNullable<KubeObject["metadata"]>> = {},
  ns = "default",
) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns || undefined, uid, ...meta },
  };
}

function ev(type: GraphEvent["type"], obj: KubeObject, oldObj?: KubeObject, kind = "ConfigMap"): GraphEvent {
  return { type, virtual: false, obj, oldObj, apiVersion: obj.apiVersion ?? "v1", kind };
}

const ownerRef = (name: string, uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  name,
  uid,
  ...extra,
});

test("a dependent whose owner is unseen makes a virtual owner node that attemptToDelete verifies", () => {
  const { gb, toDelete } = builder();
  gb.processGraphChanges(ev("add", cm("dep", "d1", { ownerReferences: [ownerRef("owner", "o1")] })));
  const owner = gb.uidToNode.read("o1");
  assert.ok(owner);
  assert.equal(owner.isObserved(), false);
  assert.deepEqual(owner.identity, {
    apiVersion: "v1",
    kind: "ConfigMap",
    name: "owner",
    uid: "o1",
    namespace: "default",
  });
  assert.deepEqual(toDelete, ["owner"]);
  gb.processGraphChanges(ev("add", cm("owner", "o1")));
  assert.equal(gb.uidToNode.read("o1")?.isObserved(), true);
  assert.deepEqual(
    gb.uidToNode
      .read("o1")
      ?.getDependents()
      .map((d) => d.identity.name),
    ["dep"],
  );
});

test("an owner's deletion queues its dependents and records the owner as absent", () => {
  const { gb, toDelete } = builder();
  gb.processGraphChanges(ev("add", cm("owner", "o1")));
  gb.processGraphChanges(ev("add", cm("dep", "d1", { ownerReferences: [ownerRef("owner", "o1")] })));
  assert.deepEqual(toDelete, []);
  gb.processGraphChanges(ev("delete", cm("owner", "o1")));
  assert.equal(gb.uidToNode.read("o1"), undefined);
  assert.deepEqual(toDelete, ["dep"]);
  assert.ok(
    gb.absentOwnerCache.has({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "owner",
      uid: "o1",
      namespace: "default",
    }),
  );
});

test("foreground and orphan deletions start when the finalizer arrives with the deletionTimestamp", () => {
  const { gb, toDelete, toOrphan } = builder();
  const owner = cm("owner", "o1");
  gb.processGraphChanges(ev("add", owner));
  gb.processGraphChanges(ev("add", cm("dep", "d1", { ownerReferences: [ownerRef("owner", "o1")] })));
  const deleting = cm("owner", "o1", {
    deletionTimestamp: "2024-01-01T00:00:00Z",
    finalizers: ["foregroundDeletion"],
  });
  gb.processGraphChanges(ev("update", deleting, owner));
  assert.equal(gb.uidToNode.read("o1")?.isDeletingDependents(), true);
  assert.equal(gb.uidToNode.read("o1")?.isBeingDeleted(), true);
  assert.deepEqual(toDelete, ["dep", "owner"]);
  // The same state again is no new transition.
  gb.processGraphChanges(ev("update", deleting, deleting));
  assert.deepEqual(toDelete, ["dep", "owner"]);

  const other = cm("other", "o2");
  gb.processGraphChanges(ev("add", other));
  gb.processGraphChanges(
    ev(
      "update",
      cm("other", "o2", { deletionTimestamp: "2024-01-01T00:00:00Z", finalizers: ["orphan"] }),
      other,
    ),
  );
  assert.deepEqual(toOrphan, ["other"]);
});

test("removing a blocking reference queues the owner it blocked", () => {
  const { gb, toDelete } = builder();
  gb.processGraphChanges(ev("add", cm("owner", "o1")));
  const blocking = cm("dep", "d1", {
    ownerReferences: [ownerRef("owner", "o1", { blockOwnerDeletion: true })],
  });
  gb.processGraphChanges(ev("add", blocking));
  gb.processGraphChanges(
    ev("update", cm("dep", "d1", { ownerReferences: [ownerRef("owner", "o1")] }), blocking),
  );
  assert.deepEqual(toDelete, ["owner"]);
  assert.deepEqual(gb.uidToNode.read("o1")?.blockingDependents(), []);
});

test("a dependent naming an observed owner of another namespace gets OwnerRefInvalidNamespace", () => {
  const { gb, toDelete, events } = builder();
  gb.processGraphChanges(ev("add", cm("owner", "o1")));
  gb.processGraphChanges(ev("add", cm("dep", "d1", { ownerReferences: [ownerRef("owner", "o1")] }, "other")));
  assert.deepEqual(toDelete, ["dep"]);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, "Warning");
  assert.equal(events[0].reason, "OwnerRefInvalidNamespace");
  assert.equal(
    events[0].message,
    'ownerRef [v1/ConfigMap, namespace: other, name: owner, uid: o1] does not exist in namespace "other"',
  );
  assert.deepEqual(events[0].ref, {
    kind: "ConfigMap",
    apiVersion: "v1",
    namespace: "other",
    name: "dep",
    uid: "d1",
  });
});

test("observing an owner a cluster-scoped dependent named reports it, with the empty namespace quoted", () => {
  const { gb, events, toDelete } = builder();
  const role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "r", uid: "r1", ownerReferences: [ownerRef("owner", "o1")] },
  };
  gb.processGraphChanges(ev("add", role, undefined, "ClusterRole"));
  gb.processGraphChanges(ev("add", cm("owner", "o1")));
  assert.deepEqual(toDelete, ["owner", "r"]);
  assert.equal(
    events[0]?.message,
    'ownerRef [v1/ConfigMap, namespace: , name: owner, uid: o1] does not exist in namespace ""',
  );
  assert.equal(events[0]?.ref.namespace, undefined);
});

test("a virtual delete keeps a virtual owner that other dependents know by another identity", () => {
  const { gb, toDelete, toDeleteRateLimited } = builder();
  gb.processGraphChanges(ev("add", cm("dep-a", "d1", { ownerReferences: [ownerRef("owner", "o1")] })));
  gb.processGraphChanges(
    ev("add", cm("dep-b", "d2", { ownerReferences: [ownerRef("owner", "o1", { kind: "Secret" })] })),
  );
  toDelete.length = 0;
  gb.enqueueVirtualDeleteEvent({
    apiVersion: "v1",
    kind: "ConfigMap",
    name: "owner",
    uid: "o1",
    namespace: "default",
  });
  // enqueueVirtualDeleteEvent only queues; apply it as the loop would.
  gb.processGraphChanges({
    type: "delete",
    virtual: true,
    apiVersion: "v1",
    kind: "ConfigMap",
    obj: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "owner", namespace: "default", uid: "o1" },
    },
  });
  const owner = gb.uidToNode.read("o1");
  assert.ok(owner, "kept: dep-b disagrees on its coordinates");
  assert.equal(owner.identity.kind, "Secret");
  assert.deepEqual(toDelete, ["dep-a"]);
  assert.deepEqual(toDeleteRateLimited, ["owner"]);
});

test("referencesDiffs: added, removed and changed by uid", () => {
  const a = ownerRef("a", "1");
  const b = ownerRef("b", "2", { blockOwnerDeletion: true });
  const b2 = ownerRef("b", "2", { blockOwnerDeletion: false });
  const c = ownerRef("c", "3");
  const d = referencesDiffs([a, b], [b2, c]);
  assert.deepEqual(d.added, [c]);
  assert.deepEqual(d.removed, [a]);
  assert.deepEqual(d.changed, [{ oldRef: b, newRef: b2 }]);
});

test("partitionDependents and getAlternateOwnerIdentity follow upstream's ordering", () => {
  const { gb } = builder();
  gb.processGraphChanges(ev("add", cm("x", "d1", { ownerReferences: [ownerRef("o", "u")] })));
  gb.processGraphChanges(
    ev("add", cm("y", "d2", { ownerReferences: [ownerRef("o", "u", { kind: "Secret" })] })),
  );
  gb.processGraphChanges(ev("add", cm("z", "d3", { ownerReferences: [ownerRef("p", "u")] })));
  const deps = gb.uidToNode.read("u")!.getDependents();
  const absent = { apiVersion: "v1", kind: "ConfigMap", name: "o", uid: "u", namespace: "default" };
  const [matching, nonmatching] = partitionDependents(deps, absent);
  assert.deepEqual(
    matching.map((n) => n.identity.name),
    ["x"],
  );
  assert.deepEqual(nonmatching.map((n) => n.identity.name).sort(), ["y", "z"]);
  // ConfigMap/p follows ConfigMap/o; Secret/o comes later.
  assert.deepEqual(getAlternateOwnerIdentity(nonmatching, absent), { ...absent, name: "p" });
  // Nothing follows Service/o (Secret < Service): the first of all.
  assert.deepEqual(getAlternateOwnerIdentity(nonmatching, { ...absent, kind: "Service" }), {
    ...absent,
    name: "p",
  });
  assert.deepEqual(getAlternateOwnerIdentity(nonmatching, { ...absent, name: "p" }), {
    ...absent,
    kind: "Secret",
  });
});
