import assert from "node:assert/strict";
import { test } from "node:test";
import type { DiscoveryResult } from "../garbagecollector/discovery.ts";
import { quotableResources } from "./resource-quota-controller.ts";
import { defaultUpdateFilter } from "./update-filter.ts";

const NOW = Date.parse("2025-01-01T00:00:00Z");
const filter = defaultUpdateFilter(() => NOW);
const core = (resource: string) => ({ group: "", resource });

test("pods replenish when they stop being charged: finished, or past their deletion grace", () => {
  const running = { status: { phase: "Running" } };
  assert.equal(filter(core("pods"), running, { status: { phase: "Succeeded" } }), true);
  assert.equal(filter(core("pods"), running, { status: { phase: "Failed" } }), true);
  assert.equal(filter(core("pods"), running, { ...running, metadata: { labels: { a: "b" } } }), false);
  const deleting = (at: number) => ({
    metadata: { deletionTimestamp: new Date(at).toISOString(), deletionGracePeriodSeconds: 30 },
    status: { phase: "Running" },
  });
  assert.equal(filter(core("pods"), running, deleting(NOW)), false);
  assert.equal(filter(core("pods"), running, deleting(NOW - 60_000)), true);
  // Already not charged: nothing to give back.
  assert.equal(filter(core("pods"), { status: { phase: "Failed" } }, { status: { phase: "Failed" } }), false);
});

test("services replenish when their quota'd type changes; claims when their usage does", () => {
  const type = (t: string) => ({ spec: { type: t, ports: [{ port: 80 }] } });
  assert.equal(filter(core("services"), type("ClusterIP"), type("NodePort")), true);
  assert.equal(filter(core("services"), type("NodePort"), type("LoadBalancer")), true);
  assert.equal(filter(core("services"), type("ClusterIP"), type("ExternalName")), false);
  const claim = (allocated?: string) => ({
    spec: { resources: { requests: { storage: "1Gi" } } },
    status: allocated ? { allocatedResources: { storage: allocated } } : {},
  });
  assert.equal(filter(core("persistentvolumeclaims"), claim(), claim("2Gi")), true);
  assert.equal(filter(core("persistentvolumeclaims"), claim("1Gi"), claim("1Gi")), false);
  assert.equal(filter({ group: "apps", resource: "deployments" }, {}, { spec: { replicas: 3 } }), false);
});

test("quotable resources: preferred, namespaced, with create, list, watch and delete", () => {
  const r = (resource: string, namespaced: boolean, verbs: string[], group = "") => ({
    ref: { group, version: "v1", resource, namespaced },
    kind: resource,
    verbs,
  });
  const all = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
  const d: DiscoveryResult = {
    preferred: [
      r("pods", true, all),
      r("nodes", false, all),
      r("bindings", true, ["create"]),
      r("deployments", true, all, "apps"),
      r("localsubjectaccessreviews", true, ["create"], "authorization.k8s.io"),
    ],
    all: [],
    failedGroupVersions: [],
  };
  assert.deepEqual(
    quotableResources(d).map((x) => `${x.ref.group}/${x.ref.resource}`),
    ["/pods", "apps/deployments"],
  );
});
