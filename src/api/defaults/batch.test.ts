import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CronJob, Job } from "kubernetes-types/batch/v1.d.ts";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import { applyDefaults } from "./index.ts";

function defaulted<T>(kind: string, obj: T): T {
  const copy = structuredClone(obj) as unknown as Record<string, unknown>;
  applyDefaults("batch", kind, copy);
  return copy as unknown as T;
}

const template: PodTemplateSpec = {
  spec: { containers: [{ name: "pi", image: "perl:5.34" }], restartPolicy: "Never" },
};

const defaultedTemplate = {
  metadata: { creationTimestamp: null },
  spec: {
    containers: [
      {
        name: "pi",
        image: "perl:5.34",
        imagePullPolicy: "IfNotPresent",
        resources: {},
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
      },
    ],
    restartPolicy: "Never",
    dnsPolicy: "ClusterFirst",
    schedulerName: "default-scheduler",
    securityContext: {},
    terminationGracePeriodSeconds: 30,
  },
} as unknown as PodTemplateSpec;

describe("batch/v1 Job defaults", () => {
  it("fills a minimal job as the apiserver does", () => {
    const got = defaulted<Job>("Job", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "pi" },
      spec: { template },
    });
    assert.deepEqual(got.spec, {
      template: defaultedTemplate,
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: "NonIndexed",
      suspend: false,
      podReplacementPolicy: "TerminatingOrFailed",
      manualSelector: false,
    });
    assert.deepEqual(got.metadata, { name: "pi" });
  });

  it("follows upstream's completions/parallelism rules (TestSetDefaultJob)", () => {
    const onlyCompletions = defaulted<Job>("Job", { spec: { completions: 5, template } });
    assert.equal(onlyCompletions.spec?.completions, 5);
    assert.equal(onlyCompletions.spec?.parallelism, 1);
    const onlyParallelism = defaulted<Job>("Job", { spec: { parallelism: 3, template } });
    assert.equal(onlyParallelism.spec?.completions, undefined);
    assert.equal(onlyParallelism.spec?.parallelism, 3);
    const zeros = defaulted<Job>("Job", {
      spec: { completions: 0, parallelism: 0, backoffLimit: 0, template },
    });
    assert.deepEqual([zeros.spec?.completions, zeros.spec?.parallelism, zeros.spec?.backoffLimit], [0, 0, 0]);
  });

  it("lifts the job-wide backoff limit with a per-index one, and picks Failed with a pod failure policy", () => {
    const got = defaulted<Job>("Job", {
      spec: {
        completionMode: "Indexed",
        completions: 4,
        backoffLimitPerIndex: 1,
        podFailurePolicy: {
          rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" } as never] }],
        },
        template,
      },
    });
    assert.equal(got.spec?.backoffLimit, 2147483647);
    assert.equal(got.spec?.completionMode, "Indexed");
    assert.equal(got.spec?.podReplacementPolicy, "Failed");
    assert.deepEqual(got.spec?.podFailurePolicy?.rules[0].onPodConditions, [
      { type: "DisruptionTarget", status: "True" },
    ]);
  });

  it("copies template labels to a job without labels, not over existing ones", () => {
    const labelled = { ...template, metadata: { labels: { app: "pi" } } };
    const got = defaulted<Job>("Job", { metadata: { name: "pi" }, spec: { template: labelled } });
    assert.deepEqual(got.metadata?.labels, { app: "pi" });
    const own = defaulted<Job>("Job", {
      metadata: { name: "pi", labels: { team: "a" } },
      spec: { template: labelled },
    });
    assert.deepEqual(own.metadata?.labels, { team: "a" });
  });
});

describe("batch/v1 CronJob defaults", () => {
  it("fills policy and limits; the job template only gets nested defaults", () => {
    const got = defaulted<CronJob>("CronJob", {
      spec: { schedule: "*/1 * * * *", jobTemplate: { spec: { template } } },
    });
    assert.deepEqual(got.spec, {
      schedule: "*/1 * * * *",
      concurrencyPolicy: "Allow",
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { creationTimestamp: null }, spec: { template: defaultedTemplate } },
    } as unknown as CronJob["spec"]);
  });
});
