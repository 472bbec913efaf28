// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go): allows a
// request when any rule of any binding that names the user allows it, saying
// which binding did; otherwise no opinion (with the errors met, if any).
import type { Attributes, AuthorizationResult, Authorizer } from "../authorizer.ts";
import type { RuleResolver as SubjectRuleResolver, SubjectRules } from "../rule-resolver.ts";
import { aggregateMessage, type RuleResolver } from "./resolver.ts";
import { ruleAllows } from "./rule.ts";

export class RBACAuthorizer implements Authorizer, SubjectRuleResolver {
  constructor(readonly resolver: RuleResolver) {}

  authorize(a: Attributes): AuthorizationResult {
    let reason = "";
    const errors: Error[] = [];
    let allowed = false;
    this.resolver.visitRulesFor(a.user, a.namespace, (describe, rule, err) => {
      if (rule && ruleAllows(a, rule)) {
        allowed = true;
        reason = `RBAC: allowed by ${describe!()}`;
        return false;
      }
      if (err) errors.push(err);
      return true;
    });
    if (allowed) return { decision: "Allow", reason };
    return { decision: "NoOpinion", reason: errors.length > 0 ? `RBAC: ${aggregateMessage(errors)}` : "" };
  }

  /** RulesFor: each rule split into its resource part and its non-resource part. */
  rulesFor(user: Attributes["user"], namespace: string): SubjectRules {
    const { rules, errors } = this.resolver.rulesFor(user, namespace);
    const out: SubjectRules = { resourceRules: [], nonResourceRules: [], incomplete: false, errors };
    for (const r of rules) {
      if ((r.resources ?? []).length > 0) {
        out.resourceRules.push({
          verbs: r.verbs ?? [],
          apiGroups: r.apiGroups ?? [],
          resources: r.resources ?? [],
          resourceNames: r.resourceNames ?? [],
        });
      }
      if ((r.nonResourceURLs ?? []).length > 0) {
        out.nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs ?? [] });
      }
    }
    return out;
  }
}
