// The Job controller against a real apiserver, scheduler and hollow kubelets
// whose fake runtime makes containers exit (fake.k8ts.io/run-seconds and
// exit-code). Each test checks the end state v1.32 produces: status counters,
// conditions (the interim SuccessCriteriaMet / FailureTarget, then Complete /
// Failed), events, pods, and that no finished pod keeps the tracking
// finalizer. The tests run concurrently, each on its own Job.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Job, JobCondition, JobSpec } from "kubernetes-types/batch/v1.d.ts";
import type { Event, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { jobControllerDescriptor } from "../../src/controllers/job/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
const INDEX_KEY = "batch.kubernetes.io/job-completion-index";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ nodes: 2, controllers: [jobControllerDescriptor] });
});
after(() => c.stop());

function newJob(
  name: string,
  spec: Omit<JobSpec, "template">,
  annotations: Record<string, string> = {},
  restartPolicy = "Never",
): Job & { metadata: object } {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: {
      ...spec,
      template: {
        metadata: { annotations },
        spec: { restartPolicy, containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
      },
    },
  };
}

const create = (j: Job & { metadata: object }) =>
  c.client.create<Job & { metadata: object }>(Resources.jobs, j);
const getJob = (name: string) => c.client.get<Job>(Resources.jobs, name, { namespace: "default" });
const jobPods = (name: string) => c.pods({ labelSelector: `batch.kubernetes.io/job-name=${name}` });

function condition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((x) => x.type === type);
}

/** Waits until the Job has the condition True; returns the Job. */
function waitForCondition(name: string, type: string, ms = 30_000): Promise<Job> {
  return c.waitFor(
    `job ${name} ${type}`,
    async () => {
      const j = await getJob(name);
      return condition(j, type)?.status === "True" ? j : undefined;
    },
    ms,
  );
}

async function jobEvents(name: string): Promise<Event[]> {
  const all = await c.list<Event>(Resources.events);
  return all.filter((e) => e.involvedObject.kind === "Job" && e.involvedObject.name === name);
}

function waitForEvent(name: string, reason: string): Promise<Event> {
  return c.waitFor(`event ${reason} of job ${name}`, async () =>
    (await jobEvents(name)).find((e) => e.reason === reason),
  );
}

/** Every pod of the Job finished or gone, and none keeps the tracking finalizer. */
async function assertNoTrackingFinalizers(name: string): Promise<void> {
  const pods = await c.waitFor(`tracking finalizers of ${name} removed`, async () => {
    const pods = await jobPods(name);
    return pods.every((p) => !p.metadata?.finalizers?.includes(TRACKING_FINALIZER)) ? pods : undefined;
  });
  for (const p of pods) assert.ok(!p.metadata?.finalizers?.includes(TRACKING_FINALIZER), p.metadata?.name);
}

function isActive(p: Pod): boolean {
  return p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed" && !p.metadata?.deletionTimestamp;
}

