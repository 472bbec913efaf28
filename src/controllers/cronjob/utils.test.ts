// upstream's pkg/controller/cronjob/utils_test.go, case for case.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CronJob, Job } from "kubernetes-types/batch/v1.d.ts";
import { parseStandard } from "../../api/cron/parse.ts";
import { UTC } from "../../api/cron/time-zone.ts";
import {
  byJobStartTime,
  CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION,
  getJobFromTemplate2,
  getJobName,
  type MissedSchedules,
  mostRecentScheduleTime,
  NEXT_SCHEDULE_DELTA_MS,
  nextScheduleTime,
  nextScheduleTimeDuration,
} from "./utils.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** upstream's topOfTheHour(): 2016-05-19T10:00:00Z, a Thursday. */
const TOP = Date.parse("2016-05-19T10:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const sched = (s: string) => parseStandard(s, UTC);

function cronJob(o: {
  schedule: string;
  created: number;
  lastScheduleTime?: number;
  startingDeadlineSeconds?: number;
}): CronJob {
  return {
    metadata: { name: "mycronjob", namespace: "default", uid: "1a2b3c", creationTimestamp: at(o.created) },
    spec: {
      schedule: o.schedule,
      startingDeadlineSeconds: o.startingDeadlineSeconds,
      jobTemplate: {},
    },
    status: o.lastScheduleTime === undefined ? {} : { lastScheduleTime: at(o.lastScheduleTime) },
  };
}

describe("mostRecentScheduleTime", () => {
  const cases: Array<{
    name: string;
    cj: CronJob;
    includeSDS?: boolean;
    now: number;
    earliest?: number;
    recent?: number;
    missed?: MissedSchedules;
    wantErr?: boolean;
  }> = [
    {
      name: "now before next schedule",
      cj: cronJob({ schedule: "0 * * * *", created: TOP }),
      now: TOP + 30_000,
      earliest: TOP,
    },
    {
      name: "now just after next schedule",
      cj: cronJob({ schedule: "0 * * * *", created: TOP }),
      now: TOP + 61 * MIN,
      recent: TOP + 60 * MIN,
      earliest: TOP,
    },
    {
      name: "missed 5 schedules",
      cj: cronJob({ schedule: "0 * * * *", created: TOP + 10_000 }),
      now: TOP + 301 * MIN,
      recent: TOP + 300 * MIN,
      earliest: TOP + 10_000,
      missed: "few",
    },
    {
      name: "complex schedule",
      cj: cronJob({ schedule: "30 6-16/4 * * 1-5", created: TOP, lastScheduleTime: TOP + 30 * MIN }),
      now: TOP + DAY + 31 * MIN,
      recent: TOP + DAY + 30 * MIN,
      earliest: TOP + 30 * MIN,
      missed: "few",
    },
    {
      name: "another complex schedule",
      cj: cronJob({ schedule: "30 10,11,12 * * 1-5", created: TOP, lastScheduleTime: TOP + 30 * MIN }),
      now: TOP + 30 * HOUR + 30 * MIN,
      earliest: TOP + 30 * MIN,
      missed: "few",
    },
    {
      name: "complex schedule with longer diff between executions",
      cj: cronJob({ schedule: "30 6-16/4 * * 1-5", created: TOP, lastScheduleTime: TOP + 30 * MIN }),
      now: TOP + 96 * HOUR + 31 * MIN,
      recent: TOP + 96 * HOUR + 30 * MIN,
      earliest: TOP + 30 * MIN,
      missed: "few",
    },
    {
      name: "complex schedule with shorter diff between executions",
      cj: cronJob({ schedule: "30 6-16/4 * * 1-5", created: TOP }),
      now: TOP + DAY + 31 * MIN,
      recent: TOP + DAY + 30 * MIN,
      earliest: TOP,
      missed: "few",
    },
    {
      name: "@every schedule",
      cj: cronJob({
        schedule: "@every 1h",
        created: TOP - 59 * MIN,
        startingDeadlineSeconds: 10,
        lastScheduleTime: TOP + MIN,
      }),
      now: TOP + 7 * DAY,
      recent: TOP + 6 * DAY + 23 * HOUR + MIN,
      earliest: TOP + MIN,
      missed: "many",
    },
    {
      name: "rogue cronjob",
      cj: cronJob({ schedule: "59 23 31 2 *", created: TOP + 10_000 }),
      now: TOP + HOUR,
      wantErr: true,
    },
    {
      name: "earliestTime being CreationTimestamp and LastScheduleTime",
      cj: cronJob({ schedule: "0 * * * *", created: TOP, lastScheduleTime: TOP }),
      now: TOP + 30_000,
      earliest: TOP,
    },
    {
      name: "earliestTime being LastScheduleTime",
      cj: cronJob({ schedule: "*/5 * * * *", created: TOP, lastScheduleTime: TOP + 30 * MIN }),
      now: TOP + 31 * MIN,
      earliest: TOP + 30 * MIN,
    },
    {
      name: "earliestTime being LastScheduleTime (within StartingDeadlineSeconds)",
      cj: cronJob({
        schedule: "*/5 * * * *",
        created: TOP,
        lastScheduleTime: TOP + 30 * MIN,
        startingDeadlineSeconds: 60,
      }),
      now: TOP + 31 * MIN,
      earliest: TOP + 30 * MIN,
    },
    {
      name: "earliestTime being LastScheduleTime (outside StartingDeadlineSeconds)",
      cj: cronJob({
        schedule: "*/5 * * * *",
        created: TOP,
        lastScheduleTime: TOP + 30 * MIN,
        startingDeadlineSeconds: 60,
      }),
      includeSDS: true,
      now: TOP + 32 * MIN,
      earliest: TOP + 31 * MIN,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = mostRecentScheduleTime(c.cj, c.now, sched(c.cj.spec!.schedule), c.includeSDS ?? false);
      if (c.wantErr) {
        assert.equal(got.error, "time difference between two schedules is less than 1 second");
        assert.equal(got.mostRecentTime, undefined);
        return;
      }
      assert.equal(got.error, undefined);
      assert.equal(at(got.earliestTime), at(c.earliest!));
      assert.equal(
        got.mostRecentTime === undefined ? undefined : at(got.mostRecentTime),
        c.recent && at(c.recent),
      );
      assert.equal(got.missedSchedules, c.missed ?? "none");
    });
  }
});

