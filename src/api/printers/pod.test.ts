// Pod STATUS / READY / RESTARTS cases ported from TestPrintPod, TestPrintPodWithRestartableInitContainer,
// TestPrintPodwide, TestPrintPodConditions and TestPrintNonTerminatedPod (printers_test.go), plus the
// kubelet reasons users meet most (CrashLoopBackOff, ImagePullBackOff, Init:Error, NodeLost...).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Container, ContainerStatus, Pod } from "kubernetes-types/core/v1.d.ts";
import { podPrinter } from "./pod.ts";

const now = new Date("2024-06-01T12:00:00Z");
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
const DAY = 24 * 3600;

const containers = (n: number): Container[] => Array.from({ length: n }, (_, i) => ({ name: `c${i}` }));
const running = { running: {} };
const terminatedAgo = (seconds: number) => ({ terminated: { exitCode: 0, finishedAt: ago(seconds) } });

function pod(spec: Partial<Pod["spec"]>, status: Pod["status"], metadata: Pod["metadata"] = {}): Pod {
  return { metadata: { name: "test", ...metadata }, spec: { containers: [], ...spec }, status };
}

/** Name, Ready, Status, Restarts, Age: the columns kubectl shows without -o wide. */
function narrow(p: Pod) {
  return podPrinter.print(p, { now }).cells.slice(0, 5);
}

test("ready count, restarts and container reasons (TestPrintPod)", () => {
  const two = { containers: containers(2) };
  const cases: [Pod, string, string, string][] = [
    [
      pod(two, {
        phase: "podPhase",
        containerStatuses: [
          { name: "c0", image: "", imageID: "", ready: true, restartCount: 3, state: running },
          { name: "c1", image: "", imageID: "", ready: false, restartCount: 3 },
        ],
      }),
      "1/2",
      "podPhase",
      "6",
    ],
    [
      pod(two, {
        phase: "podPhase",
        containerStatuses: [
          { name: "c0", image: "", imageID: "", ready: true, restartCount: 3, state: running },
          {
            name: "c1",
            image: "",
            imageID: "",
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: "ContainerWaitingReason" } },
          },
        ],
      }),
      "1/2",
      "ContainerWaitingReason",
      "6",
    ],
    [
      // The first container's reason wins: statuses are walked from the last one.
      pod(two, {
        phase: "podPhase",
        containerStatuses: [
          {
            name: "c0",
            image: "",
            imageID: "",
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: "ContainerWaitingReason" } },
          },
          {
            name: "c1",
            image: "",
            imageID: "",
            ready: false,
            restartCount: 3,
            state: { terminated: { exitCode: 0, reason: "ContainerTerminatedReason" } },
          },
        ],
      }),
      "0/2",
      "ContainerWaitingReason",
      "6",
    ],
    [
      // Ready is not enough for reporting running.
      pod(two, {
        phase: "podPhase",
        containerStatuses: [
          { name: "c0", image: "", imageID: "", ready: true, restartCount: 3, state: running },
          { name: "c1", image: "", imageID: "", ready: true, restartCount: 3 },
        ],
      }),
      "1/2",
      "podPhase",
      "6",
    ],
    [
      pod(two, {
        reason: "podReason",
        phase: "podPhase",
        containerStatuses: [
          { name: "c0", image: "", imageID: "", ready: true, restartCount: 3, state: running },
          { name: "c1", image: "", imageID: "", ready: true, restartCount: 3 },
        ],
      }),
      "1/2",
      "podReason",
      "6",
    ],
  ];
  for (const [p, ready, status, restarts] of cases) {
    assert.deepEqual(narrow(p), ["test", ready, status, restarts, "<unknown>"]);
  }
});

