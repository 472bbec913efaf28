// Quota evaluators (k8s.io/apiserver/pkg/quota/v1/generic and
// pkg/quota/v1/evaluator/core): for one kind of object, which quota resource
// names it uses, how much of each an object takes, which scopes it falls in,
// and what it must specify when a quota tracks a resource.

import { computePodQOS } from "../../../api/defaults/qos.ts";
import type { Obj } from "../../../api/registry.ts";
import { everything, newRequirement, Operator } from "../../../machinery/labels.ts";
import { Format, Quantity } from "../../../machinery/quantity.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";
import type { AdmissionAttributes } from "../admission.ts";
import { podLimits, podRequests } from "./pod-resources.ts";
import { add, type ResourceList, resourceList, zero } from "./resource-list.ts";

/** corev1.ScopedResourceSelectorRequirement. */
export interface ScopeSelector {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface QuotaEvaluator {
  /** Whether this request can change usage at all. */
  handles(a: AdmissionAttributes): boolean;
  /** The quota resource names among `names` this evaluator tracks. */
  matchingResources(names: string[]): string[];
  matchesScope(scope: ScopeSelector, obj: Obj): boolean;
  /** An error message when the object lacks what a quota on `required` needs. */
  constraints(required: string[], obj: Obj): string | undefined;
  usage(obj: Obj): ResourceList;
}

function one(): Quantity {
  return Quantity.fromInt(1, Format.DecimalSI);
}

/** ObjectCountQuotaResourceNameFor: `count/pods`, `count/deployments.apps`. */
export function objectCountName(group: string, resource: string): string {
  return group === "" ? `count/${resource}` : `count/${resource}.${group}`;
}

/** The selectors of a quota: each spec.scopes entry as Exists, then spec.scopeSelector's expressions. */
export function quotaScopeSelectors(quota: Obj): ScopeSelector[] {
  const out: ScopeSelector[] = [];
  for (const scope of (quota.spec?.scopes ?? []) as string[])
    out.push({ scopeName: scope, operator: "Exists" });
  for (const e of (quota.spec?.scopeSelector?.matchExpressions ?? []) as ScopeSelector[]) out.push(e);
  return out;
}

/** generic.Matches: the quota tracks one of the evaluator's resources and every scope matches. */
export function quotaMatches(ev: QuotaEvaluator, quota: Obj, obj: Obj): boolean {
  const hard = Object.keys(quota.status?.hard ?? {});
  if (ev.matchingResources(hard).length === 0) return false;
  return quotaScopeSelectors(quota).every((s) => ev.matchesScope(s, obj));
}

function intersection(names: string[], known: readonly string[]): string[] {
  return names.filter((n) => known.includes(n));
}

/** Counts objects: `count/<resource>[.<group>]`, plus a legacy alias for a few core kinds. */
export class ObjectCountEvaluator implements QuotaEvaluator {
  readonly resourceNames: string[];

  constructor(group: string, resource: string, alias?: string) {
    this.resourceNames = [objectCountName(group, resource), ...(alias ? [alias] : [])];
  }

  handles(a: AdmissionAttributes): boolean {
    return a.operation === "CREATE";
  }

  matchingResources(names: string[]): string[] {
    return intersection(names, this.resourceNames);
  }

  matchesScope(): boolean {
    return false;
  }

  constraints(): string | undefined {
    return undefined;
  }

  usage(): ResourceList {
    return new Map(this.resourceNames.map((n) => [n, one()]));
  }
}

/** Kinds counted under a name from before count/<resource> existed. */
export const LEGACY_OBJECT_COUNT_ALIASES: Record<string, string> = {
  configmaps: "configmaps",
  resourcequotas: "resourcequotas",
  replicationcontrollers: "replicationcontrollers",
  secrets: "secrets",
};

// ---- pods

const POD_RESOURCES = [
  "count/pods",
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
];
const HUGEPAGES_PREFIX = "hugepages-";
const REQUESTS_PREFIX = "requests.";
/** A mistake upstream keeps for compatibility: quota on these makes every container state them. */
const VALIDATION_SET = new Set([
  "cpu",
  "memory",
  "requests.cpu",
  "requests.memory",
  "limits.cpu",
  "limits.memory",
]);

/** helper.IsNativeResource: no domain, or a kubernetes.io/ one. */
function isNativeResource(name: string): boolean {
  return !name.includes("/") || name.includes("kubernetes.io/");
}

function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith(REQUESTS_PREFIX)) return false;
  return isQualifiedName(`${REQUESTS_PREFIX}${name}`).length === 0;
}

/** Extended resources are quota'd only as requests.<name> (they cannot be overcommitted). */
function isExtendedResourceNameForQuota(name: string): boolean {
  return !isNativeResource(name) && name.startsWith(REQUESTS_PREFIX);
}

