// The taints the node lifecycle controller owns and how it writes them
// (upstream's pkg/util/taints, controller.AddOrUpdateTaintOnNode,
// RemoveTaintOffNode, PatchNodeTaints and util/node SwapNodeControllerTaint).
// spec.taints has no merge key, so a patch replaces the whole list; the patch
// carries the resourceVersion read so that a concurrent change to the taints
// is a conflict and the read-modify-write starts over.
import type { Node, NodeCondition, Taint } from "kubernetes-types/core/v1.d.ts";
import {
  matchTaint,
  TaintEffect,
  TaintNodeDiskPressure,
  TaintNodeMemoryPressure,
  TaintNodeNetworkUnavailable,
  TaintNodeNotReady,
  TaintNodePIDPressure,
  TaintNodeUnreachable,
  TaintNodeUnschedulable,
} from "../../api/scheduling/taints.ts";
import { isConflict } from "../../client/api-error.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import { metaTime } from "../../client/event-correlator.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";

/** UnreachableTaintTemplate: Ready is Unknown. */
export const UNREACHABLE_TAINT_TEMPLATE: Taint = { key: TaintNodeUnreachable, effect: TaintEffect.NoExecute };
/** NotReadyTaintTemplate: Ready is False. */
export const NOT_READY_TAINT_TEMPLATE: Taint = { key: TaintNodeNotReady, effect: TaintEffect.NoExecute };

/** nodeConditionToTaintKeyStatusMap: which condition status gets which NoSchedule taint. */
export const NODE_CONDITION_TO_TAINT_KEY_STATUS_MAP: Record<string, Record<string, string>> = {
  Ready: { False: TaintNodeNotReady, Unknown: TaintNodeUnreachable },
  MemoryPressure: { True: TaintNodeMemoryPressure },
  DiskPressure: { True: TaintNodeDiskPressure },
  NetworkUnavailable: { True: TaintNodeNetworkUnavailable },
  PIDPressure: { True: TaintNodePIDPressure },
};

/** taintKeyToNodeConditionMap. */
export const TAINT_KEY_TO_NODE_CONDITION_MAP: Record<string, string> = {
  [TaintNodeNotReady]: "Ready",
  [TaintNodeUnreachable]: "Ready",
  [TaintNodeNetworkUnavailable]: "NetworkUnavailable",
  [TaintNodeMemoryPressure]: "MemoryPressure",
  [TaintNodeDiskPressure]: "DiskPressure",
  [TaintNodePIDPressure]: "PIDPressure",
};

/** GetNodeCondition. */
export function getNodeCondition(
  conditions: readonly NodeCondition[] | undefined,
  type: string,
): NodeCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** TaintExists: a taint with the same key and effect. */
export function taintExists(taints: readonly Taint[] | undefined, taint: Taint): boolean {
  return (taints ?? []).some((t) => matchTaint(t, taint));
}

/** TaintSetDiff: the taints of want missing from have, and those of have missing from want. */
export function taintSetDiff(
  want: readonly Taint[],
  have: readonly Taint[],
): { add: Taint[]; remove: Taint[] } {
  return {
    add: want.filter((t) => !taintExists(have, t)),
    remove: have.filter((t) => !taintExists(want, t)),
  };
}

/**
 * doNoScheduleTaintingPass's arithmetic ("taint nodes by condition"): the
 * NoSchedule taints the node's conditions and spec.unschedulable call for,
 * against the condition taints it has.
 */
export function noScheduleTaintChanges(node: Node): { add: Taint[]; remove: Taint[] } {
  const want: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = NODE_CONDITION_TO_TAINT_KEY_STATUS_MAP[c.type]?.[c.status];
    if (key) want.push({ key, effect: TaintEffect.NoSchedule });
  }
  if (node.spec?.unschedulable) want.push({ key: TaintNodeUnschedulable, effect: TaintEffect.NoSchedule });
  const have = (node.spec?.taints ?? []).filter(
    (t) =>
      t.effect === TaintEffect.NoSchedule &&
      (t.key === TaintNodeUnschedulable || Object.hasOwn(TAINT_KEY_TO_NODE_CONDITION_MAP, t.key)),
  );
  return taintSetDiff(want, have);
}

function sameTaint(a: Taint, b: Taint): boolean {
  return (
    a.key === b.key &&
    (a.value ?? "") === (b.value ?? "") &&
    a.effect === b.effect &&
    (a.timeAdded ?? null) === (b.timeAdded ?? null)
  );
}

/** AddOrUpdateTaint: the node's taints with taint added or replacing its key and effect; updated false when identical. */
export function addOrUpdateTaint(
  taints: readonly Taint[],
  taint: Taint,
): { taints: Taint[]; updated: boolean } {
  const out: Taint[] = [];
  let updated = false;
  for (const t of taints) {
    if (matchTaint(taint, t)) {
      if (sameTaint(taint, t)) return { taints: [...taints], updated: false };
      out.push(taint);
      updated = true;
      continue;
    }
    out.push(t);
  }
  if (!updated) out.push(taint);
  return { taints: out, updated: true };
}

