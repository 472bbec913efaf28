// Cases from TestPrintCronJob and TestPrintCronJobList (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CronJob } from "kubernetes-types/batch/v1.d.ts";
import { cronJobPrinter } from "./cronjob.ts";

const now = new Date("2024-06-01T12:00:00Z");
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

test("SCHEDULE, TIMEZONE, SUSPEND, ACTIVE, LAST SCHEDULE and the wide columns", () => {
  const cronJob: CronJob = {
    metadata: { name: "cronjob1", creationTimestamp: at(1.9) },
    spec: {
      schedule: "0/5 * * * ?",
      suspend: false,
      jobTemplate: {
        spec: {
          completions: 2,
          template: {
            spec: {
              containers: [
                { name: "fake-job-container1", image: "fake-job-image1" },
                { name: "fake-job-container2", image: "fake-job-image2" },
              ],
            },
          },
          selector: { matchLabels: { a: "b" } },
        },
      },
    },
    status: { lastScheduleTime: at(1.9) },
  };
  assert.deepEqual(cronJobPrinter.print(cronJob, { now }).cells, [
    "cronjob1",
    "0/5 * * * ?",
    "<none>",
    "False",
    0,
    "0s",
    "0s",
    "fake-job-container1,fake-job-container2",
    "fake-job-image1,fake-job-image2",
    "a=b",
  ]);
  const withZone = { ...cronJob, spec: { ...cronJob.spec, timeZone: "LOCAL" } } as CronJob;
  assert.equal(cronJobPrinter.print(withZone, { now }).cells[2], "LOCAL");
});

test("LAST SCHEDULE and AGE, <none> without a schedule, <unset> suspend, ACTIVE count", () => {
  const base = (status: CronJob["status"], suspend?: boolean): CronJob => ({
    metadata: { name: "cronjob2", creationTimestamp: at(-300) },
    spec: { schedule: "0/5 * * * ?", suspend, jobTemplate: {} },
    status,
  });
  assert.deepEqual(
    cronJobPrinter.print(base({ lastScheduleTime: at(-30) }, false), { now }).cells.slice(0, 7),
    ["cronjob2", "0/5 * * * ?", "<none>", "False", 0, "30s", "5m"],
  );
  assert.deepEqual(cronJobPrinter.print(base({}, false), { now }).cells.slice(3, 7), [
    "False",
    0,
    "<none>",
    "5m",
  ]);
  assert.equal(cronJobPrinter.print(base({}), { now }).cells[3], "<unset>");
  assert.equal(cronJobPrinter.print(base({}, true), { now }).cells[3], "True");
  assert.equal(
    cronJobPrinter.print(base({ active: [{ name: "a" }, { name: "b" }] }, false), { now }).cells[4],
    2,
  );
  assert.equal(cronJobPrinter.columns[3].type, "boolean");
});
