// batch/v1 validation: cases after pkg/apis/batch/validation/validation_test.go.
// Jobs are prepared as the Job strategy prepares them (generated selector and
// template labels from the uid) before validation.

import assert from "node:assert/strict";
import { test } from "node:test";
import { prepareForCreate } from "../defaults/prepare-for-create.ts";
import { validateCreate, validateStatusUpdate, validateUpdate } from "./index.ts";
import { createErrors, type J, messages, stored, updateErrors } from "./test-helpers.ts";

const UID = "11111111-2222-3333-4444-555555555555";
const podTemplate = (restartPolicy = "Never", extra: J = {}) => ({
  spec: { restartPolicy, containers: [{ name: "c", image: "busybox:1" }], ...extra },
});
const job = (spec: J = {}, meta: J = {}): J => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "j", namespace: "default", uid: UID, ...meta },
  spec: { template: podTemplate(), ...spec },
});
function prepared(obj: J): J {
  const copy = structuredClone(obj);
  prepareForCreate("batch", "Job", copy);
  return copy;
}
const create = (obj: J) => messages(validateCreate("batch", "Job", prepared(obj)));
/**
 * Update of a stored job (created from `old`, then given `setOld`, as the
 * controllers would have changed it) by mutating a copy of it.
 */
function update(
  mutate: (j: J) => void,
  old: J = job(),
  status = false,
  setOld: (j: J) => void = () => {},
): string[] {
  const before = prepared(old);
  before.metadata.resourceVersion = "1";
  setOld(before);
  const after = structuredClone(before);
  mutate(after);
  return messages((status ? validateStatusUpdate : validateUpdate)("batch", "Job", after, before));
}
const statusUpdate = (mutate: (j: J) => void, setOld: (j: J) => void = () => {}) =>
  update(mutate, job(), true, setOld);

test("a prepared job is valid, and its generated selector must stay generated", () => {
  assert.deepEqual(create(job()), []);
  assert.deepEqual(
    create(
      job({
        completions: 5,
        parallelism: 2,
        backoffLimit: 3,
        activeDeadlineSeconds: 0,
        ttlSecondsAfterFinished: 0,
      }),
    ),
    [],
  );
  const noUid = job({}, { uid: undefined });
  const prep = structuredClone(noUid);
  prepareForCreate("batch", "Job", prep);
  assert.ok(messages(validateCreate("batch", "Job", prep)).includes("metadata.uid: Required value"));
});

test("restartPolicy must be OnFailure or Never", () => {
  const required = 'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"';
  assert.deepEqual(create(job({ template: podTemplate("Always") })), [required]);
  // Defaulting makes a missing restartPolicy Always.
  assert.deepEqual(create(job({ template: { spec: { containers: [{ name: "c", image: "busybox:1" }] } } })), [
    required,
  ]);
  assert.deepEqual(create(job({ template: podTemplate("OnFailure") })), []);
});

test("counts must be non-negative", () => {
  assert.deepEqual(
    create(job({ parallelism: -1, completions: -1, backoffLimit: -1, ttlSecondsAfterFinished: -1 })),
    [
      "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
      "spec.completions: Invalid value: -1: must be greater than or equal to 0",
      "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
      "spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0",
    ],
  );
});

test("the pod template is validated", () => {
  assert.deepEqual(
    create(job({ template: { spec: { restartPolicy: "Never", containers: [{ name: "c" }] } } })),
    ["spec.template.spec.containers[0].image: Required value"],
  );
});

test("manual selectors must be given and match the template", () => {
  assert.deepEqual(create(job({ manualSelector: true })), [
    "spec.selector: Required value",
    "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`",
  ]);
  assert.deepEqual(create(job({ manualSelector: true, selector: { matchLabels: { a: "b" } } })), [
    "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`",
  ]);
  assert.deepEqual(
    create(
      job({
        manualSelector: true,
        selector: { matchLabels: { a: "b" } },
        template: { metadata: { labels: { a: "b" } }, ...podTemplate() },
      }),
    ),
    [],
  );
});

