// The StatefulSet controller against the real apiserver, scheduler and hollow
// kubelets: ordered creation and deletion, identity, Parallel, claims from
// volumeClaimTemplates and their retention policy, rolling updates with a
// partition, OnDelete, and rollback by re-applying a revision's data as
// `kubectl rollout undo` does. Assertions are on the world's end state and on
// the order in which the watch saw pods change.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ControllerRevision, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { Event, PersistentVolume, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { statefulSetControllerDescriptor } from "../../src/controllers/statefulset/index.ts";
import { isPodReady } from "../../src/controllers/util/pods.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ nodes: 2, controllers: [statefulSetControllerDescriptor] });
});
after(() => c.stop());

const NS = { namespace: "default" };
const WAIT = 30_000;

type Spec = NonNullable<StatefulSet["spec"]>;

function statefulSet(name: string, spec: Partial<Spec> = {}): StatefulSet & { metadata: object } {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, namespace: "default" },
    spec: {
      replicas: 3,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
      },
      ...spec,
    },
  };
}

const getSet = (name: string) => c.client.get<StatefulSet>(Resources.statefulsets, name, NS);

/** Waits until the set's status shows every replica ready and at one revision. */
function waitRolledOut(name: string, replicas: number): Promise<StatefulSet> {
  return c.waitFor(
    `statefulset ${name} rolled out with ${replicas} replicas`,
    async () => {
      const s = await getSet(name);
      const st = s.status;
      return st &&
        st.observedGeneration === s.metadata?.generation &&
        st.replicas === replicas &&
        (st.readyReplicas ?? 0) === replicas &&
        (st.currentReplicas ?? 0) === replicas &&
        st.currentRevision === st.updateRevision
        ? s
        : undefined;
    },
    WAIT,
  );
}

interface PodSeen {
  type: "ADDED" | "MODIFIED" | "DELETED";
  name: string;
  uid: string;
  ready: boolean;
  deleting: boolean;
  revision: string;
}

/** Records, in watch order, every change to the pods of app=<app> until stopped. */
function recordPods(app: string): { seen: PodSeen[]; stop(): void } {
  const abort = new AbortController();
  const seen: PodSeen[] = [];
  void (async () => {
    try {
      for await (const ev of c.client.watch<Pod>(Resources.pods, {
        ...NS,
        labelSelector: `app=${app}`,
        signal: abort.signal,
      })) {
        if (ev.type !== "ADDED" && ev.type !== "MODIFIED" && ev.type !== "DELETED") continue;
        const p = ev.object;
        seen.push({
          type: ev.type,
          name: p.metadata?.name ?? "",
          uid: p.metadata?.uid ?? "",
          ready: isPodReady(p) && p.status?.phase === "Running",
          deleting: !!p.metadata?.deletionTimestamp,
          revision: p.metadata?.labels?.["controller-revision-hash"] ?? "",
        });
      }
    } catch {
      // aborted
    }
  })();
  return { seen, stop: () => abort.abort() };
}

/** Index of the first record matching, or -1. */
const firstIndex = (seen: PodSeen[], f: (s: PodSeen) => boolean) => seen.findIndex(f);

async function eventsFor(name: string): Promise<Event[]> {
  const evs = await c.list<Event>(Resources.events);
  return evs.filter((e) => e.involvedObject?.kind === "StatefulSet" && e.involvedObject.name === name);
}

function waitEvent(set: string, reason: string, message: string): Promise<Event> {
  return c.waitFor(
    `event ${reason} "${message}"`,
    async () => (await eventsFor(set)).find((e) => e.reason === reason && e.message === message),
    WAIT,
  );
}

