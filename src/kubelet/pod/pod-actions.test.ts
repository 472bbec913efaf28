// Table cases ported from upstream's kuberuntime_manager_test.go
// (TestComputePodActions, TestComputePodActionsWithInitContainers,
// TestComputePodActionsWithRestartableInitContainers), with the v1.32 logic
// (SidecarContainers on: init containers start through initContainersToStart).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import type { ContainerState, ContainerStatus, PodSandboxStatus } from "../runtime/interface.ts";
import type { RuntimePodStatus } from "../types.ts";
import { hashContainer } from "./helpers.ts";
import { ANNOTATIONS } from "./labels.ts";
import {
  type ContainerProbeResults,
  computePodActions,
  type PodActions,
  type ProbeResult,
} from "./pod-actions.ts";

function cstatus(
  id: string,
  c: Container,
  state: ContainerState,
  exitCode = 0,
  created = 0,
): ContainerStatus {
  return {
    id,
    metadata: { name: c.name, attempt: 0 },
    state,
    createdAt: created,
    startedAt: 0,
    finishedAt: 0,
    exitCode,
    image: { image: c.image ?? "" },
    imageRef: "",
    reason: "",
    message: "",
    labels: {},
    annotations: { [ANNOTATIONS.containerHash]: hashContainer(c) },
    logPath: "",
  };
}

function sandbox(state: PodSandboxStatus["state"] = "SANDBOX_READY", attempt = 0): PodSandboxStatus {
  return {
    id: "sandboxID",
    metadata: { name: "foo", namespace: "foo-ns", uid: "sandboxuid", attempt },
    state,
    createdAt: 0,
    labels: {},
    annotations: {},
    network: { ip: "10.0.0.1", additionalIps: [] },
  };
}

/** makeBasePodAndStatus: three running containers in a ready sandbox. */
function basePodAndStatus(): { pod: Pod; status: RuntimePodStatus } {
  const pod: Pod = {
    metadata: { uid: "12345678", name: "foo", namespace: "foo-ns" },
    spec: {
      containers: [
        { name: "foo1", image: "busybox" },
        { name: "foo2", image: "busybox" },
        { name: "foo3", image: "busybox" },
      ],
    },
  };
  const status: RuntimePodStatus = {
    uid: "12345678",
    name: "foo",
    namespace: "foo-ns",
    sandboxes: [sandbox()],
    containers: pod.spec!.containers.map((c, i) => cstatus(`id${i + 1}`, c, "CONTAINER_RUNNING")),
    ips: ["10.0.0.1"],
  };
  return { pod, status };
}

function withInitContainers(restartable: boolean): { pod: Pod; status: RuntimePodStatus } {
  const { pod, status } = basePodAndStatus();
  pod.spec!.initContainers = restartable
    ? [
        { name: "restartable-init-1", image: "bar-image", restartPolicy: "Always" },
        {
          name: "restartable-init-2",
          image: "bar-image",
          restartPolicy: "Always",
          livenessProbe: {},
          startupProbe: {},
        },
        {
          name: "restartable-init-3",
          image: "bar-image",
          restartPolicy: "Always",
          livenessProbe: {},
          startupProbe: {},
        },
      ]
    : [
        { name: "init1", image: "bar-image" },
        { name: "init2", image: "bar-image" },
        { name: "init3", image: "bar-image" },
      ];
  status.containers = pod.spec!.initContainers.map((c, i) =>
    cstatus(`initid${i + 1}`, c, restartable ? "CONTAINER_RUNNING" : "CONTAINER_EXITED"),
  );
  return { pod, status };
}

class FakeProbes implements ContainerProbeResults {
  live = new Map<string, ProbeResult>();
  start = new Map<string, ProbeResult>();
  liveness(id: string) {
    return this.live.get(id);
  }
  startup(id: string) {
    return this.start.get(id);
  }
}

interface Expected {
  killPod?: boolean;
  createSandbox?: boolean;
  attempt?: number;
  initContainersToStart?: number[];
  containersToStart?: number[];
  /** Container ids to kill. */
  kill?: string[];
  sandboxId?: string;
}

