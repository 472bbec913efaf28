// The cgroupfs driver of upstream's cgroup manager (pkg/kubelet/cm/
// cgroup_manager_linux.go, cgroup_v1_manager_linux.go, cgroup_v2_manager_linux.go)
// with what it asks of runc's libcontainer (fs.CpuGroup.Set, fs.MemoryGroup.Set,
// fs2.setCpu, fs2.setMemory), for the cpu and memory values the pod and QoS
// managers set. On a cgroup v1 (or hybrid) host each controller has its
// hierarchy under the mount; on a v2 host there is one. Only the hierarchies
// written to are created here: runc creates the pod's cgroup in the others
// (cpuset with its cpus and mems copied from the parent) when the sandbox starts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResourceConfig } from "./helpers.ts";
import { CGROUP_MOUNT } from "./pod-cgroup.ts";

/** The v1 controllers the kubelet writes to (and creates the pod's directory in). */
const V1_CONTROLLERS = ["cpu", "memory"] as const;

export interface CgroupManagerOptions {
  /** Default /sys/fs/cgroup. */
  mount?: string;
  /** Default: 2 when the mount is the unified hierarchy (it has cgroup.controllers), else 1. */
  version?: 1 | 2;
}

/** ConvertCPUSharesToCgroupV2Value: shares [2, 262144] onto cpu.weight [1, 10000]. */
export function cpuSharesToCPUWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.trunc(((shares - 2) * 9999) / 262142);
}

export class CgroupManager {
  readonly mount: string;
  readonly version: 1 | 2;

  constructor(opts: CgroupManagerOptions = {}) {
    this.mount = opts.mount ?? CGROUP_MOUNT;
    this.version = opts.version ?? (existsSync(join(this.mount, "cgroup.controllers")) ? 2 : 1);
  }

  /** The cgroup's directories, one per hierarchy written to. */
  paths(name: string): string[] {
    const rel = name.replace(/^\/+/, "");
    if (this.version === 2) return [join(this.mount, rel)];
    return V1_CONTROLLERS.map((c) => join(this.mount, c, rel));
  }

  /** Exists: the cgroup is there in every hierarchy the kubelet manages. */
  exists(name: string): boolean {
    return this.paths(name).every((p) => existsSync(p));
  }

  /** Create: the directories (parents included), then the values, as Apply(-1) then Set. */
  create(name: string, resources: ResourceConfig): void {
    if (this.version === 2) this.enableControllers(name);
    for (const p of this.paths(name)) mkdirSync(p, { recursive: true });
    this.update(name, resources);
  }

  /** Update: writes the values of an existing cgroup; absent fields stay as they are. */
  update(name: string, resources: ResourceConfig): void {
    if (this.version === 2) {
      setV2(this.paths(name)[0]!, resources);
      return;
    }
    const [cpu, memory] = this.paths(name) as [string, string];
    setCpuV1(cpu, resources);
    if (resources.memory !== undefined && resources.memory !== 0)
      writeFileSync(join(memory, "memory.limit_in_bytes"), String(resources.memory));
  }

  /** Reads one of the cgroup's files (tests, diagnostics). */
  read(name: string, file: string): string | undefined {
    const controller = file.split(".")[0]!;
    const rel = name.replace(/^\/+/, "");
    const dir = this.version === 2 ? join(this.mount, rel) : join(this.mount, controller, rel);
    try {
      return readFileSync(join(dir, file), "utf8").trim();
    } catch {
      return undefined;
    }
  }

  /** v2: a cgroup gets the cpu and memory files only when every ancestor delegates them (runc does the same). */
  private enableControllers(name: string): void {
    const parts = name.split("/").filter((s) => s !== "");
    let dir = this.mount;
    for (const part of parts) {
      try {
        writeFileSync(join(dir, "cgroup.subtree_control"), "+cpu +memory");
      } catch {
        // not delegatable here (or a fixture without the file): the writes below say what is missing
      }
      dir = join(dir, part);
      mkdirSync(dir, { recursive: true });
    }
  }
}

/** fs.CpuGroup.Set: shares (read back), then period and quota, retrying the period after the quota on EINVAL. */
function setCpuV1(dir: string, r: ResourceConfig): void {
  if (r.cpuShares !== undefined && r.cpuShares !== 0) {
    writeFileSync(join(dir, "cpu.shares"), String(r.cpuShares));
    const read = Number(readFileSync(join(dir, "cpu.shares"), "utf8").trim());
    if (r.cpuShares > read) throw new Error(`the maximum allowed cpu-shares is ${read}`);
    if (r.cpuShares < read) throw new Error(`the minimum allowed cpu-shares is ${read}`);
  }
  let period = "";
  if (r.cpuPeriod !== undefined && r.cpuPeriod !== 0) {
    period = String(r.cpuPeriod);
    try {
      writeFileSync(join(dir, "cpu.cfs_period_us"), period);
      period = "";
    } catch (e) {
      // A smaller period can make old_quota/new_period exceed the parent's quota: retry after the quota.
      if ((e as NodeJS.ErrnoException).code !== "EINVAL" || !r.cpuQuota) throw e;
    }
  }
  if (r.cpuQuota !== undefined && r.cpuQuota !== 0) {
    writeFileSync(join(dir, "cpu.cfs_quota_us"), String(r.cpuQuota));
    if (period !== "") writeFileSync(join(dir, "cpu.cfs_period_us"), period);
  }
}

/** fs2.setCpu and fs2.setMemory: cpu.weight, cpu.max ("max" for no quota), memory.max. */
function setV2(dir: string, r: ResourceConfig): void {
  if (r.cpuShares !== undefined && r.cpuShares !== 0)
    writeFileSync(join(dir, "cpu.weight"), String(cpuSharesToCPUWeight(r.cpuShares)));
  const quota = r.cpuQuota ?? 0;
  const period = r.cpuPeriod ?? 0;
  if (quota !== 0 || period !== 0) {
    const max = quota > 0 ? String(quota) : "max";
    writeFileSync(join(dir, "cpu.max"), `${max} ${period !== 0 ? period : 100000}`);
  }
  if (r.memory !== undefined && r.memory !== 0)
    writeFileSync(join(dir, "memory.max"), r.memory === -1 ? "max" : String(r.memory));
}
