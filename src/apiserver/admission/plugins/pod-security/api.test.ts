// Ports of upstream's api/helpers_test.go (v1.32): version parsing, level
// comparison, policy equivalence and PolicyToEvaluate with warn defaulting.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compareLevels,
  ENFORCE_LEVEL_LABEL,
  fullyPrivileged,
  LATEST,
  type Level,
  type LevelVersion,
  levelVersionString,
  levelVersionsEquivalent,
  majorMinor,
  older,
  type Policy,
  PRIVILEGED_POLICY,
  parseLevel,
  parseVersion,
  policiesEquivalent,
  policyToEvaluate,
  type Version,
  versionString,
} from "./api.ts";

const lv = (level: Level, version: Version = LATEST): LevelVersion => ({ level, version });

describe("versions", () => {
  it("ParseVersion accepts latest and v1.x", () => {
    for (const [s, want] of [
      ["latest", LATEST],
      ["v1.0", majorMinor(1, 0)],
      ["v1.1", majorMinor(1, 1)],
      ["v1.20", majorMinor(1, 20)],
      ["v1.10000", majorMinor(1, 10000)],
    ] as const) {
      assert.deepEqual(parseVersion(s), { version: want }, s);
    }
  });
  it("ParseVersion falls back to latest with an error", () => {
    for (const s of ["foo", "", "v2.0", "v1", "1.1", "v1.01", "v1.", "v1.-1", " v1.2", "v1.2 "]) {
      assert.deepEqual(parseVersion(s), { version: LATEST, error: 'must be "latest" or "v1.x"' }, s);
    }
  });
  it("strings and ordering", () => {
    assert.equal(versionString(majorMinor(1, 22)), "v1.22");
    assert.equal(versionString(LATEST), "latest");
    assert.equal(older(majorMinor(1, 20), majorMinor(1, 21)), true);
    assert.equal(older(majorMinor(1, 20), LATEST), true);
    assert.equal(older(LATEST, majorMinor(9, 9)), false);
    assert.equal(levelVersionString(lv("restricted")), "restricted:latest");
    assert.equal(levelVersionString(lv("baseline", majorMinor(1, 23))), "baseline:v1.23");
  });
});

describe("levels", () => {
  it("ParseLevel: unknown is restricted with an error", () => {
    assert.deepEqual(parseLevel("baseline"), { level: "baseline" });
    assert.deepEqual(parseLevel("Baseline"), {
      level: "restricted",
      error: "must be one of privileged, baseline, restricted",
    });
  });
  it("CompareLevels", () => {
    assert.equal(compareLevels("privileged", "baseline"), -1);
    assert.equal(compareLevels("restricted", "baseline"), 1);
    assert.equal(compareLevels("baseline", "privileged"), 1);
    assert.equal(compareLevels("baseline", "restricted"), -1);
    assert.equal(compareLevels("baseline", "baseline"), 0);
  });
});

describe("equivalence (TestLevelVersionEquals, TestPolicyEquals)", () => {
  const levels: Level[] = ["privileged", "baseline", "restricted"];
  const versions = [LATEST, majorMinor(1, 18), majorMinor(1, 30)];
  const others = [majorMinor(1, 16), majorMinor(1, 13)];
  it("level versions", () => {
    for (const l of levels) for (const v of versions) assert.ok(levelVersionsEquivalent(lv(l, v), lv(l, v)));
    for (const a of levels)
      for (const b of levels) if (a !== b) assert.ok(!levelVersionsEquivalent(lv(a), lv(b)));
    for (const l of ["baseline", "restricted"] as const) {
      for (const v1 of versions)
        for (const v2 of others) assert.ok(!levelVersionsEquivalent(lv(l, v1), lv(l, v2)));
    }
    for (const v1 of versions) {
      for (const v2 of others) assert.ok(levelVersionsEquivalent(lv("privileged", v1), lv("privileged", v2)));
    }
  });
  it("policies", () => {
    const privileged2: Policy = { ...PRIVILEGED_POLICY, enforce: lv("privileged", majorMinor(1, 20)) };
    const baseline: Policy = { ...PRIVILEGED_POLICY, audit: lv("baseline") };
    assert.ok(fullyPrivileged(PRIVILEGED_POLICY));
    assert.ok(fullyPrivileged(privileged2));
    assert.ok(!fullyPrivileged(baseline));
    assert.ok(policiesEquivalent(PRIVILEGED_POLICY, privileged2));
    assert.ok(policiesEquivalent(baseline, baseline));
    assert.ok(!policiesEquivalent(PRIVILEGED_POLICY, baseline));
  });
});

