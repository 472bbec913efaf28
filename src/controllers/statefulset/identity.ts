// A StatefulSet pod's stable identity (upstream's stateful_set_utils.go):
// its name "<set>-<ordinal>", the labels that name it, its hostname and
// subdomain (the governing service), and the claims "<template>-<set>-<ordinal>"
// its volumes point at. The ordinal is read back from the pod's name, so a pod
// keeps its identity across deletions and recreations.
import type { StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { PersistentVolumeClaim, Pod, Volume } from "kubernetes-types/core/v1.d.ts";
import { newControllerRef } from "../util/owner.ts";
import { getPodFromTemplate } from "../util/pod-control.ts";

/** apps.StatefulSetPodNameLabel. */
export const STATEFUL_SET_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
/** apps.PodIndexLabel (feature PodIndexLabel, on by default since v1.28). */
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
/** apps.StatefulSetRevisionLabel: the name of the revision a pod was made from. */
export const STATEFUL_SET_REVISION_LABEL = "controller-revision-hash";

export const STATEFUL_SET_KIND = { apiVersion: "apps/v1", kind: "StatefulSet" };
export const POD_KIND = { apiVersion: "v1", kind: "Pod" };

const statefulPodRegex = /(.*)-([0-9]+)$/;
const MAX_INT32 = 2 ** 31 - 1;

/** The parent's name and the ordinal from a pod's name; ("", -1) when the name has no ordinal. */
export function getParentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = statefulPodRegex.exec(pod.metadata?.name ?? "");
  if (!m) return { parent: "", ordinal: -1 };
  // strconv.ParseInt(s, 10, 32) fails beyond int32: the ordinal stays -1.
  const n = Number(m[2]);
  return { parent: m[1], ordinal: n <= MAX_INT32 ? n : -1 };
}

export function getParentName(pod: Pod): string {
  return getParentNameAndOrdinal(pod).parent;
}

export function getOrdinal(pod: Pod): number {
  return getParentNameAndOrdinal(pod).ordinal;
}

/** The first ordinal (spec.ordinals.start, or 0). */
export function getStartOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals ? (set.spec.ordinals.start ?? 0) : 0;
}

/** The last ordinal, inclusive. */
export function getEndOrdinal(set: StatefulSet): number {
  return getStartOrdinal(set) + (set.spec?.replicas ?? 1) - 1;
}

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const ordinal = getOrdinal(pod);
  return ordinal >= getStartOrdinal(set) && ordinal <= getEndOrdinal(set);
}

