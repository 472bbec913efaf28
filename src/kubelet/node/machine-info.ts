// What the kubelet knows about its machine: cAdvisor's MachineInfo and
// VersionInfo as upstream's node status setters read them (GetCachedMachineInfo,
// cadvisor.VersionInfo, GOOS/GOARCH). Read once at start, as upstream caches it.
// A hollow node gets the same shape from options, so the status code cannot
// tell it from a real one.
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statfsSync } from "node:fs";
import { arch, cpus, platform, release, totalmem } from "node:os";
import { dirname } from "node:path";
import { Quantity } from "../../machinery/quantity.ts";

export interface HugePagesInfo {
  /** Page size in KiB, as cAdvisor reports it. */
  pageSize: number;
  numPages: number;
}

export interface MachineInfo {
  numCores: number;
  /** Bytes (MemTotal). */
  memoryCapacity: number;
  hugePages: HugePagesInfo[];
  /** Bytes of the filesystem holding the kubelet's data (cAdvisor's RootFsInfo capacity). */
  rootFsCapacity: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  /** /etc/os-release PRETTY_NAME (cAdvisor's ContainerOsVersion). */
  osImage: string;
  /** GOOS. */
  operatingSystem: string;
  /** GOARCH. */
  architecture: string;
}

/** Go's GOARCH for Node's process.arch. */
export function goArch(nodeArch: string = arch()): string {
  switch (nodeArch) {
    case "x64":
      return "amd64";
    case "ia32":
      return "386";
    case "ppc64":
      // Node reports little-endian POWER as ppc64; Go calls it ppc64le.
      return "ppc64le";
    default:
      return nodeArch;
  }
}

/** Go's GOOS for Node's process.platform. */
export function goOS(nodePlatform: string = platform()): string {
  return nodePlatform === "win32" ? "windows" : nodePlatform;
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** cAdvisor's getContainerOsVersion: PRETTY_NAME of /etc/os-release, "Linux" when absent. */
export function osImageFromOsRelease(text: string | undefined): string {
  for (const line of (text ?? "").split("\n")) {
    const m = /^PRETTY_NAME=(.*)$/.exec(line.trim());
    if (m) return m[1].replace(/^"(.*)"$/, "$1");
  }
  return "Linux";
}

/** MemTotal of /proc/meminfo in bytes (cAdvisor's MemoryCapacity). */
export function memTotalFromMeminfo(text: string | undefined): number | undefined {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text ?? "");
  return m ? Number(m[1]) * 1024 : undefined;
}

function hostHugePages(): HugePagesInfo[] {
  const dir = "/sys/kernel/mm/hugepages";
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: HugePagesInfo[] = [];
  for (const e of entries) {
    const m = /^hugepages-(\d+)kB$/.exec(e);
    if (!m) continue;
    const n = Number(readTrimmed(`${dir}/${e}/nr_hugepages`) ?? "0");
    out.push({ pageSize: Number(m[1]), numPages: Number.isFinite(n) ? n : 0 });
  }
  return out.sort((a, b) => a.pageSize - b.pageSize);
}

/** Capacity in bytes of the filesystem holding path (the nearest existing parent). */
export function filesystemCapacity(path: string): number {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = statfsSync(p);
      return s.blocks * s.bsize;
    } catch (e) {
      if (dirname(p) === p) throw e;
    }
  }
}

let hostVersionInfo: Pick<MachineInfo, "kernelVersion" | "osImage"> | undefined;

/** Kernel and OS image of this host, read once per process (every hollow node shares them). */
function versionInfo(): Pick<MachineInfo, "kernelVersion" | "osImage"> {
  hostVersionInfo ??= {
    kernelVersion: release(),
    osImage: osImageFromOsRelease(readTrimmed("/etc/os-release")),
  };
  return hostVersionInfo;
}

/** The machine this process runs on, as cAdvisor would report it. */
export function hostMachineInfo(opts: { dataDir: string }): MachineInfo {
  return {
    numCores: cpus().length,
    memoryCapacity: memTotalFromMeminfo(readTrimmed("/proc/meminfo")) ?? totalmem(),
    hugePages: hostHugePages(),
    rootFsCapacity: filesystemCapacity(opts.dataDir),
    machineID: readTrimmed("/etc/machine-id") ?? readTrimmed("/var/lib/dbus/machine-id") ?? "",
    // Readable only by root; cAdvisor leaves it empty otherwise.
    systemUUID: readTrimmed("/sys/class/dmi/id/product_uuid") ?? "",
    bootID: readTrimmed("/proc/sys/kernel/random/boot_id") ?? "",
    ...versionInfo(),
    operatingSystem: goOS(),
    architecture: goArch(),
  };
}

export interface HollowMachineOptions {
  /** Default 4. */
  cpu?: number;
  /** A quantity; default "16Gi". */
  memory?: string;
  /** A quantity; default "100Gi". */
  ephemeralStorage?: string;
  /** Page sizes in KiB with no pages reserved; default 2Mi and 1Gi, as on x86-64. */
  hugePageSizesKiB?: number[];
  machineID?: string;
  systemUUID?: string;
  bootID?: string;
}

function bytes(q: string): number {
  return Number(Quantity.mustParse(q).value());
}

/**
 * A hollow node's machine. The machine and system IDs derive from the node
 * name, so a restarted hollow kubelet is the same machine; the boot ID is new
 * each time, because the fake runtime's containers did not survive either.
 */
export function hollowMachineInfo(nodeName: string, opts: HollowMachineOptions = {}): MachineInfo {
  const h = createHash("sha256").update(`k8ts-hollow-node/${nodeName}`).digest("hex");
  const uuid = `${h.slice(32, 40)}-${h.slice(40, 44)}-4${h.slice(45, 48)}-a${h.slice(49, 52)}-${h.slice(52, 64)}`;
  return {
    numCores: opts.cpu ?? 4,
    memoryCapacity: bytes(opts.memory ?? "16Gi"),
    hugePages: (opts.hugePageSizesKiB ?? [1048576, 2048]).map((pageSize) => ({ pageSize, numPages: 0 })),
    rootFsCapacity: bytes(opts.ephemeralStorage ?? "100Gi"),
    machineID: opts.machineID ?? h.slice(0, 32),
    systemUUID: opts.systemUUID ?? uuid,
    bootID: opts.bootID ?? randomUUID(),
    ...versionInfo(),
    operatingSystem: goOS(),
    architecture: goArch(),
  };
}