function check(actual: PodActions, want: Expected, desc: string): void {
  assert.deepEqual(
    {
      killPod: actual.killPod,
      createSandbox: actual.createSandbox,
      attempt: actual.attempt,
      sandboxId: actual.sandboxId,
      initContainersToStart: actual.initContainersToStart,
      containersToStart: actual.containersToStart,
      kill: [...actual.containersToKill.keys()].sort(),
    },
    {
      killPod: want.killPod ?? false,
      createSandbox: want.createSandbox ?? false,
      attempt: want.attempt ?? 0,
      sandboxId: want.sandboxId ?? "sandboxID",
      initContainersToStart: want.initContainersToStart ?? [],
      containersToStart: want.containersToStart ?? [],
      kill: want.kill ?? [],
    },
    desc,
  );
}

type Case = {
  pod?: (pod: Pod) => void;
  status?: (status: RuntimePodStatus, pod: Pod, probes: FakeProbes) => void;
  want: Expected;
};

function run(
  cases: Record<string, Case>,
  make: () => { pod: Pod; status: RuntimePodStatus },
  setup?: (p: FakeProbes) => void,
) {
  for (const [desc, tc] of Object.entries(cases)) {
    const { pod, status } = make();
    const probes = new FakeProbes();
    setup?.(probes);
    tc.pod?.(pod);
    tc.status?.(status, pod, probes);
    check(computePodActions(pod, status, probes), tc.want, desc);
  }
}

const setExited = (s: ContainerStatus, exitCode: number) => {
  s.state = "CONTAINER_EXITED";
  s.exitCode = exitCode;
};

test("computePodActions: regular containers (TestComputePodActions)", () => {
  run(
    {
      "everything is good; do nothing": { want: {} },
      "start pod sandbox and all containers for a new pod": {
        status: (s) => {
          s.sandboxes = [];
          s.containers = [];
        },
        want: { killPod: true, createSandbox: true, sandboxId: "", containersToStart: [0, 1, 2] },
      },
      "restart exited containers if RestartPolicy == Always": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          setExited(s.containers[0], 0);
          setExited(s.containers[1], 111);
        },
        want: { containersToStart: [0, 1] },
      },
      "restart failed containers if RestartPolicy == OnFailure": {
        pod: (p) => {
          p.spec!.restartPolicy = "OnFailure";
        },
        status: (s) => {
          setExited(s.containers[0], 0);
          setExited(s.containers[1], 111);
        },
        want: { containersToStart: [1] },
      },
      "don't restart containers if RestartPolicy == Never": {
        pod: (p) => {
          p.spec!.restartPolicy = "Never";
        },
        status: (s) => {
          setExited(s.containers[0], 0);
          setExited(s.containers[1], 111);
        },
        want: {},
      },
      "Kill pod and recreate everything if the pod sandbox is dead, and RestartPolicy == Always": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.sandboxes[0].state = "SANDBOX_NOTREADY";
        },
        want: { killPod: true, createSandbox: true, attempt: 1, containersToStart: [0, 1, 2] },
      },
      "Kill pod and recreate all containers (except for the succeeded one) if the pod sandbox is dead, and RestartPolicy == OnFailure":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "OnFailure";
          },
          status: (s) => {
            s.sandboxes[0].state = "SANDBOX_NOTREADY";
            setExited(s.containers[1], 0);
          },
          want: { killPod: true, createSandbox: true, attempt: 1, containersToStart: [0, 2] },
        },
      "Kill pod and recreate all containers if the PodSandbox does not have an IP": {
        status: (s) => {
          s.sandboxes[0].network!.ip = "";
        },
        want: { killPod: true, createSandbox: true, attempt: 1, containersToStart: [0, 1, 2] },
      },
      "Kill and recreate the container if the container's spec changed": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.containers[1].annotations[ANNOTATIONS.containerHash] = "19c65b08";
        },
        want: { kill: ["id2"], containersToStart: [1] },
      },
      "Kill and recreate the container if the liveness check has failed": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (_s, _p, probes) => {
          probes.live.set("id2", "Failure");
        },
        want: { kill: ["id2"], containersToStart: [1] },
      },
      "Kill and recreate the container if the startup check has failed": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (_s, _p, probes) => {
          probes.start.set("id2", "Failure");
        },
        want: { kill: ["id2"], containersToStart: [1] },
      },
      "Verify we do not create a pod sandbox if no ready sandbox for pod with RestartPolicy=Never and all containers exited":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "Never";
          },
          status: (s) => {
            s.sandboxes[0].state = "SANDBOX_NOTREADY";
            s.sandboxes[0].metadata.attempt = 1;
            for (const c of s.containers) setExited(c, 0);
          },
          want: { killPod: true, attempt: 2 },
        },
      "Verify we do not create a pod sandbox if no ready sandbox for pod with RestartPolicy=OnFailure and all containers succeeded":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "OnFailure";
          },
          status: (s) => {
            s.sandboxes[0].state = "SANDBOX_NOTREADY";
            s.sandboxes[0].metadata.attempt = 1;
            for (const c of s.containers) setExited(c, 0);
          },
          want: { killPod: true, attempt: 2 },
        },
      "Verify we create a pod sandbox if no ready sandbox for pod with RestartPolicy=Never and no containers have ever been created":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "Never";
          },
          status: (s) => {
            s.sandboxes[0].state = "SANDBOX_NOTREADY";
            s.sandboxes[0].metadata.attempt = 2;
            s.containers = [];
          },
          want: { killPod: true, createSandbox: true, attempt: 3, containersToStart: [0, 1, 2] },
        },
      "Kill and recreate the container if the container is in unknown state": {
        pod: (p) => {
          p.spec!.restartPolicy = "Never";
        },
        status: (s) => {
          s.containers[1].state = "CONTAINER_UNKNOWN";
        },
        want: { kill: ["id2"], containersToStart: [1] },
      },
      "kill the pod when every container finished and RestartPolicy == Never": {
        pod: (p) => {
          p.spec!.restartPolicy = "Never";
        },
        status: (s) => {
          for (const c of s.containers) setExited(c, 0);
        },
        want: { killPod: true },
      },
      "do not restart a container of a pod marked for deletion": {
        pod: (p) => {
          p.metadata = { ...p.metadata, deletionTimestamp: "2024-01-01T00:00:00Z" };
        },
        status: (s) => {
          setExited(s.containers[0], 1);
        },
        want: {},
      },
    },
    basePodAndStatus,
  );
});

