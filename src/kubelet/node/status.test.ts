import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import { Resources } from "../../client/resources.ts";
import type { Image, RuntimeStatus } from "../runtime/interface.ts";
import type { KubeletContext } from "../types.ts";
import { FakeApi, type FakeCall } from "./fake-api.ts";
import { hollowMachineInfo } from "./machine-info.ts";
import { registerNode } from "./registration.ts";
import { rfc3339 } from "./setters.ts";
import { NodeStatusManager } from "./status.ts";

const START = Date.UTC(2025, 0, 1, 12, 0, 0);

class FakeRuntime {
  ready = true;
  reason = "";
  message = "";
  images: Image[] = [{ id: "sha256:p", repoTags: ["k8ts.local/pause:3.10"], repoDigests: [], size: 300_000 }];
  async status(): Promise<RuntimeStatus> {
    return {
      conditions: [
        { type: "RuntimeReady", status: this.ready, reason: this.reason, message: this.message },
        { type: "NetworkReady", status: true, reason: "", message: "" },
      ],
    };
  }
  async version() {
    return { runtimeName: "fake", runtimeVersion: "0.1.0", runtimeApiVersion: "v1" };
  }
  async listImages(): Promise<Image[]> {
    return this.images;
  }
}

async function setup() {
  const api = new FakeApi();
  const clock = new FakeClock(START);
  const events: string[] = [];
  const ctx: KubeletContext = {
    nodeName: "node-1",
    client: api.client,
    clock,
    node: () => undefined,
    event: () => {},
    log: () => {},
  };
  const runtime = new FakeRuntime();
  const status = new NodeStatusManager(ctx, {
    runtime,
    images: runtime,
    machineInfo: hollowMachineInfo("node-1", { bootID: "boot-1" }),
    nodeIP: "10.0.0.9",
    random: () => 0,
    recordNodeEvent: (type, reason, message) => events.push(`${type} ${reason}: ${message}`),
  });
  const node = await registerNode(ctx, { setNodeStatus: (n) => status.setNodeStatus(n) });
  api.calls.length = 0;
  status.start(node);
  await status.idle();
  return { api, clock, runtime, status, events };
}

