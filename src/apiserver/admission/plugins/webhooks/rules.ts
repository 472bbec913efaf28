// Does a request match a webhook rule (upstream's predicates/rules/rules.go)?
// Operations, API groups, versions and resources must each match exactly or
// by "*"; "pods/*" matches every subresource of pods, "*/status" the status
// of everything; the scope tells cluster-scoped from namespaced requests.
import type { RuleWithOperations } from "kubernetes-types/admissionregistration/v1.d.ts";
import type { AdmissionAttributes } from "../../admission.ts";

/** RuleWithOperations in full: kubernetes-types leaves out the fields it inlines from Rule. */
export interface Rule extends RuleWithOperations {
  resources?: string[];
  scope?: string;
}

/** The part of the request a rule looks at; `resource` may be an equivalent of the requested one. */
export type RuleAttributes = Pick<
  AdmissionAttributes,
  "operation" | "resource" | "subresource" | "namespace"
>;

function exactOrWildcard(items: readonly string[] | undefined, requested: string): boolean {
  for (const item of items ?? []) {
    if (item === "*" || item === requested) return true;
  }
  return false;
}

function isNamespaceResource(r: AdmissionAttributes["resource"]): boolean {
  return r.group === "" && r.version === "v1" && r.resource === "namespaces";
}

function scope(rule: Rule, a: RuleAttributes): boolean {
  if (rule.scope === undefined || rule.scope === "*") return true;
  // A Namespace is cluster-scoped, although its requests carry its name as namespace.
  switch (rule.scope) {
    case "Namespaced":
      return !isNamespaceResource(a.resource) && a.namespace !== "";
    case "Cluster":
      return isNamespaceResource(a.resource) || a.namespace === "";
    default:
      return false;
  }
}

function operation(rule: Rule, a: RuleAttributes): boolean {
  for (const op of rule.operations ?? []) {
    if (op === "*" || op === a.operation) return true;
  }
  return false;
}

function splitResource(resSub: string): [string, string] {
  const i = resSub.indexOf("/");
  return i === -1 ? [resSub, ""] : [resSub.slice(0, i), resSub.slice(i + 1)];
}

function resource(rule: Rule, a: RuleAttributes): boolean {
  for (const r of rule.resources ?? []) {
    const [res, sub] = splitResource(r);
    const resMatch = res === "*" || res === a.resource.resource;
    const subMatch = sub === "*" || sub === a.subresource;
    if (resMatch && subMatch) return true;
  }
  return false;
}

export function ruleMatches(rule: Rule, a: RuleAttributes): boolean {
  return (
    scope(rule, a) &&
    operation(rule, a) &&
    exactOrWildcard(rule.apiGroups, a.resource.group) &&
    exactOrWildcard(rule.apiVersions, a.resource.version) &&
    resource(rule, a)
  );
}

const EXEMPT_KINDS = new Set([
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
]);

/** Webhooks never see admission configuration objects, so a broken webhook cannot lock itself in. */
export function isExemptAdmissionConfigurationResource(a: Pick<AdmissionAttributes, "kind">): boolean {
  return a.kind.group === "admissionregistration.k8s.io" && EXEMPT_KINDS.has(a.kind.kind);
}
