// Tests of the scheduling queue, after upstream's
// pkg/scheduler/backend/queue/scheduling_queue_test.go (v1.32, the path
// without QueueingHints: moveRequestCycle decides backoffQ vs unschedulable).
// Like upstream's tests, they look into which sub-queue holds a pod.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { ClusterEvent } from "../framework/interface.ts";
import { PodInfo } from "../framework/node-info.ts";
import type { QueuedPodInfo } from "../framework/runtime.ts";
import { PrioritySort } from "../plugins/priority-sort.ts";
import { SchedulingGates } from "../plugins/scheduling-gates.ts";
import { makePod } from "../testing.ts";
import type { Heap } from "./heap.ts";
import { Nominator } from "./nominator.ts";
import { type QueueEvent, SchedulingQueue } from "./scheduling-queue.ts";

/** Events as the in-tree plugins register them (abridged). */
const EVENTS: Record<string, ClusterEvent[]> = {
  NodeAffinity: [{ resource: "Node", actions: ["Add", "Update"] }],
  NodeResourcesFit: [
    { resource: "Node", actions: ["Add", "UpdateNodeAllocatable"] },
    { resource: "Pod", actions: ["Delete"] },
  ],
  TaintToleration: [{ resource: "Node", actions: ["Add", "UpdateNodeTaint"] }],
  InterPodAffinity: [{ resource: "Pod", actions: ["All"] }],
  NodeUnschedulable: [{ resource: "Node", actions: ["Add", "UpdateNodeTaint"] }],
  // A plugin that implements EnqueueExtensions but registers nothing.
  RegistersNothing: [],
};

const START = 1_700_000_000_000;

function newQueue(o: { initialBackoffMs?: number; maxBackoffMs?: number } = {}) {
  const clock = new FakeClock(START);
  const sort = new PrioritySort();
  const gates = new SchedulingGates();
  const q = new SchedulingQueue({
    clock,
    less: (a, b) => sort.less(a, b),
    preEnqueue: (pod) => gates.preEnqueue(pod)?.withPlugin(gates.name) ?? null,
    pluginEvents: (name) => EVENTS[name],
    ...o,
  });
  return { q, clock };
}

type Where = "activeQ" | "backoffQ" | "unschedulable" | "gated" | "none";

interface Internals {
  activeQ: Heap<QueuedPodInfo>;
  backoffQ: Heap<QueuedPodInfo>;
  unschedulable: Map<string, QueuedPodInfo>;
}

/** Which sub-queue holds the pod (upstream's tests read p.activeQ / p.podBackoffQ / p.unschedulablePods). */
function where(q: SchedulingQueue, pod: Pod): Where {
  const i = q as unknown as Internals;
  const k = pod.metadata!.uid!;
  if (i.activeQ.has(k)) return "activeQ";
  if (i.backoffQ.has(k)) return "backoffQ";
  const u = i.unschedulable.get(k);
  if (u) return u.gatingPlugin ? "gated" : "unschedulable";
  return "none";
}

/** Schedules pod once and has it rejected by plugins, as the scheduling loop does on a FitError. */
async function reject(q: SchedulingQueue, pod: Pod, ...plugins: string[]): Promise<QueuedPodInfo> {
  q.add(pod);
  const qp = await q.pop();
  assert.equal(qp?.pod, pod, "the pod under test must be the only one in activeQ");
  qp.unschedulablePlugins = new Set(plugins);
  q.addUnschedulableIfNotPresent(qp, q.cycle);
  return qp;
}

const nodeEvent = (action: QueueEvent["action"]): QueueEvent => ({
  resource: "Node",
  action,
  label: `Node${action}`,
});

