// Reconciliation of the bootstrap policy at every start (upstream's
// rbac/bootstrap-roles post-start hook, component-helpers/auth/rbac/
// reconciliation): missing roles and bindings are created; existing ones get
// the rules, aggregation selectors, subjects, labels and annotations they lack,
// unless annotated rbac.authorization.kubernetes.io/autoupdate=false. Nothing
// is taken away. A binding whose roleRef differs is deleted and created anew.

import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import type {
  AggregationRule,
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
} from "kubernetes-types/rbac/v1.d.ts";
import { applySchemaFor, emptyObjectFor } from "../../../api/apply-schema.ts";
import type { Obj } from "../../../api/registry.ts";
import { updateManagedFields } from "../../../machinery/apply/field-manager.ts";
import { StatusError, StatusReason } from "../../../machinery/status.ts";
import { log } from "../../log.ts";
import type { Registry } from "../../registry/index.ts";
import type { ResourceStore } from "../../registry/resource-store.ts";
import {
  AUTOUPDATE_ANNOTATION,
  clusterRoleBindings,
  clusterRoles,
  controllerRoleBindings,
  controllerRoles,
  namespaceRoleBindings,
  namespaceRoles,
} from "./bootstrap-policy.ts";
import { covers } from "./covers.ts";
import { RBAC_GROUP } from "./rule.ts";

export type ReconcileOperation = "create" | "update" | "recreate" | "none";

type AnyRole = Role | ClusterRole;
type AnyBinding = RoleBinding | ClusterRoleBinding;

export interface ReconcileRoleResult<T extends AnyRole> {
  role: T;
  missingRules: PolicyRule[];
  extraRules: PolicyRule[];
  missingAggregationRuleSelectors: LabelSelector[];
  extraAggregationRuleSelectors: LabelSelector[];
  operation: ReconcileOperation;
  /** The existing object opted out (autoupdate=false): nothing is written. */
  protected: boolean;
}

export interface ReconcileBindingResult<T extends AnyBinding> {
  binding: T;
  missingSubjects: Subject[];
  extraSubjects: Subject[];
  operation: ReconcileOperation;
  protected: boolean;
}

/** Go's map merge: later maps win; undefined when every map is. */
function merge(...maps: (Record<string, string> | undefined)[]): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const m of maps) {
    if (m && !out) out = {};
    if (m) Object.assign(out!, m);
  }
  return out;
}

function removeAggrLabels(labels: Record<string, string> | undefined, prefixes: readonly string[]) {
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!prefixes.some((p) => k.startsWith(p))) out[k] = v;
  return out;
}

/** JSON with sorted keys: equality of plain data regardless of key order. */
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

/** Semantic equality of string maps, where an empty map equals none. */
function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  return canonical(a ?? {}) === canonical(b ?? {});
}

function aggregationRuleCovers(
  owner: AggregationRule | undefined,
  servant: AggregationRule | undefined,
): LabelSelector[] {
  if (!servant) return [];
  if (!owner) return servant.clusterRoleSelectors ?? [];
  const owned = new Set((owner.clusterRoleSelectors ?? []).map(canonical));
  return (servant.clusterRoleSelectors ?? []).filter((s) => !owned.has(canonical(s)));
}

const aggregationOf = (r: AnyRole) => (r as ClusterRole).aggregationRule;

