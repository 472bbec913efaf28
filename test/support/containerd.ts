// What every test on real containerd shares: the set-up check, a machine-wide
// lock (all of them use the bridge k8ts0 and the nat table's CNI-* chains, so
// they take turns while the rest of npm test runs beside them), and the
// clean-up that leaves no containerd, shim, mount, bridge or chain behind.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeCniConfig } from "../../src/kubelet/network/cni-config.ts";
import {
  findExecutable,
  type RunningContainerd,
  startContainerd,
} from "../../src/kubelet/runtime/containerd.ts";
import { CriRuntime } from "../../src/kubelet/runtime/cri.ts";
import { ExecIptables } from "../../src/proxy/iptables/iptables.ts";
import { cleanupLeftovers } from "../../src/proxy/iptables/proxier.ts";
import { cleanupLeftovers as cleanupUserspaceLeftovers } from "../../src/proxy/userspace/portals.ts";
import { type Cluster, startCluster } from "../e2e/harness.ts";

export { until } from "./until.ts";

/** npm test installs containerd, runc and the rest as root (scripts/setup.mjs); anything else is a set-up error. */
export function requireContainerd(): void {
  if (process.getuid?.() !== 0)
    throw new Error("this test runs containerd: run it as root (npm test does its own set-up)");
  for (const bin of ["containerd", "runc", "ctr"]) {
    if (!findExecutable(bin))
      throw new Error(`${bin} is missing: apt-get install containerd runc (npm test installs them as root)`);
  }
}

/** Runs a command; its stdout, or "" when it failed. */
export function runQuiet(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
}

/** Mount points at or under dir, deepest first. */
export function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

/** PIDs of containerd and its shims whose command line names a path under dir. */
export function processesOf(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmdline[0]?.includes("containerd") && cmdline.some((a) => a.startsWith(dir)))
        pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Pod CIDRs the tests give their nodes (k8ts up's default and the CRI-level tests'). */
const TEST_POD_NETS = /^inet (10\.244|10\.250)\./m;

/**
 * Network namespaces of pods whose containerd was killed (containerd names them cni-<uuid> in
 * /run/netns): a stopped sandbox would have had CNI remove it. Only those holding a test pod IP go.
 */
export function cleanPodNetns(): void {
  let names: string[] = [];
  try {
    names = readdirSync("/run/netns").filter((n) => n.startsWith("cni-"));
  } catch {
    return;
  }
  for (const ns of names) {
    const addrs = runQuiet("ip", ["netns", "exec", ns, "ip", "-4", "-o", "addr", "show"])
      .split("\n")
      .map((l) => l.split(/\s+/).slice(2).join(" "));
    if (addrs.some((a) => TEST_POD_NETS.test(a))) runQuiet("ip", ["netns", "del", ns]);
  }
}

/** Removes the CNI-* chains of the nat table and the jumps to them. */
export function cleanCniChains(): void {
  const rules = runQuiet("iptables", ["-t", "nat", "-S"]).split("\n");
  for (const rule of rules) {
    if (/^-A \S+ .*-j CNI-/.test(rule))
      runQuiet("iptables", ["-t", "nat", ...rule.replace(/^-A/, "-D").split(" ")]);
  }
  const chains = rules.map((r) => /^-N (CNI-\S+)$/.exec(r)?.[1]).filter((c): c is string => c !== undefined);
  for (const c of chains) runQuiet("iptables", ["-t", "nat", "-F", c]);
  for (const c of chains) runQuiet("iptables", ["-t", "nat", "-X", c]);
}

/** Kills what still runs from dir, removes the bridge and the CNI chains, unmounts and removes dir. */
export function cleanUpNode(dir: string): void {
  for (const pid of dir ? processesOf(dir) : []) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  runQuiet("ip", ["link", "del", "k8ts0"]);
  cleanCniChains();
  cleanPodNetns();
  if (!dir) return;
  for (const m of mountsUnder(dir)) {
    if (runQuiet("umount", [m]) === "" && mountsUnder(dir).includes(m)) runQuiet("umount", ["-l", m]);
  }
  rmSync(dir, { recursive: true, force: true });
}

