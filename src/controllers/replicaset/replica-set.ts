// upstream's ReplicaSetController (pkg/controller/replicaset/replica_set.go),
// which also runs ReplicationControllers (see kinds.ts). One reconcile per
// ReplicaSet key: claim the active pods (adopt matching orphans, release the
// ones that stopped matching), create or delete pods to reach spec.replicas —
// but only once every create and delete of the last round has been seen on the
// watch (expectations), so a slow watch never makes it act twice — then write
// the status if it changed.
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import { ApiError, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { KubeObject, RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { labelSelectorAsSelector, type Selector } from "../../machinery/labels.ts";
import { Controller, type ReconcileResult, type Reconciler, splitKey } from "../controller.ts";
import { claimObjects, recheckDeletionTimestamp } from "../util/controller-ref-manager.ts";
import { UIDTrackingExpectations } from "../util/expectations.ts";
import { getControllerOf, newControllerRef } from "../util/owner.ts";
import { PodControl } from "../util/pod-control.ts";
import { isPodReady, podKey } from "../util/pods.ts";
import { filterActivePods, getPodsToDelete } from "./active-pods.ts";
import type { ReplicaSetKind } from "./kinds.ts";
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from "./slow-start.ts";
import { calculateStatus, statusUpToDate, withObservedGeneration } from "./status.ts";

/** Pods created or deleted per sync at most (upstream's BurstReplicas). */
export const BURST_REPLICAS = 500;

/** Attempts after the first to write a status (upstream's statusUpdateRetries). */
const STATUS_UPDATE_RETRIES = 1;

/** The ReplicaSet informer's index of ReplicaSets by the uid of their controller (upstream's controllerUIDIndex). */
export const CONTROLLER_UID_INDEX = "controllerUID";

export interface ReplicaSetControllerOptions<T extends KubeObject> {
  kind: ReplicaSetKind<T>;
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  /** The informer of kind.resource. */
  rsInformer: SharedInformer<T>;
  podInformer: SharedInformer<Pod>;
  burstReplicas?: number;
  log?(msg: string): void;
}

function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && !!e.details?.causes?.some((c) => c.reason === "NamespaceTerminating");
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && x[k] === y[k]);
}

function sameOwnerRef(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.uid === b.uid &&
    a.controller === b.controller &&
    a.blockOwnerDeletion === b.blockOwnerDeletion
  );
}

export class ReplicaSetController<T extends KubeObject> implements Reconciler {
  readonly controller: Controller;
  /** Creates and deletes each ReplicaSet waits to see (deletions tracked by pod key). */
  readonly expectations: UIDTrackingExpectations;
  private readonly kind: ReplicaSetKind<T>;
  private readonly client: RestClient;
  private readonly clock: Clock;
  private readonly podControl: PodControl;
  private readonly rsIndexer: IndexerView<T>;
  private readonly podIndexer: IndexerView<Pod>;
  private readonly burstReplicas: number;
  private readonly log: (msg: string) => void;

  constructor(o: ReplicaSetControllerOptions<T>) {
    this.kind = o.kind;
    this.client = o.client;
    this.clock = o.clock;
    this.burstReplicas = o.burstReplicas ?? BURST_REPLICAS;
    this.log = o.log ?? (() => {});
    this.podControl = new PodControl(o.client, o.recorder);
    this.expectations = new UIDTrackingExpectations(o.clock);
    this.controller = new Controller({
      name: o.kind.queueName,
      reconciler: this,
      clock: o.clock,
      log: o.log,
    });
    if (o.kind.rankByRelatedPods) addControllerUIDIndex(o.rsInformer);
    this.rsIndexer = o.rsInformer.getIndexer();
    this.podIndexer = o.podInformer.getIndexer();

    o.rsInformer.addEventHandler({
      onAdd: (rs) => this.controller.enqueueObject(rs),
      onUpdate: (oldRS, curRS) => {
        // Deleted and recreated under the same name between two events: forget the old one's expectations.
        if (oldRS.metadata?.uid !== curRS.metadata?.uid) this.onRSDelete(oldRS);
        this.controller.enqueueObject(curRS);
      },
      onDelete: (rs) => this.onRSDelete(rs),
    });
    o.podInformer.addEventHandler({
      onAdd: (pod) => this.onPodAdd(pod),
      onUpdate: (oldPod, curPod) => this.onPodUpdate(oldPod, curPod),
      onDelete: (pod) => this.onPodDelete(pod),
    });
  }

