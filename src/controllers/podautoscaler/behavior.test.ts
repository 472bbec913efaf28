// normalizeDesiredReplicas and normalizeDesiredReplicasWithBehaviors, after
// upstream's horizontal_test.go cases for stabilization, the scale-up limit,
// the default policies and the min/max clamps.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HorizontalPodAutoscalerBehavior } from "kubernetes-types/autoscaling/v2.d.ts";
import {
  calculateScaleDownLimitWithBehaviors,
  calculateScaleUpLimitWithScalingRules,
  type Normalized,
  normalizeDesiredReplicas,
  normalizeDesiredReplicasWithBehaviors,
  ScaleHistory,
  storeScaleEvent,
} from "./behavior.ts";

const T0 = Date.parse("2025-01-01T12:00:00Z");
const WINDOW = 5 * 60_000;
const KEY = "ns/hpa";

/** The conditions as "Type Status Reason". */
const conds = (n: Normalized) => n.conditions.map((c) => `${c.type} ${c.status} ${c.reason}`);

describe("normalizeDesiredReplicas (no spec.behavior)", () => {
  const normalize = (
    h: ScaleHistory,
    current: number,
    desired: number,
    min: number,
    max: number,
    now: number,
  ) => normalizeDesiredReplicas(h, KEY, current, desired, min, max, WINDOW, now);

  it("keeps the highest recommendation of the downscale stabilization window", () => {
    const h = new ScaleHistory();
    h.recordInitialRecommendation(KEY, 5, T0);
    const first = normalize(h, 5, 2, 1, 10, T0 + 60_000);
    assert.equal(first.desiredReplicas, 5);
    assert.deepEqual(conds(first), [
      "AbleToScale True ScaleDownStabilized",
      "ScalingLimited False DesiredWithinRange",
    ]);
    assert.equal(
      first.conditions[0]!.message,
      "recent recommendations were higher than current one, applying the highest recent recommendation",
    );
    // A higher recommendation in the window still holds the size.
    normalize(h, 5, 4, 1, 10, T0 + 2 * 60_000);
    assert.equal(normalize(h, 5, 2, 1, 10, T0 + 5.5 * 60_000).desiredReplicas, 4);
    // Once the window has passed every higher one, the scale-down goes through.
    const late = normalize(h, 5, 2, 1, 10, T0 + 7.5 * 60_000);
    assert.equal(late.desiredReplicas, 2);
    assert.deepEqual(conds(late), [
      "AbleToScale True ReadyForNewScale",
      "ScalingLimited False DesiredWithinRange",
    ]);
  });

  it("limits a scale-up to max(2 × current, 4)", () => {
    const n = normalize(new ScaleHistory(), 3, 10, 1, 20, T0);
    assert.equal(n.desiredReplicas, 6);
    assert.deepEqual(conds(n), ["AbleToScale True ReadyForNewScale", "ScalingLimited True ScaleUpLimit"]);
    assert.equal(
      n.conditions[1]!.message,
      "the desired replica count is increasing faster than the maximum scale rate",
    );
    assert.equal(normalize(new ScaleHistory(), 1, 10, 1, 20, T0).desiredReplicas, 4);
  });

  it("clamps to maxReplicas and minReplicas", () => {
    const tooMany = normalize(new ScaleHistory(), 10, 15, 1, 12, T0);
    assert.equal(tooMany.desiredReplicas, 12);
    assert.deepEqual(conds(tooMany)[1], "ScalingLimited True TooManyReplicas");
    assert.equal(
      tooMany.conditions[1]!.message,
      "the desired replica count is more than the maximum replica count",
    );
    const tooFew = normalize(new ScaleHistory(), 3, 1, 2, 12, T0);
    assert.equal(tooFew.desiredReplicas, 2);
    assert.deepEqual(conds(tooFew)[1], "ScalingLimited True TooFewReplicas");
    assert.equal(
      tooFew.conditions[1]!.message,
      "the desired replica count is less than the minimum replica count",
    );
    const within = normalize(new ScaleHistory(), 3, 5, 2, 12, T0);
    assert.equal(within.desiredReplicas, 5);
    assert.equal(within.conditions[1]!.message, "the desired count is within the acceptable range");
  });
});

