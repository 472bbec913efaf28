// The kubelet's node side against a real in-process apiserver: registration
// creates the Node with upstream's labels, addresses, capacity and status; a
// restarted kubelet adopts its Node instead of failing; the Lease in
// kube-node-lease is created and renewed every 10 s; node status is written
// only on change and at least every 5 minutes, and Ready follows the runtime.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../src/client/fake-clock.ts";
import { Resources } from "../../src/client/resources.ts";
import {
  type KubeObject,
  type PatchOptions,
  RestClient,
  type WriteOptions,
} from "../../src/client/rest-client.ts";
import { NodeLeaseController } from "../../src/kubelet/node/lease.ts";
import { hollowMachineInfo } from "../../src/kubelet/node/machine-info.ts";
import { registerNode } from "../../src/kubelet/node/registration.ts";
import { rfc3339 } from "../../src/kubelet/node/setters.ts";
import { NodeStatusManager } from "../../src/kubelet/node/status.ts";
import type { Image, RuntimeStatus } from "../../src/kubelet/runtime/interface.ts";
import type { KubeletContext } from "../../src/kubelet/types.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let admin: RestClient;

before(async () => {
  api = await startTestApiServer();
  admin = new RestClient(api.admin);
});
after(async () => {
  admin.close();
  await api.stop();
});

/** Counts what the kubelet writes. */
class CountingClient extends RestClient {
  writes: string[] = [];
  override patch<T>(
    res: Parameters<RestClient["patch"]>[0],
    name: string,
    patch: unknown,
    opts: PatchOptions,
  ) {
    this.writes.push(`patch ${res.resource}${opts.subresource ? `/${opts.subresource}` : ""}`);
    return super.patch<T>(res, name, patch, opts);
  }
  override update<T extends KubeObject>(
    res: Parameters<RestClient["update"]>[0],
    obj: T,
    opts?: WriteOptions,
  ) {
    this.writes.push(`update ${res.resource}`);
    return super.update<T>(res, obj, opts);
  }
  override create<T extends KubeObject>(
    res: Parameters<RestClient["create"]>[0],
    obj: T,
    opts?: WriteOptions,
  ) {
    this.writes.push(`create ${res.resource}`);
    return super.create<T>(res, obj, opts);
  }
}

class FakeRuntime {
  ready = true;
  images: Image[] = [{ id: "sha256:p", repoTags: ["k8ts.local/pause:3.10"], repoDigests: [], size: 311_000 }];
  async status(): Promise<RuntimeStatus> {
    return {
      conditions: [
        {
          type: "RuntimeReady",
          status: this.ready,
          reason: this.ready ? "" : "RuntimeDown",
          message: this.ready ? "" : "boom",
        },
        { type: "NetworkReady", status: true, reason: "", message: "" },
      ],
    };
  }
  async version() {
    return { runtimeName: "fake", runtimeVersion: "0.1.0", runtimeApiVersion: "v1" };
  }
  async listImages() {
    return this.images;
  }
}

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

interface Kubelet {
  ctx: KubeletContext;
  client: CountingClient;
  clock: FakeClock;
  runtime: FakeRuntime;
  status: NodeStatusManager;
  lease: NodeLeaseController;
  node: Node;
  stop(): Promise<void>;
}

/** What the lead's kubelet does at start: register, then run the status loop and the lease. */
async function startKubelet(
  nodeName: string,
  o: { clock?: FakeClock; labels?: Record<string, string>; podCIDR?: string; bootID?: string } = {},
): Promise<Kubelet> {
  const client = new CountingClient(api.admin);
  const clock = o.clock ?? new FakeClock(T0);
  const runtime = new FakeRuntime();
  let status: NodeStatusManager | undefined;
  const ctx: KubeletContext = {
    nodeName,
    client,
    clock,
    node: () => status?.node(),
    event: () => {},
    log: () => {},
  };
  status = new NodeStatusManager(ctx, {
    runtime,
    images: runtime,
    machineInfo: hollowMachineInfo(nodeName, { bootID: o.bootID ?? "boot-1" }),
    nodeIP: "10.1.2.3",
    random: () => 0,
  });
  const s = status;
  const node = await registerNode(ctx, {
    labels: o.labels,
    taints: [{ key: "k8ts.io/hollow", value: "true", effect: "NoSchedule" }],
    podCIDR: o.podCIDR,
    setNodeStatus: (n) => s.setNodeStatus(n),
  });
  s.start(node);
  const lease = new NodeLeaseController(ctx, { random: () => 0 });
  lease.start();
  await Promise.all([s.idle(), lease.idle()]);
  return {
    ctx,
    client,
    clock,
    runtime,
    status: s,
    lease,
    node,
    async stop() {
      await Promise.all([s.stop(), lease.stop()]);
      client.close();
    },
  };
}

