import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod, PodStatus } from "kubernetes-types/core/v1.d.ts";
import type { ContainerStatus as CRIContainerStatus, PodSandboxStatus } from "../runtime/interface.ts";
import type { ProbeResults, RuntimePodStatus } from "../types.ts";
import { generateAPIPodStatus, sortPodIPs } from "./generate.ts";

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);
const NOW = T0 + 60_000;
const ns = (ms: number) => ms * 1e6;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

const noProbes: ProbeResults = { ready: () => undefined, started: () => undefined };

function pod(spec: Partial<NonNullable<Pod["spec"]>> = {}, status?: PodStatus): Pod {
  return {
    metadata: { name: "p", namespace: "default", uid: "uid-1" },
    spec: { containers: [{ name: "c", image: "busybox" }], restartPolicy: "Always", nodeName: "n1", ...spec },
    status: status ?? {
      phase: "Pending",
      conditions: [
        {
          type: "PodScheduled",
          status: "True",
          lastProbeTime: null as unknown as string,
          lastTransitionTime: iso(T0),
        },
      ],
      qosClass: "BestEffort",
    },
  };
}

function sandbox(ip = "10.244.1.5", state: PodSandboxStatus["state"] = "SANDBOX_READY"): PodSandboxStatus {
  return {
    id: "sb1",
    metadata: { name: "p", uid: "uid-1", namespace: "default", attempt: 0 },
    state,
    createdAt: ns(T0),
    labels: {},
    annotations: {},
    network: { ip, additionalIps: [] },
  };
}

function container(
  name: string,
  id: string,
  state: CRIContainerStatus["state"],
  extra: Partial<CRIContainerStatus> = {},
): CRIContainerStatus {
  return {
    id,
    metadata: { name, attempt: 0 },
    state,
    createdAt: ns(T0 + 1000),
    startedAt: ns(T0 + 2000),
    finishedAt: 0,
    exitCode: 0,
    image: { image: "busybox" },
    imageRef: "sha256:abc",
    reason: "",
    message: "",
    labels: { "io.kubernetes.container.name": name },
    annotations: {},
    logPath: "",
    ...extra,
  };
}

function runtime(
  containers: CRIContainerStatus[] = [],
  sandboxes: PodSandboxStatus[] = [sandbox()],
): RuntimePodStatus {
  return {
    uid: "uid-1",
    name: "p",
    namespace: "default",
    sandboxes,
    containers,
    ips: sandboxes.length > 0 && sandboxes[0].network?.ip ? [sandboxes[0].network.ip] : [],
  };
}

const opts = { probes: noProbes, nodeIPs: ["192.168.0.10"], now: NOW, runtimeName: "fake" };

function cond(s: PodStatus, type: string) {
  return s.conditions?.find((c) => c.type === type);
}

test("a pod whose sandbox is not created yet is Pending with ContainerCreating", () => {
  const s = generateAPIPodStatus(pod(), runtime([], []), opts);
  assert.equal(s.phase, "Pending");
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ["PodReadyToStartContainers", "False", undefined, undefined],
      ["Initialized", "True", undefined, undefined],
      ["Ready", "False", "ContainersNotReady", "containers with unready status: [c]"],
      ["ContainersReady", "False", "ContainersNotReady", "containers with unready status: [c]"],
      ["PodScheduled", "True", undefined, undefined],
    ],
  );
  // The scheduler's PodScheduled keeps its time; new conditions start now.
  assert.equal(cond(s, "PodScheduled")?.lastTransitionTime, iso(T0));
  assert.equal(cond(s, "Ready")?.lastTransitionTime, iso(NOW));
  assert.equal(cond(s, "Ready")?.lastProbeTime, null);
  assert.deepEqual(s.containerStatuses, [
    {
      name: "c",
      state: { waiting: { reason: "ContainerCreating" } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: "busybox",
      imageID: "",
      started: false,
    },
  ]);
  assert.equal(s.hostIP, "192.168.0.10");
  assert.deepEqual(s.hostIPs, [{ ip: "192.168.0.10" }]);
  assert.equal(s.podIP, undefined);
  assert.equal(s.startTime, iso(NOW));
  assert.equal(s.qosClass, "BestEffort");
});

test("a running container without probes is started and ready; the pod is Running with its IP", () => {
  const c = container("c", "c1", "CONTAINER_RUNNING", {
    annotations: { "io.kubernetes.container.restartCount": "2" },
  });
  const s = generateAPIPodStatus(pod(), runtime([c]), opts);
  assert.equal(s.phase, "Running");
  assert.equal(s.podIP, "10.244.1.5");
  assert.deepEqual(s.podIPs, [{ ip: "10.244.1.5" }]);
  for (const t of ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]) {
    assert.equal(cond(s, t)?.status, "True", t);
    assert.equal(cond(s, t)?.reason, undefined, t);
  }
  assert.deepEqual(s.containerStatuses, [
    {
      name: "c",
      state: { running: { startedAt: iso(T0 + 2000) } },
      lastState: {},
      ready: true,
      restartCount: 2,
      image: "busybox",
      imageID: "sha256:abc",
      containerID: "fake://c1",
      started: true,
    },
  ]);
});