describe("activeQ", () => {
  test("pops the highest priority first, then the pod that was queued first", async () => {
    const { q, clock } = newQueue();
    const low1 = makePod("low1", { priority: 0 });
    const low2 = makePod("low2", { priority: 0 });
    const mid = makePod("mid", { priority: 100 });
    const high = makePod("high", { priority: 1000 });
    q.add(low1);
    clock.step(1);
    q.add(mid);
    clock.step(1);
    q.add(low2);
    clock.step(1);
    q.add(high);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await q.pop())!.pod.metadata!.name!);
    assert.deepEqual(order, ["high", "mid", "low1", "low2"]);
  });

  test("pop counts attempts and cycles and keeps the first attempt's time", async () => {
    const { q, clock } = newQueue();
    const p = makePod("p");
    q.add(p);
    const first = (await q.pop())!;
    assert.equal(first.attempts, 1);
    assert.equal(first.initialAttemptTimestamp, START);
    assert.equal(q.cycle, 1);
    first.unschedulablePlugins = new Set(); // an error, not a rejection: straight to backoffQ
    q.addUnschedulableIfNotPresent(first, q.cycle);
    clock.step(1000);
    q.flushBackoffQCompleted();
    const second = (await q.pop())!;
    assert.equal(second.attempts, 2);
    assert.equal(second.initialAttemptTimestamp, START);
    assert.equal(q.cycle, 2);
  });

  test("adding a pod that is already queued updates it instead of queueing it twice", async () => {
    const { q } = newQueue();
    const p = makePod("p", { labels: { v: "1" } });
    q.add(p);
    const p2 = { ...p, metadata: { ...p.metadata, labels: { v: "2" } } };
    q.add(p2);
    assert.deepEqual(q.pending(), { active: 1, backoff: 0, unschedulable: 0, gated: 0 });
    assert.equal((await q.pop())!.pod.metadata!.labels!.v, "2");
  });
});

describe("pop", () => {
  test("waits until a pod is added", async () => {
    const { q } = newQueue();
    const popped: Array<QueuedPodInfo | undefined> = [];
    const pending = q.pop().then((qp) => popped.push(qp));
    await new Promise((r) => setImmediate(r));
    assert.equal(popped.length, 0, "nothing to pop yet");
    const p = makePod("p");
    q.add(p);
    await pending;
    assert.equal(popped[0]?.pod, p);
  });

  test("returns undefined once the queue is closed, also for a pop already waiting", async () => {
    const { q } = newQueue();
    const waiting = q.pop();
    q.close();
    assert.equal(await waiting, undefined);
    q.add(makePod("late"));
    assert.equal(await q.pop(), undefined);
  });

  test("returns undefined when its signal aborts", async () => {
    const { q } = newQueue();
    const ac = new AbortController();
    const waiting = q.pop(ac.signal);
    ac.abort();
    assert.equal(await waiting, undefined);
  });
});

describe("backoff", () => {
  // Upstream's TestBackOffFlow: 1s initial, doubling per attempt, capped at 10s.
  test("lasts 1s, 2s, 4s, 8s, 10s, 10s for attempts 1 to 6", async () => {
    const { q, clock } = newQueue({ initialBackoffMs: 1000, maxBackoffMs: 10_000 });
    const p = makePod("p");
    q.add(p);
    const want = [1000, 2000, 4000, 8000, 10_000, 10_000];
    for (const [i, ms] of want.entries()) {
      const qp = (await q.pop())!;
      assert.equal(qp.attempts, i + 1);
      qp.unschedulablePlugins = new Set();
      q.addUnschedulableIfNotPresent(qp, q.cycle);
      assert.equal(where(q, p), "backoffQ", `attempt ${i + 1}`);
      clock.step(ms - 1);
      q.flushBackoffQCompleted();
      assert.equal(where(q, p), "backoffQ", `attempt ${i + 1}: still backing off 1ms before ${ms}ms`);
      clock.step(1);
      q.flushBackoffQCompleted();
      assert.equal(where(q, p), "activeQ", `attempt ${i + 1}: backoff of ${ms}ms is over`);
    }
  });

  test("run() flushes backoffQ every second and close() stops the loops", async () => {
    const { q, clock } = newQueue();
    q.run();
    const p = makePod("p");
    q.add(p);
    const qp = (await q.pop())!;
    qp.unschedulablePlugins = new Set();
    q.addUnschedulableIfNotPresent(qp, q.cycle);
    clock.step(999);
    assert.equal(where(q, p), "backoffQ");
    clock.step(1);
    assert.equal(where(q, p), "activeQ");
    q.close();
    assert.equal(clock.pending, 0);
  });
});

