// rbac.authorization.k8s.io/v1 validation: Role, ClusterRole, RoleBinding,
// ClusterRoleBinding (pkg/apis/rbac/validation, v1.32). RBAC names only
// have to be valid path segments.

import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
} from "kubernetes-types/rbac/v1.d.ts";
import {
  type FieldError,
  GoValue,
  goQuote,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import {
  labelSelectorParses,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validatePathSegmentName,
} from "./common.ts";
import { goStringSliceText } from "./gofmt.ts";

const rbacGroup = "rbac.authorization.k8s.io";
const metaPath = newPath("metadata");

function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((rule.verbs ?? []).length === 0)
    errs.push(required(path.child("verbs"), "verbs must contain at least one value"));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    const value = new GoValue(goStringSliceText(urls));
    if (namespaced)
      errs.push(
        invalid(path.child("nonResourceURLs"), value, "namespaced rules cannot apply to non-resource URLs"),
      );
    if (
      (rule.apiGroups ?? []).length > 0 ||
      (rule.resources ?? []).length > 0 ||
      (rule.resourceNames ?? []).length > 0
    ) {
      errs.push(
        invalid(
          path.child("nonResourceURLs"),
          value,
          "rules cannot apply to both regular resources and non-resource URLs",
        ),
      );
    }
    return errs;
  }
  if ((rule.apiGroups ?? []).length === 0) {
    errs.push(required(path.child("apiGroups"), "resource rules must supply at least one api group"));
  }
  if ((rule.resources ?? []).length === 0) {
    errs.push(required(path.child("resources"), "resource rules must supply at least one resource"));
  }
  if ((rule.resourceNames ?? []).length > 0 && (rule.resources ?? []).length > 1) {
    errs.push(required(path.child("resourceNames"), "resource names cannot apply to multiple resources"));
  }
  return errs;
}

function validateRules(rules: readonly PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (rules ?? []).forEach((rule, i) => {
    errs.push(...validatePolicyRule(rule, namespaced, newPath("rules").index(i)));
  });
  return errs;
}

/** ValidateRole. */
export function validateRole(role: Role): FieldError[] {
  return [
    ...validateObjectMeta(role.metadata, true, validatePathSegmentName, metaPath),
    ...validateRules(role.rules, true),
  ];
}

/** ValidateRoleUpdate. */
export function validateRoleUpdate(role: Role, old: Role): FieldError[] {
  return [...validateRole(role), ...validateObjectMetaUpdate(role.metadata, old.metadata, metaPath)];
}

/** ValidateClusterRole (aggregation rules carry label selectors). */
export function validateClusterRole(role: ClusterRole): FieldError[] {
  const errs = [
    ...validateObjectMeta(role.metadata, false, validatePathSegmentName, metaPath),
    ...validateRules(role.rules, false),
  ];
  if (role.aggregationRule != null) {
    const selectors = role.aggregationRule.clusterRoleSelectors ?? [];
    const p = newPath("aggregationRule", "clusterRoleSelectors");
    if (selectors.length === 0) {
      errs.push(required(p, "at least one clusterRoleSelector required if aggregationRule is non-nil"));
    }
    selectors.forEach((sel, i) => {
      errs.push(...validateLabelSelector(sel, {}, p.index(i)));
      if (!labelSelectorParses(sel)) errs.push(invalid(p.index(i), null, "invalid label selector."));
    });
  }
  return errs;
}

/** ValidateClusterRoleUpdate. */
export function validateClusterRoleUpdate(role: ClusterRole, old: ClusterRole): FieldError[] {
  return [...validateClusterRole(role), ...validateObjectMetaUpdate(role.metadata, old.metadata, metaPath)];
}

