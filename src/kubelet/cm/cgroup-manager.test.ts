import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CgroupManager, cpuSharesToCPUWeight } from "./cgroup-manager.ts";

const read = (p: string) => readFileSync(p, "utf8");

/** A cgroup v1 layout as on these machines: one hierarchy per controller. */
function v1Mount(): string {
  const mount = mkdtempSync(join(tmpdir(), "cgroup-v1-"));
  for (const h of ["cpu", "cpuacct", "memory", "pids", "unified"]) mkdirSync(join(mount, h));
  return mount;
}

/** A cgroup v2 mount: the root has cgroup.controllers. */
function v2Mount(): string {
  const mount = mkdtempSync(join(tmpdir(), "cgroup-v2-"));
  writeFileSync(join(mount, "cgroup.controllers"), "cpuset cpu io memory pids\n");
  writeFileSync(join(mount, "cgroup.subtree_control"), "");
  return mount;
}

describe("CgroupManager on cgroup v1 (cgroupfs)", () => {
  it("detects v1 when the mount has no cgroup.controllers", () => {
    assert.equal(new CgroupManager({ mount: v1Mount() }).version, 1);
  });
  it("creates the cgroup in the cpu and memory hierarchies and writes cpu.shares, the CFS quota and period, the memory limit", () => {
    const mount = v1Mount();
    const cm = new CgroupManager({ mount });
    const name = "/k8ts/kubepods/podu1";
    assert.equal(cm.exists(name), false);
    cm.create(name, { cpuShares: 204, cpuQuota: 20000, cpuPeriod: 100000, memory: 67108864 });
    assert.equal(cm.exists(name), true);
    assert.equal(read(join(mount, "cpu", name, "cpu.shares")), "204");
    assert.equal(read(join(mount, "cpu", name, "cpu.cfs_quota_us")), "20000");
    assert.equal(read(join(mount, "cpu", name, "cpu.cfs_period_us")), "100000");
    assert.equal(read(join(mount, "memory", name, "memory.limit_in_bytes")), "67108864");
    // runc makes the other hierarchies' directories when the sandbox starts.
    assert.equal(existsSync(join(mount, "pids", name)), false);
    assert.equal(cm.read(name, "cpu.shares"), "204");
  });
  it("leaves absent values alone (a Burstable pod without limits: shares only)", () => {
    const mount = v1Mount();
    const cm = new CgroupManager({ mount });
    cm.create("/k8ts/kubepods/burstable/podu2", { cpuShares: 102 });
    const dir = join(mount, "cpu/k8ts/kubepods/burstable/podu2");
    assert.equal(read(join(dir, "cpu.shares")), "102");
    assert.equal(existsSync(join(dir, "cpu.cfs_quota_us")), false);
    assert.equal(
      existsSync(join(mount, "memory/k8ts/kubepods/burstable/podu2/memory.limit_in_bytes")),
      false,
    );
  });
  it("writes a quota of -1 (--cpu-cfs-quota=false) as -1", () => {
    const mount = v1Mount();
    const cm = new CgroupManager({ mount });
    cm.create("/p", { cpuShares: 2, cpuQuota: -1, cpuPeriod: 100000 });
    assert.equal(read(join(mount, "cpu/p/cpu.cfs_quota_us")), "-1");
  });
  it("update fails on a cgroup that does not exist", () => {
    const cm = new CgroupManager({ mount: v1Mount() });
    assert.throws(() => cm.update("/nope", { cpuShares: 2 }), /ENOENT/);
  });
});

describe("CgroupManager on cgroup v2 (cgroupfs)", () => {
  it("writes cpu.weight, cpu.max and memory.max, delegating cpu and memory down from the root", () => {
    const mount = v2Mount();
    const cm = new CgroupManager({ mount });
    assert.equal(cm.version, 2);
    const name = "/k8ts/kubepods/podu1";
    cm.create(name, { cpuShares: 204, cpuQuota: 20000, cpuPeriod: 100000, memory: 67108864 });
    assert.equal(cm.exists(name), true);
    assert.equal(read(join(mount, name, "cpu.weight")), "8");
    assert.equal(read(join(mount, name, "cpu.max")), "20000 100000");
    assert.equal(read(join(mount, name, "memory.max")), "67108864");
    assert.equal(read(join(mount, "cgroup.subtree_control")), "+cpu +memory");
    assert.equal(read(join(mount, "k8ts/kubepods/cgroup.subtree_control")), "+cpu +memory");
    assert.equal(cm.read(name, "cpu.max"), "20000 100000");
  });
  it("writes no quota as max, and memory -1 as max", () => {
    const mount = v2Mount();
    const cm = new CgroupManager({ mount });
    cm.create("/p", { cpuShares: 2, cpuQuota: -1, cpuPeriod: 100000, memory: -1 });
    assert.equal(read(join(mount, "p/cpu.weight")), "1");
    assert.equal(read(join(mount, "p/cpu.max")), "max 100000");
    assert.equal(read(join(mount, "p/memory.max")), "max");
  });
  it("converts shares to weight as libcontainer's ConvertCPUSharesToCgroupV2Value", () => {
    assert.equal(cpuSharesToCPUWeight(0), 0);
    assert.equal(cpuSharesToCPUWeight(2), 1);
    assert.equal(cpuSharesToCPUWeight(102), 4);
    assert.equal(cpuSharesToCPUWeight(1024), 39);
    assert.equal(cpuSharesToCPUWeight(262144), 10000);
  });
});