test("OrderedReady creates web-0, web-1, web-2 each after its predecessor is Running and Ready, with a stable identity", async () => {
  const rec = recordPods("web");
  await c.client.create(Resources.statefulsets, statefulSet("web"));
  const set = await waitRolledOut("web", 3);
  rec.stop();

  // Creation order, and each pod created only once its predecessor was ready.
  const added = rec.seen.filter((s) => s.type === "ADDED").map((s) => s.name);
  assert.deepEqual(added, ["web-0", "web-1", "web-2"]);
  for (const n of [1, 2]) {
    const at = firstIndex(rec.seen, (s) => s.type === "ADDED" && s.name === `web-${n}`);
    const before = rec.seen.slice(0, at).filter((s) => s.name === `web-${n - 1}`);
    assert.ok(
      before.length > 0 && before[before.length - 1].ready,
      `web-${n} created while web-${n - 1} not ready`,
    );
  }

  const st = set.status!;
  assert.equal(st.observedGeneration, set.metadata?.generation);
  assert.equal(st.replicas, 3);
  assert.equal(st.readyReplicas, 3);
  assert.equal(st.availableReplicas, 3);
  assert.equal(st.currentReplicas, 3);
  assert.equal(st.updatedReplicas, 3);
  assert.equal(st.collisionCount, 0);
  assert.match(st.updateRevision ?? "", /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);

  const pods = (await c.pods({ labelSelector: "app=web" })).sort((a, b) =>
    a.metadata!.name!.localeCompare(b.metadata!.name!),
  );
  assert.deepEqual(
    pods.map((p) => p.metadata?.name),
    ["web-0", "web-1", "web-2"],
  );
  pods.forEach((p, i) => {
    assert.deepEqual(p.metadata?.labels, {
      app: "web",
      "statefulset.kubernetes.io/pod-name": `web-${i}`,
      "apps.kubernetes.io/pod-index": String(i),
      "controller-revision-hash": st.updateRevision,
    });
    assert.equal(p.metadata?.generateName, "web-");
    assert.equal(p.spec?.hostname, `web-${i}`);
    assert.equal(p.spec?.subdomain, "web");
    assert.deepEqual(p.metadata?.ownerReferences, [
      {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        name: "web",
        uid: set.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });
  // Creation timestamps never go backwards along the ordinals.
  const created = pods.map((p) => Date.parse(p.metadata!.creationTimestamp!));
  assert.ok(created[0] <= created[1] && created[1] <= created[2]);

  // One revision: the template as a strategic merge patch that replaces it.
  const revs = (await c.list<ControllerRevision>(Resources.controllerrevisions)).filter(
    (r) => r.metadata?.ownerReferences?.[0]?.uid === set.metadata?.uid,
  );
  assert.equal(revs.length, 1);
  const rev = revs[0];
  assert.equal(rev.metadata?.name, st.updateRevision);
  assert.equal(rev.revision, 1);
  assert.equal(rev.metadata?.labels?.app, "web");
  assert.equal(`web-${rev.metadata?.labels?.["controller.kubernetes.io/hash"]}`, rev.metadata?.name);
  assert.equal(rev.metadata?.ownerReferences?.[0]?.controller, true);
  const data = rev.data as { spec: { template: Record<string, unknown> } };
  assert.deepEqual(Object.keys(data), ["spec"]);
  assert.deepEqual(Object.keys(data.spec), ["template"]);
  const { $patch, ...template } = data.spec.template;
  assert.equal($patch, "replace");
  assert.deepEqual(template, set.spec?.template);

  const ev = await waitEvent("web", "SuccessfulCreate", "create Pod web-0 in StatefulSet web successful");
  assert.equal(ev.type, "Normal");
  assert.equal(ev.source?.component, "statefulset-controller");
  await waitEvent("web", "SuccessfulCreate", "create Pod web-2 in StatefulSet web successful");
});

test("a deleted pod comes back under the same name", async () => {
  const old = await c.client.get<Pod>(Resources.pods, "web-1", NS);
  await c.client.delete(Resources.pods, "web-1", NS);
  const fresh = await c.waitFor(
    "web-1 recreated and ready",
    async () => {
      const p = (await c.pods({ labelSelector: "app=web" })).find((x) => x.metadata?.name === "web-1");
      return p && p.metadata?.uid !== old.metadata?.uid && isPodReady(p) ? p : undefined;
    },
    WAIT,
  );
  assert.equal(fresh.metadata?.labels?.["statefulset.kubernetes.io/pod-name"], "web-1");
  assert.equal(fresh.spec?.hostname, "web-1");
  await waitRolledOut("web", 3);
});

test("scaling down deletes the highest ordinal first, one at a time", async () => {
  const rec = recordPods("web");
  await c.client.patch(Resources.statefulsets, "web", { spec: { replicas: 1 } }, { ...NS, type: "merge" });
  await waitRolledOut("web", 1);
  await c.waitFor(
    "web-1 and web-2 gone",
    async () => (await c.pods({ labelSelector: "app=web" })).length === 1,
  );
  rec.stop();
  const goes2 = firstIndex(rec.seen, (s) => s.name === "web-2" && (s.deleting || s.type === "DELETED"));
  const gone2 = firstIndex(rec.seen, (s) => s.name === "web-2" && s.type === "DELETED");
  const goes1 = firstIndex(rec.seen, (s) => s.name === "web-1" && (s.deleting || s.type === "DELETED"));
  assert.ok(goes2 >= 0 && goes1 >= 0);
  // web-1 starts going only after web-2 is gone.
  assert.ok(gone2 < goes1, `web-1 deleted before web-2 was gone: ${JSON.stringify(rec.seen)}`);
  assert.deepEqual(
    (await c.pods({ labelSelector: "app=web" })).map((p) => p.metadata?.name),
    ["web-0"],
  );
  await waitEvent("web", "SuccessfulDelete", "delete Pod web-2 in StatefulSet web successful");
  await waitEvent("web", "SuccessfulDelete", "delete Pod web-1 in StatefulSet web successful");
});

test("Parallel creates every pod at once, from spec.ordinals.start, without waiting for readiness", async () => {
  // Unschedulable pods never become ready: only Parallel gets past the first.
  await c.client.create(
    Resources.statefulsets,
    statefulSet("par", {
      podManagementPolicy: "Parallel",
      ordinals: { start: 3 },
      template: {
        metadata: { labels: { app: "par" } },
        spec: {
          nodeSelector: { nowhere: "true" },
          containers: [{ name: "c", image: "k8ts.local/busybox:latest" }],
        },
      },
    }),
  );
  const pods = await c.waitFor(
    "par-3, par-4, par-5 created",
    async () => {
      const ps = await c.pods({ labelSelector: "app=par" });
      return ps.length === 3 ? ps : undefined;
    },
    WAIT,
  );
  assert.deepEqual(pods.map((p) => p.metadata?.name).sort(), ["par-3", "par-4", "par-5"]);
  assert.ok(pods.every((p) => !isPodReady(p)));
  assert.deepEqual(pods.map((p) => p.metadata?.labels?.["apps.kubernetes.io/pod-index"]).sort(), [
    "3",
    "4",
    "5",
  ]);
  const s = await c.waitFor(
    "par status",
    async () => {
      const s = await getSet("par");
      return s.status?.replicas === 3 ? s : undefined;
    },
    WAIT,
  );
  assert.equal(s.status?.readyReplicas ?? 0, 0);
});

test("volumeClaimTemplates make claims <template>-<set>-<ordinal>; whenScaled: Delete gives a scaled-away pod's claim to that pod", async () => {
  // No PV controller runs here: the claims stay Pending and so do the pods, so Parallel is used to get them all.
  await c.client.create(
    Resources.statefulsets,
    statefulSet("db", {
      podManagementPolicy: "Parallel",
      persistentVolumeClaimRetentionPolicy: { whenScaled: "Delete", whenDeleted: "Retain" },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: { tier: "db" } },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        },
      ],
    }),
  );
  const claims = await c.waitFor(
    "claims data-db-0..2",
    async () => {
      const cs = (await c.list<PersistentVolumeClaim>(Resources.persistentvolumeclaims)).filter((x) =>
        x.metadata?.name?.startsWith("data-db-"),
      );
      return cs.length === 3 ? cs : undefined;
    },
    WAIT,
  );
  assert.deepEqual(claims.map((x) => x.metadata?.name).sort(), ["data-db-0", "data-db-1", "data-db-2"]);
  for (const claim of claims) {
    assert.deepEqual(claim.metadata?.labels, { tier: "db", app: "db" });
    assert.equal(claim.spec?.resources?.requests?.storage, "1Gi");
    // Retain on deletion, and not scaled away: nobody owns it.
    assert.equal(claim.metadata?.ownerReferences, undefined);
  }
  const pods = await c.waitFor("db pods", async () => {
    const ps = await c.pods({ labelSelector: "app=db" });
    return ps.length === 3 ? ps : undefined;
  });
  for (const p of pods) {
    const ordinal = p.metadata!.name!.slice("db-".length);
    assert.deepEqual(
      p.spec?.volumes?.find((v) => v.name === "data"),
      { name: "data", persistentVolumeClaim: { claimName: `data-db-${ordinal}` } },
    );
  }
  await waitEvent("db", "SuccessfulCreate", "create Claim data-db-0 Pod db-0 in StatefulSet db success");
  await waitEvent("db", "SuccessfulCreate", "create Pod db-0 in StatefulSet db successful");

  const db2 = pods.find((p) => p.metadata?.name === "db-2")!;
  await c.client.patch(Resources.statefulsets, "db", { spec: { replicas: 2 } }, { ...NS, type: "merge" });
  await c.waitFor("db-2 gone", async () => (await c.pods({ labelSelector: "app=db" })).length === 2, WAIT);
  // The claim now belongs to the pod that is gone: the garbage collector deletes it.
  const claim2 = await c.client.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, "data-db-2", NS);
  assert.deepEqual(claim2.metadata?.ownerReferences, [
    {
      apiVersion: "v1",
      kind: "Pod",
      name: "db-2",
      uid: db2.metadata?.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  const claim0 = await c.client.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, "data-db-0", NS);
  assert.equal(claim0.metadata?.ownerReferences, undefined);
});

test("OrderedReady with claims: the next pod waits for the previous one, which runs once its claim is bound", async () => {
  // Stands in for the PV controller: binds each claim to a hostPath PV made for it.
  const binder = new AbortController();
  const bound = new Set<string>();
  const bindLoop = (async () => {
    while (!binder.signal.aborted) {
      for (const pvc of await c.list<PersistentVolumeClaim>(Resources.persistentvolumeclaims)) {
        const name = pvc.metadata?.name ?? "";
        if (!name.startsWith("data-vol-") || bound.has(name)) continue;
        bound.add(name);
        await c.client.create<PersistentVolume & { metadata: object }>(Resources.persistentvolumes, {
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name: `pv-${name}` },
          spec: {
            capacity: { storage: "1Gi" },
            accessModes: ["ReadWriteOnce"],
            hostPath: { path: `/tmp/${name}` },
            claimRef: { namespace: "default", name, uid: pvc.metadata?.uid },
          },
        });
        await c.client.patch(
          Resources.persistentvolumeclaims,
          name,
          {
            metadata: { annotations: { "pv.kubernetes.io/bind-completed": "yes" } },
            spec: { volumeName: `pv-${name}` },
          },
          { ...NS, type: "merge" },
        );
        await c.client.patch(
          Resources.persistentvolumeclaims,
          name,
          { status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } } },
          { ...NS, type: "merge", subresource: "status" },
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    const rec = recordPods("vol");
    await c.client.create(
      Resources.statefulsets,
      statefulSet("vol", {
        replicas: 2,
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      }),
    );
    await waitRolledOut("vol", 2);
    rec.stop();
    const at = firstIndex(rec.seen, (s) => s.type === "ADDED" && s.name === "vol-1");
    const before = rec.seen.slice(0, at).filter((s) => s.name === "vol-0");
    assert.ok(before.length > 0 && before[before.length - 1].ready, "vol-1 created before vol-0 was ready");
    assert.deepEqual([...bound].sort(), ["data-vol-0", "data-vol-1"]);
  } finally {
    binder.abort();
    await bindLoop;
  }
});

test("RollingUpdate replaces pods from the highest ordinal down, holding the partition; undo re-applies an old revision", async () => {
  await c.client.create(Resources.statefulsets, statefulSet("roll"));
  const first = await waitRolledOut("roll", 3);
  const rev1 = first.status!.updateRevision!;

  // A new template with partition 2: only roll-2 moves.
  await c.client.patch(
    Resources.statefulsets,
    "roll",
    {
      spec: {
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } },
        template: { metadata: { annotations: { version: "2" } } },
      },
    },
    { ...NS, type: "strategic" },
  );
  const partial = await c.waitFor(
    "roll-2 updated, partition held",
    async () => {
      const s = await getSet("roll");
      const st = s.status;
      return st &&
        st.observedGeneration === s.metadata?.generation &&
        st.updateRevision !== rev1 &&
        st.updatedReplicas === 1 &&
        st.readyReplicas === 3
        ? s
        : undefined;
    },
    WAIT,
  );
  const rev2 = partial.status!.updateRevision!;
  assert.equal(partial.status?.currentRevision, rev1);
  assert.equal(partial.status?.currentReplicas, 2);
  const byName = new Map((await c.pods({ labelSelector: "app=roll" })).map((p) => [p.metadata!.name!, p]));
  assert.equal(byName.get("roll-2")?.metadata?.labels?.["controller-revision-hash"], rev2);
  assert.equal(byName.get("roll-2")?.metadata?.annotations?.version, "2");
  assert.equal(byName.get("roll-1")?.metadata?.labels?.["controller-revision-hash"], rev1);
  assert.equal(byName.get("roll-0")?.metadata?.labels?.["controller-revision-hash"], rev1);

  // Partition 0: roll-1, then roll-0; the update revision becomes the current one.
  const rec = recordPods("roll");
  await c.client.patch(
    Resources.statefulsets,
    "roll",
    { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } },
    { ...NS, type: "merge" },
  );
  const done = await waitRolledOut("roll", 3);
  rec.stop();
  assert.equal(done.status?.currentRevision, rev2);
  assert.equal(done.status?.updatedReplicas, 3);
  const goes1 = firstIndex(rec.seen, (s) => s.name === "roll-1" && s.deleting);
  const back1 = firstIndex(rec.seen, (s) => s.name === "roll-1" && s.revision === rev2 && s.ready);
  const goes0 = firstIndex(rec.seen, (s) => s.name === "roll-0" && s.deleting);
  assert.ok(goes1 >= 0 && goes0 >= 0, JSON.stringify(rec.seen));
  assert.ok(back1 < goes0, "roll-0 was deleted before roll-1 was back and ready");

  const revs = (await c.list<ControllerRevision>(Resources.controllerrevisions)).filter(
    (r) => r.metadata?.ownerReferences?.[0]?.uid === first.metadata?.uid,
  );
  assert.deepEqual(
    revs.map((r) => [r.metadata?.name, r.revision]).sort((a, b) => Number(a[1]) - Number(b[1])),
    [
      [rev1, 1],
      [rev2, 2],
    ],
  );

  // `kubectl rollout undo` patches the set with the old revision's data.
  const old = revs.find((r) => r.metadata?.name === rev1)!;
  await c.client.patch(Resources.statefulsets, "roll", old.data, { ...NS, type: "strategic" });
  const undone = await c.waitFor(
    "rolled back to the first revision",
    async () => {
      const s = await getSet("roll");
      const st = s.status;
      return st?.updateRevision === rev1 && st.currentRevision === rev1 && st.readyReplicas === 3
        ? s
        : undefined;
    },
    WAIT,
  );
  assert.equal(undone.spec?.template?.metadata?.annotations, undefined);
  const after = await c.list<ControllerRevision>(Resources.controllerrevisions);
  // The old revision is reused, renumbered as the latest.
  assert.equal(after.find((r) => r.metadata?.name === rev1)?.revision, 3);
  assert.equal(after.filter((r) => r.metadata?.ownerReferences?.[0]?.uid === first.metadata?.uid).length, 2);
});

