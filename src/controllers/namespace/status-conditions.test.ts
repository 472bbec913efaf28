import assert from "node:assert/strict";
import { test } from "node:test";
import type { Namespace } from "kubernetes-types/core/v1.d.ts";
import { GroupDiscoveryFailedError } from "./discovery.ts";
import { NamespaceConditionUpdater } from "./status-conditions.ts";

const T0 = "2024-05-01T10:00:00Z";
const T1 = "2024-05-01T10:05:00Z";

test("a clean pass sets all five conditions to upstream's ok variants", () => {
  const ns: Namespace = { metadata: { name: "a" } };
  const u = new NamespaceConditionUpdater(() => T0);
  u.processContentTotals({ gvrToNumRemaining: new Map(), finalizersToNumRemaining: new Map() });
  assert.equal(u.update(ns), true);
  assert.deepEqual(ns.status?.conditions, [
    {
      type: "NamespaceDeletionDiscoveryFailure",
      status: "False",
      lastTransitionTime: T0,
      reason: "ResourcesDiscovered",
      message: "All resources successfully discovered",
    },
    {
      type: "NamespaceDeletionGroupVersionParsingFailure",
      status: "False",
      lastTransitionTime: T0,
      reason: "ParsedGroupVersions",
      message: "All legacy kube types successfully parsed",
    },
    {
      type: "NamespaceDeletionContentFailure",
      status: "False",
      lastTransitionTime: T0,
      reason: "ContentDeleted",
      message: "All content successfully deleted, may be waiting on finalization",
    },
    {
      type: "NamespaceContentRemaining",
      status: "False",
      lastTransitionTime: T0,
      reason: "ContentRemoved",
      message: "All content successfully removed",
    },
    {
      type: "NamespaceFinalizersRemaining",
      status: "False",
      lastTransitionTime: T0,
      reason: "ContentRemoved",
      message: "All content successfully removed",
    },
  ]);
  // The same pass again changes nothing.
  const again = new NamespaceConditionUpdater(() => T1);
  again.processContentTotals({ gvrToNumRemaining: new Map(), finalizersToNumRemaining: new Map() });
  assert.equal(again.update(ns), false);
});

test("remaining content and finalizers are worded as upstream, sorted, and only a status change moves the transition time", () => {
  const ns: Namespace = { metadata: { name: "a" } };
  const first = new NamespaceConditionUpdater(() => T0);
  first.processContentTotals({ gvrToNumRemaining: new Map(), finalizersToNumRemaining: new Map() });
  first.update(ns);

  const u = new NamespaceConditionUpdater(() => T1);
  u.processContentTotals({
    gvrToNumRemaining: new Map([
      ["/v1/pods", { group: "", resource: "pods", count: 2 }],
      ["apps/v1/deployments", { group: "apps", resource: "deployments", count: 1 }],
      ["/v1/configmaps", { group: "", resource: "configmaps", count: 1 }],
    ]),
    finalizersToNumRemaining: new Map([
      ["kubernetes.io/pvc-protection", 1],
      ["example.com/block", 2],
    ]),
  });
  assert.equal(u.update(ns), true);
  const byType = new Map(ns.status?.conditions?.map((c) => [c.type, c]));
  assert.deepEqual(byType.get("NamespaceContentRemaining"), {
    type: "NamespaceContentRemaining",
    status: "True",
    lastTransitionTime: T1,
    reason: "SomeResourcesRemain",
    message:
      "Some resources are remaining: configmaps. has 1 resource instances, deployments.apps has 1 resource instances, pods. has 2 resource instances",
  });
  assert.deepEqual(byType.get("NamespaceFinalizersRemaining"), {
    type: "NamespaceFinalizersRemaining",
    status: "True",
    lastTransitionTime: T1,
    reason: "SomeFinalizerRemain",
    message:
      "Some finalizers are remaining: example.com/block in 2 resource instances, kubernetes.io/pvc-protection in 1 resource instances",
  });
  // Unchanged ones keep their time.
  assert.equal(byType.get("NamespaceDeletionDiscoveryFailure")?.lastTransitionTime, T0);
});

test("discovery and content failures", () => {
  const ns: Namespace = { metadata: { name: "a" } };
  const u = new NamespaceConditionUpdater(() => T0);
  u.processDiscoverResourcesErr(
    new GroupDiscoveryFailedError(
      new Map([
        ["metrics.k8s.io/v1beta1", new Error("the server is currently unable to handle the request")],
        ["custom.io/v1", new Error("the server could not find the requested resource")],
      ]),
    ),
  );
  u.processDeleteContentErr(new Error("b failed"));
  u.processDeleteContentErr(new Error("a failed"));
  u.update(ns);
  const byType = new Map(ns.status?.conditions?.map((c) => [c.type, c]));
  assert.deepEqual(byType.get("NamespaceDeletionDiscoveryFailure"), {
    type: "NamespaceDeletionDiscoveryFailure",
    status: "True",
    lastTransitionTime: T0,
    reason: "DiscoveryFailed",
    message:
      "Discovery failed for some groups, 2 failing: unable to retrieve the complete list of server APIs: custom.io/v1: the server could not find the requested resource, metrics.k8s.io/v1beta1: the server is currently unable to handle the request",
  });
  assert.deepEqual(byType.get("NamespaceDeletionContentFailure"), {
    type: "NamespaceDeletionContentFailure",
    status: "True",
    lastTransitionTime: T0,
    reason: "ContentDeletionFailed",
    message: "Failed to delete all resource types, 2 remaining: a failed, b failed",
  });
  // Without remaining totals the content conditions are the ok ones.
  assert.equal(byType.get("NamespaceContentRemaining")?.status, "False");
});

test("a plain discovery error is its own message", () => {
  const ns: Namespace = {};
  const u = new NamespaceConditionUpdater(() => T0);
  u.processDiscoverResourcesErr(new Error("connection refused"));
  u.update(ns);
  assert.equal(ns.status?.conditions?.[0].message, "connection refused");
});