test("completion modes and per-index backoff", () => {
  assert.deepEqual(create(job({ completionMode: "Bogus" })), [
    'spec.completionMode: Unsupported value: "Bogus": supported values: "NonIndexed", "Indexed"',
  ]);
  assert.deepEqual(create(job({ completionMode: "Indexed", completions: 10 })), []);
  const longName = "a".repeat(62);
  assert.deepEqual(create(job({ completionMode: "Indexed", completions: 10 }, { name: longName })), [
    `metadata.name: Invalid value: "${longName}": will not able to create pod with invalid DNS label: ${longName}-9`,
  ]);
  assert.deepEqual(create(job({ backoffLimitPerIndex: 1 })), [
    "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
  ]);
  assert.deepEqual(create(job({ completionMode: "Indexed", completions: 3, maxFailedIndexes: 1 })), [
    "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified",
  ]);
  assert.deepEqual(create(job({ successPolicy: { rules: [{ succeededCount: 1 }] } })), [
    "spec.successPolicy: Invalid value: batch.SuccessPolicy{Rules:{{SucceededCount: 1}}}: requires indexed completion mode",
  ]);
  assert.deepEqual(create(job({ podReplacementPolicy: "Bogus" })), [
    'spec.podReplacementPolicy: Unsupported value: "Bogus": supported values: "Failed", "TerminatingOrFailed"',
  ]);
  assert.deepEqual(create(job({ managedBy: "bad" })), [
    'spec.managedBy: Invalid value: "bad": must be a domain-prefixed path (such as "acme.io/foo")',
  ]);
});

test("pod failure policy rules", () => {
  assert.deepEqual(
    create(
      job({
        podFailurePolicy: {
          rules: [
            { action: "FailJob", onExitCodes: { operator: "In", values: [1, 2] } },
            { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] },
          ],
        },
      }),
    ),
    [],
  );
  assert.deepEqual(
    create(
      job({
        podFailurePolicy: {
          rules: [
            { action: "Bogus", onExitCodes: { operator: "In", values: [0, 2, 2] } },
            { action: "Ignore" },
            {
              action: "FailJob",
              onExitCodes: { operator: "In", values: [1] },
              onPodConditions: [{ type: "X" }],
            },
          ],
        },
      }),
    ),
    [
      'spec.podFailurePolicy.rules[0].action: Unsupported value: "Bogus": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator",
      "spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 2",
      "spec.podFailurePolicy.rules[1]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
      "spec.podFailurePolicy.rules[2]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported",
    ],
  );
  assert.deepEqual(create(job({ podFailurePolicy: { rules: [] }, template: podTemplate("OnFailure") })), [
    'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
  ]);
});