test("a completed container next to a running one is NotReady, or Running with the Ready condition", () => {
  const statuses: ContainerStatus[] = [
    {
      name: "c0",
      image: "",
      imageID: "",
      ready: true,
      restartCount: 3,
      state: { terminated: { reason: "Completed", exitCode: 0 } },
    },
    { name: "c1", image: "", imageID: "", ready: true, restartCount: 3, state: running },
  ];
  const base = pod({ containers: containers(2) }, { phase: "Running", containerStatuses: statuses });
  assert.deepEqual(narrow(base), ["test", "1/2", "NotReady", "6", "<unknown>"]);
  const ready = pod(
    { containers: containers(2) },
    { phase: "Running", containerStatuses: statuses, conditions: [{ type: "Ready", status: "True" }] },
  );
  assert.deepEqual(narrow(ready), ["test", "1/2", "Running", "6", "<unknown>"]);
});

test("init containers: Init:N/M and restarts with the time of the last one", () => {
  const waiting: ContainerStatus = {
    name: "c0",
    image: "",
    imageID: "",
    ready: false,
    restartCount: 0,
    state: { waiting: {} },
  };
  // One init container restarting.
  assert.deepEqual(
    narrow(
      pod(
        { initContainers: containers(1), containers: containers(1) },
        {
          phase: "podPhase",
          initContainerStatuses: [
            {
              name: "c0",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 3,
              state: running,
              lastState: terminatedAgo(10),
            },
          ],
          containerStatuses: [waiting],
        },
      ),
    ),
    ["test", "0/1", "Init:0/1", "3 (10s ago)", "<unknown>"],
  );
  // Two init containers, the first restarting.
  assert.deepEqual(
    narrow(
      pod(
        { initContainers: containers(2), containers: containers(1) },
        {
          phase: "podPhase",
          initContainerStatuses: [
            {
              name: "c0",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 3,
              state: running,
              lastState: terminatedAgo(10),
            },
            { name: "c1", image: "", imageID: "", ready: false, restartCount: 0, state: { waiting: {} } },
          ],
          containerStatuses: [waiting],
        },
      ),
    ),
    ["test", "0/1", "Init:0/2", "3 (10s ago)", "<unknown>"],
  );
  // The first completed without restarts, the second restarting.
  assert.deepEqual(
    narrow(
      pod(
        { initContainers: containers(2), containers: containers(1) },
        {
          phase: "podPhase",
          initContainerStatuses: [
            {
              name: "c0",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: 0 } },
            },
            {
              name: "c1",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 3,
              state: running,
              lastState: terminatedAgo(10),
            },
          ],
          containerStatuses: [waiting],
        },
      ),
    ),
    ["test", "0/1", "Init:1/2", "3 (10s ago)", "<unknown>"],
  );
  // The first completed after restarts, the second restarting: restarts add up, the latest time wins.
  assert.deepEqual(
    narrow(
      pod(
        { initContainers: containers(2), containers: containers(1) },
        {
          phase: "podPhase",
          initContainerStatuses: [
            {
              name: "c0",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 2,
              state: { terminated: { exitCode: 0 } },
              lastState: terminatedAgo(120),
            },
            {
              name: "c1",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 3,
              state: running,
              lastState: terminatedAgo(10),
            },
          ],
          containerStatuses: [waiting],
        },
      ),
    ),
    ["test", "0/1", "Init:1/2", "5 (10s ago)", "<unknown>"],
  );
  // Init finished: only the app containers' restarts count.
  assert.deepEqual(
    narrow(
      pod(
        { initContainers: containers(1), containers: containers(1) },
        {
          phase: "Running",
          initContainerStatuses: [
            {
              name: "c0",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 2,
              state: { terminated: { exitCode: 0 } },
              lastState: terminatedAgo(120),
            },
          ],
          containerStatuses: [
            {
              name: "c0",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 4,
              state: running,
              lastState: terminatedAgo(20),
            },
          ],
        },
      ),
    ),
    ["test", "0/1", "Running", "4 (20s ago)", "<unknown>"],
  );
});

