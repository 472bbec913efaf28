// The quota evaluator (k8s.io/apiserver/pkg/quota/v1 Evaluator and
// quota/v1/generic): for one group/resource, which quota resource names it
// tracks, how much of each one object uses, which scopes an object falls in,
// and how a namespace's objects add up to a quota's usage. Shared by the
// ResourceQuota admission plugin and the resource quota controller.
import type { Obj } from "../registry.ts";
import { addInto, type ResourceList, zero } from "./resources.ts";

/** corev1.ScopedResourceSelectorRequirement. */
export interface ScopeSelector {
  scopeName: string;
  operator: string;
  values?: string[];
}

/** What Handles needs of an admission request (the plugin's AdmissionAttributes has these fields). */
export interface QuotaAttributes {
  operation: string;
  subresource: string;
  object?: Obj;
  oldObject?: Obj;
}

export interface GroupResource {
  group: string;
  resource: string;
}

export interface QuotaEvaluator {
  readonly groupResource: GroupResource;
  /** Whether this admission request can change usage at all. */
  handles(a: QuotaAttributes): boolean;
  /** The quota resource names among `names` this evaluator tracks. */
  matchingResources(names: string[]): string[];
  /** Whether obj falls in the scope; throws on a selector that cannot be evaluated. */
  matchesScope(scope: ScopeSelector, obj: Obj): boolean;
  /** An error message when the object lacks what a quota on `required` needs. */
  constraints(required: string[], obj: Obj): string | undefined;
  usage(obj: Obj): ResourceList;
}

/** ObjectCountQuotaResourceNameFor: `count/pods`, `count/deployments.apps`. */
export function objectCountName(gr: GroupResource): string {
  return gr.group === "" ? `count/${gr.resource}` : `count/${gr.resource}.${gr.group}`;
}

/** "group/resource", the key evaluators and ignored resources are found by (core resources start with "/"). */
export function groupResourceKey(gr: GroupResource): string {
  return `${gr.group}/${gr.resource}`;
}

/** getScopeSelectorsFromQuota: each spec.scopes entry as Exists, then spec.scopeSelector's expressions. */
export function quotaScopeSelectors(quota: Obj): ScopeSelector[] {
  const out: ScopeSelector[] = [];
  for (const scope of (quota.spec?.scopes ?? []) as string[])
    out.push({ scopeName: scope, operator: "Exists" });
  for (const e of (quota.spec?.scopeSelector?.matchExpressions ?? []) as ScopeSelector[]) out.push(e);
  return out;
}

/** generic.Matches: the quota tracks one of the evaluator's resources and the object is in every scope. */
export function quotaMatches(ev: QuotaEvaluator, quota: Obj, obj: Obj): boolean {
  const hard = Object.keys(quota.status?.hard ?? {});
  if (ev.matchingResources(hard).length === 0) return false;
  return quotaScopeSelectors(quota).every((s) => ev.matchesScope(s, obj));
}

/** quota.UsageStatsOptions. */
export interface UsageStatsOptions {
  namespace: string;
  /** spec.scopes. */
  scopes: string[];
  /** spec.scopeSelector.matchExpressions. */
  scopeSelector: ScopeSelector[];
  /** The quota resource names to report, each at least zero. */
  resources: string[];
}

/**
 * generic.CalculateUsageStats over the namespace's objects: each spec.scopes
 * entry is matched as Exists, then every scopeSelector expression. As
 * upstream, a scope that cannot be evaluated ends the count, without an
 * error, at what was summed so far.
 */
export function calculateUsageStats(
  ev: QuotaEvaluator,
  items: readonly Obj[],
  opts: Pick<UsageStatsOptions, "scopes" | "scopeSelector" | "resources">,
): ResourceList {
  const used: ResourceList = new Map(opts.resources.map((r) => [r, zero()]));
  for (const item of items) {
    let matches = true;
    try {
      for (const scope of opts.scopes) {
        if (!ev.matchesScope({ scopeName: scope, operator: "Exists" }, item)) matches = false;
      }
      for (const selector of opts.scopeSelector) {
        matches = ev.matchesScope(selector, item) && matches;
      }
    } catch {
      return used;
    }
    if (matches) addInto(used, ev.usage(item));
  }
  return used;
}
