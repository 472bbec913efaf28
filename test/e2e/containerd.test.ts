// `k8ts up --runtime containerd`: real pods on k8ts's own containerd through the
// installed kubectl. Everything made is removed in after(), also when a test fails.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { findExecutable } from "../../src/kubelet/runtime/containerd.ts";
import { type Cluster, startCluster } from "./harness.ts";

function requireContainerd(): void {
  if (process.getuid?.() !== 0)
    throw new Error("this test runs containerd: run it as root (npm test does its own set-up)");
  for (const bin of ["containerd", "runc", "ctr"]) {
    if (!findExecutable(bin))
      throw new Error(`${bin} is missing: apt-get install containerd runc (npm test installs them as root)`);
  }
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
}

function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

/** PIDs of containerd and its shims whose command line names a path under dir. */
function processesOf(dir: string): number[] {
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

function cleanCniChains(): void {
  const rules = run("iptables", ["-t", "nat", "-S"]).split("\n");
  for (const rule of rules) {
    if (/^-A \S+ .*-j CNI-/.test(rule))
      run("iptables", ["-t", "nat", ...rule.replace(/^-A/, "-D").split(" ")]);
  }
  const chains = rules.map((r) => /^-N (CNI-\S+)$/.exec(r)?.[1]).filter((c): c is string => c !== undefined);
  for (const c of chains) run("iptables", ["-t", "nat", "-F", c]);
  for (const c of chains) run("iptables", ["-t", "nat", "-X", c]);
}

async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const POD_CIDR = "10.244.0.0/24";

function inCIDR(ip: string, cidr: string): boolean {
  const toInt = (a: string) => a.split(".").reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const [net, bits] = cidr.split("/");
  const mask = bits === "0" ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) >>> 0 === (toInt(net!) & mask) >>> 0;
}

describe("k8ts up --runtime containerd", () => {
  let cluster: Cluster | undefined;
  let dataDir = "";
  let stopped = false;
  const ctr = (args: string[]) =>
    run("ctr", ["--address", join(dataDir, "containerd", "containerd.sock"), "-n", "k8s.io", ...args])
      .split("\n")
      .filter((l) => l.trim() !== "");

  before(async () => {
    requireContainerd();
    cluster = await startCluster({ args: ["--runtime", "containerd"], readyTimeoutMs: 120_000 });
    dataDir = cluster.dataDir;
  });

  after(async () => {
    const dir = dataDir;
    if (cluster && !stopped) await stopCluster();
    for (const pid of dir ? processesOf(dir) : []) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    run("ip", ["link", "del", "k8ts0"]);
    cleanCniChains();
    if (dir) for (const m of mountsUnder(dir)) if (run("umount", [m]) === "") run("umount", ["-l", m]);
  });

  async function stopCluster(): Promise<void> {
    stopped = true;
    // The harness removes the data dir: it must hold no live mounts by then.
    const c = cluster!;
    await c.stop();
  }

  const podJSON = async (name: string) => {
    const r = await cluster!.kubectl(["get", "pod", name, "-o", "json"]);
    return r.code === 0 ? (JSON.parse(r.stdout) as import("kubernetes-types/core/v1.d.ts").Pod) : undefined;
  };

  it("runs a busybox pod with an IP from the node's podCIDR, and deletes it from containerd", async () => {
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "sleeper" },
      spec: {
        terminationGracePeriodSeconds: 5,
        containers: [
          {
            name: "sleep",
            image: "k8ts.local/busybox:latest",
            imagePullPolicy: "IfNotPresent",
            command: ["sleep", "3600"],
          },
        ],
      },
    };
    const created = await cluster!.kubectl(["apply", "-f", "-"], { input: JSON.stringify(manifest) });
    assert.equal(created.code, 0, created.stderr);
    const pod = await until(async () => {
      const p = await podJSON("sleeper");
      return p?.status?.phase === "Running" && p.status.podIP ? p : undefined;
    }, "sleeper to be Running");
    assert.ok(inCIDR(pod.status!.podIP!, POD_CIDR), `${pod.status!.podIP} in ${POD_CIDR}`);
    const cs = pod.status!.containerStatuses![0]!;
    assert.ok(cs.state?.running, JSON.stringify(cs));
    assert.match(cs.containerID ?? "", /^containerd:\/\/[0-9a-f]{64}$/);
    const id = cs.containerID!.slice("containerd://".length);
    assert.ok(ctr(["containers", "ls", "-q"]).includes(id));

    const start = Date.now();
    const del = await cluster!.kubectl(["delete", "pod", "sleeper", "--timeout=60s"], { timeoutMs: 70_000 });
    assert.equal(del.code, 0, del.stderr);
    assert.ok(Date.now() - start < 5_000 + 10_000, `deleted in ${Date.now() - start} ms`);
    await until(
      async () => (ctr(["containers", "ls", "-q"]).length === 0 ? true : undefined),
      "no containers",
      20_000,
    );
    // ctr lists the sandboxes' pause containers too: none left means no sandbox either.
    assert.deepEqual(ctr(["containers", "ls", "-q"]), []);
  });

  it("ends a pod whose command exits 3 Failed with exitCode 3", async () => {
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "exit3" },
      spec: {
        restartPolicy: "Never",
        containers: [
          {
            name: "main",
            image: "k8ts.local/busybox:latest",
            imagePullPolicy: "IfNotPresent",
            command: ["sh", "-c", "exit 3"],
          },
        ],
      },
    };
    const created = await cluster!.kubectl(["apply", "-f", "-"], { input: JSON.stringify(manifest) });
    assert.equal(created.code, 0, created.stderr);
    const pod = await until(async () => {
      const p = await podJSON("exit3");
      return p?.status?.phase === "Failed" ? p : undefined;
    }, "exit3 to be Failed");
    const t = pod.status!.containerStatuses![0]!.state?.terminated;
    assert.equal(t?.exitCode, 3);
    assert.equal(t?.reason, "Error");
  });

  it("leaves no containerd, shim or mount of its data dir once stopped", async () => {
    const dir = dataDir;
    await stopCluster();
    assert.deepEqual(processesOf(dir), []);
    assert.deepEqual(mountsUnder(dir), []);
    assert.equal(existsSync(dir), false);
    // The safety routes stay.
    assert.match(run("ip", ["route", "show", "type", "unreachable"]), /10\.244\.0\.0\/16/);
    assert.match(run("ip", ["route", "show", "type", "unreachable"]), /10\.96\.0\.0\/16/);
  });
});