test("updates: parallelism and deadlines may change; template, selector and modes may not", () => {
  assert.deepEqual(
    update((j) => {
      j.spec.parallelism = 5;
      j.spec.activeDeadlineSeconds = 10;
      j.spec.suspend = true;
    }),
    [],
  );
  assert.deepEqual(
    update(
      (j) => {
        j.spec.completions = 5;
      },
      job({ completions: 2 }),
    ),
    ["spec.completions: Invalid value: 5: field is immutable"],
  );
  assert.deepEqual(
    update(
      (j) => {
        j.spec.completionMode = "Indexed";
      },
      job({ completions: 2 }),
    ),
    ['spec.completionMode: Invalid value: "Indexed": field is immutable'],
  );
  assert.deepEqual(
    update((j) => {
      j.spec.managedBy = "x.io/y";
    }),
    ['spec.managedBy: Invalid value: "x.io/y": field is immutable'],
  );
  const image = update((j) => {
    j.spec.template.spec.containers[0].image = "busybox:2";
  });
  assert.equal(image.length, 1);
  assert.match(
    image[0],
    /^spec\.template: Invalid value: core\.PodTemplateSpec\{.*Image: "busybox:2".*\}: field is immutable$/,
  );
  const selector = update((j) => {
    j.spec.selector.matchLabels.extra = "x";
    j.spec.template.metadata.labels.extra = "x";
  });
  assert.deepEqual(selector.slice(0, 2), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"batch.kubernetes.io/controller-uid":"11111111-2222-3333-4444-555555555555", "extra":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"batch.kubernetes.io/controller-uid":"11111111-2222-3333-4444-555555555555", "extra":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  assert.match(selector[2], /^spec\.template: Invalid value: .*: field is immutable$/);
});

test("updates: a suspended, never-started job may change its scheduling directives", () => {
  assert.deepEqual(
    update(
      (j) => {
        j.spec.template.spec.nodeSelector = { a: "b" };
      },
      job({ suspend: true }),
    ),
    [],
  );
  const running = update((j) => {
    j.spec.template.spec.nodeSelector = { a: "b" };
  });
  assert.equal(running.length, 1);
  assert.match(
    running[0],
    /^spec\.template: Invalid value: .*NodeSelector: \{"a": "b"\}.*: field is immutable$/,
  );
});

test("updates: the pod failure policy is immutable, and spec validation runs twice as upstream", () => {
  const rules = { rules: [{ action: "FailJob", onExitCodes: { operator: "In", values: [1] } }] };
  const errs = update((j) => {
    j.spec.podFailurePolicy = rules;
  });
  // ValidateJob and ValidateJobSpecUpdate both run ValidateJobSpec.
  assert.deepEqual(errs.slice(0, 2), [
    'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
    'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
  ]);
  assert.match(errs[2], /^spec\.podFailurePolicy: Invalid value: .*: field is immutable$/);
});

test("status: counters and timestamps", () => {
  assert.deepEqual(
    statusUpdate((j) => {
      j.status = { active: 1, ready: 1, terminating: 0, startTime: "2024-01-01T00:00:00Z" };
    }),
    [],
  );
  assert.deepEqual(
    statusUpdate((j) => {
      j.status = { active: -1, succeeded: -1, failed: -1, ready: -1 };
    }),
    [
      "status.active: Invalid value: -1: must be greater than or equal to 0",
      "status.succeeded: Invalid value: -1: must be greater than or equal to 0",
      "status.failed: Invalid value: -1: must be greater than or equal to 0",
      "status.ready: Invalid value: -1: must be greater than or equal to 0",
      "status.failed: Invalid value: -1: cannot decrease the failed counter",
      "status.succeeded: Invalid value: -1: cannot decrease the succeeded counter",
    ],
  );
  assert.deepEqual(
    statusUpdate(
      (j) => {
        j.status = {};
      },
      (o) => {
        o.status = { startTime: "2024-01-01T00:00:00Z", active: 1 };
      },
    ),
    ["status.startTime: Required value: startTime cannot be removed for unsuspended job"],
  );
});

test("status: terminal conditions follow the Job controller's protocol", () => {
  const start = "2024-01-01T00:00:00Z";
  assert.deepEqual(
    statusUpdate((j) => {
      j.status = {
        startTime: start,
        succeeded: 1,
        conditions: [{ type: "Complete", status: "True" }],
      };
    }),
    [
      "status.completionTime: Required value: completionTime is required for Complete jobs",
      "status.conditions: Invalid value: cannot set Complete=True condition without the SuccessCriteriaMet=true condition",
    ],
  );
  assert.deepEqual(
    statusUpdate((j) => {
      j.status = {
        startTime: start,
        completionTime: "2024-01-01T00:01:00Z",
        succeeded: 1,
        conditions: [
          { type: "SuccessCriteriaMet", status: "True" },
          { type: "Complete", status: "True" },
        ],
      };
    }),
    [],
  );
  assert.deepEqual(
    statusUpdate((j) => {
      j.status = { startTime: start, failed: 1, conditions: [{ type: "Failed", status: "True" }] };
    }),
    [
      "status.conditions: Invalid value: cannot set Failed=True condition without the FailureTarget=true condition",
    ],
  );
  assert.deepEqual(
    statusUpdate((j) => {
      j.status = { startTime: start, completionTime: "2024-01-01T00:01:00Z" };
    }),
    [
      'status.completionTime: Invalid value: "2024-01-01T00:01:00Z": cannot set completionTime when there is no Complete=True condition',
    ],
  );
  assert.deepEqual(
    statusUpdate(
      (j) => {
        j.status.active = 1;
      },
      (o) => {
        o.status = {
          startTime: start,
          completionTime: "2024-01-01T00:01:00Z",
          succeeded: 1,
          conditions: [
            { type: "SuccessCriteriaMet", status: "True" },
            { type: "Complete", status: "True" },
          ],
        };
      },
    ),
    ["status.active: Invalid value: 1: active>0 is invalid for finished job"],
  );
  assert.deepEqual(
    statusUpdate((j) => {
      j.status = { completedIndexes: "1" };
    }),
    [
      'status.completedIndexes: Invalid value: "1": error parsing completedIndexes: too large index: "1"',
      'status.completedIndexes: Invalid value: "1": cannot set non-empty completedIndexes when non-indexed completion mode',
    ],
  );
});

// --- CronJob ---------------------------------------------------------------------

const cronJob = (spec: J = {}, meta: J = {}): J => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "cj", namespace: "default", ...meta },
  spec: { schedule: "*/1 * * * *", jobTemplate: { spec: { template: podTemplate("OnFailure") } }, ...spec },
});
const cc = (spec: J = {}, meta: J = {}) => createErrors("batch", "CronJob", cronJob(spec, meta));
const cu = (spec: J, oldSpec: J) =>
  updateErrors("batch", "CronJob", cronJob(spec, stored()), cronJob(oldSpec, stored()));

