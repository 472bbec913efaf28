// `kubectl logs` on `k8ts up --runtime containerd`: the apiserver's pods/log
// streams from the kubelet's server, which reads the CRI log files. Everything
// made is removed in after(), also when a test fails (as containerd.test.ts).
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
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

function busybox(name: string, script: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "main",
          image: "k8ts.local/busybox:latest",
          imagePullPolicy: "IfNotPresent",
          command: ["sh", "-c", script],
        },
      ],
    },
  };
}

describe("kubectl logs on k8ts up --runtime containerd", () => {
  let cluster: Cluster | undefined;
  let dataDir = "";
  const children: import("node:child_process").ChildProcess[] = [];

  before(async () => {
    requireContainerd();
    cluster = await startCluster({ args: ["--runtime", "containerd"], readyTimeoutMs: 120_000 });
    dataDir = cluster.dataDir;
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    const dir = dataDir;
    // The pods' volumes are mounts under the data dir: delete the pods so the kubelet unmounts them.
    if (cluster) await cluster.kubectl(["delete", "pods", "--all", "--timeout=60s"], { timeoutMs: 70_000 });
    let stopError: unknown;
    try {
      await cluster?.stop();
    } catch (e) {
      stopError = e;
    }
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
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (stopError) throw stopError;
  });

  const running = (name: string) =>
    until(async () => {
      const r = await cluster!.kubectl(["get", "pod", name, "-o", "jsonpath={.status.phase}"]);
      return r.stdout === "Running" ? true : undefined;
    }, `${name} to be Running`);

  it("prints a pod's output, and its last line with --tail=1", async () => {
    const created = await cluster!.kubectl(["apply", "-f", "-"], {
      input: JSON.stringify(busybox("p", "for i in 1 2 3; do echo line $i; done; sleep 3600")),
    });
    assert.equal(created.code, 0, created.stderr);
    await running("p");
    const logs = await until(
      async () => {
        const r = await cluster!.kubectl(["logs", "p"]);
        return r.code === 0 && r.stdout.includes("line 3") ? r : undefined;
      },
      "three lines",
      20_000,
    );
    assert.equal(logs.stdout, "line 1\nline 2\nline 3\n");
    const tail = await cluster!.kubectl(["logs", "p", "--tail=1"]);
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(tail.stdout, "line 3\n");
  });

  it("prefixes RFC3339 times with --timestamps", async () => {
    const r = await cluster!.kubectl(["logs", "p", "--timestamps"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    for (const [i, l] of lines.entries()) {
      assert.match(
        l,
        new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) line ${i + 1}$`),
      );
    }
  });

  it("answers a missing pod with upstream's NotFound", async () => {
    const r = await cluster!.kubectl(["logs", "nope"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pods "nope" not found/);
  });

  it("streams new lines with -f until kubectl is stopped", async () => {
    const created = await cluster!.kubectl(["apply", "-f", "-"], {
      input: JSON.stringify(
        busybox("ticker", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.3; done"),
      ),
    });
    assert.equal(created.code, 0, created.stderr);
    await running("ticker");
    const child = spawn("kubectl", ["logs", "-f", "ticker"], {
      env: { ...process.env, KUBECONFIG: cluster!.kubeconfig, HOME: cluster!.newHome() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    const started = Date.now();
    const firstCount = await until(
      async () => (out.split("\n").filter((l) => l.startsWith("tick ")).length >= 1 ? out : undefined),
      `a first line (stderr: ${err})`,
      20_000,
    );
    const first = Number(/tick (\d+)\n(?![\s\S]*tick)/.exec(firstCount)?.[1] ?? 0);
    // New lines keep arriving while kubectl runs (the first read may already hold several).
    const tickNumbers = () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("tick "))
        .map((l) => Number(l.slice(5)));
    await until(
      async () => {
        const t = tickNumbers();
        return t.length >= 5 && t.at(-1)! > first ? true : undefined;
      },
      `five lines, the last past ${first} (got ${JSON.stringify(out)}, stderr: ${err})`,
      20_000,
    );
    const ticks = out
      .split("\n")
      .filter((l) => l.startsWith("tick "))
      .map((l) => Number(l.slice(5)));
    assert.ok(ticks.at(-1)! > first, `${ticks.join(",")} grew past ${first}`);
    assert.deepEqual(
      ticks,
      ticks.map((_, i) => ticks[0]! + i),
      "consecutive lines",
    );
    assert.equal(child.exitCode, null, "kubectl -f still running");
    assert.ok(Date.now() - started < 20_000);
    child.kill("SIGTERM");
  });
});
