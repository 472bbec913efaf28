// upstream's pkg/controller/deployment/deployment_controller.go: the
// Deployment reconciler. Deployments, their ReplicaSets (by controller
// reference, orphans by selector) and deleted pods of Recreate deployments
// enqueue the Deployment's key; reconcile claims the ReplicaSets and picks one
// path, in upstream's order: deleted → status only, paused → scale only,
// rollback requested → rollback, scaling event → scale, else roll out by the
// strategy.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { labelSelectorAsSelector, type Selector } from "../../machinery/labels.ts";
import type { ControllerContext } from "../context.ts";
import { Controller, type ReconcileResult, type Reconciler, splitKey } from "../controller.ts";
import { claimObjects, recheckDeletionTimestamp } from "../util/controller-ref-manager.ts";
import { getControllerOf } from "../util/owner.ts";
import { type PodMap, rolloutRecreate } from "./recreate.ts";
import { rollback } from "./rollback.ts";
import { rolloutRolling } from "./rolling.ts";
import {
  checkPausedConditions,
  DEPLOYMENT_KIND,
  getRollbackTo,
  isScalingEvent,
  type SyncContext,
  sync,
  syncStatusOnly,
  updateDeploymentStatus,
} from "./sync.ts";
import { type DeploymentObj, type ReplicaSetObj, semanticEqual } from "./util.ts";

/** upstream's maxRetries: a deployment failing this often in a row waits for its next event. */
const MAX_RETRIES = 15;

function selectorOf(d: DeploymentObj): Selector | undefined {
  try {
    return labelSelectorAsSelector(d.spec?.selector);
  } catch {
    return undefined;
  }
}

export class DeploymentController implements Reconciler, SyncContext {
  readonly controller: Controller;
  readonly client: RestClient;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly rsLister: IndexerView<ReplicaSetObj>;
  private readonly dLister: IndexerView<DeploymentObj>;
  private readonly podLister: IndexerView<Pod>;
  readonly log: (msg: string) => void;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder;
    this.clock = ctx.clock;
    this.log = ctx.log;
    this.controller = new Controller({
      name: "deployment",
      reconciler: this,
      clock: ctx.clock,
      maxRetries: MAX_RETRIES,
      log: this.log,
    });
    const dInformer = ctx.informers.forResource<DeploymentObj>(Resources.deployments);
    const rsInformer = ctx.informers.forResource<ReplicaSetObj>(Resources.replicasets);
    const podInformer = ctx.informers.forResource<Pod>(Resources.pods);
    this.dLister = dInformer.getIndexer();
    this.rsLister = rsInformer.getIndexer();
    this.podLister = podInformer.getIndexer();

