// The pod evaluator (pkg/quota/v1/evaluator/core/pods.go): a pod counts
// towards count/pods while it is stored, and towards "pods" and its compute
// requests and limits only until it finishes (QuotaV1Pod). Scopes pick pods
// by QoS class, activeDeadlineSeconds, priority class and cross-namespace
// pod affinity.
import { everything, newRequirement, Operator } from "../../machinery/labels.ts";
import { Format, Quantity } from "../../machinery/quantity.ts";
import { getPodQOS } from "../defaults/qos.ts";
import type { Obj } from "../registry.ts";
import { isExtendedResourceName, isNativeResource } from "../validation/resources.ts";
import type { GroupResource, QuotaAttributes, QuotaEvaluator, ScopeSelector } from "./evaluator.ts";
import { podLimits, podRequests } from "./pod-resources.ts";
import { add, intersection, type ResourceList, resourceList } from "./resources.ts";

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
/** podResourcePrefixes: quota names matched by prefix. */
const POD_RESOURCE_PREFIXES = [HUGEPAGES_PREFIX, `${REQUESTS_PREFIX}${HUGEPAGES_PREFIX}`];
/** A mistake upstream keeps for compatibility: quota on these makes every container state them. */
const VALIDATION_SET = new Set([
  "cpu",
  "memory",
  "requests.cpu",
  "requests.memory",
  "limits.cpu",
  "limits.memory",
]);

function one(): Quantity {
  return Quantity.fromInt(1, Format.DecimalSI);
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? (v as Obj[]) : [];
}

/** Extended resources cannot be overcommitted, so they are quota'd only as requests.<name>. */
function isExtendedResourceNameForQuota(name: string): boolean {
  return !isNativeResource(name) && name.startsWith(REQUESTS_PREFIX);
}

/** podComputeUsageHelper: the quota names a set of requests and limits counts towards. */
export function podComputeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([["pods", one()]]);
  for (const name of ["cpu", "memory", "ephemeral-storage"]) {
    const req = requests.get(name);
    if (req) {
      out.set(name, req);
      out.set(`${REQUESTS_PREFIX}${name}`, req);
    }
    const lim = limits.get(name);
    if (lim) out.set(`limits.${name}`, lim);
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

/** The Terminating scope: the pod has an active deadline. */
export function isTerminating(pod: Obj): boolean {
  const ads = pod.spec?.activeDeadlineSeconds;
  return typeof ads === "number" && ads >= 0;
}

function crossNamespaceTerm(term: Obj | undefined): boolean {
  return (
    !!term &&
    ((Array.isArray(term.namespaces) && term.namespaces.length > 0) || term.namespaceSelector != null)
  );
}

export function usesCrossNamespacePodAffinity(pod: Obj): boolean {
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

/** podMatchesSelector: ScopedResourceSelectorRequirementsAsSelector matched against {PriorityClass: <name>}. */
function priorityClassSelectorMatches(scope: ScopeSelector, className: string): boolean {
  const op = SELECTOR_OPERATORS[scope.operator];
  if (!op) throw new Error(`${JSON.stringify(scope.operator)} is not a valid scope selector operator`);
  const selector = everything().add(newRequirement(scope.scopeName, op, scope.values ?? []));
  return selector.matches(className ? { [scope.scopeName]: className } : {});
}

/**
 * QuotaV1Pod: whether the pod is charged compute quota. Terminal pods are
 * not, nor pods stuck terminating past their grace period (a lost node
 * must not stop an application from scaling up elsewhere).
 */
export function quotaV1Pod(pod: Obj, nowMs: number): boolean {
  const phase = pod.status?.phase;
  if (phase === "Failed" || phase === "Succeeded") return false;
  const deletion = pod.metadata?.deletionTimestamp;
  const grace = pod.metadata?.deletionGracePeriodSeconds;
  if (deletion && typeof grace === "number") {
    if (nowMs > Date.parse(deletion) + grace * 1000) return false;
  }
  return true;
}

/** podMatchesScopeFunc. */
export function podMatchesScope(scope: ScopeSelector, pod: Obj): boolean {
  switch (scope.scopeName) {
    case "Terminating":
      return isTerminating(pod);
    case "NotTerminating":
      return !isTerminating(pod);
    case "BestEffort":
      return getPodQOS(pod) === "BestEffort";
    case "NotBestEffort":
      return getPodQOS(pod) !== "BestEffort";
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

/** PodUsageFunc: count/pods always; "pods" and compute only while QuotaV1Pod holds. */
export function podUsage(pod: Obj, nowMs: number): ResourceList {
  const out: ResourceList = new Map([["count/pods", one()]]);
  if (!quotaV1Pod(pod, nowMs)) return out;
  return add(out, podComputeUsage(podRequests(pod, { overhead: true }), podLimits(pod, { overhead: true })));
}

export class PodEvaluator implements QuotaEvaluator {
  readonly groupResource: GroupResource = { group: "", resource: "pods" };

  /** now: milliseconds since the epoch, for the deletion grace rule. */
  constructor(private readonly now: () => number = Date.now) {}

  handles(a: QuotaAttributes): boolean {
    return a.subresource === "" && a.operation === "CREATE";
  }

  matchingResources(names: string[]): string[] {
    const out = intersection(names, POD_RESOURCES);
    for (const n of names) {
      if (POD_RESOURCE_PREFIXES.some((p) => n.startsWith(p))) out.push(n);
      if (isExtendedResourceNameForQuota(n)) out.push(n);
    }
    return out;
  }

  matchesScope(scope: ScopeSelector, pod: Obj): boolean {
    return podMatchesScope(scope, pod);
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
    return podUsage(pod, this.now());
  }
}
