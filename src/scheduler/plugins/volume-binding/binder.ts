// The scheduler's volume binder (upstream's volumebinding.SchedulerVolumeBinder,
// binder.go, v1.32; PV matching is component-helpers', shared with the PV
// controller in src/api/storage):
// PreFilter sorts a pod's claims into bound / unbound-delayed / unbound-immediate,
// Filter finds per node a PV for each delayed claim or checks it can be
// provisioned there, Reserve assumes the choice in an in-memory overlay so the
// next pod does not pick the same PV, PreBind writes it and waits for the PV
// controller to finish the binding.
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  TopologySelectorTerm,
  Volume,
} from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import {
  ANN_BIND_COMPLETED,
  ANN_SELECTED_NODE,
  NOT_SUPPORTED_PROVISIONER,
} from "../../../api/storage/annotations.ts";
import {
  checkNodeAffinity,
  claimToClaimKey,
  findMatchingVolume,
  getBindVolumeToClaim,
  getPersistentVolumeClaimClass,
  getPersistentVolumeClass,
  isDelayBindingMode,
  nodeAffinityError,
  storageQuantity,
} from "../../../api/storage/volume-matching.ts";
import { type Clock, sleep } from "../../../client/clock.ts";
import type { IndexerView } from "../../../client/indexer.ts";
import { Resources } from "../../../client/resources.ts";
import type { KubeObject, ResourceRef } from "../../../client/rest-client.ts";
import { goQuote } from "../../../machinery/field-errors.ts";
import { type Labels, newRequirement, Operator, type Requirement } from "../../../machinery/labels.ts";
import type { PluginApi } from "../../framework/interface.ts";

/** Why volume binding is impossible on a node (upstream's ConflictReason values). */
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
export const ERR_REASON_NOT_ENOUGH_SPACE = "node(s) did not have enough free storage";
export const ERR_REASON_PV_NOT_EXIST =
  "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

export { ANN_BIND_COMPLETED, ANN_SELECTED_NODE };

export const STORAGE_CLASSES: ResourceRef = {
  group: "storage.k8s.io",
  version: "v1",
  resource: "storageclasses",
  namespaced: false,
};

/** What the binder needs from the scheduler's Handle. */
export interface BinderHandle {
  lister<T extends KubeObject>(res: ResourceRef): IndexerView<T>;
  api: PluginApi;
  clock: Clock;
}

/** A PV chosen for a PVC. */
export interface BindingInfo {
  pvc: PersistentVolumeClaim;
  pv: PersistentVolume;
}

/** A pod's volume decisions for one node; the lists are unset until Reserve assumed them. */
export interface PodVolumes {
  staticBindings?: BindingInfo[];
  dynamicProvisions?: PersistentVolumeClaim[];
}

export interface PodVolumeClaims {
  boundClaims: PersistentVolumeClaim[];
  /** WaitForFirstConsumer claims, bound (or provisioned) by the scheduler. */
  unboundClaimsDelayBinding: PersistentVolumeClaim[];
  /** Claims the PV controller should already have bound (including pre-bound ones). */
  unboundClaimsImmediate: PersistentVolumeClaim[];
  /** Candidate PVs per storage class of the delayed claims, as seen at PreFilter. */
  unboundVolumesDelayBinding: Map<string, PersistentVolume[]>;
}

// ---- helpers from component-helpers/storage/ephemeral and volumebinding

/** ephemeral.VolumeClaimName: the PVC a generic ephemeral volume gets. */
export const ephemeralVolumeClaimName = (pod: Pod, vol: Volume) => `${pod.metadata?.name ?? ""}-${vol.name}`;

/** ephemeral.VolumeIsForPod: the PVC must be controlled by the pod. */
export function ephemeralVolumeIsForPod(pod: Pod, pvc: PersistentVolumeClaim): Error | undefined {
  const controller = pvc.metadata?.ownerReferences?.find((r) => r.controller);
  if (
    pvc.metadata?.namespace !== pod.metadata?.namespace ||
    !controller ||
    controller.uid !== pod.metadata?.uid
  ) {
    return new Error(
      `PVC ${pvc.metadata?.namespace ?? ""}/${pvc.metadata?.name ?? ""} was not created for pod ${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""} (pod is not owner)`,
    );
  }
  return undefined;
}

