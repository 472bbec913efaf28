// RBAC escalation prevention (pkg/registry/rbac: escalation_check.go, the
// policybased storages of roles, clusterroles, rolebindings and
// clusterrolebindings, validation.ConfirmNoEscalation): nobody grants rights
// they do not hold. Writing a Role or ClusterRole needs every rule in it, or
// `escalate` on the role resource; binding a role needs its rules, or `bind`
// on it. system:masters (and so the apiserver's loopback) is exempt.
// Upstream checks in the registry; here it is a validating admission plugin,
// which our registry runs at the same point of a write.
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
} from "kubernetes-types/rbac/v1.d.ts";
import type { Obj } from "../../../api/registry.ts";
import { goQuote } from "../../../machinery/field-errors.ts";
import { newForbidden } from "../../../machinery/status.ts";
import type { AdmissionAttributes, Operation, ValidatingPlugin } from "../../admission/admission.ts";
import { SYSTEM_MASTERS, type UserInfo } from "../../authentication/user.ts";
import type { Registry } from "../../registry/index.ts";
import type { Attributes, Authorizer } from "../authorizer.ts";
import { compactRules, covers } from "./covers.ts";
import { aggregateMessage, type RoleSource, RuleResolver, registryNotFound } from "./resolver.ts";
import { compactString, goQuotedList, RBAC_GROUP } from "./rule.ts";

export const RBAC_ESCALATION_PLUGIN = "RBACEscalation";

/** `*` on everything: what setting an aggregationRule requires, since it can gather anything. */
export const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

/**
 * EscalationAllowed: members of system:masters may grant anything. The
 * apiserver's loopback identity is one of them; its own writes (bootstrap
 * policy, aggregation) do not pass through admission at all.
 */
export function escalationAllowed(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_MASTERS);
}

/**
 * ConfirmNoEscalation: undefined when the user's rules in the namespace cover
 * `rules`, else upstream's message listing what they lack.
 */
export function confirmNoEscalation(
  resolver: RuleResolver,
  user: UserInfo,
  namespace: string,
  rules: readonly PolicyRule[],
): string | undefined {
  const owner = resolver.rulesFor(user, namespace);
  const { covered, uncovered } = covers(owner.rules, rules);
  if (covered) return undefined;
  const missing = [...new Set(compactRules(uncovered).map(compactString))].sort();
  let msg = `user ${goQuote(user.name)} (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${missing.join("\n")}`;
  if (owner.errors.length > 0) msg += `; resolution errors: [${aggregateMessage(owner.errors)}]`;
  return msg;
}

function resourceAttributes(
  user: UserInfo,
  verb: string,
  resource: string,
  namespace: string,
  name: string,
): Attributes {
  return {
    user,
    verb,
    isResourceRequest: true,
    path: "",
    namespace,
    apiGroup: RBAC_GROUP,
    apiVersion: "*",
    resource,
    subresource: "",
    name,
  };
}

/** BindingAuthorized: whether the user holds `bind` on the referenced role, in the binding's namespace. */
export async function bindingAuthorized(
  authorizer: Authorizer,
  user: UserInfo,
  roleRef: RoleRef,
  bindingNamespace: string,
): Promise<boolean> {
  let resource: string;
  if (roleRef.kind === "ClusterRole") resource = "clusterroles";
  else if (roleRef.kind === "Role") resource = "roles";
  else return false;
  const a = resourceAttributes(user, "bind", resource, bindingNamespace, roleRef.name);
  a.apiGroup = roleRef.apiGroup ?? "";
  const r = await authorizer.authorize(a);
  return r.decision === "Allow";
}

/** RoleEscalationAuthorized: whether the user holds `escalate` on the role resource of the request. */
export async function roleEscalationAuthorized(
  authorizer: Authorizer,
  user: UserInfo,
  resource: string,
  namespace: string,
  name: string,
): Promise<boolean> {
  if (resource !== "roles" && resource !== "clusterroles") return false;
  const r = await authorizer.authorize(resourceAttributes(user, "escalate", resource, namespace, name));
  return r.decision === "Allow";
}

const withoutVolatile = (o: Obj): Obj => {
  const c = structuredClone(o);
  if (c.metadata) {
    delete c.metadata.resourceVersion;
    delete c.metadata.managedFields;
  }
  return c;
};

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === "object" && !Array.isArray(val)
      ? Object.fromEntries(
          Object.keys(val as object)
            .sort()
            .map((k) => [k, (val as Record<string, unknown>)[k]]),
        )
      : val,
  );
}

/**
 * IsOnlyMutatingGCFields: the update changes nothing but ownerReferences and
 * finalizers (what the garbage collector writes), which needs no escalation
 * check. The bookkeeping fields resourceVersion and managedFields are ignored.
 */