test("restart ages use the most recent termination", () => {
  assert.deepEqual(
    narrow(
      pod(
        { containers: containers(1) },
        {
          phase: "Running",
          containerStatuses: [
            {
              name: "c0",
              image: "",
              imageID: "",
              ready: true,
              restartCount: 3,
              state: running,
              lastState: terminatedAgo(5 * DAY),
            },
          ],
        },
      ),
    ),
    ["test", "1/1", "Running", "3 (5d ago)", "<unknown>"],
  );
  assert.deepEqual(
    narrow(
      pod(
        { containers: containers(2) },
        {
          phase: "Running",
          containerStatuses: [
            { name: "c0", image: "", imageID: "", ready: true, restartCount: 0, state: running },
            {
              name: "c1",
              image: "",
              imageID: "",
              ready: true,
              restartCount: 3,
              state: running,
              lastState: terminatedAgo(10 * DAY),
            },
          ],
        },
      ),
    ),
    ["test", "2/2", "Running", "3 (10d ago)", "<unknown>"],
  );
  assert.deepEqual(
    narrow(
      pod(
        { containers: containers(2) },
        {
          phase: "Running",
          containerStatuses: [
            {
              name: "c0",
              image: "",
              imageID: "",
              ready: true,
              restartCount: 6,
              state: running,
              lastState: terminatedAgo(5 * DAY),
            },
            {
              name: "c1",
              image: "",
              imageID: "",
              ready: true,
              restartCount: 3,
              state: running,
              lastState: terminatedAgo(20 * DAY),
            },
          ],
        },
      ),
    ),
    ["test", "2/2", "Running", "9 (5d ago)", "<unknown>"],
  );
});

test("SchedulingGated, Completed, Error, Terminating and row conditions", () => {
  assert.deepEqual(
    narrow(
      pod(
        { containers: containers(2) },
        {
          phase: "podPhase",
          conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }],
        },
      ),
    ),
    ["test", "0/2", "SchedulingGated", "0", "<unknown>"],
  );

  const completed = pod(
    { containers: containers(1) },
    {
      phase: "Succeeded",
      containerStatuses: [
        {
          name: "c0",
          image: "",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { terminated: { reason: "Completed", exitCode: 0 } },
        },
      ],
    },
  );
  assert.deepEqual(podPrinter.print(completed, { now }).conditions, [
    {
      type: "Completed",
      status: "True",
      reason: "Succeeded",
      message: "The pod has completed successfully.",
    },
  ]);
  assert.deepEqual(narrow(completed), ["test", "0/1", "Completed", "0", "<unknown>"]);

  const failed = pod(
    { containers: containers(1) },
    {
      phase: "Failed",
      containerStatuses: [
        {
          name: "c0",
          image: "",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { terminated: { reason: "Error", exitCode: 1 } },
        },
      ],
    },
  );
  assert.deepEqual(podPrinter.print(failed, { now }).conditions, [
    { type: "Completed", status: "True", reason: "Failed", message: "The pod failed." },
  ]);
  assert.deepEqual(narrow(failed), ["test", "0/1", "Error", "0", "<unknown>"]);

  // A terminal pod being deleted keeps its reason; a running or pending one is Terminating.
  const deleting = { name: "test", deletionTimestamp: ago(10) };
  assert.equal(narrow({ ...completed, metadata: deleting })[2], "Completed");
  const runningPod = pod(
    { containers: containers(1) },
    {
      phase: "Running",
      containerStatuses: [
        { name: "c0", image: "", imageID: "", ready: false, restartCount: 0, state: running },
      ],
    },
    deleting,
  );
  assert.deepEqual(narrow(runningPod), ["test", "0/1", "Terminating", "0", "<unknown>"]);
  assert.deepEqual(narrow(pod({ containers: containers(1) }, { phase: "Pending" }, deleting)), [
    "test",
    "0/1",
    "Terminating",
    "0",
    "<unknown>",
  ]);
  assert.equal(podPrinter.print(runningPod, { now }).conditions, undefined);
});