test("OnDelete leaves pods alone until they are deleted, then recreates them at the update revision", async () => {
  await c.client.create(
    Resources.statefulsets,
    statefulSet("od", { replicas: 2, updateStrategy: { type: "OnDelete" } }),
  );
  const first = await waitRolledOut("od", 2);
  const rev1 = first.status!.updateRevision!;
  await c.client.patch(
    Resources.statefulsets,
    "od",
    { spec: { template: { metadata: { annotations: { version: "2" } } } } },
    { ...NS, type: "strategic" },
  );
  // The controller writes status after it has acted on the pods in the same pass.
  const seen = await c.waitFor(
    "new update revision observed",
    async () => {
      const s = await getSet("od");
      return s.status?.observedGeneration === s.metadata?.generation && s.status?.updateRevision !== rev1
        ? s
        : undefined;
    },
    WAIT,
  );
  const rev2 = seen.status!.updateRevision!;
  for (const p of await c.pods({ labelSelector: "app=od" })) {
    assert.equal(p.metadata?.labels?.["controller-revision-hash"], rev1);
    assert.ok(!p.metadata?.deletionTimestamp);
  }
  const od0 = await c.client.get<Pod>(Resources.pods, "od-0", NS);
  await c.client.delete(Resources.pods, "od-0", NS);
  const s = await c.waitFor(
    "od-0 recreated at the update revision",
    async () => {
      const s = await getSet("od");
      return s.status?.updatedReplicas === 1 && s.status.readyReplicas === 2 ? s : undefined;
    },
    WAIT,
  );
  assert.equal(s.status?.currentRevision, rev1);
  assert.equal(s.status?.currentReplicas, 1);
  const byName = new Map((await c.pods({ labelSelector: "app=od" })).map((p) => [p.metadata!.name!, p]));
  assert.notEqual(byName.get("od-0")?.metadata?.uid, od0.metadata?.uid);
  assert.equal(byName.get("od-0")?.metadata?.labels?.["controller-revision-hash"], rev2);
  assert.equal(byName.get("od-1")?.metadata?.labels?.["controller-revision-hash"], rev1);
});