describe("addUnschedulableIfNotPresent (moveRequestCycle)", () => {
  test("a rejected pod with no event during its attempt goes to unschedulable", async () => {
    const { q } = newQueue();
    const p = makePod("p");
    q.movePodsToActiveOrBackoffQueue(nodeEvent("Add")); // before the attempt: does not count
    await reject(q, p, "NodeResourcesFit");
    assert.equal(where(q, p), "unschedulable");
    assert.deepEqual(q.pending(), { active: 0, backoff: 0, unschedulable: 1, gated: 0 });
  });

  test("a move request during the attempt sends the pod to backoffQ", async () => {
    const { q } = newQueue();
    const p = makePod("p");
    q.add(p);
    const qp = (await q.pop())!;
    const cycle = q.cycle;
    q.movePodsToActiveOrBackoffQueue(nodeEvent("Add")); // while the pod is being scheduled
    qp.unschedulablePlugins = new Set(["NodeResourcesFit"]);
    q.addUnschedulableIfNotPresent(qp, cycle);
    assert.equal(where(q, p), "backoffQ");
  });

  test("a failure without rejecting plugins (an error) goes to backoffQ", async () => {
    const { q } = newQueue();
    const p = makePod("p");
    q.add(p);
    const qp = (await q.pop())!;
    q.addUnschedulableIfNotPresent(qp, q.cycle);
    assert.equal(where(q, p), "backoffQ");
  });

  test("refreshes the timestamp, so backoff runs from the failure", async () => {
    const { q, clock } = newQueue();
    const p = makePod("p");
    q.add(p);
    const qp = (await q.pop())!;
    clock.step(5000); // a long scheduling attempt
    q.addUnschedulableIfNotPresent(qp, q.cycle);
    assert.equal(qp.timestamp, START + 5000);
    clock.step(999);
    q.flushBackoffQCompleted();
    assert.equal(where(q, p), "backoffQ");
  });
});

