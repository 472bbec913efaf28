import assert from "node:assert/strict";
import { test } from "node:test";
import {
  capacityFromMachineInfo,
  hugePageResourceName,
  nodeAllocatableReservation,
  nodeCapacity,
  nodeResources,
  toResourceList,
} from "./capacity.ts";
import { hollowMachineInfo, type MachineInfo } from "./machine-info.ts";

const hollow = (over: Partial<MachineInfo> = {}): MachineInfo => ({ ...hollowMachineInfo("n1"), ...over });

test("a hollow node: 4 cpu, 16Gi, 110 pods, 100Gi, huge page sizes at 0", () => {
  const { capacity, allocatable } = nodeResources(hollow());
  assert.deepEqual(capacity, {
    cpu: "4",
    memory: "16Gi",
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    pods: "110",
    "ephemeral-storage": "100Gi",
  });
  // The default hard eviction thresholds hold back memory.available<100Mi and
  // nodefs.available<10% (10% as a float32, as upstream parses it).
  assert.deepEqual(allocatable, {
    cpu: "4",
    memory: "16284Mi",
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    pods: "110",
    "ephemeral-storage": "96636764000",
  });
});

test("memory in Ki as cAdvisor's MemTotal gives it; 100Mi less allocatable", () => {
  const { capacity, allocatable } = nodeResources(hollow({ memoryCapacity: 24684092 * 1024, hugePages: [] }));
  assert.equal(capacity.memory, "24684092Ki");
  assert.equal(allocatable.memory, "24581692Ki");
});

test("kube-reserved and system-reserved add up; allocatable never goes negative", () => {
  const { allocatable } = nodeResources(hollow(), {
    kubeReserved: { cpu: "100m", memory: "256Mi" },
    systemReserved: { cpu: "50m" },
  });
  assert.equal(allocatable.cpu, "3850m");
  assert.equal(allocatable.memory, "16028Mi");
  const starved = nodeResources(hollow(), { kubeReserved: { memory: "20Gi" } });
  assert.equal(starved.allocatable.memory, "0");
});

test("no eviction thresholds: allocatable is capacity", () => {
  const { capacity, allocatable } = nodeResources(hollow(), { evictionHard: {} });
  assert.deepEqual(allocatable, capacity);
  assert.deepEqual(
    toResourceList(nodeAllocatableReservation(nodeCapacity(hollow()), { evictionHard: {} })),
    {},
  );
});

test("pre-allocated huge pages are capacity of their own and leave allocatable memory", () => {
  const { capacity, allocatable } = nodeResources(hollow({ hugePages: [{ pageSize: 2048, numPages: 512 }] }));
  assert.equal(capacity["hugepages-2Mi"], "1Gi");
  assert.equal(allocatable["hugepages-2Mi"], "1Gi");
  assert.equal(allocatable.memory, "15260Mi");
});

test("--max-pods and --pods-per-core", () => {
  assert.equal(nodeCapacity(hollow(), { maxPods: 250 }).pods.toString(), "250");
  assert.equal(nodeCapacity(hollow(), { podsPerCore: 10 }).pods.toString(), "40");
  assert.equal(nodeCapacity(hollow(), { podsPerCore: 100 }).pods.toString(), "110");
});

test("huge page resource names and cpu as cAdvisor reports them", () => {
  assert.equal(hugePageResourceName(2 * 1024 * 1024), "hugepages-2Mi");
  assert.equal(hugePageResourceName(1024 ** 3), "hugepages-1Gi");
  assert.equal(hugePageResourceName(64 * 1024), "hugepages-64Ki");
  assert.equal(capacityFromMachineInfo(hollow({ numCores: 96 })).cpu.toString(), "96");
});