  // Event handlers: they only keep expectations and enqueue keys.

  private onRSDelete(rs: T): void {
    const key = metaNamespaceKey(rs);
    // A ReplicaSet recreated under the same name starts clean.
    this.expectations.deleteExpectations(key);
    this.controller.enqueue(key);
  }

  private onPodAdd(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      // After a restart a pod may first show up already being deleted: not a creation.
      this.onPodDelete(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata?.namespace ?? "", ref);
      if (!rs) return;
      const key = metaNamespaceKey(rs);
      this.expectations.creationObserved(key);
      this.controller.enqueue(key);
      return;
    }
    // An orphan: wake every ReplicaSet that might adopt it. No controller waits for an orphan's creation.
    for (const rs of this.getPodReplicaSets(pod)) this.controller.enqueueObject(rs);
  }

  private onPodUpdate(oldPod: Pod, curPod: Pod): void {
    // A resync: same pod, same version.
    if (curPod.metadata?.resourceVersion === oldPod.metadata?.resourceVersion) return;
    const labelChanged = !sameLabels(curPod.metadata?.labels, oldPod.metadata?.labels);
    if (curPod.metadata?.deletionTimestamp) {
      // A graceful deletion started: replace the pod now rather than when the kubelet is done with it.
      this.onPodDelete(curPod);
      if (labelChanged) this.onPodDelete(oldPod);
      return;
    }
    const curRef = getControllerOf(curPod);
    const oldRef = getControllerOf(oldPod);
    const refChanged = !sameOwnerRef(curRef, oldRef);
    if (refChanged && oldRef) {
      const old = this.resolveControllerRef(oldPod.metadata?.namespace ?? "", oldRef);
      if (old) this.controller.enqueueObject(old);
    }
    if (curRef) {
      const rsObj = this.resolveControllerRef(curPod.metadata?.namespace ?? "", curRef);
      if (!rsObj) return;
      this.controller.enqueueObject(rsObj);
      // A pod that just became Ready becomes available minReadySeconds later: look again then
      // (plus a second against clock skew, as upstream).
      const minReadySeconds = this.kind.toReplicaSet(rsObj).spec?.minReadySeconds ?? 0;
      if (!isPodReady(oldPod) && isPodReady(curPod) && minReadySeconds > 0) {
        this.controller.enqueueAfter(metaNamespaceKey(rsObj), (minReadySeconds + 1) * 1000);
      }
      return;
    }
    // An orphan whose labels or owner changed: someone may want to adopt it now.
    if (labelChanged || refChanged) {
      for (const rs of this.getPodReplicaSets(curPod)) this.controller.enqueueObject(rs);
    }
  }

  private onPodDelete(pod: Pod): void {
    const ref = getControllerOf(pod);
    // No controller cares about orphans going away.
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata?.namespace ?? "", ref);
    if (!rs) return;
    const key = metaNamespaceKey(rs);
    this.expectations.deletionObservedUID(key, podKey(pod));
    this.controller.enqueue(key);
  }

  /** The ReplicaSet a controller reference names, if it is of our kind and still the same object. */
  private resolveControllerRef(namespace: string, ref: OwnerReference): T | undefined {
    if (ref.kind !== this.kind.gvk.kind) return undefined;
    const rs = this.rsIndexer.get(namespace ? `${namespace}/${ref.name}` : ref.name);
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
    return rs;
  }

  /** upstream's GetPodReplicaSets: ReplicaSets of the pod's namespace whose (non-empty) selector matches it. */
  private getPodReplicaSets(pod: Pod): T[] {
    const labels = pod.metadata?.labels ?? {};
    const out: T[] = [];
    for (const rs of this.rsIndexer.byNamespace(pod.metadata?.namespace ?? "")) {
      let selector: Selector;
      try {
        selector = labelSelectorAsSelector(this.kind.selectorOf(rs));
      } catch {
        continue;
      }
      // A nil or empty selector should match nothing here, not everything.
      if (selector.empty() || !selector.matches(labels)) continue;
      out.push(rs);
    }
    if (out.length > 1) {
      this.log(
        `user error! more than one ${this.kind.gvk.kind} is selecting pods with labels: ${JSON.stringify(labels)}`,
      );
    }
    return out;
  }

  // The reconcile.

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const obj = this.rsIndexer.get(key);
    if (!obj) {
      this.expectations.deleteExpectations(key);
      return undefined;
    }
    const owner = this.kind.withKind(obj);
    const rs = this.kind.toReplicaSet(obj);
    const rsNeedsSync = this.expectations.satisfiedExpectations(key);
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(rs.spec?.selector);
    } catch (e) {
      // A bad selector does not heal by retrying.
      this.log(
        `error converting pod selector to selector for rs ${namespace}/${name}: ${(e as Error).message}`,
      );
      return undefined;
    }

    // All pods of the namespace, so that owned pods that stopped matching are released.
    const filteredPods = await claimObjects(filterActivePods(this.podIndexer.byNamespace(namespace)), {
      client: this.client,
      owner,
      ownerKind: this.kind.gvk,
      resource: Resources.pods,
      matches: (labels) => selector.matches(labels),
      canAdopt: recheckDeletionTimestamp(this.client, this.kind.resource, owner),
    });

    let manageReplicasErr: unknown;
    if (rsNeedsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, filteredPods, rs, owner);
      } catch (e) {
        manageReplicasErr = e ?? new Error("unknown error");
      }
    }
    const newStatus = calculateStatus(rs, filteredPods, manageReplicasErr, this.clock.now());
    await this.updateStatus(obj, rs, newStatus);

    if (manageReplicasErr) throw manageReplicasErr;
    // The last line of defence against clock skew: look again once the ready pods should be available.
    const replicas = rs.spec?.replicas ?? 1;
    const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
    if (
      minReadySeconds > 0 &&
      (newStatus.readyReplicas ?? 0) === replicas &&
      (newStatus.availableReplicas ?? 0) !== replicas
    ) {
      return { requeueAfterMs: minReadySeconds * 1000 };
    }
    return undefined;
  }

  /** upstream's manageReplicas: create or delete the difference to spec.replicas, at most burstReplicas. */
  private async manageReplicas(
    key: string,
    filteredPods: Pod[],
    rs: ReplicaSet & { metadata: object },
    owner: T,
  ): Promise<void> {
    const namespace = rs.metadata?.namespace ?? "";
    const diff = filteredPods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const toCreate = Math.min(-diff, this.burstReplicas);
      // Pods are created by generateName, so their uids are unknown beforehand: count them instead.
      this.expectations.expectCreations(key, toCreate);
      const controllerRef = newControllerRef(owner, this.kind.gvk);
      const template = rs.spec?.template ?? {};
      const { successes, error } = await slowStartBatch(toCreate, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          await this.podControl.createPodFromTemplate(template, owner, controllerRef);
        } catch (e) {
          // Every create fails in a terminating namespace; nothing to report.
          if (isNamespaceTerminating(e)) return;
          throw e;
        }
      });
      // Pods never attempted will never be seen: stop waiting for them. The next sync tries again.
      for (let i = 0; i < toCreate - successes; i++) this.expectations.creationObserved(key);
      if (error !== undefined) throw error;
      return;
    }
    if (diff > 0) {
      const toDelete = Math.min(diff, this.burstReplicas);
      const podsToDelete = getPodsToDelete(
        filteredPods,
        this.getIndirectlyRelatedPods(rs),
        toDelete,
        this.clock.now(),
      );
      // Deletions are tracked by pod key, so a pod seen going twice (deletionTimestamp, then gone) counts once.
      this.expectations.expectDeletionsOf(key, podsToDelete.map(podKey));
      const errors: unknown[] = [];
      await Promise.all(
        podsToDelete.map(async (pod) => {
          try {
            await this.podControl.deletePod(namespace, pod.metadata?.name ?? "", owner);
          } catch (e) {
            // The informer will not see this deletion.
            this.expectations.deletionObservedUID(key, podKey(pod));
            if (!isNotFound(e)) errors.push(new Error(`unable to delete pods: ${(e as Error).message}`));
          }
        }),
      );
      // They are likely all the same: the first one will do.
      if (errors.length > 0) throw errors[0];
    }
  }

  /** upstream's getIndirectlyRelatedPods: the pods of every ReplicaSet with the same controller as rs. */
  private getIndirectlyRelatedPods(rs: ReplicaSet & { metadata: object }): Pod[] {
    if (!this.kind.rankByRelatedPods) return [];
    const ref = getControllerOf(rs);
    if (!ref) return [];
    const seen = new Set<string>();
    const related: Pod[] = [];
    for (const relatedObj of this.rsIndexer.byIndex(CONTROLLER_UID_INDEX, ref.uid)) {
      const relatedRS = this.kind.toReplicaSet(relatedObj);
      let selector: Selector;
      try {
        selector = labelSelectorAsSelector(relatedRS.spec?.selector);
      } catch {
        continue; // An invalid selector matches no pods.
      }
      for (const pod of this.podIndexer.byNamespace(relatedRS.metadata.namespace ?? "")) {
        if (!selector.matches(pod.metadata?.labels ?? {})) continue;
        const uid = pod.metadata?.uid ?? "";
        if (seen.has(uid)) continue;
        seen.add(uid);
        related.push(pod);
      }
    }
    return related;
  }

  /** upstream's updateReplicaSetStatus: write to /status only when something changed, with one GET and retry. */
  private async updateStatus(
    obj: T,
    rs: ReplicaSet & { metadata: object },
    newStatus: ReturnType<typeof calculateStatus>,
  ): Promise<void> {
    if (statusUpToDate(rs, newStatus)) return;
    // The generation acted on, so that a retry does not claim to have seen a newer spec.
    const status = withObservedGeneration(rs, newStatus);
    let current = obj;
    for (let i = 0; ; i++) {
      try {
        await this.client.update(this.kind.resource, this.kind.withStatus(current, status), {
          namespace: rs.metadata.namespace,
          subresource: "status",
        });
        return;
      } catch (e) {
        if (i >= STATUS_UPDATE_RETRIES) throw e;
      }
      // Most likely a conflict: take the latest resourceVersion and try once more.
      current = await this.client.get<T>(this.kind.resource, rs.metadata.name ?? "", {
        namespace: rs.metadata.namespace,
      });
    }
  }
}

/** Adds the controllerUID index to the ReplicaSet informer, unless another controller already did. */
function addControllerUIDIndex<T extends KubeObject>(informer: SharedInformer<T>): void {
  try {
    informer.addIndexers({
      [CONTROLLER_UID_INDEX]: (obj) => {
        const ref = getControllerOf(obj);
        return ref?.uid ? [ref.uid] : [];
      },
    });
  } catch (e) {
    // Shared informer: the Deployment controller may have added the same index first.
    if (!(e instanceof Error && e.message.startsWith("indexer conflict"))) throw e;
  }
}