describe("movePodsToActiveOrBackoffQueue", () => {
  async function rejectedPods() {
    const { q, clock } = newQueue();
    const byAffinity = makePod("by-node-affinity");
    const byFit = makePod("by-fit");
    const byTaint = makePod("by-taint");
    const byInterPod = makePod("by-inter-pod-affinity");
    await reject(q, byAffinity, "NodeAffinity");
    await reject(q, byFit, "NodeResourcesFit");
    await reject(q, byTaint, "TaintToleration");
    await reject(q, byInterPod, "InterPodAffinity");
    clock.step(1000); // every backoff over: moved pods land in activeQ
    return { q, clock, byAffinity, byFit, byTaint, byInterPod };
  }

  test("Node UpdateNodeLabel moves pods whose plugins registered Node Update (or UpdateNodeLabel)", async () => {
    const { q, byAffinity, byFit, byTaint, byInterPod } = await rejectedPods();
    q.movePodsToActiveOrBackoffQueue(nodeEvent("UpdateNodeLabel"));
    assert.equal(where(q, byAffinity), "activeQ", "NodeAffinity registered Node/Update");
    assert.equal(where(q, byFit), "unschedulable", "NodeResourcesFit registered only UpdateNodeAllocatable");
    assert.equal(where(q, byTaint), "unschedulable");
    assert.equal(where(q, byInterPod), "unschedulable", "InterPodAffinity registered no Node event here");
  });

  test("Node UpdateNodeTaint moves only TaintToleration's pods (and Update registrants)", async () => {
    const { q, byAffinity, byFit, byTaint } = await rejectedPods();
    q.movePodsToActiveOrBackoffQueue(nodeEvent("UpdateNodeTaint"));
    assert.equal(where(q, byTaint), "activeQ");
    assert.equal(where(q, byAffinity), "activeQ");
    assert.equal(where(q, byFit), "unschedulable");
  });

  test("a specific registration does not match a generic Update event", async () => {
    const { q, byAffinity, byFit, byTaint } = await rejectedPods();
    q.movePodsToActiveOrBackoffQueue(nodeEvent("Update"));
    assert.equal(where(q, byAffinity), "activeQ");
    assert.equal(where(q, byFit), "unschedulable");
    assert.equal(where(q, byTaint), "unschedulable");
  });

  test('an AssignedPod event matches plugins that registered "Pod"; "All" matches every action', async () => {
    const { q, byAffinity, byFit, byTaint, byInterPod } = await rejectedPods();
    q.movePodsToActiveOrBackoffQueue({ resource: "AssignedPod", action: "Add", label: "AssignedPodAdd" });
    assert.equal(where(q, byInterPod), "activeQ", "Pod/All matches AssignedPod/Add");
    assert.equal(where(q, byFit), "unschedulable", "Pod/Delete does not match AssignedPod/Add");
    q.movePodsToActiveOrBackoffQueue({
      resource: "AssignedPod",
      action: "Delete",
      label: "AssignedPodDelete",
    });
    assert.equal(where(q, byFit), "activeQ", "Pod/Delete matches AssignedPod/Delete");
    assert.equal(where(q, byAffinity), "unschedulable");
    assert.equal(where(q, byTaint), "unschedulable");
  });

  test("an event of a resource nobody registered moves nothing", async () => {
    const { q } = await rejectedPods();
    q.movePodsToActiveOrBackoffQueue({
      resource: "PersistentVolume",
      action: "Add",
      label: "PersistentVolumeAdd",
    });
    assert.deepEqual(q.pending(), { active: 0, backoff: 0, unschedulable: 4, gated: 0 });
  });

  test("a moved pod still backing off goes to backoffQ", async () => {
    const { q } = newQueue();
    const p = makePod("p");
    await reject(q, p, "NodeAffinity");
    q.movePodsToActiveOrBackoffQueue(nodeEvent("Add"));
    assert.equal(where(q, p), "backoffQ");
  });

  test("a pod whose rejection named no plugin moves on any event", async () => {
    const { q, clock } = newQueue();
    const p = makePod("p");
    const qp = await reject(q, p, "RegistersNothing");
    qp.unschedulablePlugins.clear(); // as a pod rejected without a plugin name
    clock.step(1000);
    q.movePodsToActiveOrBackoffQueue({ resource: "StorageClass", action: "Add", label: "StorageClassAdd" });
    assert.equal(where(q, p), "activeQ");
  });

  test("a plugin that registers no events never has its pods moved by an event", async () => {
    const { q, clock } = newQueue();
    const p = makePod("p");
    await reject(q, p, "RegistersNothing");
    clock.step(1000);
    q.movePodsToActiveOrBackoffQueue(nodeEvent("Add"));
    q.movePodsToActiveOrBackoffQueue({
      resource: "AssignedPod",
      action: "Delete",
      label: "AssignedPodDelete",
    });
    assert.equal(where(q, p), "unschedulable");
  });

  // Upstream (framework/runtime/framework.go fillEventToPluginMap): a plugin that
  // does not implement EnqueueExtensions is registered for every cluster event.
  test("a plugin without EnqueueExtensions (no registration at all) is interested in every event", async () => {
    const { q, clock } = newQueue();
    const p = makePod("p");
    await reject(q, p, "OutOfTreeWithoutEnqueueExtensions");
    clock.step(1000);
    q.movePodsToActiveOrBackoffQueue(nodeEvent("Add"));
    assert.equal(where(q, p), "activeQ");
  });

  test("the filter narrows the pods considered", async () => {
    const { q, byAffinity, byTaint } = await rejectedPods();
    q.movePodsToActiveOrBackoffQueue(nodeEvent("Add"), (qp) => qp.pod === byTaint);
    assert.equal(where(q, byTaint), "activeQ");
    assert.equal(where(q, byAffinity), "unschedulable");
  });
});

describe("flushUnschedulableLeftover", () => {
  test("retries a pod unschedulable for more than 5 minutes", async () => {
    const { q, clock } = newQueue();
    const p = makePod("p");
    await reject(q, p, "RegistersNothing");
    clock.step(5 * 60_000);
    q.flushUnschedulableLeftover();
    assert.equal(where(q, p), "unschedulable", "exactly 5 minutes is not more than 5 minutes");
    clock.step(1);
    q.flushUnschedulableLeftover();
    assert.equal(where(q, p), "activeQ");
  });

  test("run() flushes the leftovers every 30 seconds", async () => {
    const { q, clock } = newQueue();
    q.run();
    const p = makePod("p");
    await reject(q, p, "RegistersNothing");
    clock.step(5 * 60_000);
    assert.equal(where(q, p), "unschedulable");
    clock.step(30_000);
    assert.equal(where(q, p), "activeQ");
    q.close();
  });
});

