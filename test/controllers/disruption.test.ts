// The disruption controller with the ReplicaSet controller, the scheduler and
// hollow kubelets: the status of PodDisruptionBudgets over the pods of
// ReplicaSets (minAvailable 2 and maxUnavailable 50% of three replicas), a
// budget without pods, one whose pods' controller has no /scale (fail safe,
// SyncFailed), and the bookkeeping of status.disruptedPods.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { DaemonSet, ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Event, Pod } from "kubernetes-types/core/v1.d.ts";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { disruptionControllerDescriptor, PDB_RESOURCE } from "../../src/controllers/disruption/index.ts";
import { replicaSetControllerDescriptor } from "../../src/controllers/replicaset/index.ts";
import { updateRetryingConflicts } from "../support/update.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({
    nodes: 2,
    controllers: [replicaSetControllerDescriptor, disruptionControllerDescriptor],
  });
});
after(() => c.stop());

const WAIT = 25_000;
const IMAGE = "k8ts.local/busybox:latest";
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

async function createRS(name: string, replicas: number): Promise<ReplicaSet> {
  return c.client.create<ReplicaSet>(Resources.replicasets, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: IMAGE }], terminationGracePeriodSeconds: 0 },
      },
    },
  });
}

async function createPDB(
  name: string,
  app: string,
  spec: PodDisruptionBudget["spec"],
): Promise<PodDisruptionBudget> {
  return c.client.create<PodDisruptionBudget>(PDB_RESOURCE, {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: "default" },
    spec: { ...spec, selector: { matchLabels: { app } } },
  });
}

function getPDB(name: string): Promise<PodDisruptionBudget> {
  return c.client.get<PodDisruptionBudget>(PDB_RESOURCE, name, { namespace: "default" });
}

/** The budget once its status says what `want` says (compared on those fields). */
function waitForStatus(
  name: string,
  want: Partial<NonNullable<PodDisruptionBudget["status"]>>,
): Promise<PodDisruptionBudget> {
  return c.waitFor(
    `status ${JSON.stringify(want)} of PDB ${name}`,
    async () => {
      const pdb = await getPDB(name);
      const s = (pdb.status ?? {}) as Record<string, unknown>;
      const ok = Object.entries(want).every(([k, v]) => JSON.stringify(s[k]) === JSON.stringify(v));
      return ok ? pdb : false;
    },
    WAIT,
  );
}

async function waitForReadyPods(app: string, n: number): Promise<Pod[]> {
  return c.waitFor(
    `${n} Ready pods of ${app}`,
    async () => {
      const pods = (await c.pods({ labelSelector: `app=${app}` })).filter(
        (p) =>
          !p.metadata?.deletionTimestamp &&
          p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True"),
      );
      return pods.length === n && pods;
    },
    WAIT,
  );
}

async function events(kind: string, name: string, reason: string): Promise<Event[]> {
  return (await c.list<Event>(Resources.events)).filter(
    (e) => e.involvedObject.kind === kind && e.involvedObject.name === name && e.reason === reason,
  );
}

test("minAvailable 2 over a 3-replica ReplicaSet allows one disruption", async () => {
  await createRS("web", 3);
  const pdb = await createPDB("web-pdb", "web", { minAvailable: 2 });
  await waitForReadyPods("web", 3);
  const done = await waitForStatus("web-pdb", {
    expectedPods: 3,
    currentHealthy: 3,
    desiredHealthy: 2,
    disruptionsAllowed: 1,
  });
  const s = done.status!;
  assert.equal(s.observedGeneration, pdb.metadata?.generation);
  assert.equal(s.observedGeneration, 1);
  assert.equal(s.disruptedPods, undefined);
  assert.equal(s.conditions?.length, 1);
  const cond = s.conditions![0];
  assert.deepEqual(
    {
      type: cond.type,
      status: cond.status,
      reason: cond.reason,
      message: cond.message,
      gen: cond.observedGeneration,
    },
    { type: "DisruptionAllowed", status: "True", reason: "SufficientPods", message: "", gen: 1 },
  );
  assert.match(cond.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test("maxUnavailable 50% of three replicas rounds up to two: desiredHealthy 1, two disruptions allowed", async () => {
  await createRS("api", 3);
  await createPDB("api-pdb", "api", { maxUnavailable: "50%" });
  await waitForReadyPods("api", 3);
  const done = await waitForStatus("api-pdb", {
    expectedPods: 3,
    currentHealthy: 3,
    desiredHealthy: 1,
    disruptionsAllowed: 2,
    observedGeneration: 1,
  });
  assert.equal(done.status?.conditions?.[0].reason, "SufficientPods");

  // Scaling the ReplicaSet moves the expected count with it (the scale comes from the controller).
  await c.client.patch(
    Resources.replicasets,
    "api",
    { spec: { replicas: 4 } },
    { namespace: "default", type: "merge" },
  );
  await waitForReadyPods("api", 4);
  await waitForStatus("api-pdb", {
    expectedPods: 4,
    currentHealthy: 4,
    desiredHealthy: 2,
    disruptionsAllowed: 2,
  });

  // A spec change is observed: the generation moves and the status follows.
  await c.client.patch(
    PDB_RESOURCE,
    "api-pdb",
    { spec: { maxUnavailable: 1 } },
    { namespace: "default", type: "merge" },
  );
  const changed = await waitForStatus("api-pdb", {
    observedGeneration: 2,
    desiredHealthy: 3,
    disruptionsAllowed: 1,
  });
  assert.equal(changed.metadata?.generation, 2);
});

test("a budget that selects no pods allows nothing and says so", async () => {
  await createPDB("none-pdb", "nothing-here", { minAvailable: 1 });
  const done = await waitForStatus("none-pdb", {
    observedGeneration: 1,
    expectedPods: 0,
    currentHealthy: 0,
    desiredHealthy: 1,
    disruptionsAllowed: 0,
  });
  assert.equal(done.status?.conditions?.[0].status, "False");
  assert.equal(done.status?.conditions?.[0].reason, "InsufficientPods");
  const ev = await c.waitFor(
    "the NoPods event",
    async () => (await events("PodDisruptionBudget", "none-pdb", "NoPods"))[0],
    WAIT,
  );
  assert.equal(ev.message, "No matching pods found");
  assert.equal(ev.type, "Normal");
  assert.equal(ev.source?.component, "controllermanager");
});

test("pods whose controller has no /scale fail the budget safe, with SyncFailed", async () => {
  const ds = await c.client.create<DaemonSet>(Resources.daemonsets, {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: {
        metadata: { labels: { app: "agent" } },
        spec: { containers: [{ name: "c", image: IMAGE }] },
      },
    },
  });
  // No DaemonSet controller runs here: its pod is made by hand.
  await c.client.create<Pod>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "agent-1",
      namespace: "default",
      labels: { app: "agent" },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: ds.metadata!.uid!, controller: true },
      ],
    },
    spec: { containers: [{ name: "c", image: IMAGE }], terminationGracePeriodSeconds: 0 },
  });
  await createPDB("agent-pdb", "agent", { maxUnavailable: 1 });
  const failed = await c.waitFor(
    "the SyncFailed condition",
    async () => {
      const pdb = await getPDB("agent-pdb");
      return pdb.status?.conditions?.find((x) => x.reason === "SyncFailed") && pdb;
    },
    WAIT,
  );
  assert.equal(failed.status?.disruptionsAllowed, 0);
  const cond = failed.status!.conditions![0];
  assert.equal(cond.type, "DisruptionAllowed");
  assert.equal(cond.status, "False");
  assert.equal(cond.message, "daemonsets.apps does not implement the scale subresource");
  const ev = await c.waitFor(
    "the CalculateExpectedPodCountFailed event",
    async () => (await events("PodDisruptionBudget", "agent-pdb", "CalculateExpectedPodCountFailed"))[0],
    WAIT,
  );
  assert.equal(ev.type, "Warning");
  assert.equal(
    ev.message,
    "Failed to calculate the number of expected pods: daemonsets.apps does not implement the scale subresource",
  );
});

