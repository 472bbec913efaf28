import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { ContainerManager } from "./container-manager.ts";
import { burstableCPUShares } from "./qos-container-manager.ts";

function v1Mount(): string {
  const mount = mkdtempSync(join(tmpdir(), "cgroup-v1-"));
  for (const h of ["cpu", "cpuacct", "memory", "pids"]) mkdirSync(join(mount, h));
  return mount;
}

const read = (p: string) => readFileSync(p, "utf8");

function pod(uid: string, containers: { requests?: object; limits?: object }[]): Pod {
  return {
    metadata: { uid, name: uid, namespace: "default" },
    spec: { containers: containers.map((resources, i) => ({ name: `c${i}`, resources })) },
  } as Pod;
}

const guaranteed = pod("11111111-0000-0000-0000-000000000001", [
  { requests: { cpu: "100m", memory: "32Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
  { requests: { cpu: "100m", memory: "32Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
]);
const burstable = pod("22222222-0000-0000-0000-000000000002", [
  { requests: { cpu: "250m", memory: "32Mi" }, limits: { cpu: "500m", memory: "64Mi" } },
  { requests: { cpu: "250m" } },
]);
const bestEffort = pod("33333333-0000-0000-0000-000000000003", [{}]);

describe("ContainerManager (cgroupfs, cgroup v1 fixture)", () => {
  it("start: kubepods sized to the node, besteffort at 2 shares, burstable at its pods' requests", () => {
    const mount = v1Mount();
    const pods: Pod[] = [guaranteed, burstable];
    const cm = new ContainerManager({
      cgroupRoot: "/k8ts",
      mount,
      activePods: () => pods,
      nodeAllocatable: { milliCPU: 4000, memory: 8 * 1024 ** 3 },
    });
    cm.start();
    assert.equal(read(join(mount, "cpu/k8ts/kubepods/cpu.shares")), "4096");
    assert.equal(read(join(mount, "memory/k8ts/kubepods/memory.limit_in_bytes")), String(8 * 1024 ** 3));
    assert.equal(read(join(mount, "cpu/k8ts/kubepods/besteffort/cpu.shares")), "2");
    // 500m of Burstable requests; Guaranteed pods do not count.
    assert.equal(read(join(mount, "cpu/k8ts/kubepods/burstable/cpu.shares")), "512");
    // No memory reservation on the QoS tiers (QOSReserved is off).
    assert.equal(existsSync(join(mount, "memory/k8ts/kubepods/burstable/memory.limit_in_bytes")), false);
  });

  it("ensurePodCgroup: the pod's cgroup with ResourceConfigForPod's values, under its QoS tier", () => {
    const mount = v1Mount();
    const pods: Pod[] = [];
    const cm = new ContainerManager({ cgroupRoot: "/k8ts", mount, activePods: () => pods });
    cm.start();
    for (const p of [guaranteed, burstable, bestEffort]) {
      pods.push(p);
      cm.ensurePodCgroup(p);
    }
    const g = join(mount, "cpu/k8ts/kubepods", `pod${guaranteed.metadata!.uid}`);
    assert.equal(read(join(g, "cpu.shares")), "204");
    assert.equal(read(join(g, "cpu.cfs_quota_us")), "20000");
    assert.equal(read(join(g, "cpu.cfs_period_us")), "100000");
    assert.equal(
      read(join(mount, "memory/k8ts/kubepods", `pod${guaranteed.metadata!.uid}`, "memory.limit_in_bytes")),
      String(64 * 1024 * 1024),
    );
    const b = `k8ts/kubepods/burstable/pod${burstable.metadata!.uid}`;
    assert.equal(read(join(mount, "cpu", b, "cpu.shares")), "512");
    // One container has no limits: neither quota nor memory limit on the pod.
    assert.equal(existsSync(join(mount, "cpu", b, "cpu.cfs_quota_us")), false);
    assert.equal(existsSync(join(mount, "memory", b, "memory.limit_in_bytes")), false);
    const be = `k8ts/kubepods/besteffort/pod${bestEffort.metadata!.uid}`;
    assert.equal(read(join(mount, "cpu", be, "cpu.shares")), "2");
    // The burstable tier followed the new pod before its cgroup was made.
    assert.equal(read(join(mount, "cpu/k8ts/kubepods/burstable/cpu.shares")), "512");
  });

  it("ensurePodCgroup leaves an existing pod cgroup as it is (no resize)", () => {
    const mount = v1Mount();
    const cm = new ContainerManager({ cgroupRoot: "/k8ts", mount, activePods: () => [] });
    cm.ensurePodCgroup(guaranteed);
    const shares = join(mount, "cpu/k8ts/kubepods", `pod${guaranteed.metadata!.uid}`, "cpu.shares");
    const bigger = pod(guaranteed.metadata!.uid!, [
      { requests: { cpu: "1", memory: "32Mi" }, limits: { cpu: "1", memory: "32Mi" } },
    ]);
    cm.ensurePodCgroup(bigger);
    assert.equal(read(shares), "204");
  });

  it("ensurePodCgroup fails with upstream's message when the cgroup cannot be made", () => {
    // A hierarchy that is a file: mkdir fails with ENOTDIR.
    const mount = mkdtempSync(join(tmpdir(), "cgroup-bad-"));
    writeFileSync(join(mount, "cpu"), "");
    mkdirSync(join(mount, "memory"));
    const cm = new ContainerManager({ cgroupRoot: "/k8ts", mount, activePods: () => [] });
    assert.throws(
      () => cm.ensurePodCgroup(bestEffort),
      new RegExp(
        `^Error: failed to create container for \\[k8ts kubepods besteffort pod${bestEffort.metadata!.uid}\\] : `,
      ),
    );
  });

  it("housekeeping updates the QoS tiers once a minute", () => {
    const mount = v1Mount();
    let now = 0;
    let pods: Pod[] = [burstable];
    const cm = new ContainerManager({ cgroupRoot: "/k8ts", mount, activePods: () => pods, now: () => now });
    cm.start();
    cm.ensurePodCgroup(burstable);
    const tier = join(mount, "cpu/k8ts/kubepods/burstable/cpu.shares");
    assert.equal(read(tier), "512");
    pods = [];
    now = 30_000;
    // (Removal itself is pod-cgroup.test.ts's: a fixture's files keep rmdir from succeeding.)
    cm.housekeeping(new Set());
    assert.equal(read(tier), "512");
    now = 60_000;
    cm.housekeeping(new Set());
    assert.equal(read(tier), "2");
  });
});

describe("burstableCPUShares", () => {
  it("sums the Burstable pods' cpu requests, init containers by the max rule", () => {
    const withInit: Pod = {
      ...burstable,
      spec: { ...burstable.spec!, initContainers: [{ name: "i", resources: { requests: { cpu: "1" } } }] },
    };
    assert.equal(burstableCPUShares([guaranteed, bestEffort]), 2);
    assert.equal(burstableCPUShares([burstable, withInit]), 512 + 1024);
  });
});