/** computeReconciledRole: `existing` with what `expected` has and it lacks. */
export function computeReconciledRole<T extends AnyRole>(
  existing: T,
  expected: T,
  removeExtraPermissions = false,
  aggrLabelPrefixes: readonly string[] = [],
): ReconcileRoleResult<T> {
  const role = structuredClone(existing);
  role.metadata ??= {};
  const result: ReconcileRoleResult<T> = {
    role,
    missingRules: [],
    extraRules: [],
    missingAggregationRuleSelectors: [],
    extraAggregationRuleSelectors: [],
    operation: "none",
    protected: existing.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === "false",
  };
  const annotations = merge(expected.metadata?.annotations, existing.metadata?.annotations);
  if (annotations) role.metadata.annotations = annotations;
  if (!sameMap(annotations, existing.metadata?.annotations)) result.operation = "update";
  const labels = merge(
    expected.metadata?.labels,
    removeAggrLabels(existing.metadata?.labels, aggrLabelPrefixes),
  );
  if (labels) role.metadata.labels = labels;
  if (!sameMap(labels, existing.metadata?.labels)) result.operation = "update";

  const expectedAgg = aggregationOf(expected);
  const existingAgg = aggregationOf(existing);
  // The rules of two aggregated roles are the aggregator's business, not extra permissions.
  if (!expectedAgg || !existingAgg)
    result.extraRules = covers(expected.rules ?? [], existing.rules ?? []).uncovered;
  result.missingRules = covers(existing.rules ?? [], expected.rules ?? []).uncovered;
  if (!removeExtraPermissions && result.missingRules.length > 0) {
    role.rules = [...(role.rules ?? []), ...result.missingRules];
    result.operation = "update";
  } else if (removeExtraPermissions && (result.missingRules.length > 0 || result.extraRules.length > 0)) {
    role.rules = expected.rules;
    result.operation = "update";
  }

  result.extraAggregationRuleSelectors = aggregationRuleCovers(expectedAgg, existingAgg);
  result.missingAggregationRuleSelectors = aggregationRuleCovers(existingAgg, expectedAgg);
  const target = role as ClusterRole;
  if (!expectedAgg && existingAgg) {
    // Not meant to be aggregated at all.
    delete target.aggregationRule;
    result.operation = "update";
  } else if (!removeExtraPermissions && result.missingAggregationRuleSelectors.length > 0) {
    target.aggregationRule = {
      clusterRoleSelectors: [
        ...(target.aggregationRule?.clusterRoleSelectors ?? []),
        ...result.missingAggregationRuleSelectors,
      ],
    };
    result.operation = "update";
  } else if (
    removeExtraPermissions &&
    (result.missingAggregationRuleSelectors.length > 0 || result.extraAggregationRuleSelectors.length > 0)
  ) {
    target.aggregationRule = expectedAgg;
    result.operation = "update";
  }
  return result;
}

const subjectKey = (s: Subject) => canonical([s.kind, s.apiGroup ?? "", s.name, s.namespace ?? ""]);
const sameRoleRef = (a: RoleRef, b: RoleRef) =>
  a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name;