describe("nextScheduleTimeDuration", () => {
  const cases: Array<{ name: string; cj: CronJob; now: number; expected: number }> = [
    {
      name: "complex schedule skipping weekend",
      cj: cronJob({ schedule: "30 6-16/4 * * 1-5", created: TOP, lastScheduleTime: TOP + 30 * MIN }),
      now: TOP + DAY + 31 * MIN,
      expected: 3 * HOUR + 59 * MIN + NEXT_SCHEDULE_DELTA_MS,
    },
    {
      name: "another complex schedule skipping weekend",
      cj: cronJob({ schedule: "30 10,11,12 * * 1-5", created: TOP, lastScheduleTime: TOP + 30 * MIN }),
      now: TOP + 30 * HOUR + 30 * MIN,
      expected: 66 * HOUR + NEXT_SCHEDULE_DELTA_MS,
    },
    {
      name: "once a week cronjob, missed two runs",
      cj: cronJob({ schedule: "0 12 * * 4", created: TOP, lastScheduleTime: TOP + 2 * HOUR }),
      now: TOP + 19 * DAY + HOUR + 30 * MIN,
      expected: 48 * HOUR + 30 * MIN + NEXT_SCHEDULE_DELTA_MS,
    },
    {
      name: "no previous run of a cronjob",
      cj: cronJob({ schedule: "0 12 * * 5", created: TOP }),
      now: TOP + 6 * HOUR,
      expected: 20 * HOUR + NEXT_SCHEDULE_DELTA_MS,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(nextScheduleTimeDuration(c.cj, c.now, sched(c.cj.spec!.schedule)), c.expected);
    });
  }
  test("a rogue schedule still requeues: after the next slot from now", () => {
    const cj = cronJob({ schedule: "59 23 31 2 *", created: TOP });
    // Next() of a schedule that never fires is Go's zero time, far in the past.
    assert.ok(nextScheduleTimeDuration(cj, TOP + HOUR, sched("59 23 31 2 *")) < 0);
  });
});

describe("nextScheduleTime", () => {
  const T1 = TOP;
  const T2 = TOP + HOUR;
  const events: string[] = [];
  const recorder = {
    event: (_o: unknown, type: string, reason: string, msg: string) =>
      events.push(`${type} ${reason} ${msg}`),
  };
  const run = (cj: CronJob, now: number, s = "0 * * * ?") => nextScheduleTime(cj, now, sched(s), recorder);

  test("case 1: no known start times, and none needed yet", () => {
    assert.equal(
      run(cronJob({ schedule: "0 * * * ?", created: T1 - 10 * MIN }), T1 - 7 * MIN).time,
      undefined,
    );
  });
  test("case 2: no known start times, and one needed", () => {
    assert.equal(run(cronJob({ schedule: "0 * * * ?", created: T1 - 10 * MIN }), T1 + 2000).time, T1);
  });
  test("case 3: known LastScheduleTime, no start needed", () => {
    const cj = cronJob({ schedule: "0 * * * ?", created: T1 - 10 * MIN, lastScheduleTime: T1 });
    assert.equal(run(cj, T1 + 2 * MIN).time, undefined);
  });
  test("case 4: known LastScheduleTime, a start needed", () => {
    const cj = cronJob({ schedule: "0 * * * ?", created: T1 - 10 * MIN, lastScheduleTime: T1 });
    assert.equal(run(cj, T2 + 5 * MIN).time, T2);
  });
  test("case 5: known LastScheduleTime, two starts needed", () => {
    const cj = cronJob({ schedule: "0 * * * ?", created: T1 - 2 * HOUR, lastScheduleTime: T1 - HOUR });
    assert.equal(run(cj, T2 + 5 * MIN).time, T2);
  });
  test("case 6: now is way ahead of last start time, and there is no deadline: many missed, a warning", () => {
    events.length = 0;
    const cj = cronJob({ schedule: "0 * * * ?", created: T1 - 2 * HOUR, lastScheduleTime: T1 - HOUR });
    assert.equal(run(cj, T2 + 10 * DAY).time, T2 + 10 * DAY);
    assert.deepEqual(events, [
      "Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
    ]);
  });
  test("case 7: now is way ahead of last start time, but there is a short deadline", () => {
    events.length = 0;
    const cj = cronJob({
      schedule: "0 * * * ?",
      created: T1 - 2 * HOUR,
      lastScheduleTime: T1 - HOUR,
      startingDeadlineSeconds: 2 * 60 * 60,
    });
    assert.equal(run(cj, T2 + 10 * DAY).time, T2 + 10 * DAY);
    assert.deepEqual(events, []);
  });
  test("case 8: the error of mostRecentScheduleTime comes through", () => {
    const cj = cronJob({ schedule: "59 23 31 2 *", created: T1 + 10_000 });
    const r = run(cj, T2, "59 23 31 2 *");
    assert.equal(r.time, undefined);
    assert.equal(r.error, "time difference between two schedules is less than 1 second");
  });
});