test("CronJob: schedule required and parsed", () => {
  assert.deepEqual(cc(), []);
  for (const schedule of ["@hourly", "@every 1h30m", "0 0 * * MON-FRI", "0 0 1 JAN,FEB ?"])
    assert.deepEqual(cc({ schedule }), []);
  assert.deepEqual(cc({ schedule: "" }), ["spec.schedule: Required value"]);
  assert.deepEqual(cc({ schedule: "* * * *" }), [
    'spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]',
  ]);
  assert.deepEqual(cc({ schedule: "60 * * * *" }), [
    'spec.schedule: Invalid value: "60 * * * *": end of range (60) above maximum (59): 60',
  ]);
  assert.deepEqual(cc({ schedule: "@reboot" }), [
    'spec.schedule: Invalid value: "@reboot": unrecognized descriptor: @reboot',
  ]);
});

test("CronJob: TZ in the schedule only when it was already there", () => {
  assert.deepEqual(cc({ schedule: "TZ=UTC * * * * *" }), [
    'spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  assert.deepEqual(cu({ schedule: "TZ=UTC 1 * * * *" }, { schedule: "TZ=UTC * * * * *" }), []);
  assert.deepEqual(cu({ schedule: "TZ=UTC 1 * * * *", timeZone: "UTC" }, { schedule: "TZ=UTC * * * * *" }), [
    'spec.schedule: Invalid value: "TZ=UTC 1 * * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule',
  ]);
  assert.deepEqual(cu({ schedule: "TZ=UTC 1 * * * *" }, {}), [
    'spec.schedule: Invalid value: "TZ=UTC 1 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
});

test("CronJob: timeZone must be an explicit IANA zone", () => {
  assert.deepEqual(cc({ timeZone: "Europe/Berlin" }), []);
  assert.deepEqual(cc({ timeZone: "Bogus/Zone" }), [
    'spec.timeZone: Invalid value: "Bogus/Zone": unknown time zone Bogus/Zone',
  ]);
  assert.deepEqual(cc({ timeZone: "Local" }), [
    'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
  ]);
  assert.deepEqual(cc({ timeZone: "" }), [
    'spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string',
  ]);
});

test("CronJob: policies, limits, name length and job template", () => {
  assert.deepEqual(cc({ concurrencyPolicy: "Bogus" }), [
    'spec.concurrencyPolicy: Unsupported value: "Bogus": supported values: "Allow", "Forbid", "Replace"',
  ]);
  assert.deepEqual(
    cc({ startingDeadlineSeconds: -1, successfulJobsHistoryLimit: -1, failedJobsHistoryLimit: -1 }),
    [
      "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
      "spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
      "spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
    ],
  );
  const long = "a".repeat(53);
  assert.deepEqual(cc({}, { name: long }), [
    `metadata.name: Invalid value: "${long}": must be no more than 52 characters`,
  ]);
  assert.deepEqual(
    cc({ jobTemplate: { spec: { selector: { matchLabels: { a: "b" } }, template: podTemplate() } } }),
    [
      'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
    ],
  );
  assert.deepEqual(cc({ jobTemplate: { spec: { manualSelector: true, template: podTemplate() } } }), [
    'spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"',
  ]);
  assert.deepEqual(cc({ jobTemplate: { spec: { template: podTemplate("Always") } } }), [
    'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
  ]);
  // Unlike a Job's, a CronJob's job template may change.
  assert.deepEqual(
    cu({ suspend: true, schedule: "@hourly", jobTemplate: { spec: { template: podTemplate("Never") } } }, {}),
    [],
  );
});
