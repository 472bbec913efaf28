// Probe semantics on a fake clock: initial delay, period, thresholds, startup
// gating, liveness restarts, one timer for all probes, and fake probes.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Container, Pod, PodStatus, Probe } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { ContainerEvent, ExecSyncResult } from "../runtime/interface.ts";
import { ProbeManager } from "./manager.ts";

const T0 = Date.UTC(2024, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

interface Harness {
  clock: FakeClock;
  mgr: ProbeManager;
  statuses: Map<string, PodStatus>;
  events: string[];
  restarts: string[];
  changes: string[];
  execCalls: string[][];
  /** Exit code (or error) of the next exec probes. */
  exec: { code: number; output?: string; error?: Error };
  emit(e: ContainerEvent): void;
  /** Steps the clock and lets the probes it started finish. */
  tick(ms: number): Promise<void>;
}

function harness(o: { fakeProbes?: boolean } = {}): Harness {
  const clock = new FakeClock(T0);
  const statuses = new Map<string, PodStatus>();
  const events: string[] = [];
  const restarts: string[] = [];
  const changes: string[] = [];
  const execCalls: string[][] = [];
  const exec = { code: 0 } as Harness["exec"];
  let listener: ((e: ContainerEvent) => void) | undefined;
  const mgr = new ProbeManager({
    clock,
    fakeProbes: o.fakeProbes,
    random: () => 0,
    runtime: {
      async execSync(_id: string, cmd: string[]): Promise<ExecSyncResult> {
        execCalls.push(cmd);
        if (exec.error) throw exec.error;
        return { exitCode: exec.code, stdout: Buffer.from(exec.output ?? ""), stderr: Buffer.alloc(0) };
      },
      onContainerEvent(l) {
        listener = l;
        return () => {
          listener = undefined;
        };
      },
    },
    statusProvider: { getPodStatus: (uid) => statuses.get(uid) },
    event: (_pod, type, reason, message) => events.push(`${type} ${reason} ${message}`),
    onLivenessFailure: (_pod, c, probe) => restarts.push(`${c.name}/${probe}`),
    onResultChange: (_pod, c, probe, ok) => changes.push(`${c.name}/${probe}=${ok}`),
  });
  return {
    clock,
    mgr,
    statuses,
    events,
    restarts,
    changes,
    execCalls,
    exec,
    emit: (e) => listener?.(e),
    async tick(ms) {
      // A second at a time, letting the probes started finish and reschedule, as real time would.
      for (let left = ms; ; left -= 1000) {
        clock.step(Math.min(left, 1000));
        for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
        if (left <= 1000) break;
      }
    },
  };
}

const execProbe = (p: Partial<Probe> = {}): Probe => ({
  exec: { command: ["cat", "/tmp/healthy"] },
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
  ...p,
});

function pod(c: Partial<Container>, uid = "u1"): Pod {
  return {
    metadata: { name: "p", namespace: "default", uid },
    spec: { containers: [{ name: "c", image: "busybox", ...c }], restartPolicy: "Always" },
  };
}

function running(h: Harness, id = "fake://c1", startedAt = T0, started?: boolean, uid = "u1"): void {
  h.statuses.set(uid, {
    phase: "Running",
    podIP: "10.0.0.1",
    containerStatuses: [
      {
        name: "c",
        containerID: id,
        state: { running: { startedAt: iso(startedAt) } },
        ready: false,
        restartCount: 0,
        image: "busybox",
        imageID: "",
        ...(started === undefined ? {} : { started }),
      },
    ],
  });
}

test("readiness is false until the first success, and honours initialDelaySeconds and periodSeconds", async () => {
  const h = harness();
  h.mgr.addPod(pod({ readinessProbe: execProbe({ initialDelaySeconds: 15 }) }));
  assert.equal(h.mgr.ready("u1", "c"), false);
  running(h);
  await h.tick(0); // first run: within the initial delay
  await h.tick(10_000); // 10 s: still within it
  assert.equal(h.execCalls.length, 0);
  assert.equal(h.mgr.ready("u1", "c"), false);
  await h.tick(10_000); // 20 s
  assert.equal(h.execCalls.length, 1);
  assert.deepEqual(h.execCalls[0], ["cat", "/tmp/healthy"]);
  assert.equal(h.mgr.ready("u1", "c"), true);
  assert.deepEqual(h.changes, ["c/readiness=true"]);
  await h.tick(10_000);
  assert.equal(h.execCalls.length, 2);
});

test("successThreshold and failureThreshold: the result changes only after that many runs in a row", async () => {
  const h = harness();
  h.mgr.addPod(pod({ readinessProbe: execProbe({ successThreshold: 2, failureThreshold: 3 }) }));
  running(h);
  await h.tick(0);
  assert.equal(h.mgr.ready("u1", "c"), false);
  await h.tick(10_000);
  assert.equal(h.mgr.ready("u1", "c"), true);
  h.exec.code = 1;
  h.exec.output = "cat: can't open '/tmp/healthy': No such file or directory\n";
  await h.tick(10_000);
  await h.tick(10_000);
  assert.equal(h.mgr.ready("u1", "c"), true);
  await h.tick(10_000);
  assert.equal(h.mgr.ready("u1", "c"), false);
  assert.deepEqual(h.changes, ["c/readiness=true", "c/readiness=false"]);
  assert.equal(h.events.length, 3);
  assert.equal(
    h.events[0],
    "Warning Unhealthy Readiness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n",
  );
  // A readiness failure restarts nothing.
  assert.deepEqual(h.restarts, []);
});

test("liveness: failureThreshold failures restart the container once; probing resumes with a new container", async () => {
  const h = harness();
  h.mgr.addPod(pod({ livenessProbe: execProbe({ failureThreshold: 2 }) }));
  running(h);
  h.exec.code = 1;
  await h.tick(0);
  assert.deepEqual(h.restarts, []);
  await h.tick(10_000);
  assert.deepEqual(h.restarts, ["c/liveness"]);
  assert.equal(h.mgr.liveness("c1"), "Failure");
  assert.equal(h.mgr.liveness("fake://c1"), "Failure");
  assert.deepEqual(h.events, [
    "Warning Unhealthy Liveness probe failed: ",
    "Warning Unhealthy Liveness probe failed: ",
  ]);
  // On hold: no more runs against the dying container.
  await h.tick(10_000);
  await h.tick(10_000);
  assert.equal(h.execCalls.length, 2);
  // The restarted container is alive again.
  h.exec.code = 0;
  running(h, "fake://c2", T0 + 40_000);
  await h.tick(10_000);
  assert.equal(h.mgr.liveness("c2"), "Success");
  assert.equal(h.mgr.liveness("c1"), undefined);
  assert.equal(h.execCalls.length, 3);
  assert.deepEqual(h.restarts, ["c/liveness"]);
});

test("the startup probe gates readiness and liveness; its failure restarts the container", async () => {
  const h = harness();
  h.mgr.addPod(
    pod({
      startupProbe: execProbe({ exec: { command: ["startup"] }, failureThreshold: 3 }),
      readinessProbe: execProbe({ exec: { command: ["ready"] } }),
      livenessProbe: execProbe({ exec: { command: ["alive"] } }),
    }),
  );
  running(h);
  h.exec.code = 1;
  await h.tick(0);
  assert.deepEqual(h.execCalls, [["startup"]]);
  assert.equal(h.mgr.started("u1", "c"), false);
  h.exec.code = 0;
  await h.tick(10_000);
  assert.equal(h.mgr.started("u1", "c"), true);
  assert.deepEqual(h.changes, ["c/startup=true"]);
  await h.tick(10_000);
  // Started: readiness and liveness run; startup no more.
  assert.deepEqual(
    h.execCalls
      .slice(2)
      .map((c) => c[0])
      .sort(),
    ["alive", "ready"],
  );
  assert.equal(h.mgr.ready("u1", "c"), true);

  const h2 = harness();
  h2.mgr.addPod(pod({ startupProbe: execProbe({ failureThreshold: 2 }), readinessProbe: execProbe() }));
  running(h2);
  h2.exec.code = 1;
  await h2.tick(0);
  assert.equal(h2.mgr.startup("c1"), "Unknown");
  await h2.tick(10_000);
  assert.deepEqual(h2.restarts, ["c/startup"]);
  assert.equal(h2.mgr.startup("c1"), "Failure");
  assert.deepEqual(h2.events.at(-1), "Warning Unhealthy Startup probe failed: ");
  assert.equal(h2.execCalls.length, 2);
});

test("exec probe errors: a timeout fails the probe, other errors are reported and thrown away", async () => {
  const h = harness();
  h.mgr.addPod(pod({ readinessProbe: execProbe({ failureThreshold: 1 }) }));
  running(h);
  await h.tick(0);
  assert.equal(h.mgr.ready("u1", "c"), true);
  h.exec.error = new Error("rpc error: code = Unknown desc = container is stopping");
  await h.tick(10_000);
  assert.equal(h.mgr.ready("u1", "c"), true);
  assert.equal(h.execCalls.length, 4); // one run and three retries of errors
  assert.equal(
    h.events.at(-1),
    "Warning Unhealthy Readiness probe errored and resulted in unknown state: rpc error: code = Unknown desc = container is stopping",
  );
  h.exec.error = Object.assign(new Error("deadline exceeded"), { code: 4 });
  await h.tick(10_000);
  assert.equal(h.mgr.ready("u1", "c"), false);
  assert.equal(
    h.events.at(-1),
    'Warning Unhealthy Readiness probe failed: command "cat /tmp/healthy" timed out',
  );
});

test("exec commands expand $(VAR) from the container's env", async () => {
  const h = harness();
  h.mgr.addPod(
    pod({
      env: [{ name: "FILE", value: "/tmp/ok" }],
      readinessProbe: execProbe({ exec: { command: ["cat", "$(FILE)", "$$(FILE)", "$(MISSING)"] } }),
    }),
  );
  running(h);
  await h.tick(0);
  assert.deepEqual(h.execCalls[0], ["cat", "/tmp/ok", "$(FILE)", "$(MISSING)"]);
});

test("all probes of all pods share one timer", async () => {
  const h = harness();
  for (let i = 0; i < 50; i++) {
    h.mgr.addPod(
      pod({ readinessProbe: execProbe(), livenessProbe: execProbe({ periodSeconds: 3 }) }, `u${i}`),
    );
    running(h, `fake://c${i}`, T0, undefined, `u${i}`);
  }
  assert.equal(h.mgr.workerCount, 100);
  assert.equal(h.clock.pending, 1);
  await h.tick(0);
  await h.tick(3000);
  assert.equal(h.clock.pending, 1);
  assert.equal(h.execCalls.length, 150);
  h.mgr.cleanupPods(new Set(["u0"]));
  assert.equal(h.mgr.workerCount, 2);
  h.mgr.stop();
  assert.equal(h.clock.pending, 0);
});

test("a manual trigger from the status generator runs a readiness probe that has not succeeded at once", async () => {
  const h = harness();
  h.mgr.addPod(pod({ readinessProbe: execProbe() }));
  await h.tick(0); // no container yet
  running(h);
  assert.equal(h.mgr.ready("u1", "c"), false); // triggers
  await h.tick(0);
  assert.equal(h.mgr.ready("u1", "c"), true);
});

test("fake probes succeed without running, honour the initial delay, and then park", async () => {
  const h = harness({ fakeProbes: true });
  h.mgr.addPod(
    pod({
      startupProbe: execProbe(),
      readinessProbe: execProbe({ initialDelaySeconds: 5 }),
      livenessProbe: execProbe(),
    }),
  );
  assert.equal(h.mgr.workerCount, 2); // a fake liveness probe needs no worker
  running(h);
  await h.tick(0);
  assert.equal(h.mgr.started("u1", "c"), true);
  assert.equal(h.mgr.ready("u1", "c"), false);
  await h.tick(10_000);
  assert.equal(h.mgr.ready("u1", "c"), true);
  assert.equal(h.execCalls.length, 0);
  assert.equal(h.mgr.scheduledCount, 0);
  assert.equal(h.clock.pending, 0);
  // The container stops: the parked workers look again.
  h.statuses.set("u1", {
    phase: "Running",
    containerStatuses: [
      {
        name: "c",
        containerID: "fake://c1",
        state: { terminated: { exitCode: 1 } },
        ready: false,
        restartCount: 0,
        image: "",
        imageID: "",
      },
    ],
  });
  h.emit({ containerId: "c1", podSandboxId: "s", type: "CONTAINER_STOPPED_EVENT", createdAt: 0 });
  await h.tick(0);
  assert.equal(h.mgr.ready("u1", "c"), false);
  assert.equal(h.mgr.started("u1", "c"), false);
});

test("workers stop when the pod is terminal, and on removePod", async () => {
  const h = harness();
  h.mgr.addPod(pod({ readinessProbe: execProbe() }));
  h.statuses.set("u1", { phase: "Succeeded" });
  await h.tick(0);
  assert.equal(h.mgr.workerCount, 0);
  h.mgr.addPod(pod({ readinessProbe: execProbe(), livenessProbe: execProbe() }));
  h.mgr.stopLivenessAndStartup(pod({}));
  assert.equal(h.mgr.workerCount, 1);
  h.mgr.removePod("u1");
  assert.equal(h.mgr.workerCount, 0);
  assert.equal(h.mgr.ready("u1", "c"), undefined);
});
