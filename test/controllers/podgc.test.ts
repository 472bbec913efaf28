// The pod garbage collector against a real apiserver and hollow kubelets,
// with short periods (sweep 500 ms, quarantine 1 s, as upstream's
// NewPodGCInternal allows integration tests): terminated pods beyond the
// threshold go oldest first; pods of a deleted node, unscheduled terminating
// pods and terminating pods of an out-of-service node are marked Failed and
// force-deleted.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { newPodGCControllerDescriptor } from "../../src/controllers/podgc/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const WAIT = 25_000;
/** Keeps force-deleted pods around for the assertions. */
const HOLD = "example.com/hold";
let c: ControllerCluster;

before(async () => {
  c = await startControllerCluster({
    nodes: 1,
    controllers: [newPodGCControllerDescriptor({ gcCheckPeriodMs: 500, quarantineTimeMs: 1000 })],
    config: { terminatedPodGCThreshold: 2 },
  });
});
after(() => c.stop());

function pod(name: string, spec: Partial<NonNullable<Pod["spec"]>> = {}, meta: Pod["metadata"] = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", ...meta },
    spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }], ...spec },
  };
}

const getPod = (name: string) => c.client.get<Pod>(Resources.pods, name, { namespace: "default" });
const gone = async (name: string) => {
  try {
    await getPod(name);
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
};
const release = (name: string) =>
  c.client
    .patch(Resources.pods, name, { metadata: { finalizers: null } }, { namespace: "default", type: "merge" })
    .catch(() => {});

test("terminated pods beyond the threshold are deleted, oldest first", async () => {
  const names = ["done-0", "done-1", "done-2", "done-3"];
  for (const name of names) {
    await c.client.create(
      Resources.pods,
      pod(name, { restartPolicy: "Never" }, { annotations: { "fake.k8ts.io/run-seconds": "1" } }),
    );
  }
  await c.waitFor(
    "two terminated pods left",
    async () => {
      const left = (await c.pods()).filter((p) => names.includes(p.metadata?.name ?? ""));
      return left.length === 2 && left.every((p) => p.status?.phase === "Succeeded") ? left : undefined;
    },
    WAIT,
  );
  const left = (await c.pods()).filter((p) => names.includes(p.metadata?.name ?? ""));
  assert.deepEqual(left.map((p) => p.metadata?.name).sort(), ["done-2", "done-3"]);
  for (const name of ["done-2", "done-3"])
    await c.client.delete(Resources.pods, name, { namespace: "default" });
  await c.waitFor("done pods cleaned up", async () => (await gone("done-2")) && (await gone("done-3")), WAIT);
});

test("pods of a deleted node are marked Failed with DisruptionTarget and force-deleted", async () => {
  await c.client.create<Node>(Resources.nodes, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-gone" },
  });
  await c.client.create(Resources.pods, pod("orphan", { nodeName: "node-gone" }, { finalizers: [HOLD] }));
  await c.client.delete(Resources.nodes, "node-gone");
  const orphan = await c.waitFor(
    "orphan force-deleted",
    async () => {
      const p = await getPod("orphan");
      return p.metadata?.deletionTimestamp ? p : undefined;
    },
    WAIT,
  );
  assert.equal(orphan.status?.phase, "Failed");
  const cond = orphan.status?.conditions?.find((x) => x.type === "DisruptionTarget");
  assert.equal(cond?.status, "True");
  assert.equal(cond?.reason, "DeletionByPodGC");
  assert.equal(cond?.message, "PodGC: node no longer exists");
  // Grace period 0: nothing waits for a kubelet.
  assert.equal(orphan.metadata?.deletionGracePeriodSeconds, 0);
  await release("orphan");
  await c.waitFor("orphan gone", () => gone("orphan"), WAIT);
});

test("a pod of an existing node is left alone", async () => {
  await c.client.create(Resources.pods, pod("bound", { nodeName: "node-0" }));
  await c.waitFor("bound running", async () => (await getPod("bound")).status?.phase === "Running", WAIT);
  // Several sweeps and a quarantine later.
  await new Promise((r) => setTimeout(r, 2000));
  const p = await getPod("bound");
  assert.equal(p.metadata?.deletionTimestamp, undefined);
  assert.equal(p.status?.phase, "Running");
});

test("an unscheduled terminating pod is marked Failed and force-deleted", async () => {
  await c.client.create(
    Resources.pods,
    pod("unscheduled", { schedulerName: "nobody" }, { finalizers: [HOLD] }),
  );
  await c.client.delete(Resources.pods, "unscheduled", { namespace: "default", gracePeriodSeconds: 30 });
  const p = await c.waitFor(
    "unscheduled marked Failed",
    async () => {
      const x = await getPod("unscheduled");
      return x.status?.phase === "Failed" ? x : undefined;
    },
    WAIT,
  );
  assert.ok(p.metadata?.deletionTimestamp);
  // No DisruptionTarget for this one, as upstream.
  assert.equal(
    p.status?.conditions?.find((x) => x.type === "DisruptionTarget"),
    undefined,
  );
  await release("unscheduled");
  await c.waitFor("unscheduled gone", () => gone("unscheduled"), WAIT);
});

test("a terminating pod on a not-Ready out-of-service node is force-deleted", async () => {
  await c.client.create<Node>(Resources.nodes, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-oos" },
    spec: {
      taints: [{ key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" }],
    },
  });
  await c.client.create(Resources.pods, pod("stuck", { nodeName: "node-oos" }));
  // Without a kubelet to confirm, the graceful deletion alone would never end.
  await c.client.delete(Resources.pods, "stuck", { namespace: "default" });
  await c.waitFor("stuck force-deleted", () => gone("stuck"), WAIT);
  await c.client.delete(Resources.nodes, "node-oos");
});