    dInformer.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, cur) => this.enqueue(cur),
      // Enters reconcile and finds nothing: the deployment is gone from the cache.
      onDelete: (d) => this.enqueue(d),
    });
    rsInformer.addEventHandler({
      onAdd: (rs) => this.addReplicaSet(rs),
      onUpdate: (old, cur) => this.updateReplicaSet(old, cur),
      onDelete: (rs) => this.deleteReplicaSet(rs),
    });
    podInformer.addEventHandler({ onDelete: (pod) => this.deletePod(pod) });
  }

  enqueue(d: DeploymentObj): void {
    this.controller.enqueue(metaNamespaceKey(d));
  }

  enqueueAfter(d: DeploymentObj, ms: number): void {
    this.controller.enqueueAfter(metaNamespaceKey(d), ms);
  }

  enqueueRateLimited(d: DeploymentObj): void {
    this.controller.queue.addRateLimited(metaNamespaceKey(d));
  }

  // Event handlers: they only map objects to deployment keys.

  private addReplicaSet(rs: ReplicaSetObj): void {
    // After a restart an RS may show up already being deleted.
    if (rs.metadata?.deletionTimestamp) {
      this.deleteReplicaSet(rs);
      return;
    }
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata?.namespace ?? "", ref);
      if (d) this.enqueue(d);
      return;
    }
    // An orphan: whoever matches may want to adopt it.
    for (const d of this.getDeploymentsForReplicaSet(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSetObj, cur: ReplicaSetObj): void {
    // A resync: nothing changed.
    if (cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !semanticEqual(curRef, oldRef);
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata?.namespace ?? "", oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata?.namespace ?? "", curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelChanged = !semanticEqual(cur.metadata?.labels, old.metadata?.labels);
    if (labelChanged || refChanged) {
      for (const d of this.getDeploymentsForReplicaSet(cur)) this.enqueue(d);
    }
  }

  private deleteReplicaSet(rs: ReplicaSetObj): void {
    // Nobody cares about orphans going away.
    const ref = getControllerOf(rs);
    if (!ref) return;
    const d = this.resolveControllerRef(rs.metadata?.namespace ?? "", ref);
    if (d) this.enqueue(d);
  }

  /** A Recreate deployment waits for its last pod to go before it creates the new RS. */
  private deletePod(pod: Pod): void {
    const d = this.getDeploymentForPod(pod);
    if (d?.spec?.strategy?.type !== "Recreate") return;
    const rsList = this.rsLister
      .byNamespace(d.metadata?.namespace ?? "")
      .filter((rs) => getControllerOf(rs)?.uid === d.metadata?.uid);
    let numPods = 0;
    for (const pods of this.getPodMapForDeployment(d, rsList).values()) numPods += pods.length;
    if (numPods === 0) this.enqueue(d);
  }

  /** The deployment a controller reference names, if it is still that one (same uid). */
  private resolveControllerRef(namespace: string, ref: OwnerReference): DeploymentObj | undefined {
    if (ref.kind !== DEPLOYMENT_KIND.kind) return undefined;
    const d = this.dLister.get(`${namespace}/${ref.name}`);
    if (!d || d.metadata?.uid !== ref.uid) return undefined;
    return d;
  }

  /** Deployments whose selector matches the RS's labels (upstream's GetDeploymentsForReplicaSet). */
  private getDeploymentsForReplicaSet(rs: ReplicaSetObj): DeploymentObj[] {
    const labels = rs.metadata?.labels ?? {};
    if (Object.keys(labels).length === 0) return [];
    return this.dLister.byNamespace(rs.metadata?.namespace ?? "").filter((d) => {
      const selector = selectorOf(d);
      // A nil or empty selector matches nothing here, not everything.
      return !!selector && !selector.empty() && selector.matches(labels);
    });
  }

  private getDeploymentForPod(pod: Pod): DeploymentObj | undefined {
    const ref = getControllerOf(pod);
    if (ref?.kind !== "ReplicaSet") return undefined;
    const rs = this.rsLister.get(`${pod.metadata?.namespace}/${ref.name}`);
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
    const dRef = getControllerOf(rs);
    if (!dRef) return undefined;
    return this.resolveControllerRef(rs.metadata?.namespace ?? "", dRef);
  }

  // The reconcile.

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const cached = this.dLister.get(key);
    if (!cached) return undefined;
    // Never mutate the cache.
    const d = deepCopyJson(cached);
    d.metadata ??= {};
    d.metadata.namespace ??= namespace;
    d.metadata.name ??= name;

    const sel = d.spec?.selector;
    if (sel && semanticEqual(sel, {})) {
      this.recorder.event(
        d,
        "Warning",
        "SelectingAll",
        "This deployment is selecting all pods. A non-empty selector is required.",
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...d.status, observedGeneration: d.metadata.generation };
        await updateDeploymentStatus(this, d);
      }
      return undefined;
    }

    // Adopt and release first, so that every path sees the RSes this deployment really owns.
    const rsList = await this.getReplicaSetsForDeployment(d);
    // All pods, inactive ones too: Recreate must know that no old pod runs any more.
    const podMap = this.getPodMapForDeployment(d, rsList);

    if (d.metadata.deletionTimestamp) {
      await syncStatusOnly(this, d, rsList);
      return undefined;
    }
    // A pause or resume is recorded before anything else, so a long pause never counts against the deadline.
    await checkPausedConditions(this, d);
    if (d.spec?.paused) {
      await sync(this, d, rsList);
      return undefined;
    }
    // Not re-entrant: the rollback request is cleared before replica sets are touched again.
    if (getRollbackTo(d)) {
      await rollback(this, d, rsList);
      return undefined;
    }
    if (await isScalingEvent(this, d, rsList)) {
      await sync(this, d, rsList);
      return undefined;
    }
    switch (d.spec?.strategy?.type) {
      case "Recreate":
        await rolloutRecreate(this, d, rsList, podMap);
        return undefined;
      case "RollingUpdate":
        await rolloutRolling(this, d, rsList);
        return undefined;
    }
    throw new Error(`unexpected deployment strategy type: ${d.spec?.strategy?.type}`);
  }

  /**
   * The RSes this deployment owns, after adopting matching orphans and
   * releasing owned ones that stopped matching. Adoption rechecks the
   * deployment uncached (kubernetes#42639).
   */
  private async getReplicaSetsForDeployment(d: DeploymentObj): Promise<ReplicaSetObj[]> {
    const all = this.rsLister.byNamespace(d.metadata?.namespace ?? "");
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(d.spec?.selector);
    } catch (e) {
      throw new Error(
        `deployment ${d.metadata?.namespace}/${d.metadata?.name} has invalid label selector: ${(e as Error).message}`,
      );
    }
    const claimed = await claimObjects(all, {
      client: this.client,
      owner: d,
      ownerKind: DEPLOYMENT_KIND,
      resource: Resources.replicasets,
      matches: (labels) => selector.matches(labels),
      canAdopt: recheckDeletionTimestamp(this.client, Resources.deployments, d),
    });
    return claimed.map((rs) => deepCopyJson(rs));
  }

  /** The deployment's pods by the uid of the RS (of rsList) that controls them. */
  private getPodMapForDeployment(d: DeploymentObj, rsList: ReplicaSetObj[]): PodMap {
    const podMap: PodMap = new Map();
    for (const rs of rsList) podMap.set(rs.metadata?.uid ?? "", []);
    const selector = selectorOf(d);
    if (!selector) return podMap;
    for (const pod of this.podLister.byNamespace(d.metadata?.namespace ?? "")) {
      if (!selector.matches(pod.metadata?.labels ?? {})) continue;
      const ref = getControllerOf(pod);
      if (!ref) continue;
      podMap.get(ref.uid)?.push(pod);
    }
    return podMap;
  }
}
