import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import type { Container, PodSandbox } from "../runtime/interface.ts";
import { CgroupReader, parseFlatKeyed } from "./cgroup.ts";
import { CpuUsageCache } from "./cpu-usage-cache.ts";
import { HostReader, parseMeminfo, parseNetDev, parseProcStatCpu } from "./host.ts";
import { podsList } from "./pods.ts";
import { metaTime, removeTerminatedContainers, summary } from "./summary.ts";

const root = mkdtempSync(join(tmpdir(), "k8ts-stats-"));
after(() => rmSync(root, { recursive: true, force: true }));

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
  eth0:  123456     100    2    0    0     0          0         0    65432      90    1    0    0     0       0          0
`;

/** A cgroup v1 tree as containerd leaves it: /k8s.io/<id> under cpuacct, memory and pids. */
function v1Cgroup(cg: string, id: string, cpuNs: number, usage: number, inactiveFile: number, limit: string) {
  put(join(cg, "cpuacct", id, "cpuacct.usage"), `${cpuNs}\n`);
  put(join(cg, "memory", id, "memory.usage_in_bytes"), `${usage}\n`);
  put(join(cg, "memory", id, "memory.limit_in_bytes"), `${limit}\n`);
  put(
    join(cg, "memory", id, "memory.stat"),
    `cache 0\nrss 0\ntotal_rss ${usage / 2}\ntotal_pgfault 77\ntotal_pgmajfault 3\ntotal_inactive_file ${inactiveFile}\n`,
  );
}

function fakeProc(proc: string): void {
  put(
    join(proc, "stat"),
    "cpu  1000 10 200 5000 30 5 5 0 0 0\ncpu0 1000 10 200 5000 30 5 5 0 0 0\nbtime 1795715052\n",
  );
  put(
    join(proc, "meminfo"),
    "MemTotal:        4000000 kB\nMemFree:         1000000 kB\nInactive(file):   500000 kB\nAnonPages:        700000 kB\n",
  );
  put(join(proc, "vmstat"), "pgfault 9000\npgmajfault 12\n");
  put(join(proc, "net/dev"), NET_DEV.replace("eth0", "ens3"));
  put(join(proc, "4242/net/dev"), NET_DEV);
  put(join(proc, "sys/kernel/pid_max"), "4194304\n");
  put(join(proc, "loadavg"), "0.10 0.20 0.30 2/345 6789\n");
}

const NS = 1e6; // ns per ms
const T0 = Date.UTC(2026, 10, 27, 1, 0, 0);

function runtime(sandboxes: PodSandbox[], containers: Container[]) {
  return {
    async listPodSandbox(f?: { state?: string }) {
      assert.equal(f?.state, "SANDBOX_READY");
      return sandboxes;
    },
    async listContainers() {
      return containers;
    },
  };
}

const sandbox: PodSandbox = {
  id: "sb1",
  metadata: { name: "web", namespace: "default", uid: "uid-1", attempt: 0 },
  state: "SANDBOX_READY",
  createdAt: T0 * NS,
  labels: {},
  annotations: {},
};
function container(id: string, name: string, state: Container["state"], createdAtMs: number): Container {
  return {
    id,
    podSandboxId: "sb1",
    metadata: { name, attempt: 0 },
    image: { image: "k8ts.local/busybox:latest" },
    imageRef: "sha256:1",
    state,
    createdAt: createdAtMs * NS,
    labels: { "io.kubernetes.container.name": name },
    annotations: {},
  };
}

test("metaTime is metav1.Time's RFC 3339 in whole seconds", () => {
  assert.equal(metaTime(Date.UTC(2026, 10, 27, 1, 2, 3, 999)), "2026-11-27T01:02:03Z");
});

test("parsers: /proc/stat busy time, meminfo, net/dev without lo, flat-keyed files", () => {
  // (1000+10+200+5+5+0) ticks of 10 ms
  assert.equal(parseProcStatCpu("cpu  1000 10 200 5000 30 5 5 0 0 0\n"), 12_200_000_000);
  assert.deepEqual(
    parseMeminfo("MemTotal: 100 kB\nMemFree: 40 kB\nInactive(file): 10 kB\nAnonPages: 5 kB\n"),
    {
      capacityBytes: 102400,
      usageBytes: 61440,
      workingSetBytes: 51200,
      rssBytes: 5120,
    },
  );
  assert.deepEqual(parseNetDev(NET_DEV), [
    { name: "eth0", rxBytes: 123456, rxErrors: 2, txBytes: 65432, txErrors: 1 },
  ]);
  assert.deepEqual(
    [...parseFlatKeyed("usage_usec 5\nuser_usec 3\n")],
    [
      ["usage_usec", 5],
      ["user_usec", 3],
    ],
  );
});

test("CpuUsageCache: no rate on the first sample, then the average since the previous", () => {
  const c = new CpuUsageCache();
  assert.equal(c.update("a", 1e9, 10e9), undefined);
  // 0.5 s of CPU over 2 s: a quarter core, 250,000,000 nanocores
  assert.equal(c.update("a", 1.5e9, 12e9), 250_000_000);
  assert.equal(c.update("a", 0, 13e9), undefined, "a restarted cgroup starts over");
  c.retain(new Set());
  assert.equal(c.update("a", 1e9, 14e9), undefined);
});

test("removeTerminatedContainers keeps running containers, else the newest of a name", () => {
  const out = removeTerminatedContainers([
    container("a1", "app", "CONTAINER_EXITED", T0),
    container("a2", "app", "CONTAINER_RUNNING", T0 + 1000),
    container("s1", "side", "CONTAINER_EXITED", T0),
    container("s2", "side", "CONTAINER_EXITED", T0 + 1000),
    container("o1", "once", "CONTAINER_EXITED", T0),
  ]);
  assert.deepEqual(out.map((c) => c.id).sort(), ["a2", "o1", "s2"]);
});

test("summary over cgroup v1: containers, pod sums, network of the sandbox, node from /proc", async () => {
  const cg = join(root, "v1");
  const proc = join(root, "proc");
  fakeProc(proc);
  v1Cgroup(cg, "k8s.io/sb1", 1_000_000, 1 << 20, 0, "9223372036854771712");
  v1Cgroup(cg, "k8s.io/c1", 2_000_000_000, 10 << 20, 2 << 20, String(64 << 20));
  put(join(cg, "pids/k8s.io/sb1/cgroup.procs"), "4242\n");
  put(join(cg, "cpuacct/cpuacct.usage"), "1\n"); // v1: no cgroup.controllers at the root
  let now = T0 + 5000;
  const cpuCache = new CpuUsageCache();
  const opts = {
    nodeName: "node-1",
    runtime: runtime(
      [sandbox],
      [
        container("c0", "app", "CONTAINER_EXITED", T0),
        container("c1", "app", "CONTAINER_RUNNING", T0 + 1000),
      ],
    ),
    images: { imageFsInfo: async () => ({ usedBytes: 1234, inodesUsed: 56 }) },
    rootDir: root,
    imageFsDir: root,
    cpuCache,
    cgroups: new CgroupReader({ root: cg }),
    host: new HostReader({ procRoot: proc }),
    now: () => now,
  };
  const first = await summary(opts);
  const time = "2026-11-27T01:00:05Z";
  assert.deepEqual(first.pods, [
    {
      podRef: { name: "web", namespace: "default", uid: "uid-1" },
      startTime: "2026-11-27T01:00:00Z",
      containers: [
        {
          name: "app",
          startTime: "2026-11-27T01:00:01Z",
          cpu: { time, usageNanoCores: undefined, usageCoreNanoSeconds: 2_000_000_000 },
          memory: {
            time,
            availableBytes: (64 << 20) - (8 << 20),
            usageBytes: 10 << 20,
            workingSetBytes: 8 << 20,
            rssBytes: 5 << 20,
            pageFaults: 77,
            majorPageFaults: 3,
          },
        },
      ],
      cpu: { time, usageNanoCores: undefined, usageCoreNanoSeconds: 2_001_000_000 },
      memory: {
        time,
        usageBytes: 11 << 20,
        workingSetBytes: 9 << 20,
        rssBytes: (11 << 20) / 2,
        pageFaults: 154,
        majorPageFaults: 6,
      },
      network: {
        time,
        name: "eth0",
        rxBytes: 123456,
        rxErrors: 2,
        txBytes: 65432,
        txErrors: 1,
        interfaces: [{ name: "eth0", rxBytes: 123456, rxErrors: 2, txBytes: 65432, txErrors: 1 }],
      },
    },
  ]);
  const node = first.node;
  assert.equal(node.nodeName, "node-1");
  assert.equal(node.startTime, metaTime(1795715052 * 1000));
  assert.deepEqual(node.cpu, { time, usageNanoCores: undefined, usageCoreNanoSeconds: 12_200_000_000 });
  assert.deepEqual(node.memory, {
    time,
    availableBytes: (4_000_000 - 2_500_000) * 1024,
    usageBytes: 3_000_000 * 1024,
    workingSetBytes: 2_500_000 * 1024,
    rssBytes: 700_000 * 1024,
    pageFaults: 9000,
    majorPageFaults: 12,
  });
  assert.equal(node.network?.name, undefined, "no eth0 on this host: no inline figures");
  assert.deepEqual(
    node.network?.interfaces?.map((i) => i.name),
    ["ens3"],
  );
  assert.deepEqual(node.rlimit, { time, maxpid: 4194304, curproc: 345 });
  assert.equal(node.runtime?.imageFs?.usedBytes, 1234);
  assert.equal(node.runtime?.imageFs?.inodesUsed, 56);
  assert.ok((node.fs?.capacityBytes ?? 0) > 0 && (node.fs?.inodes ?? 0) > 0);

  // A second sample 2 s later: 0.5 s more CPU in the container is 250m.
  now += 2000;
  put(join(cg, "cpuacct/k8s.io/c1/cpuacct.usage"), "2500000000\n");
  const second = await summary(opts);
  assert.equal(second.pods[0].containers[0].cpu?.usageNanoCores, 250_000_000);
  assert.equal(second.pods[0].cpu?.usageNanoCores, 250_000_000);
  assert.equal(second.node.cpu?.usageNanoCores, 0);
});

test("summary over cgroup v2 reads cpu.stat and memory.current; unlimited memory has no availableBytes", async () => {
  const cg = join(root, "v2");
  put(join(cg, "cgroup.controllers"), "cpu memory pids\n");
  put(join(cg, "k8s.io/c1/cpu.stat"), "usage_usec 1500\nuser_usec 1000\n");
  put(join(cg, "k8s.io/c1/memory.current"), "4096000\n");
  put(join(cg, "k8s.io/c1/memory.max"), "max\n");
  put(join(cg, "k8s.io/c1/memory.stat"), "anon 1000\ninactive_file 96000\npgfault 5\npgmajfault 1\n");
  const s = await summary({
    nodeName: "n",
    runtime: runtime([sandbox], [container("c1", "app", "CONTAINER_RUNNING", T0)]),
    rootDir: root,
    cgroups: new CgroupReader({ root: cg }),
    host: new HostReader({ procRoot: join(root, "none") }),
    now: () => T0,
  });
  const c = s.pods[0].containers[0];
  assert.equal(c.cpu?.usageCoreNanoSeconds, 1_500_000);
  assert.deepEqual(c.memory, {
    time: "2026-11-27T01:00:00Z",
    availableBytes: undefined,
    usageBytes: 4096000,
    workingSetBytes: 4000000,
    rssBytes: 1000,
    pageFaults: 5,
    majorPageFaults: 1,
  });
  assert.equal(s.pods[0].network, undefined);
  assert.equal(s.node.cpu, undefined);
});

test("with --cgroup-root the pod's figures are its own cgroup's, and containers sit inside it", async () => {
  const cg = join(root, "podcg");
  const podPath = "k8ts/kubepods/besteffort/poduid-1";
  v1Cgroup(cg, podPath, 9_000_000_000, 20 << 20, 4 << 20, "9223372036854771712");
  v1Cgroup(cg, `${podPath}/c1`, 7_000_000_000, 12 << 20, 2 << 20, "9223372036854771712");
  const s = await summary({
    nodeName: "n",
    runtime: runtime([sandbox], [container("c1", "app", "CONTAINER_RUNNING", T0)]),
    rootDir: root,
    cgroupRoot: "/k8ts",
    cgroups: new CgroupReader({ root: cg }),
    host: new HostReader({ procRoot: join(root, "none") }),
    now: () => T0,
  });
  const p = s.pods[0];
  assert.equal(p.cpu?.usageCoreNanoSeconds, 9_000_000_000);
  assert.equal(p.memory?.workingSetBytes, 16 << 20);
  assert.equal(p.memory?.availableBytes, undefined, "no limit");
  assert.equal(p.containers[0].cpu?.usageCoreNanoSeconds, 7_000_000_000);
  assert.equal(p.containers[0].memory?.workingSetBytes, 10 << 20);
});

test("the real host: /proc gives node CPU, memory and boot time", async () => {
  const s = await summary({
    nodeName: "n",
    runtime: runtime([], []),
    rootDir: "/",
    cgroups: new CgroupReader({ root: join(root, "nothing") }),
  });
  assert.ok((s.node.cpu?.usageCoreNanoSeconds ?? 0) > 0);
  assert.ok((s.node.memory?.workingSetBytes ?? 0) > 0);
  assert.ok(Date.parse(s.node.startTime) < Date.now());
  assert.deepEqual(s.pods, []);
});

test("podsList is a v1 PodList; static pods carry the kubelet's status", () => {
  const list = podsList({
    pods: [
      { kind: "Pod", apiVersion: "v1", metadata: { name: "a", uid: "u1" }, status: { phase: "Pending" } },
      {
        metadata: { name: "s", uid: "u2", annotations: { "kubernetes.io/config.source": "file" } },
        status: { phase: "Pending" },
      },
    ],
    statusOf: (uid) => ({ phase: uid === "u2" ? "Running" : "Failed" }),
  });
  assert.deepEqual(list, {
    kind: "PodList",
    apiVersion: "v1",
    metadata: {},
    items: [
      { metadata: { name: "a", uid: "u1" }, status: { phase: "Pending" } },
      {
        metadata: { name: "s", uid: "u2", annotations: { "kubernetes.io/config.source": "file" } },
        status: { phase: "Running" },
      },
    ],
  });
});
