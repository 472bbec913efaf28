// The pod-failure backoff, with cases from upstream's backoff_utils_test.go.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import {
  BackoffStore,
  getFinishedTime,
  getRemainingTime,
  getRemainingTimePerIndex,
  MAX_POD_FAILURE_BACKOFF_MS,
} from "./backoff.ts";

const T = Date.parse("2009-11-10T23:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function finishedAt(ms: number, phase = "Failed"): Pod {
  return {
    status: {
      phase,
      containerStatuses: [
        {
          name: "c",
          image: "i",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 1, finishedAt: iso(ms) } },
        },
      ],
    },
  };
}

describe("newBackoffRecord", () => {
  const cases: [string, number[], number[], { failures: number; last?: number }][] = [
    ["one new failure", [], [T], { failures: 1, last: T }],
    ["two new failures", [], [T, T - 1], { failures: 2, last: T }],
    ["two failures followed by success", [T], [T - 2, T - 1], { failures: 0 }],
    [
      "two failures, one success and two more failures",
      [T - 2],
      [T, T - 4, T - 3, T - 1],
      { failures: 2, last: T },
    ],
    ["success and failure at the same time", [T], [T], { failures: 0 }],
    ["nothing new", [], [], { failures: 0 }],
  ];
  for (const [name, succeeded, failed, want] of cases) {
    test(name, () => {
      const r = new BackoffStore().newBackoffRecord(
        "key",
        succeeded.map((t) => finishedAt(t, "Succeeded")),
        failed.map((t) => finishedAt(t)),
      );
      assert.equal(r.failuresAfterLastSuccess, want.failures);
      assert.equal(r.lastFailureTime, want.last);
    });
  }

  test("adds to the stored count", () => {
    const store = new BackoffStore();
    store.update({ key: "key", failuresAfterLastSuccess: 2 });
    const r = store.newBackoffRecord("key", [], [finishedAt(T)]);
    assert.deepEqual(r, { key: "key", failuresAfterLastSuccess: 3, lastFailureTime: T });
    // Not stored until the caller says so.
    assert.equal(store.get("key")?.failuresAfterLastSuccess, 2);
  });
});

describe("getFinishedTime", () => {
  test("the latest container finish when all finished", () => {
    const p = finishedAt(T - 1000);
    p.status?.containerStatuses?.push({
      ...p.status.containerStatuses[0],
      state: { terminated: { exitCode: 0, finishedAt: iso(T) } },
    });
    assert.equal(getFinishedTime(p), T);
  });

  test("else Ready=False, else deletion minus grace, else creation", () => {
    const running = {
      name: "c",
      image: "i",
      imageID: "",
      ready: true,
      restartCount: 0,
      state: { running: {} },
    };
    assert.equal(
      getFinishedTime({
        status: {
          containerStatuses: [running],
          conditions: [{ type: "Ready", status: "False", lastTransitionTime: iso(T) }],
        },
      }),
      T,
    );
    assert.equal(
      getFinishedTime({
        metadata: { deletionTimestamp: iso(T), deletionGracePeriodSeconds: 30 },
        status: {
          containerStatuses: [running],
          conditions: [{ type: "Ready", status: "True", lastTransitionTime: iso(T - 5000) }],
        },
      }),
      T - 30_000,
    );
    assert.equal(
      getFinishedTime({ metadata: { creationTimestamp: iso(T) }, status: { containerStatuses: [running] } }),
      T,
    );
  });
});

describe("remaining backoff", () => {
  const base = 5000;
  const max = 700_000;
  const cases: [string, number, number, number][] = [
    ["no failures", 0, T, 0],
    ["one failure, now", 1, T, 5000],
    ["one failure, 1 s later", 1, T + 1000, 4000],
    ["one failure, at the backoff", 1, T + 5000, 0],
    ["one failure, after the backoff", 1, T + 6000, 0],
    ["three failures", 3, T, 20_000],
    ["eight failures, below the cap", 8, T, 640_000],
    ["nine failures, capped", 9, T, 700_000],
  ];
  for (const [name, failures, now, want] of cases) {
    test(name, () => {
      assert.equal(
        getRemainingTime(
          { key: "k", failuresAfterLastSuccess: failures, lastFailureTime: T },
          now,
          base,
          max,
        ),
        want,
      );
    });
  }

  test("upstream's defaults: 10 s doubling, capped at 10 minutes", () => {
    const at = (n: number) =>
      getRemainingTime(
        { key: "k", failuresAfterLastSuccess: n, lastFailureTime: T },
        T,
        10_000,
        MAX_POD_FAILURE_BACKOFF_MS,
      );
    assert.deepEqual([1, 2, 3, 6, 7, 20].map(at), [10_000, 20_000, 40_000, 320_000, 600_000, 600_000]);
  });

  test("per index: from the failure counts of the last failed pod", () => {
    const pod = (counted: string, ignored?: string): Pod => ({
      metadata: {
        deletionTimestamp: iso(T),
        annotations: {
          "batch.kubernetes.io/job-index-failure-count": counted,
          ...(ignored ? { "batch.kubernetes.io/job-index-ignored-failure-count": ignored } : {}),
        },
      },
      status: { phase: "Failed" },
    });
    assert.equal(getRemainingTimePerIndex(T, base, max, undefined), 0);
    assert.equal(getRemainingTimePerIndex(T, base, max, pod("2")), 20_000);
    assert.equal(getRemainingTimePerIndex(T, base, max, pod("1", "1")), 20_000);
  });
});