describe("scheduling gates (PreEnqueue)", () => {
  const gated = (name: string) =>
    makePod(name, { spec: { schedulingGates: [{ name: "example.com/gate" }] } });

  test("a gated pod waits outside activeQ, counted as gated", async () => {
    const { q, clock } = newQueue();
    const p = gated("p");
    q.add(p);
    assert.equal(where(q, p), "gated");
    assert.deepEqual(q.pending(), { active: 0, backoff: 0, unschedulable: 0, gated: 1 });
    // Neither events nor the leftover flush release it.
    q.movePodsToActiveOrBackoffQueue({ resource: "Pod", action: "Update", label: "PodUpdate" });
    clock.step(10 * 60_000);
    q.flushUnschedulableLeftover();
    assert.equal(where(q, p), "gated");
  });

  test("removing the last gate through update() moves the pod to activeQ", async () => {
    const { q } = newQueue();
    const p = gated("p");
    q.add(p);
    const ungated: Pod = { ...p, spec: { ...p.spec!, schedulingGates: [] } };
    q.update(ungated);
    assert.equal(where(q, p), "activeQ");
    assert.equal((await q.pop())!.pod, ungated);
  });

  test("an update that keeps a gate keeps the pod gated", () => {
    const { q } = newQueue();
    const p = makePod("p", {
      spec: { schedulingGates: [{ name: "a" }, { name: "b" }] },
    });
    q.add(p);
    q.update({ ...p, spec: { ...p.spec!, schedulingGates: [{ name: "b" }] } });
    assert.equal(where(q, p), "gated");
  });
});

describe("update", () => {
  test("of a pod in activeQ or backoffQ replaces the object in place", async () => {
    const { q } = newQueue();
    const a = makePod("a");
    q.add(a);
    const a2 = { ...a, metadata: { ...a.metadata, labels: { x: "y" } } };
    q.update(a2);
    assert.equal(where(q, a), "activeQ");
    const qp = (await q.pop())!;
    assert.equal(qp.pod, a2);
    assert.equal(qp.podInfo.pod, a2);
    q.addUnschedulableIfNotPresent(qp, q.cycle);
    const a3 = { ...a2, metadata: { ...a2.metadata, labels: { x: "z" } } };
    q.update(a3);
    assert.equal(where(q, a), "backoffQ");
    assert.equal(q.pendingPods()[0].pod, a3);
  });

  test("of an unschedulable pod whose labels changed moves it to activeQ once its backoff is over", async () => {
    const { q, clock } = newQueue();
    const p = makePod("p", { labels: { app: "a" } });
    await reject(q, p, "RegistersNothing");
    clock.step(1000);
    q.update({ ...p, metadata: { ...p.metadata, labels: { app: "b" } } });
    assert.equal(where(q, p), "activeQ");
  });

  test("of an unschedulable pod whose spec changed while it backs off moves it to backoffQ", async () => {
    const { q } = newQueue();
    const p = makePod("p");
    await reject(q, p, "RegistersNothing");
    q.update({ ...p, spec: { ...p.spec!, tolerations: [{ key: "k", operator: "Exists" }] } });
    assert.equal(where(q, p), "backoffQ");
  });

  test("of an unschedulable pod whose status alone changed leaves it unschedulable", async () => {
    const { q, clock } = newQueue();
    const p = makePod("p");
    await reject(q, p, "RegistersNothing");
    clock.step(1000);
    const p2: Pod = {
      ...p,
      metadata: { ...p.metadata, resourceVersion: "42" },
      status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False" }] },
    };
    q.update(p2);
    assert.equal(where(q, p), "unschedulable");
    assert.equal(q.pendingPods()[0].pod, p2, "the stored object is still refreshed");
  });

  test("of a pod in no queue adds it to activeQ", () => {
    const { q } = newQueue();
    const p = makePod("p");
    q.update(p);
    assert.equal(where(q, p), "activeQ");
  });
});

describe("delete", () => {
  test("removes the pod from whichever queue holds it, and its nomination", async () => {
    const { q } = newQueue();
    const active = makePod("active");
    const unsched = makePod("unsched");
    const backoff = makePod("backoff");
    await reject(q, unsched, "NodeAffinity");
    q.add(backoff);
    const qp = (await q.pop())!;
    q.addUnschedulableIfNotPresent(qp, q.cycle);
    const nominated: Pod = { ...active, status: { nominatedNodeName: "node-1" } };
    q.add(nominated);
    assert.equal(q.nominator.podsForNode("node-1").length, 1);
    assert.deepEqual(q.pending(), { active: 1, backoff: 1, unschedulable: 1, gated: 0 });
    q.delete(nominated);
    q.delete(unsched);
    q.delete(backoff);
    assert.deepEqual(q.pending(), { active: 0, backoff: 0, unschedulable: 0, gated: 0 });
    assert.deepEqual(q.nominator.podsForNode("node-1"), []);
    assert.deepEqual(q.pendingPods(), []);
  });
});

