// The TTL-after-finished controller against a real apiserver on a FakeClock:
// a finished Job whose TTL has run out is deleted in the foreground (no
// garbage collector runs here, so it stays with its deletionTimestamp and the
// foregroundDeletion finalizer); before then, and without a TTL or a finish,
// it is left alone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Job } from "kubernetes-types/batch/v1.d.ts";
import { FakeClock } from "../../src/client/fake-clock.ts";
import { Resources } from "../../src/client/resources.ts";
import { ttlAfterFinishedControllerDescriptor } from "../../src/controllers/ttlafterfinished/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
const clock = new FakeClock(Date.now());
before(async () => {
  c = await startControllerCluster({
    nodes: 1,
    scheduler: false,
    controllers: [ttlAfterFinishedControllerDescriptor],
    clock,
  });
});
after(() => c.stop());

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

async function createJob(name: string, ttl?: number): Promise<Job> {
  return c.client.create<Job>(
    Resources.jobs,
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name, namespace: "default" },
      spec: {
        ttlSecondsAfterFinished: ttl,
        template: {
          spec: { restartPolicy: "Never", containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
        },
      },
    },
    { namespace: "default" },
  );
}

/** Marks the Job Complete (or Failed) at `at`, as the Job controller would. */
async function finish(name: string, at: number, how: "Complete" | "Failed" = "Complete"): Promise<Job> {
  const job = await c.client.get<Job>(Resources.jobs, name, { namespace: "default" });
  const t = iso(at);
  const condition = (type: string) => ({ type, status: "True", lastProbeTime: t, lastTransitionTime: t });
  job.status =
    how === "Complete"
      ? {
          startTime: t,
          completionTime: t,
          succeeded: 1,
          conditions: [condition("SuccessCriteriaMet"), condition("Complete")],
        }
      : { startTime: t, failed: 1, conditions: [condition("FailureTarget"), condition("Failed")] };
  return c.client.update<Job>(Resources.jobs, job, { namespace: "default", subresource: "status" });
}

const get = (name: string) => c.client.get<Job>(Resources.jobs, name, { namespace: "default" });

async function waitForDeletion(name: string): Promise<Job> {
  return c.waitFor(`${name} being deleted`, async () => {
    const j = await get(name);
    return j.metadata?.deletionTimestamp !== undefined && j;
  });
}

/** Long enough for a reconcile that should not happen to have happened. */
const settle = () => new Promise((r) => setTimeout(r, 600));

test("a finished Job with ttlSecondsAfterFinished 0 is deleted in the foreground", async () => {
  await createJob("ttl-zero", 0);
  await finish("ttl-zero", clock.now());
  const j = await waitForDeletion("ttl-zero");
  assert.deepEqual(j.metadata?.finalizers, ["foregroundDeletion"]);
});

test("a failed Job is cleaned up too", async () => {
  await createJob("ttl-failed", 0);
  await finish("ttl-failed", clock.now(), "Failed");
  await waitForDeletion("ttl-failed");
});

test("with a TTL of 5 s the Job stays until the clock passes finish + 5 s", async () => {
  await createJob("ttl-five", 5);
  const finishedAt = Math.floor(clock.now() / 1000) * 1000;
  await finish("ttl-five", finishedAt);
  clock.step(finishedAt + 4000 - clock.now());
  await settle();
  assert.equal((await get("ttl-five")).metadata?.deletionTimestamp, undefined);
  clock.step(1500);
  await waitForDeletion("ttl-five");
});

test("a TTL raised before it runs out pushes the deletion back", async () => {
  await createJob("ttl-raised", 5);
  const finishedAt = Math.floor(clock.now() / 1000) * 1000;
  await finish("ttl-raised", finishedAt);
  const job = await get("ttl-raised");
  job.spec!.ttlSecondsAfterFinished = 60;
  await c.client.update(Resources.jobs, job, { namespace: "default" });
  clock.step(finishedAt + 10_000 - clock.now());
  await settle();
  assert.equal((await get("ttl-raised")).metadata?.deletionTimestamp, undefined);
  clock.step(finishedAt + 61_000 - clock.now());
  await waitForDeletion("ttl-raised");
});

test("Jobs without a TTL, or not finished, are left alone", async () => {
  await createJob("no-ttl");
  await finish("no-ttl", clock.now() - 3_600_000);
  await createJob("running", 0);
  clock.step(120_000);
  await settle();
  assert.equal((await get("no-ttl")).metadata?.deletionTimestamp, undefined);
  assert.equal((await get("running")).metadata?.deletionTimestamp, undefined);
});