test("restartable (sidecar) init containers count towards READY (TestPrintPodWithRestartableInitContainer)", () => {
  const sidecars = [
    { name: "restartable-init-1", restartPolicy: "Always" },
    { name: "restartable-init-2", restartPolicy: "Always" },
  ];
  const appWaiting: ContainerStatus = {
    name: "c0",
    image: "",
    imageID: "",
    ready: false,
    restartCount: 0,
    state: { waiting: {} },
  };
  const init1 = (started: boolean): ContainerStatus => ({
    name: "restartable-init-1",
    image: "",
    imageID: "",
    ready: false,
    restartCount: 3,
    state: running,
    started,
    lastState: terminatedAgo(10),
  });
  assert.deepEqual(
    narrow(
      pod(
        { initContainers: sidecars, containers: containers(1) },
        {
          phase: "Pending",
          initContainerStatuses: [
            init1(false),
            {
              name: "restartable-init-2",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 0,
              state: { waiting: {} },
              started: false,
            },
          ],
          containerStatuses: [appWaiting],
          conditions: [{ type: "Initialized", status: "False" }],
        },
      ),
    ),
    ["test", "0/3", "Init:0/2", "3 (10s ago)", "<unknown>"],
  );
  assert.deepEqual(
    narrow(
      pod(
        { initContainers: sidecars, containers: containers(1) },
        {
          phase: "Pending",
          initContainerStatuses: [
            init1(true),
            {
              name: "restartable-init-2",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 0,
              state: running,
              started: false,
            },
          ],
          containerStatuses: [appWaiting],
          conditions: [{ type: "Initialized", status: "False" }],
        },
      ),
    ),
    ["test", "0/3", "Init:1/2", "3 (10s ago)", "<unknown>"],
  );
  assert.deepEqual(
    narrow(
      pod(
        { initContainers: sidecars, containers: containers(1) },
        {
          phase: "Running",
          initContainerStatuses: [
            init1(true),
            {
              name: "restartable-init-2",
              image: "",
              imageID: "",
              ready: false,
              restartCount: 0,
              state: running,
              started: true,
            },
          ],
          containerStatuses: [
            {
              name: "c0",
              image: "",
              imageID: "",
              ready: true,
              restartCount: 4,
              state: running,
              lastState: terminatedAgo(20),
            },
          ],
          conditions: [{ type: "Initialized", status: "True" }],
        },
      ),
    ),
    ["test", "1/3", "Running", "7 (10s ago)", "<unknown>"],
  );
  const succeeded = pod(
    { initContainers: sidecars, containers: containers(1) },
    {
      phase: "Succeeded",
      initContainerStatuses: [
        {
          name: "restartable-init-1",
          image: "",
          imageID: "",
          ready: false,
          restartCount: 3,
          state: { terminated: { reason: "Error", exitCode: 137 } },
          started: false,
          lastState: terminatedAgo(10),
        },
        {
          name: "restartable-init-2",
          image: "",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { terminated: { reason: "Error", exitCode: 137 } },
          started: false,
        },
      ],
      containerStatuses: [
        {
          name: "c0",
          image: "",
          imageID: "",
          ready: false,
          restartCount: 4,
          state: { terminated: { reason: "Completed", exitCode: 0 } },
          lastState: terminatedAgo(20),
        },
      ],
      conditions: [{ type: "Initialized", status: "True" }],
    },
  );
  assert.deepEqual(narrow(succeeded), ["test", "0/3", "Completed", "7 (10s ago)", "<unknown>"]);
  // Statuses for containers the spec does not have.
  assert.deepEqual(
    narrow(
      pod(
        {
          initContainers: [
            { name: "init1", image: "initimage" },
            { name: "sidecar1", image: "sidecarimage", restartPolicy: "Always" },
          ],
          containers: [{ name: "container1", image: "containerimage" }],
        },
        {
          phase: "Running",
          initContainerStatuses: [
            { name: "initinvalid", image: "", imageID: "", ready: false, restartCount: 0 },
            { name: "init1", image: "", imageID: "", ready: false, restartCount: 0 },
            { name: "sidecar1", image: "", imageID: "", ready: false, restartCount: 0 },
          ],
          containerStatuses: [
            { name: "containerinvalid", image: "", imageID: "", ready: false, restartCount: 0 },
            { name: "container1", image: "", imageID: "", ready: false, restartCount: 0 },
          ],
        },
      ),
    ),
    ["test", "0/2", "Init:0/2", "0", "<unknown>"],
  );
});