/** diffSubjectLists: the subjects only in a, and those only in b. */
function diffSubjects(a: readonly Subject[], b: readonly Subject[]): [Subject[], Subject[]] {
  const only = (x: readonly Subject[], y: readonly Subject[]) => {
    const inY = new Set(y.map(subjectKey));
    const seen = new Set<string>();
    return x.filter((s) => {
      const k = subjectKey(s);
      if (inY.has(k) || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  return [only(a, b), only(b, a)];
}

/** computeReconciledRoleBinding: `existing` with the subjects, labels and annotations `expected` adds. */
export function computeReconciledRoleBinding<T extends AnyBinding>(
  existing: T,
  expected: T,
  removeExtraSubjects = false,
): ReconcileBindingResult<T> {
  const isProtected = existing.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === "false";
  if (!sameRoleRef(existing.roleRef, expected.roleRef)) {
    // A roleRef cannot change: the binding starts over.
    return {
      binding: expected,
      missingSubjects: [],
      extraSubjects: [],
      operation: "recreate",
      protected: isProtected,
    };
  }
  const binding = structuredClone(existing);
  binding.metadata ??= {};
  const result: ReconcileBindingResult<T> = {
    binding,
    missingSubjects: [],
    extraSubjects: [],
    operation: "none",
    protected: isProtected,
  };
  const annotations = merge(expected.metadata?.annotations, existing.metadata?.annotations);
  if (annotations) binding.metadata.annotations = annotations;
  if (!sameMap(annotations, existing.metadata?.annotations)) result.operation = "update";
  const labels = merge(expected.metadata?.labels, existing.metadata?.labels);
  if (labels) binding.metadata.labels = labels;
  if (!sameMap(labels, existing.metadata?.labels)) result.operation = "update";

  [result.missingSubjects, result.extraSubjects] = diffSubjects(
    expected.subjects ?? [],
    existing.subjects ?? [],
  );
  if (!removeExtraSubjects && result.missingSubjects.length > 0) {
    binding.subjects = [...(binding.subjects ?? []), ...result.missingSubjects];
    result.operation = "update";
  } else if (removeExtraSubjects && (result.missingSubjects.length > 0 || result.extraSubjects.length > 0)) {
    binding.subjects = expected.subjects;
    result.operation = "update";
  }
  return result;
}

// ---- writing the bootstrap policy

export interface ReconcileOptions {
  registry: Registry;
  now?: () => Date;
  /** Where creations and updates are reported; upstream logs each at info. */
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

const isStatus = (e: unknown, reason: StatusReason) => e instanceof StatusError && e.reason === reason;

/** The apiserver writes its bootstrap policy as upstream's loopback client does: manager "kube-apiserver". */
function tracked(store: ResourceStore, current: Obj | undefined, next: Obj, now: Date): Obj {
  const t = store.type;
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  return updateManagedFields(current, next, {
    manager: "kube-apiserver",
    apiVersion: `${t.group}/${t.version}`,
    kind: t.kind,
    now,
    schema: applySchemaFor(gvk),
    emptyObject: emptyObjectFor(gvk),
  });
}

type Computed = { operation: ReconcileOperation; protected: boolean; object: Obj; details: unknown };

/** Runs one reconciliation: create when missing, update (retrying on conflict), or delete and create. */
async function reconcileObject(
  store: ResourceStore,
  expected: Obj,
  compute: (existing: Obj) => Computed,
  opts: ReconcileOptions,
  report: (op: ReconcileOperation, protectedSkip: boolean, details: unknown) => void,
): Promise<void> {
  const now = opts.now ?? (() => new Date());
  const ns: string | undefined = expected.metadata?.namespace;
  const name: string = expected.metadata.name;
  for (let attempt = 0; attempt < 4; attempt++) {
    let existing: Obj | undefined;
    try {
      existing = await store.get(ns, name);
    } catch (e) {
      if (!isStatus(e, StatusReason.NotFound)) throw e;
    }
    if (!existing) {
      try {
        await store.create(ns, tracked(store, undefined, structuredClone(expected), now()));
        report("create", false, undefined);
        return;
      } catch (e) {
        if (isStatus(e, StatusReason.AlreadyExists)) continue;
        throw e;
      }
    }
    const c = compute(existing);
    if (c.protected) {
      if (c.operation !== "none") report(c.operation, true, c.details);
      return;
    }
    if (c.operation === "none") return;
    if (c.operation === "recreate") {
      try {
        await store.delete(ns, name, { preconditions: { uid: existing.metadata.uid } });
      } catch (e) {
        if (isStatus(e, StatusReason.Conflict)) continue;
        if (!isStatus(e, StatusReason.NotFound)) throw e;
      }
      try {
        await store.create(ns, tracked(store, undefined, structuredClone(expected), now()));
        report("recreate", false, undefined);
        return;
      } catch (e) {
        if (isStatus(e, StatusReason.AlreadyExists)) continue;
        throw e;
      }
    }
    let updated = false;
    try {
      await store.guaranteedUpdate(ns, name, (current) => {
        if (!current) return undefined;
        const again = compute(current);
        if (again.protected || again.operation !== "update") return undefined;
        updated = true;
        return store.prepareUpdate(tracked(store, current, again.object, now()), current);
      });
    } catch (e) {
      if (isStatus(e, StatusReason.NotFound)) continue;
      throw e;
    }
    if (updated) report("update", false, c.details);
    return;
  }
  throw new Error(`exceeded maximum attempts reconciling ${store.type.resource} ${name}`);
}

/** Namespaced bootstrap objects need their namespace; upstream's RoleModifier creates it when missing. */
async function ensureNamespace(registry: Registry, name: string): Promise<void> {
  try {
    await registry.namespaces.get(undefined, name);
  } catch (e) {
    if (!isStatus(e, StatusReason.NotFound)) throw e;
    try {
      await registry.namespaces.create(undefined, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name },
        spec: {},
      });
    } catch (e2) {
      if (!isStatus(e2, StatusReason.AlreadyExists)) throw e2;
    }
  }
}

/**
 * Creates or reconciles every bootstrap ClusterRole, ClusterRoleBinding and
 * namespaced Role and RoleBinding. Failures of one object are reported and
 * the others still reconciled, as upstream does; the first error is rethrown
 * at the end.
 */
export async function reconcileBootstrapPolicy(opts: ReconcileOptions): Promise<void> {
  const say = opts.log ?? ((msg, fields) => log.info(msg, fields));
  const store = (resource: string) => opts.registry.byResource(RBAC_GROUP, "v1", resource)!;
  const counts = { created: 0, updated: 0 };
  let firstError: unknown;
  const run = async (kind: string, resource: string, obj: Obj, compute: (existing: Obj) => Computed) => {
    const name = obj.metadata.namespace
      ? `${obj.metadata.namespace}/${obj.metadata.name}`
      : obj.metadata.name;
    try {
      await reconcileObject(store(resource), obj, compute, opts, (op, skipped, details) => {
        if (skipped) say(`skipped reconcile-protected ${kind}.${RBAC_GROUP}/${name}`, { missing: details });
        else if (op === "update") {
          counts.updated++;
          say(`updated ${kind}.${RBAC_GROUP}/${name}`, { added: details });
        } else if (op === "recreate") say(`recreated ${kind}.${RBAC_GROUP}/${name}`);
        else counts.created++;
      });
    } catch (e) {
      say(`unable to reconcile ${kind}.${RBAC_GROUP}/${name}`, { err: (e as Error).message });
      firstError ??= e;
    }
  };
  const roleCompute = (expected: AnyRole) => (existing: Obj) => {
    const r = computeReconciledRole(existing as AnyRole, expected);
    return { operation: r.operation, protected: r.protected, object: r.role as Obj, details: r.missingRules };
  };
  const bindingCompute = (expected: AnyBinding) => (existing: Obj) => {
    const r = computeReconciledRoleBinding(existing as AnyBinding, expected);
    return {
      operation: r.operation,
      protected: r.protected,
      object: r.binding as Obj,
      details: r.missingSubjects,
    };
  };

  // All at once: no object depends on another's being stored (a binding names its role, it does not need it),
  // and the store commits concurrent writes together, where one after another each waited for its own fsync.
  const roles = namespaceRoles();
  const bindings = namespaceRoleBindings();
  const namespaces = new Set([...roles, ...bindings].map((o) => o.metadata!.namespace!));
  await Promise.all([
    ...[...clusterRoles(), ...controllerRoles()].map((r) =>
      run("clusterrole", "clusterroles", r as Obj, roleCompute(r)),
    ),
    ...[...clusterRoleBindings(), ...controllerRoleBindings()].map((b) =>
      run("clusterrolebinding", "clusterrolebindings", b as Obj, bindingCompute(b)),
    ),
    (async () => {
      await Promise.all([...namespaces].map((ns) => ensureNamespace(opts.registry, ns)));
      await Promise.all([
        ...roles.map((r) => run("role", "roles", r as Obj, roleCompute(r))),
        ...bindings.map((b) => run("rolebinding", "rolebindings", b as Obj, bindingCompute(b))),
      ]);
    })(),
  ]);
  if (counts.created + counts.updated > 0) say("reconciled RBAC bootstrap policy", counts);
  if (firstError) throw firstError;
}
