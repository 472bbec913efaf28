// The node lifecycle controller with the taint eviction and ReplicaSet
// controllers against a real apiserver, scheduler and hollow kubelets: a
// kubelet that stops posting makes its node Ready=Unknown, tainted
// unreachable (NoExecute and NoSchedule), its pods not Ready and, per their
// tolerations, evicted and recreated elsewhere; the kubelet back makes the
// node Ready and untainted.
//
// The hollow kubelet renews its Lease every 10 s (nodeLeaseDurationSeconds
// 40, not settable through startKubelet), so the grace period here (2 s)
// would find even healthy nodes silent: the test renews the Leases of the
// nodes it keeps up, as a kubelet with a short lease duration would.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import type { Event, Node, Pod, Taint, Toleration } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { nodeLifecycleControllerDescriptor } from "../../src/controllers/nodelifecycle/index.ts";
import { replicaSetControllerDescriptor } from "../../src/controllers/replicaset/index.ts";
import { taintEvictionControllerDescriptor } from "../../src/controllers/tainteviction/index.ts";
import { hollowNodeIP, hollowPodCIDR, startKubelet } from "../../src/kubelet/index.ts";
import { microTime } from "../../src/kubelet/node/lease.ts";
import { updateRetryingConflicts } from "../support/update.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const WAIT = 25_000;
let c: ControllerCluster;
const heartbeating = new Set(["node-0", "node-1"]);
let heartbeat: NodeJS.Timeout | undefined;

before(async () => {
  c = await startControllerCluster({
    nodes: 2,
    controllers: [
      nodeLifecycleControllerDescriptor,
      taintEvictionControllerDescriptor,
      replicaSetControllerDescriptor,
    ],
    config: { nodeMonitorGracePeriodMs: 2000, nodeMonitorPeriodMs: 500 },
  });
  heartbeat = setInterval(() => {
    for (const name of heartbeating) void renewLease(name).catch(() => {});
  }, 250);
});
after(async () => {
  clearInterval(heartbeat);
  await c.stop();
});

async function renewLease(name: string): Promise<void> {
  const lease = await c.client.get<Lease>(Resources.leases, name, { namespace: "kube-node-lease" });
  await c.client.update(Resources.leases, {
    ...lease,
    spec: { ...lease.spec, renewTime: microTime(Date.now()) },
  });
}

const getNode = (name: string) => c.client.get<Node>(Resources.nodes, name);
const getPod = (name: string) => c.client.get<Pod>(Resources.pods, name, { namespace: "default" });
const has = (taints: Taint[] | undefined, key: string, effect: string) =>
  (taints ?? []).find((t) => t.key === key && t.effect === effect);
const UNREACHABLE = "node.kubernetes.io/unreachable";

function pinned(name: string, tolerations: Toleration[] = []): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: {
      nodeName: "node-1",
      tolerations,
      containers: [{ name: "c", image: "k8ts.local/busybox:latest" }],
    },
  };
}
const tolerateUnreachable = (seconds: number): Toleration => ({
  key: UNREACHABLE,
  operator: "Exists",
  effect: "NoExecute",
  tolerationSeconds: seconds,
});

