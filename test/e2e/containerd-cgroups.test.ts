// Pod-level and QoS cgroups on `k8ts up --runtime containerd` (cgroupfs
// driver): the kubelet makes each pod's cgroup with upstream's
// ResourceConfigForPod values before the sandbox, and keeps the QoS tiers
// (kubepods, kubepods/burstable, kubepods/besteffort) at upstream's settings.
// The test runs as root on the same machine, so it reads the host's cgroup
// files directly (cgroup v1 hierarchies, as on these machines).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { type ContainerdCluster, startContainerdCluster, until } from "../support/containerd.ts";
import type { Cluster } from "./harness.ts";

const IMAGE = "k8ts.local/busybox:latest";
const CG = "/sys/fs/cgroup";
const Mi = 1024 * 1024;

type Obj = Record<string, unknown>;

function pod(name: string, containers: Obj[]): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: containers.map((resources, i) => ({
        name: `c${i}`,
        image: IMAGE,
        imagePullPolicy: "IfNotPresent",
        command: ["sleep", "3600"],
        resources,
      })),
    },
  };
}

const cgfile = (controller: string, path: string, file: string) =>
  readFileSync(`${CG}/${controller}${path}/${file}`, "utf8").trim();

describe("pod and QoS cgroups on k8ts up --runtime containerd", () => {
  let cluster: Cluster;
  let node: ContainerdCluster | undefined;
  const uids = new Map<string, string>();

  const get = async (name: string, path: string) => {
    const r = await cluster.kubectl(["get", "pod", name, "-o", `jsonpath={${path}}`]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const running = (name: string) =>
    until(
      async () => ((await get(name, ".status.phase")) === "Running" ? true : undefined),
      `${name} to be Running`,
      90_000,
      500,
    );

  before(async () => {
    node = await startContainerdCluster();
    cluster = node.cluster;
    const g = { requests: { cpu: "100m", memory: "32Mi" }, limits: { cpu: "100m", memory: "32Mi" } };
    const objs = [
      pod("guaranteed", [g, g]),
      pod("burstable", [
        { requests: { cpu: "100m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
        { requests: { cpu: "100m" } },
      ]),
      pod("besteffort", [{}]),
    ];
    const r = await cluster.kubectl(["apply", "-f", "-"], {
      input: objs.map((o) => JSON.stringify(o)).join("\n"),
    });
    assert.equal(r.code, 0, r.stderr);
    for (const name of ["guaranteed", "burstable", "besteffort"]) {
      await running(name);
      uids.set(name, await get(name, ".metadata.uid"));
    }
  });

  after(async () => {
    await node?.cleanUp();
  });

  it("a Guaranteed pod's cgroup holds the sum of its containers: 204 shares, 20 ms of 100 ms, 64Mi", async () => {
    assert.equal(await get("guaranteed", ".status.qosClass"), "Guaranteed");
    const path = `/k8ts/kubepods/pod${uids.get("guaranteed")}`;
    // MilliCPUToShares(200) = 200 * 1024 / 1000 = 204.
    assert.equal(cgfile("cpu", path, "cpu.shares"), "204");
    assert.equal(cgfile("cpu", path, "cpu.cfs_quota_us"), "20000");
    assert.equal(cgfile("cpu", path, "cpu.cfs_period_us"), "100000");
    assert.equal(cgfile("memory", path, "memory.limit_in_bytes"), String(64 * Mi));
    // The containers (runc's cgroups) sit inside the pod's, with their own limits.
    const container = await get("guaranteed", ".status.containerStatuses[0].containerID");
    const id = container.replace(/^containerd:\/\//, "");
    assert.equal(cgfile("cpu", `${path}/${id}`, "cpu.cfs_quota_us"), "10000");
    assert.equal(cgfile("memory", `${path}/${id}`, "memory.limit_in_bytes"), String(32 * Mi));
  });

  it("a Burstable pod with an unlimited container: shares of its requests, no quota, no memory limit", async () => {
    assert.equal(await get("burstable", ".status.qosClass"), "Burstable");
    const path = `/k8ts/kubepods/burstable/pod${uids.get("burstable")}`;
    assert.equal(cgfile("cpu", path, "cpu.shares"), "204");
    assert.equal(cgfile("cpu", path, "cpu.cfs_quota_us"), "-1");
    // The kernel's "unlimited" (PAGE_COUNTER_MAX pages), far above any node's memory.
    assert.ok(BigInt(cgfile("memory", path, "memory.limit_in_bytes")) > 2n ** 62n);
  });

  it("a BestEffort pod gets 2 shares under besteffort", async () => {
    assert.equal(await get("besteffort", ".status.qosClass"), "BestEffort");
    const path = `/k8ts/kubepods/besteffort/pod${uids.get("besteffort")}`;
    assert.equal(cgfile("cpu", path, "cpu.shares"), "2");
    assert.equal(cgfile("cpu", path, "cpu.cfs_quota_us"), "-1");
  });

  it("the QoS tiers: besteffort 2 shares, burstable the Burstable pods' requests, kubepods the node's capacity", async () => {
    assert.equal(cgfile("cpu", "/k8ts/kubepods/besteffort", "cpu.shares"), "2");
    const pods = JSON.parse((await cluster.kubectl(["get", "pods", "-A", "-o", "json"])).stdout) as {
      items: {
        status?: { qosClass?: string };
        spec: { containers: { resources?: { requests?: { cpu?: string } } }[] };
      }[];
    };
    let milli = 0;
    for (const p of pods.items) {
      if (p.status?.qosClass !== "Burstable") continue;
      for (const c of p.spec.containers) {
        const cpu = c.resources?.requests?.cpu;
        if (cpu) milli += cpu.endsWith("m") ? Number(cpu.slice(0, -1)) : Number(cpu) * 1000;
      }
    }
    assert.equal(
      cgfile("cpu", "/k8ts/kubepods/burstable", "cpu.shares"),
      String(Math.trunc((milli * 1024) / 1000)),
    );
    const nodeName = (await cluster.kubectl(["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"]))
      .stdout;
    const capacity = JSON.parse(
      (await cluster.kubectl(["get", "node", nodeName, "-o", "jsonpath={.status.capacity}"])).stdout,
    ) as { cpu: string; memory: string };
    assert.equal(cgfile("cpu", "/k8ts/kubepods", "cpu.shares"), String(Number(capacity.cpu) * 1024));
    assert.match(capacity.memory, /^\d+Ki$/);
    assert.equal(
      cgfile("memory", "/k8ts/kubepods", "memory.limit_in_bytes"),
      String(Number(capacity.memory.slice(0, -2)) * 1024),
    );
  });

  it("a deleted pod's cgroup goes", async () => {
    const uid = uids.get("besteffort")!;
    const r = await cluster.kubectl(["delete", "pod", "besteffort", "--timeout=60s"], { timeoutMs: 70_000 });
    assert.equal(r.code, 0, r.stderr);
    await until(
      () =>
        ["cpu", "memory", "pids"].every((h) => !existsSync(`${CG}/${h}/k8ts/kubepods/besteffort/pod${uid}`))
          ? true
          : undefined,
      "the pod's cgroup to be removed",
      60_000,
      500,
    );
  });
});
