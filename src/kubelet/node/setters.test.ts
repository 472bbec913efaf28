import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node, NodeCondition } from "kubernetes-types/core/v1.d.ts";
import type { Image } from "../runtime/interface.ts";
import { hollowMachineInfo } from "./machine-info.ts";
import {
  daemonEndpoints,
  diskPressureCondition,
  images,
  isExtendedResourceName,
  machineInfo,
  memoryPressureCondition,
  nodeAddress,
  pidPressureCondition,
  readyCondition,
  rfc3339,
  schedulableEvent,
  versionInfo,
} from "./setters.ts";

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const BEFORE = NOW - 1000;
const now = () => NOW;

const withCapacity = (): Node => ({
  status: { capacity: { cpu: "2", memory: "10e9", pods: "100", "ephemeral-storage": "5000" } },
});

function makeReady(ready: boolean, message: string, transition: number, heartbeat: number): NodeCondition {
  return {
    type: "Ready",
    status: ready ? "True" : "False",
    reason: ready ? "KubeletReady" : "KubeletNotReady",
    message,
    lastTransitionTime: rfc3339(transition),
    lastHeartbeatTime: rfc3339(heartbeat),
  };
}

function runReady(
  node: Node,
  errs: { runtime?: string[]; network?: string[]; storage?: string[]; shutdown?: string[] } = {},
) {
  const events: string[] = [];
  readyCondition({
    now,
    runtimeErrors: () => errs.runtime ?? [],
    networkErrors: () => errs.network ?? [],
    storageErrors: () => errs.storage ?? [],
    shutdownErrors: () => errs.shutdown ?? [],
    recordEvent: (type, event) => events.push(`${type} ${event}`),
  })(node);
  return events;
}

test("metav1.Time is RFC 3339 to the second", () => {
  assert.equal(rfc3339(NOW), "2025-01-02T03:04:05Z");
});

test("Ready: new and ready, no event for the first condition", () => {
  const node = withCapacity();
  assert.deepEqual(runReady(node), []);
  assert.deepEqual(node.status?.conditions, [makeReady(true, "kubelet is posting ready status", NOW, NOW)]);
});

test("Ready: storage errors, shutdown, runtime and network errors", () => {
  let node = withCapacity();
  runReady(node, { storage: ["some storage error"] });
  assert.deepEqual(node.status?.conditions, [makeReady(false, "some storage error", NOW, NOW)]);
  node = withCapacity();
  runReady(node, { shutdown: ["node is shutting down"] });
  assert.deepEqual(node.status?.conditions, [makeReady(false, "node is shutting down", NOW, NOW)]);
  node = withCapacity();
  runReady(node, { runtime: ["runtime"], network: ["network"] });
  assert.deepEqual(node.status?.conditions, [makeReady(false, "[runtime, network]", NOW, NOW)]);
});

test("Ready: missing capacities", () => {
  const node: Node = {};
  runReady(node);
  assert.deepEqual(node.status?.conditions, [
    makeReady(false, "missing node capacity for resources: cpu, memory, pods, ephemeral-storage", NOW, NOW),
  ]);
});

test("Ready: transitions move lastTransitionTime and record NodeReady / NodeNotReady", () => {
  let node = withCapacity();
  node.status!.conditions = [makeReady(false, "", BEFORE, BEFORE)];
  assert.deepEqual(runReady(node), ["Normal NodeReady"]);
  assert.deepEqual(node.status?.conditions, [makeReady(true, "kubelet is posting ready status", NOW, NOW)]);

  node = withCapacity();
  node.status!.conditions = [makeReady(true, "", BEFORE, BEFORE)];
  assert.deepEqual(runReady(node, { runtime: ["foo"] }), ["Normal NodeNotReady"]);
  assert.deepEqual(node.status?.conditions, [makeReady(false, "foo", NOW, NOW)]);

  node = withCapacity();
  node.status!.conditions = [makeReady(true, "", BEFORE, BEFORE)];
  assert.deepEqual(runReady(node), []);
  assert.deepEqual(node.status?.conditions, [
    makeReady(true, "kubelet is posting ready status", BEFORE, NOW),
  ]);

  node = withCapacity();
  node.status!.conditions = [makeReady(false, "", BEFORE, BEFORE)];
  assert.deepEqual(runReady(node, { runtime: ["foo"] }), []);
  assert.deepEqual(node.status?.conditions, [makeReady(false, "foo", BEFORE, NOW)]);
});