test("disruptedPods: a fresh eviction hides its pod from currentHealthy; one older than two minutes is dropped", async () => {
  await createRS("db", 3);
  await createPDB("db-pdb", "db", { minAvailable: 2 });
  const pods = await waitForReadyPods("db", 3);
  await waitForStatus("db-pdb", { currentHealthy: 3, disruptionsAllowed: 1 });
  const [fresh, stale] = pods.map((p) => p.metadata!.name!);
  const now = Date.now();
  // As the eviction API records them, but without deleting the pods.
  await updateRetryingConflicts<PodDisruptionBudget>(
    c.client,
    PDB_RESOURCE,
    "db-pdb",
    (pdb) => {
      pdb.status = { ...pdb.status!, disruptedPods: { [fresh]: iso(now), [stale]: iso(now - 3 * 60_000) } };
      return pdb;
    },
    { namespace: "default", subresource: "status" },
  );
  const done = await waitForStatus("db-pdb", {
    disruptedPods: { [fresh]: iso(now) },
    currentHealthy: 2,
    disruptionsAllowed: 0,
  });
  assert.equal(done.status?.conditions?.[0].reason, "InsufficientPods");
  const ev = await c.waitFor(
    "the NotDeleted event",
    async () => (await events("Pod", stale, "NotDeleted"))[0],
    WAIT,
  );
  assert.equal(ev.type, "Warning");
  // upstream's message names the budget's namespace twice.
  assert.equal(ev.message, "Pod was expected by PDB default/default to be deleted but it wasn't");

  // Once the pod is being deleted its entry goes; the ReplicaSet replaces it and the budget recovers.
  await c.client.delete(Resources.pods, fresh, { namespace: "default" });
  await waitForReadyPods("db", 3);
  const recovered = await waitForStatus("db-pdb", { currentHealthy: 3, disruptionsAllowed: 1 });
  assert.equal(recovered.status?.disruptedPods, undefined);
});

test("a DisruptionTarget condition left on a pod that was not deleted within two minutes is set back to False", async () => {
  // Never scheduled (no node matches): the scheduler's Unschedulable condition may come in between, so retried on 409.
  await c.client.create<Pod>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "stale-1", namespace: "default", labels: { app: "stale" } },
    spec: { nodeSelector: { "no-such-label": "x" }, containers: [{ name: "c", image: IMAGE }] },
  });
  const long = iso(Date.now() - 3 * 60_000);
  await updateRetryingConflicts<Pod>(
    c.client,
    Resources.pods,
    "stale-1",
    (pod) => ({
      ...pod,
      status: {
        ...pod.status,
        conditions: [
          ...(pod.status?.conditions ?? []),
          {
            type: "DisruptionTarget",
            status: "True",
            reason: "EvictionByEvictionAPI",
            message: "Eviction API: evicting",
            lastTransitionTime: long,
          },
        ],
      },
    }),
    { namespace: "default", subresource: "status" },
  );
  const cond = await c.waitFor(
    "DisruptionTarget False",
    async () => {
      const p = await c.client.get<Pod>(Resources.pods, "stale-1", { namespace: "default" });
      const x = p.status?.conditions?.find((k) => k.type === "DisruptionTarget");
      return x?.status === "False" && x;
    },
    WAIT,
  );
  assert.equal(cond.reason, undefined);
  assert.equal(cond.message, undefined);
  assert.notEqual(cond.lastTransitionTime, long);
});
