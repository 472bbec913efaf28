// The node's own figures from /proc and statfs, standing in for cadvisor's
// root container: CPU from /proc/stat, memory from /proc/meminfo and
// /proc/vmstat, interfaces from <proc>/net/dev, processes from /proc/loadavg,
// file systems from statfs.
import { readFile, statfs } from "node:fs/promises";
import { join } from "node:path";
import { parseFlatKeyed } from "./cgroup.ts";
import type { InterfaceStats } from "./types.ts";

/** USER_HZ: /proc/stat counts in clock ticks of 1/100 s on Linux. */
const USER_HZ = 100;

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Busy CPU time of all cores (user nice system irq softirq steal, not idle/iowait), nanoseconds. */
export function parseProcStatCpu(text: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return ((user + nice + system + irq + softirq + steal) * 1e9) / USER_HZ;
}

/** Boot time (btime of /proc/stat), ms since the epoch. */
export function parseBootTime(text: string): number | undefined {
  const m = /^btime\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) * 1000 : undefined;
}

export interface HostMemory {
  capacityBytes: number;
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
}

/** /proc/meminfo as the root cgroup sees it: usage = total - free; working set = usage - Inactive(file). */
export function parseMeminfo(text: string): HostMemory | undefined {
  const kb = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([^:]+):\s+(\d+)/.exec(line);
    if (m) kb.set(m[1], Number(m[2]) * 1024);
  }
  const total = kb.get("MemTotal");
  const free = kb.get("MemFree");
  if (total === undefined || free === undefined) return undefined;
  const usage = total - free;
  return {
    capacityBytes: total,
    usageBytes: usage,
    workingSetBytes: Math.max(usage - (kb.get("Inactive(file)") ?? 0), 0),
    rssBytes: kb.get("AnonPages") ?? 0,
  };
}

/** <proc>/net/dev: per-interface byte and error counters, loopback left out as cadvisor does. */
export function parseNetDev(text: string): InterfaceStats[] {
  const out: InterfaceStats[] = [];
  for (const line of text.split("\n").slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === "lo") continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    out.push({ name: m[1], rxBytes: f[0], rxErrors: f[2], txBytes: f[8], txErrors: f[10] });
  }
  return out;
}

export interface HostReaderOptions {
  /** Default /proc. */
  procRoot?: string;
}

export class HostReader {
  readonly proc: string;

  constructor(opts: HostReaderOptions = {}) {
    this.proc = opts.procRoot ?? "/proc";
  }

  async cpuUsageNs(): Promise<number | undefined> {
    const t = await readText(join(this.proc, "stat"));
    return t === undefined ? undefined : parseProcStatCpu(t);
  }

  async bootTime(): Promise<number | undefined> {
    const t = await readText(join(this.proc, "stat"));
    return t === undefined ? undefined : parseBootTime(t);
  }

  async memory(): Promise<(HostMemory & { pageFaults?: number; majorPageFaults?: number }) | undefined> {
    const [mi, vm] = await Promise.all([
      readText(join(this.proc, "meminfo")),
      readText(join(this.proc, "vmstat")),
    ]);
    const m = mi === undefined ? undefined : parseMeminfo(mi);
    if (!m) return undefined;
    const v = vm === undefined ? undefined : parseFlatKeyed(vm);
    return { ...m, pageFaults: v?.get("pgfault"), majorPageFaults: v?.get("pgmajfault") };
  }

  /** The interfaces seen by a process (its network namespace); without one, the host's (/proc/net/dev). */
  async interfaces(pid?: number): Promise<InterfaceStats[] | undefined> {
    const t = await readText(join(this.proc, pid === undefined ? "" : String(pid), "net", "dev"));
    return t === undefined ? undefined : parseNetDev(t);
  }

  /** pid_max, and the tasks that exist (the 4th field of /proc/loadavg, as sysinfo's procs). */
  async rlimit(): Promise<{ maxpid?: number; curproc?: number }> {
    const [pm, la] = await Promise.all([
      readText(join(this.proc, "sys", "kernel", "pid_max")),
      readText(join(this.proc, "loadavg")),
    ]);
    const cur = la?.split(/\s+/)[3]?.split("/")[1];
    return {
      maxpid: pm === undefined ? undefined : Number(pm.trim()),
      curproc: cur === undefined ? undefined : Number(cur),
    };
  }
}

/** statfs of the file system holding `path`, as the Summary's FsStats figures. */
export async function fsUsage(path: string): Promise<
  | {
      capacityBytes: number;
      availableBytes: number;
      usedBytes: number;
      inodes: number;
      inodesFree: number;
      inodesUsed: number;
    }
  | undefined
> {
  try {
    const s = await statfs(path);
    return {
      capacityBytes: s.blocks * s.bsize,
      availableBytes: s.bavail * s.bsize,
      usedBytes: (s.blocks - s.bfree) * s.bsize,
      inodes: s.files,
      inodesFree: s.ffree,
      inodesUsed: s.files - s.ffree,
    };
  } catch {
    return undefined;
  }
}
