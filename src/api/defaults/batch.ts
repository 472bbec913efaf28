// batch/v1 defaults (pkg/apis/batch/v1/defaults.go) plus the pod template chain.

import type { CronJob, Job } from "kubernetes-types/batch/v1.d.ts";
import {
  clone,
  defaultPointer,
  defaultString,
  isObject,
  type JsonObject,
  mapLen,
  objectAt,
  objectsAt,
  structAt,
} from "./json.ts";
import { defaultPodTemplateSpec, defaultZeroTimestamp } from "./pod-spec.ts";

// math.MaxInt32: with a per-index limit, the job-wide limit is off unless set.
const maxInt32 = 2147483647;

export function defaultJob(job: Job | JsonObject): void {
  const obj = job as JsonObject;
  const spec = structAt(obj, "spec");
  if (!spec) return;
  // A non-parallel job may leave both unset; then both are 1.
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  defaultPointer(spec, "parallelism", 1);
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex == null ? 6 : maxInt32;
  const template = structAt(spec, "template");
  const labels = template ? objectAt(template, "metadata")?.labels : undefined;
  const metadata = structAt(obj, "metadata");
  if (isObject(labels) && mapLen(labels) > 0 && metadata && mapLen(metadata.labels) === 0)
    metadata.labels = clone(labels);
  defaultPointer(spec, "completionMode", "NonIndexed");
  defaultPointer(spec, "suspend", false);
  // JobPodReplacementPolicy is on by default since v1.29.
  if (spec.podReplacementPolicy == null) {
    spec.podReplacementPolicy = spec.podFailurePolicy == null ? "TerminatingOrFailed" : "Failed";
  }
  defaultPointer(spec, "manualSelector", false);
  defaultJobSpecNested(spec);
}

export function defaultCronJob(cronJob: CronJob | JsonObject): void {
  const spec = structAt(cronJob as JsonObject, "spec");
  if (!spec) return;
  defaultString(spec, "concurrencyPolicy", "Allow");
  defaultPointer(spec, "suspend", false);
  defaultPointer(spec, "successfulJobsHistoryLimit", 3);
  defaultPointer(spec, "failedJobsHistoryLimit", 1);
  // The job template only gets the nested defaulters: SetDefaults_Job takes a Job, not a JobSpec.
  const jobTemplate = structAt(spec, "jobTemplate");
  const jobMetadata = jobTemplate ? structAt(jobTemplate, "metadata") : undefined;
  if (jobMetadata) defaultZeroTimestamp(jobMetadata);
  const jobSpec = jobTemplate ? structAt(jobTemplate, "spec") : undefined;
  if (jobSpec) defaultJobSpecNested(jobSpec);
}

function defaultJobSpecNested(spec: JsonObject): void {
  const policy = objectAt(spec, "podFailurePolicy");
  for (const rule of policy ? objectsAt(policy, "rules") : []) {
    for (const pattern of objectsAt(rule, "onPodConditions")) defaultString(pattern, "status", "True");
  }
  const template = structAt(spec, "template");
  if (template) defaultPodTemplateSpec(template);
}
