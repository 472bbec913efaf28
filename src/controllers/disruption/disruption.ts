// upstream's DisruptionController (pkg/controller/disruption/disruption.go):
// one reconcile per PodDisruptionBudget. It counts the selected pods that are
// healthy (Ready, not being deleted, not just evicted), works out how many must
// be from minAvailable or maxUnavailable (scaled by the pods' controllers), and
// writes expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed, the
// still-awaited disruptedPods and the DisruptionAllowed condition to /status.
// When that fails it writes disruptionsAllowed 0 with SyncFailed (fail safe),
// so the eviction API never allows what it cannot vouch for.
//
// A second queue, of pods, sets a DisruptionTarget condition back to False when
// the pod was not deleted within two minutes of getting it.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from "kubernetes-types/policy/v1.d.ts";
import { isConflict } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { metaTime } from "../../client/event-correlator.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { type IndexerView, metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { ResourceRef, RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { labelSelectorAsSelector } from "../../machinery/labels.ts";
import { Controller, type ReconcileResult, type Reconciler, splitKey } from "../controller.ts";
import { getControllerOf } from "../util/owner.ts";
import { type FinderListers, PodControllerFinders } from "./finders.ts";
import {
  buildDisruptedPodMap,
  countHealthyPods,
  failSafeStatus,
  getExpectedPodCount,
  getExpectedScale,
  newPdbStatus,
} from "./status.ts";

export const PDB_RESOURCE: ResourceRef = {
  group: "policy",
  version: "v1",
  resource: "poddisruptionbudgets",
  namespaced: true,
};

/** How long a pod may keep a DisruptionTarget condition without being deleted (upstream's stalePodDisruptionTimeout). */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60 * 1000;

/** The kubelet's own reason: its DisruptionTarget conditions are never stale. */
const POD_REASON_TERMINATION_BY_KUBELET = "TerminationByKubelet";

export interface DisruptionControllerOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  podInformer: SharedInformer<Pod>;
  pdbInformer: SharedInformer<PodDisruptionBudget>;
  listers: FinderListers;
  stalePodDisruptionTimeoutMs?: number;
  log?(msg: string): void;
}

export class DisruptionController implements Reconciler {
  readonly controller: Controller;
  /** Pods whose DisruptionTarget condition may go stale. */
  readonly stalePodDisruption: Controller;
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly pods: IndexerView<Pod>;
  private readonly pdbs: IndexerView<PodDisruptionBudget>;
  private readonly finders: PodControllerFinders;
  private readonly staleTimeoutMs: number;
  private readonly log: (msg: string) => void;

  constructor(o: DisruptionControllerOptions) {
    this.client = o.client;
    this.recorder = o.recorder;
    this.clock = o.clock;
    this.log = o.log ?? (() => {});
    this.staleTimeoutMs = o.stalePodDisruptionTimeoutMs ?? STALE_POD_DISRUPTION_TIMEOUT_MS;
    this.finders = new PodControllerFinders(o.listers, o.client, () => o.clock.now());
    this.controller = new Controller({ name: "disruption", reconciler: this, clock: o.clock, log: o.log });
    this.stalePodDisruption = new Controller({
      name: "stale_pod_disruption",
      reconciler: { reconcile: (key) => this.syncStalePodDisruption(key) },
      clock: o.clock,
      log: o.log,
    });
    this.pods = o.podInformer.getIndexer();
    this.pdbs = o.pdbInformer.getIndexer();
    o.pdbInformer.addEventHandler({
      onAdd: (pdb) => this.controller.enqueueObject(pdb),
      onUpdate: (_old, pdb) => this.controller.enqueueObject(pdb),
      onDelete: (pdb) => this.controller.enqueueObject(pdb),
    });
    o.podInformer.addEventHandler({
      onAdd: (pod) => this.onPod(pod, true),
      onUpdate: (_old, pod) => this.onPod(pod, true),
      onDelete: (pod) => this.onPod(pod, false),
    });
  }

  private onPod(pod: Pod, alive: boolean): void {
    const pdb = this.getPdbForPod(pod);
    if (pdb) this.controller.enqueueObject(pdb);
    if (!alive) return;
    const stale = this.staleDisruptionCondition(pod);
    if (stale) this.stalePodDisruption.enqueueAfter(metaNamespaceKey(pod), stale.cleanAfterMs);
  }

