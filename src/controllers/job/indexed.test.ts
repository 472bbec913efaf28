// Interval maths and index helpers of Indexed Jobs, with cases from upstream's
// indexed_job_utils_test.go.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Job, JobSpec } from "kubernetes-types/batch/v1.d.ts";
import type { ContainerStatus, Pod, PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import {
  addCompletionIndexEnvVariables,
  calculateFailedIndexes,
  calculateSucceededIndexes,
  duplicatedIndexPodsForRemoval,
  firstPendingIndexes,
  formatIntervals,
  getCompletionIndex,
  getNewIndexFailureCounts,
  getPodsWithDelayedDeletionPerIndex,
  hasIndex,
  type Interval,
  parseIndexesFromString,
  podGenerateNameWithIndex,
  totalIndexes,
  withOrderedIndexes,
} from "./indexed.ts";
import { JOB_TRACKING_FINALIZER } from "./tracking.ts";

const iv = (first: number, last = first): Interval => ({ first, last });

function pod(o: {
  uid?: string;
  index?: string;
  phase?: string;
  failureCount?: string;
  finalizer?: boolean;
  deletedAt?: string;
  node?: string;
  exitCode?: number;
}): Pod {
  const annotations: Record<string, string> = {};
  if (o.index !== undefined) annotations["batch.kubernetes.io/job-completion-index"] = o.index;
  if (o.failureCount !== undefined)
    annotations["batch.kubernetes.io/job-index-failure-count"] = o.failureCount;
  return {
    metadata: {
      uid: o.uid ?? `uid-${Math.random()}`,
      annotations,
      ...(o.finalizer !== false ? { finalizers: [JOB_TRACKING_FINALIZER] } : {}),
      ...(o.deletedAt ? { deletionTimestamp: o.deletedAt } : {}),
    },
    spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? "Running",
      ...(o.exitCode !== undefined ? { containerStatuses: [exitedWith(o.exitCode)] } : {}),
    },
  };
}

const job = (spec: Omit<JobSpec, "template">, status: Job["status"] = {}): Job => ({
  spec: { ...spec, template: {} },
  status,
});

describe("interval format", () => {
  test("String as upstream: ranges with a dash, a pair with a comma", () => {
    assert.equal(formatIntervals([iv(0, 2)]), "0-2");
    assert.equal(formatIntervals([iv(1), iv(3, 5)]), "1,3-5");
    assert.equal(formatIntervals([iv(1, 2), iv(7, 9)]), "1,2,7-9");
    assert.equal(formatIntervals([]), "");
  });

  test("parse merges adjacent intervals, clips to completions and skips corrupt parts", () => {
    assert.deepEqual(parseIndexesFromString("0,1,2,5-6", 10), [iv(0, 2), iv(5, 6)]);
    assert.deepEqual(parseIndexesFromString("0-5,8-10", 8), [iv(0, 5)]);
    assert.deepEqual(parseIndexesFromString("0-5,8-10", 10), [iv(0, 5), iv(8, 9)]);
    assert.deepEqual(parseIndexesFromString("0,1-foo,bar", 4), [iv(0)]);
    assert.deepEqual(parseIndexesFromString("", 4), []);
  });

  test("merge, has and total", () => {
    const a = withOrderedIndexes([iv(2, 4), iv(8)], [0, 5, 7, 9]);
    assert.deepEqual(a, [iv(0), iv(2, 5), iv(7, 9)]);
    assert.equal(totalIndexes(a), 8);
    assert.ok(hasIndex(a, 0) && hasIndex(a, 4) && hasIndex(a, 9));
    assert.ok(!hasIndex(a, 1) && !hasIndex(a, 6) && !hasIndex(a, 10));
  });
});