describe("pending", () => {
  test("counts each sub-queue", async () => {
    const { q } = newQueue();
    await reject(q, makePod("u1"), "NodeAffinity");
    await reject(q, makePod("u2"), "TaintToleration");
    q.add(makePod("b"));
    q.addUnschedulableIfNotPresent((await q.pop())!, q.cycle);
    q.add(makePod("g", { spec: { schedulingGates: [{ name: "gate" }] } }));
    q.add(makePod("a1"));
    q.add(makePod("a2"));
    q.add(makePod("a3"));
    assert.deepEqual(q.pending(), { active: 3, backoff: 1, unschedulable: 2, gated: 1 });
    assert.equal(q.pendingPods().length, 7);
  });
});

describe("Nominator", () => {
  const withNomination = (name: string, node: string) => {
    const p = makePod(name);
    return { ...p, status: { ...p.status, nominatedNodeName: node } } as Pod;
  };

  test("addFromPod records status.nominatedNodeName; podsForNode lists them in order", () => {
    const n = new Nominator();
    const a = withNomination("a", "node-1");
    const b = withNomination("b", "node-1");
    const c = withNomination("c", "node-2");
    for (const p of [a, b, c]) n.addFromPod(new PodInfo(p));
    assert.deepEqual(
      n.podsForNode("node-1").map((pi) => pi.pod),
      [a, b],
    );
    assert.deepEqual(
      n.podsForNode("node-2").map((pi) => pi.pod),
      [c],
    );
    assert.deepEqual(n.podsForNode("node-3"), []);
  });

  test("a new nomination replaces the old one; an explicit node overrides the status", () => {
    const n = new Nominator();
    const a = withNomination("a", "node-1");
    n.addFromPod(new PodInfo(a));
    n.addFromPod(new PodInfo(a), "node-2");
    assert.deepEqual(n.podsForNode("node-1"), []);
    assert.deepEqual(
      n.podsForNode("node-2").map((pi) => pi.pod),
      [a],
    );
    // Adding the same pod again does not list it twice.
    n.addFromPod(new PodInfo(a), "node-2");
    assert.equal(n.podsForNode("node-2").length, 1);
  });

  test("a pod without a nomination, or already bound, is not nominated", () => {
    const n = new Nominator();
    const a = withNomination("a", "node-1");
    n.addFromPod(new PodInfo(a));
    // The nomination is cleared (status.nominatedNodeName emptied).
    n.addFromPod(new PodInfo({ ...a, status: { phase: "Pending" } }));
    assert.deepEqual(n.podsForNode("node-1"), []);
    const bound: Pod = { ...withNomination("b", "node-1"), spec: { ...a.spec!, nodeName: "node-1" } };
    n.addFromPod(new PodInfo(bound));
    assert.deepEqual(n.podsForNode("node-1"), []);
  });

  test("delete removes the nomination; deleting an unknown pod is a no-op", () => {
    const n = new Nominator();
    const a = withNomination("a", "node-1");
    const b = withNomination("b", "node-1");
    n.addFromPod(new PodInfo(a));
    n.addFromPod(new PodInfo(b));
    n.delete(a);
    n.delete(makePod("unknown"));
    assert.deepEqual(
      n.podsForNode("node-1").map((pi) => pi.pod),
      [b],
    );
  });

  test("the queue nominates on add and update, and drops the nomination on update without one", async () => {
    const { q } = newQueue();
    const a = withNomination("a", "node-1");
    q.add(a);
    assert.equal(q.nominator.podsForNode("node-1")[0].pod, a);
    const moved = { ...a, status: { nominatedNodeName: "node-2" } } as Pod;
    q.update(moved);
    assert.deepEqual(q.nominator.podsForNode("node-1"), []);
    assert.equal(q.nominator.podsForNode("node-2")[0].pod, moved);
    q.update({ ...a, status: {} });
    assert.deepEqual(q.nominator.podsForNode("node-2"), []);
  });
});
