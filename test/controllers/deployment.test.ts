// The Deployment controller with the ReplicaSet controller, the scheduler and
// hollow kubelets: rollouts, rollbacks the way kubectl rollout undo does them,
// Recreate, pause/resume, a stalled rollout past its deadline, history
// cleanup and proportional scaling, checked by the objects, statuses,
// conditions and events they leave behind.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Deployment, DeploymentCondition, ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Event, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { deploymentControllerDescriptor } from "../../src/controllers/deployment/index.ts";
import { replicaSetControllerDescriptor } from "../../src/controllers/replicaset/index.ts";
import { getControllerOf } from "../../src/controllers/util/owner.ts";
import { updateRetryingConflicts } from "../support/update.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({
    nodes: 2,
    controllers: [replicaSetControllerDescriptor, deploymentControllerDescriptor],
  });
});
after(() => c.stop());

const REVISION = "deployment.kubernetes.io/revision";
const CRASH = { "fake.k8ts.io/run-seconds": "0", "fake.k8ts.io/exit-code": "1" };
type Obj<T> = T & { metadata: NonNullable<Deployment["metadata"]> };

function deployment(
  name: string,
  replicas: number,
  spec: Partial<NonNullable<Deployment["spec"]>> = {},
): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", annotations: { "kubernetes.io/change-cause": "v1" } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
      },
      ...spec,
    },
  };
}

const getD = (name: string) =>
  c.client.get<Obj<Deployment>>(Resources.deployments, name, { namespace: "default" });

async function replicaSetsOf(name: string): Promise<Obj<ReplicaSet>[]> {
  const d = await getD(name);
  return (await c.list<Obj<ReplicaSet>>(Resources.replicasets)).filter(
    (rs) => getControllerOf(rs)?.uid === d.metadata.uid,
  );
}

function cond(d: Deployment, type: string): DeploymentCondition | undefined {
  return d.status?.conditions?.find((x) => x.type === type);
}

