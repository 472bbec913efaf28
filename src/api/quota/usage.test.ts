// CalculateUsage: which evaluators are asked, how their figures add up and
// print, and what happens to a resource whose objects cannot be listed.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../registry.ts";
import { groupResourceKey } from "./evaluator.ts";
import { ObjectCountEvaluator } from "./object-count.ts";
import { newCoreEvaluators, QuotaRegistry } from "./registry.ts";
import { resourceList, toJSON } from "./resources.ts";
import { calculateUsage } from "./usage.ts";

const pods: Obj[] = [
  { spec: { containers: [{ name: "a", resources: { requests: { cpu: "100m", memory: "64Mi" } } }] } },
  { spec: { containers: [{ name: "b", resources: { requests: { cpu: "250m", memory: "128Mi" } } }] } },
  { spec: { containers: [{ name: "c" }] }, status: { phase: "Succeeded" } },
];
const objects: Record<string, Obj[]> = {
  "/pods": pods,
  "/configmaps": [{}, {}],
  "apps/deployments": [{}],
};

function registry(): QuotaRegistry {
  const r = new QuotaRegistry(newCoreEvaluators(() => 0));
  r.add(new ObjectCountEvaluator({ group: "apps", resource: "deployments" }));
  return r;
}

test("sums what each evaluator measures, masked to the quota's hard limits, in canonical form", () => {
  const { used, errors } = calculateUsage({
    namespace: "ns",
    scopes: [],
    scopeSelector: [],
    hard: resourceList({
      pods: "10",
      "count/pods": "10",
      "requests.cpu": "1",
      "requests.memory": "1Gi",
      "limits.cpu": "1",
      configmaps: "5",
      "count/deployments.apps": "2",
      "count/widgets.example.com": "2",
    }),
    registry: registry(),
    list: (ev) => objects[groupResourceKey(ev.groupResource)] ?? [],
  });
  assert.deepEqual(errors, []);
  // Nobody counts widgets (no evaluator): left out, so the last figure stays.
  assert.deepEqual(toJSON(used), {
    configmaps: "2",
    "count/deployments.apps": "1",
    "count/pods": "3",
    "limits.cpu": "0",
    pods: "2",
    "requests.cpu": "350m",
    "requests.memory": "192Mi",
  });
});

test("a resource that cannot be listed is left out and reported", () => {
  const { used, errors } = calculateUsage({
    namespace: "ns",
    scopes: [],
    scopeSelector: [],
    hard: resourceList({ pods: "10", configmaps: "5" }),
    registry: registry(),
    list: (ev) => {
      if (ev.groupResource.resource === "pods") throw new Error("/v1/pods not yet synced");
      return objects[groupResourceKey(ev.groupResource)] ?? [];
    },
  });
  assert.deepEqual(toJSON(used), { configmaps: "2" });
  assert.deepEqual(
    errors.map((e) => e.message),
    ["failed to list content: /v1/pods not yet synced"],
  );
});

test("scoped quotas count only pods: object counts match no scope", () => {
  const { used } = calculateUsage({
    namespace: "ns",
    scopes: ["NotBestEffort"],
    scopeSelector: [],
    hard: resourceList({ pods: "10", configmaps: "5" }),
    registry: registry(),
    list: (ev) => objects[groupResourceKey(ev.groupResource)] ?? [],
  });
  assert.deepEqual(toJSON(used), { configmaps: "0", pods: "2" });
});
