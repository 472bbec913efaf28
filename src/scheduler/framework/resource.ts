// Resource amounts as plain numbers (milli-CPU, bytes, counts), and a pod's
// effective requests as upstream's resourcehelper.PodRequests computes them.
// Quantities are parsed once per distinct string: the scheduler sees the same
// few strings ("100m", "128Mi") over and over.

import type { Quantity as QuantityString } from "kubernetes-types/api/resource.d.ts";
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import { Quantity } from "../../machinery/quantity.ts";

export type ResourceList = Record<string, QuantityString>;

export const CPU = "cpu";
export const MEMORY = "memory";
export const EPHEMERAL_STORAGE = "ephemeral-storage";
export const PODS = "pods";

/** What a container without a request counts as when scoring (upstream's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended resources (e.g. example.com/gpu, hugepages-2Mi), by name. */
  scalar: Map<string, number> | null;
}

export const emptyResource = (): Resource => ({
  milliCPU: 0,
  memory: 0,
  ephemeralStorage: 0,
  allowedPodNumber: 0,
  scalar: null,
});

const milliCache = new Map<string, number>();
const valueCache = new Map<string, number>();

/** A quantity in thousandths (cpu), rounded up. Unparseable input counts as 0: the apiserver validated it. */
export function milliValue(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const s = String(q);
  let v = milliCache.get(s);
  if (v === undefined) {
    try {
      v = Number(Quantity.parse(s).milliValue());
    } catch {
      v = 0;
    }
    if (milliCache.size < 10_000) milliCache.set(s, v);
  }
  return v;
}

/** A quantity as a whole number (bytes, counts), rounded up. */
export function value(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const s = String(q);
  let v = valueCache.get(s);
  if (v === undefined) {
    try {
      v = Number(Quantity.parse(s).value());
    } catch {
      v = 0;
    }
    if (valueCache.size < 10_000) valueCache.set(s, v);
  }
  return v;
}

/** Extended resources: anything but the native cpu/memory/storage/pods names. */
export function isScalarResourceName(name: string): boolean {
  return name !== CPU && name !== MEMORY && name !== EPHEMERAL_STORAGE && name !== PODS;
}

/** Adds a ResourceList into r. */
export function addList(r: Resource, list: ResourceList | undefined): void {
  if (!list) return;
  for (const name in list) {
    const q = list[name];
    switch (name) {
      case CPU:
        r.milliCPU += milliValue(q);
        break;
      case MEMORY:
        r.memory += value(q);
        break;
      case EPHEMERAL_STORAGE:
        r.ephemeralStorage += value(q);
        break;
      case PODS:
        r.allowedPodNumber += value(q);
        break;
      default: {
        r.scalar ??= new Map();
        r.scalar.set(name, (r.scalar.get(name) ?? 0) + value(q));
      }
    }
  }
}

export function fromList(list: ResourceList | undefined): Resource {
  const r = emptyResource();
  addList(r, list);
  return r;
}

export function add(r: Resource, o: Resource, sign = 1): void {
  r.milliCPU += sign * o.milliCPU;
  r.memory += sign * o.memory;
  r.ephemeralStorage += sign * o.ephemeralStorage;
  r.allowedPodNumber += sign * o.allowedPodNumber;
  if (o.scalar) {
    r.scalar ??= new Map();
    for (const [k, v] of o.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) + sign * v);
  }
}

/** Element-wise max, into r. */
function maxInto(r: Resource, o: Resource): void {
  r.milliCPU = Math.max(r.milliCPU, o.milliCPU);
  r.memory = Math.max(r.memory, o.memory);
  r.ephemeralStorage = Math.max(r.ephemeralStorage, o.ephemeralStorage);
  r.allowedPodNumber = Math.max(r.allowedPodNumber, o.allowedPodNumber);
  if (o.scalar) {
    r.scalar ??= new Map();
    for (const [k, v] of o.scalar) r.scalar.set(k, Math.max(r.scalar.get(k) ?? 0, v));
  }
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: r.scalar ? new Map(r.scalar) : null };
}

export function get(r: Resource, name: string): number {
  switch (name) {
    case CPU:
      return r.milliCPU;
    case MEMORY:
      return r.memory;
    case EPHEMERAL_STORAGE:
      return r.ephemeralStorage;
    case PODS:
      return r.allowedPodNumber;
    default:
      return r.scalar?.get(name) ?? 0;
  }
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = fromList(c.resources?.requests);
  if (nonZero) {
    const req = c.resources?.requests;
    if (req?.[CPU] === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (req?.[MEMORY] === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The pod's effective requests: the sum of its containers (and restartable
 * init containers, "sidecars"), or the largest init container plus the
 * sidecars started before it, whichever is larger; plus the pod overhead.
 * With nonZero, containers without a cpu/memory request count the defaults.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const reqs = emptyResource();
  if (!spec) return reqs;
  for (const c of spec.containers ?? []) add(reqs, containerRequests(c, nonZero));
  const restartableSum = emptyResource();
  const initMax = emptyResource();
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === "Always") {
      add(reqs, r);
      add(restartableSum, r);
      maxInto(initMax, restartableSum);
    } else {
      const t = cloneResource(restartableSum);
      add(t, r);
      maxInto(initMax, t);
    }
  }
  maxInto(reqs, initMax);
  if (spec.overhead) addList(reqs, spec.overhead);
  return reqs;
}
