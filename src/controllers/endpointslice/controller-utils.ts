// k8s.io/endpointslice/util (controller_utils.go): what the Endpoints and
// EndpointSlice controllers share — which pods belong in endpoints, which
// Services a pod change concerns, port lookup by name, and the comparisons
// that keep writes to real changes.
import type { ObjectReference, Pod, Service, ServicePort } from "kubernetes-types/core/v1.d.ts";
import type { Endpoint, EndpointPort } from "kubernetes-types/discovery/v1.d.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { metaNamespaceKey } from "../../client/indexer.ts";
import { selectorFromSet } from "../../machinery/labels.ts";
import { isPodReady, isPodTerminal } from "../util/pods.ts";
import { DISCOVERY_ENDPOINT_PORT, deepHashObjectToString } from "./dump-for-hash.ts";

/** The Service's selector as Go sees it after a round trip: an empty map is nil (selects nothing here). */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

/**
 * ShouldPodBeInEndpoints: not terminal, has an IP, and — unless
 * includeTerminating — not being deleted.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  // "Terminal" (Succeeded or Failed) is not the same as terminating (deletionTimestamp set).
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod names a hostname and sits in the Service's subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return (
    !!pod.spec?.hostname &&
    pod.spec?.subdomain === svc.metadata?.name &&
    svc.metadata?.namespace === pod.metadata?.namespace
  );
}

/**
 * FindPort: a numeric targetPort as is; a named one looked up among the
 * containers' ports (and restartable init containers', i.e. sidecars) with
 * the same protocol.
 */
export function findPort(pod: Pod, svcPort: ServicePort): number {
  const target = svcPort.targetPort;
  const protocol = svcPort.protocol ?? "TCP";
  if (typeof target === "string") {
    for (const c of pod.spec?.containers ?? []) {
      for (const p of c.ports ?? []) {
        if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
      }
    }
    for (const c of pod.spec?.initContainers ?? []) {
      if (c.restartPolicy !== "Always") continue;
      for (const p of c.ports ?? []) {
        if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
      }
    }
  } else if (typeof target === "number") {
    return target;
  } else {
    // The apiserver defaults targetPort to port; an undefaulted object means the same.
    return svcPort.port;
  }
  throw new Error(`no suitable port for manifest: ${pod.metadata?.uid ?? ""}`);
}

/** GetPodServiceMemberships: keys of the Services in the pod's namespace whose selector matches it. */
export function getPodServiceMemberships(services: IndexerView<Service>, pod: Pod): Set<string> {
  const out = new Set<string>();
  const labels = pod.metadata?.labels ?? {};
  for (const svc of services.byNamespace(pod.metadata?.namespace ?? "")) {
    const sel = serviceSelector(svc);
    // A nil selector selects nothing here, not everything.
    if (!sel) continue;
    if (selectorFromSet(sel).matches(labels)) out.add(metaNamespaceKey(svc));
  }
  return out;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && x[k] === y[k]);
}

/**
 * podEndpointsChanged: [the pod changed in a way that may change its
 * endpoints, its labels/hostname/subdomain changed (so its Services may)].
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): [boolean, boolean] {
  const labelsChanged =
    !sameLabels(newPod.metadata?.labels, oldPod.metadata?.labels) ||
    newPod.spec?.hostname !== oldPod.spec?.hostname ||
    newPod.spec?.subdomain !== oldPod.spec?.subdomain;
  // upstream compares the two *metav1.Time pointers, which differ whenever either is set.
  if (newPod.metadata?.deletionTimestamp || oldPod.metadata?.deletionTimestamp) return [true, labelsChanged];
  if (isPodReady(oldPod) !== isPodReady(newPod)) return [true, labelsChanged];
  const oldIPs = oldPod.status?.podIPs ?? [];
  const newIPs = newPod.status?.podIPs ?? [];
  if (oldIPs.length !== newIPs.length) return [true, labelsChanged];
  for (let i = 0; i < oldIPs.length; i++) {
    if (oldIPs[i].ip !== newIPs[i].ip) return [true, labelsChanged];
  }
  // Name, namespace and uid are immutable; nodeName is set before the pod has an IP.
  return [false, labelsChanged];
}

/** GetServicesToUpdateOnPodChange: the Services a pod update may concern. */
export function getServicesToUpdateOnPodChange(
  services: IndexerView<Service>,
  oldPod: Pod,
  newPod: Pod,
): Set<string> {
  // A resync: same pod, same version.
  if (newPod.metadata?.resourceVersion === oldPod.metadata?.resourceVersion) return new Set();
  const [podChanged, labelsChanged] = podEndpointsChanged(oldPod, newPod);
  if (!podChanged && !labelsChanged) return new Set();
  const current = getPodServiceMemberships(services, newPod);
  if (!labelsChanged) return current;
  const old = getPodServiceMemberships(services, oldPod);
  if (podChanged) return new Set([...current, ...old]);
  // Only the labels changed: only Services the pod joined or left.
  const out = new Set<string>();
  for (const k of current) if (!old.has(k)) out.add(k);
  for (const k of old) if (!current.has(k)) out.add(k);
  return out;
}

/** Sorts endpoint ports as NewPortMapKey does (by the FNV-128a of each), in place. */
export function sortPortsInOrder(ports: EndpointPort[]): EndpointPort[] {
  const keyed = ports.map((p) => ({ p, h: deepHashObjectToString(p, DISCOVERY_ENDPOINT_PORT) }));
  keyed.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  for (let i = 0; i < ports.length; i++) ports[i] = keyed[i].p;
  return ports;
}

/** NewPortMapKey: one key per distinct set of endpoint ports (sorts them in place, as upstream). */
export function newPortMapKey(ports: EndpointPort[] | undefined): string {
  const sorted = sortPortsInOrder(ports ?? []);
  return sorted.map((p) => deepHashObjectToString(p, DISCOVERY_ENDPOINT_PORT)).join(",");
}

function sameRefIgnoringResourceVersion(
  a: ObjectReference | undefined,
  b: ObjectReference | undefined,
): boolean {
  if (!a || !b) return !a && !b;
  const keys = ["kind", "namespace", "name", "uid", "apiVersion", "fieldPath"] as const;
  return keys.every((k) => (a[k] ?? "") === (b[k] ?? ""));
}

/**
 * EndpointsEqualBeyondHash: equal in what the endpoint hash leaves out
 * (node, zone, conditions, target) — ignoring the target's resourceVersion.
 */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  if ((a.nodeName ?? null) !== (b.nodeName ?? null)) return false;
  if ((a.zone ?? null) !== (b.zone ?? null)) return false;
  if ((a.conditions?.ready ?? null) !== (b.conditions?.ready ?? null)) return false;
  if ((a.conditions?.serving ?? null) !== (b.conditions?.serving ?? null)) return false;
  if ((a.conditions?.terminating ?? null) !== (b.conditions?.terminating ?? null)) return false;
  return sameRefIgnoringResourceVersion(a.targetRef, b.targetRef);
}

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros. */
export function formatRFC3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  const [base, frac] = iso.slice(0, -1).split(".");
  const trimmed = (frac ?? "").replace(/0+$/, "");
  return trimmed ? `${base}.${trimmed}Z` : `${base}Z`;
}
