// upstream's StatefulSetController (stateful_set.go): the informer handlers
// map pods to their StatefulSet (by controller reference, or for orphans by
// selector), and reconcile(key) claims the set's revisions and pods, then
// runs one pass of StatefulSetControl.
import type { ControllerRevision, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import { labelSelectorAsSelector, type Selector } from "../../machinery/labels.ts";
import type { ControllerContext } from "../context.ts";
import { Controller, type ReconcileResult, type Reconciler, splitKey } from "../controller.ts";
import { adoptPatch, claimObjects, recheckDeletionTimestamp } from "../util/controller-ref-manager.ts";
import { stableStringify } from "../util/hash.ts";
import { getControllerOf, newControllerRef } from "../util/owner.ts";
import { isPodReady } from "../util/pods.ts";
import { isMemberOf, STATEFUL_SET_KIND } from "./identity.ts";
import { StatefulPodControl } from "./stateful-pod-control.ts";
import { StatefulSetControl } from "./stateful-set-control.ts";

export class StatefulSetController implements Reconciler {
  readonly controller: Controller;
  private readonly sets: IndexerView<StatefulSet>;
  private readonly pods: IndexerView<Pod>;
  private readonly control: StatefulSetControl;

  constructor(private readonly ctx: ControllerContext) {
    const setInformer = ctx.informers.forResource<StatefulSet>(Resources.statefulsets);
    const podInformer = ctx.informers.forResource<Pod>(Resources.pods);
    const revInformer = ctx.informers.forResource<ControllerRevision>(Resources.controllerrevisions);
    const pvcInformer = ctx.informers.forResource<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    this.sets = setInformer.getIndexer();
    this.pods = podInformer.getIndexer();
    this.control = new StatefulSetControl({
      client: ctx.client,
      podControl: new StatefulPodControl({
        client: ctx.client,
        recorder: ctx.recorder,
        claims: pvcInformer.getIndexer(),
      }),
      revisions: revInformer.getIndexer(),
      clock: ctx.clock,
    });
    this.controller = new Controller({
      name: "statefulset",
      reconciler: this,
      clock: ctx.clock,
      log: ctx.log,
    });

    setInformer.addEventHandler({
      onAdd: (s) => this.controller.enqueueObject(s),
      onUpdate: (_old, cur) => this.controller.enqueueObject(cur),
      onDelete: (s) => this.controller.enqueueObject(s),
    });
    podInformer.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (p) => this.deletePod(p),
    });
  }

  private addPod(pod: Pod): void {
    // After a restart a pod may already be going: not a creation.
    if (pod.metadata?.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const set = this.resolveControllerRef(pod.metadata?.namespace ?? "", ref);
      if (set) this.controller.enqueueObject(set);
      return;
    }
    // An orphan: every set that selects it may want to adopt it.
    for (const set of this.getStatefulSetsForPod(pod)) this.controller.enqueueObject(set);
  }

  private updatePod(old: Pod, cur: Pod): void {
    // A relist delivers unchanged pods again.
    if (cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    const labelChanged =
      stableStringify(cur.metadata?.labels ?? {}) !== stableStringify(old.metadata?.labels ?? {});
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = stableStringify(curRef ?? null) !== stableStringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const set = this.resolveControllerRef(old.metadata?.namespace ?? "", oldRef);
      if (set) this.controller.enqueueObject(set);
    }
    if (curRef) {
      const set = this.resolveControllerRef(cur.metadata?.namespace ?? "", curRef);
      if (!set) return;
      this.controller.enqueueObject(set);
      const minReadySeconds = set.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReadySeconds > 0) {
        // One second more against skew between our clock and the kubelet's.
        this.controller.enqueueAfter(this.key(set), (minReadySeconds + 1) * 1000);
      }
      return;
    }
    if (labelChanged || refChanged) {
      for (const set of this.getStatefulSetsForPod(cur)) this.controller.enqueueObject(set);
    }
  }

  private deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    // Nobody cares about orphans going away.
    if (!ref) return;
    const set = this.resolveControllerRef(pod.metadata?.namespace ?? "", ref);
    if (set) this.controller.enqueueObject(set);
  }

  private key(set: StatefulSet): string {
    return `${set.metadata?.namespace}/${set.metadata?.name}`;
  }

  /** The set a controller reference names, if it is a StatefulSet with that uid. */
  private resolveControllerRef(namespace: string, ref: OwnerReference): StatefulSet | undefined {
    if (ref.kind !== STATEFUL_SET_KIND.kind) return undefined;
    const set = this.sets.get(`${namespace}/${ref.name}`);
    return set && set.metadata?.uid === ref.uid ? set : undefined;
  }

  /** Sets in the pod's namespace whose (non-empty, valid) selector matches it (upstream's GetPodStatefulSets). */
  private getStatefulSetsForPod(pod: Pod): StatefulSet[] {
    const out: StatefulSet[] = [];
    for (const set of this.sets.byNamespace(pod.metadata?.namespace ?? "")) {
      let selector: Selector;
      try {
        selector = labelSelectorAsSelector(set.spec?.selector);
      } catch {
        continue;
      }
      // An empty selector matches nothing here, not everything.
      if (selector.empty() || !selector.matches(pod.metadata?.labels ?? {})) continue;
      out.push(set);
    }
    if (out.length > 1) {
      this.ctx.log(
        `user error: more than one StatefulSet is selecting pods with labels: ${JSON.stringify(pod.metadata?.labels ?? {})}. Sets: ${out.map((s) => s.metadata?.name).join(", ")}`,
      );
    }
    return out;
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const set = this.sets.get(key);
    if (!set) return undefined; // deleted
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(set.spec?.selector);
    } catch (e) {
      // Not transient: no retry.
      this.ctx.log(`error converting StatefulSet ${namespace}/${name} selector: ${(e as Error).message}`);
      return undefined;
    }
    const canAdopt = recheckDeletionTimestamp(this.ctx.client, Resources.statefulsets, set);
    await this.adoptOrphanRevisions(set, canAdopt);
    const pods = await this.getPodsForStatefulSet(set, selector, canAdopt);
    const status = await this.control.updateStatefulSet(set, pods);
    // Come back when the pods that are ready now have been so for minReadySeconds.
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && status && status.availableReplicas !== (set.spec?.replicas ?? 1)) {
      return { requeueAfterMs: minReadySeconds * 1000 };
    }
    return undefined;
  }

  /** Takes the set's orphaned revisions (matching its selector) as its own. */
  private async adoptOrphanRevisions(set: StatefulSet, canAdopt: () => Promise<void>): Promise<void> {
    const orphans = this.control.listRevisions(set).filter((r) => !getControllerOf(r));
    if (orphans.length === 0) return;
    try {
      await canAdopt();
    } catch (e) {
      throw new Error(`can't adopt ControllerRevisions: ${(e as Error).message}`);
    }
    const ref = newControllerRef(set, STATEFUL_SET_KIND);
    for (const rev of orphans) {
      await this.ctx.client.patch(
        Resources.controllerrevisions,
        rev.metadata?.name ?? "",
        adoptPatch(rev, ref),
        {
          namespace: rev.metadata?.namespace,
          type: "strategic",
        },
      );
    }
  }

  /**
   * The set's pods: those it owns that still match (selector and name), plus
   * matching orphans it adopts; owned pods that stopped matching are released.
   */
  private async getPodsForStatefulSet(
    set: StatefulSet,
    selector: Selector,
    canAdopt: () => Promise<void>,
  ): Promise<Pod[]> {
    const claimed: Pod[] = [];
    const errors: unknown[] = [];
    for (const pod of this.pods.byNamespace(set.metadata?.namespace ?? "")) {
      try {
        const mine = await claimObjects([pod], {
          client: this.ctx.client,
          owner: set,
          ownerKind: STATEFUL_SET_KIND,
          resource: Resources.pods,
          // Only a pod named after this set is ever its member.
          matches: (labels) => selector.matches(labels) && isMemberOf(set, pod),
          canAdopt,
        });
        claimed.push(...mine);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
    return claimed;
  }
}
