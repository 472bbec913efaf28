// Matching failed pods against podFailurePolicy rules (upstream's
// pod_failure_policy_test.go), including the exact FailJob messages.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PodFailurePolicy } from "kubernetes-types/batch/v1.d.ts";
import type { ContainerStatus, Pod } from "kubernetes-types/core/v1.d.ts";
import { matchPodFailurePolicy } from "./pod-failure-policy.ts";

function cs(name: string, exitCode?: number): ContainerStatus {
  return {
    name,
    image: "i",
    imageID: "",
    ready: false,
    restartCount: 0,
    state: exitCode === undefined ? { running: {} } : { terminated: { exitCode } },
  };
}

function failedPod(
  containers: ContainerStatus[],
  init: ContainerStatus[] = [],
  conditions: Pod["status"] = {},
): Pod {
  return {
    metadata: { namespace: "default", name: "mypod" },
    status: { phase: "Failed", containerStatuses: containers, initContainerStatuses: init, ...conditions },
  };
}

test("no policy: counted, no action", () => {
  assert.deepEqual(matchPodFailurePolicy(undefined, failedPod([cs("c", 1)])), { countFailed: true });
});

test("FailJob on an exit code, with upstream's message", () => {
  const policy: PodFailurePolicy = {
    rules: [
      { action: "Ignore", onExitCodes: { operator: "In", values: [1, 2] } },
      { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [42] } },
    ],
  };
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod([cs("side", 0), cs("main", 42)])), {
    failJobMessage:
      "Container main for pod default/mypod failed with exit code 42 matching FailJob rule at index 1",
    countFailed: true,
    action: "FailJob",
  });
  // Another container's 42 does not match the named container.
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod([cs("other", 42)])), { countFailed: true });
});

test("Ignore is not counted; Count is; NotIn ignores exit code 0", () => {
  const policy: PodFailurePolicy = {
    rules: [
      { action: "Ignore", onExitCodes: { operator: "In", values: [3] } },
      { action: "Count", onExitCodes: { operator: "NotIn", values: [3, 4] } },
    ],
  };
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod([cs("c", 3)])), {
    countFailed: false,
    action: "Ignore",
  });
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod([cs("c", 5)])), {
    countFailed: true,
    action: "Count",
  });
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod([cs("c", 0)])), { countFailed: true });
  // A container still running has no exit code to match.
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod([cs("c")])), { countFailed: true });
});

test("init containers are matched after regular ones", () => {
  const policy: PodFailurePolicy = {
    rules: [{ action: "FailIndex", onExitCodes: { operator: "In", values: [7] } }],
  };
  assert.deepEqual(matchPodFailurePolicy(policy, failedPod([], [cs("init", 7)])), {
    countFailed: true,
    action: "FailIndex",
  });
});

test("pod conditions: Ignore on DisruptionTarget, FailJob message names the condition", () => {
  const conditions = { conditions: [{ type: "DisruptionTarget", status: "True" }] };
  const ignore: PodFailurePolicy = {
    rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }],
  };
  assert.deepEqual(matchPodFailurePolicy(ignore, failedPod([cs("c", 137)], [], conditions)), {
    countFailed: false,
    action: "Ignore",
  });
  const failJob: PodFailurePolicy = {
    rules: [
      { action: "Count", onPodConditions: [{ type: "DisruptionTarget", status: "False" }] },
      { action: "FailJob", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
    ],
  };
  assert.deepEqual(matchPodFailurePolicy(failJob, failedPod([cs("c", 137)], [], conditions)), {
    failJobMessage: "Pod default/mypod has condition DisruptionTarget matching FailJob rule at index 1",
    countFailed: true,
    action: "FailJob",
  });
});