describe("normalizeDesiredReplicasWithBehaviors", () => {
  const normalize = (
    h: ScaleHistory,
    behavior: HorizontalPodAutoscalerBehavior,
    current: number,
    desired: number,
    now: number,
    min = 1,
    max = 100,
  ) => normalizeDesiredReplicasWithBehaviors(h, KEY, behavior, current, desired, min, max, WINDOW, now);
  /** A rescale as the controller records it. */
  const rescale = (
    h: ScaleHistory,
    behavior: HorizontalPodAutoscalerBehavior,
    from: number,
    to: number,
    now: number,
  ) => storeScaleEvent(h, behavior, KEY, from, to, WINDOW, now);

  it("default scale-up policies: 4 pods or 100% per 15 s, whichever is more", () => {
    const h = new ScaleHistory();
    const behavior = {};
    h.recordInitialRecommendation(KEY, 1, T0);
    const first = normalize(h, behavior, 1, 20, T0);
    assert.equal(first.desiredReplicas, 5);
    assert.deepEqual(conds(first), ["AbleToScale True ReadyForNewScale", "ScalingLimited True ScaleUpLimit"]);
    rescale(h, behavior, 1, 5, T0);
    // Within the period the 4 pods are spent.
    const again = normalize(h, behavior, 5, 20, T0 + 10_000);
    assert.equal(again.desiredReplicas, 5);
    assert.deepEqual(conds(again)[1], "ScalingLimited True ScaleUpLimit");
    // After it, 100% of 5 beats 4 pods.
    assert.equal(normalize(h, behavior, 5, 20, T0 + 16_000).desiredReplicas, 10);
  });

  it("the default scale-down window (the controller's 5 minutes) holds the highest recommendation", () => {
    const h = new ScaleHistory();
    h.recordInitialRecommendation(KEY, 5, T0);
    const held = normalize(h, {}, 5, 1, T0 + 10_000);
    assert.equal(held.desiredReplicas, 5);
    assert.deepEqual(conds(held), [
      "AbleToScale True ScaleDownStabilized",
      "ScalingLimited False DesiredWithinRange",
    ]);
    assert.equal(normalize(h, {}, 5, 1, T0 + WINDOW + 20_000).desiredReplicas, 1);
  });

  it("a scale-up stabilization window holds the lowest recommendation", () => {
    const h = new ScaleHistory();
    const behavior = { scaleUp: { stabilizationWindowSeconds: 60 } };
    h.recordInitialRecommendation(KEY, 3, T0);
    const held = normalize(h, behavior, 3, 6, T0 + 10_000);
    assert.equal(held.desiredReplicas, 3);
    assert.deepEqual(conds(held), [
      "AbleToScale True ScaleUpStabilized",
      "ScalingLimited False DesiredWithinRange",
    ]);
    assert.equal(
      held.conditions[0]!.message,
      "recent recommendations were lower than current one, applying the lowest recent recommendation",
    );
    assert.equal(normalize(h, behavior, 3, 6, T0 + 71_000).desiredReplicas, 6);
  });

  it("scale-down policies limit the rate, and count recent scale-downs", () => {
    const h = new ScaleHistory();
    const behavior: HorizontalPodAutoscalerBehavior = {
      scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
    };
    const n = normalize(h, behavior, 5, 1, T0);
    assert.equal(n.desiredReplicas, 4);
    assert.deepEqual(conds(n)[1], "ScalingLimited True ScaleDownLimit");
    assert.equal(
      n.conditions[1]!.message,
      "the desired replica count is decreasing faster than the maximum scale rate",
    );
    rescale(h, behavior, 5, 4, T0);
    assert.equal(normalize(h, behavior, 4, 1, T0 + 30_000).desiredReplicas, 4);
    assert.equal(normalize(h, behavior, 4, 1, T0 + 61_000).desiredReplicas, 3);
  });

  it("min and max bound the result, naming the bound", () => {
    const n = normalize(new ScaleHistory(), {}, 5, 9, T0, 1, 6);
    assert.equal(n.desiredReplicas, 6);
    assert.deepEqual(conds(n)[1], "ScalingLimited True TooManyReplicas");
    const few = normalize(
      new ScaleHistory(),
      { scaleDown: { stabilizationWindowSeconds: 0 } },
      5,
      1,
      T0,
      3,
      6,
    );
    assert.equal(few.desiredReplicas, 3);
    assert.deepEqual(conds(few)[1], "ScalingLimited True TooFewReplicas");
  });

  it("selectPolicy Disabled stops that direction", () => {
    const n = normalize(
      new ScaleHistory(),
      { scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: "Disabled" } },
      5,
      1,
      T0,
    );
    assert.equal(n.desiredReplicas, 5);
    assert.deepEqual(conds(n)[1], "ScalingLimited True ScaleDownLimit");
  });
});

describe("policy limits", () => {
  const up = { replicaChange: 2, timestamp: T0 - 10_000, outdated: false };
  const policies = [
    { type: "Pods", value: 4, periodSeconds: 60 },
    { type: "Percent", value: 50, periodSeconds: 60 },
  ];

  it("Max takes the larger change, Min the smaller, from the period's starting size", () => {
    // Started the period at 8: +4 → 12, +50% → 12.
    assert.equal(
      calculateScaleUpLimitWithScalingRules(10, [up], [], { policies, selectPolicy: "Max" }, T0),
      12,
    );
    assert.equal(
      calculateScaleUpLimitWithScalingRules(20, [], [], { policies, selectPolicy: "Max" }, T0),
      30,
    );
    assert.equal(
      calculateScaleUpLimitWithScalingRules(20, [], [], { policies, selectPolicy: "Min" }, T0),
      24,
    );
    assert.equal(calculateScaleDownLimitWithBehaviors(20, [], [], { policies, selectPolicy: "Max" }, T0), 10);
    assert.equal(calculateScaleDownLimitWithBehaviors(20, [], [], { policies, selectPolicy: "Min" }, T0), 16);
  });

  it("Percent rounds a scale-up up and a scale-down down", () => {
    const percent = [{ type: "Percent", value: 10, periodSeconds: 15 }];
    assert.equal(calculateScaleUpLimitWithScalingRules(3, [], [], { policies: percent }, T0), 4);
    assert.equal(calculateScaleDownLimitWithBehaviors(3, [], [], { policies: percent }, T0), 2);
  });
});
