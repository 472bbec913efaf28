// The scheduler inside `k8ts up`, seen through the installed kubectl and
// `k8ts explain-schedule`. (Nodes are bare Node objects until the kubelet exists.)
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { until } from "../support/until.ts";
import { type Cluster, ROOT, type RunResult, startCluster } from "./harness.ts";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const node = (name: string, labels: string) => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels: {${labels}}
`;

describe("the scheduler in k8ts up", () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
  });

  it("binds pods to fitting nodes and explains the ones it cannot place", async () => {
    // Pending while no node has the label (k8ts up's own node has not).
    ok(
      await c.kubectl([
        "run",
        "early",
        "--image=k8ts.local/busybox:latest",
        "--restart=Never",
        "--overrides",
        '{"spec":{"nodeSelector":{"disk":"ssd"}}}',
      ]),
    );
    await until(async () => {
      const r = await c.kubectl(["get", "pod", "early", "-o", "jsonpath={.status.conditions[0].message}"]);
      return /^0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector\./.test(
        r.stdout,
      )
        ? true
        : undefined;
    }, "the unschedulable condition");

    for (const [name, labels] of [
      ["n1", "disk: ssd"],
      ["n2", "disk: hdd"],
    ]) {
      ok(await c.kubectl(["apply", "-f", "-"], { input: node(name, labels) }));
      ok(
        await c.kubectl([
          "patch",
          "node",
          name,
          "--subresource=status",
          "--type=merge",
          "-p",
          '{"status":{"allocatable":{"cpu":"2","memory":"4Gi","pods":"10"},"capacity":{"cpu":"2","memory":"4Gi","pods":"10"}}}',
        ]),
      );
    }
    // The node's arrival moves the early pod back into the queue.
    const early = await until(async () => {
      const r = await c.kubectl(["get", "pod", "early", "-o", "jsonpath={.spec.nodeName}"]);
      return r.stdout || undefined;
    }, "early to be bound");
    assert.equal(early, "n1");

    ok(
      await c.kubectl([
        "run",
        "ssd",
        "--image=k8ts.local/busybox:latest",
        "--overrides",
        '{"spec":{"nodeSelector":{"disk":"ssd"}}}',
      ]),
    );
    const wide = await until(async () => {
      const r = ok(await c.kubectl(["get", "pod", "ssd", "-o", "wide", "--no-headers"]));
      return /\sn1\s/.test(r.stdout) ? r.stdout : undefined;
    }, "ssd on n1");
    assert.match(wide, /^ssd\s+0\/1\s+Pending/);

    ok(
      await c.kubectl([
        "run",
        "nvme",
        "--image=k8ts.local/busybox:latest",
        "--overrides",
        '{"spec":{"nodeSelector":{"disk":"nvme"}}}',
      ]),
    );
    const expected =
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    const described = await until(async () => {
      const r = ok(await c.kubectl(["describe", "pod", "nvme"]));
      return r.stdout.includes("FailedScheduling") ? r.stdout : undefined;
    }, "a FailedScheduling event");
    assert.ok(described.includes(expected), described);
    assert.match(
      described,
      /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available/,
    );

    const explain = await promisify(execFile)(join(ROOT, "k8ts"), [
      "explain-schedule",
      "nvme",
      "--data-dir",
      c.dataDir,
    ]);
    assert.match(explain.stdout, /Result:\s+Unschedulable/);
    assert.match(
      explain.stdout,
      /NodeAffinity \(UnschedulableAndUnresolvable\): node\(s\) didn't match Pod's node affinity\/selector\n\s+(\S+, )*n1, n2(, \S+)*\n/,
    );

    const scheduled = await promisify(execFile)(join(ROOT, "k8ts"), [
      "explain-schedule",
      "default/ssd",
      "--data-dir",
      c.dataDir,
    ]);
    assert.match(scheduled.stdout, /Result:\s+Scheduled on n1/);
    // The secure port authorizes through the apiserver: the scheduler's own identity may not read explanations.
    const denied = await promisify(execFile)(join(ROOT, "k8ts"), [
      "explain-schedule",
      "ssd",
      "--data-dir",
      c.dataDir,
      "--kubeconfig",
      join(c.dataDir, "scheduler.kubeconfig"),
    ]).then(
      () => assert.fail("the scheduler's own identity read an explanation"),
      (e: { stderr: string }) => e.stderr,
    );
    assert.match(denied, /forbidden: User "system:kube-scheduler" cannot get path "\/debug\/explain"/);
    assert.match(scheduled.stdout, /NodeAffinity \(UnschedulableAndUnresolvable\)[^\n]*\n\s+(\S+, )*n2\b/);
  });
});