test("kubelet reasons: CrashLoopBackOff, ImagePullBackOff, Init:CrashLoopBackOff, Init:Error, PodInitializing", () => {
  const crashing = pod(
    { containers: containers(1) },
    {
      phase: "Running",
      containerStatuses: [
        {
          name: "c0",
          image: "",
          imageID: "",
          ready: false,
          restartCount: 5,
          state: {
            waiting: { reason: "CrashLoopBackOff", message: "back-off 2m40s restarting failed container" },
          },
          lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(75) } },
        },
      ],
    },
    { name: "web", creationTimestamp: ago(600) },
  );
  assert.deepEqual(narrow(crashing), ["web", "0/1", "CrashLoopBackOff", "5 (75s ago)", "10m"]);

  const pulling = pod(
    { containers: containers(1) },
    {
      phase: "Pending",
      containerStatuses: [
        {
          name: "c0",
          image: "",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: "ImagePullBackOff" } },
        },
      ],
    },
  );
  assert.equal(narrow(pulling)[2], "ImagePullBackOff");

  const initStatus = (state: ContainerStatus["state"], restartCount = 0): ContainerStatus => ({
    name: "c0",
    image: "",
    imageID: "",
    ready: false,
    restartCount,
    state,
  });
  const initPod = (init: ContainerStatus) =>
    pod(
      { initContainers: containers(1), containers: containers(1) },
      {
        phase: "Pending",
        initContainerStatuses: [init],
        containerStatuses: [initStatus({ waiting: { reason: "PodInitializing" } })],
      },
    );
  assert.equal(
    narrow(initPod(initStatus({ waiting: { reason: "CrashLoopBackOff" } }, 2)))[2],
    "Init:CrashLoopBackOff",
  );
  assert.equal(
    narrow(initPod(initStatus({ terminated: { exitCode: 1, reason: "Error" } })))[2],
    "Init:Error",
  );
  assert.equal(narrow(initPod(initStatus({ terminated: { exitCode: 3 } })))[2], "Init:ExitCode:3");
  assert.equal(narrow(initPod(initStatus({ terminated: { exitCode: 137, signal: 9 } })))[2], "Init:Signal:9");
  // A waiting init container reporting PodInitializing falls through to the Init:N/M form.
  assert.equal(narrow(initPod(initStatus({ waiting: { reason: "PodInitializing" } })))[2], "Init:0/1");
  // Once init is done, app containers waiting in PodInitializing show it.
  const initialized = pod(
    { initContainers: containers(1), containers: containers(1) },
    {
      phase: "Pending",
      initContainerStatuses: [initStatus({ terminated: { exitCode: 0, reason: "Completed" } })],
      containerStatuses: [initStatus({ waiting: { reason: "PodInitializing" } })],
    },
  );
  assert.deepEqual(narrow(initialized), ["test", "0/1", "PodInitializing", "0", "<unknown>"]);

  const signalled = pod(
    { containers: containers(1) },
    { phase: "Running", containerStatuses: [initStatus({ terminated: { exitCode: 143, signal: 15 } })] },
  );
  assert.equal(narrow(signalled)[2], "Signal:15");
  const exited = pod(
    { containers: containers(1) },
    { phase: "Running", containerStatuses: [initStatus({ terminated: { exitCode: 2 } })] },
  );
  assert.equal(narrow(exited)[2], "ExitCode:2");
});

