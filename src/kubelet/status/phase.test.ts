// Table cases from upstream's pkg/kubelet/kubelet_pods_test.go (TestPodPhaseWith*).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Container, ContainerStatus, Pod } from "kubernetes-types/core/v1.d.ts";
import { hasAnyRegularContainerStarted } from "./conditions.ts";
import { getPhase } from "./phase.ts";

const runningState = (name: string): ContainerStatus => ({
  name,
  state: { running: {} },
  ready: false,
  restartCount: 0,
  image: "",
  imageID: "",
});
const startedState = (name: string): ContainerStatus => ({ ...runningState(name), started: true });
const stoppedState = (name: string): ContainerStatus => ({
  ...runningState(name),
  state: { terminated: { exitCode: 0 } },
});
const succeededState = stoppedState;
const failedState = (name: string): ContainerStatus => ({
  ...runningState(name),
  state: { terminated: { exitCode: -1 } },
});
const waitingState = (name: string): ContainerStatus => ({
  ...runningState(name),
  state: { waiting: { reason: "ContainerCreating" } },
});
const waitingStateWithLastTermination = (name: string): ContainerStatus => ({
  ...waitingState(name),
  lastState: { terminated: { exitCode: 0 } },
});
const waitingStateWithNonZeroTermination = (name: string): ContainerStatus => ({
  ...waitingState(name),
  lastState: { terminated: { exitCode: -1 } },
});

type Case = [
  name: string,
  init: ContainerStatus[],
  containers: ContainerStatus[],
  want: string,
  podIsTerminal?: boolean,
];

function run(restartPolicy: string, initContainers: Container[], cases: Case[]) {
  const pod: Pod = {
    spec: {
      nodeName: "machine",
      initContainers,
      containers: [{ name: "containerA" }, { name: "containerB" }],
      restartPolicy,
    },
  };
  for (const [name, init, containers, want, terminal] of cases) {
    const info = [...init, ...containers];
    const got = getPhase(pod, info, terminal === true, hasAnyRegularContainerStarted(pod, info));
    assert.equal(got, want, name);
  }
}

const X = [{ name: "containerX" }];
const sidecarX = [{ name: "containerX", restartPolicy: "Always" }];
const A = "containerA";
const B = "containerB";

test("TestPodPhaseWithRestartAlways", () => {
  run(
    "Always",
    [],
    [
      ["waiting", [], [], "Pending"],
      ["all running", [], [runningState(A), runningState(B)], "Running"],
      ["all stopped with restart always", [], [stoppedState(A), stoppedState(B)], "Running"],
      [
        "all succeeded with restart always, but the pod is terminal",
        [],
        [succeededState(A), succeededState(B)],
        "Succeeded",
        true,
      ],
      [
        "all stopped with restart always, but the pod is terminal",
        [],
        [succeededState(A), failedState(B)],
        "Failed",
        true,
      ],
      ["mixed state #1 with restart always", [], [runningState(A), stoppedState(B)], "Running"],
      ["mixed state #2 with restart always", [], [runningState(A)], "Pending"],
      ["mixed state #3 with restart always", [], [runningState(A), waitingState(B)], "Pending"],
      [
        "backoff crashloop container with restart always",
        [],
        [runningState(A), waitingStateWithLastTermination(B)],
        "Running",
      ],
    ],
  );
});

test("TestPodPhaseWithRestartAlwaysInitContainers", () => {
  run("Always", X, [
    ["empty, waiting", [], [], "Pending"],
    ["init container running", [runningState("containerX")], [], "Pending"],
    ["init container terminated non-zero", [failedState("containerX")], [], "Pending"],
    [
      "init container waiting, terminated zero",
      [waitingStateWithLastTermination("containerX")],
      [],
      "Pending",
    ],
    [
      "init container waiting, terminated non-zero",
      [waitingStateWithNonZeroTermination("containerX")],
      [],
      "Pending",
    ],
    ["init container waiting, not terminated", [waitingState("containerX")], [], "Pending"],
    [
      "init container succeeded",
      [succeededState("containerX")],
      [runningState(A), runningState(B)],
      "Running",
    ],
  ]);
});

test("TestPodPhaseWithRestartAlwaysRestartableInitContainers", () => {
  run("Always", sidecarX, [
    ["empty, waiting", [], [], "Pending"],
    ["restartable init container running", [runningState("containerX")], [], "Pending"],
    ["restartable init container stopped", [stoppedState("containerX")], [], "Pending"],
    ["restartable init container waiting, not terminated", [waitingState("containerX")], [], "Pending"],
    [
      "restartable init container started, 1/2 regular container running",
      [startedState("containerX")],
      [runningState(A)],
      "Pending",
    ],
    [
      "restartable init container started, all regular containers running",
      [startedState("containerX")],
      [runningState(A), runningState(B)],
      "Running",
    ],
    [
      "restartable init container stopped, all regular containers running",
      [stoppedState("containerX")],
      [runningState(A), runningState(B)],
      "Running",
    ],
    [
      "all regular containers succeeded and restartable init container failed with restart always, but the pod is terminal",
      [failedState("containerX")],
      [succeededState(A), succeededState(B)],
      "Succeeded",
      true,
    ],
  ]);
});

