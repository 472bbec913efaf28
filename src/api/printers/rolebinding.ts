// RoleBinding and ClusterRoleBinding printers: ports of printRoleBinding / printClusterRoleBinding, with
// rbac.SubjectsStrings for the wide USERS, GROUPS and SERVICEACCOUNTS columns.
import type { ClusterRoleBinding, RoleBinding, Subject } from "kubernetes-types/rbac/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts. */
export function subjectsStrings(subjects: Subject[]): { users: string[]; groups: string[]; sas: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects) {
    if (s.kind === "ServiceAccount") sas.push(`${s.namespace ?? ""}/${s.name}`);
    else if (s.kind === "User") users.push(s.name);
    else if (s.kind === "Group") groups.push(s.name);
  }
  return { users, groups, sas };
}

function printBinding(obj: RoleBinding | ClusterRoleBinding, ctx: PrintContext): PrintedRow {
  const { users, groups, sas } = subjectsStrings(obj.subjects ?? []);
  return {
    cells: [
      obj.metadata?.name ?? "",
      `${obj.roleRef?.kind ?? ""}/${obj.roleRef?.name ?? ""}`,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      users.join(", "),
      groups.join(", "),
      sas.join(", "),
    ],
  };
}

function bindingColumns(roleRefDescription: string, what: string) {
  return [
    nameColumn(),
    column("Role", "string", roleRefDescription),
    ageColumn(),
    column("Users", "string", `Users in the ${what}`, { priority: 1 }),
    column("Groups", "string", `Groups in the ${what}`, { priority: 1 }),
    column("ServiceAccounts", "string", `ServiceAccounts in the ${what}`, { priority: 1 }),
  ];
}

export const roleBindingPrinter: TablePrinter<RoleBinding> = {
  columns: bindingColumns(swaggerDoc["rbacv1beta1.RoleBinding"].roleRef, "roleBinding"),
  print: printBinding,
};

export const clusterRoleBindingPrinter: TablePrinter<ClusterRoleBinding> = {
  columns: bindingColumns(swaggerDoc["rbacv1beta1.ClusterRoleBinding"].roleRef, "clusterRoleBinding"),
  print: printBinding,
};
