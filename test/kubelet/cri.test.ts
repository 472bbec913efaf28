// The CRI client against k8ts's own containerd (CONTAINERD.md's set-up): start
// it in a throwaway data dir, import the local images, and run a pod sandbox on
// the k8ts0 bridge with a busybox container through every CRI call the kubelet
// uses. Everything made is removed in after(), also when a test fails.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildImages, IMAGES, importImages } from "../../src/kubelet/images/index.ts";
import { writeCniConfig } from "../../src/kubelet/network/cni-config.ts";
import {
  findExecutable,
  type RunningContainerd,
  startContainerd,
} from "../../src/kubelet/runtime/containerd.ts";
import { CriError, CriRuntime } from "../../src/kubelet/runtime/cri.ts";
import type {
  ContainerConfig,
  ContainerEvent,
  PodSandboxConfig,
} from "../../src/kubelet/runtime/interface.ts";

// A test range inside no other test's CIDRs.
const POD_CIDR = "10.250.0.0/24";

/** npm test installs containerd, runc and the rest as root (scripts/setup.mjs); anything else is a set-up error. */
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

/** Mount points at or under dir, deepest first. */
function mountsUnder(dir: string): string[] {
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)));
  return points.sort((a, b) => b.length - a.length);
}

/** PIDs of processes whose command line names the socket (containerd-shim-runc-v2 -address <socket>). */
function shimsOf(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmdline[0]?.includes("containerd-shim") && cmdline.includes(socket)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Removes the CNI-* chains of the nat table and the jumps to them. */
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

async function until<T>(f: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("CRI client on k8ts's containerd", () => {
  let dataDir: string;
  let containerd: RunningContainerd | undefined;
  let cri: CriRuntime;
  const events: ContainerEvent[] = [];
  let unsubscribe: (() => void) | undefined;

  before(async () => {
    requireContainerd();
    dataDir = mkdtempSync("/tmp/k8ts-cri-");
    writeCniConfig(dataDir, POD_CIDR);
    containerd = await startContainerd({ dataDir });
    cri = new CriRuntime({ socket: containerd.socket, requestTimeoutMs: 30_000, eventPollIntervalMs: 100 });
  });

  after(async () => {
    unsubscribe?.();
    if (containerd) {
      // Sandboxes first, so CNI tears down their network and netns while containerd still runs.
      try {
        for (const sb of await cri.listPodSandbox()) {
          await cri.stopPodSandbox(sb.id).catch(() => {});
          await cri.removePodSandbox(sb.id).catch(() => {});
        }
      } catch {
        // containerd is gone; the steps below still clean up
      }
      cri.close();
      const socket = containerd.socket;
      await containerd.stop();
      for (const pid of shimsOf(socket)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    run("ip", ["link", "del", "k8ts0"]);
    cleanCniChains();
    if (dataDir) {
      for (const m of mountsUnder(dataDir)) {
        if (run("umount", [m]) === "" && mountsUnder(dataDir).includes(m)) run("umount", ["-l", m]);
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("answers Version and Status", async () => {
    const v = await cri.version();
    assert.equal(v.runtimeName, "containerd");
    assert.equal(v.runtimeApiVersion, "v1");
    assert.match(v.runtimeVersion, /^v?1\.\d+/);
    const st = await cri.status();
    assert.deepEqual(
      st.conditions.map((c) => [c.type, c.status]),
      [
        ["RuntimeReady", true],
        ["NetworkReady", true],
      ],
    );
  });

  it("wrote containerd's config and log under the data dir", () => {
    const config = readFileSync(join(dataDir, "containerd", "config.toml"), "utf8");
    assert.match(config, /restrict_oom_score_adj = true/);
    assert.ok(existsSync(join(dataDir, "containerd", "containerd.log")));
    assert.ok(existsSync(join(dataDir, "cni", "net.d", "10-k8ts.conflist")));
  });

  it("keeps the gRPC status of a failed call", async () => {
    await assert.rejects(cri.containerStatus("no-such-container"), (e: unknown) => {
      assert.ok(e instanceof CriError);
      assert.equal(e.code, 5);
      assert.equal(e.codeName, "NOT_FOUND");
      assert.match(e.message, /not found/);
      return true;
    });
    assert.equal(await cri.imageStatus("k8ts.local/nothing:1"), undefined);
  });

  it("sees the local images once imported", async () => {
    const archives = await buildImages(join(dataDir, "images"));
    await importImages([archives.busybox, archives.pause], {
      address: containerd?.socket ?? "",
      namespace: "k8s.io",
    });
    const busybox = await cri.imageStatus(IMAGES.busybox);
    assert.ok(busybox, "busybox image present");
    assert.ok(busybox.repoTags.includes(IMAGES.busybox));
    const tags = (await cri.listImages()).flatMap((i) => i.repoTags);
    assert.ok(tags.includes(IMAGES.pause), `pause in ${tags.join(",")}`);
    // containerd refreshes the snapshotter's usage in the background, so only the shape is certain here.
    const fs = await cri.imageFsInfo();
    assert.equal(typeof fs.usedBytes, "number");
    assert.equal(typeof fs.inodesUsed, "number");
  });

  it("runs a sandbox and a busybox container through their whole life", async () => {
    unsubscribe = cri.onContainerEvent((e) => events.push(e));
    const uid = randomUUID();
    const logDirectory = join(dataDir, "pods", `default_cri-test_${uid}`);
    mkdirSync(logDirectory, { recursive: true });
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: "cri-test", uid, namespace: "default", attempt: 0 },
      hostname: "cri-test",
      logDirectory,
      portMappings: [],
      labels: { "io.kubernetes.pod.name": "cri-test" },
      annotations: {},
      linux: {},
    };
    const sandboxId = await cri.runPodSandbox(sandboxConfig);
    const sb = await cri.podSandboxStatus(sandboxId);
    assert.equal(sb.state, "SANDBOX_READY");
    assert.equal(sb.metadata.uid, uid);
    assert.match(sb.network?.ip ?? "", /^10\.250\.0\.\d+$/);

    const config: ContainerConfig = {
      metadata: { name: "sleep", attempt: 0 },
      image: { image: IMAGES.busybox },
      command: ["sleep", "3600"],
      args: [],
      workingDir: "",
      envs: [{ key: "GREETING", value: "hi" }],
      mounts: [],
      labels: { "io.kubernetes.container.name": "sleep" },
      annotations: {},
      logPath: "sleep/0.log",
      stdin: false,
      stdinOnce: false,
      tty: false,
    };
    const id = await cri.createContainer(sandboxId, config, sandboxConfig);
    await cri.startContainer(id);
    const st = await cri.containerStatus(id);
    assert.equal(st.state, "CONTAINER_RUNNING");
    assert.equal(st.metadata.name, "sleep");
    assert.equal(st.image.image, IMAGES.busybox);
    assert.ok(st.startedAt > 0);
    assert.equal(st.logPath, join(logDirectory, "sleep/0.log"));

    const failed = await cri.execSync(id, ["sh", "-c", "exit 3"], 10);
    assert.equal(failed.exitCode, 3);
    const hi = await cri.execSync(id, ["echo", "hi"], 10);
    assert.equal(hi.exitCode, 0);
    assert.equal(hi.stdout.toString(), "hi\n");
    const env = await cri.execSync(id, ["sh", "-c", "echo $GREETING"], 10);
    assert.equal(env.stdout.toString(), "hi\n");

    const listed = await cri.listContainers({ podSandboxId: sandboxId, state: "CONTAINER_RUNNING" });
    assert.deepEqual(
      listed.map((c) => [c.id, c.metadata.name]),
      [[id, "sleep"]],
    );

    // The pod's PID namespace (NamespaceMode POD, CRI's default) has pause as PID 1, so sleep dies of SIGTERM.
    await cri.stopContainer(id, 5);
    const stopped = await cri.containerStatus(id);
    assert.equal(stopped.state, "CONTAINER_EXITED");
    assert.equal(stopped.exitCode, 143);
    assert.equal(stopped.reason, "Error");
    assert.ok(stopped.finishedAt >= stopped.startedAt);
    await cri.removeContainer(id);
    await cri.stopPodSandbox(sandboxId);
    assert.equal((await cri.podSandboxStatus(sandboxId)).state, "SANDBOX_NOTREADY");
    await cri.removePodSandbox(sandboxId);
    assert.deepEqual(await cri.listContainers(), []);
    assert.deepEqual(await cri.listPodSandbox(), []);

    // containerd 1.6 has no GetContainerEvents: the events come from polling.
    const types = await until(() => {
      const t = events.filter((e) => e.containerId === id).map((e) => e.type);
      return t.includes("CONTAINER_DELETED_EVENT") ? t : undefined;
    }, "the container's deleted event");
    assert.equal(types[types.length - 1], "CONTAINER_DELETED_EVENT");
    assert.ok(types.includes("CONTAINER_CREATED_EVENT") || types.includes("CONTAINER_STARTED_EVENT"));
    assert.equal(cri.containerEventSource, "poll");
  });
});
