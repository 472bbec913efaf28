// Pod worker semantics after upstream's pod_workers_test.go: updates coalesce
// (the latest wins), one step at a time per pod, a kill supersedes a sync and
// cancels it, the grace period only shrinks, terminated pods stay terminated,
// and all retries and resyncs share one timer.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { KillPodOptions, RuntimePodStatus, SyncPodType } from "../types.ts";
import { CONFIG_SOURCE_ANNOTATION } from "./helpers.ts";
import { type PodSyncer, PodWorkers, type SyncPodOutcome } from "./pod-workers.ts";
import type { RunningPod } from "./running-pod.ts";

interface Call {
  fn: "syncPod" | "syncTerminatingPod" | "syncTerminatingRuntimePod" | "syncTerminatedPod";
  uid: string;
  type?: SyncPodType;
  resourceVersion?: string;
  grace?: number;
  statusOverride?: KillPodOptions["status"];
  signal?: AbortSignal;
}

class Gate {
  private release?: () => void;
  wait(): Promise<void> {
    return new Promise((r) => {
      this.release = r;
    });
  }
  open(): void {
    this.release?.();
  }
}

class TestSyncer implements PodSyncer {
  calls: Call[] = [];
  active = 0;
  maxActive = new Map<string, number>();
  private activeByUid = new Map<string, number>();
  /** When set, the next step for that uid waits on the gate. */
  gates = new Map<string, Gate>();
  syncOutcome?: SyncPodOutcome;
  syncError?: Error;

  private async step(call: Call): Promise<void> {
    this.calls.push(call);
    const n = (this.activeByUid.get(call.uid) ?? 0) + 1;
    this.activeByUid.set(call.uid, n);
    this.maxActive.set(call.uid, Math.max(this.maxActive.get(call.uid) ?? 0, n));
    const gate = this.gates.get(call.uid);
    if (gate) {
      this.gates.delete(call.uid);
      await gate.wait();
    }
    this.activeByUid.set(call.uid, (this.activeByUid.get(call.uid) ?? 1) - 1);
    // As the kubelet's steps do: a cancelled step ends with an error.
    if (call.signal?.aborted) throw new Error("context canceled");
  }

  async syncPod(
    type: SyncPodType,
    pod: Pod,
    _mirror: Pod | undefined,
    _s: RuntimePodStatus,
    signal: AbortSignal,
  ) {
    await this.step({
      fn: "syncPod",
      uid: pod.metadata!.uid!,
      type,
      resourceVersion: pod.metadata?.resourceVersion,
      signal,
    });
    if (this.syncError) throw this.syncError;
    return this.syncOutcome;
  }
  async syncTerminatingPod(
    pod: Pod,
    _s: RuntimePodStatus,
    grace: number | undefined,
    statusOverride: KillPodOptions["status"],
    signal: AbortSignal,
  ) {
    await this.step({ fn: "syncTerminatingPod", uid: pod.metadata!.uid!, grace, statusOverride, signal });
  }
  async syncTerminatingRuntimePod(p: RunningPod) {
    await this.step({ fn: "syncTerminatingRuntimePod", uid: p.uid });
  }
  async syncTerminatedPod(pod: Pod) {
    await this.step({ fn: "syncTerminatedPod", uid: pod.metadata!.uid! });
  }
}

function setup(opts: { resyncIntervalMs?: number } = {}) {
  const clock = new FakeClock(1_000_000);
  const syncer = new TestSyncer();
  const statusReads: string[] = [];
  const workers = new PodWorkers({
    clock,
    syncer,
    getPodStatus: async (uid, name, namespace) => {
      statusReads.push(uid);
      return { uid, name, namespace, sandboxes: [], containers: [], ips: [] };
    },
    random: () => 0,
    resyncIntervalMs: opts.resyncIntervalMs ?? 60_000,
  });
  return { clock, syncer, workers, statusReads };
}