test("pressure conditions: created Unknown then set, with upstream's reasons and events", () => {
  const events: string[] = [];
  const rec = (type: string, e: string) => events.push(`${type} ${e}`);
  const node: Node = {};
  let memory = false;
  const setMem = memoryPressureCondition(now, () => memory, rec);
  setMem(node);
  diskPressureCondition(now, () => false, rec)(node);
  pidPressureCondition(now, () => false, rec)(node);
  assert.deepEqual(node.status?.conditions, [
    {
      type: "MemoryPressure",
      status: "False",
      reason: "KubeletHasSufficientMemory",
      message: "kubelet has sufficient memory available",
      lastHeartbeatTime: rfc3339(NOW),
      lastTransitionTime: rfc3339(NOW),
    },
    {
      type: "DiskPressure",
      status: "False",
      reason: "KubeletHasNoDiskPressure",
      message: "kubelet has no disk pressure",
      lastHeartbeatTime: rfc3339(NOW),
      lastTransitionTime: rfc3339(NOW),
    },
    {
      type: "PIDPressure",
      status: "False",
      reason: "KubeletHasSufficientPID",
      message: "kubelet has sufficient PID available",
      lastHeartbeatTime: rfc3339(NOW),
      lastTransitionTime: rfc3339(NOW),
    },
  ]);
  assert.deepEqual(events, [
    "Normal NodeHasSufficientMemory",
    "Normal NodeHasNoDiskPressure",
    "Normal NodeHasSufficientPID",
  ]);

  // No transition: only the heartbeat moves.
  events.length = 0;
  const later = NOW + 10_000;
  memoryPressureCondition(
    () => later,
    () => false,
    rec,
  )(node);
  assert.equal(node.status?.conditions?.[0].lastHeartbeatTime, rfc3339(later));
  assert.equal(node.status?.conditions?.[0].lastTransitionTime, rfc3339(NOW));
  assert.deepEqual(events, []);

  memory = true;
  memoryPressureCondition(
    () => later,
    () => memory,
    rec,
  )(node);
  assert.equal(node.status?.conditions?.[0].status, "True");
  assert.equal(node.status?.conditions?.[0].reason, "KubeletHasInsufficientMemory");
  assert.equal(node.status?.conditions?.[0].message, "kubelet has insufficient memory available");
  assert.equal(node.status?.conditions?.[0].lastTransitionTime, rfc3339(later));
  assert.deepEqual(events, ["Normal NodeHasInsufficientMemory"]);
  assert.equal(node.status?.conditions?.length, 3);
});

const img = (id: string, size: number, tags: string[] = [], digests: string[] = []): Image => ({
  id,
  size,
  repoTags: tags,
  repoDigests: digests,
});

test("images: largest first (ties by ID descending), at most maxImages, 5 names, digests first", () => {
  const node: Node = {};
  images({
    maxImages: 3,
    imageList: () => [
      img("sha256:a", 10, ["a:1"]),
      img("sha256:b", 30, ["b:1", "b:2", "b:3", "b:4"], ["b@sha256:1", "b@sha256:2"]),
      img("sha256:c", 20, ["c:1"]),
      img("sha256:d", 20, ["d:1"]),
    ],
  })(node);
  assert.deepEqual(node.status?.images, [
    { names: ["b@sha256:1", "b@sha256:2", "b:1", "b:2", "b:3"], sizeBytes: 30 },
    { names: ["d:1"], sizeBytes: 20 },
    { names: ["c:1"], sizeBytes: 20 },
  ]);
  const all: Node = {};
  images({ maxImages: -1, imageList: () => [img("x", 1), img("y", 2), img("z", 3)] })(all);
  assert.equal(all.status?.images?.length, 3);
  const failing: Node = { status: { images: [{ names: ["old"], sizeBytes: 1 }] } };
  assert.throws(() => images({ imageList: () => undefined })(failing), /error getting image list/);
  assert.equal(failing.status?.images, undefined);
});

