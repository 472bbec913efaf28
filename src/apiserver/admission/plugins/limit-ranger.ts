// LimitRanger (plugin/pkg/admission/limitranger): a namespace's LimitRanges
// give new pods' containers their default requests and limits (mutating), and
// hold containers, pods and PersistentVolumeClaims within min, max and
// maxLimitRequestRatio (validating).
import { podLimits, podRequests } from "../../../api/quota/pod-resources.ts";
import { type ResourceList, resourceList } from "../../../api/quota/resources.ts";
import type { Obj } from "../../../api/registry.ts";
import { newAggregate } from "../../../machinery/field-errors.ts";
import { Quantity } from "../../../machinery/quantity.ts";
import type { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes, MutatingPlugin, Operation, ValidatingPlugin } from "../admission.ts";
import { admissionForbidden } from "./errors.ts";
import type { ObjectCache } from "./object-cache.ts";

export const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

/** How long a live list of an apparently empty namespace is trusted (liveTTL). */
const LIVE_LOOKUP_TTL_MS = 30_000;
const LIVE_LOOKUP_ENTRIES = 10_000;
/** resource.MaxMilliValue: the largest value whose milli-value fits an int64. */
const MAX_MILLI_VALUE = 9223372036854775807n / 1000n;

export interface LimitRangerOptions {
  registry: Registry;
  /** LimitRanges from a watch; without one every request lists the namespace's. */
  cache?: ObjectCache;
  now?: () => number;
}

type LimitFn = (limitRange: Obj, resource: string, obj: Obj) => void;

export class LimitRanger implements MutatingPlugin, ValidatingPlugin {
  readonly name = "LimitRanger";
  private readonly registry: Registry;
  private readonly cache: ObjectCache | undefined;
  private readonly now: () => number;
  private readonly liveLookups = new Map<string, { expiry: number; items: Obj[] }>();

  constructor(opts: LimitRangerOptions) {
    this.registry = opts.registry;
    this.cache = opts.cache;
    this.now = opts.now ?? Date.now;
  }

  handles(op: Operation): boolean {
    return op === "CREATE" || op === "UPDATE";
  }

  admit(a: AdmissionAttributes): Promise<void> {
    return this.run(a, mutateLimit);
  }

  validate(a: AdmissionAttributes): Promise<void> {
    return this.run(a, validateLimit);
  }

  private async run(a: AdmissionAttributes, limitFn: LimitFn): Promise<void> {
    if (!supportsAttributes(a) || !a.object) return;
    // Objects on their way out are left alone.
    if (a.oldObject?.metadata?.deletionTimestamp) return;
    for (const limitRange of await this.limitRanges(a.namespace)) {
      try {
        limitFn(limitRange, a.resource.resource, a.object);
      } catch (e) {
        throw admissionForbidden(a, e as Error);
      }
    }
  }

  /** The namespace's LimitRanges: from the cache, with a live list when it has none. */
  async limitRanges(namespace: string): Promise<Obj[]> {
    const store = this.registry.byResource("", "v1", "limitranges")!;
    if (this.cache?.synced) {
      const items = this.cache.list(namespace);
      if (items.length > 0) return items;
      const entry = this.liveLookups.get(namespace);
      if (entry && entry.expiry >= this.now()) return entry.items;
    }
    const items = (await store.list(namespace)).items as Obj[];
    if (this.cache?.synced) {
      this.liveLookups.delete(namespace);
      this.liveLookups.set(namespace, { expiry: this.now() + LIVE_LOOKUP_TTL_MS, items });
      while (this.liveLookups.size > LIVE_LOOKUP_ENTRIES) {
        this.liveLookups.delete(this.liveLookups.keys().next().value as string);
      }
    }
    return items;
  }
}

/** Pods on create and PersistentVolumeClaims, never subresources (containers cannot change on update). */
function supportsAttributes(a: AdmissionAttributes): boolean {
  if (a.subresource !== "") return false;
  if (a.kind.group !== "") return false;
  if (a.kind.kind === "Pod") return a.operation !== "UPDATE";
  return a.kind.kind === "PersistentVolumeClaim";
}

function limitItems(limitRange: Obj): Obj[] {
  const limits = limitRange.spec?.limits;
  return Array.isArray(limits) ? (limits as Obj[]) : [];
}

function mutateLimit(limitRange: Obj, resource: string, obj: Obj): void {
  if (resource !== "pods") return;
  // defaultContainerResourceRequirements: later Container items override earlier ones.
  const requests = new Map<string, unknown>();
  const limits = new Map<string, unknown>();
  for (const item of limitItems(limitRange)) {
    if (item.type !== "Container") continue;
    for (const [k, v] of Object.entries(item.defaultRequest ?? {})) requests.set(k, v);
    for (const [k, v] of Object.entries(item.default ?? {})) limits.set(k, v);
  }
  mergePodResourceRequirements(obj, requests, limits);
}

