// quota.CalculateUsage (k8s.io/apiserver/pkg/quota/v1/resources.go): a
// quota's usage from the objects of its namespace, asking only the
// evaluators that track one of its hard limits. A resource whose objects
// cannot be listed (a cache not synced yet) is left out of the result rather
// than reported as zero, so the caller keeps its last known figure.
import type { Obj } from "../registry.ts";
import { calculateUsageStats, type QuotaEvaluator, type ScopeSelector } from "./evaluator.ts";
import type { QuotaRegistry } from "./registry.ts";
import { add, difference, intersection, mask, type ResourceList } from "./resources.ts";

/** Lists the namespace's objects the evaluator counts; throws when it cannot (yet). */
export type ListByNamespace = (ev: QuotaEvaluator, namespace: string) => readonly Obj[];

export interface CalculateUsageOptions {
  namespace: string;
  scopes: string[];
  scopeSelector: ScopeSelector[];
  hard: ResourceList;
  registry: QuotaRegistry;
  list: ListByNamespace;
}

/** The usage of every hard limit some evaluator could measure, and the errors of those that could not. */
export function calculateUsage(o: CalculateUsageOptions): { used: ResourceList; errors: Error[] } {
  const hardResources = [...o.hard.keys()];
  const evaluators = o.registry.list();
  const potential = evaluators.flatMap((ev) => ev.matchingResources(hardResources));
  // The intersection only removes duplicates: every evaluator's match is within hard.
  let matched = intersection(hardResources, potential);
  const errors: Error[] = [];
  let used: ResourceList = new Map();
  for (const ev of evaluators) {
    const resources = ev.matchingResources(matched);
    if (resources.length === 0) continue;
    let items: readonly Obj[];
    try {
      items = o.list(ev, o.namespace);
    } catch (e) {
      errors.push(new Error(`failed to list content: ${(e as Error).message}`));
      matched = difference(matched, resources);
      continue;
    }
    used = add(
      used,
      calculateUsageStats(ev, items, { scopes: o.scopes, scopeSelector: o.scopeSelector, resources }),
    );
  }
  return { used: mask(used, matched), errors };
}