const show = (c: FakeCall) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ""}`;

async function stored(api: FakeApi): Promise<Node> {
  return api.client.get<Node>(Resources.nodes, "node-1");
}

const ready = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === "Ready");

test("the registered Node carries the whole status, Ready already", async () => {
  const { api, status, events } = await setup();
  const node = await stored(api);
  assert.deepEqual(node.status?.addresses, [
    { type: "InternalIP", address: "10.0.0.9" },
    { type: "Hostname", address: "node-1" },
  ]);
  assert.deepEqual(
    node.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
      ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
      ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
      ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
    ],
  );
  assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, "fake://0.1.0");
  assert.equal(node.status?.nodeInfo?.bootID, "boot-1");
  assert.deepEqual(node.status?.images, [{ names: ["k8ts.local/pause:3.10"], sizeBytes: 300_000 }]);
  assert.deepEqual(node.status?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  assert.equal(status.node()?.metadata?.resourceVersion, node.metadata?.resourceVersion);
  assert.deepEqual(events, [
    "Normal NodeHasSufficientMemory: Node node-1 status is now: NodeHasSufficientMemory",
    "Normal NodeHasNoDiskPressure: Node node-1 status is now: NodeHasNoDiskPressure",
    "Normal NodeHasSufficientPID: Node node-1 status is now: NodeHasSufficientPID",
  ]);
  await status.stop();
});

test("unchanged status is not written; it is reported again after 5 minutes", async () => {
  const { api, clock, status } = await setup();
  // The first sync after start always reports (lastStatusReportTime is unset).
  assert.deepEqual(api.calls.map(show), ["get nodes", "patch nodes/status"]);
  api.calls.length = 0;
  for (let i = 1; i < 30; i++) {
    clock.step(10_000);
    await status.idle();
  }
  // 29 checks in 4m50s: no request at all, and the heartbeat did not move.
  assert.equal(api.calls.length, 0);
  assert.equal(ready(await stored(api))?.lastHeartbeatTime, rfc3339(START));
  api.calls.length = 0;
  clock.step(10_000);
  await status.idle();
  assert.deepEqual(api.calls.map(show), ["get nodes", "patch nodes/status"]);
  const node = await stored(api);
  assert.equal(ready(node)?.lastHeartbeatTime, rfc3339(START + 300_000));
  assert.equal(ready(node)?.lastTransitionTime, rfc3339(START));
  assert.deepEqual(Object.keys((api.calls[1].body as { status: object }).status).sort(), [
    "$setElementOrder/conditions",
    "conditions",
  ]);
  await status.stop();
});

test("Ready flips to False with the runtime's reason, and back", async () => {
  const { api, clock, runtime, status, events } = await setup();
  api.calls.length = 0;
  events.length = 0;
  runtime.ready = false;
  runtime.reason = "RuntimeDown";
  runtime.message = "boom";
  clock.step(10_000);
  await status.idle();
  assert.deepEqual(api.calls.map(show), ["patch nodes/status"]);
  let r = ready(await stored(api));
  assert.equal(r?.status, "False");
  assert.equal(r?.reason, "KubeletNotReady");
  assert.equal(r?.message, "container runtime not ready: RuntimeReady=false reason:RuntimeDown message:boom");
  assert.equal(r?.lastTransitionTime, rfc3339(START + 10_000));
  assert.deepEqual(events, ["Normal NodeNotReady: Node node-1 status is now: NodeNotReady"]);

  // 30 s after the last good answer the runtime also counts as down: a new message, a new write.
  for (let i = 0; i < 3; i++) {
    clock.step(10_000);
    await status.idle();
  }
  r = ready(await stored(api));
  assert.equal(
    r?.message,
    "[container runtime is down, container runtime not ready: RuntimeReady=false reason:RuntimeDown message:boom]",
  );
  assert.equal(r?.lastTransitionTime, rfc3339(START + 10_000));

  runtime.ready = true;
  clock.step(10_000);
  await status.idle();
  r = ready(await stored(api));
  assert.equal(r?.status, "True");
  assert.equal(r?.message, "kubelet is posting ready status");
  assert.equal(r?.lastTransitionTime, rfc3339(START + 50_000));
  assert.equal(events.at(-1), "Normal NodeReady: Node node-1 status is now: NodeReady");
  await status.stop();
});

test("a new image is a change; a failed write is retried from a fresh read", async () => {
  const { api, clock, runtime, status } = await setup();
  api.calls.length = 0;
  runtime.images = [
    ...runtime.images,
    { id: "sha256:b", repoTags: ["k8ts.local/busybox:latest"], repoDigests: [], size: 900_000 },
  ];
  api.failNext(1, (c) => c.verb === "patch");
  clock.step(10_000);
  await status.idle();
  assert.deepEqual(api.calls.map(show), ["patch nodes/status", "get nodes", "patch nodes/status"]);
  const node = await stored(api);
  assert.deepEqual(
    node.status?.images?.map((i) => i.names?.[0]),
    ["k8ts.local/busybox:latest", "k8ts.local/pause:3.10"],
  );
  await status.stop();
});

test("observe() and invalidate() steer where the next update starts from", async () => {
  const { api, clock, status } = await setup();
  // The node lifecycle controller marked the node Unknown while we could not reach the apiserver.
  const node = await stored(api);
  const r = ready(node)!;
  r.status = "Unknown";
  r.reason = "NodeStatusUnknown";
  await api.client.patch(
    Resources.nodes,
    "node-1",
    { status: { conditions: [r] } },
    { type: "strategic", subresource: "status" },
  );
  status.invalidate();
  api.calls.length = 0;
  clock.step(10_000);
  await status.idle();
  assert.deepEqual(api.calls.map(show), ["get nodes", "patch nodes/status"]);
  assert.equal(ready(await stored(api))?.status, "True");
  const newer = await stored(api);
  status.observe(newer);
  assert.equal(status.node(), newer);
  await status.stop();
  assert.equal(clock.pending, 0);
});
