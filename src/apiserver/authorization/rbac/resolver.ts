// The rules that apply to a user in a namespace (pkg/registry/rbac/validation
// rule.go, DefaultRuleResolver): every ClusterRoleBinding naming the user, then
// every RoleBinding in the namespace, each resolved to its role's rules.
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
} from "kubernetes-types/rbac/v1.d.ts";
import { goQuote } from "../../../machinery/field-errors.ts";
import { newNotFound } from "../../../machinery/status.ts";
import type { UserInfo } from "../../authentication/user.ts";
import { RBAC_GROUP } from "./rule.ts";

/** Where the resolver finds roles and bindings: the watch cache, or a fresh read of the store. */
export interface RoleSource {
  getRole(namespace: string, name: string): Role | undefined;
  getClusterRole(name: string): ClusterRole | undefined;
  listRoleBindings(namespace: string): RoleBinding[];
  listClusterRoleBindings(): ClusterRoleBinding[];
}

/**
 * Called with each rule that applies (and `describe` says which binding and
 * subject granted it), or with an error resolving a binding. Returning false
 * stops the visit.
 */
export type RuleVisitor = (
  describe: (() => string) | undefined,
  rule: PolicyRule | undefined,
  err: Error | undefined,
) => boolean;

export interface RuleResolverOptions {
  /**
   * The error for a binding whose role is missing. Upstream's authorizer reads
   * listers (`clusterrole.rbac.authorization.k8s.io "x" not found`), the
   * escalation check the registry (`clusterroles.…`).
   */
  notFound?: (kind: "Role" | "ClusterRole", name: string) => Error;
}

/** The lister's NotFound: the singular resource, as client-go's listers word it. */
export const listerNotFound = (kind: "Role" | "ClusterRole", name: string): Error =>
  newNotFound({ group: RBAC_GROUP, resource: kind.toLowerCase() }, name);

/** The registry's NotFound: the plural resource. */
export const registryNotFound = (kind: "Role" | "ClusterRole", name: string): Error =>
  newNotFound({ group: RBAC_GROUP, resource: kind === "Role" ? "roles" : "clusterroles" }, name);

export const SERVICE_ACCOUNT_USER_PREFIX = "system:serviceaccount:";

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === "ServiceAccount") {
    // Upstream prints name/namespace, in that order.
    return `${s.kind} ${goQuote(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  }
  return `${s.kind} ${goQuote(s.name)}`;
}

function appliesToUser(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return user.name === subject.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      // A RoleBinding may name a service account of its own namespace without saying so.
      const saNamespace = subject.namespace || namespace;
      if (!saNamespace) return false;
      return user.name === `${SERVICE_ACCOUNT_USER_PREFIX}${saNamespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** The first subject of the binding that is the user, if any. */
function appliesTo(user: UserInfo, subjects: readonly Subject[] | undefined, namespace: string) {
  return (subjects ?? []).find((s) => appliesToUser(user, s, namespace));
}

const q = goQuote;

export class RuleResolver {
  private readonly notFound: (kind: "Role" | "ClusterRole", name: string) => Error;

  constructor(
    private readonly source: RoleSource,
    opts: RuleResolverOptions = {},
  ) {
    this.notFound = opts.notFound ?? listerNotFound;
  }

  /** The rules of the role a binding refers to; throws when it is missing. */
  getRoleReferenceRules(roleRef: RoleRef, bindingNamespace: string): PolicyRule[] {
    switch (roleRef.kind) {
      case "Role": {
        const role = this.source.getRole(bindingNamespace, roleRef.name);
        if (!role) throw this.notFound("Role", roleRef.name);
        return role.rules ?? [];
      }
      case "ClusterRole": {
        const role = this.source.getClusterRole(roleRef.name);
        if (!role) throw this.notFound("ClusterRole", roleRef.name);
        return role.rules ?? [];
      }
      default:
        throw new Error(`unsupported role reference kind: ${q(roleRef.kind)}`);
    }
  }

  visitRulesFor(user: UserInfo, namespace: string, visitor: RuleVisitor): void {
    for (const binding of this.source.listClusterRoleBindings()) {
      const subject = appliesTo(user, binding.subjects, "");
      if (!subject) continue;
      let rules: PolicyRule[];
      try {
        rules = this.getRoleReferenceRules(binding.roleRef, "");
      } catch (e) {
        if (!visitor(undefined, undefined, e as Error)) return;
        continue;
      }
      const describe = () =>
        `ClusterRoleBinding ${q(binding.metadata?.name ?? "")} of ${binding.roleRef.kind} ${q(binding.roleRef.name)} to ${describeSubject(subject, "")}`;
      for (const rule of rules) if (!visitor(describe, rule, undefined)) return;
    }
    if (!namespace) return;
    for (const binding of this.source.listRoleBindings(namespace)) {
      const subject = appliesTo(user, binding.subjects, namespace);
      if (!subject) continue;
      let rules: PolicyRule[];
      try {
        rules = this.getRoleReferenceRules(binding.roleRef, namespace);
      } catch (e) {
        if (!visitor(undefined, undefined, e as Error)) return;
        continue;
      }
      const describe = () =>
        `RoleBinding ${q(`${binding.metadata?.name ?? ""}/${binding.metadata?.namespace ?? ""}`)} of ${binding.roleRef.kind} ${q(binding.roleRef.name)} to ${describeSubject(subject, binding.metadata?.namespace ?? "")}`;
      for (const rule of rules) if (!visitor(describe, rule, undefined)) return;
    }
  }

  /** Every rule that applies, and the errors met on the way (the rules found still count). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: Error[] } {
    const rules: PolicyRule[] = [];
    const errors: Error[] = [];
    this.visitRulesFor(user, namespace, (_d, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }
}

/** utilerrors.NewAggregate(errs).Error(): one message alone, several (deduplicated) as "[a, b]". */
export function aggregateMessage(errors: readonly Error[]): string {
  if (errors.length === 0) return "";
  if (errors.length === 1) return errors[0].message;
  const seen: string[] = [];
  for (const e of errors) if (!seen.includes(e.message)) seen.push(e.message);
  return seen.length === 1 ? seen[0] : `[${seen.join(", ")}]`;
}
