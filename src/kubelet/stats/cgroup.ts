// CPU and memory of one cgroup, read from its files as cadvisor does
// (cgroup v1: cpuacct, memory; v2: cpu.stat, memory.*). Working set is usage
// minus inactive file pages, as cadvisor's setMemoryStats; a limit above 2^62
// counts as none (the kubelet's isMemoryUnlimited).
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface CgroupUsage {
  /** Cumulative CPU time, nanoseconds. */
  cpuUsageNs?: number;
  memory?: {
    usageBytes: number;
    workingSetBytes: number;
    rssBytes: number;
    pageFaults: number;
    majorPageFaults: number;
    /** undefined: unlimited. */
    limitBytes?: number;
  };
}

const MAX_MEMORY_SIZE = 2 ** 62;

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** "key value" lines (memory.stat, cpu.stat) as a map. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) m.set(k, Number(v));
  }
  return m;
}

export interface CgroupReaderOptions {
  /** Where the hierarchies are mounted; default /sys/fs/cgroup. */
  root?: string;
  /** v1 (one hierarchy per controller) or v2 (unified); default: v2 when root has cgroup.controllers. */
  version?: 1 | 2;
}

export class CgroupReader {
  readonly root: string;
  private version?: 1 | 2;

  constructor(opts: CgroupReaderOptions = {}) {
    this.root = opts.root ?? "/sys/fs/cgroup";
    this.version = opts.version;
  }

  private async detect(): Promise<1 | 2> {
    if (!this.version) {
      this.version = (await readText(join(this.root, "cgroup.controllers"))) === undefined ? 1 : 2;
    }
    return this.version;
  }

  /** The usage of the cgroup at `path` (e.g. "/k8s.io/<id>"); fields are absent when their files are. */
  async usage(path: string): Promise<CgroupUsage> {
    return (await this.detect()) === 1 ? this.usageV1(path) : this.usageV2(path);
  }

  /** Whether the cgroup exists (its memory hierarchy's directory on v1). */
  async exists(path: string): Promise<boolean> {
    const dir = (await this.detect()) === 1 ? join(this.root, "memory", path) : join(this.root, path);
    try {
      await access(dir);
      return true;
    } catch {
      return false;
    }
  }

  /** The pids in the cgroup (the pids hierarchy on v1), to find a sandbox's network namespace. */
  async pids(path: string): Promise<number[]> {
    const dir = (await this.detect()) === 1 ? join(this.root, "pids", path) : join(this.root, path);
    const text = await readText(join(dir, "cgroup.procs"));
    return (text ?? "")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map(Number);
  }

  private async usageV1(path: string): Promise<CgroupUsage> {
    const out: CgroupUsage = {};
    const cpu = await readText(join(this.root, "cpuacct", path, "cpuacct.usage"));
    if (cpu !== undefined) out.cpuUsageNs = Number(cpu.trim());
    const mem = join(this.root, "memory", path);
    const [usage, limit, stat] = await Promise.all([
      readText(join(mem, "memory.usage_in_bytes")),
      readText(join(mem, "memory.limit_in_bytes")),
      readText(join(mem, "memory.stat")),
    ]);
    if (usage !== undefined && stat !== undefined) {
      const s = parseFlatKeyed(stat);
      const usageBytes = Number(usage.trim());
      const inactiveFile = s.get("total_inactive_file") ?? 0;
      const l = limit === undefined ? undefined : Number(limit.trim());
      out.memory = {
        usageBytes,
        workingSetBytes: Math.max(usageBytes - inactiveFile, 0),
        rssBytes: s.get("total_rss") ?? 0,
        pageFaults: s.get("total_pgfault") ?? 0,
        majorPageFaults: s.get("total_pgmajfault") ?? 0,
        limitBytes: l === undefined || l > MAX_MEMORY_SIZE ? undefined : l,
      };
    }
    return out;
  }

  private async usageV2(path: string): Promise<CgroupUsage> {
    const out: CgroupUsage = {};
    const dir = join(this.root, path);
    const [cpuStat, current, max, stat] = await Promise.all([
      readText(join(dir, "cpu.stat")),
      readText(join(dir, "memory.current")),
      readText(join(dir, "memory.max")),
      readText(join(dir, "memory.stat")),
    ]);
    const usec = cpuStat === undefined ? undefined : parseFlatKeyed(cpuStat).get("usage_usec");
    if (usec !== undefined) out.cpuUsageNs = usec * 1000;
    if (current !== undefined && stat !== undefined) {
      const s = parseFlatKeyed(stat);
      const usageBytes = Number(current.trim());
      const m = max?.trim();
      const l = m === undefined || m === "max" ? undefined : Number(m);
      out.memory = {
        usageBytes,
        workingSetBytes: Math.max(usageBytes - (s.get("inactive_file") ?? 0), 0),
        rssBytes: s.get("anon") ?? 0,
        pageFaults: s.get("pgfault") ?? 0,
        majorPageFaults: s.get("pgmajfault") ?? 0,
        limitBytes: l === undefined || l > MAX_MEMORY_SIZE ? undefined : l,
      };
    }
    return out;
  }
}
