// Reconciliation: the pure computations (as upstream's reconcile_role_test and
// reconcile_rolebindings_test) and the bootstrap policy written to a real
// registry: created once, unchanged on a second start, repaired when rules or
// subjects go missing, left alone when protected.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClusterRole, ClusterRoleBinding } from "kubernetes-types/rbac/v1.d.ts";
import { SqliteStore } from "../../../storage/sqlite.ts";
import { Registry } from "../../registry/index.ts";
import {
  clusterRoleBindings,
  clusterRoles,
  controllerRoleBindings,
  controllerRoles,
  namespaceRoleBindings,
  namespaceRoles,
} from "./bootstrap-policy.ts";
import { covers } from "./covers.ts";
import {
  computeReconciledRole,
  computeReconciledRoleBinding,
  reconcileBootstrapPolicy,
} from "./reconcile.ts";

const G = "rbac.authorization.k8s.io";
const rule = (verbs: string[], resources: string[]) => ({ verbs, apiGroups: [""], resources });

test("a role missing rules gets them added (broken down), keeping its own", () => {
  const existing: ClusterRole = {
    metadata: { name: "r" },
    rules: [rule(["get"], ["pods"]), rule(["list"], ["nodes"])],
  };
  const expected: ClusterRole = { metadata: { name: "r" }, rules: [rule(["get", "watch"], ["pods"])] };
  const r = computeReconciledRole(existing, expected);
  assert.equal(r.operation, "update");
  assert.deepEqual(r.missingRules, [rule(["watch"], ["pods"])]);
  assert.deepEqual(r.extraRules, [rule(["list"], ["nodes"])]);
  assert.deepEqual(r.role.rules, [
    rule(["get"], ["pods"]),
    rule(["list"], ["nodes"]),
    rule(["watch"], ["pods"]),
  ]);
});

test("a role that covers the expected rules needs nothing", () => {
  const existing: ClusterRole = { metadata: { name: "r" }, rules: [rule(["*"], ["*"])] };
  const r = computeReconciledRole(existing, { metadata: { name: "r" }, rules: [rule(["get"], ["pods"])] });
  assert.equal(r.operation, "none");
  assert.equal(r.protected, false);
});