function pod(
  uid: string,
  extra: { rv?: string; meta?: Pod["metadata"]; spec?: Partial<Pod["spec"]>; phase?: string } = {},
): Pod {
  return {
    metadata: { uid, name: `pod-${uid}`, namespace: "default", resourceVersion: extra.rv, ...extra.meta },
    spec: { containers: [{ name: "c", image: "busybox" }], terminationGracePeriodSeconds: 30, ...extra.spec },
    status: extra.phase ? { phase: extra.phase } : {},
  };
}

const steps = (s: TestSyncer, uid?: string) =>
  s.calls.filter((c) => !uid || c.uid === uid).map((c) => (c.fn === "syncPod" ? `${c.fn}:${c.type}` : c.fn));

test("a new pod is synced once with type create, reading the runtime status first", async () => {
  const { syncer, workers, statusReads } = setup();
  workers.updatePod({ type: "create", pod: pod("a") });
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer), ["syncPod:create"]);
  assert.deepEqual(statusReads, ["a"]);
  assert.deepEqual(
    workers.knownPods().map((k) => [k.uid, k.state, k.finished]),
    [["a", "sync", false]],
  );
});

test("updates that arrive during a sync coalesce: only the latest runs next, one step at a time", async () => {
  const { syncer, workers } = setup();
  const gate = new Gate();
  syncer.gates.set("a", gate);
  workers.updatePod({ type: "create", pod: pod("a", { rv: "1" }) });
  await Promise.resolve();
  workers.updatePod({ type: "update", pod: pod("a", { rv: "2" }) });
  workers.updatePod({ type: "update", pod: pod("a", { rv: "3" }) });
  workers.updatePod({ type: "update", pod: pod("a", { rv: "4" }) });
  await new Promise((r) => setImmediate(r));
  assert.equal(syncer.calls.length, 1, "no second step while the first runs");
  gate.open();
  await workers.waitForIdle();
  assert.deepEqual(
    syncer.calls.map((c) => `${c.type}@${c.resourceVersion}`),
    ["create@1", "update@4"],
  );
  assert.equal(syncer.maxActive.get("a"), 1);
});

test("pods are worked on independently", async () => {
  const { syncer, workers } = setup();
  const gate = new Gate();
  syncer.gates.set("slow", gate);
  workers.updatePod({ type: "create", pod: pod("slow") });
  workers.updatePod({ type: "create", pod: pod("fast") });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(steps(syncer, "fast"), ["syncPod:create"], "a slow pod does not hold back another");
  gate.open();
  await workers.waitForIdle();
});

test("a kill supersedes: the running sync is cancelled, later updates cannot revive the pod", async () => {
  const { syncer, workers } = setup();
  const gate = new Gate();
  syncer.gates.set("a", gate);
  let killed = false;
  workers.updatePod({ type: "create", pod: pod("a") });
  await Promise.resolve();
  const first = syncer.calls[0];
  workers.updatePod({
    type: "kill",
    pod: pod("a"),
    killOptions: { gracePeriodSeconds: 5 },
    onKilled: () => (killed = true),
  });
  assert.equal(first.signal?.aborted, true, "the in-flight sync is told to stop");
  assert.equal(workers.isPodTerminationRequested("a"), true);
  // A plain update after the kill is still a kill.
  workers.updatePod({ type: "update", pod: pod("a", { rv: "9" }) });
  gate.open();
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer), ["syncPod:create", "syncTerminatingPod", "syncTerminatedPod"]);
  assert.equal(syncer.calls[1].grace, 5);
  assert.equal(killed, true);
  assert.equal(workers.isPodTerminated("a"), true);

  // Terminated pods stay terminated.
  workers.updatePod({ type: "update", pod: pod("a") });
  workers.updatePod({ type: "sync", pod: pod("a") });
  await workers.waitForIdle();
  assert.equal(syncer.calls.length, 3);
  assert.deepEqual(
    workers.knownPods().map((k) => [k.state, k.finished]),
    [["terminated", true]],
  );
});

