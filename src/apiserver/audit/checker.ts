// Which audit level a request gets (upstream's audit/policy/checker.go): the
// first rule that matches every one of its conditions decides; no match means
// None. A rule's omitted stages add to the policy's.
import type { Attributes } from "../authorization/authorizer.ts";
import type { Level, Policy, PolicyRule, Stage } from "./types.ts";

export interface RequestAuditConfig {
  level: Level;
  omitStages: Stage[];
  omitManagedFields: boolean;
}

/** What a rule is matched against: the request's authorization attributes. */
export type AuditAttributes = Pick<
  Attributes,
  | "user"
  | "verb"
  | "isResourceRequest"
  | "path"
  | "namespace"
  | "apiGroup"
  | "resource"
  | "subresource"
  | "name"
>;

export class PolicyRuleEvaluator {
  private readonly rules: { rule: PolicyRule; omitStages: Stage[] }[];

  constructor(private readonly policy: Policy) {
    this.rules = policy.rules.map((rule) => ({
      rule,
      omitStages: [...new Set([...(policy.omitStages ?? []), ...(rule.omitStages ?? [])])],
    }));
  }

  evaluate(a: AuditAttributes): RequestAuditConfig {
    for (const { rule, omitStages } of this.rules) {
      if (ruleMatches(rule, a)) {
        return {
          level: rule.level,
          omitStages,
          omitManagedFields: rule.omitManagedFields ?? this.policy.omitManagedFields ?? false,
        };
      }
    }
    return {
      level: "None",
      omitStages: this.policy.omitStages ?? [],
      omitManagedFields: this.policy.omitManagedFields ?? false,
    };
  }
}

function nonEmpty(list: readonly string[] | undefined): list is readonly string[] {
  return list !== undefined && list.length > 0;
}

export function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (nonEmpty(r.users) && !r.users.includes(a.user.name)) return false;
  if (nonEmpty(r.userGroups) && !a.user.groups.some((g) => r.userGroups!.includes(g))) return false;
  if (nonEmpty(r.verbs) && !r.verbs.includes(a.verb)) return false;
  if (nonEmpty(r.namespaces) || (r.resources ?? []).length > 0) return ruleMatchesResource(r, a);
  if (nonEmpty(r.nonResourceURLs)) return ruleMatchesNonResource(r, a);
  return true;
}

function ruleMatchesNonResource(r: PolicyRule, a: AuditAttributes): boolean {
  if (a.isResourceRequest) return false;
  return (r.nonResourceURLs ?? []).some((spec) => pathMatches(a.path, spec));
}

/** "*", an exact path, or a prefix ending in "*". */
export function pathMatches(path: string, spec: string): boolean {
  if (spec === "*" || spec === path) return true;
  return spec.endsWith("*") && path.startsWith(spec.replace(/\*+$/, ""));
}

function ruleMatchesResource(r: PolicyRule, a: AuditAttributes): boolean {
  if (!a.isResourceRequest) return false;
  // Cluster-scoped requests have the namespace "".
  if (nonEmpty(r.namespaces) && !r.namespaces.includes(a.namespace)) return false;
  const groups = r.resources ?? [];
  if (groups.length === 0) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of groups) {
    if ((gr.group ?? "") !== a.apiGroup) continue;
    const resources = gr.resources ?? [];
    if (resources.length === 0) return true;
    const names = gr.resourceNames ?? [];
    if (names.length > 0 && !names.includes(a.name)) continue;
    for (const res of resources) {
      if (res === combined || res === "*") return true;
      if (a.subresource && res.startsWith("*/") && a.subresource === res.slice(2)) return true;
      if (res.endsWith("/*") && a.resource === res.slice(0, -2)) return true;
    }
  }
  return false;
}
