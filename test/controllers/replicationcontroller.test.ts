// The ReplicationController controller (the ReplicaSet logic over v1
// ReplicationControllers, whose selector is a plain label map) against a real
// apiserver, scheduler and hollow kubelets.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Event, Pod, ReplicationController } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { replicationControllerDescriptor } from "../../src/controllers/replicaset/index.ts";
import { getControllerOf } from "../../src/controllers/util/owner.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ nodes: 2, controllers: [replicationControllerDescriptor] });
});
after(() => c.stop());

const WAIT = 25_000;

function rc(
  name: string,
  replicas: number,
  selector?: Record<string, string>,
): ReplicationController & { metadata: object } {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      ...(selector ? { selector } : {}),
      template: {
        metadata: { labels: { app: name, tier: "web" } },
        spec: {
          containers: [{ name: "c", image: "k8ts.local/busybox:latest" }],
          terminationGracePeriodSeconds: 0,
        },
      },
    },
  };
}

function getRC(name: string): Promise<ReplicationController> {
  return c.client.get<ReplicationController>(Resources.replicationcontrollers, name, {
    namespace: "default",
  });
}

async function ownedPods(owner: ReplicationController): Promise<Pod[]> {
  return (await c.pods()).filter(
    (p) => getControllerOf(p)?.uid === owner.metadata?.uid && !p.metadata?.deletionTimestamp,
  );
}

async function events(name: string, reason: string): Promise<Event[]> {
  return (await c.list<Event>(Resources.events)).filter(
    (e) =>
      e.involvedObject.name === name &&
      e.involvedObject.kind === "ReplicationController" &&
      e.reason === reason,
  );
}

function waitForStatus(name: string, replicas: number): Promise<ReplicationController> {
  return c.waitFor(
    `${name} status at ${replicas} available`,
    async () => {
      const cur = await getRC(name);
      const s = cur.status;
      return (
        s?.observedGeneration === cur.metadata?.generation &&
        s?.replicas === replicas &&
        (s?.readyReplicas ?? 0) === replicas &&
        (s?.availableReplicas ?? 0) === replicas &&
        cur
      );
    },
    WAIT,
  );
}

test("a ReplicationController scales up and down, owning its pods as v1 ReplicationController", async () => {
  const created = await c.client.create(Resources.replicationcontrollers, rc("web", 3, { app: "web" }));
  const up = await waitForStatus("web", 3);
  assert.equal(up.status?.fullyLabeledReplicas, 3);
  const pods = await ownedPods(created);
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.match(p.metadata?.name ?? "", /^web-[a-z0-9]{5}$/);
    assert.deepEqual(getControllerOf(p), {
      apiVersion: "v1",
      kind: "ReplicationController",
      name: "web",
      uid: created.metadata?.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
  }
  const createdEvents = await c.waitFor("3 SuccessfulCreate events", async () => {
    const evs = await events("web", "SuccessfulCreate");
    return evs.length === 3 && evs;
  });
  assert.equal(createdEvents[0].source?.component, "replication-controller");
  assert.deepEqual(
    createdEvents.map((e) => e.message).sort(),
    pods.map((p) => `Created pod: ${p.metadata?.name}`).sort(),
  );

  await c.client.patch(
    Resources.replicationcontrollers,
    "web",
    { spec: { replicas: 1 } },
    { namespace: "default", type: "merge" },
  );
  await waitForStatus("web", 1);
  assert.equal((await ownedPods(created)).length, 1);
  const deleted = await c.waitFor("2 SuccessfulDelete events", async () => {
    const evs = await events("web", "SuccessfulDelete");
    return evs.length === 2 && evs;
  });
  assert.ok(deleted.every((e) => /^Deleted pod: web-[a-z0-9]{5}$/.test(e.message ?? "")));
});

test("a ReplicationController without a selector selects its template's labels, and adopts a matching orphan", async () => {
  await c.client.create<Pod & { metadata: object }>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "rc-orphan", namespace: "default", labels: { app: "plain", tier: "web" } },
    spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
  });
  const created = await c.client.create(Resources.replicationcontrollers, rc("plain", 2));
  assert.deepEqual(created.spec?.selector, { app: "plain", tier: "web" });
  await waitForStatus("plain", 2);
  const names = (await ownedPods(created)).map((p) => p.metadata?.name);
  assert.equal(names.length, 2);
  assert.ok(names.includes("rc-orphan"));
  await c.waitFor(
    "one SuccessfulCreate event",
    async () => (await events("plain", "SuccessfulCreate")).length === 1,
  );
  assert.equal((await events("plain", "SuccessfulDelete")).length, 0);
});