export function isPVCFullyBound(pvc: PersistentVolumeClaim): boolean {
  return !!pvc.spec?.volumeName && Object.hasOwn(pvc.metadata?.annotations ?? {}, ANN_BIND_COMPLETED);
}

// ---- StorageClass allowedTopologies

type NodeLabelMatcher = (labels: Labels) => boolean;
const everyNode: NodeLabelMatcher = () => true;

const classTopology = new WeakMap<StorageClass, NodeLabelMatcher>();

/** v1helper.MatchTopologySelectorTerms over a StorageClass's allowedTopologies. */
export function matchAllowedTopologies(sc: StorageClass, nodeLabels: Labels): boolean {
  let m = classTopology.get(sc);
  if (!m) {
    m = compileTopologyTerms(sc.allowedTopologies ?? []);
    classTopology.set(sc, m);
  }
  return m(nodeLabels);
}

function compileTopologyTerms(terms: TopologySelectorTerm[]): NodeLabelMatcher {
  // An empty term list matches every node.
  if (terms.length === 0) return everyNode;
  const parsed: Requirement[][] = [];
  for (const t of terms) {
    const exprs = t.matchLabelExpressions ?? [];
    // A null or empty term selects no objects.
    if (exprs.length === 0) continue;
    try {
      parsed.push(exprs.map((e) => newRequirement(e.key, Operator.In, e.values)));
    } catch {
      // An invalid term matches nothing.
    }
  }
  return (labels) => parsed.some((reqs) => reqs.every((r) => r.matches(labels)));
}

// ---- the assume cache

const resourceVersion = (o: KubeObject | undefined) => {
  const n = Number(o?.metadata?.resourceVersion ?? 0);
  return Number.isFinite(n) ? n : 0;
};

/**
 * Objects from an informer overlaid with in-memory "assumed" versions
 * (upstream's AssumeCache): an assumed object is dropped once the informer
 * holds a strictly newer version, or the object is gone.
 */
export class AssumeCache<T extends KubeObject> {
  private readonly assumed = new Map<string, T>();
  private view?: IndexerView<T>;

  constructor(
    private readonly handle: BinderHandle,
    private readonly res: ResourceRef,
    private readonly description: string,
  ) {}

  private api(): IndexerView<T> {
    this.view ??= this.handle.lister<T>(this.res);
    return this.view;
  }

  /** The latest object: the assumed one while the informer has nothing newer. */
  get(key: string): T | undefined {
    const api = this.api().get(key);
    const a = this.assumed.get(key);
    if (!a) return api;
    if (!api || resourceVersion(api) > resourceVersion(a)) {
      this.assumed.delete(key);
      return api;
    }
    return a;
  }

  /** The informer's object, ignoring assumptions. */
  getAPI(key: string): T | undefined {
    return this.api().get(key);
  }

  list(): T[] {
    const out: T[] = [];
    for (const o of this.api().list()) {
      const key = keyOf(o);
      const latest = this.assumed.has(key) ? this.get(key) : o;
      if (latest) out.push(latest);
    }
    return out;
  }

  assume(obj: T): void {
    const key = keyOf(obj);
    const stored = this.get(key);
    if (!stored) throw new Error(`could not find ${this.description} ${goQuote(key)}`);
    const storedVersion = resourceVersion(stored);
    const newVersion = resourceVersion(obj);
    if (newVersion < storedVersion) {
      throw new Error(
        `${this.description} ${goQuote(key)} is out of sync (stored: ${storedVersion}, assume: ${newVersion})`,
      );
    }
    this.assumed.set(key, obj);
  }

  restore(key: string): void {
    this.assumed.delete(key);
  }

  /** How many assumptions are held (tests). */
  get assumedCount(): number {
    return this.assumed.size;
  }
}