test("rollingUpdate.maxUnavailable: 2 takes two pods down at once, highest ordinals first", async () => {
  await c.client.create(
    Resources.statefulsets,
    statefulSet("mu", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } } }),
  );
  const first = await waitRolledOut("mu", 3);
  const rec = recordPods("mu");
  await c.client.patch(
    Resources.statefulsets,
    "mu",
    { spec: { template: { metadata: { annotations: { version: "2" } } } } },
    { ...NS, type: "strategic" },
  );
  const done = await waitRolledOut("mu", 3);
  rec.stop();
  assert.notEqual(done.status?.updateRevision, first.status?.updateRevision);
  const goes = (n: number) => firstIndex(rec.seen, (s) => s.name === `mu-${n}` && s.deleting);
  const back = (n: number) =>
    firstIndex(
      rec.seen,
      (s) => s.name === `mu-${n}` && s.revision === done.status?.updateRevision && s.ready,
    );
  // mu-2 and mu-1 both go before either is back; mu-0 only once one of them is.
  assert.ok(goes(2) >= 0 && goes(1) >= 0 && goes(0) >= 0, JSON.stringify(rec.seen));
  assert.ok(goes(1) < Math.min(back(2), back(1)), "mu-1 waited for mu-2");
  assert.ok(goes(0) > Math.min(back(2), back(1)), "mu-0 went while mu-2 and mu-1 were both down");
});

