import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import { Resources } from "../../client/resources.ts";
import type { KubeletContext } from "../types.ts";
import { FakeApi } from "./fake-api.ts";
import {
  ANNOTATION_CONTROLLER_MANAGED_ATTACH,
  initialNode,
  reconcileHugePageResource,
  registerNode,
  updateDefaultLabels,
} from "./registration.ts";

function context(api: FakeApi, clock = new FakeClock(Date.UTC(2025, 0, 1))): KubeletContext {
  return {
    nodeName: "node-1",
    client: api.client,
    clock,
    node: () => undefined,
    event: () => {},
    log: () => {},
  };
}

const status = (node: Node) => {
  (node as { status?: Node["status"] }).status = {
    capacity: { cpu: "4", memory: "16Gi", pods: "110", "hugepages-2Mi": "0" },
    allocatable: { cpu: "4", memory: "16284Mi", pods: "110", "hugepages-2Mi": "0" },
  };
};

/** Lets pending promise callbacks run (the fake API answers asynchronously). */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

test("initialNode: default labels, flag labels win, taints, pod CIDR, attach/detach annotation", async () => {
  const node = await initialNode("node-1", {
    hostname: "host-1",
    labels: { "node-role.kubernetes.io/worker": "", "kubernetes.io/hostname": "override" },
    taints: [{ key: "dedicated", value: "infra", effect: "NoSchedule" }],
    podCIDR: "10.244.3.0/24",
    operatingSystem: "linux",
    architecture: "amd64",
    setNodeStatus: status,
  });
  assert.deepEqual(node.metadata, {
    name: "node-1",
    labels: {
      "kubernetes.io/hostname": "override",
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      "beta.kubernetes.io/os": "linux",
      "beta.kubernetes.io/arch": "amd64",
      "node-role.kubernetes.io/worker": "",
    },
    annotations: { [ANNOTATION_CONTROLLER_MANAGED_ATTACH]: "true" },
  });
  assert.deepEqual(node.spec, {
    taints: [{ key: "dedicated", value: "infra", effect: "NoSchedule" }],
    podCIDR: "10.244.3.0/24",
    podCIDRs: ["10.244.3.0/24"],
  });
  assert.equal(node.status?.capacity?.cpu, "4");
});

test("initialNode: --register-schedulable=false registers cordoned and tainted", async () => {
  const node = await initialNode("node-1", { registerSchedulable: false, setNodeStatus: status });
  assert.equal(node.spec?.unschedulable, true);
  assert.deepEqual(node.spec?.taints, [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }]);
});

test("updateDefaultLabels restores the kubelet's labels and leaves the others", () => {
  const initial: Node = {
    metadata: { labels: { "kubernetes.io/os": "linux", "kubernetes.io/hostname": "h" } },
  };
  const existing: Node = { metadata: { labels: { "kubernetes.io/hostname": "h", team: "a" } } };
  assert.equal(updateDefaultLabels(initial, existing), true);
  assert.deepEqual(existing.metadata?.labels, {
    "kubernetes.io/hostname": "h",
    team: "a",
    "kubernetes.io/os": "linux",
  });
  assert.equal(updateDefaultLabels(initial, existing), false);
});

test("reconcileHugePageResource follows the machine's page sizes", () => {
  const initial: Node = {
    status: { capacity: { "hugepages-2Mi": "1Gi" }, allocatable: { "hugepages-2Mi": "1Gi" } },
  };
  const existing: Node = {
    status: { capacity: { cpu: "4", "hugepages-1Gi": "0" }, allocatable: { cpu: "4", "hugepages-1Gi": "0" } },
  };
  assert.equal(reconcileHugePageResource(initial, existing), true);
  assert.deepEqual(existing.status?.capacity, { cpu: "4", "hugepages-2Mi": "1Gi" });
  assert.deepEqual(existing.status?.allocatable, { cpu: "4", "hugepages-2Mi": "1Gi" });
  assert.equal(reconcileHugePageResource(initial, existing), false);
});

test("registerNode creates the Node", async () => {
  const api = new FakeApi();
  const node = await registerNode(context(api), { setNodeStatus: status });
  assert.equal(node.metadata?.name, "node-1");
  assert.ok(node.metadata?.uid);
  assert.deepEqual(
    api.calls.map((c) => `${c.verb} ${c.resource}`),
    ["create nodes"],
  );
});

test("a restarted kubelet adopts its Node: the spec stays, the kubelet's labels come back", async () => {
  const api = new FakeApi();
  const ctx = context(api);
  const first = await registerNode(ctx, { podCIDR: "10.244.1.0/24", setNodeStatus: status });
  // Someone removed a label the kubelet owns and cordoned the node.
  const stored = await api.client.get<Node>(Resources.nodes, "node-1");
  delete stored.metadata!.labels!["kubernetes.io/os"];
  stored.spec!.unschedulable = true;
  await api.client.update(Resources.nodes, stored);
  api.calls.length = 0;

  const again = await registerNode(ctx, { podCIDR: "10.244.9.0/24", setNodeStatus: status });
  assert.equal(again.metadata?.uid, first.metadata?.uid);
  assert.equal(again.metadata?.labels?.["kubernetes.io/os"], first.metadata?.labels?.["kubernetes.io/os"]);
  assert.equal(again.spec?.unschedulable, true);
  assert.equal(again.spec?.podCIDR, "10.244.1.0/24");
  assert.deepEqual(
    api.calls.map((c) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ""}`),
    ["create nodes", "get nodes", "patch nodes/status"],
  );
  assert.deepEqual(api.calls[2].body, {
    metadata: { labels: { "kubernetes.io/os": first.metadata?.labels?.["kubernetes.io/os"] ?? "" } },
  });
});

test("an unchanged Node is adopted without a write", async () => {
  const api = new FakeApi();
  const ctx = context(api);
  await registerNode(ctx, { setNodeStatus: status });
  api.calls.length = 0;
  await registerNode(ctx, { setNodeStatus: status });
  assert.deepEqual(
    api.calls.map((c) => c.verb),
    ["create", "get"],
  );
});

test("while the apiserver is unavailable, registration retries with backoff from 100 ms to 7 s", async () => {
  const api = new FakeApi();
  const clock = new FakeClock(0);
  api.failNext(8);
  const done = registerNode(context(api, clock), { setNodeStatus: status });
  const attemptsAt: number[] = [];
  let last = 0;
  for (let t = 0; t <= 30_000; t += 50) {
    await flush();
    if (api.calls.length !== last) {
      last = api.calls.length;
      attemptsAt.push(clock.now());
    }
    if (api.objects.size > 0) break;
    clock.step(50);
  }
  const node = await done;
  assert.equal(node.metadata?.name, "node-1");
  assert.deepEqual(attemptsAt, [0, 100, 300, 700, 1500, 3100, 6300, 12_700, 19_700]);
});

test("an aborted registration stops retrying", async () => {
  const api = new FakeApi();
  api.failNext(100);
  const abort = new AbortController();
  const done = registerNode(context(api, new FakeClock(0)), { setNodeStatus: status, signal: abort.signal });
  await flush();
  abort.abort(new Error("stopped"));
  await assert.rejects(done, /stopped/);
});