const keyOf = (o: KubeObject) =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ""}` : (o.metadata?.name ?? "");

// ---- the binder

const BIND_POLL_INTERVAL_MS = 1000;

export interface FindResult {
  podVolumes: PodVolumes;
  /** Empty when the node fits. */
  reasons: string[];
}

export class VolumeBinder {
  readonly pvCache: AssumeCache<PersistentVolume>;
  readonly pvcCache: AssumeCache<PersistentVolumeClaim>;
  private classes?: IndexerView<StorageClass>;

  constructor(
    private readonly handle: BinderHandle,
    private readonly bindTimeoutMs: number,
  ) {
    this.pvCache = new AssumeCache(handle, Resources.persistentvolumes, "v1.PersistentVolume");
    this.pvcCache = new AssumeCache(handle, Resources.persistentvolumeclaims, "v1.PersistentVolumeClaim");
  }

  private storageClass(name: string): StorageClass | undefined {
    this.classes ??= this.handle.lister<StorageClass>(STORAGE_CLASSES);
    return this.classes.get(name);
  }

  private isPVCBound(namespace: string, name: string): { bound: boolean; pvc: PersistentVolumeClaim } {
    const key = `${namespace}/${name}`;
    const pvc = this.pvcCache.get(key);
    if (!pvc) throw new Error(`error getting PVC ${goQuote(key)}: not found`);
    return { bound: isPVCFullyBound(pvc), pvc };
  }

  /** A pod volume's claim and whether it is fully bound; no claim for non-PVC volumes. */
  private isVolumeBound(pod: Pod, vol: Volume): { bound: boolean; pvc?: PersistentVolumeClaim } {
    let name: string;
    const ephemeral = !vol.persistentVolumeClaim && !!vol.ephemeral;
    if (vol.persistentVolumeClaim) name = vol.persistentVolumeClaim.claimName;
    else if (vol.ephemeral) name = ephemeralVolumeClaimName(pod, vol);
    else return { bound: true };
    const r = this.isPVCBound(pod.metadata?.namespace ?? "", name);
    if (ephemeral) {
      const err = ephemeralVolumeIsForPod(pod, r.pvc);
      if (err) throw err;
    }
    return r;
  }

  private arePodVolumesBound(pod: Pod): boolean {
    for (const vol of pod.spec?.volumes ?? []) {
      try {
        if (!this.isVolumeBound(pod, vol).bound) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /** GetPodVolumeClaims: the pod's claims by binding state, and the candidate PVs of the delayed ones. */
  getPodVolumeClaims(pod: Pod): PodVolumeClaims {
    const claims: PodVolumeClaims = {
      boundClaims: [],
      unboundClaimsDelayBinding: [],
      unboundClaimsImmediate: [],
      unboundVolumesDelayBinding: new Map(),
    };
    for (const vol of pod.spec?.volumes ?? []) {
      const { bound, pvc } = this.isVolumeBound(pod, vol);
      if (!pvc) continue;
      if (bound) claims.boundClaims.push(pvc);
      else if (isDelayBindingMode(pvc, (name) => this.storageClass(name)) && !pvc.spec?.volumeName)
        claims.unboundClaimsDelayBinding.push(pvc);
      // Pre-bound claims count as immediate: the PV controller binds them.
      else claims.unboundClaimsImmediate.push(pvc);
    }
    if (claims.unboundClaimsDelayBinding.length > 0) {
      const byClass = claims.unboundVolumesDelayBinding;
      for (const pvc of claims.unboundClaimsDelayBinding) byClass.set(getPersistentVolumeClaimClass(pvc), []);
      for (const pv of this.pvCache.list()) byClass.get(getPersistentVolumeClass(pv))?.push(pv);
    }
    return claims;
  }

  /** FindPodVolumes: can every claim of the pod be satisfied on node? Throws on internal errors. */
  findPodVolumes(claims: PodVolumeClaims, node: Node): FindResult {
    const nodeLabels = node.metadata?.labels;
    let boundVolumesSatisfied = true;
    let boundPVsFound = true;
    if (claims.boundClaims.length > 0) {
      const r = this.checkBoundClaims(claims.boundClaims, nodeLabels);
      boundVolumesSatisfied = r.satisfied;
      boundPVsFound = r.found;
    }
    const unbound =
      claims.unboundClaimsDelayBinding.length > 0
        ? this.findUnboundVolumes(claims, node)
        : { satisfied: true, staticBindings: [], dynamicProvisions: [] };

    const reasons: string[] = [];
    if (!boundVolumesSatisfied) reasons.push(ERR_REASON_NODE_CONFLICT);
    if (!unbound.satisfied) reasons.push(ERR_REASON_BIND_CONFLICT);
    // ERR_REASON_NOT_ENOUGH_SPACE comes from CSIStorageCapacity checks, which k8ts leaves out.
    if (!boundPVsFound) reasons.push(ERR_REASON_PV_NOT_EXIST);
    const podVolumes: PodVolumes = {};
    // Upstream normalizes empty to nil here; Reserve turns them into (possibly empty) lists.
    if (unbound.staticBindings.length > 0) podVolumes.staticBindings = unbound.staticBindings;
    if (unbound.dynamicProvisions.length > 0) podVolumes.dynamicProvisions = unbound.dynamicProvisions;
    return { podVolumes, reasons };
  }

  /** The delayed claims: a matching PV each, or else dynamic provisioning on this node. */
  private findUnboundVolumes(
    claims: PodVolumeClaims,
    node: Node,
  ): { satisfied: boolean; staticBindings: BindingInfo[]; dynamicProvisions: PersistentVolumeClaim[] } {
    const nodeName = node.metadata?.name ?? "";
    let satisfied = true;
    let staticBindings: BindingInfo[] = [];
    let dynamicProvisions: PersistentVolumeClaim[] = [];
    const toFindMatching: PersistentVolumeClaim[] = [];
    let toProvision: PersistentVolumeClaim[] = [];
    for (const claim of claims.unboundClaimsDelayBinding) {
      const ann = claim.metadata?.annotations;
      if (ann && Object.hasOwn(ann, ANN_SELECTED_NODE)) {
        // Already being provisioned for another node.
        if (ann[ANN_SELECTED_NODE] !== nodeName)
          return { satisfied: false, staticBindings, dynamicProvisions };
        toProvision.push(claim);
      } else {
        toFindMatching.push(claim);
      }
    }
    if (toFindMatching.length > 0) {
      const r = this.findMatchingVolumes(toFindMatching, claims.unboundVolumesDelayBinding, node);
      satisfied = r.foundMatches;
      staticBindings = r.bindings;
      toProvision = toProvision.concat(r.unboundClaims);
    }
    if (toProvision.length > 0) {
      const r = this.checkVolumeProvisions(toProvision, node.metadata?.labels);
      satisfied = r.satisfied;
      dynamicProvisions = r.dynamicProvisions;
    }
    return { satisfied, staticBindings, dynamicProvisions };
  }

  private checkBoundClaims(
    claims: PersistentVolumeClaim[],
    nodeLabels: Labels,
  ): { satisfied: boolean; found: boolean } {
    for (const pvc of claims) {
      const pv = this.pvCache.get(pvc.spec?.volumeName ?? "");
      if (!pv) return { satisfied: true, found: false };
      if (!checkNodeAffinity(pv, nodeLabels)) return { satisfied: false, found: true };
    }
    return { satisfied: true, found: true };
  }

  private findMatchingVolumes(
    claimsToBind: PersistentVolumeClaim[],
    pvsByClass: Map<string, PersistentVolume[]>,
    node: Node,
  ): { foundMatches: boolean; bindings: BindingInfo[]; unboundClaims: PersistentVolumeClaim[] } {
    // Smallest requests first, so each gets the smallest PV that fits.
    const request = (c: PersistentVolumeClaim) => storageQuantity(c.spec?.resources?.requests?.storage);
    const sorted = [...claimsToBind].sort((a, b) => request(a).cmp(request(b)));
    const chosen = new Set<string>();
    const bindings: BindingInfo[] = [];
    const unboundClaims: PersistentVolumeClaim[] = [];
    let foundMatches = true;
    for (const pvc of sorted) {
      const pvs = pvsByClass.get(getPersistentVolumeClaimClass(pvc)) ?? [];
      const pv = findMatchingVolume(pvc, pvs, { node, excludedVolumes: chosen, delayBinding: true });
      if (!pv) {
        unboundClaims.push(pvc);
        foundMatches = false;
        continue;
      }
      chosen.add(pv.metadata?.name ?? "");
      bindings.push({ pv, pvc });
    }
    return { foundMatches, bindings, unboundClaims };
  }

  /** checkVolumeProvisions, without CSIStorageCapacity checks (capacity is always sufficient). */
  private checkVolumeProvisions(
    claims: PersistentVolumeClaim[],
    nodeLabels: Labels,
  ): { satisfied: boolean; dynamicProvisions: PersistentVolumeClaim[] } {
    const dynamicProvisions: PersistentVolumeClaim[] = [];
    for (const claim of claims) {
      const className = getPersistentVolumeClaimClass(claim);
      if (className === "") throw new Error(`no class for claim ${goQuote(claimToClaimKey(claim))}`);
      const sc = this.storageClass(className);
      if (!sc) throw new Error(`failed to find storage class ${goQuote(className)}`);
      const provisioner = sc.provisioner ?? "";
      if (provisioner === "" || provisioner === NOT_SUPPORTED_PROVISIONER)
        return { satisfied: false, dynamicProvisions: [] };
      if (!matchAllowedTopologies(sc, nodeLabels)) return { satisfied: false, dynamicProvisions: [] };
      dynamicProvisions.push(claim);
    }
    return { satisfied: true, dynamicProvisions };
  }

  /**
   * AssumePodVolumes: records the chosen PVs as bound and the claims to
   * provision as annotated with the node, in the caches only. True when
   * every volume is already fully bound (nothing to do at PreBind).
   */
  assumePodVolumes(pod: Pod, nodeName: string, podVolumes: PodVolumes): boolean {
    if (this.arePodVolumesBound(pod)) return true;
    const newBindings: BindingInfo[] = [];
    for (const b of podVolumes.staticBindings ?? []) {
      const { pv, dirty } = getBindVolumeToClaim(b.pv, b.pvc);
      if (dirty) {
        try {
          this.pvCache.assume(pv);
        } catch (e) {
          this.revertAssumedPVs(newBindings);
          throw e;
        }
      }
      newBindings.push({ pv, pvc: b.pvc });
    }
    const newProvisioned: PersistentVolumeClaim[] = [];
    for (const claim of podVolumes.dynamicProvisions ?? []) {
      // The claim may be the informer's object: never modify it.
      const clone = structuredClone(claim);
      clone.metadata = {
        ...clone.metadata,
        annotations: { ...clone.metadata?.annotations, [ANN_SELECTED_NODE]: nodeName },
      };
      try {
        this.pvcCache.assume(clone);
      } catch (e) {
        this.revertAssumedPVs(newBindings);
        this.revertAssumedPVCs(newProvisioned);
        throw e;
      }
      newProvisioned.push(clone);
    }
    podVolumes.staticBindings = newBindings;
    podVolumes.dynamicProvisions = newProvisioned;
    return false;
  }

  revertAssumedPodVolumes(podVolumes: PodVolumes): void {
    this.revertAssumedPVs(podVolumes.staticBindings ?? []);
    this.revertAssumedPVCs(podVolumes.dynamicProvisions ?? []);
  }

  private revertAssumedPVs(bindings: BindingInfo[]): void {
    for (const b of bindings) this.pvCache.restore(b.pv.metadata?.name ?? "");
  }

  private revertAssumedPVCs(claims: PersistentVolumeClaim[]): void {
    for (const c of claims) this.pvcCache.restore(claimToClaimKey(c));
  }

  /**
   * BindPodVolumes: writes the assumed PVs and PVCs, then polls the informer
   * caches every second until the PV controller has bound them all, up to
   * the bind timeout.
   */
  async bindPodVolumes(pod: Pod, nodeName: string, podVolumes: PodVolumes): Promise<void> {
    const bindings = podVolumes.staticBindings;
    const claimsToProvision = podVolumes.dynamicProvisions;
    await this.bindAPIUpdate(pod, bindings, claimsToProvision);
    const clock = this.handle.clock;
    const deadline = clock.now() + this.bindTimeoutMs;
    for (;;) {
      const remaining = deadline - clock.now();
      if (remaining < BIND_POLL_INTERVAL_MS) {
        if (remaining > 0) await sleep(clock, remaining);
        throw new Error("binding volumes: context deadline exceeded");
      }
      await sleep(clock, BIND_POLL_INTERVAL_MS);
      try {
        if (this.checkBindings(pod, nodeName, bindings, claimsToProvision)) return;
      } catch (e) {
        throw new Error(`binding volumes: ${(e as Error).message}`);
      }
    }
  }

  private async bindAPIUpdate(
    pod: Pod,
    bindings: BindingInfo[] | undefined,
    claimsToProvision: PersistentVolumeClaim[] | undefined,
  ): Promise<void> {
    const podName = `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
    if (!bindings) throw new Error(`failed to get cached bindings for pod ${goQuote(podName)}`);
    if (!claimsToProvision)
      throw new Error(`failed to get cached claims to provision for pod ${goQuote(podName)}`);
    let lastBinding = 0;
    let lastProvisioning = 0;
    try {
      // The prebinding; the PV controller does the rest. There is no API rollback.
      for (const b of bindings) {
        const updated = await this.handle.api.update(Resources.persistentvolumes, b.pv);
        // Keep what the apiserver returned, to compare versions while waiting.
        if (updated) b.pv = updated;
        lastBinding++;
      }
      // The selected-node annotation asks the provisioner for a volume; it removes it on failure.
      for (let i = 0; i < claimsToProvision.length; i++) {
        const updated = await this.handle.api.update(Resources.persistentvolumeclaims, claimsToProvision[i]);
        if (updated) claimsToProvision[i] = updated;
        lastProvisioning++;
      }
    } finally {
      // Only the assumptions whose write did not happen go back.
      if (lastBinding < bindings.length) this.revertAssumedPVs(bindings.slice(lastBinding));
      if (lastProvisioning < claimsToProvision.length)
        this.revertAssumedPVCs(claimsToProvision.slice(lastProvisioning));
    }
  }

  /**
   * checkBindings: true when every PVC we acted on is fully bound; throws when
   * binding must be retried from scheduling. Reads the informers, not the
   * assumed overlay, which later pods may change.
   */
  private checkBindings(
    pod: Pod,
    nodeName: string,
    bindings: BindingInfo[] | undefined,
    claimsToProvision: PersistentVolumeClaim[] | undefined,
  ): boolean {
    const podName = `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
    if (!bindings) throw new Error(`failed to get cached bindings for pod ${goQuote(podName)}`);
    if (!claimsToProvision)
      throw new Error(`failed to get cached claims to provision for pod ${goQuote(podName)}`);
    const node = this.handle.lister<Node>(Resources.nodes).get(nodeName);
    if (!node)
      throw new Error(`failed to get node ${goQuote(nodeName)}: node ${goQuote(nodeName)} not found`);
    const nodeLabels = node.metadata?.labels;
    // A deleted pod cancels the binding.
    if (!this.handle.lister<Pod>(Resources.pods).get(podName)) {
      throw new Error(`pod does not exist any more: pod ${goQuote(pod.metadata?.name ?? "")} not found`);
    }

    for (const b of bindings) {
      const pvName = b.pv.metadata?.name ?? "";
      const pv = this.pvCache.getAPI(pvName);
      if (!pv)
        throw new Error(`failed to check binding: could not find v1.PersistentVolume ${goQuote(pvName)}`);
      const key = claimToClaimKey(b.pvc);
      const pvc = this.pvcCache.getAPI(key);
      if (!pvc)
        throw new Error(`failed to check binding: could not find v1.PersistentVolumeClaim ${goQuote(key)}`);
      // We wrote the PV: wait until the informer has caught up with our write.
      if (resourceVersion(b.pv) > resourceVersion(pv)) return false;
      if (!checkNodeAffinity(pv, nodeLabels)) {
        throw new Error(
          `pv ${goQuote(pvName)} node affinity doesn't match node ${goQuote(nodeName)}: ${nodeAffinityError(pv, nodeLabels)}`,
        );
      }
      // The PV controller drops claimRef when it unbinds the volume.
      if (!pv.spec?.claimRef?.uid) throw new Error(`ClaimRef got reset for pv ${goQuote(pvName)}`);
      if (!isPVCFullyBound(pvc)) return false;
    }

    for (const claim of claimsToProvision) {
      const key = claimToClaimKey(claim);
      const pvc = this.pvcCache.getAPI(key);
      if (!pvc)
        throw new Error(
          `failed to check provisioning pvc: could not find v1.PersistentVolumeClaim ${goQuote(key)}`,
        );
      if (resourceVersion(claim) > resourceVersion(pvc)) return false;
      const name = pvc.metadata?.name ?? "";
      const ann = pvc.metadata?.annotations;
      if (!ann) throw new Error(`selectedNode annotation reset for PVC ${goQuote(name)}`);
      // A provisioner that failed removes the annotation to send the pod back to scheduling.
      if ((ann[ANN_SELECTED_NODE] ?? "") !== nodeName)
        throw new Error(`provisioning failed for PVC ${goQuote(name)}`);
      const volumeName = pvc.spec?.volumeName;
      if (volumeName) {
        const pv = this.pvCache.getAPI(volumeName);
        // Possibly not in the informer yet; check again next time.
        if (!pv) return false;
        if (!checkNodeAffinity(pv, nodeLabels)) {
          throw new Error(
            `pv ${goQuote(volumeName)} node affinity doesn't match node ${goQuote(nodeName)}: ${nodeAffinityError(pv, nodeLabels)}`,
          );
        }
      }
      if (!isPVCFullyBound(pvc)) return false;
    }
    return true;
  }
}
