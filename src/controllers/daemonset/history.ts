// upstream's constructHistory and friends (pkg/controller/daemon/update.go):
// every distinct pod template of a DaemonSet is kept as a ControllerRevision
// named "<ds>-<hash>", labelled controller-revision-hash=<hash>, whose data
// is the strategic merge patch that restores the template
// ({"spec":{"template":{..., "$patch":"replace"}}}: what `kubectl rollout
// undo ds` applies). The current revision gets the highest revision number;
// revisions beyond revisionHistoryLimit that no pod uses are deleted.
import type { ControllerRevision, DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isAlreadyExists } from "../../client/api-error.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { labelSelectorAsSelector } from "../../machinery/labels.ts";
import { claimObjects, recheckDeletionTimestamp } from "../util/controller-ref-manager.ts";
import { computeHash, stableStringify } from "../util/hash.ts";
import { newControllerRef } from "../util/owner.ts";
import { DAEMONSET_UNIQUE_LABEL_KEY } from "./daemonset-util.ts";

export const DAEMONSET_KIND = { apiVersion: "apps/v1", kind: "DaemonSet" };

/**
 * getPatch: the patch that restores ds's template. Keys are sorted and the
 * template's metadata carries creationTimestamp: null, as Go's json.Marshal
 * of the typed object writes it, so that the data is byte-for-byte what
 * kubectl computes when it compares a revision with a DaemonSet.
 */
export function getPatch(ds: DaemonSet): Record<string, unknown> {
  const template = structuredClone(ds.spec?.template ?? {}) as Record<string, unknown>;
  const metadata = (template.metadata ?? {}) as Record<string, unknown>;
  if (!("creationTimestamp" in metadata)) metadata.creationTimestamp = null;
  template.metadata = metadata;
  template.$patch = "replace";
  return JSON.parse(stableStringify({ spec: { template } })) as Record<string, unknown>;
}

/** Match: does the revision hold ds's current template? */
export function match(ds: DaemonSet, history: ControllerRevision): boolean {
  return stableStringify(getPatch(ds)) === stableStringify(history.data ?? null);
}

/** maxRevision. */
export function maxRevision(histories: readonly ControllerRevision[]): number {
  let max = 0;
  for (const h of histories) if ((h.revision ?? 0) > max) max = h.revision;
  return max;
}

/** What the history functions need from the controller. */
export interface HistoryDeps {
  client: RestClient;
  revisions: IndexerView<ControllerRevision>;
  /** The DaemonSet's claimed pods (getDaemonPods). */
  getDaemonPods(ds: DaemonSet): Promise<Pod[]>;
  log?(msg: string): void;
}

/** controlledHistories: the revisions ds controls, after adopting matching orphans and releasing ones that stopped matching. */
export function controlledHistories(deps: HistoryDeps, ds: DaemonSet): Promise<ControllerRevision[]> {
  const selector = labelSelectorAsSelector(ds.spec?.selector);
  const histories = deps.revisions.byNamespace(ds.metadata?.namespace ?? "");
  return claimObjects(histories, {
    client: deps.client,
    owner: ds,
    ownerKind: DAEMONSET_KIND,
    resource: Resources.controllerrevisions,
    matches: (labels) => selector.matches(labels),
    canAdopt: recheckDeletionTimestamp(deps.client, Resources.daemonsets, ds),
  });
}

/**
 * constructHistory: the current revision (created, or renumbered to be the
 * newest) and the old ones. Duplicates of the current one are removed after
 * relabelling their pods; revisions without the hash label get their name.
 */
export async function constructHistory(
  deps: HistoryDeps,
  ds: DaemonSet,
): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
  const namespace = ds.metadata?.namespace;
  const histories = await controlledHistories(deps, ds);
  const currentHistories: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let history of histories) {
    // The name stands in for the hash, so collisions need no care here.
    if (history.metadata?.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] === undefined) {
      const toUpdate = structuredClone(history);
      toUpdate.metadata = {
        ...toUpdate.metadata,
        labels: { ...toUpdate.metadata?.labels, [DAEMONSET_UNIQUE_LABEL_KEY]: toUpdate.metadata?.name ?? "" },
      };
      history = await deps.client.update(
        Resources.controllerrevisions,
        toUpdate as ControllerRevision & { metadata: object },
        { namespace },
      );
    }
    if (match(ds, history)) currentHistories.push(history);
    else old.push(history);
  }

  const currRevision = maxRevision(old) + 1;
  if (currentHistories.length === 0) {
    return { cur: await snapshot(deps, ds, currRevision), old };
  }
  const cur = await dedupCurHistories(deps, ds, currentHistories);
  if ((cur.revision ?? 0) < currRevision) {
    const toUpdate = structuredClone(cur);
    toUpdate.revision = currRevision;
    await deps.client.update(
      Resources.controllerrevisions,
      toUpdate as ControllerRevision & { metadata: object },
      {
        namespace,
      },
    );
  }
  return { cur, old };
}