test("labels and annotations merge, the existing values winning; autoupdate=false protects", () => {
  const existing: ClusterRole = {
    metadata: {
      name: "r",
      labels: { mine: "x", shared: "mine" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "false" },
    },
    rules: [],
  };
  const expected: ClusterRole = {
    metadata: {
      name: "r",
      labels: { shared: "theirs", boot: "y" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    rules: [rule(["get"], ["pods"])],
  };
  const r = computeReconciledRole(existing, expected);
  assert.equal(r.protected, true);
  assert.equal(r.operation, "update");
  assert.deepEqual(r.role.metadata?.labels, { shared: "mine", boot: "y", mine: "x" });
  assert.deepEqual(r.role.metadata?.annotations, { "rbac.authorization.kubernetes.io/autoupdate": "false" });
});

test("aggregated roles: missing selectors are added; aggregated rules are not extra", () => {
  const sel = (k: string) => ({ matchLabels: { [k]: "true" } });
  const existing: ClusterRole = {
    metadata: { name: "admin" },
    aggregationRule: { clusterRoleSelectors: [sel("custom")] },
    rules: [rule(["get"], ["pods"])],
  };
  const expected: ClusterRole = {
    metadata: { name: "admin" },
    aggregationRule: { clusterRoleSelectors: [sel("a")] },
  };
  const r = computeReconciledRole(existing, expected);
  assert.equal(r.operation, "update");
  assert.deepEqual(r.extraRules, []);
  assert.deepEqual(r.missingAggregationRuleSelectors, [sel("a")]);
  assert.deepEqual(r.role.aggregationRule, { clusterRoleSelectors: [sel("custom"), sel("a")] });
  // Not meant to aggregate at all: the rule goes.
  const plain = computeReconciledRole(existing, {
    metadata: { name: "admin" },
    rules: [rule(["get"], ["pods"])],
  });
  assert.equal(plain.operation, "update");
  assert.equal(plain.role.aggregationRule, undefined);
});

test("bindings: missing subjects appended, extra kept, a changed roleRef recreates", () => {
  const sub = (name: string) => ({ kind: "User", apiGroup: G, name });
  const existing: ClusterRoleBinding = {
    metadata: { name: "b" },
    roleRef: { apiGroup: G, kind: "ClusterRole", name: "r" },
    subjects: [sub("extra")],
  };
  const expected: ClusterRoleBinding = { ...existing, subjects: [sub("want"), sub("want")] };
  const r = computeReconciledRoleBinding(existing, expected);
  assert.equal(r.operation, "update");
  assert.deepEqual(r.missingSubjects, [sub("want")]);
  assert.deepEqual(r.extraSubjects, [sub("extra")]);
  assert.deepEqual(r.binding.subjects, [sub("extra"), sub("want")]);
  const moved = computeReconciledRoleBinding(existing, {
    ...expected,
    roleRef: { apiGroup: G, kind: "ClusterRole", name: "other" },
  });
  assert.equal(moved.operation, "recreate");
  assert.equal(computeReconciledRoleBinding(existing, existing).operation, "none");
});

test("the bootstrap policy is written once, repaired when damaged, and protected objects are left alone", async () => {
  const store = new SqliteStore({ path: ":memory:" });
  const registry = new Registry(store);
  const logs: string[] = [];
  const log = (msg: string) => logs.push(msg);
  try {
    await reconcileBootstrapPolicy({ registry, log });
    const crs = registry.byResource(G, "v1", "clusterroles")!;
    const crbs = registry.byResource(G, "v1", "clusterrolebindings")!;
    const roles = registry.byResource(G, "v1", "roles")!;
    const rbs = registry.byResource(G, "v1", "rolebindings")!;
    assert.equal((await crs.list(undefined)).items.length, clusterRoles().length + controllerRoles().length);
    assert.equal(
      (await crbs.list(undefined)).items.length,
      clusterRoleBindings().length + controllerRoleBindings().length,
    );
    assert.equal((await roles.list(undefined)).items.length, namespaceRoles().length);
    assert.equal((await rbs.list(undefined)).items.length, namespaceRoleBindings().length);
    const admin = await crbs.get(undefined, "cluster-admin");
    assert.deepEqual(admin.subjects, [{ kind: "Group", apiGroup: G, name: "system:masters" }]);
    assert.deepEqual(admin.metadata.labels, { "kubernetes.io/bootstrapping": "rbac-defaults" });
    assert.equal(admin.metadata.annotations["rbac.authorization.kubernetes.io/autoupdate"], "true");
    assert.equal(admin.metadata.managedFields[0].manager, "kube-apiserver");
    const leader = await roles.get("kube-system", "system::leader-locking-kube-scheduler");
    assert.deepEqual(leader.rules, [
      { verbs: ["watch"], apiGroups: [""], resources: ["configmaps"] },
      {
        verbs: ["get", "update"],
        apiGroups: [""],
        resources: ["configmaps"],
        resourceNames: ["kube-scheduler"],
      },
    ]);
    assert.deepEqual(logs, ["reconciled RBAC bootstrap policy"]);

    // A second start changes nothing.
    const rev = await store.currentRevision();
    logs.length = 0;
    await reconcileBootstrapPolicy({ registry, log });
    assert.equal(await store.currentRevision(), rev);
    assert.equal(logs.length, 0);

    // Rules and subjects taken away come back; a protected role stays as it is.
    const view = await crs.get(undefined, "system:aggregate-to-view");
    view.rules = view.rules.slice(1);
    await crs.update(undefined, "system:aggregate-to-view", view);
    const basic = await crbs.get(undefined, "system:basic-user");
    basic.subjects = [{ kind: "User", apiGroup: G, name: "someone" }];
    await crbs.update(undefined, "system:basic-user", basic);
    const discovery = await crs.get(undefined, "system:discovery");
    discovery.metadata.annotations["rbac.authorization.kubernetes.io/autoupdate"] = "false";
    discovery.rules = [];
    await crs.update(undefined, "system:discovery", discovery);
    await reconcileBootstrapPolicy({ registry, log });
    const viewAfter = await crs.get(undefined, "system:aggregate-to-view");
    const expectedView = clusterRoles().find((r) => r.metadata?.name === "system:aggregate-to-view")!;
    // Upstream appends what is missing broken down into single-verb, single-resource rules.
    assert.equal(covers(viewAfter.rules, expectedView.rules!).covered, true);
    assert.deepEqual(viewAfter.rules.slice(0, view.rules.length), view.rules);
    assert.deepEqual(viewAfter.rules.at(-1), {
      verbs: ["watch"],
      apiGroups: [""],
      resources: ["services/status"],
    });
    const basicAfter = await crbs.get(undefined, "system:basic-user");
    assert.deepEqual(
      basicAfter.subjects.map((s: { name: string }) => s.name),
      ["someone", "system:authenticated"],
    );
    assert.deepEqual((await crs.get(undefined, "system:discovery")).rules, []);
    assert.ok(
      logs.includes("skipped reconcile-protected clusterrole.rbac.authorization.k8s.io/system:discovery"),
    );
  } finally {
    await store.close();
  }
});
