// `k8ts up --runtime containerd`: real pods on k8ts's own containerd through the
// installed kubectl. Everything made is removed in after(), also when a test fails.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type ContainerdCluster,
  mountsUnder,
  processesOf,
  runQuiet as run,
  startContainerdCluster,
  until,
} from "../support/containerd.ts";
import type { Cluster } from "./harness.ts";

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
  const ctr = (args: string[]) =>
    run("ctr", ["--address", join(dataDir, "containerd", "containerd.sock"), "-n", "k8s.io", ...args])
      .split("\n")
      .filter((l) => l.trim() !== "");

  let node: ContainerdCluster | undefined;

  before(async () => {
    node = await startContainerdCluster();
    cluster = node.cluster;
    dataDir = cluster.dataDir;
  });

  after(async () => {
    await node?.cleanUp();
  });

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
    await cluster!.stop();
    assert.deepEqual(processesOf(dir), []);
    assert.deepEqual(mountsUnder(dir), []);
    assert.equal(existsSync(dir), false);
    // The safety routes stay.
    assert.match(run("ip", ["route", "show", "type", "unreachable"]), /10\.244\.0\.0\/16/);
    assert.match(run("ip", ["route", "show", "type", "unreachable"]), /10\.96\.0\.0\/16/);
  });
});