describe("PolicyToEvaluate (TestPolicyToEvaluate)", () => {
  const p = lv("privileged");
  const labels = (kv: Record<string, string>) => {
    const out: Record<string, string> = { "other-label": "foo-bar" };
    for (const [k, v] of Object.entries(kv)) out[`pod-security.kubernetes.io/${k}`] = v;
    return out;
  };
  const cases: [string, Record<string, string>, Policy, boolean][] = [
    [
      "simple enforce",
      { enforce: "baseline" },
      { enforce: lv("baseline"), warn: lv("baseline"), audit: p },
      false,
    ],
    ["simple warn", { warn: "restricted" }, { enforce: p, warn: lv("restricted"), audit: p }, false],
    ["simple audit", { audit: "baseline" }, { enforce: p, warn: p, audit: lv("baseline") }, false],
    [
      "enforce & warn",
      { enforce: "baseline", warn: "restricted" },
      { enforce: lv("baseline"), warn: lv("restricted"), audit: p },
      false,
    ],
    [
      "enforce version",
      { enforce: "baseline", "enforce-version": "v1.22" },
      { enforce: lv("baseline", majorMinor(1, 22)), warn: lv("baseline", majorMinor(1, 22)), audit: p },
      false,
    ],
    [
      "enforce version & warn-version",
      { enforce: "baseline", "enforce-version": "v1.22", "warn-version": "latest" },
      { enforce: lv("baseline", majorMinor(1, 22)), warn: lv("baseline"), audit: p },
      false,
    ],
    [
      "enforce & warn-version",
      { enforce: "baseline", "warn-version": "v1.23" },
      { enforce: lv("baseline"), warn: lv("baseline", majorMinor(1, 23)), audit: p },
      false,
    ],
    [
      "fully specd",
      {
        enforce: "baseline",
        "enforce-version": "v1.20",
        warn: "restricted",
        "warn-version": "v1.21",
        audit: "restricted",
        "audit-version": "v1.22",
      },
      {
        enforce: lv("baseline", majorMinor(1, 20)),
        warn: lv("restricted", majorMinor(1, 21)),
        audit: lv("restricted", majorMinor(1, 22)),
      },
      false,
    ],
    [
      "enforce no warn",
      { enforce: "baseline", warn: "privileged" },
      { enforce: lv("baseline"), warn: p, audit: p },
      false,
    ],
    [
      "enforce warn error",
      { enforce: "baseline", warn: "foo" },
      { enforce: lv("baseline"), warn: p, audit: p },
      true,
    ],
    ["enforce error", { enforce: "foo" }, { enforce: lv("restricted"), warn: p, audit: p }, true],
  ];
  for (const [name, kv, expect, expectErr] of cases) {
    it(name, () => {
      const { policy, errors } = policyToEvaluate(labels(kv), PRIVILEGED_POLICY);
      assert.deepEqual(policy, expect);
      assert.equal(errors.length > 0, expectErr);
    });
  }
  it("no labels means the defaults", () => {
    assert.deepEqual(policyToEvaluate(undefined, PRIVILEGED_POLICY), {
      policy: PRIVILEGED_POLICY,
      errors: [],
    });
  });
  it("errors name the label", () => {
    const { errors } = policyToEvaluate({ [ENFORCE_LEVEL_LABEL]: "foo" }, PRIVILEGED_POLICY);
    assert.equal(
      errors[0].error(),
      'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "foo": must be one of privileged, baseline, restricted',
    );
  });
});