describe("calculateSucceededIndexes", () => {
  const cases: [string, string, [string, string][], number, Interval[], Interval[]][] = [
    [
      "two separate",
      "",
      [
        ["2", "Failed"],
        ["5", "Succeeded"],
        ["5", "Succeeded"],
        ["10", "Failed"],
        ["10", "Succeeded"],
      ],
      11,
      [],
      [iv(5), iv(10)],
    ],
    [
      "out of range and invalid",
      "",
      [
        ["0", "Succeeded"],
        ["1", "Succeeded"],
        ["2", "Succeeded"],
        ["3", "Failed"],
        ["4", "Succeeded"],
        ["5", "Succeeded"],
        ["-2", "Succeeded"],
      ],
      5,
      [],
      [iv(0, 2), iv(4)],
    ],
    [
      "prev and new separate",
      "0,4,5,10-12",
      [
        ["2", "Succeeded"],
        ["7", "Succeeded"],
        ["8", "Succeeded"],
      ],
      13,
      [iv(0), iv(4, 5), iv(10, 12)],
      [iv(0), iv(2), iv(4, 5), iv(7, 8), iv(10, 12)],
    ],
    [
      "prev between new",
      "3,4,6",
      [
        ["2", "Succeeded"],
        ["7", "Succeeded"],
        ["8", "Succeeded"],
      ],
      9,
      [iv(3, 4), iv(6)],
      [iv(2, 4), iv(6, 8)],
    ],
    [
      "new within prev",
      "2-7",
      [
        ["0", "Succeeded"],
        ["3", "Succeeded"],
        ["5", "Succeeded"],
        ["9", "Succeeded"],
      ],
      10,
      [iv(2, 7)],
      [iv(0), iv(2, 7), iv(9)],
    ],
  ];
  for (const [name, prev, pods, completions, wantPrev, want] of cases) {
    test(name, () => {
      const got = calculateSucceededIndexes(
        job({ completions }, { completedIndexes: prev }),
        pods.map(([index, phase]) => pod({ index, phase })),
      );
      assert.deepEqual(got.prev, wantPrev);
      assert.deepEqual(got.current, want);
    });
  }

  test("a succeeded pod without the finalizer is already counted", () => {
    const got = calculateSucceededIndexes(job({ completions: 3 }), [
      pod({ index: "1", phase: "Succeeded", finalizer: false }),
    ]);
    assert.deepEqual(got.current, []);
  });
});

describe("calculateFailedIndexes", () => {
  test("an index fails once its failure count reaches backoffLimitPerIndex", () => {
    const j = job({ completions: 2, backoffLimitPerIndex: 1 });
    const got = calculateFailedIndexes(j, [
      pod({ index: "0", phase: "Failed", failureCount: "0" }),
      pod({ index: "1", phase: "Failed", failureCount: "1" }),
    ]);
    assert.deepEqual(got, [iv(1)]);
  });

  test("extends status.failedIndexes and ignores pods without finalizer or out of range", () => {
    const j = job({ completions: 2, backoffLimitPerIndex: 0 }, { failedIndexes: "0" });
    assert.deepEqual(calculateFailedIndexes(j, [pod({ index: "1", phase: "Failed", failureCount: "0" })]), [
      iv(0, 1),
    ]);
    const k = job({ completions: 2, backoffLimitPerIndex: 0 });
    assert.deepEqual(
      calculateFailedIndexes(k, [
        pod({ index: "0", phase: "Failed", failureCount: "0", finalizer: false }),
        pod({ index: "3", phase: "Failed", failureCount: "0" }),
      ]),
      [],
    );
  });

  test("a FailIndex rule fails the index at once", () => {
    const j = job({
      completions: 2,
      backoffLimitPerIndex: 1,
      podFailurePolicy: { rules: [{ action: "FailIndex", onExitCodes: { operator: "In", values: [3] } }] },
    });
    const p = pod({ index: "0", phase: "Failed", failureCount: "0", exitCode: 3 });
    assert.deepEqual(calculateFailedIndexes(j, [p]), [iv(0)]);
  });
});

function exitedWith(exitCode: number): ContainerStatus {
  return {
    name: "c",
    image: "i",
    imageID: "",
    ready: false,
    restartCount: 0,
    state: { terminated: { exitCode } },
  };
}

describe("firstPendingIndexes", () => {
  const base = { job: job({ completions: 10 }), pods: [] as Pod[], onlyReplaceFailedPods: false };
  test("skips active, succeeded and failed indexes", () => {
    const got = firstPendingIndexes(
      {
        ...base,
        activePods: [pod({ index: "1" }), pod({ index: "4" })],
        succeededIndexes: [iv(0), iv(5, 6)],
        failedIndexes: [iv(2)],
      },
      4,
      10,
    );
    assert.deepEqual(got, [3, 7, 8, 9]);
  });

  test("stops at completions", () => {
    assert.deepEqual(
      firstPendingIndexes({ ...base, activePods: [], succeededIndexes: [iv(0, 1)] }, 5, 4),
      [2, 3],
    );
  });

  test("with podReplacementPolicy Failed a terminating pod keeps its index", () => {
    const terminating = pod({ index: "0", deletedAt: "2024-01-01T00:00:00Z" });
    const got = firstPendingIndexes(
      { ...base, pods: [terminating], activePods: [], succeededIndexes: [], onlyReplaceFailedPods: true },
      2,
      10,
    );
    assert.deepEqual(got, [1, 2]);
  });
});

