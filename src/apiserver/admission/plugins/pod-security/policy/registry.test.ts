// The evaluator: which checks run for each level and version, in which
// order, and how restricted checks override the baseline ones
// (policy/registry_test.go, and real messages from the default checks).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import { LATEST, type Level, majorMinor, type Version } from "../api.ts";
import {
  aggregateCheckResults,
  type Check,
  type CheckResult,
  forbiddenDetail,
  forbiddenReason,
} from "./check.ts";
import { newEvaluator } from "./registry.ts";

/** A check that reports its own id and revision, as upstream's registry test does. */
function fake(
  id: string,
  level: "baseline" | "restricted",
  minors: number[],
  overrides: string[] = [],
): Check {
  return {
    id,
    level,
    versions: minors.map((m) => ({
      minimumVersion: majorMinor(1, m),
      checkPod: (): CheckResult => ({ allowed: false, forbiddenReason: `${id}:v${m}` }),
      overrideCheckIDs: overrides.length > 0 ? overrides : undefined,
    })),
  };
}

function reasons(checks: Check[], level: Level, version: Version): string[] {
  return newEvaluator(checks)
    .evaluatePod({ level, version }, {}, { containers: [] })
    .map((r) => r.forbiddenReason ?? "");
}

describe("evaluator (TestCheckRegistry)", () => {
  const checks = [
    fake("a", "baseline", [0, 2]),
    fake("b", "baseline", [3]),
    fake("c", "baseline", [0, 1], []),
    fake("d", "restricted", [0]),
    fake("e", "restricted", [1, 4], ["c"]),
    fake("f", "restricted", [2]),
  ];
  it("privileged runs nothing", () => {
    assert.deepEqual(reasons(checks, "privileged", LATEST), []);
  });
  it("baseline picks each check's revision for the version, in ID order", () => {
    assert.deepEqual(reasons(checks, "baseline", majorMinor(1, 0)), ["a:v0", "c:v0"]);
    assert.deepEqual(reasons(checks, "baseline", majorMinor(1, 1)), ["a:v0", "c:v1"]);
    assert.deepEqual(reasons(checks, "baseline", majorMinor(1, 2)), ["a:v2", "c:v1"]);
    assert.deepEqual(reasons(checks, "baseline", majorMinor(1, 3)), ["a:v2", "b:v3", "c:v1"]);
    assert.deepEqual(reasons(checks, "baseline", majorMinor(1, 10)), ["a:v2", "b:v3", "c:v1"]);
    assert.deepEqual(reasons(checks, "baseline", LATEST), ["a:v2", "b:v3", "c:v1"]);
  });
  it("restricted adds its checks after baseline and drops the baseline checks it overrides", () => {
    assert.deepEqual(reasons(checks, "restricted", majorMinor(1, 0)), ["a:v0", "c:v0", "d:v0"]);
    assert.deepEqual(reasons(checks, "restricted", majorMinor(1, 1)), ["a:v0", "d:v0", "e:v1"]);
    assert.deepEqual(reasons(checks, "restricted", majorMinor(1, 4)), [
      "a:v2",
      "b:v3",
      "d:v0",
      "e:v4",
      "f:v2",
    ]);
    assert.deepEqual(reasons(checks, "restricted", LATEST), ["a:v2", "b:v3", "d:v0", "e:v4", "f:v2"]);
  });
  it("an emulated version lowers latest", () => {
    const r = newEvaluator(checks, majorMinor(1, 2));
    assert.deepEqual(
      r
        .evaluatePod({ level: "baseline", version: LATEST }, {}, { containers: [] })
        .map((x) => x.forbiddenReason),
      ["a:v2", "c:v1"],
    );
  });
  it("rejects invalid check lists", () => {
    assert.throws(
      () => newEvaluator([fake("a", "baseline", [0]), fake("a", "baseline", [1])]),
      /multiple checks/,
    );
    assert.throws(() => newEvaluator([fake("a", "baseline", [2, 1])]), /strictly increasing/);
    assert.throws(() => newEvaluator([fake("a", "baseline", [1, 1])]), /duplicate version v1.1/);
    assert.throws(
      () => newEvaluator([fake("a", "baseline", [0], ["b"])]),
      /only restricted checks may set overrides/,
    );
    assert.throws(
      () => newEvaluator([fake("a", "restricted", [0]), fake("b", "restricted", [0], ["a"])]),
      /overrides restricted check a/,
    );
  });
});

describe("default checks", () => {
  const evaluator = newEvaluator();
  const evaluate = (level: Level, spec: PodSpec, version: Version = LATEST) =>
    aggregateCheckResults(evaluator.evaluatePod({ level, version }, {}, spec));

  const privilegedPod: PodSpec = {
    containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }],
  };

  it("baseline refuses a privileged container", () => {
    assert.equal(
      forbiddenDetail(evaluate("baseline", privilegedPod)),
      'privileged (container "c" must not set securityContext.privileged=true)',
    );
  });
  it("restricted lists baseline violations first, then restricted ones, each once", () => {
    const r = evaluate("restricted", {
      hostNetwork: true,
      volumes: [{ name: "h", hostPath: { path: "/" } }],
      containers: [
        {
          name: "c",
          image: "busybox",
          securityContext: {
            privileged: true,
            capabilities: { add: ["SYS_ADMIN"] },
            seccompProfile: { type: "Unconfined" },
          },
        },
      ],
    });
    assert.equal(
      forbiddenReason(r),
      "host namespaces, privileged, allowPrivilegeEscalation != false, unrestricted capabilities, restricted volume types, runAsNonRoot != true, seccompProfile",
    );
    assert.equal(
      forbiddenDetail(r),
      'host namespaces (hostNetwork=true), privileged (container "c" must not set securityContext.privileged=true), ' +
        'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add), ' +
        'restricted volume types (volume "h" uses restricted volume type "hostPath"), ' +
        'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
    );
  });
  it("baseline at the same pod reports the baseline checks that restricted overrides", () => {
    const r = evaluate("baseline", {
      volumes: [{ name: "h", hostPath: { path: "/" } }],
      containers: [
        { name: "c", image: "busybox", securityContext: { capabilities: { add: ["SYS_ADMIN"] } } },
      ],
    });
    assert.equal(forbiddenReason(r), "non-default capabilities, hostPath volumes");
  });
  it("a pod meeting restricted passes at every version", () => {
    const spec: PodSpec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "c",
          image: "busybox",
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
      ],
    };
    for (const v of [majorMinor(1, 0), majorMinor(1, 22), majorMinor(1, 32), majorMinor(1, 40), LATEST]) {
      assert.equal(evaluate("restricted", spec, v).allowed, true);
    }
  });
  it("old versions do not apply checks that came later", () => {
    // allowPrivilegeEscalation arrived in 1.8, capabilities in 1.22, runAsUser in 1.23.
    const spec: PodSpec = {
      securityContext: { runAsNonRoot: true },
      containers: [{ name: "c", image: "x" }],
    };
    assert.equal(forbiddenReason(evaluate("restricted", spec, majorMinor(1, 7))), "");
    assert.equal(
      forbiddenReason(evaluate("restricted", spec, majorMinor(1, 8))),
      "allowPrivilegeEscalation != false",
    );
    assert.equal(
      forbiddenReason(evaluate("restricted", spec, majorMinor(1, 22))),
      "allowPrivilegeEscalation != false, unrestricted capabilities, seccompProfile",
    );
  });
});
