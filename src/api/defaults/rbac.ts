// rbac.authorization.k8s.io/v1 defaults (pkg/apis/rbac/v1/defaults.go).

import type { ClusterRoleBinding, RoleBinding } from "kubernetes-types/rbac/v1.d.ts";
import { defaultString, type JsonObject, objectsAt, structAt } from "./json.ts";

const rbacGroup = "rbac.authorization.k8s.io";

/** RoleBinding and ClusterRoleBinding share their defaults. */
export function defaultRoleBinding(binding: RoleBinding | ClusterRoleBinding | JsonObject): void {
  const obj = binding as JsonObject;
  const roleRef = structAt(obj, "roleRef");
  if (roleRef) defaultString(roleRef, "apiGroup", rbacGroup);
  for (const subject of objectsAt(obj, "subjects")) defaultSubject(subject);
}

function defaultSubject(subject: JsonObject): void {
  if (subject.apiGroup !== undefined && subject.apiGroup !== null && subject.apiGroup !== "") return;
  switch (subject.kind) {
    case "ServiceAccount":
      subject.apiGroup = "";
      break;
    case "User":
    case "Group":
      subject.apiGroup = rbacGroup;
      break;
  }
}