/** Copies a quantity in its canonical form, as upstream re-encodes it. */
function canonical(v: unknown): unknown {
  try {
    return Quantity.fromJSON(v).toString();
  } catch {
    return v;
  }
}

function mergeContainerResources(
  container: Obj,
  requests: Map<string, unknown>,
  limits: Map<string, unknown>,
  prefix: string,
  annotations: string[],
): void {
  const setRequests: string[] = [];
  const setLimits: string[] = [];
  container.resources ??= {};
  const res = container.resources;
  for (const [k, v] of limits) {
    if (res.limits && Object.hasOwn(res.limits, k)) continue;
    res.limits ??= {};
    res.limits[k] = canonical(v);
    setLimits.push(k);
  }
  for (const [k, v] of requests) {
    if (res.requests && Object.hasOwn(res.requests, k)) continue;
    res.requests ??= {};
    res.requests[k] = canonical(v);
    setRequests.push(k);
  }
  // Go writes map keys sorted; keep the changed maps that way.
  if (setLimits.length > 0) res.limits = sortedKeys(res.limits);
  if (setRequests.length > 0) res.requests = sortedKeys(res.requests);
  if (setRequests.length > 0) {
    annotations.push(`${setRequests.sort().join(", ")} request for ${prefix} ${container.name}`);
  }
  if (setLimits.length > 0) {
    annotations.push(`${setLimits.sort().join(", ")} limit for ${prefix} ${container.name}`);
  }
}

function sortedKeys(m: Obj): Obj {
  const out: Obj = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
}

function mergePodResourceRequirements(
  pod: Obj,
  requests: Map<string, unknown>,
  limits: Map<string, unknown>,
): void {
  const annotations: string[] = [];
  for (const c of (pod.spec?.containers ?? []) as Obj[]) {
    mergeContainerResources(c, requests, limits, "container", annotations);
  }
  for (const c of (pod.spec?.initContainers ?? []) as Obj[]) {
    mergeContainerResources(c, requests, limits, "init container", annotations);
  }
  if (annotations.length > 0) {
    pod.metadata.annotations ??= {};
    pod.metadata.annotations[LIMIT_RANGER_ANNOTATION] = `LimitRanger plugin set: ${annotations.join("; ")}`;
  }
}

const ZERO = Quantity.mustParse("0");

/** requestLimitEnforcedValues: the three amounts at a common precision (milli-units when they fit). */
function enforcedValues(request: Quantity, limit: Quantity, enforced: Quantity): [bigint, bigint, bigint] {
  const r = request.value();
  const l = limit.value();
  const e = enforced.value();
  if (r <= MAX_MILLI_VALUE && l <= MAX_MILLI_VALUE && e <= MAX_MILLI_VALUE) {
    return [request.milliValue(), limit.milliValue(), enforced.milliValue()];
  }
  return [r, l, e];
}

function minConstraint(
  limitType: string,
  resourceName: string,
  enforced: Quantity,
  request: ResourceList,
  limit: ResourceList,
): Error | undefined {
  const req = request.get(resourceName);
  const lim = limit.get(resourceName);
  const [observedReq, observedLim, enforcedValue] = enforcedValues(req ?? ZERO, lim ?? ZERO, enforced);
  if (!req) {
    return new Error(
      `minimum ${resourceName} usage per ${limitType} is ${enforced}.  No request is specified`,
    );
  }
  if (observedReq < enforcedValue) {
    return new Error(`minimum ${resourceName} usage per ${limitType} is ${enforced}, but request is ${req}`);
  }
  if (lim && observedLim < enforcedValue) {
    return new Error(`minimum ${resourceName} usage per ${limitType} is ${enforced}, but limit is ${lim}`);
  }
  return undefined;
}

/** maxRequestConstraint: for PersistentVolumeClaims, whose limits are not user input. */
function maxRequestConstraint(
  limitType: string,
  resourceName: string,
  enforced: Quantity,
  request: ResourceList,
): Error | undefined {
  const req = request.get(resourceName);
  const [observedReq, , enforcedValue] = enforcedValues(req ?? ZERO, ZERO, enforced);
  if (!req) {
    return new Error(
      `maximum ${resourceName} usage per ${limitType} is ${enforced}.  No request is specified`,
    );
  }
  if (observedReq > enforcedValue) {
    return new Error(`maximum ${resourceName} usage per ${limitType} is ${enforced}, but request is ${req}`);
  }
  return undefined;
}

