// `kubectl logs` on `k8ts up --runtime containerd`: the apiserver's pods/log
// streams from the kubelet's server, which reads the CRI log files. Everything
// made is removed in after(), also when a test fails (as containerd.test.ts).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { busyboxPod, type ContainerdCluster, startContainerdCluster, until } from "../support/containerd.ts";
import type { Cluster } from "./harness.ts";

const busybox = (name: string, script: string) => busyboxPod(name, script);

describe("kubectl logs on k8ts up --runtime containerd", () => {
  let cluster: Cluster | undefined;
  const children: import("node:child_process").ChildProcess[] = [];

  let node: ContainerdCluster | undefined;

  before(async () => {
    node = await startContainerdCluster();
    cluster = node.cluster;
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await node?.cleanUp();
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
