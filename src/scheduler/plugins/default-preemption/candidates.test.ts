import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { makePod } from "../../testing.ts";
import {
  earliestPodStartTime,
  moreImportantPod,
  pickOneNodeForPreemption,
  podPriority,
  type Victims,
} from "./candidates.ts";

const NOW = Date.parse("2024-06-01T00:00:00Z");

function pod(name: string, priority?: number, start?: string): Pod {
  const p = makePod(name, { priority });
  return start ? { ...p, status: { ...p.status, startTime: start } } : p;
}

const victims = (pods: Pod[], numPDBViolations = 0): Victims => ({ pods, numPDBViolations });
const pick = (m: Record<string, Victims>) => pickOneNodeForPreemption(new Map(Object.entries(m)), NOW);

describe("pickOneNodeForPreemption", () => {
  it("prefers the fewest PDB violations over everything else", () => {
    assert.equal(
      pick({
        a: victims([pod("a1", 0)], 1),
        b: victims([pod("b1", 500), pod("b2", 400)], 0),
      }),
      "b",
    );
  });

  it("then the lowest highest-priority victim", () => {
    assert.equal(pick({ a: victims([pod("a1", 100)]), b: victims([pod("b1", 50), pod("b2", 50)]) }), "b");
  });

  it("then the smallest sum of priorities shifted by 2^31, so fewer negative victims still win", () => {
    // Unshifted, two -100 victims (-200) would beat one (-100).
    assert.equal(
      pick({ a: victims([pod("a1", -100), pod("a2", -100)]), b: victims([pod("b1", -100)]) }),
      "b",
    );
    assert.equal(
      pick({ a: victims([pod("a1", 100), pod("a2", 0)]), b: victims([pod("b1", 100), pod("b2", 50)]) }),
      "a",
    );
  });

  it("then the latest start among the highest-priority victims", () => {
    assert.equal(
      pick({
        a: victims([pod("a1", 100, "2024-01-01T00:00:02Z"), pod("a2", 100, "2024-01-01T00:00:09Z")]),
        b: victims([pod("b1", 100, "2024-01-01T00:00:03Z"), pod("b2", 100, "2024-01-01T00:00:03Z")]),
      }),
      "b",
    );
  });

  it("then the first node", () => {
    const same = () => victims([pod("x", 1, "2024-01-01T00:00:00Z")]);
    assert.equal(pick({ n2: same(), n1: same() }), "n2");
    assert.equal(pickOneNodeForPreemption(new Map(), NOW), "");
  });

  it("uses the given score functions instead of the defaults", () => {
    const m = new Map(Object.entries({ a: victims([pod("a1", 0)]), b: victims([pod("b1", 900)]) }));
    assert.equal(pickOneNodeForPreemption(m, NOW, [(n) => podPriority(m.get(n)!.pods[0])]), "b");
  });
});

describe("victim ordering helpers", () => {
  it("moreImportantPod: higher priority, then earlier start; unstarted pods count as now", () => {
    assert.equal(moreImportantPod(pod("a", 10), pod("b", 5), NOW), true);
    assert.equal(
      moreImportantPod(pod("a", 5, "2024-01-01T00:00:00Z"), pod("b", 5, "2024-02-01T00:00:00Z"), NOW),
      true,
    );
    assert.equal(moreImportantPod(pod("a", 5), pod("b", 5, "2024-02-01T00:00:00Z"), NOW), false);
    assert.equal(podPriority(pod("none")), 0);
  });

  it("earliestPodStartTime looks only at the highest-priority victims", () => {
    const v = victims([
      pod("low-early", 1, "2020-01-01T00:00:00Z"),
      pod("high-late", 9, "2024-03-01T00:00:00Z"),
      pod("high-early", 9, "2024-02-01T00:00:00Z"),
    ]);
    assert.equal(earliestPodStartTime(v, NOW), Date.parse("2024-02-01T00:00:00Z"));
    assert.equal(earliestPodStartTime(victims([]), NOW), undefined);
  });
});
