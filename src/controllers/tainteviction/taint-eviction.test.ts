// upstream's TestGetMinTolerationTime (taint_eviction_test.go) and the
// toleration matching the controller decides with.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Taint, Toleration } from "kubernetes-types/core/v1.d.ts";
import { getMatchingTolerations, getMinTolerationTime, getNoExecuteTaints } from "./taint-eviction.ts";

test("getMinTolerationTime: upstream's cases", () => {
  const cases: Array<[Toleration[], number]> = [
    [[], 0],
    [[{ tolerationSeconds: undefined }], -1],
    [[{ tolerationSeconds: 1 }, { tolerationSeconds: 2 }], 1000],
    [[{ tolerationSeconds: 1 }, { tolerationSeconds: undefined }], 1000],
    [[{ tolerationSeconds: undefined }, { tolerationSeconds: 1 }], 1000],
  ];
  for (const [tolerations, expected] of cases) assert.equal(getMinTolerationTime(tolerations), expected);
});

test("getMinTolerationTime: zero or negative seconds mean now", () => {
  assert.equal(getMinTolerationTime([{ tolerationSeconds: 300 }, { tolerationSeconds: 0 }]), 0);
  assert.equal(getMinTolerationTime([{ tolerationSeconds: -5 }]), 0);
});

const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" };
const notReady: Taint = { key: "node.kubernetes.io/not-ready", effect: "NoExecute" };

test("getMatchingTolerations: the first toleration of each taint, or not all tolerated", () => {
  const tolUnreachable: Toleration = {
    key: unreachable.key,
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: 2,
  };
  const tolAll: Toleration = { operator: "Exists" };
  assert.deepEqual(getMatchingTolerations([unreachable], [tolUnreachable, tolAll]), {
    allTolerated: true,
    used: [tolUnreachable],
  });
  assert.deepEqual(getMatchingTolerations([unreachable, notReady], [tolUnreachable]), {
    allTolerated: false,
    used: [],
  });
  assert.deepEqual(getMatchingTolerations([unreachable, notReady], [tolUnreachable, tolAll]), {
    allTolerated: true,
    used: [tolUnreachable, tolAll],
  });
  assert.deepEqual(getMatchingTolerations([unreachable], undefined), { allTolerated: false, used: [] });
  assert.deepEqual(getMatchingTolerations([], undefined), { allTolerated: true, used: [] });
});

test("getNoExecuteTaints keeps only NoExecute", () => {
  const noSchedule: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" };
  assert.deepEqual(getNoExecuteTaints([noSchedule, unreachable]), [unreachable]);
  assert.deepEqual(getNoExecuteTaints(undefined), []);
});