test("a silent node goes Unknown, gets tainted, its pods marked and evicted; back, it is Ready and untainted", async () => {
  // Healthy to begin with: registered, Ready, no taints of ours.
  await c.waitFor(
    "RegisteredNode events",
    async () => {
      const msgs = (await c.list<Event>(Resources.events)).filter((e) => e.reason === "RegisteredNode");
      return ["node-0", "node-1"].every((n) =>
        msgs.some((e) => e.message === `Node ${n} event: Registered Node ${n} in Controller`),
      );
    },
    WAIT,
  );

  // The test apiserver runs without DefaultTolerationSeconds admission: this pod tolerates nothing.
  await c.client.create(Resources.pods, pinned("evict-now"));
  await c.client.create(Resources.pods, pinned("evict-2s", [tolerateUnreachable(2)]));
  // What DefaultTolerationSeconds admission gives every pod: it stays for this test.
  await c.client.create(Resources.pods, pinned("default-300s", [tolerateUnreachable(300)]));
  const rs: ReplicaSet = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: { app: "web" } },
            },
          ],
          containers: [{ name: "c", image: "k8ts.local/busybox:latest" }],
        },
      },
    },
  };
  await c.client.create(Resources.replicasets, rs);
  const ready = (p: Pod) => p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True");
  await c.waitFor("7 pods Ready", async () => (await c.pods()).filter((p) => ready(p)).length === 7, WAIT);
  const webOnNode1 = (await c.pods({ labelSelector: "app=web" })).filter(
    (p) => p.spec?.nodeName === "node-1",
  );
  assert.ok(webOnNode1.length > 0, "some ReplicaSet pod landed on node-1");

  // node-1's kubelet stops posting.
  heartbeating.delete("node-1");
  await c.kubelets[1].stop();

  const down = await c.waitFor(
    "node-1 Ready=Unknown and tainted unreachable",
    async () => {
      const n = await getNode("node-1");
      const r = n.status?.conditions?.find((x) => x.type === "Ready");
      return r?.status === "Unknown" &&
        has(n.spec?.taints, UNREACHABLE, "NoExecute") &&
        has(n.spec?.taints, UNREACHABLE, "NoSchedule")
        ? n
        : undefined;
    },
    WAIT,
  );
  const readyCond = down.status?.conditions?.find((x) => x.type === "Ready");
  assert.equal(readyCond?.reason, "NodeStatusUnknown");
  assert.equal(readyCond?.message, "Kubelet stopped posting node status.");
  for (const type of ["MemoryPressure", "DiskPressure", "PIDPressure"]) {
    const x = down.status?.conditions?.find((y) => y.type === type);
    assert.equal(x?.status, "Unknown", type);
  }
  const noExecute = has(down.spec?.taints, UNREACHABLE, "NoExecute");
  assert.ok(noExecute?.timeAdded, "the NoExecute taint has its timeAdded");
  assert.equal(has(down.spec?.taints, "node.kubernetes.io/not-ready", "NoExecute"), undefined);
  // node-0 stayed healthy.
  const n0 = await getNode("node-0");
  assert.equal(n0.status?.conditions?.find((x) => x.type === "Ready")?.status, "True");
  assert.equal(has(n0.spec?.taints, UNREACHABLE, "NoExecute"), undefined);

  // Its pods are marked not Ready.
  const stays = await c.waitFor(
    "default-300s marked not Ready",
    async () => {
      const p = await getPod("default-300s");
      return p.status?.conditions?.find((x) => x.type === "Ready")?.status === "False" ? p : undefined;
    },
    WAIT,
  );
  assert.equal(stays.metadata?.deletionTimestamp, undefined);
  const events = await c.list<Event>(Resources.events);
  const nodeEvent = events.find((e) => e.reason === "NodeNotReady" && e.involvedObject.kind === "Node");
  assert.equal(nodeEvent?.message, "Node node-1 status is now: NodeNotReady");
  assert.equal(nodeEvent?.source?.component, "node-controller");
  const podEvent = events.find(
    (e) => e.reason === "NodeNotReady" && e.involvedObject.name === "default-300s",
  );
  assert.equal(podEvent?.type, "Warning");
  assert.equal(podEvent?.message, "Node is not ready");

  // No toleration: evicted at once; tolerationSeconds 2: two seconds after the taint.
  const now = await c.waitFor(
    "evict-now evicted",
    async () => {
      const p = await getPod("evict-now");
      return p.metadata?.deletionTimestamp ? p : undefined;
    },
    WAIT,
  );
  assert.equal(
    now.status?.conditions?.find((x) => x.type === "DisruptionTarget")?.reason,
    "DeletionByTaintManager",
  );
  const later = await c.waitFor(
    "evict-2s evicted",
    async () => {
      const p = await getPod("evict-2s");
      return p.metadata?.deletionTimestamp ? p : undefined;
    },
    WAIT,
  );
  const disrupted = later.status?.conditions?.find((x) => x.type === "DisruptionTarget");
  assert.ok(
    Date.parse(disrupted?.lastTransitionTime ?? "") - Date.parse(noExecute.timeAdded) >= 2000,
    `evicted at ${disrupted?.lastTransitionTime}, tainted at ${noExecute.timeAdded}`,
  );
  assert.equal((await getPod("default-300s")).metadata?.deletionTimestamp, undefined);

  // The ReplicaSet replaces its evicted pods on the healthy node.
  await c.waitFor(
    "4 web pods Ready on node-0",
    async () => {
      const live = (await c.pods({ labelSelector: "app=web" })).filter((p) => !p.metadata?.deletionTimestamp);
      return live.length === 4 && live.every((p) => p.spec?.nodeName === "node-0" && ready(p));
    },
    WAIT,
  );
  for (const old of webOnNode1) {
    const p = await getPod(old.metadata?.name ?? "");
    assert.ok(p.metadata?.deletionTimestamp, `${p.metadata?.name} evicted`);
  }

  // The kubelet comes back.
  const { kubelet } = await startKubelet({
    client: c.client,
    nodeName: "node-1",
    runtime: "fake",
    hollow: true,
    podCIDR: hollowPodCIDR(1),
    nodeIP: hollowNodeIP(1),
    log: () => {},
  });
  c.kubelets[1] = kubelet;
  heartbeating.add("node-1");
  const up = await c.waitFor(
    "node-1 Ready and untainted",
    async () => {
      const n = await getNode("node-1");
      const r = n.status?.conditions?.find((x) => x.type === "Ready");
      return r?.status === "True" && !(n.spec?.taints ?? []).some((t) => t.key === UNREACHABLE)
        ? n
        : undefined;
    },
    WAIT,
  );
  assert.equal(has(up.spec?.taints, "node.kubernetes.io/not-ready", "NoExecute"), undefined);
  assert.equal(has(up.spec?.taints, "node.kubernetes.io/not-ready", "NoSchedule"), undefined);
});

