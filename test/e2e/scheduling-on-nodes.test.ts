// The scheduler and the kubelets together, through the installed kubectl:
// `k8ts up --nodes 3` gives four Ready nodes; pods with required hostname
// anti-affinity spread one per node and run; the extra ones stay Pending
// with upstream's FailedScheduling message; a node selector and a taint
// steer pods to the nodes that accept them.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { until } from "../support/until.ts";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const antiAffinityPod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: spread}
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: spread}}
        topologyKey: kubernetes.io/hostname
  containers: [{name: c, image: k8ts.local/busybox:latest}]
`;

describe("scheduling onto kubelets", () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ args: ["--nodes", "3"] });
  });
  after(async () => {
    await c?.stop();
  });

  it("spreads anti-affine pods one per node, runs them, and leaves the rest Pending", async () => {
    const nodes = await until(async () => {
      const r = ok(await c.kubectl(["get", "nodes", "--no-headers"]))
        .stdout.trim()
        .split("\n");
      return r.length === 4 && r.every((l) => /\sReady\s/.test(l))
        ? r.map((l) => l.split(/\s+/)[0])
        : undefined;
    }, "4 Ready nodes");
    for (let i = 0; i < 6; i++)
      ok(await c.kubectl(["apply", "-f", "-"], { input: antiAffinityPod(`spread-${i}`) }));
    const rows = await until(async () => {
      const r = ok(await c.kubectl(["get", "pods", "-l", "app=spread", "-o", "wide", "--no-headers"])).stdout;
      const lines = r.trim().split("\n");
      const running = lines.filter((l) => /\s1\/1\s+Running\s/.test(l));
      const pending = lines.filter((l) => /\s0\/1\s+Pending\s/.test(l));
      return running.length === 4 && pending.length === 2 ? { running, pending } : undefined;
    }, "4 Running and 2 Pending");
    // Running pods sit on four different nodes: every node once.
    const used = rows.running.map((l) => l.split(/\s+/)[6]).sort();
    assert.deepEqual(used, [...nodes].sort());
    const pendingName = rows.pending[0].split(/\s+/)[0];
    const described = await until(async () => {
      const r = ok(await c.kubectl(["describe", "pod", pendingName])).stdout;
      return r.includes("FailedScheduling") ? r : undefined;
    }, "a FailedScheduling event");
    assert.match(
      described,
      /0\/4 nodes are available: 4 node\(s\) didn't match pod anti-affinity rules\. preemption: 0\/4 nodes are available: 4 No preemption victims found for incoming pod\./,
    );
  });

  it("honours node selectors and taints on real kubelets", async () => {
    ok(await c.kubectl(["label", "node", "hollow-node-1", "disk=ssd"]));
    ok(await c.kubectl(["taint", "node", "hollow-node-2", "dedicated=db:NoSchedule"]));
    ok(
      await c.kubectl([
        "run",
        "ssd",
        "--image=k8ts.local/busybox:latest",
        "--overrides",
        '{"spec":{"nodeSelector":{"disk":"ssd"}}}',
      ]),
    );
    ok(
      await c.kubectl([
        "run",
        "db",
        "--image=k8ts.local/busybox:latest",
        "--overrides",
        '{"spec":{"nodeSelector":{"kubernetes.io/hostname":"hollow-node-2"},"tolerations":[{"key":"dedicated","operator":"Equal","value":"db","effect":"NoSchedule"}]}}',
      ]),
    );
    ok(
      await c.kubectl([
        "run",
        "intolerant",
        "--image=k8ts.local/busybox:latest",
        "--overrides",
        '{"spec":{"nodeSelector":{"kubernetes.io/hostname":"hollow-node-2"}}}',
      ]),
    );
    const placed = async (pod: string) =>
      until(async () => {
        const r = ok(await c.kubectl(["get", "pod", pod, "-o", "wide", "--no-headers"])).stdout;
        return /\s1\/1\s+Running\s/.test(r) ? r.split(/\s+/)[6] : undefined;
      }, `${pod} Running`);
    assert.equal(await placed("ssd"), "hollow-node-1");
    assert.equal(await placed("db"), "hollow-node-2");
    const msg = await until(async () => {
      const r = ok(
        await c.kubectl([
          "get",
          "pod",
          "intolerant",
          "-o",
          "jsonpath={.status.conditions[?(@.type=='PodScheduled')].message}",
        ]),
      ).stdout;
      return r || undefined;
    }, "intolerant's PodScheduled condition");
    assert.match(
      msg,
      /^0\/4 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: db\}, 3 node\(s\) didn't match Pod's node affinity\/selector\./,
    );
  });
});