test("computePodActions: init containers in order, restart policy on failure (TestComputePodActionsWithInitContainers)", () => {
  run(
    {
      "initialization completed; start all containers": { want: { containersToStart: [0, 1, 2] } },
      "no init containers have been started; start the first one": {
        status: (s) => {
          s.containers = [];
        },
        want: { initContainersToStart: [0] },
      },
      "initialization in progress; do nothing": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.containers[2].state = "CONTAINER_RUNNING";
        },
        want: {},
      },
      "the first init container completed; start the second": {
        status: (s) => {
          s.containers = s.containers.slice(0, 1);
        },
        want: { initContainersToStart: [1] },
      },
      "Kill pod and restart the first init container if the pod sandbox is dead": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.sandboxes[0].state = "SANDBOX_NOTREADY";
        },
        want: { killPod: true, createSandbox: true, attempt: 1, initContainersToStart: [0] },
      },
      "initialization failed; restart the last init container if RestartPolicy == Always": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.containers[2].exitCode = 137;
        },
        want: { initContainersToStart: [2] },
      },
      "initialization failed; restart the last init container if RestartPolicy == OnFailure": {
        pod: (p) => {
          p.spec!.restartPolicy = "OnFailure";
        },
        status: (s) => {
          s.containers[2].exitCode = 137;
        },
        want: { initContainersToStart: [2] },
      },
      "initialization failed; kill pod if RestartPolicy == Never": {
        pod: (p) => {
          p.spec!.restartPolicy = "Never";
        },
        status: (s) => {
          s.containers[2].exitCode = 137;
        },
        want: { killPod: true },
      },
      "an OOM-killed init container counts as failed": {
        pod: (p) => {
          p.spec!.restartPolicy = "Never";
        },
        status: (s) => {
          s.containers[2].reason = "OOMKilled";
        },
        want: { killPod: true },
      },
      "init container state unknown; kill and recreate the last init container if RestartPolicy == Always": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.containers[2].state = "CONTAINER_UNKNOWN";
        },
        want: { initContainersToStart: [2], kill: ["initid3"] },
      },
      "init container state unknown; kill and recreate the last init container if RestartPolicy == OnFailure":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "OnFailure";
          },
          status: (s) => {
            s.containers[2].state = "CONTAINER_UNKNOWN";
          },
          want: { initContainersToStart: [2], kill: ["initid3"] },
        },
      "init container state unknown; kill pod if RestartPolicy == Never": {
        pod: (p) => {
          p.spec!.restartPolicy = "Never";
        },
        status: (s) => {
          s.containers[2].state = "CONTAINER_UNKNOWN";
        },
        want: { killPod: true },
      },
      "Pod sandbox not ready, init container failed, but RestartPolicy == Never; kill pod only": {
        pod: (p) => {
          p.spec!.restartPolicy = "Never";
        },
        status: (s) => {
          s.sandboxes[0].state = "SANDBOX_NOTREADY";
        },
        want: { killPod: true, attempt: 1 },
      },
      "Pod sandbox not ready, and RestartPolicy == Never, but no visible init containers;  create a new pod sandbox":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "Never";
          },
          status: (s) => {
            s.sandboxes[0].state = "SANDBOX_NOTREADY";
            s.containers = [];
          },
          want: { killPod: true, createSandbox: true, attempt: 1, initContainersToStart: [0] },
        },
      "Pod sandbox not ready, init container failed, and RestartPolicy == OnFailure; create a new pod sandbox":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "OnFailure";
          },
          status: (s) => {
            s.sandboxes[0].state = "SANDBOX_NOTREADY";
            s.containers[2].exitCode = 137;
          },
          want: { killPod: true, createSandbox: true, attempt: 1, initContainersToStart: [0] },
        },
      "some of the init container statuses are missing but the last init container is running, don't restart preceding ones":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "Always";
          },
          status: (s) => {
            s.containers[2].state = "CONTAINER_RUNNING";
            s.containers = s.containers.slice(2);
          },
          want: {},
        },
      "an init container left in the created state is started again": {
        status: (s) => {
          s.containers[2].state = "CONTAINER_CREATED";
        },
        want: { initContainersToStart: [2] },
      },
    },
    () => withInitContainers(false),
  );
});

