// Placement rules end to end: selectors and affinity operators, taints,
// spreading, (anti-)affinity, and a node change that makes a pod fit.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { startCluster, type TestCluster, unschedulableMessage } from "./cluster.ts";

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

test("nodeSelector and every node affinity operator", async () => {
  c = await startCluster();
  await c.node("a", { labels: { disk: "ssd", gen: "3" } });
  await c.node("b", { labels: { disk: "hdd", gen: "5" } });
  await c.node("c", { labels: { gen: "9" } });
  await c.startScheduler();
  const req = (key: string, operator: string, values?: string[]) => ({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }],
        },
      },
    },
  });
  await c.pod("selector", { nodeSelector: { disk: "hdd" } });
  await c.pod("in", req("disk", "In", ["ssd"]));
  await c.pod("notin", req("disk", "NotIn", ["ssd", "hdd"]));
  await c.pod("exists", req("disk", "Exists"));
  await c.pod("doesnotexist", req("disk", "DoesNotExist"));
  await c.pod("gt", req("gen", "Gt", ["6"]));
  await c.pod("lt", req("gen", "Lt", ["4"]));
  assert.equal(await c.nodeOf("selector"), "b");
  assert.equal(await c.nodeOf("in"), "a");
  assert.equal(await c.nodeOf("notin"), "c");
  assert.ok(["a", "b"].includes(await c.nodeOf("exists")));
  assert.equal(await c.nodeOf("doesnotexist"), "c");
  assert.equal(await c.nodeOf("gt"), "c");
  assert.equal(await c.nodeOf("lt"), "a");
  await c.pod("nowhere", { nodeSelector: { disk: "nvme" } });
  assert.match(
    await unschedulableMessage(c, "nowhere"),
    /^0\/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity\/selector\. preemption: /,
  );
});

test("taints repel pods without a toleration; tolerations let them in", async () => {
  c = await startCluster();
  await c.node("tainted", { taints: [{ key: "dedicated", value: "x", effect: "NoSchedule" }] });
  await c.node("full", { cpu: "1" });
  await c.startScheduler();
  await c.pod("big", {}, { requests: { cpu: "2" } });
  assert.equal(
    await unschedulableMessage(c, "big"),
    "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: x}. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
  );
  await c.pod(
    "tolerant",
    { tolerations: [{ key: "dedicated", operator: "Equal", value: "x", effect: "NoSchedule" }] },
    {
      requests: { cpu: "2" },
    },
  );
  assert.equal(await c.nodeOf("tolerant"), "tainted");
});

test("topology spread keeps the skew within maxSkew across zones", async () => {
  c = await startCluster();
  for (const [n, z] of [
    ["n1", "z1"],
    ["n2", "z1"],
    ["n3", "z2"],
  ]) {
    await c.node(n, { labels: { "topology.kubernetes.io/zone": z } });
  }
  await c.startScheduler();
  const spread = {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { app: "web" } },
      },
    ],
  };
  const zones = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    await c.pod(`web-${i}`, spread, { labels: { app: "web" } });
    const n = await c.nodeOf(`web-${i}`);
    const z = n === "n3" ? "z2" : "z1";
    zones.set(z, (zones.get(z) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(zones), { z1: 3, z2: 3 });
});

test("required anti-affinity leaves the extra replica Pending; affinity co-locates", async () => {
  c = await startCluster();
  for (const n of ["n1", "n2"]) await c.node(n);
  await c.startScheduler();
  const anti = {
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" },
        ],
      },
    },
  };
  for (let i = 0; i < 3; i++) await c.pod(`db-${i}`, anti, { labels: { app: "db" } });
  const placed = new Set([await c.nodeOf("db-0"), await c.nodeOf("db-1")]);
  assert.equal(placed.size, 2);
  assert.match(
    await unschedulableMessage(c, "db-2"),
    /^0\/2 nodes are available: 2 node\(s\) didn't match pod anti-affinity rules\./,
  );

  // Affinity: the cache must follow db-0 wherever it went.
  await c.pod("cache", {
    affinity: {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" },
        ],
      },
    },
  });
  const cacheNode = await c.nodeOf("cache");
  assert.ok(placed.has(cacheNode));
  // Deleting a replica frees its node: the pending one is scheduled there.
  const freed = await c.nodeOf("db-0");
  await c.client.delete(Resources.pods, "db-0", { namespace: "default", gracePeriodSeconds: 0 });
  assert.equal(await c.nodeOf("db-2"), freed);
});

test("a pod becomes scheduled when a node label change makes it fit", async () => {
  c = await startCluster();
  await c.node("n1");
  await c.startScheduler();
  await c.pod("gpu", { nodeSelector: { accel: "gpu" } });
  await unschedulableMessage(c, "gpu");
  const node = await c.client.get<Node>(Resources.nodes, "n1");
  node.metadata!.labels = { ...node.metadata!.labels, accel: "gpu" };
  await c.client.update(Resources.nodes, node as Node & { metadata: object });
  assert.equal(await c.nodeOf("gpu"), "n1");
});