const LOCK_DIR = "/run/k8ts-test-containerd.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Waits for the machine-wide containerd test lock (a directory; a dead holder's lock is taken over); returns its release. */
export async function lockContainerd(timeoutMs = 30 * 60_000): Promise<() => void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(`${LOCK_DIR}/pid`, String(process.pid));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(LOCK_DIR, { recursive: true, force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(`${LOCK_DIR}/pid`, "utf8"));
    } catch {
      // being written or removed: look again
    }
    if (holder > 0 && !alive(holder)) rmSync(LOCK_DIR, { recursive: true, force: true });
    if (Date.now() > end) throw new Error(`another containerd test held ${LOCK_DIR} for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface TestContainerd {
  dataDir: string;
  containerd: RunningContainerd;
  cri: CriRuntime;
  /** Removes the sandboxes (CNI tears their network down while containerd runs), stops containerd, cleans up, releases the lock. */
  stop(): Promise<void>;
}

/** Takes the lock and starts a containerd of the test's own in a fresh data dir, with a CNI config for podCIDR and a CRI client. */
export async function startTestContainerd(prefix: string, podCIDR: string): Promise<TestContainerd> {
  requireContainerd();
  const release = await lockContainerd();
  cleanUpNode("");
  const dataDir = mkdtempSync(`/tmp/${prefix}`);
  let containerd: RunningContainerd;
  try {
    writeCniConfig(dataDir, podCIDR);
    containerd = await startContainerd({ dataDir });
  } catch (e) {
    cleanUpNode(dataDir);
    release();
    throw e;
  }
  const cri = new CriRuntime({
    socket: containerd.socket,
    requestTimeoutMs: 30_000,
    eventPollIntervalMs: 100,
  });
  return {
    dataDir,
    containerd,
    cri,
    async stop() {
      try {
        for (const sb of await cri.listPodSandbox()) {
          await cri.stopPodSandbox(sb.id).catch(() => {});
          await cri.removePodSandbox(sb.id).catch(() => {});
        }
      } catch {
        // containerd is gone; the steps below still clean up
      }
      cri.close();
      await containerd.stop();
      cleanUpNode(dataDir);
      release();
    },
  };
}

export const BUSYBOX_IMAGE = "k8ts.local/busybox:latest";

/** A pod whose one container "main" runs a shell script in the local busybox image; spec and container fields merge in. */
export function busyboxPod(
  name: string,
  script: string,
  spec: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      ...spec,
      containers: [
        {
          name: "main",
          image: BUSYBOX_IMAGE,
          imagePullPolicy: "IfNotPresent",
          command: ["sh", "-c", script],
          ...container,
        },
      ],
    },
  };
}

export interface ContainerdCluster {
  cluster: Cluster;
  /** Deletes the pods (their volumes are mounts under the data dir), stops `k8ts up`, cleans up, releases the lock. */
  cleanUp(): Promise<void>;
}

/** Takes the lock and starts `k8ts up --runtime containerd`; the lock is released by cleanUp, also when the start fails. */
export async function startContainerdCluster(args: string[] = []): Promise<ContainerdCluster> {
  requireContainerd();
  const release = await lockContainerd();
  let cluster: Cluster;
  try {
    cleanUpNode("");
    cluster = await startCluster({ args: ["--runtime", "containerd", ...args], readyTimeoutMs: 120_000 });
  } catch (e) {
    release();
    throw e;
  }
  return {
    cluster,
    async cleanUp() {
      const dir = cluster.dataDir;
      let stopError: unknown;
      try {
        await cluster.kubectl(["delete", "pods", "--all", "--timeout=60s"], { timeoutMs: 70_000 });
        await cluster.stop();
      } catch (e) {
        stopError = e;
      }
      cleanUpNode(dir);
      // k8ts up removes its kube-proxy rules when it stops; this covers one that did not stop cleanly.
      const iptables = new ExecIptables();
      await cleanupLeftovers(iptables);
      await cleanupUserspaceLeftovers(iptables);
      release();
      if (stopError) throw stopError;
    },
  };
}
