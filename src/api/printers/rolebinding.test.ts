// Cases from TestPrintRoleBinding and TestPrintClusterRoleBinding (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Subject } from "kubernetes-types/rbac/v1.d.ts";
import { clusterRoleBindingPrinter, roleBindingPrinter } from "./rolebinding.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() + 1900).toISOString();
const subjects: Subject[] = [
  { kind: "User", name: "user-name" },
  { kind: "Group", name: "group-name" },
  { kind: "ServiceAccount", name: "service-account-name", namespace: "service-account-namespace" },
];

test("ROLE is Kind/Name; wide splits subjects into users, groups and service accounts", () => {
  assert.deepEqual(
    roleBindingPrinter.print(
      {
        metadata: { name: "binding1", creationTimestamp: created },
        subjects: [{ kind: "User", name: "system:kube-controller-manager" }],
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "Role",
          name: "extension-apiserver-authentication-reader",
        },
      },
      { now },
    ).cells,
    [
      "binding1",
      "Role/extension-apiserver-authentication-reader",
      "0s",
      "system:kube-controller-manager",
      "",
      "",
    ],
  );
  assert.deepEqual(
    roleBindingPrinter.print(
      {
        metadata: { name: "binding2", creationTimestamp: created },
        subjects,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "role-name" },
      },
      { now },
    ).cells,
    [
      "binding2",
      "Role/role-name",
      "0s",
      "user-name",
      "group-name",
      "service-account-namespace/service-account-name",
    ],
  );
  assert.deepEqual(
    clusterRoleBindingPrinter.print(
      {
        metadata: { name: "cluster-admin", creationTimestamp: created },
        subjects: [...subjects, { kind: "Group", name: "system:masters" }],
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      },
      { now },
    ).cells,
    [
      "cluster-admin",
      "ClusterRole/cluster-admin",
      "0s",
      "user-name",
      "group-name, system:masters",
      "service-account-namespace/service-account-name",
    ],
  );
});

test("column descriptions differ between RoleBinding and ClusterRoleBinding", () => {
  assert.equal(roleBindingPrinter.columns[3].description, "Users in the roleBinding");
  assert.equal(clusterRoleBindingPrinter.columns[5].description, "ServiceAccounts in the clusterRoleBinding");
  assert.match(clusterRoleBindingPrinter.columns[1].description, /^RoleRef can only reference a ClusterRole/);
});