/** dedupCurHistories: keeps the newest of equal revisions, moves pods to its hash, deletes the rest. */
export async function dedupCurHistories(
  deps: HistoryDeps,
  ds: DaemonSet,
  curHistories: ControllerRevision[],
): Promise<ControllerRevision> {
  if (curHistories.length === 1) return curHistories[0];
  let maxRev = 0;
  let keepCur = curHistories[0];
  for (const cur of curHistories) {
    if ((cur.revision ?? 0) >= maxRev) {
      keepCur = cur;
      maxRev = cur.revision ?? 0;
    }
  }
  const keepHash = keepCur.metadata?.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] ?? "";
  const namespace = ds.metadata?.namespace;
  for (const pod of await deps.getDaemonPods(ds)) {
    if (pod.metadata?.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] !== keepHash) {
      await deps.client.patch(
        Resources.pods,
        pod.metadata?.name ?? "",
        { metadata: { labels: { [DAEMONSET_UNIQUE_LABEL_KEY]: keepHash } } },
        { namespace, type: "merge" },
      );
    }
  }
  for (const cur of curHistories) {
    if (cur.metadata?.name === keepCur.metadata?.name) continue;
    await deps.client.delete(Resources.controllerrevisions, cur.metadata?.name ?? "", { namespace });
  }
  return keepCur;
}

/**
 * snapshot: creates the revision of ds's current template. A name taken by
 * another template is a hash collision: status.collisionCount goes up (when
 * ours was current) and the sync is retried with the new hash.
 */
export async function snapshot(
  deps: HistoryDeps,
  ds: DaemonSet,
  revision: number,
): Promise<ControllerRevision> {
  const namespace = ds.metadata?.namespace;
  const patch = getPatch(ds);
  const hash = computeHash(ds.spec?.template ?? null, ds.status?.collisionCount);
  const name = `${ds.metadata?.name}-${hash}`;
  const history: ControllerRevision & { metadata: object } = {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name,
      namespace,
      labels: { ...ds.spec?.template?.metadata?.labels, [DAEMONSET_UNIQUE_LABEL_KEY]: hash },
      ...(ds.metadata?.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, DAEMONSET_KIND)],
    },
    data: patch as ControllerRevision["data"],
    revision,
  };
  try {
    return await deps.client.create(Resources.controllerrevisions, history, { namespace });
  } catch (outerErr) {
    if (!isAlreadyExists(outerErr)) throw outerErr;
    const existed = await deps.client.get<ControllerRevision>(Resources.controllerrevisions, name, {
      namespace,
    });
    // We made it ourselves on an earlier try.
    if (match(ds, existed)) return existed;
    // A collision: bump the count, unless the one we hashed with was stale.
    const currDS = await deps.client.get<DaemonSet>(Resources.daemonsets, ds.metadata?.name ?? "", {
      namespace,
    });
    if (currDS.status?.collisionCount !== ds.status?.collisionCount) {
      throw new Error(
        `found a stale collision count (${ds.status?.collisionCount ?? "<nil>"}, expected ${currDS.status?.collisionCount ?? "<nil>"}) of DaemonSet "${ds.metadata?.name}" while processing; will retry until it is updated`,
      );
    }
    const collisionCount = (currDS.status?.collisionCount ?? 0) + 1;
    const bumped = { ...currDS, status: { ...currDS.status, collisionCount } } as DaemonSet & {
      metadata: object;
    };
    await deps.client.update(Resources.daemonsets, bumped, {
      namespace,
      subresource: "status",
    });
    deps.log?.(
      `Found a hash collision for DaemonSet ${namespace}/${ds.metadata?.name} - bumping collisionCount to ${collisionCount} to resolve it`,
    );
    throw outerErr;
  }
}

/**
 * cleanupHistory: deletes the oldest revisions beyond revisionHistoryLimit,
 * except those whose hash a pod (terminal and deleted ones included) still carries.
 */
export async function cleanupHistory(
  deps: HistoryDeps,
  ds: DaemonSet,
  old: ControllerRevision[],
  nodeToDaemonPods: ReadonlyMap<string, Pod[]>,
): Promise<void> {
  const toKeep = ds.spec?.revisionHistoryLimit ?? 10;
  let toKill = old.length - toKeep;
  if (toKill <= 0) return;
  const liveHashes = new Set<string>();
  for (const pods of nodeToDaemonPods.values()) {
    for (const pod of pods) {
      const hash = pod.metadata?.labels?.[DAEMONSET_UNIQUE_LABEL_KEY];
      if (hash) liveHashes.add(hash);
    }
  }
  const byRevision = [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  for (const history of byRevision) {
    if (toKill <= 0) break;
    const hash = history.metadata?.labels?.[DAEMONSET_UNIQUE_LABEL_KEY];
    if (hash !== undefined && liveHashes.has(hash)) continue;
    await deps.client.delete(Resources.controllerrevisions, history.metadata?.name ?? "", {
      namespace: ds.metadata?.namespace,
    });
    toKill--;
  }
}