/** podComputeUsageHelper: the quota names a set of requests and limits counts towards. */
export function podComputeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([["pods", one()]]);
  for (const [name, prefix] of [
    ["cpu", "cpu"],
    ["memory", "memory"],
    ["ephemeral-storage", "ephemeral-storage"],
  ] as const) {
    const req = requests.get(name);
    if (req) {
      out.set(prefix, req);
      out.set(`requests.${prefix}`, req);
    }
    const lim = limits.get(name);
    if (lim) out.set(`limits.${prefix}`, lim);
  }
  for (const [name, req] of requests) {
    if (name.startsWith(HUGEPAGES_PREFIX)) {
      out.set(name, req);
      out.set(`${REQUESTS_PREFIX}${name}`, req);
    }
    if (isExtendedResourceName(name)) out.set(`${REQUESTS_PREFIX}${name}`, req);
  }
  return out;
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? (v as Obj[]) : [];
}

function isTerminating(pod: Obj): boolean {
  const ads = pod.spec?.activeDeadlineSeconds;
  return typeof ads === "number" && ads >= 0;
}

function crossNamespaceTerm(term: Obj | undefined): boolean {
  return (
    !!term &&
    ((Array.isArray(term.namespaces) && term.namespaces.length > 0) || term.namespaceSelector != null)
  );
}

function usesCrossNamespacePodAffinity(pod: Obj): boolean {
  const aff = pod.spec?.affinity;
  if (!aff) return false;
  for (const kind of [aff.podAffinity, aff.podAntiAffinity]) {
    if (!kind) continue;
    if (list(kind.requiredDuringSchedulingIgnoredDuringExecution).some(crossNamespaceTerm)) return true;
    if (
      list(kind.preferredDuringSchedulingIgnoredDuringExecution).some((w) =>
        crossNamespaceTerm(w.podAffinityTerm),
      )
    ) {
      return true;
    }
  }
  return false;
}

const SELECTOR_OPERATORS: Record<string, string> = {
  In: Operator.In,
  NotIn: Operator.NotIn,
  Exists: Operator.Exists,
  DoesNotExist: Operator.DoesNotExist,
};

/** ScopedResourceSelectorRequirementsAsSelector, matched against {PriorityClass: <name>}. */
function priorityClassSelectorMatches(scope: ScopeSelector, className: string): boolean {
  const op = SELECTOR_OPERATORS[scope.operator];
  if (!op) throw new Error(`${JSON.stringify(scope.operator)} is not a valid scope selector operator`);
  const selector = everything().add(newRequirement(scope.scopeName, op, scope.values ?? []));
  return selector.matches(className ? { [scope.scopeName]: className } : {});
}

/** QuotaV1Pod: terminal pods, and pods stuck past their deletion grace period, use no compute quota. */
function podChargesCompute(pod: Obj, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === "Failed" || phase === "Succeeded") return false;
  const deletion = pod.metadata?.deletionTimestamp;
  const grace = pod.metadata?.deletionGracePeriodSeconds;
  if (deletion && typeof grace === "number") {
    if (now > Date.parse(deletion) + grace * 1000) return false;
  }
  return true;
}

export class PodEvaluator implements QuotaEvaluator {
  constructor(private readonly now: () => number = Date.now) {}

  handles(a: AdmissionAttributes): boolean {
    return a.subresource === "" && a.operation === "CREATE";
  }

  matchingResources(names: string[]): string[] {
    const out = intersection(names, POD_RESOURCES);
    for (const n of names) {
      if (n.startsWith(HUGEPAGES_PREFIX) || n.startsWith(`${REQUESTS_PREFIX}${HUGEPAGES_PREFIX}`))
        out.push(n);
      if (isExtendedResourceNameForQuota(n)) out.push(n);
    }
    return out;
  }

  matchesScope(scope: ScopeSelector, pod: Obj): boolean {
    switch (scope.scopeName) {
      case "Terminating":
        return isTerminating(pod);
      case "NotTerminating":
        return !isTerminating(pod);
      case "BestEffort":
        return computePodQOS(pod) === "BestEffort";
      case "NotBestEffort":
        return computePodQOS(pod) !== "BestEffort";
      case "PriorityClass":
        // Exists only asks whether the pod names a class: no selector needed.
        if (scope.operator === "Exists") return !!pod.spec?.priorityClassName;
        return priorityClassSelectorMatches(scope, pod.spec?.priorityClassName ?? "");
      case "CrossNamespacePodAffinity":
        return usesCrossNamespacePodAffinity(pod);
      default:
        return false;
    }
  }

