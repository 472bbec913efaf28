// Cases from TestPrintJob and TestPrintJobList (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Job } from "kubernetes-types/batch/v1.d.ts";
import { jobPrinter } from "./job.ts";

const now = new Date("2024-06-01T12:00:00Z");
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
const almostNow = new Date(now.getTime() + 1900).toISOString();
const tenYearsAgo = at(-10 * 365 * 24 * 3600);
const narrow = (job: Job) => jobPrinter.print(job, { now }).cells.slice(0, 5);

test("STATUS, COMPLETIONS, DURATION and the wide columns", () => {
  const job: Job = {
    metadata: { name: "job1", creationTimestamp: almostNow },
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
      selector: { matchLabels: { "job-label": "job-label-value" } },
    },
    status: { succeeded: 1 },
  };
  assert.deepEqual(jobPrinter.print(job, { now }).cells, [
    "job1",
    "Running",
    "1/2",
    "",
    "0s",
    "fake-job-container1,fake-job-container2",
    "fake-job-image1,fake-job-image2",
    "job-label=job-label-value",
  ]);
  assert.deepEqual(
    narrow({
      metadata: { name: "job2", creationTimestamp: tenYearsAgo },
      spec: { template: {} },
      status: {},
    }),
    ["job2", "Running", "0/1", "", "10y"],
  );
  assert.deepEqual(
    narrow({
      metadata: { name: "job3", creationTimestamp: tenYearsAgo },
      spec: { template: {} },
      status: { succeeded: 0, startTime: at(60), completionTime: at(31 * 60) },
    }),
    ["job3", "Running", "0/1", "30m", "10y"],
  );
  assert.deepEqual(
    narrow({
      metadata: { name: "job4", creationTimestamp: tenYearsAgo },
      spec: { template: {} },
      status: { startTime: at(-20 * 60) },
    }),
    ["job4", "Running", "0/1", "20m", "10y"],
  );
});

test("STATUS from conditions and deletion", () => {
  const withCondition = (type: string): Job => ({
    metadata: { name: "job", creationTimestamp: almostNow },
    spec: { template: {} },
    status: { conditions: [{ type, status: "True" }] },
  });
  assert.equal(narrow(withCondition("Complete"))[1], "Complete");
  assert.equal(narrow(withCondition("Failed"))[1], "Failed");
  assert.equal(narrow(withCondition("Suspended"))[1], "Suspended");
  assert.equal(narrow(withCondition("FailureTarget"))[1], "FailureTarget");
  assert.equal(
    narrow({
      metadata: { name: "job9", creationTimestamp: almostNow, deletionTimestamp: almostNow },
      spec: { template: {} },
    })[1],
    "Terminating",
  );
  // A Complete job being deleted stays Complete; a False condition does not count.
  assert.equal(
    narrow({ ...withCondition("Complete"), metadata: { name: "j", deletionTimestamp: almostNow } })[1],
    "Complete",
  );
  assert.equal(
    narrow({
      metadata: { name: "j" },
      spec: { template: {} },
      status: { conditions: [{ type: "Complete", status: "False" }] },
    })[1],
    "Running",
  );
});

test("COMPLETIONS without spec.completions shows parallelism", () => {
  assert.equal(
    narrow({ metadata: { name: "j" }, spec: { parallelism: 3, template: {} }, status: { succeeded: 1 } })[2],
    "1/1 of 3",
  );
  assert.equal(
    narrow({ metadata: { name: "j" }, spec: { parallelism: 1, template: {} }, status: { succeeded: 1 } })[2],
    "1/1",
  );
});
