// Pod status writes the node controllers share: upstream's
// apipod.UpdatePodCondition (pkg/api/v1/pod) and utilpod.PatchPodStatus
// (pkg/util/pod), whose strategic merge patch carries the pod's uid so that
// it never lands on a pod recreated under the same name.
import type { Pod, PodCondition, PodStatus } from "kubernetes-types/core/v1.d.ts";
import { metaTime } from "../../client/event-correlator.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";

/** v1.DisruptionTarget: the pod is about to be deleted because of a disruption. */
export const DISRUPTION_TARGET = "DisruptionTarget";

/**
 * UpdatePodCondition: sets the condition in status (adding it when absent),
 * keeping lastTransitionTime when the status did not change. Returns whether
 * anything changed. Mutates status and condition.
 */
export function updatePodCondition(status: PodStatus, condition: PodCondition, nowMs: number): boolean {
  condition.lastTransitionTime = metaTime(nowMs);
  status.conditions ??= [];
  const i = status.conditions.findIndex((c) => c.type === condition.type);
  if (i === -1) {
    status.conditions.push(condition);
    return true;
  }
  const old = status.conditions[i];
  if (condition.status === old.status) condition.lastTransitionTime = old.lastTransitionTime;
  const isEqual =
    condition.status === old.status &&
    (condition.reason ?? "") === (old.reason ?? "") &&
    (condition.message ?? "") === (old.message ?? "") &&
    (condition.lastProbeTime ?? null) === (old.lastProbeTime ?? null) &&
    (condition.lastTransitionTime ?? null) === (old.lastTransitionTime ?? null);
  status.conditions[i] = condition;
  return !isEqual;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The fields of one condition that differ, as CreateTwoWayMergePatch writes them (the merge key always). */
function conditionDiff(old: PodCondition, cur: PodCondition): Record<string, Json> | undefined {
  const out: Record<string, Json> = {};
  const keys = new Set([...Object.keys(old), ...Object.keys(cur)]) as Set<keyof PodCondition>;
  for (const k of [...keys].sort()) {
    if (!same(old[k], cur[k])) out[k] = (cur[k] ?? null) as Json;
  }
  if (Object.keys(out).length === 0) return undefined;
  return { ...out, type: cur.type };
}

/**
 * The strategic merge patch from oldStatus to newStatus for the fields the
 * node controllers change (scalars such as phase, and conditions merged by
 * type, with $setElementOrder as CreateTwoWayMergePatch writes it), with
 * metadata.uid as a precondition. Undefined when nothing changed.
 */
export function podStatusPatch(uid: string | undefined, oldStatus: PodStatus, newStatus: PodStatus) {
  const status: Record<string, Json> = {};
  const keys = new Set([...Object.keys(oldStatus), ...Object.keys(newStatus)]) as Set<keyof PodStatus>;
  for (const k of [...keys].sort()) {
    if (k === "conditions") continue;
    if (!same(oldStatus[k], newStatus[k])) status[k] = (newStatus[k] ?? null) as Json;
  }
  const oldConds = oldStatus.conditions ?? [];
  const newConds = newStatus.conditions ?? [];
  const changed: Json[] = [];
  for (const c of newConds) {
    const o = oldConds.find((x) => x.type === c.type);
    const d = o ? conditionDiff(o, c) : (c as unknown as Record<string, Json>);
    if (d) changed.push(d);
  }
  const removed = oldConds.filter((o) => !newConds.some((c) => c.type === o.type));
  for (const o of removed) changed.push({ $patch: "delete", type: o.type });
  if (changed.length > 0) {
    status["$setElementOrder/conditions"] = newConds.map((c) => ({ type: c.type }));
    status.conditions = changed;
  }
  if (Object.keys(status).length === 0) return undefined;
  return { metadata: { uid: uid ?? null }, status };
}

/** PatchPodStatus: patches pods/status from oldStatus to newStatus; no request when nothing changed. */
export async function patchPodStatus(
  client: RestClient,
  pod: Pod,
  oldStatus: PodStatus,
  newStatus: PodStatus,
): Promise<Pod | undefined> {
  const patch = podStatusPatch(pod.metadata?.uid, oldStatus, newStatus);
  if (!patch) return undefined;
  try {
    return await client.patch<Pod>(Resources.pods, pod.metadata?.name ?? "", patch, {
      namespace: pod.metadata?.namespace,
      subresource: "status",
      type: "strategic",
    });
  } catch (e) {
    (e as Error).message =
      `failed to patch status ${JSON.stringify(JSON.stringify(patch))} for pod "${pod.metadata?.namespace}"/"${pod.metadata?.name}": ${(e as Error).message}`;
    throw e;
  }
}