/** RemoveTaint: the node's taints without any of taint's key and effect. */
export function removeTaint(taints: readonly Taint[], taint: Taint): { taints: Taint[]; updated: boolean } {
  if (!taintExists(taints, taint)) return { taints: [...taints], updated: false };
  return { taints: taints.filter((t) => !matchTaint(t, taint)), updated: true };
}

/** The taint as Go marshals v1.Taint: key, value, effect, timeAdded. */
function taintJSON(t: Taint): Taint {
  return {
    key: t.key,
    ...(t.value ? { value: t.value } : {}),
    effect: t.effect,
    ...(t.timeAdded ? { timeAdded: t.timeAdded } : {}),
  };
}

/** The patch PatchNodeTaints sends: the new taint list under the resourceVersion read. */
export function nodeTaintsPatch(oldNode: Node, newTaints: readonly Taint[]) {
  return {
    metadata: { resourceVersion: oldNode.metadata?.resourceVersion },
    spec: { taints: newTaints.length > 0 ? newTaints.map(taintJSON) : null },
  };
}

export interface NodeWriter {
  client: RestClient;
  clock: Clock;
  random: () => number;
}

/** UpdateTaintBackoff / UpdateLabelBackoff: 5 steps of 100 ms, jitter 1.0, on conflicts only. */
export async function retryOnConflict<T>(w: NodeWriter, fn: () => Promise<T>): Promise<T> {
  const steps = 5;
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!isConflict(e) || i >= steps - 1) throw e;
    }
    await sleep(w.clock, 100 * (1 + w.random()));
  }
}

async function changeTaints(
  w: NodeWriter,
  nodeName: string,
  taints: readonly Taint[],
  change: (have: readonly Taint[], t: Taint) => { taints: Taint[]; updated: boolean },
): Promise<void> {
  if (taints.length === 0) return;
  await retryOnConflict(w, async () => {
    const oldNode = await w.client.get<Node>(Resources.nodes, nodeName);
    let cur = oldNode.spec?.taints ?? [];
    let updated = false;
    for (const t of taints) {
      const r = change(cur, t);
      updated ||= r.updated;
      cur = r.taints;
    }
    if (!updated) return;
    await w.client.patch(Resources.nodes, nodeName, nodeTaintsPatch(oldNode, cur), { type: "strategic" });
  });
}

/** AddOrUpdateTaintOnNode: no request unless some taint is new or different. */
export function addOrUpdateTaintOnNode(
  w: NodeWriter,
  nodeName: string,
  taints: readonly Taint[],
): Promise<void> {
  return changeTaints(w, nodeName, taints, addOrUpdateTaint);
}

/** RemoveTaintOffNode: no request when the (cached) node has none of the taints. */
export async function removeTaintOffNode(
  w: NodeWriter,
  nodeName: string,
  node: Node | undefined,
  taints: readonly Taint[],
): Promise<void> {
  if (node && !taints.some((t) => taintExists(node.spec?.taints, t))) return;
  await changeTaints(w, nodeName, taints, removeTaint);
}

/**
 * SwapNodeControllerTaint: add (stamped with timeAdded now), then remove;
 * false (with the error logged) when either fails.
 */
export async function swapNodeControllerTaint(
  w: NodeWriter & { log(msg: string): void },
  toAdd: readonly Taint[],
  toRemove: readonly Taint[],
  node: Node,
): Promise<boolean> {
  const name = node.metadata?.name ?? "";
  const now = metaTime(w.clock.now());
  const stamped = toAdd.map((t) => ({ ...t, timeAdded: now }));
  try {
    await addOrUpdateTaintOnNode(w, name, stamped);
  } catch (e) {
    w.log(`unable to taint ${JSON.stringify(stamped)} unresponsive Node "${name}": ${(e as Error).message}`);
    return false;
  }
  try {
    await removeTaintOffNode(w, name, node, toRemove);
  } catch (e) {
    w.log(
      `unable to remove ${JSON.stringify(toRemove)} unneeded taint from unresponsive Node "${name}": ${(e as Error).message}`,
    );
    return false;
  }
  return true;
}

/** AddOrUpdateLabelsOnNode: a merge of the labels (a strategic patch of metadata.labels). */
export async function addOrUpdateLabelsOnNode(
  w: NodeWriter,
  nodeName: string,
  labels: Record<string, string>,
): Promise<void> {
  await retryOnConflict(w, async () => {
    const node = await w.client.get<Node>(Resources.nodes, nodeName);
    const changed: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) if (node.metadata?.labels?.[k] !== v) changed[k] = v;
    if (Object.keys(changed).length === 0) return;
    try {
      await w.client.patch(
        Resources.nodes,
        nodeName,
        { metadata: { labels: changed } },
        { type: "strategic" },
      );
    } catch (e) {
      (e as Error).message = `could not patch the node: ${(e as Error).message}`;
      throw e;
    }
  });
}