/** Steps the fake clock by ms and waits for the loops it woke. */
async function step(k: Kubelet, ms: number): Promise<void> {
  k.clock.step(ms);
  await Promise.all([k.status.idle(), k.lease.idle()]);
}

const getNode = (name: string) => admin.get<Node>(Resources.nodes, name);
const getLease = (name: string) => admin.get<Lease>(Resources.leases, name, { namespace: "kube-node-lease" });
const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === "Ready");

test("registration creates the Node with labels, taints, addresses, capacity and a Ready status", async () => {
  const k = await startKubelet("reg-1", {
    labels: { "node-role.kubernetes.io/worker": "" },
    podCIDR: "10.244.7.0/24",
  });
  try {
    const node = await getNode("reg-1");
    const os = node.status?.nodeInfo?.operatingSystem;
    const arch = node.status?.nodeInfo?.architecture;
    assert.equal(os, "linux");
    assert.deepEqual(node.metadata?.labels, {
      "beta.kubernetes.io/arch": arch,
      "beta.kubernetes.io/os": "linux",
      "kubernetes.io/arch": arch,
      "kubernetes.io/hostname": "reg-1",
      "kubernetes.io/os": "linux",
      "node-role.kubernetes.io/worker": "",
    });
    assert.equal(
      node.metadata?.annotations?.["volumes.kubernetes.io/controller-managed-attach-detach"],
      "true",
    );
    assert.deepEqual(node.spec?.taints, [{ key: "k8ts.io/hollow", value: "true", effect: "NoSchedule" }]);
    assert.equal(node.spec?.podCIDR, "10.244.7.0/24");
    assert.deepEqual(node.spec?.podCIDRs, ["10.244.7.0/24"]);
    assert.deepEqual(node.status?.addresses, [
      { type: "InternalIP", address: "10.1.2.3" },
      { type: "Hostname", address: "reg-1" },
    ]);
    assert.deepEqual(node.status?.capacity, {
      cpu: "4",
      "ephemeral-storage": "100Gi",
      "hugepages-1Gi": "0",
      "hugepages-2Mi": "0",
      memory: "16Gi",
      pods: "110",
    });
    assert.deepEqual(node.status?.allocatable, {
      cpu: "4",
      "ephemeral-storage": "96636764000",
      "hugepages-1Gi": "0",
      "hugepages-2Mi": "0",
      memory: "16284Mi",
      pods: "110",
    });
    const info = node.status?.nodeInfo;
    assert.equal(info?.kubeletVersion, "v1.32.0-k8ts");
    assert.equal(info?.kubeProxyVersion, "v1.32.0-k8ts");
    assert.equal(info?.containerRuntimeVersion, "fake://0.1.0");
    assert.equal(info?.bootID, "boot-1");
    assert.match(info?.machineID ?? "", /^[0-9a-f]{32}$/);
    assert.deepEqual(node.status?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.deepEqual(node.status?.images, [{ names: ["k8ts.local/pause:3.10"], sizeBytes: 311_000 }]);
    assert.deepEqual(
      node.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}`),
      [
        "MemoryPressure=False KubeletHasSufficientMemory",
        "DiskPressure=False KubeletHasNoDiskPressure",
        "PIDPressure=False KubeletHasSufficientPID",
        "Ready=True KubeletReady",
      ],
    );
    assert.equal(ready(node)?.message, "kubelet is posting ready status");
    // node() is what the rest of the kubelet reads (allocatable for admission, podCIDR for the fake runtime).
    assert.equal(k.ctx.node()?.metadata?.uid, node.metadata?.uid);
    assert.equal(k.ctx.node()?.spec?.podCIDR, "10.244.7.0/24");
  } finally {
    await k.stop();
  }
});

test("a second kubelet start with the same name adopts the Node and reconciles it", async () => {
  const first = await startKubelet("restart-1", { podCIDR: "10.244.8.0/24" });
  const before = await getNode("restart-1");
  await first.stop();
  // Meanwhile an admin cordoned the node and labelled it.
  await admin.patch(
    Resources.nodes,
    "restart-1",
    { metadata: { labels: { team: "a" } }, spec: { unschedulable: true } },
    { type: "merge" },
  );

  const second = await startKubelet("restart-1", { clock: new FakeClock(T0 + 60_000), bootID: "boot-2" });
  try {
    const node = await getNode("restart-1");
    assert.equal(node.metadata?.uid, before.metadata?.uid);
    assert.equal(node.metadata?.creationTimestamp, before.metadata?.creationTimestamp);
    assert.equal(node.metadata?.labels?.team, "a");
    assert.equal(node.spec?.unschedulable, true);
    assert.equal(node.spec?.podCIDR, "10.244.8.0/24");
    assert.equal(node.status?.nodeInfo?.bootID, "boot-2");
    assert.equal(ready(node)?.status, "True");
    assert.equal(ready(node)?.lastHeartbeatTime, rfc3339(T0 + 60_000));
    // The create failed with AlreadyExists; no second Node.
    assert.equal(second.client.writes[0], "create nodes");
    const all = await admin.list<Node>(Resources.nodes);
    assert.equal(all.items.filter((n) => n.metadata?.name === "restart-1").length, 1);
  } finally {
    await second.stop();
  }
});

test("a restarted kubelet puts back a label it owns (through nodes/status, as upstream)", async () => {
  const first = await startKubelet("restart-2");
  await first.stop();
  await admin.patch(
    Resources.nodes,
    "restart-2",
    { metadata: { labels: { "kubernetes.io/os": null } } },
    { type: "merge" },
  );
  const second = await startKubelet("restart-2", { clock: new FakeClock(T0 + 60_000) });
  try {
    assert.equal((await getNode("restart-2")).metadata?.labels?.["kubernetes.io/os"], "linux");
  } finally {
    await second.stop();
  }
});

test("the Lease kube-node-lease/<node> exists, is owned by the Node and renews every 10 s", async () => {
  const k = await startKubelet("lease-1");
  try {
    const node = await getNode("lease-1");
    let lease = await getLease("lease-1");
    assert.equal(lease.spec?.holderIdentity, "lease-1");
    assert.equal(lease.spec?.leaseDurationSeconds, 40);
    assert.equal(lease.spec?.renewTime, "2025-01-01T12:00:00.000000Z");
    assert.deepEqual(lease.metadata?.ownerReferences, [
      { apiVersion: "v1", kind: "Node", name: "lease-1", uid: node.metadata?.uid },
    ]);
    const leaseWrites = () => k.client.writes.filter((w) => w.endsWith("leases")).length;
    assert.equal(leaseWrites(), 1);
    await step(k, 9_999);
    assert.equal(leaseWrites(), 1);
    await step(k, 1);
    assert.equal(leaseWrites(), 2);
    lease = await getLease("lease-1");
    assert.equal(lease.spec?.renewTime, "2025-01-01T12:00:10.000000Z");
    for (let i = 2; i <= 6; i++) await step(k, 10_000);
    lease = await getLease("lease-1");
    assert.equal(lease.spec?.renewTime, "2025-01-01T12:01:00.000000Z");
    assert.equal(leaseWrites(), 7);
    assert.deepEqual(
      k.client.writes.filter((w) => w.endsWith("leases")),
      ["create leases", ...Array(6).fill("update leases")],
    );
  } finally {
    await k.stop();
  }
});

test("node status: not rewritten when nothing changed, rewritten after 5 minutes, Ready follows the runtime", async () => {
  const k = await startKubelet("status-1");
  try {
    const statusWrites = () => k.client.writes.filter((w) => w === "patch nodes/status").length;
    // The first sync after start reports once.
    assert.equal(statusWrites(), 1);
    const rv = (await getNode("status-1")).metadata?.resourceVersion;
    for (let i = 1; i < 30; i++) await step(k, 10_000);
    assert.equal(statusWrites(), 1);
    let node = await getNode("status-1");
    assert.equal(node.metadata?.resourceVersion, rv);
    assert.equal(ready(node)?.lastHeartbeatTime, rfc3339(T0));

    await step(k, 10_000);
    assert.equal(statusWrites(), 2);
    node = await getNode("status-1");
    assert.equal(ready(node)?.lastHeartbeatTime, rfc3339(T0 + 300_000));
    assert.equal(ready(node)?.lastTransitionTime, rfc3339(T0));

    k.runtime.ready = false;
    await step(k, 10_000);
    assert.equal(statusWrites(), 3);
    node = await getNode("status-1");
    assert.equal(ready(node)?.status, "False");
    assert.equal(ready(node)?.reason, "KubeletNotReady");
    assert.equal(
      ready(node)?.message,
      "container runtime not ready: RuntimeReady=false reason:RuntimeDown message:boom",
    );
    assert.equal(ready(node)?.lastTransitionTime, rfc3339(T0 + 310_000));
    assert.equal(k.ctx.node()?.metadata?.resourceVersion, node.metadata?.resourceVersion);

    k.runtime.ready = true;
    await step(k, 10_000);
    node = await getNode("status-1");
    assert.equal(ready(node)?.status, "True");
    assert.equal(ready(node)?.lastTransitionTime, rfc3339(T0 + 320_000));
    // Conditions kept their order through the merge patches.
    assert.deepEqual(
      node.status?.conditions?.map((c) => c.type),
      ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"],
    );
  } finally {
    await k.stop();
  }
});