function maxConstraint(
  limitType: string,
  resourceName: string,
  enforced: Quantity,
  request: ResourceList,
  limit: ResourceList,
): Error | undefined {
  const req = request.get(resourceName);
  const lim = limit.get(resourceName);
  const [observedReq, observedLim, enforcedValue] = enforcedValues(req ?? ZERO, lim ?? ZERO, enforced);
  if (!lim) {
    return new Error(`maximum ${resourceName} usage per ${limitType} is ${enforced}.  No limit is specified`);
  }
  if (observedLim > enforcedValue) {
    return new Error(`maximum ${resourceName} usage per ${limitType} is ${enforced}, but limit is ${lim}`);
  }
  if (req && observedReq > enforcedValue) {
    return new Error(`maximum ${resourceName} usage per ${limitType} is ${enforced}, but request is ${req}`);
  }
  return undefined;
}

function limitRequestRatioConstraint(
  limitType: string,
  resourceName: string,
  enforced: Quantity,
  request: ResourceList,
  limit: ResourceList,
): Error | undefined {
  const req = request.get(resourceName);
  const lim = limit.get(resourceName);
  const [observedReq, observedLim] = enforcedValues(req ?? ZERO, lim ?? ZERO, enforced);
  if (!req || observedReq === 0n) {
    return new Error(
      `${resourceName} max limit to request ratio per ${limitType} is ${enforced}, but no request is specified or request is 0`,
    );
  }
  if (!lim || observedLim === 0n) {
    return new Error(
      `${resourceName} max limit to request ratio per ${limitType} is ${enforced}, but no limit is specified or limit is 0`,
    );
  }
  let observedRatio = Number(observedLim) / Number(observedReq);
  const displayRatio = observedRatio;
  let maxRatio = Number(enforced.value());
  if (enforced.value() <= MAX_MILLI_VALUE) {
    observedRatio *= 1000;
    maxRatio = Number(enforced.milliValue());
  }
  if (observedRatio > maxRatio) {
    return new Error(
      `${resourceName} max limit to request ratio per ${limitType} is ${enforced}, but provided ratio is ${displayRatio.toFixed(6)}`,
    );
  }
  return undefined;
}

function quantities(list: unknown): [string, Quantity][] {
  return [...resourceList(list)];
}

function checkAll(
  errs: Error[],
  item: Obj,
  limitType: string,
  requests: ResourceList,
  limits: ResourceList,
): void {
  for (const [k, v] of quantities(item.min)) pushIf(errs, minConstraint(limitType, k, v, requests, limits));
  for (const [k, v] of quantities(item.max)) pushIf(errs, maxConstraint(limitType, k, v, requests, limits));
  for (const [k, v] of quantities(item.maxLimitRequestRatio)) {
    pushIf(errs, limitRequestRatioConstraint(limitType, k, v, requests, limits));
  }
}

function pushIf(errs: Error[], e: Error | undefined): void {
  if (e) errs.push(e);
}

function validateLimit(limitRange: Obj, resource: string, obj: Obj): void {
  const errs: Error[] = [];
  if (resource === "pods") podValidateLimits(limitRange, obj, errs);
  else if (resource === "persistentvolumeclaims") pvcValidateLimits(limitRange, obj, errs);
  const agg = newAggregate(errs);
  if (agg) throw agg;
}

function podValidateLimits(limitRange: Obj, pod: Obj, errs: Error[]): void {
  for (const item of limitItems(limitRange)) {
    if (item.type === "Container") {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Obj[]) {
        checkAll(
          errs,
          item,
          "Container",
          resourceList(c.resources?.requests),
          resourceList(c.resources?.limits),
        );
      }
    }
    if (item.type === "Pod") {
      checkAll(errs, item, "Pod", podRequests(pod, { overhead: false }), podLimits(pod, { overhead: false }));
    }
  }
}

/** Storage limits apply to spec.resources.requests only; claims are never defaulted. */
function pvcValidateLimits(limitRange: Obj, pvc: Obj, errs: Error[]): void {
  const requests = resourceList(pvc.spec?.resources?.requests);
  for (const item of limitItems(limitRange)) {
    if (item.type !== "PersistentVolumeClaim") continue;
    for (const [k, v] of quantities(item.min)) {
      pushIf(errs, minConstraint("PersistentVolumeClaim", k, v, requests, new Map()));
    }
    for (const [k, v] of quantities(item.max)) {
      pushIf(errs, maxRequestConstraint("PersistentVolumeClaim", k, v, requests));
    }
  }
}