test("readiness and startup probes gate ready and started", () => {
  const c = container("c", "c1", "CONTAINER_RUNNING");
  const notReady: ProbeResults = { ready: () => false, started: () => undefined };
  let s = generateAPIPodStatus(pod(), runtime([c]), { ...opts, probes: notReady });
  assert.equal(s.containerStatuses?.[0].ready, false);
  assert.equal(s.containerStatuses?.[0].started, true);
  assert.equal(cond(s, "Ready")?.message, "containers with unready status: [c]");
  assert.equal(s.phase, "Running");

  const notStarted: ProbeResults = { ready: () => true, started: () => false };
  s = generateAPIPodStatus(pod(), runtime([c]), { ...opts, probes: notStarted });
  assert.equal(s.containerStatuses?.[0].started, false);
  assert.equal(s.containerStatuses?.[0].ready, false);
});

test("a running init container: Initialized is false and containers wait in PodInitializing", () => {
  const p = pod({ initContainers: [{ name: "init", image: "busybox" }] });
  const s = generateAPIPodStatus(p, runtime([container("init", "i1", "CONTAINER_RUNNING")]), opts);
  assert.equal(s.phase, "Pending");
  assert.deepEqual(
    [cond(s, "Initialized")?.status, cond(s, "Initialized")?.reason, cond(s, "Initialized")?.message],
    ["False", "ContainersNotInitialized", "containers with incomplete status: [init]"],
  );
  assert.deepEqual(s.containerStatuses?.[0].state, { waiting: { reason: "PodInitializing" } });
  assert.equal(s.initContainerStatuses?.[0].state?.running?.startedAt, iso(T0 + 2000));
  assert.equal(s.initContainerStatuses?.[0].ready, false);
});

test("an init container that exited 0 is ready and the pod initialized", () => {
  const p = pod({ initContainers: [{ name: "init", image: "busybox" }] });
  const init = container("init", "i1", "CONTAINER_EXITED", { finishedAt: ns(T0 + 3000), exitCode: 0 });
  const c = container("c", "c1", "CONTAINER_RUNNING", { createdAt: ns(T0 + 4000), startedAt: ns(T0 + 5000) });
  const s = generateAPIPodStatus(p, runtime([init, c]), opts);
  assert.equal(s.phase, "Running");
  assert.equal(cond(s, "Initialized")?.status, "True");
  assert.deepEqual(s.initContainerStatuses?.[0], {
    name: "init",
    state: {
      terminated: {
        exitCode: 0,
        reason: "Completed",
        startedAt: iso(T0 + 2000),
        finishedAt: iso(T0 + 3000),
        containerID: "fake://i1",
      },
    },
    lastState: {},
    ready: true,
    restartCount: 0,
    image: "busybox",
    imageID: "sha256:abc",
    containerID: "fake://i1",
    started: false,
  });
});

test("a crashed container waiting for back-off: CrashLoopBackOff with the last state", () => {
  const dead = container("c", "c2", "CONTAINER_EXITED", {
    metadata: { name: "c", attempt: 1 },
    exitCode: 1,
    finishedAt: ns(T0 + 9000),
    annotations: { "io.kubernetes.container.restartCount": "1" },
  });
  const message = "back-off 10s restarting failed container=c pod=p_default(uid-1)";
  const reasons = new Map([["c", { reason: "CrashLoopBackOff", message }]]);
  const s = generateAPIPodStatus(pod(), runtime([dead]), { ...opts, reasons });
  assert.equal(s.phase, "Running");
  const cs = s.containerStatuses?.[0];
  assert.deepEqual(cs?.state, { waiting: { reason: "CrashLoopBackOff", message } });
  assert.deepEqual(cs?.lastState, {
    terminated: {
      exitCode: 1,
      reason: "Error",
      startedAt: iso(T0 + 2000),
      finishedAt: iso(T0 + 9000),
      containerID: "fake://c2",
    },
  });
  assert.equal(cs?.restartCount, 1);
  assert.equal(cs?.ready, false);
});

