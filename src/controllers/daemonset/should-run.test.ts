// NodeShouldRunDaemonPod, after upstream's TestNodeShouldRunDaemonPod and
// TestTaintedNode* cases: name, nodeSelector, required affinity, and taints
// (NoSchedule blocks new pods but lets a running one stay; NoExecute blocks
// both; the default daemon tolerations cover node conditions).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type { Node, PodSpec, Taint } from "kubernetes-types/core/v1.d.ts";
import { newDaemonPod, nodeShouldRunDaemonPod } from "./should-run.ts";

function ds(spec: Partial<PodSpec> = {}): DaemonSet {
  return {
    metadata: { name: "ds", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "ds" } },
      template: {
        metadata: { labels: { app: "ds" } },
        spec: { containers: [{ name: "c", image: "i" }], ...spec },
      },
    },
  };
}

function node(
  name: string,
  o: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {},
): Node {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: { cpu: "0", memory: "0", pods: "0" } },
  };
}

const run = (n: Node, d: DaemonSet) => nodeShouldRunDaemonPod(n, d);
const BOTH = { shouldRun: true, shouldContinueRunning: true };
const NEITHER = { shouldRun: false, shouldContinueRunning: false };
const STAY = { shouldRun: false, shouldContinueRunning: true };

describe("nodeShouldRunDaemonPod", () => {
  it("runs on any node; resources are the scheduler's business (upstream dropped the resource predicate)", () => {
    assert.deepEqual(
      run(node("n"), ds({ containers: [{ name: "c", resources: { requests: { cpu: "8" } } }] })),
      BOTH,
    );
  });

  it("a template nodeName restricts it to that node", () => {
    assert.deepEqual(run(node("a"), ds({ nodeName: "a" })), BOTH);
    assert.deepEqual(run(node("b"), ds({ nodeName: "a" })), NEITHER);
  });

  it("nodeSelector and required node affinity must match", () => {
    assert.deepEqual(
      run(node("n", { labels: { disk: "ssd" } }), ds({ nodeSelector: { disk: "ssd" } })),
      BOTH,
    );
    assert.deepEqual(run(node("n"), ds({ nodeSelector: { disk: "ssd" } })), NEITHER);
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] }],
        },
      },
    };
    assert.deepEqual(run(node("n", { labels: { zone: "b" } }), ds({ affinity })), BOTH);
    assert.deepEqual(run(node("n", { labels: { zone: "c" } }), ds({ affinity })), NEITHER);
    // Preferred terms never keep a daemon pod off a node.
    const preferred = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 1, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["x"] }] } },
        ],
      },
    };
    assert.deepEqual(run(node("n"), ds({ affinity: preferred })), BOTH);
  });

  it("an untolerated NoSchedule taint stops new pods but lets a running one stay", () => {
    const taint: Taint = { key: "dedicated", value: "db", effect: "NoSchedule" };
    assert.deepEqual(run(node("n", { taints: [taint] }), ds()), STAY);
    const tolerating = ds({
      tolerations: [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }],
    });
    assert.deepEqual(run(node("n", { taints: [taint] }), tolerating), BOTH);
  });

  it("an untolerated NoExecute taint stops both; a tolerated one stops neither", () => {
    const taint: Taint = { key: "dedicated", effect: "NoExecute" };
    assert.deepEqual(run(node("n", { taints: [taint] }), ds()), NEITHER);
    assert.deepEqual(
      run(node("n", { taints: [taint] }), ds({ tolerations: [{ operator: "Exists" }] })),
      BOTH,
    );
    // NoSchedule tolerated, NoExecute not: neither.
    const both: Taint[] = [{ key: "a", effect: "NoSchedule" }, taint];
    assert.deepEqual(
      run(node("n", { taints: both }), ds({ tolerations: [{ key: "a", operator: "Exists" }] })),
      NEITHER,
    );
  });

  it("PreferNoSchedule taints are ignored", () => {
    assert.deepEqual(run(node("n", { taints: [{ key: "x", effect: "PreferNoSchedule" }] }), ds()), BOTH);
  });

  it("the default daemon tolerations cover not-ready, unreachable, pressure and unschedulable taints", () => {
    for (const taint of [
      { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
      { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
      { key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" },
      { key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" },
      { key: "node.kubernetes.io/pid-pressure", effect: "NoSchedule" },
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
    ]) {
      assert.deepEqual(run(node("n", { taints: [taint] }), ds()), BOTH, taint.key);
    }
    // not-ready as NoSchedule is not in the default set.
    assert.deepEqual(
      run(node("n", { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] }), ds()),
      STAY,
    );
    // A cordoned node (spec.unschedulable without the taint) still runs daemon pods.
    assert.deepEqual(run(node("n", { unschedulable: true }), ds()), BOTH);
  });

  it("network-unavailable is tolerated only by hostNetwork pods", () => {
    const taints: Taint[] = [{ key: "node.kubernetes.io/network-unavailable", effect: "NoSchedule" }];
    assert.deepEqual(run(node("n", { taints }), ds()), STAY);
    assert.deepEqual(run(node("n", { taints }), ds({ hostNetwork: true })), BOTH);
  });
});

describe("newDaemonPod", () => {
  it("is the template on the node with the default tolerations, leaving the DaemonSet untouched", () => {
    const d = ds({ tolerations: [{ key: "mine", operator: "Exists" }] });
    const pod = newDaemonPod(d, "n1");
    assert.equal(pod.spec?.nodeName, "n1");
    assert.equal(pod.metadata?.namespace, "default");
    assert.deepEqual(pod.metadata?.labels, { app: "ds" });
    assert.equal(pod.spec?.tolerations?.length, 7);
    assert.deepEqual(d.spec?.template.spec?.tolerations, [{ key: "mine", operator: "Exists" }]);
    assert.equal(d.spec?.template.spec?.nodeName, undefined);
  });
});