/** Waits for upstream's "successfully rolled out" (kubectl rollout status) with Progressing NewReplicaSetAvailable. */
function waitComplete(name: string, ms = 25_000): Promise<Obj<Deployment>> {
  return c.waitFor(
    `deployment ${name} complete`,
    async () => {
      const d = await getD(name);
      const s = d.status ?? {};
      const want = d.spec?.replicas;
      const done =
        (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        s.updatedReplicas === want &&
        s.replicas === want &&
        s.availableReplicas === want &&
        cond(d, "Progressing")?.reason === "NewReplicaSetAvailable";
      return done ? d : false;
    },
    ms,
  );
}

function setTemplate(name: string, mutate: (d: Obj<Deployment>) => void): Promise<Obj<Deployment>> {
  return updateRetryingConflicts<Obj<Deployment>>(
    c.client,
    Resources.deployments,
    name,
    (d) => {
      mutate(d);
      return d;
    },
    { namespace: "default" },
  );
}

/** Each wanted ScalingReplicaSet message is among the Deployment's events; waited for, as events are sent after the writes they tell of. */
async function assertScalingEvents(name: string, wanted: string[]): Promise<void> {
  let got: string[] = [];
  await c
    .waitFor(`${name}'s ScalingReplicaSet events`, async () => {
      got = await eventMessages(name, "ScalingReplicaSet");
      return wanted.every((m) => got.includes(m));
    })
    .catch(() => {});
  for (const m of wanted) assert.ok(got.includes(m), got.join("\n"));
}

async function eventMessages(name: string, reason: string): Promise<string[]> {
  return (await c.list<Event>(Resources.events))
    .filter((e) => e.involvedObject.name === name && e.reason === reason)
    .map((e) => e.message ?? "");
}

const active = (pods: Pod[]) => pods.filter((p) => !p.metadata?.deletionTimestamp);

describe("deployment controller", { concurrency: true }, () => {
  test("a new deployment becomes available: status, conditions, revision, hash label, event", async () => {
    await c.client.create(Resources.deployments, deployment("web", 3));
    const d = await waitComplete("web");
    const [rs] = await replicaSetsOf("web");
    const hash = rs.metadata.labels?.["pod-template-hash"];
    assert.ok(hash);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual(rs.spec?.selector?.matchLabels, { app: "web", "pod-template-hash": hash });
    assert.equal(rs.spec?.template?.metadata?.labels?.["pod-template-hash"], hash);
    assert.equal(rs.metadata.annotations?.[REVISION], "1");
    assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "3");
    // maxSurge 25% of 3 rounds up to 1.
    assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/max-replicas"], "4");
    assert.equal(rs.metadata.annotations?.["kubernetes.io/change-cause"], "v1");
    assert.equal(d.metadata.annotations?.[REVISION], "1");
    assert.deepEqual(
      {
        observedGeneration: d.status?.observedGeneration,
        replicas: d.status?.replicas,
        updatedReplicas: d.status?.updatedReplicas,
        readyReplicas: d.status?.readyReplicas,
        availableReplicas: d.status?.availableReplicas,
        unavailableReplicas: d.status?.unavailableReplicas,
      },
      {
        observedGeneration: d.metadata.generation,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        unavailableReplicas: undefined,
      },
    );
    const available = cond(d, "Available")!;
    assert.deepEqual(
      [available.status, available.reason, available.message],
      ["True", "MinimumReplicasAvailable", "Deployment has minimum availability."],
    );
    const progressing = cond(d, "Progressing")!;
    assert.deepEqual(
      [progressing.status, progressing.reason, progressing.message],
      ["True", "NewReplicaSetAvailable", `ReplicaSet "${rs.metadata.name}" has successfully progressed.`],
    );
    const pods = active(await c.pods({ labelSelector: "app=web" }));
    assert.equal(pods.length, 3);
    for (const p of pods) assert.equal(p.metadata?.labels?.["pod-template-hash"], hash);
    assert.deepEqual(await eventMessages("web", "ScalingReplicaSet"), [
      `Scaled up replica set ${rs.metadata.name} from 0 to 3`,
    ]);
    // Level-triggered: once done, further syncs (informer events, resyncs) write nothing.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await getD("web")).metadata.resourceVersion, d.metadata.resourceVersion);
    assert.equal((await replicaSetsOf("web"))[0].metadata.resourceVersion, rs.metadata.resourceVersion);
  });

  test("an orphan ReplicaSet with the deployment's template is adopted as its new ReplicaSet", async () => {
    const d0 = deployment("adopt", 2);
    await c.client.create(Resources.replicasets, {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "adopt-orphan", namespace: "default", labels: { app: "adopt" } },
      spec: { replicas: 2, selector: { matchLabels: { app: "adopt" } }, template: d0.spec!.template },
    });
    await c.client.create(Resources.deployments, d0);
    const d = await waitComplete("adopt");
    const rss = await replicaSetsOf("adopt");
    assert.deepEqual(
      rss.map((rs) => rs.metadata.name),
      ["adopt-orphan"],
    );
    assert.equal(getControllerOf(rss[0])?.name, "adopt");
    assert.equal(rss[0].metadata.annotations?.[REVISION], "1");
    assert.equal(d.metadata.annotations?.[REVISION], "1");
    const progressing = cond(d, "Progressing")!;
    assert.equal(progressing.message, 'ReplicaSet "adopt-orphan" has successfully progressed.');
  });

  test("RollingUpdate stays within maxSurge, scales the old RS to 0, and kubectl-style undo reuses it as revision 3", async () => {
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await c.client.create(Resources.deployments, deployment("roll", 3, { strategy }));
    await waitComplete("roll");
    const [rs1] = await replicaSetsOf("roll");

    let sampling = true;
    let maxSpec = 0;
    let maxPods = 0;
    const sampler = (async () => {
      while (sampling) {
        const rss = await replicaSetsOf("roll");
        maxSpec = Math.max(
          maxSpec,
          rss.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0),
        );
        maxPods = Math.max(maxPods, active(await c.pods({ labelSelector: "app=roll" })).length);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await setTemplate("roll", (d) => {
      d.metadata.annotations = { ...d.metadata.annotations, "kubernetes.io/change-cause": "v2" };
      d.spec!.template.spec!.containers[0].image = "k8ts.local/busybox:v2";
    });
    const d2 = await waitComplete("roll");
    sampling = false;
    await sampler;
    assert.ok(maxSpec <= 4, `replica sets asked for ${maxSpec} pods, more than replicas+maxSurge`);
    assert.ok(maxPods <= 4, `${maxPods} pods ran at once, more than replicas+maxSurge`);
    assert.equal(d2.metadata.annotations?.[REVISION], "2");
    const byName = new Map((await replicaSetsOf("roll")).map((rs) => [rs.metadata.name, rs]));
    assert.equal(byName.size, 2);
    const old = byName.get(rs1.metadata.name)!;
    const rs2 = [...byName.values()].find((rs) => rs.metadata.name !== rs1.metadata.name)!;
    assert.equal(old.spec?.replicas, 0);
    assert.equal(old.metadata.annotations?.[REVISION], "1");
    assert.equal(old.metadata.annotations?.["kubernetes.io/change-cause"], "v1");
    assert.equal(rs2.spec?.replicas, 3);
    assert.equal(rs2.metadata.annotations?.[REVISION], "2");
    assert.equal(rs2.metadata.annotations?.["kubernetes.io/change-cause"], "v2");
    await assertScalingEvents("roll", [
      `Scaled up replica set ${rs2.metadata.name} from 0 to 1`,
      `Scaled down replica set ${rs1.metadata.name} from 1 to 0`,
    ]);

    // What kubectl rollout undo sends: the old RS's template without its hash label, and its annotations.
    const template = structuredClone(old.spec!.template!);
    delete template.metadata!.labels!["pod-template-hash"];
    const skip = new Set([
      "kubectl.kubernetes.io/last-applied-configuration",
      REVISION,
      "deployment.kubernetes.io/revision-history",
      "deployment.kubernetes.io/desired-replicas",
      "deployment.kubernetes.io/max-replicas",
      "deprecated.deployment.rollback.to",
    ]);
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d2.metadata.annotations ?? {})) if (skip.has(k)) annotations[k] = v;
    for (const [k, v] of Object.entries(old.metadata.annotations ?? {})) if (!skip.has(k)) annotations[k] = v;
    await c.client.patch(
      Resources.deployments,
      "roll",
      [
        { op: "replace", path: "/spec/template", value: template },
        { op: "replace", path: "/metadata/annotations", value: annotations },
      ],
      { namespace: "default", type: "json" },
    );
    const d3 = await c.waitFor("revision 3", async () => {
      const d = await waitComplete("roll");
      return d.metadata.annotations?.[REVISION] === "3" ? d : false;
    });
    assert.equal(d3.metadata.annotations?.["kubernetes.io/change-cause"], "v1");
    const after = new Map((await replicaSetsOf("roll")).map((rs) => [rs.metadata.name, rs]));
    assert.equal(after.size, 2, "the old RS is reused, not recreated");
    const back = after.get(rs1.metadata.name)!;
    assert.equal(back.spec?.replicas, 3);
    assert.equal(back.metadata.annotations?.[REVISION], "3");
    assert.equal(back.metadata.annotations?.["deployment.kubernetes.io/revision-history"], "1");
    assert.equal(after.get(rs2.metadata.name)?.spec?.replicas, 0);
  });

  // Upstream's oldPodsRunning: an old pod counts until it is gone or terminal (Failed/Succeeded),
  // as the kubelet reports a deleted pod before its object goes.
  test("Recreate ends every old pod before the new replica set creates one", async () => {
    await c.client.create(
      Resources.deployments,
      deployment("recreate", 2, { strategy: { type: "Recreate" } }),
    );
    await waitComplete("recreate");
    const [rs1] = await replicaSetsOf("recreate");
    const oldHash = rs1.metadata.labels?.["pod-template-hash"];
    const live = new Set((await c.pods({ labelSelector: "app=recreate" })).map((p) => p.metadata?.name));
    const violations: string[] = [];
    let newPods = 0;
    const abort = new AbortController();
    const watching = (async () => {
      try {
        for await (const ev of c.client.watch<Pod>(Resources.pods, {
          namespace: "default",
          labelSelector: "app=recreate",
          signal: abort.signal,
        })) {
          if (ev.type === "BOOKMARK" || ev.type === "ERROR") continue;
          const p = ev.object;
          const isOld = p.metadata?.labels?.["pod-template-hash"] === oldHash;
          const terminal = p.status?.phase === "Failed" || p.status?.phase === "Succeeded";
          if (ev.type === "DELETED" || (isOld && terminal)) live.delete(p.metadata?.name);
          else if (ev.type === "ADDED" && !isOld) {
            newPods++;
            if (live.size > 0)
              violations.push(`${p.metadata?.name} created while ${[...live].join(",")} existed`);
          }
        }
      } catch {
        // aborted
      }
    })();
    await setTemplate("recreate", (d) => {
      d.spec!.template.spec!.containers[0].image = "k8ts.local/busybox:v2";
    });
    const d = await c.waitFor("revision 2 complete", async () => {
      const d = await waitComplete("recreate");
      return d.metadata.annotations?.[REVISION] === "2" ? d : false;
    });
    abort.abort();
    await watching;
    assert.deepEqual(violations, []);
    assert.equal(newPods, 2, "the watch saw the new pods");
    assert.equal(d.status?.replicas, 2);
    const rss = await replicaSetsOf("recreate");
    assert.equal(rss.find((rs) => rs.metadata.name === rs1.metadata.name)?.spec?.replicas, 0);
    assert.ok(
      (await eventMessages("recreate", "ScalingReplicaSet")).includes(
        `Scaled down replica set ${rs1.metadata.name} from 2 to 0`,
      ),
    );
  });

  test("a paused deployment scales but does not roll out until resumed", async () => {
    await c.client.create(Resources.deployments, deployment("paused", 2));
    await waitComplete("paused");
    await setTemplate("paused", (d) => {
      d.spec!.paused = true;
    });
    const p = await c.waitFor("Progressing DeploymentPaused", async () => {
      const d = await getD("paused");
      return cond(d, "Progressing")?.reason === "DeploymentPaused" ? d : false;
    });
    assert.deepEqual(
      [cond(p, "Progressing")?.status, cond(p, "Progressing")?.message],
      ["Unknown", "Deployment is paused"],
    );
    const changed = await setTemplate("paused", (d) => {
      d.spec!.template.spec!.containers[0].image = "k8ts.local/busybox:v2";
      d.spec!.replicas = 3;
    });
    // Observed (so kubectl sees the spec) but no new RS: the old one takes the new size.
    await c.waitFor("paused scale observed", async () => {
      const d = await getD("paused");
      const rss = await replicaSetsOf("paused");
      return (
        (d.status?.observedGeneration ?? 0) >= (changed.metadata.generation ?? 0) &&
        d.status?.availableReplicas === 3 &&
        rss.length === 1 &&
        rss[0].spec?.replicas === 3
      );
    });
    assert.equal((await getD("paused")).metadata.annotations?.[REVISION], "1");
    await setTemplate("paused", (d) => {
      d.spec!.paused = false;
    });
    const d = await c.waitFor("resumed rollout", async () => {
      const d = await waitComplete("paused");
      return d.metadata.annotations?.[REVISION] === "2" ? d : false;
    });
    assert.equal(d.status?.updatedReplicas, 3);
    assert.equal((await replicaSetsOf("paused")).length, 2);
  });

  test("a rollout whose pods never become ready exceeds progressDeadlineSeconds", async () => {
    const d0 = deployment("stuck", 1, { progressDeadlineSeconds: 2 });
    d0.spec!.template.metadata!.annotations = CRASH;
    await c.client.create(Resources.deployments, d0);
    const d = await c.waitFor(
      "ProgressDeadlineExceeded",
      async () => {
        const d = await getD("stuck");
        return cond(d, "Progressing")?.reason === "ProgressDeadlineExceeded" ? d : false;
      },
      20_000,
    );
    const [rs] = await replicaSetsOf("stuck");
    const progressing = cond(d, "Progressing")!;
    assert.deepEqual(
      [progressing.status, progressing.message],
      ["False", `ReplicaSet "${rs.metadata.name}" has timed out progressing.`],
    );
    const available = cond(d, "Available")!;
    assert.deepEqual(
      [available.status, available.reason, available.message],
      ["False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."],
    );
    assert.equal(d.status?.unavailableReplicas, 1);
  });

  test("revisionHistoryLimit keeps only that many old replica sets", async () => {
    await c.client.create(Resources.deployments, deployment("history", 1, { revisionHistoryLimit: 1 }));
    await waitComplete("history");
    for (const v of ["v2", "v3"]) {
      await setTemplate("history", (d) => {
        d.spec!.template.spec!.containers[0].image = `k8ts.local/busybox:${v}`;
      });
      await c.waitFor(`rollout to ${v}`, async () => {
        const d = await waitComplete("history");
        return d.spec?.template.spec?.containers[0].image?.endsWith(v) && d.metadata.annotations?.[REVISION];
      });
    }
    const revisions = await c.waitFor("old replica sets cleaned up", async () => {
      const rss = await replicaSetsOf("history");
      return rss.length === 2 && rss.map((rs) => rs.metadata.annotations?.[REVISION]).sort();
    });
    assert.deepEqual(revisions, ["2", "3"]);
  });

  test("scaling a stalled rollout splits the new size proportionally", async () => {
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await c.client.create(Resources.deployments, deployment("prop", 4, { strategy }));
    await waitComplete("prop");
    const [rs1] = await replicaSetsOf("prop");
    const rs1Name = rs1.metadata.name ?? "";
    await setTemplate("prop", (d) => {
      d.spec!.template.metadata!.annotations = CRASH;
    });
    // The new pod never becomes available, so with maxUnavailable 0 the rollout stops at old 4 + new 1.
    const rs2Name = await c.waitFor("stalled at 4 + 1", async () => {
      const rss = await replicaSetsOf("prop");
      const rs2 = rss.find((rs) => rs.metadata.name !== rs1.metadata.name);
      const old = rss.find((rs) => rs.metadata.name === rs1.metadata.name);
      return rs2?.spec?.replicas === 1 && rs2.status?.replicas === 1 && old?.spec?.replicas === 4
        ? (rs2.metadata.name ?? "")
        : false;
    });
    await setTemplate("prop", (d) => {
      d.spec!.replicas = 8;
    });
    // upstream's arithmetic: 4 more (8 + maxSurge 1 - 5), old gets round(4*9/5)-4 = 3, new round(1*9/5)-1 = 1.
    const sizes = await c.waitFor("proportional split", async () => {
      const rss = await replicaSetsOf("prop");
      const m = Object.fromEntries(rss.map((rs) => [rs.metadata.name, rs.spec?.replicas]));
      return m[rs1Name] === 7 && m[rs2Name] === 2 ? m : false;
    });
    assert.deepEqual(sizes, { [rs1Name]: 7, [rs2Name]: 2 });
    for (const rs of await replicaSetsOf("prop")) {
      assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "8");
      assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/max-replicas"], "9");
    }
    await assertScalingEvents("prop", [
      `Scaled up replica set ${rs1.metadata.name} from 4 to 7`,
      `Scaled up replica set ${rs2Name} from 1 to 2`,
    ]);
  });
});