test("a deleted pod terminates with deletionGracePeriodSeconds; the grace period only shrinks", async () => {
  const { syncer, workers } = setup();
  workers.updatePod({ type: "create", pod: pod("a") });
  await workers.waitForIdle();
  const gate = new Gate();
  syncer.gates.set("a", gate);
  const deleting = (grace: number) =>
    pod("a", { meta: { deletionTimestamp: "2024-01-01T00:00:00Z", deletionGracePeriodSeconds: grace } });
  workers.updatePod({ type: "update", pod: deleting(30) });
  await Promise.resolve();
  await Promise.resolve();
  await new Promise((r) => setImmediate(r));
  const terminating = syncer.calls[1];
  assert.equal(terminating.fn, "syncTerminatingPod");
  assert.equal(terminating.grace, 30);
  workers.updatePod({ type: "update", pod: deleting(60) });
  assert.equal(terminating.signal?.aborted, false, "a longer grace period changes nothing");
  workers.updatePod({ type: "update", pod: deleting(10) });
  assert.equal(terminating.signal?.aborted, true, "a shorter grace period cancels the kill in flight");
  gate.open();
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer), [
    "syncPod:create",
    "syncTerminatingPod",
    "syncTerminatingPod",
    "syncTerminatedPod",
  ]);
  assert.equal(syncer.calls[2].grace, 10);
  assert.equal(workers.shouldPodContentBeRemoved("a"), true, "deleted and terminated");
});

test("a kill's status override reaches syncTerminatingPod (admission rejection, eviction)", async () => {
  const { syncer, workers } = setup();
  const status = {
    phase: "Failed" as const,
    reason: "OutOfcpu",
    message: "Node didn't have enough resource: cpu",
  };
  workers.updatePod({ type: "kill", pod: pod("a"), killOptions: { status } });
  await workers.waitForIdle();
  // A pod killed before it ever started goes straight to terminating.
  assert.deepEqual(steps(syncer), ["syncTerminatingPod", "syncTerminatedPod"]);
  assert.deepEqual(syncer.calls[0].statusOverride, status);
  assert.equal(syncer.calls[0].grace, 30, "the pod's terminationGracePeriodSeconds");
});

test("syncPod reporting a terminal pod moves it on to terminating and terminated", async () => {
  const { syncer, workers } = setup();
  syncer.syncOutcome = { isTerminal: true };
  workers.updatePod({ type: "create", pod: pod("a", { spec: { restartPolicy: "Never" } }) });
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer), ["syncPod:create", "syncTerminatingPod", "syncTerminatedPod"]);
  assert.equal(syncer.calls[1].grace, undefined, "the pod's own grace period applies");
  assert.equal(workers.isPodTerminated("a"), true);
  assert.equal(workers.shouldPodContentBeRemoved("a"), false, "terminal but not deleted");
});

test("a pod already Succeeded or Failed is only torn down", async () => {
  const { syncer, workers } = setup();
  workers.updatePod({ type: "create", pod: pod("a", { phase: "Succeeded" }) });
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer), ["syncTerminatingPod", "syncTerminatedPod"]);
});

test("periodic resync and error backoff come from one shared timer", async () => {
  const { clock, syncer, workers } = setup({ resyncIntervalMs: 10_000 });
  for (const uid of ["a", "b", "c"]) workers.updatePod({ type: "create", pod: pod(uid) });
  await workers.waitForIdle();
  assert.equal(clock.pending, 1, "one timer for every pod");
  assert.equal(workers.nextSyncAt("a"), clock.now() + 10_000);

  clock.step(10_000);
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer, "a"), ["syncPod:create", "syncPod:sync"]);
  assert.equal(syncer.calls.filter((c) => c.type === "sync").length, 3);
  assert.equal(clock.pending, 1);

  // A failed step is retried after the backoff period (10 s), not the resync interval.
  syncer.syncError = new Error("boom");
  workers.updatePod({ type: "update", pod: pod("a") });
  await workers.waitForIdle();
  syncer.syncError = undefined;
  assert.equal(workers.nextSyncAt("a"), clock.now() + 10_000);
});

