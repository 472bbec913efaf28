// tryUpdateNodeHealth's rules: heartbeats are changes seen on the
// controller's clock (a Ready heartbeat or a lease renewal), and after the
// grace period the conditions go Unknown with upstream's reasons.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import type { Node, NodeStatus } from "kubernetes-types/core/v1.d.ts";
import { computeNodeHealth, microTimeValue, type NodeHealthData } from "./node-health.ts";

const GRACE = { nodeMonitorGracePeriodMs: 40_000, nodeStartupGracePeriodMs: 60_000 };
const t0 = Date.parse("2024-03-01T12:00:00Z");

function node(heartbeat: string | undefined): Node & { status: NodeStatus } {
  return {
    metadata: { name: "node-1", creationTimestamp: "2024-03-01T11:00:00Z" },
    status: heartbeat
      ? {
          conditions: [
            {
              type: "Ready",
              status: "True",
              reason: "KubeletReady",
              message: "kubelet is posting ready status",
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: "2024-03-01T11:00:00Z",
            },
            { type: "MemoryPressure", status: "False", lastHeartbeatTime: heartbeat },
            { type: "DiskPressure", status: "False", lastHeartbeatTime: heartbeat },
          ],
        }
      : {},
  };
}

const lease = (renewTime: string): Lease => ({
  metadata: { name: "node-1", namespace: "kube-node-lease" },
  spec: { renewTime },
});

test("first sight: now is the probe time; nothing changes", () => {
  const r = computeNodeHealth(node("2024-03-01T11:59:00Z"), undefined, undefined, t0, GRACE);
  assert.equal(r.nodeHealth.probeTimestamp, t0);
  assert.equal(r.statusChanged, false);
  assert.equal(r.currentReadyCondition?.status, "True");
  assert.equal(r.gracePeriodMs, 40_000);
});

test("no heartbeat past the grace period: Unknown, with upstream's reasons", () => {
  const first = computeNodeHealth(node("2024-03-01T11:59:00Z"), undefined, undefined, t0, GRACE);
  const n = node("2024-03-01T11:59:00Z");
  assert.equal(computeNodeHealth(n, first.nodeHealth, undefined, t0 + 40_000, GRACE).statusChanged, false);
  const r = computeNodeHealth(n, first.nodeHealth, undefined, t0 + 40_001, GRACE);
  assert.equal(r.statusChanged, true);
  assert.equal(r.observedReadyCondition.status, "True");
  assert.deepEqual(r.currentReadyCondition, {
    type: "Ready",
    status: "Unknown",
    reason: "NodeStatusUnknown",
    message: "Kubelet stopped posting node status.",
    lastHeartbeatTime: "2024-03-01T11:59:00Z",
    lastTransitionTime: "2024-03-01T12:00:40Z",
  });
  const byType = Object.fromEntries((n.status.conditions ?? []).map((c) => [c.type, c]));
  assert.equal(byType.MemoryPressure.status, "Unknown");
  assert.equal(byType.MemoryPressure.reason, "NodeStatusUnknown");
  // Never posted by the kubelet: added as never updated.
  assert.deepEqual(byType.PIDPressure, {
    type: "PIDPressure",
    status: "Unknown",
    reason: "NodeStatusNeverUpdated",
    message: "Kubelet never posted node status.",
    lastHeartbeatTime: "2024-03-01T11:00:00Z",
    lastTransitionTime: "2024-03-01T12:00:40Z",
  });
});

test("a new Ready heartbeat or a renewed lease keeps the node alive", () => {
  const first = computeNodeHealth(
    node("2024-03-01T11:59:00Z"),
    undefined,
    lease("2024-03-01T11:59:50.000001Z"),
    t0,
    GRACE,
  );
  // The heartbeat moved on: seen at t0+30 s.
  const second = computeNodeHealth(
    node("2024-03-01T12:00:30Z"),
    first.nodeHealth,
    undefined,
    t0 + 30_000,
    GRACE,
  );
  assert.equal(second.nodeHealth.probeTimestamp, t0 + 30_000);
  const h: NodeHealthData = { ...second.nodeHealth, lease: lease("2024-03-01T11:59:50.000001Z") };
  // The lease renews a microsecond later: a heartbeat.
  const third = computeNodeHealth(
    node("2024-03-01T12:00:30Z"),
    h,
    lease("2024-03-01T11:59:50.000002Z"),
    t0 + 60_000,
    GRACE,
  );
  assert.equal(third.nodeHealth.probeTimestamp, t0 + 60_000);
  assert.equal(third.statusChanged, false);
  // The same lease again is no heartbeat.
  const fourth = computeNodeHealth(
    node("2024-03-01T12:00:30Z"),
    third.nodeHealth,
    lease("2024-03-01T11:59:50.000002Z"),
    t0 + 100_001,
    GRACE,
  );
  assert.equal(fourth.statusChanged, true);
});

test("a node that never posted status gets the startup grace period from its creation", () => {
  const r = computeNodeHealth(
    node(undefined),
    undefined,
    undefined,
    Date.parse("2024-03-01T11:01:00Z"),
    GRACE,
  );
  assert.equal(r.gracePeriodMs, 60_000);
  assert.equal(r.statusChanged, false);
  const n = node(undefined);
  const late = computeNodeHealth(n, r.nodeHealth, undefined, Date.parse("2024-03-01T11:01:00.001Z"), GRACE);
  assert.equal(late.statusChanged, true);
  assert.equal(late.currentReadyCondition?.reason, "NodeStatusNeverUpdated");
});

test("microTimeValue orders renewTimes to the microsecond", () => {
  assert.ok(microTimeValue("2024-03-01T12:00:00.000002Z") > microTimeValue("2024-03-01T12:00:00.000001Z"));
  assert.equal(microTimeValue("2024-03-01T12:00:00Z"), Date.parse("2024-03-01T12:00:00Z") * 1000);
  assert.equal(microTimeValue(undefined), 0);
});