test("computePodActions: sidecars keep running (TestComputePodActionsWithRestartableInitContainers)", () => {
  run(
    {
      "initialization completed; start all containers": { want: { containersToStart: [0, 1, 2] } },
      "no init containers have been started; start the first one": {
        status: (s) => {
          s.containers = [];
        },
        want: { initContainersToStart: [0] },
      },
      "restartable init container has started; start the next": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.containers = s.containers.slice(0, 1);
        },
        want: { initContainersToStart: [1] },
      },
      "livenessProbe has not been run; start the next": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s, _p, probes) => {
          probes.live.delete("initid2");
          s.containers = s.containers.slice(0, 2);
        },
        want: { initContainersToStart: [2] },
      },
      "kill and recreate the restartable init container if the liveness check has failed": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (_s, _p, probes) => {
          probes.live.set("initid3", "Failure");
        },
        want: { initContainersToStart: [2], kill: ["initid3"], containersToStart: [0, 1, 2] },
      },
      "startupProbe has not been run; do nothing": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s, _p, probes) => {
          probes.start.delete("initid2");
          s.containers = s.containers.slice(0, 2);
        },
        want: {},
      },
      "startupProbe in progress; do nothing": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s, _p, probes) => {
          probes.start.set("initid2", "Unknown");
          s.containers = s.containers.slice(0, 2);
        },
        want: {},
      },
      "startupProbe has completed; start the next": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.containers = s.containers.slice(0, 2);
        },
        want: { initContainersToStart: [2] },
      },
      "kill and recreate the restartable init container if the startup check has failed": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
          p.spec!.initContainers![2].startupProbe = {};
        },
        status: (_s, _p, probes) => {
          probes.start.set("initid3", "Failure");
        },
        want: { initContainersToStart: [2], kill: ["initid3"] },
      },
      "restart terminated restartable init container and next init container": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.containers[0].state = "CONTAINER_EXITED";
          s.containers[2].state = "CONTAINER_EXITED";
        },
        want: { initContainersToStart: [0, 2] },
      },
      "restart terminated restartable init container and regular containers": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
        },
        status: (s) => {
          s.containers[0].state = "CONTAINER_EXITED";
        },
        want: { initContainersToStart: [0], containersToStart: [0, 1, 2] },
      },
      "Pod sandbox not ready, restartable init container failed, but RestartPolicy == Never; kill pod only": {
        pod: (p) => {
          p.spec!.restartPolicy = "Never";
        },
        status: (s) => {
          s.sandboxes[0].state = "SANDBOX_NOTREADY";
          setExited(s.containers[2], 137);
        },
        want: { killPod: true, attempt: 1 },
      },
      "Pod sandbox not ready, restartable init container failed, and RestartPolicy == Always; create a new pod sandbox":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "Always";
          },
          status: (s) => {
            s.sandboxes[0].state = "SANDBOX_NOTREADY";
            setExited(s.containers[2], 137);
          },
          want: { killPod: true, createSandbox: true, attempt: 1, initContainersToStart: [0] },
        },
      "initialization failed; restart the last restartable init container even if pod's RestartPolicy == Never":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "Never";
          },
          status: (s) => {
            setExited(s.containers[2], 137);
          },
          want: { initContainersToStart: [2] },
        },
      "restartable init container state unknown; kill and recreate the last restartable init container even if pod's RestartPolicy == Never":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "Never";
          },
          status: (s) => {
            s.containers[2].state = "CONTAINER_UNKNOWN";
          },
          want: { initContainersToStart: [2], kill: ["initid3"] },
        },
      "restart restartable init container if regular containers are running even if pod's RestartPolicy == Never":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "Never";
          },
          status: (s, p) => {
            setExited(s.containers[2], 137);
            p.spec!.containers.forEach((c, i) => {
              s.containers.push(cstatus(`id${i + 1}`, c, "CONTAINER_RUNNING"));
            });
          },
          want: { initContainersToStart: [2] },
        },
      "kill the pod if all main containers succeeded if pod's RestartPolicy == Never": {
        pod: (p) => {
          p.spec!.restartPolicy = "Never";
        },
        status: (s, p) => {
          p.spec!.containers.forEach((c, i) => {
            s.containers.push(cstatus(`id${i + 1}`, c, "CONTAINER_EXITED", 0));
          });
        },
        want: { killPod: true },
      },
      "some of the init container statuses are missing but the last init container is running, restart restartable init and regular containers":
        {
          pod: (p) => {
            p.spec!.restartPolicy = "Always";
          },
          status: (s) => {
            s.containers = s.containers.slice(2);
          },
          want: { initContainersToStart: [0, 1], containersToStart: [0, 1, 2] },
        },
      "a running sidecar whose definition changed is restarted": {
        pod: (p) => {
          p.spec!.restartPolicy = "Always";
          p.spec!.initContainers![0].image = "bar-image:v2";
        },
        want: { initContainersToStart: [0], kill: ["initid1"], containersToStart: [0, 1, 2] },
      },
    },
    () => withInitContainers(true),
    (probes) => {
      for (const id of ["initid2", "initid3"]) {
        probes.live.set(id, "Success");
        probes.start.set(id, "Success");
      }
    },
  );
});

test("kill messages say why, as upstream", () => {
  const { pod, status } = basePodAndStatus();
  pod.spec!.restartPolicy = "Always";
  const probes = new FakeProbes();
  probes.live.set("id1", "Failure");
  status.containers[1].annotations[ANNOTATIONS.containerHash] = "0";
  const actions = computePodActions(pod, status, probes);
  assert.deepEqual(
    [...actions.containersToKill.values()].map((k) => [k.name, k.message, k.reason]),
    [
      ["foo1", "Container foo1 failed liveness probe, will be restarted", "LivenessProbe"],
      ["foo2", "Container foo2 definition changed, will be restarted", ""],
    ],
  );
});