export function getPodName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name ?? ""}-${ordinal}`;
}

/** "<claim template>-<set>-<ordinal>" (zone spreading heuristics depend on this format upstream). */
export function getPersistentVolumeClaimName(
  set: StatefulSet,
  claim: PersistentVolumeClaim,
  ordinal: number,
): string {
  return `${claim.metadata?.name ?? ""}-${set.metadata?.name ?? ""}-${ordinal}`;
}

export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return getParentName(pod) === set.metadata?.name;
}

/** The pod's name, namespace and pod-name label are those of its ordinal in set. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = getParentNameAndOrdinal(pod);
  return (
    ordinal >= 0 &&
    set.metadata?.name === parent &&
    pod.metadata?.name === getPodName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    pod.metadata?.labels?.[STATEFUL_SET_POD_NAME_LABEL] === pod.metadata?.name
  );
}

/** Every claim template has a volume of the same name bound to the pod's claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const claim of set.spec?.volumeClaimTemplates ?? []) {
    const volume = volumes.get(claim.metadata?.name ?? "");
    if (volume?.persistentVolumeClaim?.claimName !== getPersistentVolumeClaimName(set, claim, ordinal))
      return false;
  }
  return true;
}

/**
 * The claims of a pod by template name, in template order: each template
 * with the pod's claim name, the set's namespace, and the template's labels
 * overlaid with the set's selector matchLabels.
 */
export function getPersistentVolumeClaims(set: StatefulSet, pod: Pod): Map<string, PersistentVolumeClaim> {
  const ordinal = getOrdinal(pod);
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const template of set.spec?.volumeClaimTemplates ?? []) {
    const claim = structuredClone(template);
    claim.metadata = {
      ...claim.metadata,
      name: getPersistentVolumeClaimName(set, template, ordinal),
      namespace: set.metadata?.namespace,
      labels: { ...claim.metadata?.labels, ...set.spec?.selector?.matchLabels },
    };
    claims.set(template.metadata?.name ?? "", claim);
  }
  return claims;
}

/** Points the pod's volumes at its claims, replacing local volumes of the same names. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const current = pod.spec?.volumes ?? [];
  const claims = getPersistentVolumeClaims(set, pod);
  const volumes: Volume[] = [];
  for (const [name, claim] of claims) {
    volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata?.name ?? "" } });
  }
  for (const v of current) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...(pod.spec ?? { containers: [] }), volumes };
}

/** Name, namespace and the identity labels. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  const name = getPodName(set, ordinal);
  pod.metadata = { ...pod.metadata, name, namespace: set.metadata?.namespace };
  pod.metadata.labels = {
    ...pod.metadata.labels,
    [STATEFUL_SET_POD_NAME_LABEL]: name,
    [POD_INDEX_LABEL]: String(ordinal),
  };
}

/** updateIdentity plus hostname and subdomain, which are immutable and so set only at creation. */
export function initIdentity(set: StatefulSet, pod: Pod): void {
  updateIdentity(set, pod);
  pod.spec = { ...(pod.spec ?? { containers: [] }) };
  pod.spec.hostname = pod.metadata?.name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
}

export function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata = { ...pod.metadata };
  pod.metadata.labels = { ...pod.metadata.labels, [STATEFUL_SET_REVISION_LABEL]: revision };
}

/** The revision a pod was made from, "" when unlabelled. */
export function getPodRevision(pod: Pod): string {
  return pod.metadata?.labels?.[STATEFUL_SET_REVISION_LABEL] ?? "";
}

/** A pod of set at ordinal, from its template, with its identity and storage. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const pod = getPodFromTemplate(
    set.spec?.template ?? { spec: { containers: [] } },
    set,
    newControllerRef(set, STATEFUL_SET_KIND),
  );
  pod.metadata!.name = getPodName(set, ordinal);
  initIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

/**
 * A new pod for ordinal at the current revision when the rollout has not
 * reached it yet (below the partition), else at the update revision.
 * The condition keeps upstream's operator precedence: (A && B) || C.
 */
export function newVersionedStatefulSetPod(
  currentSet: StatefulSet,
  updateSet: StatefulSet,
  currentRevision: string,
  updateRevision: string,
  ordinal: number,
): Pod {
  const strategy = currentSet.spec?.updateStrategy;
  const rollingUpdate = strategy?.rollingUpdate;
  const start = getStartOrdinal(currentSet);
  if (
    ((strategy?.type ?? "RollingUpdate") === "RollingUpdate" &&
      !rollingUpdate &&
      ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (rollingUpdate && ordinal < start + (rollingUpdate.partition ?? 0))
  ) {
    const pod = newStatefulSetPod(currentSet, ordinal);
    setPodRevision(pod, currentRevision);
    return pod;
  }
  const pod = newStatefulSetPod(updateSet, ordinal);
  setPodRevision(pod, updateRevision);
  return pod;
}

/** Ascending by ordinal; pods without one (-1) first. */
export function ascendingOrdinal(a: Pod, b: Pod): number {
  return getOrdinal(a) - getOrdinal(b);
}

/** Descending by ordinal; pods without one (-1) last. */
export function descendingOrdinal(a: Pod, b: Pod): number {
  return getOrdinal(b) - getOrdinal(a);
}