  constraints(required: string[], pod: Obj): string | undefined {
    const requiredSet = required.filter((r) => VALIDATION_SET.has(r));
    const missing = new Map<string, Set<string>>();
    for (const c of [...list(pod.spec?.containers), ...list(pod.spec?.initContainers)]) {
      const usage = podComputeUsage(resourceList(c.resources?.requests), resourceList(c.resources?.limits));
      for (const r of requiredSet) {
        if (usage.has(r)) continue;
        if (!missing.has(r)) missing.set(r, new Set());
        missing.get(r)!.add(c.name);
      }
    }
    if (missing.size === 0) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(",")}`);
    return `must specify ${parts.join("; ")}`;
  }

  usage(pod: Obj): ResourceList {
    // count/pods tracks every stored pod; "pods" and compute only those not yet finished.
    const out: ResourceList = new Map([["count/pods", one()]]);
    if (!podChargesCompute(pod, this.now())) return out;
    const usage = podComputeUsage(podRequests(pod, { overhead: true }), podLimits(pod, { overhead: true }));
    return add(out, usage);
  }
}

// ---- services

const SERVICE_RESOURCES = ["count/services", "services", "services.nodeports", "services.loadbalancers"];

export class ServiceEvaluator implements QuotaEvaluator {
  /** Create and update: a service's type can change. */
  handles(a: AdmissionAttributes): boolean {
    return a.operation === "CREATE" || a.operation === "UPDATE";
  }

  matchingResources(names: string[]): string[] {
    return intersection(names, SERVICE_RESOURCES);
  }

  matchesScope(): boolean {
    return false;
  }

  constraints(): string | undefined {
    return undefined;
  }

  usage(svc: Obj): ResourceList {
    const ports = list(svc.spec?.ports);
    const out: ResourceList = new Map([
      ["count/services", one()],
      ["services", one()],
      ["services.loadbalancers", zero()],
      ["services.nodeports", zero()],
    ]);
    const type = svc.spec?.type;
    if (type === "NodePort") out.set("services.nodeports", Quantity.fromInt(ports.length, Format.DecimalSI));
    if (type === "LoadBalancer") {
      // Node ports are not allocated yet: count the intent. Without allocation only explicit ones count.
      const count =
        svc.spec?.allocateLoadBalancerNodePorts === false
          ? ports.filter((p) => p.nodePort && p.nodePort !== 0).length
          : ports.length;
      out.set("services.nodeports", Quantity.fromInt(count, Format.DecimalSI));
      out.set("services.loadbalancers", one());
    }
    return out;
  }
}

// ---- persistent volume claims

const STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/";
const PVC_RESOURCES = ["persistentvolumeclaims", "requests.storage"];

/** GetPersistentVolumeClaimClass: the beta annotation first, then spec.storageClassName. */
function claimClass(pvc: Obj): string {
  const ann = pvc.metadata?.annotations;
  if (ann && Object.hasOwn(ann, "volume.beta.kubernetes.io/storage-class")) {
    return ann["volume.beta.kubernetes.io/storage-class"];
  }
  return pvc.spec?.storageClassName ?? "";
}

/** Storage is counted in whole bytes (issue 94313). */
function roundUpToUnit(q: Quantity): Quantity {
  const whole = Quantity.fromInt(q.value(), q.format);
  return whole.cmp(q) === 0 ? q : whole;
}

export class PersistentVolumeClaimEvaluator implements QuotaEvaluator {
  handles(a: AdmissionAttributes): boolean {
    return a.subresource === "" && (a.operation === "CREATE" || a.operation === "UPDATE");
  }

  matchingResources(names: string[]): string[] {
    return names.filter(
      (n) =>
        n === "count/persistentvolumeclaims" ||
        PVC_RESOURCES.includes(n) ||
        PVC_RESOURCES.some((r) => n.endsWith(`${STORAGE_CLASS_SUFFIX}${r}`)),
    );
  }

  /** The VolumeAttributesClass scope needs a feature gate that is off in 1.32. */
  matchesScope(): boolean {
    return false;
  }

  constraints(): string | undefined {
    return undefined;
  }

  usage(pvc: Obj): ResourceList {
    const out: ResourceList = new Map([
      ["persistentvolumeclaims", one()],
      ["count/persistentvolumeclaims", one()],
    ]);
    const cls = claimClass(pvc);
    if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, one());
    let storage: Quantity | undefined;
    const requested = resourceList(pvc.spec?.resources?.requests).get("storage");
    if (requested) {
      storage = roundUpToUnit(requested);
      // An expansion in progress is charged at the larger, allocated size.
      const allocated = resourceList(pvc.status?.allocatedResources).get("storage");
      if (allocated && allocated.cmp(storage) > 0) storage = roundUpToUnit(allocated);
    }
    if (storage) {
      out.set("requests.storage", storage);
      if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
    }
    return out;
  }
}

/** Resources quota never counts: virtual ones, and events. */
export const IGNORED_RESOURCES = new Set([
  "/bindings",
  "/componentstatuses",
  "authentication.k8s.io/tokenreviews",
  "authentication.k8s.io/selfsubjectreviews",
  "authorization.k8s.io/subjectaccessreviews",
  "authorization.k8s.io/selfsubjectaccessreviews",
  "authorization.k8s.io/localsubjectaccessreviews",
  "authorization.k8s.io/selfsubjectrulesreviews",
  "/events",
  "events.k8s.io/events",
]);

/** The evaluator for a group/resource: the core ones, else an object counter. */
export function evaluatorFor(group: string, resource: string, now?: () => number): QuotaEvaluator {
  if (group === "") {
    if (resource === "pods") return new PodEvaluator(now);
    if (resource === "services") return new ServiceEvaluator();
    if (resource === "persistentvolumeclaims") return new PersistentVolumeClaimEvaluator();
  }
  return new ObjectCountEvaluator(
    group,
    resource,
    group === "" ? LEGACY_OBJECT_COUNT_ALIASES[resource] : undefined,
  );
}
