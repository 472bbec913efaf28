// The CronJob controller against a real apiserver, on a FakeClock: Jobs
// appear when the clock passes a scheduled minute, named by that minute;
// concurrency policies, suspend, history limits, startingDeadlineSeconds,
// timeZone, and a Job made by `kubectl create job --from=cronjob/…`. Each
// test gets its own cluster (a few hundred ms): creation timestamps come from
// the apiserver's real clock, so a shared fake clock would drift ahead of them.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CronJob, Job } from "kubernetes-types/batch/v1.d.ts";
import type { Event } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../src/client/fake-clock.ts";
import { Resources } from "../../src/client/resources.ts";
import type { ControllerDescriptor } from "../../src/controllers/context.ts";
import { cronJobControllerDescriptor } from "../../src/controllers/cronjob/index.ts";
import { jobControllerDescriptor } from "../../src/controllers/job/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const MIN = 60_000;

interface Env {
  c: ControllerCluster;
  clock: FakeClock;
}

async function withCluster(
  fn: (env: Env) => Promise<void>,
  more: ControllerDescriptor[] = [],
): Promise<void> {
  const clock = new FakeClock(Date.now());
  const c = await startControllerCluster({
    nodes: 1,
    scheduler: more.length > 0,
    controllers: [cronJobControllerDescriptor, ...more],
    clock,
  });
  try {
    await fn({ c, clock });
  } finally {
    await c.stop();
  }
}

function cronJobSpec(name: string, spec: Partial<NonNullable<CronJob["spec"]>> = {}): CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "default" },
    spec: {
      schedule: "*/1 * * * *",
      ...spec,
      jobTemplate: {
        metadata: { labels: { app: name }, annotations: { team: "batch" } },
        spec: {
          template: {
            spec: {
              restartPolicy: "Never",
              containers: [{ name: "c", image: "k8ts.local/busybox:latest" }],
            },
          },
        },
      },
    },
  };
}

async function createCronJob(c: ControllerCluster, cj: CronJob): Promise<CronJob> {
  return c.client.create<CronJob>(Resources.cronjobs, cj, { namespace: "default" });
}

const minuteAfter = (ms: number) => Math.floor(ms / MIN) * MIN + MIN;
const jobName = (cj: string, minute: number) => `${cj}-${minute / MIN}`;
/** The first scheduled minute of a "*​/1" CronJob: the minute after its (real-clock) creation. */
const firstMinute = (cj: CronJob) => minuteAfter(Date.parse(cj.metadata!.creationTimestamp!));

/** Moves the fake clock to ms (never back). */
function stepTo(clock: FakeClock, ms: number): void {
  if (ms > clock.now()) clock.step(ms - clock.now());
}

async function jobs(c: ControllerCluster, app: string): Promise<Job[]> {
  return (await c.list<Job>(Resources.jobs, { labelSelector: `app=${app}` })).sort((a, b) =>
    a.metadata!.name!.localeCompare(b.metadata!.name!),
  );
}

const names = (js: Job[]) => js.map((j) => j.metadata?.name);

async function waitForJobs(c: ControllerCluster, app: string, expected: string[]): Promise<Job[]> {
  return c.waitFor(`jobs ${expected.join(", ")}`, async () => {
    const js = await jobs(c, app);
    return JSON.stringify(names(js)) === JSON.stringify(expected) && js;
  });
}

async function getCronJob(c: ControllerCluster, name: string): Promise<CronJob> {
  return c.client.get<CronJob>(Resources.cronjobs, name, { namespace: "default" });
}

async function events(c: ControllerCluster, name: string, reason?: string): Promise<Event[]> {
  return (await c.list<Event>(Resources.events)).filter(
    (e) => e.involvedObject.name === name && (reason === undefined || e.reason === reason),
  );
}