  /** getPdbForPod: the first budget selecting the pod, with a warning when there are several. */
  private getPdbForPod(pod: Pod): PodDisruptionBudget | undefined {
    const pdbs = this.getPodPodDisruptionBudgets(pod);
    if (pdbs.length === 0) return undefined;
    if (pdbs.length > 1) {
      const msg = `Pod ${JSON.stringify(pod.metadata?.namespace ?? "")}/${JSON.stringify(pod.metadata?.name ?? "")} matches multiple PodDisruptionBudgets.  Chose ${JSON.stringify(pdbs[0].metadata?.name ?? "")} arbitrarily.`;
      this.log(msg);
      this.recorder.event(pod, "Warning", "MultiplePodDisruptionBudgets", msg);
    }
    return pdbs[0];
  }

  /** The lister's GetPodPodDisruptionBudgets: in policy/v1 an empty selector selects every pod. */
  private getPodPodDisruptionBudgets(pod: Pod): PodDisruptionBudget[] {
    const out: PodDisruptionBudget[] = [];
    for (const pdb of this.pdbs.byNamespace(pod.metadata?.namespace ?? "")) {
      try {
        if (labelSelectorAsSelector(pdb.spec?.selector).matches(pod.metadata?.labels ?? {})) out.push(pdb);
      } catch {
        // An invalid selector matches no pod.
      }
    }
    return out;
  }

  /** getPodsForPdb: the pods of the budget's namespace its selector matches. */
  private getPodsForPdb(pdb: PodDisruptionBudget): Pod[] {
    const selector = labelSelectorAsSelector(pdb.spec?.selector);
    return this.pods
      .byNamespace(pdb.metadata?.namespace ?? "")
      .filter((p) => selector.matches(p.metadata?.labels ?? {}));
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const pdb = this.pdbs.get(key);
    if (!pdb) return undefined;
    let result: ReconcileResult | undefined;
    try {
      result = await this.trySync(pdb);
    } catch (e) {
      // A conflict is retried as it is; anything else first closes the budget.
      if (isConflict(e)) throw e;
      this.log(`Failed to sync PDB ${key}: ${(e as Error).message}`);
      await this.writeStatus(pdb, failSafeStatus(pdb, (e as Error).message ?? String(e), this.clock.now()));
    }
    return result;
  }

  private async trySync(pdb: PodDisruptionBudget): Promise<ReconcileResult | undefined> {
    let pods: Pod[];
    try {
      pods = this.getPodsForPdb(pdb);
    } catch (e) {
      this.recorder.event(pdb, "Warning", "NoPods", `Failed to get pods: ${(e as Error).message}`);
      throw e;
    }
    if (pods.length === 0) this.recorder.event(pdb, "Normal", "NoPods", "No matching pods found");

    let counts: Awaited<ReturnType<typeof getExpectedPodCount>>;
    try {
      counts = await getExpectedPodCount(pdb, pods, () =>
        getExpectedScale(pods, getControllerOf, (pod) => this.scaleOf(pod)),
      );
    } catch (e) {
      this.recorder.event(
        pdb,
        "Warning",
        "CalculateExpectedPodCountFailed",
        `Failed to calculate the number of expected pods: ${(e as Error).message}`,
      );
      throw e;
    }
    // Unmanaged pods are reported, not an error: erroring would hot-loop on status writes.
    if (counts.unmanagedPods.length > 0) {
      this.recorder.event(
        pdb,
        "Warning",
        "UnmanagedPods",
        `Pods selected by this PodDisruptionBudget (selector: ${labelSelectorString(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }

    const now = this.clock.now();
    const { disruptedPods, recheckAtMs, notDeleted } = buildDisruptedPodMap(pods, pdb, now);
    for (const { pod } of notDeleted) {
      // upstream prints the namespace twice.
      this.recorder.event(
        pod,
        "Warning",
        "NotDeleted",
        `Pod was expected by PDB ${pdb.metadata?.namespace}/${pdb.metadata?.namespace} to be deleted but it wasn't`,
      );
    }
    const currentHealthy = countHealthyPods(pods, disruptedPods, now);
    const status = newPdbStatus(
      pdb,
      {
        currentHealthy,
        desiredHealthy: counts.desiredHealthy,
        expectedCount: counts.expectedCount,
        disruptedPods,
      },
      now,
    );
    if (status) await this.writeStatus(pdb, status);
    // Looked at again when the first awaited eviction times out.
    return recheckAtMs === undefined ? undefined : { requeueAfterMs: Math.max(0, recheckAtMs - now) };
  }