test("a NotReady node is tainted not-ready, an unschedulable one unschedulable; a deleted one is removed", async () => {
  // A node object without a kubelet: the test posts its status and renews its Lease.
  await c.client.create<Node>(Resources.nodes, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-temp" },
  });
  await c.client.create<Lease>(Resources.leases, {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: "node-temp", namespace: "kube-node-lease" },
    spec: { holderIdentity: "node-temp", leaseDurationSeconds: 40, renewTime: microTime(Date.now()) },
  });
  heartbeating.add("node-temp");
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  // The controller taints the new node meanwhile: retried on 409.
  await updateRetryingConflicts<Node>(
    c.client,
    Resources.nodes,
    "node-temp",
    (n) => ({
      ...n,
      status: {
        conditions: [
          {
            type: "Ready",
            status: "False",
            reason: "KubeletNotReady",
            message: "container runtime network not ready",
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
        ],
      },
    }),
    { subresource: "status" },
  );
  await c.waitFor(
    "node-temp tainted not-ready NoSchedule",
    async () => has((await getNode("node-temp")).spec?.taints, "node.kubernetes.io/not-ready", "NoSchedule"),
    WAIT,
  );
  await c.client.patch(Resources.nodes, "node-temp", { spec: { unschedulable: true } }, { type: "merge" });
  await c.waitFor(
    "node-temp tainted unschedulable",
    async () =>
      has((await getNode("node-temp")).spec?.taints, "node.kubernetes.io/unschedulable", "NoSchedule"),
    WAIT,
  );
  // The NoExecute taint comes through the zone's rate limiter (0.1 nodes/s): within 10 s of the last one.
  const tainted = await c.waitFor(
    "node-temp tainted not-ready NoExecute",
    async () => has((await getNode("node-temp")).spec?.taints, "node.kubernetes.io/not-ready", "NoExecute"),
    WAIT,
  );
  assert.ok(tainted.timeAdded);
  const t = (await getNode("node-temp")).spec?.taints ?? [];
  assert.equal(has(t, UNREACHABLE, "NoExecute"), undefined);
  assert.equal(has(t, UNREACHABLE, "NoSchedule"), undefined);

  heartbeating.delete("node-temp");
  await c.client.delete(Resources.nodes, "node-temp");
  const removing = await c.waitFor(
    "RemovingNode event",
    async () => (await c.list<Event>(Resources.events)).find((e) => e.reason === "RemovingNode"),
    WAIT,
  );
  assert.equal(removing.message, "Node node-temp event: Removing Node node-temp from Controller");
  assert.equal(removing.involvedObject.kind, "Node");
  assert.equal(removing.type, "Normal");
});
