// A pod's effective resource requests and the node's allocatable as plain
// numbers, for admission (upstream's component-helpers resource.PodRequests
// and the scheduler framework's Resource, which the kubelet's predicate
// admission reuses; the kubelet may not import the scheduler, so it has its
// own). Requests and limits sum as quantities and round once, as upstream.
import type { Quantity as QuantityString } from "kubernetes-types/api/resource.d.ts";
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import { Quantity } from "../../machinery/quantity.ts";

export type ResourceList = Record<string, QuantityString>;
type QuantityList = Map<string, Quantity>;

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended resources, hugepages and other scalar resources, by name. */
  scalar: Map<string, number>;
}

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

function parse(q: QuantityString | undefined): Quantity | undefined {
  if (q === undefined) return undefined;
  try {
    return Quantity.parse(String(q));
  } catch {
    // The apiserver validated it; an unparseable amount counts as none.
    return undefined;
  }
}

function addInto(into: QuantityList, list: ResourceList | QuantityList | undefined): void {
  if (!list) return;
  const entries =
    list instanceof Map ? list.entries() : Object.entries(list).map(([k, v]) => [k, parse(v)] as const);
  for (const [name, q] of entries) {
    if (!q) continue;
    const cur = into.get(name);
    into.set(name, cur ? cur.add(q) : q);
  }
}

function maxInto(into: QuantityList, list: QuantityList): void {
  for (const [name, q] of list) {
    const cur = into.get(name);
    if (!cur || q.cmp(cur) > 0) into.set(name, q);
  }
}

/**
 * resourcehelper.PodRequests: the sum of the containers and sidecars, or the
 * largest init container plus the sidecars started before it, whichever is
 * larger, plus the pod overhead.
 */
export function podRequests(pod: Pod): QuantityList {
  const spec = pod.spec;
  const reqs: QuantityList = new Map();
  if (!spec) return reqs;
  for (const c of spec.containers ?? []) addInto(reqs, c.resources?.requests);
  const sidecars: QuantityList = new Map();
  const initMax: QuantityList = new Map();
  for (const c of spec.initContainers ?? []) {
    if (c.restartPolicy === "Always") {
      // A sidecar runs alongside everything after it.
      addInto(reqs, c.resources?.requests);
      addInto(sidecars, c.resources?.requests);
      maxInto(initMax, sidecars);
    } else {
      const use: QuantityList = new Map();
      addInto(use, c.resources?.requests);
      addInto(use, sidecars);
      maxInto(initMax, use);
    }
  }
  maxInto(reqs, initMax);
  addInto(reqs, spec.overhead);
  return reqs;
}

/**
 * resourcehelper.PodLimits: the containers' and sidecars' limits summed, or
 * the largest init container (with the sidecars started before it), whichever
 * is larger; the overhead is added to the limits that are set. containerFn
 * sees each container's effective limits, as upstream's ContainerFn.
 */
export function podLimits(pod: Pod, containerFn?: (limits: QuantityList) => void): QuantityList {
  const spec = pod.spec;
  const limits: QuantityList = new Map();
  if (!spec) return limits;
  const own = (c: Container): QuantityList => {
    const l: QuantityList = new Map();
    addInto(l, c.resources?.limits);
    return l;
  };
  for (const c of spec.containers ?? []) {
    const l = own(c);
    containerFn?.(l);
    addInto(limits, l);
  }
  const sidecars: QuantityList = new Map();
  const initMax: QuantityList = new Map();
  for (const c of spec.initContainers ?? []) {
    let l = own(c);
    if (c.restartPolicy === "Always") {
      addInto(limits, l);
      addInto(sidecars, l);
      l = new Map(sidecars);
    } else {
      addInto(l, sidecars);
    }
    containerFn?.(l);
    maxInto(initMax, l);
  }
  maxInto(limits, initMax);
  for (const [name, q] of Object.entries(spec.overhead ?? {})) {
    const cur = limits.get(name);
    const o = parse(q);
    if (cur && o) limits.set(name, cur.add(o));
  }
  return limits;
}

/** v1helper.IsExtendedResourceName: a domain-prefixed name outside kubernetes.io. */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes("/") || name.includes("kubernetes.io/") || name.startsWith("requests.")) return false;
  return /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(
    name,
  );
}

/** schedutil.IsScalarResourceName: extended, hugepages, prefixed native and attachable volumes. */
export function isScalarResourceName(name: string): boolean {
  return (
    isExtendedResourceName(name) ||
    name.startsWith("hugepages-") ||
    name.includes("kubernetes.io/") ||
    name.startsWith("attachable-volumes-")
  );
}

/** framework.Resource.Add: cpu in millicores, the rest in whole units. */
export function toResource(list: QuantityList | ResourceList | undefined): Resource {
  const r = emptyResource();
  const q: QuantityList = new Map();
  addInto(q, list);
  for (const [name, v] of q) {
    switch (name) {
      case "cpu":
        r.milliCPU += Number(v.milliValue());
        break;
      case "memory":
        r.memory += Number(v.value());
        break;
      case "ephemeral-storage":
        r.ephemeralStorage += Number(v.value());
        break;
      case "pods":
        r.allowedPodNumber += Number(v.value());
        break;
      default:
        if (isScalarResourceName(name)) r.scalar.set(name, (r.scalar.get(name) ?? 0) + Number(v.value()));
    }
  }
  return r;
}

export function addResource(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  into.allowedPodNumber += r.allowedPodNumber;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + v);
}

/** computePodResourceRequest: a pod's requests as a Resource. */
export function podResourceRequest(pod: Pod): Resource {
  return toResource(podRequests(pod));
}