function validateSubject(subject: Subject, namespaced: boolean, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = subject.name ?? "";
  const apiGroup = subject.apiGroup ?? "";
  if (name.length === 0) errs.push(required(path.child("name"), ""));
  switch (subject.kind) {
    case "ServiceAccount":
      if (name.length > 0)
        for (const msg of nameIsDNSSubdomain(name, false)) errs.push(invalid(path.child("name"), name, msg));
      if (apiGroup.length > 0) errs.push(notSupported(path.child("apiGroup"), apiGroup, [""]));
      if (!namespaced && (subject.namespace ?? "").length === 0)
        errs.push(required(path.child("namespace"), ""));
      break;
    case "User":
      if (name.length === 0) errs.push(invalid(path.child("name"), name, "user name cannot be empty"));
      if (apiGroup !== rbacGroup) errs.push(notSupported(path.child("apiGroup"), apiGroup, [rbacGroup]));
      break;
    case "Group":
      if (name.length === 0) errs.push(invalid(path.child("name"), name, "group name cannot be empty"));
      if (apiGroup !== rbacGroup) errs.push(notSupported(path.child("apiGroup"), apiGroup, [rbacGroup]));
      break;
    default:
      errs.push(notSupported(path.child("kind"), subject.kind ?? "", ["ServiceAccount", "User", "Group"]));
  }
  return errs;
}

function validateRoleRef(ref: RoleRef | undefined, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const r = ref ?? ({} as RoleRef);
  if (r.apiGroup !== rbacGroup)
    errs.push(notSupported(newPath("roleRef", "apiGroup"), r.apiGroup ?? "", [rbacGroup]));
  if (!kinds.includes(r.kind ?? "")) errs.push(notSupported(newPath("roleRef", "kind"), r.kind ?? "", kinds));
  const name = r.name ?? "";
  if (name.length === 0) errs.push(required(newPath("roleRef", "name"), ""));
  else
    for (const msg of validatePathSegmentName(name, false))
      errs.push(invalid(newPath("roleRef", "name"), name, msg));
  return errs;
}

function goRoleRef(r: RoleRef | undefined): GoValue {
  return new GoValue(
    `rbac.RoleRef{APIGroup:${goQuote(r?.apiGroup ?? "")}, Kind:${goQuote(r?.kind ?? "")}, Name:${goQuote(r?.name ?? "")}}`,
  );
}

function roleRefChanged(a: RoleRef | undefined, b: RoleRef | undefined): boolean {
  return (
    (a?.apiGroup ?? "") !== (b?.apiGroup ?? "") ||
    (a?.kind ?? "") !== (b?.kind ?? "") ||
    (a?.name ?? "") !== (b?.name ?? "")
  );
}

/** ValidateRoleBinding. */
export function validateRoleBinding(rb: RoleBinding): FieldError[] {
  const errs = validateObjectMeta(rb.metadata, true, validatePathSegmentName, metaPath);
  errs.push(...validateRoleRef(rb.roleRef, ["Role", "ClusterRole"]));
  (rb.subjects ?? []).forEach((s, i) => {
    errs.push(...validateSubject(s, true, newPath("subjects").index(i)));
  });
  return errs;
}

/** ValidateRoleBindingUpdate: the roleRef may not change. */
export function validateRoleBindingUpdate(rb: RoleBinding, old: RoleBinding): FieldError[] {
  const errs = [...validateRoleBinding(rb), ...validateObjectMetaUpdate(rb.metadata, old.metadata, metaPath)];
  if (roleRefChanged(rb.roleRef, old.roleRef))
    errs.push(invalid(newPath("roleRef"), goRoleRef(rb.roleRef), "cannot change roleRef"));
  return errs;
}

/** ValidateClusterRoleBinding. */
export function validateClusterRoleBinding(rb: ClusterRoleBinding): FieldError[] {
  const errs = validateObjectMeta(rb.metadata, false, validatePathSegmentName, metaPath);
  errs.push(...validateRoleRef(rb.roleRef, ["ClusterRole"]));
  (rb.subjects ?? []).forEach((s, i) => {
    errs.push(...validateSubject(s, false, newPath("subjects").index(i)));
  });
  return errs;
}

/** ValidateClusterRoleBindingUpdate: the roleRef may not change. */
export function validateClusterRoleBindingUpdate(
  rb: ClusterRoleBinding,
  old: ClusterRoleBinding,
): FieldError[] {
  const errs = [
    ...validateClusterRoleBinding(rb),
    ...validateObjectMetaUpdate(rb.metadata, old.metadata, metaPath),
  ];
  if (roleRefChanged(rb.roleRef, old.roleRef))
    errs.push(invalid(newPath("roleRef"), goRoleRef(rb.roleRef), "cannot change roleRef"));
  return errs;
}
