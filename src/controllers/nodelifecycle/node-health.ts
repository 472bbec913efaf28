// upstream's tryUpdateNodeHealth, the arithmetic part: a node is alive while
// its kubelet keeps changing something, either the Ready condition's
// lastHeartbeatTime or its Lease's renewTime. The controller never compares
// the kubelet's timestamps with its own clock (they may be skewed): it notes,
// on its own clock, when it last saw either change (probeTimestamp), and once
// that is older than the grace period it marks the node's conditions Unknown.
import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import type { Node, NodeCondition, NodeStatus } from "kubernetes-types/core/v1.d.ts";
import { metaTime } from "../../client/event-correlator.ts";
import { getNodeCondition } from "./node-taints.ts";

/** nodeHealthData: what the controller last saw of a node, and when (its own clock). */
export interface NodeHealthData {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  status: NodeStatus;
  lease?: Lease;
}

/** The conditions marked Unknown when the kubelet goes silent (NetworkUnavailable belongs to the control plane). */
export const NODE_CONDITION_TYPES_TO_UNKNOWN = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

export interface NodeHealthResult {
  gracePeriodMs: number;
  /** The Ready condition as the kubelet last posted it (a stand-in when it never did). */
  observedReadyCondition: NodeCondition;
  /** The Ready condition after this check (Unknown when it just went stale). */
  currentReadyCondition?: NodeCondition;
  nodeHealth: NodeHealthData;
  /** The node's status changed here and must be written (UpdateStatus) before nodeHealth is stored. */
  statusChanged: boolean;
}

/** metav1.MicroTime as microseconds since the epoch, for ordering renewTimes. */
export function microTimeValue(s: string | undefined): number {
  if (!s) return 0;
  const m = /\.(\d{1,9})Z$/.exec(s);
  const whole = Date.parse(m ? s.replace(/\.\d+Z$/, "Z") : s);
  if (Number.isNaN(whole)) return 0;
  const frac = m ? Number(`${m[1]}000000`.slice(0, 6)) : 0;
  return whole * 1000 + frac;
}

function sameCondition(a: NodeCondition | undefined, b: NodeCondition | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.type === b.type &&
    a.status === b.status &&
    (a.reason ?? "") === (b.reason ?? "") &&
    (a.message ?? "") === (b.message ?? "") &&
    (a.lastHeartbeatTime ?? null) === (b.lastHeartbeatTime ?? null) &&
    (a.lastTransitionTime ?? null) === (b.lastTransitionTime ?? null)
  );
}

/**
 * tryUpdateNodeHealth without the write: node is the controller's own copy
 * and is changed in place when its conditions go Unknown.
 */
export function computeNodeHealth(
  node: Node & { status: NodeStatus },
  saved: NodeHealthData | undefined,
  observedLease: Lease | undefined,
  now: number,
  o: { nodeMonitorGracePeriodMs: number; nodeStartupGracePeriodMs: number; log?(msg: string): void },
): NodeHealthResult {
  const log = o.log ?? (() => {});
  const name = node.metadata?.name;
  const status = node.status;
  const created = node.metadata?.creationTimestamp;
  const createdMs = Date.parse(created ?? "") || 0;
  let nodeHealth = saved ? { ...saved } : undefined;
  let gracePeriodMs: number;
  let observedReadyCondition: NodeCondition;
  let currentReadyCondition = getNodeCondition(status.conditions, "Ready");
  if (!currentReadyCondition) {
    // Never posted: count from the node's creation, with the longer startup grace.
    observedReadyCondition = {
      type: "Ready",
      status: "Unknown",
      lastHeartbeatTime: created,
      lastTransitionTime: created,
    };
    gracePeriodMs = o.nodeStartupGracePeriodMs;
    if (nodeHealth) nodeHealth.status = status;
    else nodeHealth = { status, probeTimestamp: createdMs, readyTransitionTimestamp: createdMs };
  } else {
    observedReadyCondition = { ...currentReadyCondition };
    gracePeriodMs = o.nodeMonitorGracePeriodMs;
  }

  const savedCondition = nodeHealth ? getNodeCondition(nodeHealth.status.conditions, "Ready") : undefined;
  const savedLease = nodeHealth?.lease;
  if (!nodeHealth) {
    log(`Missing timestamp for Node. Assuming now as a timestamp node=${JSON.stringify(name)}`);
    nodeHealth = { status, probeTimestamp: now, readyTransitionTimestamp: now };
  } else if (!savedCondition && currentReadyCondition) {
    nodeHealth = { status, probeTimestamp: now, readyTransitionTimestamp: now };
  } else if (savedCondition && !currentReadyCondition) {
    log(`ReadyCondition was removed from Status of Node node=${JSON.stringify(name)}`);
    nodeHealth = { status, probeTimestamp: now, readyTransitionTimestamp: now };
  } else if (
    savedCondition &&
    currentReadyCondition &&
    savedCondition.lastHeartbeatTime !== currentReadyCondition.lastHeartbeatTime
  ) {
    const transition =
      savedCondition.lastTransitionTime !== currentReadyCondition.lastTransitionTime
        ? now
        : nodeHealth.readyTransitionTimestamp;
    nodeHealth = { status, probeTimestamp: now, readyTransitionTimestamp: transition };
  }
  // A renewed lease is a heartbeat too (a kubelet that never posted status but renews is left alone).
  if (
    observedLease &&
    (!savedLease ||
      microTimeValue(savedLease.spec?.renewTime) < microTimeValue(observedLease.spec?.renewTime))
  ) {
    nodeHealth.lease = observedLease;
    nodeHealth.probeTimestamp = now;
  }

  let statusChanged = false;
  if (now > nodeHealth.probeTimestamp + gracePeriodMs) {
    const nowTime = metaTime(now);
    status.conditions ??= [];
    for (const type of NODE_CONDITION_TYPES_TO_UNKNOWN) {
      const c = getNodeCondition(status.conditions, type);
      if (!c) {
        status.conditions.push({
          type,
          status: "Unknown",
          reason: "NodeStatusNeverUpdated",
          message: "Kubelet never posted node status.",
          lastHeartbeatTime: created,
          lastTransitionTime: nowTime,
        });
      } else if (c.status !== "Unknown") {
        c.status = "Unknown";
        c.reason = "NodeStatusUnknown";
        c.message = "Kubelet stopped posting node status.";
        c.lastTransitionTime = nowTime;
      }
    }
    currentReadyCondition = getNodeCondition(status.conditions, "Ready");
    statusChanged = !sameCondition(currentReadyCondition, observedReadyCondition);
  }
  return { gracePeriodMs, observedReadyCondition, currentReadyCondition, nodeHealth, statusChanged };
}
