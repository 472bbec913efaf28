// Preemption and leader-election failover, end to end.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { runScheduler } from "../../src/scheduler/run.ts";
import { schedulerConfig, startCluster, type TestCluster } from "./cluster.ts";

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

test("preemption evicts the fewest, lowest-priority victims and nominates the node", async () => {
  c = await startCluster();
  await c.node("n1", { cpu: "2" });
  await c.node("n2", { cpu: "2" });
  await c.startScheduler();
  // n1: two low-priority pods; n2: one medium-priority pod using all of it.
  await c.pod(
    "low-a",
    { priority: 1, nodeSelector: { "kubernetes.io/hostname": "n1" } },
    { requests: { cpu: "1" } },
  );
  await c.pod(
    "low-b",
    { priority: 1, nodeSelector: { "kubernetes.io/hostname": "n1" } },
    { requests: { cpu: "1" } },
  );
  await c.pod(
    "mid",
    { priority: 5, nodeSelector: { "kubernetes.io/hostname": "n2" } },
    { requests: { cpu: "2" } },
  );
  for (const p of ["low-a", "low-b", "mid"]) await c.nodeOf(p);

  // Needs 1 cpu at priority 10: evicting one pod on n1 is the cheapest (lowest priority).
  await c.pod("high", { priority: 10 }, { requests: { cpu: "1" } });
  const high = await c.waitFor("high", (p) => p.status?.nominatedNodeName === "n1", "nominatedNodeName");
  assert.equal(high.spec?.nodeName, undefined);
  const terminating = async (name: string) =>
    (await c!.client.get<Pod>(Resources.pods, name, { namespace: "default" }).catch(() => undefined))
      ?.metadata?.deletionTimestamp !== undefined;
  // Exactly one victim, on n1; the medium-priority pod is untouched.
  const victims = [
    (await terminating("low-a")) ? "low-a" : "",
    (await terminating("low-b")) ? "low-b" : "",
  ].filter(Boolean);
  assert.equal(victims.length, 1);
  assert.equal(await terminating("mid"), false);
  const victim = await c.get(victims[0]);
  const cond = victim.status?.conditions?.find((x) => x.type === "DisruptionTarget");
  assert.equal(cond?.reason, "PreemptionByScheduler");

  // No kubelet here: finish the graceful deletion by hand; the preemptor then lands on n1.
  await c.client.delete(Resources.pods, victims[0], { namespace: "default", gracePeriodSeconds: 0 });
  assert.equal(await c.nodeOf("high"), "n1");
});

test("leader election fails over between two schedulers", async () => {
  c = await startCluster();
  await c.node("n1");
  const config = () => {
    const cfg = schedulerConfig();
    cfg.leaderElection = {
      ...cfg.leaderElection,
      leaderElect: true,
      leaseDurationMs: 1500,
      renewDeadlineMs: 1000,
      retryPeriodMs: 200,
    };
    return cfg;
  };
  const first = new AbortController();
  const second = new AbortController();
  const r1 = runScheduler({
    client: c.client,
    config: config(),
    signal: first.signal,
    identity: "one",
    log: () => {},
  });
  await c.pod("before", {});
  assert.equal(await c.nodeOf("before"), "n1");
  const r2 = runScheduler({
    client: c.client,
    config: config(),
    signal: second.signal,
    identity: "two",
    log: () => {},
  });
  const lease = async () =>
    (
      await c!.client.get<{ spec: { holderIdentity: string } }>(Resources.leases, "kube-scheduler", {
        namespace: "kube-system",
      })
    ).spec.holderIdentity;
  assert.equal(await lease(), "one");
  first.abort(); // releases the lease on the way out
  await r1;
  await c.pod("after", {});
  assert.equal(await c.nodeOf("after"), "n1");
  assert.equal(await lease(), "two");
  second.abort();
  await r2;
});
