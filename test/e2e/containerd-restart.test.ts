// A kubelet restart on containerd keeps the pods' containers (issue 7): a
// second node, a standalone `k8ts kubelet --runtime containerd` joined with a
// bootstrap token, is stopped with SIGTERM and once with SIGKILL; containerd
// runs on as its own service, and the next kubelet on the same data dir
// adopts the pod: same sandbox and container, same process, restartCount 0.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type ContainerdCluster,
  cleanUpNode,
  processesOf,
  runQuiet,
  startContainerdCluster,
  until,
} from "../support/containerd.ts";
import { type Cluster, ROOT, run } from "./harness.ts";

const NODE = "k8ts-restart-node";

/** The start time of a process, in clock ticks since boot (field 22 of /proc/<pid>/stat). */
function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
}

describe("a kubelet restart on containerd", () => {
  let node: ContainerdCluster | undefined;
  let cluster: Cluster;
  let dir = "";
  let joinArgs: string[] = [];
  let kubelet: ChildProcess | undefined;
  let kubeletOutput = "";

  const ctr = (args: string[]) =>
    runQuiet("ctr", ["--address", join(dir, "containerd", "containerd.sock"), "-n", "k8s.io", ...args])
      .split("\n")
      .filter((l) => l.trim() !== "");
  const jsonpath = async (args: string[], path: string) =>
    (await cluster.kubectl(["get", ...args, "-o", `jsonpath=${path}`])).stdout;

  const startKubelet = async (extra: string[] = []) => {
    kubeletOutput = "";
    const k = spawn(
      join(ROOT, "k8ts"),
      ["kubelet", ...joinArgs, "--node-name", NODE, "--data-dir", dir, "--runtime", "containerd", ...extra],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    k.stdout!.on("data", (d) => {
      kubeletOutput += d;
    });
    k.stderr!.on("data", (d) => {
      kubeletOutput += d;
    });
    kubelet = k;
    await until(
      () => (kubeletOutput.includes(`node ${NODE} registered`) ? true : undefined),
      `the kubelet to register ${NODE}:\n${kubeletOutput}`,
      120_000,
    );
  };
  const stopKubelet = async (sig: NodeJS.Signals) => {
    const k = kubelet;
    if (!k || k.exitCode !== null || k.signalCode !== null) return;
    const exited = new Promise((r) => k.once("exit", r));
    k.kill(sig);
    await exited;
  };

  before(async () => {
    node = await startContainerdCluster();
    cluster = node.cluster;
    // Short: containerd's socket path must fit a unix socket address.
    dir = mkdtempSync(join(tmpdir(), "k8ts-rs-"));
    const printed = await run(join(ROOT, "k8ts"), [
      "token",
      "create",
      "--kubeconfig",
      cluster.kubeconfig,
      "--print-join-command",
    ]);
    assert.equal(printed.code, 0, printed.stderr);
    joinArgs = printed.stdout.trim().split(" ").slice(2);
  });

  after(async () => {
    await stopKubelet("SIGKILL");
    cleanUpNode(dir);
    await node?.cleanUp();
  });

  interface Observed {
    containerID: string;
    restartCount: string;
    phase: string;
    podIP: string;
    pid: number;
    startTime: string;
    containers: string[];
  }
  const observe = async (): Promise<Observed> => {
    const containerID = await jsonpath(["pod", "keeper"], "{.status.containerStatuses[0].containerID}");
    const id = containerID.replace(/^containerd:\/\//, "");
    // `ctr task ls`: TASK PID STATUS
    const task = ctr(["task", "ls"]).find((l) => l.startsWith(id));
    const pid = Number(task?.split(/\s+/)[1] ?? 0);
    assert.ok(pid > 0, `a task for ${id}: ${ctr(["task", "ls"]).join("\n")}`);
    return {
      containerID,
      restartCount: await jsonpath(["pod", "keeper"], "{.status.containerStatuses[0].restartCount}"),
      phase: await jsonpath(["pod", "keeper"], "{.status.phase}"),
      podIP: await jsonpath(["pod", "keeper"], "{.status.podIP}"),
      pid,
      startTime: startTime(pid),
      // The sandbox's pause container and the pod's container.
      containers: ctr(["containers", "ls", "-q"]).sort(),
    };
  };

  let first: Observed;

  it("runs a pod pinned to the joined node", async () => {
    await startKubelet();
    await until(
      async () =>
        (await jsonpath([`node/${NODE}`], '{.status.conditions[?(@.type=="Ready")].status}')) === "True"
          ? true
          : undefined,
      `${NODE} Ready`,
      60_000,
    );
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "keeper" },
      spec: {
        nodeName: NODE,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "main",
            image: "k8ts.local/busybox:latest",
            imagePullPolicy: "IfNotPresent",
            command: ["sleep", "3600"],
          },
        ],
      },
    };
    const created = await cluster.kubectl(["apply", "-f", "-"], { input: JSON.stringify(pod) });
    assert.equal(created.code, 0, created.stderr);
    await until(
      async () => ((await jsonpath(["pod", "keeper"], "{.status.phase}")) === "Running" ? true : undefined),
      "keeper Running",
    );
    first = await observe();
    assert.match(first.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(first.restartCount, "0");
    assert.equal(first.containers.length, 2, first.containers.join("\n"));
    // The controller-manager's node IPAM gave this node the podCIDR after the local node's.
    assert.equal(await jsonpath([`node/${NODE}`], "{.spec.podCIDR}"), "10.244.1.0/24");
    assert.match(first.podIP, /^10\.244\.1\.\d+$/);
  });

  /** After a restart: the kubelet synced the pod again and changed nothing. */
  const assertAdopted = async () => {
    // A few housekeeping rounds (2 s) and pod syncs: time enough to kill or restart anything it would.
    await new Promise((r) => setTimeout(r, 8_000));
    const now = await observe();
    assert.deepEqual(now, first, `after the restart:\n${kubeletOutput}`);
  };

  it("keeps the container across SIGTERM: containerd runs on and the next kubelet adopts the pod", async () => {
    await stopKubelet("SIGTERM");
    assert.ok(processesOf(dir).length > 0, "containerd and the shim run on without the kubelet");
    assert.deepEqual(await observe(), first);
    await startKubelet();
    assert.match(kubeletOutput, /containerd already running, reusing it/);
    await assertAdopted();
  });

  it("keeps the container across SIGKILL", async () => {
    await stopKubelet("SIGKILL");
    assert.ok(processesOf(dir).length > 0, "containerd and the shim run on without the kubelet");
    // This one stops containerd with the pods when it stops, as `k8ts up` does.
    await startKubelet(["--stop-containerd-on-exit"]);
    assert.match(kubeletOutput, /containerd already running, reusing it/);
    await assertAdopted();
  });

  it("the adopted pod is the kubelet's own: deleting it removes its containers", async () => {
    const del = await cluster.kubectl(["delete", "pod", "keeper", "--timeout=60s"], { timeoutMs: 70_000 });
    assert.equal(del.code, 0, del.stderr);
    await until(
      () => (ctr(["task", "ls"]).some((l) => l.startsWith(first.containerID.slice(13))) ? undefined : true),
      "keeper's container to stop",
      20_000,
    );
  });

  it("with --stop-containerd-on-exit, SIGTERM stops containerd and leaves no process of its data dir", async () => {
    await stopKubelet("SIGTERM");
    await until(
      () => (processesOf(dir).length === 0 ? true : undefined),
      `no containerd or shim of ${dir}`,
      20_000,
    );
  });
});
