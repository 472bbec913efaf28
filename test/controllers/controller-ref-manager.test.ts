// Adoption and release through the real API: an orphan that matches is
// adopted with a controller reference, an owned pod that stops matching is
// released, and someone else's pod is left alone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { claimObjects, recheckDeletionTimestamp } from "../../src/controllers/util/controller-ref-manager.ts";
import { getControllerOf, newControllerRef } from "../../src/controllers/util/owner.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ nodes: 1, controllers: [] });
});
after(() => c.stop());

const RS_KIND = { apiVersion: "apps/v1", kind: "ReplicaSet" };

function pod(name: string, labels: Record<string, string>, owner?: ReplicaSet): Pod & { metadata: object } {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      labels,
      ...(owner ? { ownerReferences: [newControllerRef(owner, RS_KIND)] } : {}),
    },
    spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
  };
}

test("claimObjects adopts matching orphans, releases owned pods that stopped matching, ignores others' pods", async () => {
  const rs = await c.client.create<ReplicaSet & { metadata: object }>(Resources.replicasets, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
      },
    },
  });
  const other = { ...rs, metadata: { ...rs.metadata, name: "other", uid: "1111-2222" } };
  await c.client.create(Resources.pods, pod("orphan", { app: "web" }));
  await c.client.create(Resources.pods, pod("owned-mismatch", { app: "db" }, rs));
  await c.client.create(Resources.pods, pod("owned", { app: "web" }, rs));
  await c.client.create(Resources.pods, pod("foreign", { app: "web" }, other));
  await c.client.create(Resources.pods, pod("unrelated", { app: "db" }));
  const pods = await c.pods();
  const claimed = await claimObjects(pods, {
    client: c.client,
    owner: rs,
    ownerKind: RS_KIND,
    resource: Resources.pods,
    matches: (l) => l.app === "web",
    canAdopt: recheckDeletionTimestamp(c.client, Resources.replicasets, rs),
  });
  assert.deepEqual(claimed.map((p) => p.metadata?.name).sort(), ["orphan", "owned"]);
  const after = new Map((await c.pods()).map((p) => [p.metadata!.name!, p]));
  assert.equal(getControllerOf(after.get("orphan")!)?.uid, rs.metadata.uid);
  assert.equal(getControllerOf(after.get("orphan")!)?.blockOwnerDeletion, true);
  assert.equal(getControllerOf(after.get("owned-mismatch")!), undefined, "released");
  assert.equal(getControllerOf(after.get("foreign")!)?.uid, "1111-2222");
  assert.equal(getControllerOf(after.get("unrelated")!), undefined);
});

test("an owner recreated under the same name does not adopt: the recheck sees another uid", async () => {
  const stale = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web", namespace: "default", uid: "stale-uid" },
  };
  await c.client.create(Resources.pods, pod("orphan2", { app: "web2" }));
  await assert.rejects(
    claimObjects(await c.pods({ labelSelector: "app=web2" }), {
      client: c.client,
      owner: stale,
      ownerKind: RS_KIND,
      resource: Resources.pods,
      matches: () => true,
      canAdopt: recheckDeletionTimestamp(c.client, Resources.replicasets, stale),
    }),
    /original replicasets default\/web is gone: got uid .*, wanted stale-uid/,
  );
});