test("a restarted container reports the previous attempt as lastState", () => {
  const old = container("c", "c1", "CONTAINER_EXITED", {
    exitCode: 137,
    reason: "OOMKilled",
    finishedAt: ns(T0 + 3000),
  });
  const cur = container("c", "c2", "CONTAINER_RUNNING", {
    metadata: { name: "c", attempt: 1 },
    createdAt: ns(T0 + 4000),
    startedAt: ns(T0 + 5000),
  });
  const s = generateAPIPodStatus(pod(), runtime([cur, old]), { ...opts, runtimeName: "containerd" });
  const cs = s.containerStatuses?.[0];
  assert.equal(cs?.containerID, "containerd://c2");
  assert.equal(cs?.restartCount, 1);
  assert.equal(cs?.state?.running?.startedAt, iso(T0 + 5000));
  assert.equal(cs?.lastState?.terminated?.reason, "OOMKilled");
  assert.equal(cs?.lastState?.terminated?.exitCode, 137);
});

test("a container the kubelet could not pull waits with ErrImagePull", () => {
  const reasons = new Map([["c", { reason: "ErrImagePull", message: 'failed to pull image "nope"' }]]);
  const s = generateAPIPodStatus(pod(), runtime([]), { ...opts, reasons });
  assert.deepEqual(s.containerStatuses?.[0].state, {
    waiting: { reason: "ErrImagePull", message: 'failed to pull image "nope"' },
  });
});

test("restartPolicy Never: exit 0 is Succeeded with PodCompleted, exit 1 is Failed", () => {
  const done = container("c", "c1", "CONTAINER_EXITED", { finishedAt: ns(T0 + 3000) });
  let s = generateAPIPodStatus(pod({ restartPolicy: "Never" }), runtime([done]), opts);
  assert.equal(s.phase, "Succeeded");
  assert.deepEqual([cond(s, "Ready")?.status, cond(s, "Ready")?.reason], ["False", "PodCompleted"]);
  assert.deepEqual(
    [cond(s, "ContainersReady")?.status, cond(s, "ContainersReady")?.reason],
    ["False", "PodCompleted"],
  );
  assert.deepEqual(
    [cond(s, "Initialized")?.status, cond(s, "Initialized")?.reason],
    ["True", "PodCompleted"],
  );
  const failed = container("c", "c1", "CONTAINER_EXITED", { exitCode: 1, finishedAt: ns(T0 + 3000) });
  s = generateAPIPodStatus(pod({ restartPolicy: "Never" }), runtime([failed]), opts);
  assert.equal(s.phase, "Failed");
  assert.equal(s.containerStatuses?.[0].state?.terminated?.reason, "Error");
  assert.deepEqual(
    [cond(s, "Ready")?.reason, cond(s, "ContainersReady")?.reason],
    ["PodFailed", "PodFailed"],
  );
});

test("transition times move only when a condition's status changes; startTime is set once", () => {
  const c = container("c", "c1", "CONTAINER_RUNNING");
  const first = generateAPIPodStatus(pod(), runtime([]), { ...opts, now: T0 + 10_000 });
  const second = generateAPIPodStatus(pod(), runtime([c]), { ...opts, oldStatus: first, now: T0 + 20_000 });
  assert.equal(cond(second, "Initialized")?.lastTransitionTime, iso(T0 + 10_000));
  assert.equal(cond(second, "Ready")?.lastTransitionTime, iso(T0 + 20_000));
  assert.equal(second.startTime, iso(T0 + 10_000));
});

test("a terminal phase stays, with its reason (the pod disruption case of Test_generateAPIPodStatus)", () => {
  const old: PodStatus = {
    phase: "Failed",
    reason: "Evicted",
    message: "The node was low on resource: memory.",
    conditions: [
      {
        type: "DisruptionTarget",
        status: "True",
        reason: "TerminationByKubelet",
        lastTransitionTime: iso(T0),
      },
    ],
  };
  const c = container("c", "c1", "CONTAINER_RUNNING");
  const s = generateAPIPodStatus(pod(), runtime([c]), { ...opts, oldStatus: old, podIsTerminal: true });
  assert.equal(s.phase, "Failed");
  assert.equal(s.reason, "Evicted");
  assert.equal(s.message, "The node was low on resource: memory.");
  assert.deepEqual(cond(s, "DisruptionTarget"), old.conditions?.[0]);
  assert.deepEqual([cond(s, "Ready")?.status, cond(s, "Ready")?.reason], ["False", "PodFailed"]);
});

test("hostNetwork pods take the node IPs; pod IPs follow the node's family", () => {
  const s = generateAPIPodStatus(pod({ hostNetwork: true }), runtime([], []), {
    ...opts,
    nodeIPs: ["192.168.0.10", "fd00::10"],
  });
  assert.equal(s.podIP, "192.168.0.10");
  assert.deepEqual(s.podIPs, [{ ip: "192.168.0.10" }, { ip: "fd00::10" }]);
  assert.deepEqual(s.hostIPs, [{ ip: "192.168.0.10" }, { ip: "fd00::10" }]);
  assert.deepEqual(sortPodIPs(["fd00::5", "10.0.0.5", "10.0.0.6"], ["fd00::1"]), ["fd00::5", "10.0.0.5"]);
});