async function waitForEvent(
  c: ControllerCluster,
  name: string,
  reason: string,
  message?: string,
): Promise<Event> {
  return c.waitFor(`event ${reason} on ${name}`, async () =>
    (await events(c, name, reason)).find((e) => message === undefined || e.message === message),
  );
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** What the Job controller writes when a Job succeeds (the status validation asks for all of it). */
async function finishJob(c: ControllerCluster, name: string, how: "Complete" | "Failed", at: number) {
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

test("a */1 CronJob makes a Job named by the scheduled minute, one per minute", () =>
  withCluster(async ({ c, clock }) => {
    const cj = await createCronJob(c, cronJobSpec("tick"));
    const m1 = firstMinute(cj);
    stepTo(clock, m1 + 1000);
    const [job] = await waitForJobs(c, "tick", [jobName("tick", m1)]);

    assert.equal(job.metadata?.labels?.app, "tick");
    assert.equal(job.metadata?.annotations?.team, "batch");
    assert.equal(job.metadata?.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"], iso(m1));
    assert.deepEqual(job.metadata?.ownerReferences, [
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        name: "tick",
        uid: cj.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(
      job.spec?.template.spec?.containers.map((x) => x.image),
      ["k8ts.local/busybox:latest"],
    );

    const status = await c.waitFor("status.active", async () => {
      const s = (await getCronJob(c, "tick")).status;
      return s?.active?.length === 1 && s;
    });
    assert.deepEqual(status.active?.[0], {
      kind: "Job",
      namespace: "default",
      name: job.metadata?.name,
      uid: job.metadata?.uid,
      apiVersion: "batch/v1",
      resourceVersion: status.active?.[0].resourceVersion,
    });
    assert.equal(status.lastScheduleTime, iso(m1));
    await waitForEvent(c, "tick", "SuccessfulCreate", `Created job ${job.metadata?.name}`);

    // Allow: the next minute adds a second Job while the first still runs.
    stepTo(clock, m1 + MIN + 1000);
    await waitForJobs(c, "tick", [jobName("tick", m1), jobName("tick", m1 + MIN)]);
    await c.waitFor("two active", async () => (await getCronJob(c, "tick")).status?.active?.length === 2);

    // The first one completes: it leaves the active list and sets lastSuccessfulTime.
    await finishJob(c, jobName("tick", m1), "Complete", m1 + MIN + 5000);
    const done = await c.waitFor("active list without the finished job", async () => {
      const s = (await getCronJob(c, "tick")).status;
      return s?.active?.length === 1 && s;
    });
    assert.equal(done.active?.[0].name, jobName("tick", m1 + MIN));
    assert.equal(done.lastSuccessfulTime, iso(m1 + MIN + 5000));
    assert.equal(done.lastScheduleTime, iso(m1 + MIN));
    await waitForEvent(
      c,
      "tick",
      "SawCompletedJob",
      `Saw completed job: ${jobName("tick", m1)}, condition: Complete`,
    );
  }));

test("Forbid skips a run while one is active, and starts the missed one when it finishes", () =>
  withCluster(async ({ c, clock }) => {
    const cj = await createCronJob(c, cronJobSpec("forbid", { concurrencyPolicy: "Forbid" }));
    const m1 = firstMinute(cj);
    stepTo(clock, m1 + 1000);
    await waitForJobs(c, "forbid", [jobName("forbid", m1)]);
    await c.waitFor("active", async () => (await getCronJob(c, "forbid")).status?.active?.length === 1);

    stepTo(clock, m1 + MIN + 1000);
    await waitForEvent(
      c,
      "forbid",
      "JobAlreadyActive",
      "Not starting job because prior execution is running and concurrency policy is Forbid",
    );
    assert.deepEqual(names(await jobs(c, "forbid")), [jobName("forbid", m1)]);

    // Without a starting deadline, the skipped minute still runs once the way is clear.
    await finishJob(c, jobName("forbid", m1), "Complete", m1 + MIN + 2000);
    await waitForJobs(c, "forbid", [jobName("forbid", m1), jobName("forbid", m1 + MIN)]);
  }));

test("Replace deletes the active Job and creates the new one", () =>
  withCluster(async ({ c, clock }) => {
    const cj = await createCronJob(c, cronJobSpec("replace", { concurrencyPolicy: "Replace" }));
    const m1 = firstMinute(cj);
    stepTo(clock, m1 + 1000);
    await waitForJobs(c, "replace", [jobName("replace", m1)]);
    await c.waitFor("active", async () => (await getCronJob(c, "replace")).status?.active?.length === 1);

    stepTo(clock, m1 + MIN + 1000);
    await waitForJobs(c, "replace", [jobName("replace", m1 + MIN)]);
    const status = await c.waitFor("active is the new job", async () => {
      const s = (await getCronJob(c, "replace")).status;
      return s?.active?.length === 1 && s.active[0].name === jobName("replace", m1 + MIN) && s;
    });
    assert.equal(status.lastScheduleTime, iso(m1 + MIN));
    await waitForEvent(c, "replace", "SuccessfulDelete", `Deleted job ${jobName("replace", m1)}`);
  }));

test("a suspended CronJob makes no Jobs; resumed, it runs the most recent missed time", () =>
  withCluster(async ({ c, clock }) => {
    const cj = await createCronJob(c, cronJobSpec("paused", { suspend: true }));
    const m1 = firstMinute(cj);
    stepTo(clock, m1 + 2 * MIN + 1000);
    // Give the controller time to (not) act.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await jobs(c, "paused"), []);

    const current = await getCronJob(c, "paused");
    current.spec!.suspend = false;
    await c.client.update(Resources.cronjobs, current, { namespace: "default" });
    await waitForJobs(c, "paused", [jobName("paused", m1 + 2 * MIN)]);
  }));

test("history limits delete the oldest finished Jobs, successful and failed apart", () =>
  withCluster(async ({ c, clock }) => {
    const cj = await createCronJob(
      c,
      cronJobSpec("history", { suspend: true, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }),
    );
    const base = clock.now();
    const make = async (name: string, how: "Complete" | "Failed", at: number) => {
      await c.client.create<Job>(
        Resources.jobs,
        {
          apiVersion: "batch/v1",
          kind: "Job",
          metadata: {
            name,
            namespace: "default",
            labels: { app: "history" },
            ownerReferences: [
              {
                apiVersion: "batch/v1",
                kind: "CronJob",
                name: "history",
                uid: cj.metadata!.uid!,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: cj.spec!.jobTemplate.spec!,
        },
        { namespace: "default" },
      );
      await finishJob(c, name, how, at);
    };
    await make("ok-1", "Complete", base - 3 * MIN);
    await make("ok-2", "Complete", base - 2 * MIN);
    await make("ok-3", "Complete", base - MIN);
    await make("bad-1", "Failed", base - 3 * MIN);
    await make("bad-2", "Failed", base - 2 * MIN);
    await waitForJobs(c, "history", ["bad-2", "ok-3"]);
    for (const gone of ["ok-1", "ok-2", "bad-1"]) {
      await waitForEvent(c, "history", "SuccessfulDelete", `Deleted job ${gone}`);
    }
    const status = await c.waitFor("lastSuccessfulTime", async () => (await getCronJob(c, "history")).status);
    assert.equal(status.lastSuccessfulTime, iso(base - MIN));
  }));

test("startingDeadlineSeconds: a start too late is skipped; the next one runs", () =>
  withCluster(async ({ c, clock }) => {
    const cj = await createCronJob(
      c,
      cronJobSpec("deadline", { suspend: true, startingDeadlineSeconds: 10 }),
    );
    const m1 = firstMinute(cj);
    // 30 s past the minute, outside the 10 s window, the CronJob is resumed.
    stepTo(clock, m1 + 30_000);
    const current = await getCronJob(c, "deadline");
    current.spec!.suspend = false;
    await c.client.update(Resources.cronjobs, current, { namespace: "default" });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await jobs(c, "deadline"), []);

    stepTo(clock, m1 + MIN + 5000);
    await waitForJobs(c, "deadline", [jobName("deadline", m1 + MIN)]);
  }));

test("spec.timeZone: the schedule is read in that zone and the annotation carries its offset", () =>
  withCluster(async ({ c, clock }) => {
    // A time of day in Kolkata (+05:30): in UTC the same fields would be 5.5 hours away.
    const target = minuteAfter(Date.now() + 90_000);
    const wall = new Date(target + 5.5 * 3_600_000);
    const schedule = `${wall.getUTCMinutes()} ${wall.getUTCHours()} * * *`;
    await createCronJob(c, cronJobSpec("zoned", { schedule, timeZone: "Asia/Kolkata" }));
    stepTo(clock, target + 1000);
    const [job] = await waitForJobs(c, "zoned", [jobName("zoned", target)]);
    const pad = (n: number) => String(n).padStart(2, "0");
    assert.equal(
      job.metadata?.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"],
      `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:00+05:30`,
    );
  }));

test("a Job from `kubectl create job --from=cronjob/…` is reported, not deleted, and blocks nothing", () =>
  withCluster(async ({ c, clock }) => {
    const cj = await createCronJob(c, cronJobSpec("manual", { concurrencyPolicy: "Forbid" }));
    // What kubectl sends: the template, the instantiate annotation, the CronJob as controller.
    await c.client.create<Job>(
      Resources.jobs,
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
          name: "manual-run",
          namespace: "default",
          labels: { app: "manual" },
          annotations: { "cronjob.kubernetes.io/instantiate": "manual", team: "batch" },
          ownerReferences: [
            {
              apiVersion: "batch/v1",
              kind: "CronJob",
              name: "manual",
              uid: cj.metadata!.uid!,
              controller: true,
            },
          ],
        },
        spec: cj.spec!.jobTemplate.spec!,
      },
      { namespace: "default" },
    );
    await waitForEvent(
      c,
      "manual",
      "UnexpectedJob",
      "Saw a job that the controller did not create or forgot: manual-run",
    );
    const m1 = firstMinute(cj);
    stepTo(clock, m1 + 1000);
    await waitForJobs(c, "manual", [jobName("manual", m1), "manual-run"]);
    const status = await c.waitFor("active", async () => {
      const s = (await getCronJob(c, "manual")).status;
      return s?.active?.length === 1 && s;
    });
    assert.equal(status.active?.[0].name, jobName("manual", m1));
  }));

test("an active Job deleted behind the controller's back leaves the active list (MissingJob)", () =>
  withCluster(async ({ c, clock }) => {
    const cj = await createCronJob(c, cronJobSpec("missing", { concurrencyPolicy: "Forbid" }));
    const m1 = firstMinute(cj);
    stepTo(clock, m1 + 1000);
    await waitForJobs(c, "missing", [jobName("missing", m1)]);
    await c.waitFor("active", async () => (await getCronJob(c, "missing")).status?.active?.length === 1);
    await c.client.delete(Resources.jobs, jobName("missing", m1), {
      namespace: "default",
      propagationPolicy: "Background",
    });
    await waitForEvent(c, "missing", "MissingJob", `Active job went missing: ${jobName("missing", m1)}`);
    await c.waitFor(
      "active list empty",
      async () => (await getCronJob(c, "missing")).status?.active?.length === 0,
    );
    // Forbid no longer sees anything running: the next minute starts.
    stepTo(clock, m1 + MIN + 1000);
    await waitForJobs(c, "missing", [jobName("missing", m1 + MIN)]);
  }));

test("end to end with the Job controller: the scheduled Job's pod runs, the Job completes, the CronJob sees it", () =>
  withCluster(
    async ({ c, clock }) => {
      const spec = cronJobSpec("e2e", { concurrencyPolicy: "Forbid" });
      spec.spec!.jobTemplate.spec!.template.metadata = { annotations: { "fake.k8ts.io/run-seconds": "1" } };
      const cj = await createCronJob(c, spec);
      const m1 = firstMinute(cj);
      stepTo(clock, m1 + 1000);
      await waitForJobs(c, "e2e", [jobName("e2e", m1)]);
      // The Job controller batches its syncs on the (fake) clock: keep it moving, within the minute.
      const status = await c.waitFor(
        "lastSuccessfulTime and an empty active list",
        async () => {
          if (clock.now() < m1 + 50_000) clock.step(250);
          const s = (await getCronJob(c, "e2e")).status;
          return s?.lastSuccessfulTime !== undefined && s.active?.length === 0 && s;
        },
        30_000,
      );
      assert.equal(status.lastScheduleTime, iso(m1));
      await waitForEvent(
        c,
        "e2e",
        "SawCompletedJob",
        `Saw completed job: ${jobName("e2e", m1)}, condition: Complete`,
      );
    },
    [jobControllerDescriptor],
  ));