export function isOnlyMutatingGCFields(obj: Obj, old: Obj): boolean {
  const copy = withoutVolatile(obj);
  copy.metadata ??= {};
  const om = old.metadata ?? {};
  if (om.ownerReferences === undefined) delete copy.metadata.ownerReferences;
  else copy.metadata.ownerReferences = om.ownerReferences;
  if (om.finalizers === undefined) delete copy.metadata.finalizers;
  else copy.metadata.finalizers = om.finalizers;
  return canonical(copy) === canonical(withoutVolatile(old));
}

/** The RBAC objects as the store has them now, for one namespace: escalation decides on fresh state. */
export async function registryRoleSource(registry: Registry, namespace: string): Promise<RoleSource> {
  const list = async <T>(resource: string, ns?: string): Promise<T[]> =>
    (await registry.byResource(RBAC_GROUP, "v1", resource)!.list(ns)).items as T[];
  const [clusterRoles, clusterRoleBindings, roles, roleBindings] = await Promise.all([
    list<ClusterRole>("clusterroles"),
    list<ClusterRoleBinding>("clusterrolebindings"),
    namespace ? list<Role>("roles", namespace) : Promise.resolve([] as Role[]),
    namespace ? list<RoleBinding>("rolebindings", namespace) : Promise.resolve([] as RoleBinding[]),
  ]);
  return {
    getRole: (ns, name) => roles.find((r) => r.metadata?.namespace === ns && r.metadata?.name === name),
    getClusterRole: (name) => clusterRoles.find((r) => r.metadata?.name === name),
    listRoleBindings: (ns) => roleBindings.filter((b) => b.metadata?.namespace === ns),
    listClusterRoleBindings: () => clusterRoleBindings,
  };
}

export interface RBACEscalationOptions {
  registry: Registry;
  /** The apiserver's whole authorizer (bind and escalate may be granted by any mode). */
  authorizer: Authorizer;
  /** Where the user's own rules come from; a fresh read of the store by default. */
  roleSource?: (namespace: string) => Promise<RoleSource>;
}

const hasAggregationRule = (r: Obj | undefined) =>
  ((r as ClusterRole | undefined)?.aggregationRule?.clusterRoleSelectors ?? []).length > 0;

/** The escalation checks as a validating admission plugin ("RBACEscalation"). */
export class RBACEscalation implements ValidatingPlugin {
  readonly name = RBAC_ESCALATION_PLUGIN;

  constructor(private readonly opts: RBACEscalationOptions) {}

  handles(op: Operation): boolean {
    return op === "CREATE" || op === "UPDATE";
  }

  private async resolver(namespace: string): Promise<RuleResolver> {
    const source = await (this.opts.roleSource ?? ((ns) => registryRoleSource(this.opts.registry, ns)))(
      namespace,
    );
    return new RuleResolver(source, { notFound: registryNotFound });
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.resource.group !== RBAC_GROUP || a.subresource !== "" || !a.object) return;
    if (escalationAllowed(a.user)) return;
    const resource = a.resource.resource;
    const obj = a.object;
    const name: string = obj.metadata?.name ?? a.name;
    const namespace = resource === "roles" || resource === "rolebindings" ? a.namespace : "";
    switch (resource) {
      case "roles":
      case "clusterroles": {
        // As upstream, the request's name: none on a create.
        const requestName = a.operation === "CREATE" ? "" : a.name;
        if (await roleEscalationAuthorized(this.opts.authorizer, a.user, resource, namespace, requestName))
          return;
        if (a.operation === "UPDATE" && a.oldObject && isOnlyMutatingGCFields(obj, a.oldObject)) return;
        const resolver = await this.resolver(namespace);
        const msg = confirmNoEscalation(resolver, a.user, namespace, (obj as Role).rules ?? []);
        if (msg) throw newForbidden({ group: RBAC_GROUP, resource }, name, msg);
        if (resource === "clusterroles" && (hasAggregationRule(obj) || hasAggregationRule(a.oldObject))) {
          if (confirmNoEscalation(resolver, a.user, namespace, FULL_AUTHORITY)) {
            throw newForbidden(
              { group: RBAC_GROUP, resource },
              name,
              "must have cluster-admin privileges to use the aggregationRule",
            );
          }
        }
        return;
      }
      case "rolebindings":
      case "clusterrolebindings": {
        if (a.operation === "UPDATE" && a.oldObject && isOnlyMutatingGCFields(obj, a.oldObject)) return;
        const roleRef = (obj as RoleBinding).roleRef;
        if (!roleRef) return;
        if (await bindingAuthorized(this.opts.authorizer, a.user, roleRef, namespace)) return;
        const resolver = await this.resolver(namespace);
        // A missing role is a 404, as upstream's registry lookup answers.
        const rules = resolver.getRoleReferenceRules(roleRef, namespace);
        const msg = confirmNoEscalation(resolver, a.user, namespace, rules);
        if (msg) throw newForbidden({ group: RBAC_GROUP, resource }, name, msg);
        return;
      }
    }
  }
}