test("regular container statuses are sorted by name, init ones in spec order; volume mounts are reported", () => {
  const p = pod({
    initContainers: [
      { name: "z-init", image: "i" },
      { name: "a-init", image: "i" },
    ],
    containers: [
      {
        name: "web",
        image: "w",
        volumeMounts: [{ name: "token", mountPath: "/var/run/secrets", readOnly: true }],
      },
      { name: "app", image: "a" },
    ],
  });
  const s = generateAPIPodStatus(p, runtime([]), opts);
  assert.deepEqual(
    s.initContainerStatuses?.map((c) => c.name),
    ["z-init", "a-init"],
  );
  assert.deepEqual(
    s.containerStatuses?.map((c) => c.name),
    ["app", "web"],
  );
  assert.deepEqual(s.containerStatuses?.[1].volumeMounts, [
    { name: "token", mountPath: "/var/run/secrets", readOnly: true, recursiveReadOnly: "Disabled" },
  ]);
});

test("a container that disappeared after running is terminated ContainerStatusUnknown in lastState (TestConvertToAPIContainerStatuses)", () => {
  const prev: PodStatus = {
    containerStatuses: [
      {
        name: "c",
        state: { running: {} },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: "busybox",
        imageID: "",
      },
    ],
  };
  const s = generateAPIPodStatus(pod(), runtime([]), { ...opts, oldStatus: prev });
  const cs = s.containerStatuses?.[0];
  assert.deepEqual(cs?.state, { waiting: { reason: "ContainerCreating" } });
  assert.deepEqual(cs?.lastState, {
    terminated: {
      reason: "ContainerStatusUnknown",
      message:
        "The container could not be located when the pod was deleted.  The container used to be Running",
      exitCode: 137,
    },
  });
  assert.equal(cs?.restartCount, 1);
});

test("ephemeral containers are reported apart and count for neither the phase nor readiness", () => {
  const spec = {
    ephemeralContainers: [
      { name: "dbg-b", image: "busybox", targetContainerName: "c" },
      { name: "dbg-a", image: "busybox" },
    ],
  };
  const s = generateAPIPodStatus(
    pod(spec),
    runtime([
      container("c", "c1", "CONTAINER_RUNNING"),
      container("dbg-b", "e1", "CONTAINER_EXITED", {
        exitCode: 1,
        finishedAt: ns(T0 + 3000),
        reason: "Error",
      }),
    ]),
    opts,
  );
  assert.equal(s.phase, "Running");
  assert.equal(cond(s, "Ready")?.status, "True");
  assert.deepEqual(
    s.containerStatuses?.map((c) => c.name),
    ["c"],
  );
  // Sorted by name, as regular containers are; one not started yet waits to be created.
  assert.deepEqual(
    s.ephemeralContainerStatuses?.map((c) => [c.name, c.state, c.ready]),
    [
      ["dbg-a", { waiting: { reason: "ContainerCreating" } }, false],
      [
        "dbg-b",
        {
          terminated: {
            exitCode: 1,
            reason: "Error",
            startedAt: iso(T0 + 2000),
            finishedAt: iso(T0 + 3000),
            containerID: "fake://e1",
          },
        },
        false,
      ],
    ],
  );
  // A pod without any has no such field.
  assert.equal(generateAPIPodStatus(pod(), runtime([]), opts).ephemeralContainerStatuses, undefined);
});

test("an exited pod keeps the IPs it had once its sandbox is stopped; a ready sandbox's IPs win", () => {
  const running = generateAPIPodStatus(
    pod({ restartPolicy: "Never" }),
    runtime([container("c", "c1", "CONTAINER_RUNNING")]),
    opts,
  );
  assert.equal(running.podIP, "10.244.1.5");
  const done = container("c", "c1", "CONTAINER_EXITED", { finishedAt: ns(T0 + 3000) });
  const stopped = generateAPIPodStatus(
    pod({ restartPolicy: "Never" }),
    runtime([done], [sandbox("", "SANDBOX_NOTREADY")]),
    { ...opts, oldStatus: running },
  );
  assert.equal(stopped.phase, "Succeeded");
  assert.equal(stopped.podIP, "10.244.1.5");
  assert.deepEqual(stopped.podIPs, [{ ip: "10.244.1.5" }]);
  // A sandbox that is ready again reports its own address.
  const again = generateAPIPodStatus(pod(), runtime([], [sandbox("10.244.1.9")]), {
    ...opts,
    oldStatus: running,
  });
  assert.equal(again.podIP, "10.244.1.9");
  // Without an earlier address there is none to keep.
  assert.equal(
    generateAPIPodStatus(pod(), runtime([], [sandbox("", "SANDBOX_NOTREADY")]), opts).podIP,
    undefined,
  );
});