test("TestPodPhaseWithRestartAlwaysAndPodHasRun", () => {
  const pod: Pod = {
    spec: {
      initContainers: [{ name: "containerX" }, { name: "containerY", restartPolicy: "Always" }],
      containers: [{ name: "containerA" }],
      restartPolicy: "Always",
    },
  };
  const cases: Array<[string, ContainerStatus[], string]> = [
    [
      "regular init containers, restartable init container and regular container are all running",
      [runningState("containerX"), runningState("containerY"), runningState(A)],
      "Pending",
    ],
    [
      "regular containers is stopped, restartable init container and regular int container are both running",
      [runningState("containerX"), runningState("containerY"), stoppedState(A)],
      "Pending",
    ],
    [
      "regular init container is succeeded, restartable init container is running, regular containers is stopped",
      [succeededState("containerX"), runningState("containerY"), stoppedState(A)],
      "Running",
    ],
  ];
  for (const [name, info, want] of cases) {
    assert.equal(getPhase(pod, info, false, hasAnyRegularContainerStarted(pod, info)), want, name);
  }
});

test("TestPodPhaseWithRestartNever", () => {
  run(
    "Never",
    [],
    [
      ["waiting", [], [], "Pending"],
      ["all running with restart never", [], [runningState(A), runningState(B)], "Running"],
      ["all succeeded with restart never", [], [succeededState(A), succeededState(B)], "Succeeded"],
      ["all failed with restart never", [], [failedState(A), failedState(B)], "Failed"],
      ["mixed state #1 with restart never", [], [runningState(A), succeededState(B)], "Running"],
      ["mixed state #2 with restart never", [], [runningState(A)], "Pending"],
      ["mixed state #3 with restart never", [], [runningState(A), waitingState(B)], "Pending"],
    ],
  );
});

test("TestPodPhaseWithRestartNeverInitContainers", () => {
  run("Never", X, [
    ["init container running", [runningState("containerX")], [], "Pending"],
    ["init container terminated non-zero", [failedState("containerX")], [], "Failed"],
    [
      "init container waiting, terminated zero",
      [waitingStateWithLastTermination("containerX")],
      [],
      "Pending",
    ],
    [
      "init container waiting, terminated non-zero",
      [waitingStateWithNonZeroTermination("containerX")],
      [],
      "Failed",
    ],
    [
      "init container succeeded",
      [succeededState("containerX")],
      [runningState(A), runningState(B)],
      "Running",
    ],
  ]);
});

test("TestPodPhaseWithRestartNeverRestartableInitContainers", () => {
  run("Never", sidecarX, [
    ["restartable init container stopped", [stoppedState("containerX")], [], "Pending"],
    [
      "restartable init container started, one main container running",
      [startedState("containerX")],
      [runningState(A)],
      "Pending",
    ],
    [
      "restartable init container started, main containers succeeded",
      [startedState("containerX")],
      [succeededState(A), succeededState(B)],
      "Running",
    ],
    [
      "all containers succeeded",
      [succeededState("containerX")],
      [succeededState(A), succeededState(B)],
      "Succeeded",
    ],
    [
      "restartable init container terminated non-zero, main containers succeeded",
      [failedState("containerX")],
      [succeededState(A), succeededState(B)],
      "Succeeded",
    ],
    [
      "backoff crashloop with non-zero restartable init container, main containers succeeded",
      [waitingStateWithNonZeroTermination("containerX")],
      [succeededState(A), succeededState(B)],
      "Succeeded",
    ],
  ]);
});

test("TestPodPhaseWithRestartOnFailure", () => {
  run(
    "OnFailure",
    [],
    [
      ["waiting", [], [], "Pending"],
      ["all running with restart onfailure", [], [runningState(A), runningState(B)], "Running"],
      ["all succeeded with restart onfailure", [], [succeededState(A), succeededState(B)], "Succeeded"],
      ["all failed with restart never", [], [failedState(A), failedState(B)], "Running"],
      ["mixed state #1 with restart onfailure", [], [runningState(A), succeededState(B)], "Running"],
      ["mixed state #2 with restart onfailure", [], [runningState(A)], "Pending"],
      ["mixed state #3 with restart onfailure", [], [runningState(A), waitingState(B)], "Pending"],
      [
        "backoff crashloop container with restart onfailure",
        [],
        [runningState(A), waitingStateWithLastTermination(B)],
        "Running",
      ],
    ],
  );
});

test("static pods keep a non-terminal phase even when the pod is terminal (TODO #116484)", () => {
  const pod: Pod = {
    metadata: { annotations: { "kubernetes.io/config.source": "file" } },
    spec: { containers: [{ name: A }], restartPolicy: "Always" },
  };
  assert.equal(getPhase(pod, [succeededState(A)], true, true), "Running");
});