describe("duplicatedIndexPodsForRemoval", () => {
  test("removes pods without an index, out of range, and all but the best of a repeated index", () => {
    const pods = [
      pod({ uid: "noindex" }),
      pod({ uid: "a", index: "0", node: "n", phase: "Running" }),
      pod({ uid: "b", index: "0", phase: "Pending" }),
      pod({ uid: "c", index: "1", node: "n" }),
      pod({ uid: "d", index: "7", node: "n" }),
    ];
    const { rm, left } = duplicatedIndexPodsForRemoval(pods, 5);
    assert.deepEqual(rm.map((p) => p.metadata?.uid).sort(), ["b", "d", "noindex"]);
    assert.deepEqual(left.map((p) => p.metadata?.uid).sort(), ["a", "c"]);
  });
});

describe("per-index failure counts", () => {
  test("the replacement's count is the replaced pod's plus one, or an ignored one for an Ignore rule", () => {
    const j = job({ completions: 2, backoffLimitPerIndex: 3 });
    assert.deepEqual(getNewIndexFailureCounts(j, undefined), [0, 0]);
    assert.deepEqual(
      getNewIndexFailureCounts(j, pod({ index: "0", phase: "Failed", failureCount: "2" })),
      [3, 0],
    );
    const ignoring = job({
      completions: 2,
      backoffLimitPerIndex: 3,
      podFailurePolicy: { rules: [{ action: "Ignore", onExitCodes: { operator: "In", values: [5] } }] },
    });
    const p = pod({ index: "0", phase: "Failed", failureCount: "2", exitCode: 5 });
    assert.deepEqual(getNewIndexFailureCounts(ignoring, p), [2, 1]);
  });

  test("the last failed pod of each index without a replacement has its deletion delayed", () => {
    const j = job({ completions: 3, backoffLimitPerIndex: 1 });
    const pods = [
      pod({ uid: "a", index: "0", phase: "Failed", failureCount: "0" }),
      pod({ uid: "b", index: "1", phase: "Failed", failureCount: "1" }),
      pod({ uid: "c", index: "2", phase: "Failed", failureCount: "0" }),
    ];
    const failed = calculateFailedIndexes(j, pods);
    const got = getPodsWithDelayedDeletionPerIndex(j, pods, [], [], failed, () => 0);
    assert.deepEqual(
      [...got.values()].map((p) => p.metadata?.uid),
      ["a", "c"],
    );
  });
});

describe("pod decoration", () => {
  test("generateName <job>-<index>- cut to fit", () => {
    assert.equal(podGenerateNameWithIndex("pi", 3), "pi-3-");
    const long = "x".repeat(70);
    const got = podGenerateNameWithIndex(long, 12);
    assert.equal(got.length, 58);
    assert.ok(got.endsWith("-12-"));
  });

  test("JOB_COMPLETION_INDEX from the index label in every container, not twice", () => {
    const t: PodTemplateSpec = {
      spec: {
        initContainers: [{ name: "i" }],
        containers: [{ name: "a" }, { name: "b", env: [{ name: "JOB_COMPLETION_INDEX", value: "x" }] }],
      },
    };
    addCompletionIndexEnvVariables(t);
    const ref = {
      name: "JOB_COMPLETION_INDEX",
      valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } },
    };
    assert.deepEqual(t.spec?.initContainers?.[0].env, [ref]);
    assert.deepEqual(t.spec?.containers[0].env, [ref]);
    assert.deepEqual(t.spec?.containers[1].env, [{ name: "JOB_COMPLETION_INDEX", value: "x" }]);
  });

  test("getCompletionIndex accepts only non-negative integers", () => {
    const key = "batch.kubernetes.io/job-completion-index";
    assert.equal(getCompletionIndex({ [key]: "4" }), 4);
    assert.equal(getCompletionIndex({ [key]: "-2" }), -1);
    assert.equal(getCompletionIndex({ [key]: "1x" }), -1);
    assert.equal(getCompletionIndex(undefined), -1);
  });
});
