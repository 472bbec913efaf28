// authorizer.RuleResolver: what a user may do in a namespace, as lists of
// rules (SelfSubjectRulesReview, `kubectl auth can-i --list`). A union asks
// each authorizer and concatenates, as upstream's union.NewRuleResolvers.
import type { UserInfo } from "../authentication/user.ts";

export interface ResourceRuleInfo {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
}

export interface NonResourceRuleInfo {
  verbs: string[];
  nonResourceURLs: string[];
}

export interface SubjectRules {
  resourceRules: ResourceRuleInfo[];
  nonResourceRules: NonResourceRuleInfo[];
  /** True when the authorizer cannot list everything the user may do (the Node authorizer for nodes). */
  incomplete: boolean;
  /** Errors met while resolving; the rules found still hold. */
  errors: Error[];
}

export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): SubjectRules;
}

export class UnionRuleResolver implements RuleResolver {
  constructor(private readonly resolvers: RuleResolver[]) {}

  rulesFor(user: UserInfo, namespace: string): SubjectRules {
    const out: SubjectRules = { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] };
    for (const r of this.resolvers) {
      const got = r.rulesFor(user, namespace);
      out.resourceRules.push(...got.resourceRules);
      out.nonResourceRules.push(...got.nonResourceRules);
      out.incomplete ||= got.incomplete;
      out.errors.push(...got.errors);
    }
    return out;
  }
}