  /** The scale of the pod's controller, from the first finder that knows its kind. */
  private async scaleOf(pod: Pod): Promise<{ uid: string; scale: number } | undefined> {
    const ref = getControllerOf(pod);
    if (!ref) return undefined;
    for (const finder of this.finders.finders()) {
      const found = await finder(ref, pod.metadata?.namespace ?? "");
      if (found) return found;
    }
    return undefined;
  }

  /** writePdbStatus: one UpdateStatus, not retried here (a failure requeues the budget). */
  private async writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus): Promise<void> {
    await this.client.update<PodDisruptionBudget>(
      PDB_RESOURCE,
      { ...pdb, apiVersion: "policy/v1", kind: "PodDisruptionBudget", status },
      { namespace: pdb.metadata?.namespace, subresource: "status" },
    );
  }

  /** nonTerminatingPodHasStaleDisruptionCondition: the pod has DisruptionTarget True but is not being deleted. */
  private staleDisruptionCondition(pod: Pod): { cleanAfterMs: number } | undefined {
    if (pod.metadata?.deletionTimestamp) return undefined;
    const cond = pod.status?.conditions?.find((c) => c.type === "DisruptionTarget");
    const phase = pod.status?.phase;
    // The kubelet's conditions may precede the deletion by any time; terminal pods are left as they are.
    if (
      cond?.status !== "True" ||
      cond.reason === POD_REASON_TERMINATION_BY_KUBELET ||
      phase === "Succeeded" ||
      phase === "Failed"
    ) {
      return undefined;
    }
    const since = Date.parse(cond.lastTransitionTime ?? "");
    const elapsed = Number.isNaN(since) ? this.staleTimeoutMs : this.clock.now() - since;
    return { cleanAfterMs: Math.max(0, this.staleTimeoutMs - elapsed) };
  }

  /** syncStalePodDisruption: sets the stale condition to False through /status. */
  private async syncStalePodDisruption(key: string): Promise<ReconcileResult | undefined> {
    const pod = this.pods.get(key);
    if (!pod) return undefined;
    const stale = this.staleDisruptionCondition(pod);
    if (!stale) return undefined;
    if (stale.cleanAfterMs > 0) return { requeueAfterMs: stale.cleanAfterMs };
    const next = structuredClone(pod);
    const conditions = next.status?.conditions ?? [];
    const i = conditions.findIndex((c) => c.type === "DisruptionTarget");
    // podutil.UpdatePodCondition with only type and status: reason and message go.
    conditions[i] = {
      type: "DisruptionTarget",
      status: "False",
      lastProbeTime: null as unknown as string,
      lastTransitionTime: metaTime(this.clock.now()),
    };
    const { namespace } = splitKey(key);
    await this.client.update<Pod>(
      Resources.pods,
      { ...next, apiVersion: "v1", kind: "Pod" },
      { namespace, subresource: "status" },
    );
    this.log(`Reset stale DisruptionTarget condition to False for pod ${key}`);
    return undefined;
  }
}

/** How Go's %v prints a *metav1.LabelSelector (its generated String()), for the UnmanagedPods event. */
export function labelSelectorString(sel: LabelSelector | undefined): string {
  if (!sel) return "nil";
  let exprs = "[]LabelSelectorRequirement{";
  for (const e of sel.matchExpressions ?? []) {
    exprs += `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(" ")}],},`;
  }
  exprs += "}";
  let labels = "map[string]string{";
  const ml = sel.matchLabels ?? {};
  for (const k of Object.keys(ml).sort()) labels += `${k}: ${ml[k]},`;
  labels += "}";
  return `&LabelSelector{MatchLabels:${labels},MatchExpressions:${exprs},}`;
}
