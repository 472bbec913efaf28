// Node IPAM against a real apiserver: nodes created without a pod CIDR get
// distinct blocks of a small cluster CIDR (10.244.0.0/22: four /24s), the
// blocks the hollow kubelets registered with (10.244.1.0/24, 10.244.2.0/24)
// are kept and never handed out, exhaustion is reported with upstream's
// CIDRNotAvailable event, and a deleted node's block goes to the next node.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Event, Node } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import type { ControllerContext } from "../../src/controllers/context.ts";
import { nodeIpamControllerDescriptor } from "../../src/controllers/nodeipam/index.ts";
import { hollowPodCIDR } from "../../src/kubelet/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({
    nodes: 2,
    scheduler: false,
    controllers: [nodeIpamControllerDescriptor],
    config: { clusterCIDR: "10.244.0.0/22", nodeCIDRMaskSize: 24, allocateNodeCIDRs: true },
  });
});
after(() => c.stop());

const WAIT = 25_000;

async function createNode(name: string): Promise<void> {
  await c.client.create<Node>(Resources.nodes, { apiVersion: "v1", kind: "Node", metadata: { name } });
}

async function podCIDRs(name: string): Promise<{ podCIDR?: string; podCIDRs?: string[] }> {
  const n = await c.client.get<Node>(Resources.nodes, name);
  return { podCIDR: n.spec?.podCIDR, podCIDRs: n.spec?.podCIDRs };
}

async function waitForCIDR(name: string): Promise<string> {
  return c.waitFor(`a podCIDR on node ${name}`, async () => (await podCIDRs(name)).podCIDR, WAIT);
}

test("nodes without a pod CIDR get distinct free blocks; the kubelets' blocks are kept and never reused", async () => {
  assert.deepEqual(await podCIDRs("node-0"), { podCIDR: hollowPodCIDR(0), podCIDRs: [hollowPodCIDR(0)] });
  assert.deepEqual(await podCIDRs("node-1"), { podCIDR: hollowPodCIDR(1), podCIDRs: [hollowPodCIDR(1)] });

  await createNode("ipam-a");
  await createNode("ipam-b");
  const a = await waitForCIDR("ipam-a");
  const b = await waitForCIDR("ipam-b");
  // The two free /24s of 10.244.0.0/22, in some order; never the kubelets' 10.244.1.0/24 or 10.244.2.0/24.
  assert.deepEqual([a, b].sort(), ["10.244.0.0/24", "10.244.3.0/24"]);
  assert.deepEqual((await podCIDRs("ipam-a")).podCIDRs, [a]);
  assert.deepEqual((await podCIDRs("ipam-b")).podCIDRs, [b]);
  // The kubelets' nodes are left as they registered.
  assert.deepEqual(await podCIDRs("node-0"), { podCIDR: hollowPodCIDR(0), podCIDRs: [hollowPodCIDR(0)] });
  assert.deepEqual(await podCIDRs("node-1"), { podCIDR: hollowPodCIDR(1), podCIDRs: [hollowPodCIDR(1)] });
});

test("an exhausted range is reported as CIDRNotAvailable; a deleted node's block goes to the waiting node", async () => {
  // ipam-a and ipam-b hold the last free blocks.
  const aCIDR = await waitForCIDR("ipam-a");
  await createNode("ipam-c");
  const ev = await c.waitFor(
    "the CIDRNotAvailable event",
    async () =>
      (await c.list<Event>(Resources.events)).find(
        (e) => e.reason === "CIDRNotAvailable" && e.involvedObject.name === "ipam-c",
      ),
    WAIT,
  );
  assert.equal(ev.type, "Normal");
  assert.equal(ev.message, "Node ipam-c status is now: CIDRNotAvailable");
  assert.equal(ev.source?.component, "cidrAllocator");
  assert.equal(ev.involvedObject.kind, "Node");
  assert.equal(ev.involvedObject.uid, "ipam-c");
  assert.equal((await podCIDRs("ipam-c")).podCIDR, undefined);

  await c.client.delete(Resources.nodes, "ipam-a");
  assert.equal(await waitForCIDR("ipam-c"), aCIDR);
  const b = (await podCIDRs("ipam-b")).podCIDR;
  assert.notEqual(b, aCIDR);
});

test("with --allocate-node-cidrs=false the controller does not run", async () => {
  const init = await nodeIpamControllerDescriptor.init({
    config: { allocateNodeCIDRs: false },
  } as ControllerContext);
  assert.deepEqual(init.controllers, []);
  assert.equal(nodeIpamControllerDescriptor.name, "node-ipam-controller");
  assert.deepEqual(nodeIpamControllerDescriptor.aliases, ["nodeipam"]);
  assert.equal(nodeIpamControllerDescriptor.serviceAccount, "node-controller");
});