test("a pod on an unreachable node being deleted is Unknown", () => {
  const lost = pod(
    { containers: containers(1), nodeName: "n1" },
    { phase: "Running", reason: "NodeLost", containerStatuses: [] },
    { name: "test", deletionTimestamp: ago(30) },
  );
  assert.equal(narrow(lost)[2], "Unknown");
  // Without a deletion timestamp the pod's reason shows as is.
  assert.equal(narrow({ ...lost, metadata: { name: "test" } })[2], "NodeLost");
});

test("phases print as the status when nothing overrides them (TestPrintNonTerminatedPod)", () => {
  const statuses: ContainerStatus[] = [
    { name: "c0", image: "", imageID: "", ready: true, restartCount: 3, state: running },
    { name: "c1", image: "", imageID: "", ready: false, restartCount: 3 },
  ];
  for (const phase of ["Running", "Pending", "Unknown", "Succeeded", "Failed"]) {
    const p = pod({ containers: containers(2) }, { phase, containerStatuses: statuses });
    assert.deepEqual(narrow(p), ["test", "1/2", phase, "6", "<unknown>"]);
  }
});

test("wide columns: IP, node, nominated node and readiness gates (TestPrintPodwide)", () => {
  const gated = pod(
    {
      containers: containers(2),
      nodeName: "test1",
      readinessGates: [
        { conditionType: "condition1" },
        { conditionType: "condition2" },
        { conditionType: "condition3" },
      ],
    },
    {
      conditions: [
        { type: "condition1", status: "False" },
        { type: "condition2", status: "True" },
      ],
      phase: "podPhase",
      podIPs: [{ ip: "1.1.1.1" }, { ip: "2001:db8::" }],
      containerStatuses: [
        { name: "c0", image: "", imageID: "", ready: true, restartCount: 3, state: running },
        { name: "c1", image: "", imageID: "", ready: false, restartCount: 3 },
      ],
      nominatedNodeName: "node1",
    },
    { name: "test1" },
  );
  assert.deepEqual(podPrinter.print(gated, { now }).cells, [
    "test1",
    "1/2",
    "podPhase",
    "6",
    "<unknown>",
    "1.1.1.1",
    "test1",
    "node1",
    "1/3",
  ]);
  // v1 status.podIP is authoritative over podIPs.
  assert.equal(
    podPrinter.print({ ...gated, status: { ...gated.status, podIP: "10.0.0.9" } }, { now }).cells[5],
    "10.0.0.9",
  );

  const bare = pod(
    { containers: containers(2) },
    {
      phase: "podPhase",
      containerStatuses: [
        { name: "c0", image: "", imageID: "", ready: true, restartCount: 3, state: running },
        {
          name: "c1",
          image: "",
          imageID: "",
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: "ContainerWaitingReason" } },
        },
      ],
    },
    { name: "test2" },
  );
  assert.deepEqual(podPrinter.print(bare, { now }).cells, [
    "test2",
    "1/2",
    "ContainerWaitingReason",
    "6",
    "<unknown>",
    "<none>",
    "<none>",
    "<none>",
    "<none>",
  ]);
});

test("a realistic running pod", () => {
  const p: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "nginx-7c5ddbdf54-x2x7k", namespace: "default", creationTimestamp: ago(200) },
    spec: { nodeName: "node-1", containers: [{ name: "nginx", image: "nginx:1.27" }] },
    status: {
      phase: "Running",
      podIP: "10.244.0.5",
      podIPs: [{ ip: "10.244.0.5" }],
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [
        { name: "nginx", image: "nginx:1.27", imageID: "", ready: true, restartCount: 0, state: running },
      ],
    },
  };
  assert.deepEqual(podPrinter.print(p, { now }).cells, [
    "nginx-7c5ddbdf54-x2x7k",
    "1/1",
    "Running",
    "0",
    "3m20s",
    "10.244.0.5",
    "node-1",
    "<none>",
    "<none>",
  ]);
});