describe("job controller", { concurrency: true }, () => {
  test("completions 3, parallelism 2: Complete with succeeded 3, never more than 2 active", async () => {
    const name = "work";
    await create(newJob(name, { completions: 3, parallelism: 2 }, { "fake.k8ts.io/run-seconds": "1" }));
    let maxActive = 0;
    let done = false;
    const watcher = (async () => {
      while (!done) {
        const active = (await jobPods(name)).filter(isActive).length;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const job = await waitForCondition(name, "Complete");
    done = true;
    await watcher;
    assert.ok(maxActive <= 2, `at most 2 active pods, saw ${maxActive}`);
    assert.equal(maxActive, 2);
    const s = job.status ?? {};
    assert.equal(s.succeeded, 3);
    assert.equal(s.failed, undefined);
    assert.equal(s.active, undefined);
    assert.equal(s.ready, 0);
    assert.equal(s.terminating, 0);
    assert.deepEqual(s.uncountedTerminatedPods, {});
    assert.ok(s.startTime && s.completionTime);
    assert.ok(Date.parse(s.completionTime) >= Date.parse(s.startTime));
    // v1.32: SuccessCriteriaMet first, then Complete, neither with a reason.
    assert.deepEqual(
      s.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      [
        ["SuccessCriteriaMet", "True", undefined, undefined],
        ["Complete", "True", undefined, undefined],
      ],
    );
    // completionTime is the finished condition's time from the sync that decided it; Complete's own time
    // is taken when it is added (upstream's enactJobFinished): the same second, or the next one.
    const completeAt = Date.parse(condition(job, "Complete")?.lastTransitionTime ?? "");
    const skew = completeAt - Date.parse(s.completionTime);
    assert.ok(skew >= 0 && skew <= 1000, `Complete at ${completeAt}, completionTime ${s.completionTime}`);
    const pods = await jobPods(name);
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.status?.phase === "Succeeded"));
    assert.ok(pods.every((p) => p.metadata?.generateName === "work-"));
    await assertNoTrackingFinalizers(name);
    const completed = await waitForEvent(name, "Completed");
    assert.equal(completed.message, "Job completed");
    assert.equal(completed.type, "Normal");
    assert.equal(completed.source?.component, "job-controller");
    const created = (await jobEvents(name)).filter((e) => e.reason === "SuccessfulCreate");
    assert.deepEqual(
      created.map((e) => e.message).sort(),
      pods.map((p) => `Created pod: ${p.metadata?.name}`).sort(),
    );
  });

  test("backoffLimit 1: the replacement waits out the 10 s backoff, then Failed BackoffLimitExceeded with failed 2", async () => {
    const name = "flaky";
    await create(
      newJob(name, { backoffLimit: 1 }, { "fake.k8ts.io/run-seconds": "1", "fake.k8ts.io/exit-code": "1" }),
    );
    const job = await waitForCondition(name, "Failed", 35_000);
    const s = job.status ?? {};
    assert.equal(s.failed, 2);
    assert.equal(s.succeeded, undefined);
    assert.equal(s.active, undefined);
    assert.equal(s.completionTime, undefined);
    assert.deepEqual(
      s.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      [
        ["FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
        ["Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
      ],
    );
    const pods = (await jobPods(name)).sort((a, b) =>
      (a.metadata?.creationTimestamp ?? "").localeCompare(b.metadata?.creationTimestamp ?? ""),
    );
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.status?.phase === "Failed"));
    const firstFinished = Date.parse(
      pods[0].status?.containerStatuses?.[0].state?.terminated?.finishedAt ?? "",
    );
    const secondCreated = Date.parse(pods[1].metadata?.creationTimestamp ?? "");
    assert.ok(
      secondCreated - firstFinished >= 10_000,
      `replacement created ${secondCreated - firstFinished} ms after the failure`,
    );
    await assertNoTrackingFinalizers(name);
    const ev = await waitForEvent(name, "BackoffLimitExceeded");
    assert.equal(ev.type, "Warning");
    assert.equal(ev.message, "Job has reached the specified backoff limit");
  });

  test("Indexed, completions 3: completedIndexes 0-2, each pod with its index", async () => {
    const name = "idx";
    await create(
      newJob(
        name,
        { completions: 3, parallelism: 3, completionMode: "Indexed" },
        { "fake.k8ts.io/run-seconds": "1" },
      ),
    );
    const job = await waitForCondition(name, "Complete");
    assert.equal(job.status?.completedIndexes, "0-2");
    assert.equal(job.status?.succeeded, 3);
    const pods = (await jobPods(name)).sort((a, b) =>
      (a.metadata?.annotations?.[INDEX_KEY] ?? "").localeCompare(b.metadata?.annotations?.[INDEX_KEY] ?? ""),
    );
    assert.equal(pods.length, 3);
    pods.forEach((p, i) => {
      assert.equal(p.metadata?.annotations?.[INDEX_KEY], `${i}`);
      assert.equal(p.metadata?.labels?.[INDEX_KEY], `${i}`);
      assert.ok(p.metadata?.generateName === `idx-${i}-`, p.metadata?.generateName);
      assert.ok(p.metadata?.name?.startsWith(`idx-${i}-`));
      assert.equal(p.spec?.hostname, `idx-${i}`);
      const env = p.spec?.containers[0].env?.find((e) => e.name === "JOB_COMPLETION_INDEX");
      assert.equal(env?.valueFrom?.fieldRef?.fieldPath, `metadata.labels['${INDEX_KEY}']`);
      assert.equal(p.status?.phase, "Succeeded");
    });
    await assertNoTrackingFinalizers(name);
  });

  test("activeDeadlineSeconds 2: Failed DeadlineExceeded, running pods deleted", async () => {
    const name = "slow";
    const created = await create(newJob(name, { parallelism: 2, completions: 2, activeDeadlineSeconds: 2 }));
    const job = await waitForCondition(name, "Failed", 25_000);
    const s = job.status ?? {};
    assert.deepEqual(
      s.conditions?.map((x) => [x.type, x.reason, x.message]),
      [
        ["FailureTarget", "DeadlineExceeded", "Job was active longer than specified deadline"],
        ["Failed", "DeadlineExceeded", "Job was active longer than specified deadline"],
      ],
    );
    // The deleted pods count as failed.
    assert.equal(s.failed, 2);
    assert.equal(s.active, undefined);
    assert.equal(s.terminating, 0);
    const failedAt = Date.parse(condition(job, "FailureTarget")?.lastTransitionTime ?? "");
    assert.ok(failedAt - Date.parse(s.startTime ?? "") >= 2000);
    await c.waitFor(
      "pods of the deadline job deleted",
      async () => (await jobPods(name)).length === 0,
      20_000,
    );
    const ev = await waitForEvent(name, "DeadlineExceeded");
    assert.equal(ev.type, "Warning");
    assert.equal(ev.message, "Job was active longer than specified deadline");
    const deletes = (await jobEvents(name)).filter((e) => e.reason === "SuccessfulDelete");
    assert.equal(deletes.length, 2);
    assert.ok(created.metadata);
  });

  test("suspend deletes the pods without counting them; resume restarts them and the clock", async () => {
    const name = "pausable";
    await create(newJob(name, { parallelism: 2, completions: 4, suspend: true }));
    let job = await waitForCondition(name, "Suspended");
    assert.equal(condition(job, "Suspended")?.reason, "JobSuspended");
    assert.equal(condition(job, "Suspended")?.message, "Job suspended");
    assert.equal(job.status?.startTime, undefined, "a Job created suspended has not started");
    assert.equal((await jobPods(name)).length, 0);
    await waitForEvent(name, "Suspended");

    await c.client.patch(
      Resources.jobs,
      name,
      { spec: { suspend: false } },
      { namespace: "default", type: "merge" },
    );
    job = await c.waitFor("resumed job with 2 ready pods", async () => {
      const j = await getJob(name);
      return condition(j, "Suspended")?.status === "False" && j.status?.ready === 2 ? j : undefined;
    });
    assert.equal(condition(job, "Suspended")?.reason, "JobResumed");
    assert.equal(condition(job, "Suspended")?.message, "Job resumed");
    assert.ok(job.status?.startTime);
    assert.equal(job.status?.active, 2);
    assert.equal((await waitForEvent(name, "Resumed")).message, "Job resumed");

    await c.client.patch(
      Resources.jobs,
      name,
      { spec: { suspend: true } },
      { namespace: "default", type: "merge" },
    );
    job = await c.waitFor("suspended job without pods", async () => {
      const j = await getJob(name);
      const pods = await jobPods(name);
      const settled = pods.length === 0 && j.status?.terminating === 0;
      return condition(j, "Suspended")?.status === "True" && settled ? j : undefined;
    });
    assert.equal(condition(job, "Suspended")?.reason, "JobSuspended");
    assert.equal(job.status?.active, undefined);
    assert.equal(job.status?.failed, undefined, "pods deleted by suspension are not failures");
    assert.equal(condition(job, "Complete"), undefined);
    assert.equal(condition(job, "Failed"), undefined);
  });

  test("podFailurePolicy FailJob on exit code 42: Failed PodFailurePolicy at the first failure", async () => {
    const name = "strict";
    await create(
      newJob(
        name,
        {
          backoffLimit: 6,
          podFailurePolicy: {
            rules: [{ action: "FailJob", onExitCodes: { operator: "In", values: [42] } }],
          },
        },
        { "fake.k8ts.io/run-seconds": "1", "fake.k8ts.io/exit-code": "42" },
      ),
    );
    const job = await waitForCondition(name, "Failed");
    const pods = await jobPods(name);
    assert.equal(pods.length, 1);
    const msg = `Container c for pod default/${pods[0].metadata?.name} failed with exit code 42 matching FailJob rule at index 0`;
    assert.deepEqual(
      job.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      [
        ["FailureTarget", "True", "PodFailurePolicy", msg],
        ["Failed", "True", "PodFailurePolicy", msg],
      ],
    );
    assert.equal(job.status?.failed, 1);
    assert.equal(pods[0].status?.phase, "Failed");
    await assertNoTrackingFinalizers(name);
    const ev = await waitForEvent(name, "PodFailurePolicy");
    assert.equal(ev.type, "Warning");
    assert.equal(ev.message, msg);
  });
});