describe("byJobStartTime", () => {
  const now = "2018-01-01T02:03:04Z";
  const later = "2019-01-01T02:03:04Z";
  const job = (name: string, startTime?: string): Job => ({ metadata: { name }, status: { startTime } });
  const names = (js: Job[]) => js.map((j) => `${j.metadata?.name}:${j.status?.startTime ?? "nil"}`);
  const cases: Array<[string, Job[], Job[]]> = [
    ["both have nil start times", [job("b"), job("a")], [job("a"), job("b")]],
    ["only the first has a nil start time", [job("a"), job("b", now)], [job("b", now), job("a")]],
    ["only the second has a nil start time", [job("a", now), job("b")], [job("a", now), job("b")]],
    ["both have non-nil, equal start time", [job("b", now), job("a", now)], [job("a", now), job("b", now)]],
    [
      "both have non-nil, different start time",
      [job("a", later), job("b", now)],
      [job("b", now), job("a", later)],
    ],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.deepEqual(names([...input].sort(byJobStartTime)), names(expected)));
  }
});

describe("getJobFromTemplate2", () => {
  const cj = (timeZone?: string, annotations: Record<string, string> = { x: "y" }): CronJob => ({
    metadata: { name: "mycronjob", namespace: "snazzycats", uid: "1a2b3c" },
    spec: {
      schedule: "* * * * ?",
      concurrencyPolicy: "Allow",
      timeZone,
      jobTemplate: {
        metadata: { labels: { a: "b" }, annotations },
        spec: {
          activeDeadlineSeconds: 1,
          manualSelector: false,
          template: {
            metadata: { labels: { foo: "bar" } },
            spec: { containers: [{ name: "", image: "foo/bar" }] },
          },
        },
      },
    },
  });

  test("name, labels, annotations, owner and spec", () => {
    const job = getJobFromTemplate2(cj(), TOP);
    assert.equal(job.metadata?.name, `mycronjob-${TOP / 60_000}`);
    assert.equal(job.metadata?.name, getJobName(cj(), TOP));
    assert.deepEqual(job.metadata?.labels, { a: "b" });
    assert.deepEqual(job.metadata?.annotations, {
      x: "y",
      [CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION]: "2016-05-19T10:00:00Z",
    });
    assert.deepEqual(job.metadata?.ownerReferences, [
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        name: "mycronjob",
        uid: "1a2b3c",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(job.spec, cj().spec?.jobTemplate.spec);
  });
  test("UTC timezone and one annotation", () => {
    const job = getJobFromTemplate2(cj("UTC"), TOP);
    assert.equal(Object.keys(job.metadata?.annotations ?? {}).length, 2);
    assert.equal(job.metadata?.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION], "2016-05-19T10:00:00Z");
  });
  test("correct timezone and multiple annotations: the time is written in that zone", () => {
    const job = getJobFromTemplate2(cj("Europe/Rome", { x: "y", z: "x" }), TOP);
    assert.equal(Object.keys(job.metadata?.annotations ?? {}).length, 3);
    assert.equal(
      job.metadata?.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION],
      "2016-05-19T12:00:00+02:00",
    );
  });
  test("the template is copied, not shared", () => {
    const c = cj();
    const job = getJobFromTemplate2(c, TOP);
    job.metadata!.labels!.extra = "1";
    job.spec!.template.metadata!.labels!.foo = "changed";
    assert.deepEqual(c.spec?.jobTemplate.metadata?.labels, { a: "b" });
    assert.equal(c.spec?.jobTemplate.spec?.template.metadata?.labels?.foo, "bar");
  });
  test("a time zone that does not load is an error", () => {
    assert.throws(() => getJobFromTemplate2(cj("Mars/Olympus"), TOP), /unknown time zone Mars\/Olympus/);
  });
});
