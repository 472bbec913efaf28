import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Taint, Toleration } from "kubernetes-types/core/v1.d.ts";
import {
  doNotScheduleTaintsFilter,
  findMatchingUntoleratedTaint,
  matchTaint,
  matchToleration,
  taintReasonString,
  taintToString,
  toleratesTaint,
  tolerationsTolerateTaint,
} from "./taints.ts";

// Upstream: k8s.io/api/core/v1/toleration_test.go TestTolerationToleratesTaint (Equal/Exists cases).
describe("toleratesTaint", () => {
  const cases: Array<{ name: string; toleration: Toleration; taint: Taint; want: boolean }> = [
    {
      name: "toleration and taint have the same key and effect, and operator is Exists, and taint has no value, expect tolerated",
      toleration: { key: "foo", operator: "Exists", effect: "NoSchedule" },
      taint: { key: "foo", effect: "NoSchedule" },
      want: true,
    },
    {
      name: "toleration and taint have the same key and effect, and operator is Exists, and taint has some value, expect tolerated",
      toleration: { key: "foo", operator: "Exists", effect: "NoSchedule" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      want: true,
    },
    {
      name: "toleration and taint have the same effect, toleration has empty key and operator is Exists, means match all taints, expect tolerated",
      toleration: { key: "", operator: "Exists", effect: "NoSchedule" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      want: true,
    },
    {
      name: "toleration and taint have the same key, effect and value, and operator is Equal, expect tolerated",
      toleration: { key: "foo", operator: "Equal", value: "bar", effect: "NoSchedule" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      want: true,
    },
    {
      name: "toleration and taint have the same key and effect, but different values, and operator is Equal, expect not tolerated",
      toleration: { key: "foo", operator: "Equal", value: "value1", effect: "NoSchedule" },
      taint: { key: "foo", value: "value2", effect: "NoSchedule" },
      want: false,
    },
    {
      name: "toleration and taint have the same key and value, but different effects, and operator is Equal, expect not tolerated",
      toleration: { key: "foo", operator: "Equal", value: "bar", effect: "NoSchedule" },
      taint: { key: "foo", value: "bar", effect: "NoExecute" },
      want: false,
    },
    {
      name: "an empty operator means Equal",
      toleration: { key: "foo", value: "bar" },
      taint: { key: "foo", value: "bar", effect: "NoExecute" },
      want: true,
    },
    {
      name: "an empty toleration tolerates a value-less taint of any key and effect (empty key, empty value, Equal)",
      toleration: {},
      taint: { key: "foo", effect: "NoSchedule" },
      want: true,
    },
    {
      name: "an empty key with Equal does not tolerate a valued taint",
      toleration: { operator: "Equal" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      want: false,
    },
    {
      name: "empty key and Exists tolerates everything",
      toleration: { operator: "Exists" },
      taint: { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
      want: true,
    },
    {
      name: "an unknown operator tolerates nothing",
      toleration: { key: "foo", operator: "Gt", value: "1" },
      taint: { key: "foo", value: "2", effect: "NoSchedule" },
      want: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(toleratesTaint(c.toleration, c.taint), c.want));
  }
});

describe("tolerationsTolerateTaint", () => {
  test("any toleration is enough", () => {
    const taint: Taint = { key: "dedicated", value: "user1", effect: "NoSchedule" };
    assert.equal(tolerationsTolerateTaint(undefined, taint), false);
    assert.equal(tolerationsTolerateTaint([], taint), false);
    assert.equal(
      tolerationsTolerateTaint(
        [
          { key: "dedicated", value: "user2" },
          { key: "dedicated", operator: "Exists" },
        ],
        taint,
      ),
      true,
    );
  });
});

describe("findMatchingUntoleratedTaint", () => {
  const taints: Taint[] = [
    { key: "soft", value: "x", effect: "PreferNoSchedule" },
    { key: "dedicated", value: "user1", effect: "NoSchedule" },
    { key: "evict", effect: "NoExecute" },
  ];

  test("returns the first untolerated taint the filter keeps", () => {
    assert.deepEqual(findMatchingUntoleratedTaint(taints, [], doNotScheduleTaintsFilter), taints[1]);
    assert.deepEqual(findMatchingUntoleratedTaint(taints, []), taints[0]);
    assert.deepEqual(
      findMatchingUntoleratedTaint(taints, [{ key: "dedicated", value: "user1" }], doNotScheduleTaintsFilter),
      taints[2],
    );
  });

  test("undefined when every kept taint is tolerated", () => {
    assert.equal(findMatchingUntoleratedTaint(taints, [{ operator: "Exists" }]), undefined);
    assert.equal(findMatchingUntoleratedTaint(undefined, []), undefined);
    assert.equal(
      findMatchingUntoleratedTaint(
        taints,
        [
          { key: "dedicated", operator: "Exists" },
          { key: "evict", operator: "Exists" },
        ],
        doNotScheduleTaintsFilter,
      ),
      undefined,
    );
  });
});

describe("string forms", () => {
  test("Taint.ToString", () => {
    assert.equal(taintToString({ key: "a", value: "b", effect: "NoSchedule" }), "a=b:NoSchedule");
    assert.equal(taintToString({ key: "a", effect: "NoSchedule" }), "a:NoSchedule");
    assert.equal(taintToString({ key: "a", value: "b", effect: "" }), "a=b:");
    assert.equal(taintToString({ key: "a", effect: "" }), "a");
  });

  test("the scheduler's reason form", () => {
    assert.equal(taintReasonString({ key: "dedicated", value: "x", effect: "NoSchedule" }), "{dedicated: x}");
    assert.equal(
      taintReasonString({ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }),
      "{node.kubernetes.io/not-ready: }",
    );
  });

  test("MatchTaint and MatchToleration", () => {
    assert.equal(
      matchTaint(
        { key: "a", value: "1", effect: "NoSchedule" },
        { key: "a", value: "2", effect: "NoSchedule" },
      ),
      true,
    );
    assert.equal(matchTaint({ key: "a", effect: "NoSchedule" }, { key: "a", effect: "NoExecute" }), false);
    assert.equal(
      matchToleration({ key: "a", operator: "Exists" }, { key: "a", operator: "Exists", value: "" }),
      true,
    );
    assert.equal(matchToleration({ key: "a", operator: "Exists" }, { key: "a", operator: "Equal" }), false);
  });
});
