// ClusterRole aggregation: the rule union (as upstream's controller computes
// it) and the loop inside the apiserver filling admin, edit and view and
// following later changes.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClusterRole } from "kubernetes-types/rbac/v1.d.ts";
import { until } from "../../../../test/support/until.ts";
import { SqliteStore } from "../../../storage/sqlite.ts";
import { Registry } from "../../registry/index.ts";
import { aggregatedRules, ClusterRoleAggregator } from "./aggregation.ts";
import { RbacCache } from "./cache.ts";
import { reconcileBootstrapPolicy } from "./reconcile.ts";

const G = "rbac.authorization.k8s.io";
const rule = (verb: string, resource: string) => ({ verbs: [verb], apiGroups: [""], resources: [resource] });

test("aggregatedRules: matching roles in name order, each rule once, never the role itself", () => {
  const target: ClusterRole = {
    metadata: { name: "agg", labels: { pick: "true" } },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { pick: "true" } }] },
    rules: [rule("nuke", "all")],
  };
  const all: ClusterRole[] = [
    target,
    { metadata: { name: "b", labels: { pick: "true" } }, rules: [rule("get", "pods"), rule("list", "pods")] },
    { metadata: { name: "a", labels: { pick: "true" } }, rules: [rule("list", "pods")] },
    { metadata: { name: "c", labels: { pick: "false" } }, rules: [rule("delete", "pods")] },
    { metadata: { name: "d" }, rules: [rule("create", "pods")] },
  ];
  assert.deepEqual(aggregatedRules(target, all), [rule("list", "pods"), rule("get", "pods")]);
  assert.deepEqual(aggregatedRules({ ...target, aggregationRule: { clusterRoleSelectors: [] } }, all), []);
});

test("the aggregator fills admin, edit and view at start and follows new roles", async () => {
  const store = new SqliteStore({ path: ":memory:" });
  const registry = new Registry(store);
  const cache = new RbacCache({ registry });
  const aggregator = new ClusterRoleAggregator({ registry, cache });
  try {
    await reconcileBootstrapPolicy({ registry, log: () => {} });
    await cache.start();
    await aggregator.start();
    const crs = registry.byResource(G, "v1", "clusterroles")!;
    const has = (r: ClusterRole, verb: string, resource: string) =>
      (r.rules ?? []).some((x) => x.verbs.includes(verb) && (x.resources ?? []).includes(resource));
    const view = await crs.get(undefined, "view");
    const edit = await crs.get(undefined, "edit");
    const admin = await crs.get(undefined, "admin");
    assert.ok(has(view, "get", "pods") && !has(view, "get", "secrets"), "view reads pods, not secrets");
    assert.ok(has(edit, "get", "secrets") && has(edit, "get", "pods") && has(edit, "create", "pods"));
    assert.ok(
      has(admin, "create", "rolebindings") && has(admin, "get", "secrets") && has(admin, "get", "pods"),
    );
    assert.ok(!has(edit, "create", "rolebindings"), "edit does not grant RBAC");
    assert.equal(
      admin.metadata.managedFields.find(
        (m: { manager: string }) => m.manager === "clusterrole-aggregation-controller",
      )?.operation,
      "Apply",
    );
    // The cache serves what was written: the authorizer sees aggregated rules at once.
    assert.ok(has(cache.getClusterRole("admin")!, "get", "pods"));

    // A new role labelled for view flows into view, edit and admin.
    await crs.create(undefined, {
      apiVersion: `${G}/v1`,
      kind: "ClusterRole",
      metadata: { name: "widgets-view", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } },
      rules: [{ verbs: ["get"], apiGroups: ["example.com"], resources: ["widgets"] }],
    });
    for (const name of ["view", "edit", "admin"]) {
      await until(
        async () => has(await crs.get(undefined, name), "get", "widgets"),
        `${name} to aggregate widgets`,
        5000,
        20,
      );
    }
    // Taking the label away takes the rules away.
    const w = await crs.get(undefined, "widgets-view");
    delete w.metadata.labels;
    await crs.update(undefined, "widgets-view", w);
    await until(
      async () => !has(await crs.get(undefined, "view"), "get", "widgets"),
      "view to drop widgets",
      5000,
      20,
    );
  } finally {
    await aggregator.stop();
    await cache.stop();
    await store.close();
  }
});
