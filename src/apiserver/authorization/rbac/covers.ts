// Whether one set of rules covers another (component-helpers/auth/rbac/validation
// policy_comparator.go), and CompactRules (pkg/registry/rbac/validation
// policy_compact.go): the ground of escalation checks and reconciliation.
import type { PolicyRule } from "kubernetes-types/rbac/v1.d.ts";
import { ALL } from "./rule.ts";

/** A rule as a list of rules with at most one group, resource, verb and resource name each. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length > 0) {
          for (const name of names) {
            out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
          }
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  // Non-resource URLs only combine with verbs.
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return out;
}

const has = (set: readonly string[] | undefined, e: string) => (set ?? []).includes(e);

function hasAll(set: readonly string[] | undefined, contains: readonly string[] | undefined): boolean {
  // A broken-down rule asks for one element: no set to build (reconciling the bootstrap roles asks thousands of times).
  if (contains?.length === 1) return has(set, contains[0]);
  const owning = new Set(set ?? []);
  return (contains ?? []).every((e) => owning.has(e));
}

function resourceCoversAll(
  set: readonly string[] | undefined,
  covers: readonly string[] | undefined,
): boolean {
  if (has(set, ALL) || hasAll(set, covers)) return true;
  for (const path of covers ?? []) {
    if (has(set, path)) continue;
    const i = path.indexOf("/");
    if (i === -1) return false;
    if (!has(set, `*/${path.slice(i + 1)}`)) return false;
  }
  return true;
}

export function nonResourceURLCovers(owner: string, sub: string): boolean {
  if (owner === sub) return true;
  return owner.endsWith("*") && sub.startsWith(owner.replace(/\*+$/, ""));
}

function nonResourceURLsCoversAll(set: readonly string[] | undefined, covers: readonly string[] | undefined) {
  return (covers ?? []).every((path) => (set ?? []).some((owner) => nonResourceURLCovers(owner, path)));
}

/** Whether ownerRule covers subRule, which has at most one verb, resource and resource name. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbMatches = has(owner.verbs, ALL) || hasAll(owner.verbs, sub.verbs);
  const groupMatches = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resourceMatches = resourceCoversAll(owner.resources, sub.resources);
  const urlMatches = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const ownerNames = owner.resourceNames ?? [];
  const subNames = sub.resourceNames ?? [];
  const nameMatches =
    subNames.length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, subNames);
  return verbMatches && groupMatches && resourceMatches && nameMatches && urlMatches;
}

/** Covers: whether ownerRules allow everything servantRules do, and the broken-down rules they do not. */
export function covers(
  ownerRules: readonly PolicyRule[],
  servantRules: readonly PolicyRule[],
): { covered: boolean; uncovered: PolicyRule[] } {
  const uncovered: PolicyRule[] = [];
  for (const servant of servantRules) {
    for (const sub of breakdownRule(servant)) {
      if (!ownerRules.some((owner) => ruleCovers(owner, sub))) uncovered.push(sub);
    }
  }
  return { covered: uncovered.length === 0, uncovered };
}

/** One group, one resource, some verbs and nothing else: rules that differ only by verb merge. */
function simpleResourceKey(rule: PolicyRule): string | undefined {
  if ((rule.resourceNames ?? []).length > 0 || (rule.nonResourceURLs ?? []).length > 0) return undefined;
  if ((rule.apiGroups ?? []).length !== 1 || (rule.resources ?? []).length !== 1) return undefined;
  return `${rule.apiGroups![0]}\x00${rule.resources![0]}`;
}

/** CompactRules: rules of a single group and resource that differ only by verb become one. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const key = simpleResourceKey(rule);
    if (key === undefined) {
      compacted.push(rule);
      continue;
    }
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...(rule.verbs ?? [])];
    else
      simple.set(key, {
        apiGroups: [...rule.apiGroups!],
        resources: [...rule.resources!],
        verbs: [...rule.verbs],
      });
  }
  compacted.push(...simple.values());
  return compacted;
}