test("minReadySeconds: the next pod waits until its predecessor has been ready that long", async () => {
  await c.client.create(Resources.statefulsets, statefulSet("slow", { replicas: 2, minReadySeconds: 1 }));
  const set = await c.waitFor(
    "slow available",
    async () => {
      const s = await getSet("slow");
      return s.status?.availableReplicas === 2 ? s : undefined;
    },
    WAIT,
  );
  assert.equal(set.status?.readyReplicas, 2);
  const byName = new Map((await c.pods({ labelSelector: "app=slow" })).map((p) => [p.metadata!.name!, p]));
  const readySince = Date.parse(
    byName.get("slow-0")!.status!.conditions!.find((x) => x.type === "Ready")!.lastTransitionTime!,
  );
  const created1 = Date.parse(byName.get("slow-1")!.metadata!.creationTimestamp!);
  assert.ok(
    created1 >= readySince + 1000,
    `slow-1 created ${created1 - readySince} ms after slow-0 was ready`,
  );
});

test("an orphan pod with a member's name is adopted, given its identity, then replaced at the set's revision", async () => {
  const orphan = await c.client.create<Pod & { metadata: object }>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "adopt-0", namespace: "default", labels: { app: "adopt" } },
    spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
  });
  await c.waitFor("orphan running", async () => {
    const p = await c.client.get<Pod>(Resources.pods, "adopt-0", NS);
    return isPodReady(p) ? p : undefined;
  });
  await c.client.create(Resources.statefulsets, statefulSet("adopt", { replicas: 1 }));
  const set = await waitRolledOut("adopt", 1);
  await waitEvent("adopt", "SuccessfulUpdate", "update Pod adopt-0 in StatefulSet adopt successful");
  await waitEvent("adopt", "SuccessfulDelete", "delete Pod adopt-0 in StatefulSet adopt successful");
  const pod = await c.client.get<Pod>(Resources.pods, "adopt-0", NS);
  assert.notEqual(pod.metadata?.uid, orphan.metadata.uid);
  assert.equal(pod.metadata?.ownerReferences?.[0]?.uid, set.metadata?.uid);
  assert.equal(pod.metadata?.labels?.["statefulset.kubernetes.io/pod-name"], "adopt-0");
  assert.equal(pod.metadata?.labels?.["controller-revision-hash"], set.status?.updateRevision);
});