test("a sync can ask to come back sooner (a CrashLoopBackOff ending)", async () => {
  const { clock, syncer, workers } = setup();
  syncer.syncOutcome = { requeueAfterMs: 10_000 };
  workers.updatePod({ type: "create", pod: pod("a") });
  await workers.waitForIdle();
  assert.equal(workers.nextSyncAt("a"), clock.now() + 10_000);
  syncer.syncOutcome = undefined;
  clock.step(10_000);
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer), ["syncPod:create", "syncPod:sync"]);
  assert.equal(workers.nextSyncAt("a"), clock.now() + 60_000);
});

test("an orphan the runtime still runs is killed, then forgotten", async () => {
  const { syncer, workers } = setup();
  const orphan: RunningPod = { uid: "o", name: "old", namespace: "default", containers: [], sandboxes: [] };
  workers.updatePod({ type: "sync", runningPod: orphan });
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer), [], "runtime pods can only be killed");
  workers.updatePod({ type: "kill", runningPod: orphan });
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer), ["syncTerminatingRuntimePod"]);
  assert.deepEqual(workers.knownPods(), []);
});

test("syncKnownPods forgets finished workers of pods no longer desired; a uid created again restarts", async () => {
  const { syncer, workers } = setup();
  workers.updatePod({ type: "create", pod: pod("a") });
  workers.updatePod({ type: "create", pod: pod("b") });
  await workers.waitForIdle();
  const gate = new Gate();
  syncer.gates.set("a", gate);
  workers.updatePod({ type: "kill", pod: pod("a") });
  await Promise.resolve();
  // The same uid created again while it is torn down (a static pod with a fixed uid).
  workers.updatePod({ type: "create", pod: pod("a") });
  gate.open();
  await workers.waitForIdle();
  assert.equal(workers.isPodTerminated("a"), true);
  const known = workers.syncKnownPods(["a", "b"]);
  assert.deepEqual([...known.keys()], ["b"], "the restarted uid's history is removed");
  workers.updatePod({ type: "create", pod: pod("a") });
  await workers.waitForIdle();
  assert.equal(steps(syncer, "a").at(-1), "syncPod:create", "it runs again");

  // Unknown pods after a sync of the known set: nothing can be running.
  assert.equal(workers.couldHaveRunningContainers("zzz"), false);
  assert.equal(workers.shouldPodRuntimeBeRemoved("zzz"), true);
});

test("static pods with the same full name run one at a time, in arrival order", async () => {
  const { clock, syncer, workers } = setup();
  const staticPod = (uid: string) =>
    pod(uid, { meta: { name: "etcd-node-1", annotations: { [CONFIG_SOURCE_ANNOTATION]: "file" } } });
  workers.updatePod({ type: "create", pod: staticPod("v1") });
  await workers.waitForIdle();
  const gate = new Gate();
  syncer.gates.set("v1", gate);
  workers.updatePod({ type: "kill", pod: staticPod("v1") });
  workers.updatePod({ type: "create", pod: staticPod("v2") });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(steps(syncer, "v2"), [], "waits while the old one terminates");
  gate.open();
  await workers.waitForIdle();
  assert.equal(workers.isPodTerminated("v1"), true);
  // The waiting pod is retried after the backoff period.
  clock.step(10_000);
  await workers.waitForIdle();
  assert.deepEqual(steps(syncer, "v2"), ["syncPod:sync"]);
});

test("stop cancels the timer and waits for the workers", async () => {
  const { clock, syncer, workers } = setup();
  workers.updatePod({ type: "create", pod: pod("a") });
  await workers.stop();
  assert.equal(clock.pending, 0);
  workers.updatePod({ type: "update", pod: pod("a") });
  await workers.waitForIdle();
  assert.equal(syncer.calls.length, 1);
});