test("machine info: capacity, allocatable, IDs; other capacity kept; a new boot ID is a reboot", () => {
  const events: string[] = [];
  const info = hollowMachineInfo("n1", { bootID: "boot-2" });
  const node: Node = {
    status: {
      capacity: { "example.com/gpu": "2", cpu: "1" },
      allocatable: { "example.com/gpu": "2", "example.com/gone": "1", cpu: "1" },
      nodeInfo: {
        bootID: "boot-1",
        machineID: "",
        systemUUID: "",
        architecture: "",
        containerRuntimeVersion: "",
        kernelVersion: "",
        kubeProxyVersion: "",
        kubeletVersion: "",
        operatingSystem: "",
        osImage: "",
      },
    },
  };
  machineInfo({
    nodeName: "n1",
    machineInfo: () => info,
    recordEvent: (t, r, m) => events.push(`${t} ${r} ${m}`),
  })(node);
  assert.equal(node.status?.capacity?.cpu, "4");
  assert.equal(node.status?.capacity?.["example.com/gpu"], "2");
  assert.equal(node.status?.allocatable?.["example.com/gpu"], "2");
  assert.equal(node.status?.allocatable?.["example.com/gone"], undefined);
  assert.equal(node.status?.allocatable?.memory, "16284Mi");
  assert.equal(node.status?.nodeInfo?.bootID, "boot-2");
  assert.equal(node.status?.nodeInfo?.machineID, info.machineID);
  assert.deepEqual(events, ["Warning NodeRebooted Node n1 has been rebooted, boot id: boot-2"]);
  assert.equal(isExtendedResourceName("example.com/gpu"), true);
  assert.equal(isExtendedResourceName("cpu"), false);
  assert.equal(isExtendedResourceName("kubernetes.io/batch-cpu"), false);
  assert.equal(isExtendedResourceName("requests.example.com/x"), false);
});

test("version info: runtime as <type>://<version>, Unknown when the runtime does not say", () => {
  const node: Node = {};
  const info = hollowMachineInfo("n1");
  let version: string | undefined = "0.1.0";
  const set = versionInfo({
    machineInfo: () => info,
    runtimeType: () => "fake",
    runtimeVersion: () => version,
  });
  set(node);
  assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, "fake://0.1.0");
  assert.equal(node.status?.nodeInfo?.kubeletVersion, "v1.32.0-k8ts");
  assert.equal(node.status?.nodeInfo?.kubeProxyVersion, "v1.32.0-k8ts");
  assert.equal(node.status?.nodeInfo?.kernelVersion, info.kernelVersion);
  assert.equal(node.status?.nodeInfo?.osImage, info.osImage);
  version = undefined;
  set(node);
  assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, "fake://Unknown");
});

test("addresses InternalIP then Hostname; the kubelet port", () => {
  const node: Node = {};
  nodeAddress({ nodeIP: "10.0.0.7", hostname: "worker-1" })(node);
  daemonEndpoints(10250)(node);
  assert.deepEqual(node.status?.addresses, [
    { type: "InternalIP", address: "10.0.0.7" },
    { type: "Hostname", address: "worker-1" },
  ]);
  assert.deepEqual(node.status?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  const detected: Node = {};
  nodeAddress({ hostname: "h" })(detected);
  assert.equal(detected.status?.addresses?.[0].type, "InternalIP");
});

test("cordoning records NodeNotSchedulable, uncordoning NodeSchedulable", () => {
  const events: string[] = [];
  const set = schedulableEvent((t, e) => events.push(`${t} ${e}`));
  set({ spec: {} });
  set({ spec: { unschedulable: true } });
  set({ spec: { unschedulable: true } });
  set({ spec: {} });
  assert.deepEqual(events, ["Normal NodeNotSchedulable", "Normal NodeSchedulable"]);
});
