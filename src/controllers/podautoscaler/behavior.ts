// How the HPA turns the metrics' proposal into the replica count it sets
// (pkg/controller/podautoscaler/horizontal.go: normalizeDesiredReplicas and
// normalizeDesiredReplicasWithBehaviors with their helpers). The history the
// decisions depend on (recent recommendations, recent scale events) lives in
// ScaleHistory, one per controller, keyed by the HPA's namespace/name; the
// functions return the conditions to set rather than touching the HPA.
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from "kubernetes-types/autoscaling/v2.d.ts";

/** --horizontal-pod-autoscaler-downscale-stabilization. */
export const DEFAULT_DOWNSCALE_STABILISATION_WINDOW_MS = 5 * 60_000;

const MAX_INT32 = 2147483647;
const MIN_INT32 = -2147483648;
const scaleUpLimitFactor = 2.0;
const scaleUpLimitMinimum = 4.0;

export interface TimestampedRecommendation {
  recommendation: number;
  timestamp: number;
}

export interface TimestampedScaleEvent {
  /** Always positive: the size of the change in its direction. */
  replicaChange: number;
  timestamp: number;
  outdated: boolean;
}

/** A condition to set, as upstream's setCondition arguments. */
export interface ConditionUpdate {
  type: "AbleToScale" | "ScalingLimited";
  status: "True" | "False";
  reason: string;
  message: string;
}

/** HPAScalingRules with every field set, as defaulting leaves a stated behavior. */
export type ScalingRules = Required<HPAScalingRules>;

export interface Normalized {
  desiredReplicas: number;
  conditions: ConditionUpdate[];
}

/** The controller's recommendations, scaleUpEvents and scaleDownEvents maps. */
export class ScaleHistory {
  readonly recommendations = new Map<string, TimestampedRecommendation[]>();
  readonly scaleUpEvents = new Map<string, TimestampedScaleEvent[]>();
  readonly scaleDownEvents = new Map<string, TimestampedScaleEvent[]>();

  /** recordInitialRecommendation: the current size counts as a recommendation from the first pass on. */
  recordInitialRecommendation(key: string, currentReplicas: number, now: number): void {
    if (!this.recommendations.has(key)) {
      this.recommendations.set(key, [{ recommendation: currentReplicas, timestamp: now }]);
    }
  }

  /** What reconcileKey drops when the HPA is gone. */
  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }
}

/**
 * The rules a stated behavior has after the apiserver's defaulting
 * (GenerateHPAScaleUpRules / GenerateHPAScaleDownRules), for an object that
 * somehow missed it; a scale-down window left unset takes the controller's
 * (maybeInitScaleDownStabilizationWindow).
 */
export function effectiveRules(
  behavior: HorizontalPodAutoscalerBehavior,
  downscaleStabilisationWindowMs: number,
): { scaleUp: ScalingRules; scaleDown: ScalingRules } {
  const up = behavior.scaleUp;
  const down = behavior.scaleDown;
  return {
    scaleUp: {
      stabilizationWindowSeconds: up?.stabilizationWindowSeconds ?? 0,
      selectPolicy: up?.selectPolicy ?? "Max",
      policies: up?.policies ?? [
        { type: "Pods", value: 4, periodSeconds: 15 },
        { type: "Percent", value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds:
        down?.stabilizationWindowSeconds ?? Math.trunc(downscaleStabilisationWindowMs / 1000),
      selectPolicy: down?.selectPolicy ?? "Max",
      policies: down?.policies ?? [{ type: "Percent", value: 100, periodSeconds: 15 }],
    },
  };
}

/**
 * stabilizeRecommendation: records the new recommendation (over one older
 * than the window, if any) and returns the highest within the window.
 */
export function stabilizeRecommendation(
  history: ScaleHistory,
  key: string,
  prenormalizedDesiredReplicas: number,
  downscaleStabilisationWindowMs: number,
  now: number,
): number {
  let maxRecommendation = prenormalizedDesiredReplicas;
  let oldSampleIndex = -1;
  const cutoff = now - downscaleStabilisationWindowMs;
  const recommendations = history.recommendations.get(key) ?? [];
  recommendations.forEach((rec, i) => {
    if (rec.timestamp < cutoff) oldSampleIndex = i;
    else if (rec.recommendation > maxRecommendation) maxRecommendation = rec.recommendation;
  });
  const sample = { recommendation: prenormalizedDesiredReplicas, timestamp: now };
  if (oldSampleIndex >= 0) recommendations[oldSampleIndex] = sample;
  else recommendations.push(sample);
  history.recommendations.set(key, recommendations);
  return maxRecommendation;
}

/**
 * normalizeDesiredReplicas (an HPA without spec.behavior): the downscale
 * stabilization window, then [minReplicas, maxReplicas] and the fixed
 * scale-up limit of max(2 × current, 4).
 */
export function normalizeDesiredReplicas(
  history: ScaleHistory,
  key: string,
  currentReplicas: number,
  prenormalizedDesiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
  downscaleStabilisationWindowMs: number,
  now: number,
): Normalized {
  const recommendation = stabilizeRecommendation(
    history,
    key,
    prenormalizedDesiredReplicas,
    downscaleStabilisationWindowMs,
    now,
  );
  return withConditions(
    prenormalizedDesiredReplicas,
    {
      recommendation,
      reason: "ScaleDownStabilized",
      message:
        "recent recommendations were higher than current one, applying the highest recent recommendation",
    },
    convertDesiredReplicasWithRules(currentReplicas, recommendation, minReplicas, maxReplicas),
  );
}

/**
 * The conditions a normalization reports: AbleToScale says whether
 * stabilization changed the recommendation, ScalingLimited whether the limits
 * changed it again.
 */
function withConditions(
  prenormalized: number,
  stabilized: { recommendation: number; reason: string; message: string },
  limited: { desiredReplicas: number; reason: string; message: string },
): Normalized {
  const able: ConditionUpdate =
    stabilized.recommendation !== prenormalized
      ? { type: "AbleToScale", status: "True", reason: stabilized.reason, message: stabilized.message }
      : {
          type: "AbleToScale",
          status: "True",
          reason: "ReadyForNewScale",
          message: "recommended size matches current size",
        };
  const scalingLimited: ConditionUpdate = {
    type: "ScalingLimited",
    status: limited.desiredReplicas === stabilized.recommendation ? "False" : "True",
    reason: limited.reason,
    message: limited.message,
  };
  return { desiredReplicas: limited.desiredReplicas, conditions: [able, scalingLimited] };
}

/** convertDesiredReplicasWithRules: clamps to [min, max] and the fixed scale-up limit. */
export function convertDesiredReplicasWithRules(
  currentReplicas: number,
  desiredReplicas: number,
  hpaMinReplicas: number,
  hpaMaxReplicas: number,
): { desiredReplicas: number; reason: string; message: string } {
  const minimumAllowedReplicas = hpaMinReplicas;
  // A bogus usage report must not multiply the replicas (kubernetes#32304).
  const scaleUpLimit = calculateScaleUpLimit(currentReplicas);
  let maximumAllowedReplicas: number;
  let reason: string;
  let message: string;
  if (hpaMaxReplicas > scaleUpLimit) {
    maximumAllowedReplicas = scaleUpLimit;
    reason = "ScaleUpLimit";
    message = "the desired replica count is increasing faster than the maximum scale rate";
  } else {
    maximumAllowedReplicas = hpaMaxReplicas;
    reason = "TooManyReplicas";
    message = "the desired replica count is more than the maximum replica count";
  }
  if (desiredReplicas < minimumAllowedReplicas) {
    return {
      desiredReplicas: minimumAllowedReplicas,
      reason: "TooFewReplicas",
      message: "the desired replica count is less than the minimum replica count",
    };
  }
  if (desiredReplicas > maximumAllowedReplicas)
    return { desiredReplicas: maximumAllowedReplicas, reason, message };
  return {
    desiredReplicas,
    reason: "DesiredWithinRange",
    message: "the desired count is within the acceptable range",
  };
}

export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(scaleUpLimitFactor * currentReplicas, scaleUpLimitMinimum));
}

export interface NormalizationArg {
  key: string;
  scaleUpBehavior: ScalingRules;
  scaleDownBehavior: ScalingRules;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
}

/**
 * normalizeDesiredReplicasWithBehaviors: the stabilization windows of both
 * directions, then [minReplicas, maxReplicas] and the rate the policies allow.
 */
export function normalizeDesiredReplicasWithBehaviors(
  history: ScaleHistory,
  key: string,
  behavior: HorizontalPodAutoscalerBehavior,
  currentReplicas: number,
  prenormalizedDesiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
  downscaleStabilisationWindowMs: number,
  now: number,
): Normalized {
  const rules = effectiveRules(behavior, downscaleStabilisationWindowMs);
  const args: NormalizationArg = {
    key,
    scaleUpBehavior: rules.scaleUp,
    scaleDownBehavior: rules.scaleDown,
    minReplicas,
    maxReplicas,
    currentReplicas,
    desiredReplicas: prenormalizedDesiredReplicas,
  };
  const stabilized = stabilizeRecommendationWithBehaviors(history, args, now);
  args.desiredReplicas = stabilized.recommendation;
  return withConditions(
    prenormalizedDesiredReplicas,
    stabilized,
    convertDesiredReplicasWithBehaviorRate(history, args, now),
  );
}

/**
 * stabilizeRecommendationWithBehaviors: records the unstabilized
 * recommendation and keeps the current size between the lowest
 * recommendation within the scale-up window and the highest within the
 * scale-down window.
 */
export function stabilizeRecommendationWithBehaviors(
  history: ScaleHistory,
  args: NormalizationArg,
  now: number,
): { recommendation: number; reason: string; message: string } {
  let oldSampleIndex = -1;
  let upRecommendation = args.desiredReplicas;
  const upCutoff = now - (args.scaleUpBehavior.stabilizationWindowSeconds ?? 0) * 1000;
  let downRecommendation = args.desiredReplicas;
  const downCutoff = now - (args.scaleDownBehavior.stabilizationWindowSeconds ?? 0) * 1000;

  const recommendations = history.recommendations.get(args.key) ?? [];
  recommendations.forEach((rec, i) => {
    if (rec.timestamp > upCutoff) upRecommendation = Math.min(rec.recommendation, upRecommendation);
    if (rec.timestamp > downCutoff) downRecommendation = Math.max(rec.recommendation, downRecommendation);
    if (rec.timestamp < upCutoff && rec.timestamp < downCutoff) oldSampleIndex = i;
  });

  let recommendation = args.currentReplicas;
  if (recommendation < upRecommendation) recommendation = upRecommendation;
  if (recommendation > downRecommendation) recommendation = downRecommendation;

  const sample = { recommendation: args.desiredReplicas, timestamp: now };
  if (oldSampleIndex >= 0) recommendations[oldSampleIndex] = sample;
  else recommendations.push(sample);
  history.recommendations.set(args.key, recommendations);

  return args.desiredReplicas >= args.currentReplicas
    ? {
        recommendation,
        reason: "ScaleUpStabilized",
        message:
          "recent recommendations were lower than current one, applying the lowest recent recommendation",
      }
    : {
        recommendation,
        reason: "ScaleDownStabilized",
        message:
          "recent recommendations were higher than current one, applying the highest recent recommendation",
      };
}

/** convertDesiredReplicasWithBehaviorRate: clamps to [min, max] and to what the policies allow now. */
export function convertDesiredReplicasWithBehaviorRate(
  history: ScaleHistory,
  args: NormalizationArg,
  now: number,
): { desiredReplicas: number; reason: string; message: string } {
  const upEvents = history.scaleUpEvents.get(args.key) ?? [];
  const downEvents = history.scaleDownEvents.get(args.key) ?? [];
  if (args.desiredReplicas > args.currentReplicas) {
    let scaleUpLimit = calculateScaleUpLimitWithScalingRules(
      args.currentReplicas,
      upEvents,
      downEvents,
      args.scaleUpBehavior,
      now,
    );
    // Don't scale up further until the recent scale-ups leave their periods.
    if (scaleUpLimit < args.currentReplicas) scaleUpLimit = args.currentReplicas;
    let maximumAllowedReplicas = args.maxReplicas;
    let reason: string;
    let message: string;
    if (maximumAllowedReplicas > scaleUpLimit) {
      maximumAllowedReplicas = scaleUpLimit;
      reason = "ScaleUpLimit";
      message = "the desired replica count is increasing faster than the maximum scale rate";
    } else {
      reason = "TooManyReplicas";
      message = "the desired replica count is more than the maximum replica count";
    }
    if (args.desiredReplicas > maximumAllowedReplicas) {
      return { desiredReplicas: maximumAllowedReplicas, reason, message };
    }
  } else if (args.desiredReplicas < args.currentReplicas) {
    let scaleDownLimit = calculateScaleDownLimitWithBehaviors(
      args.currentReplicas,
      upEvents,
      downEvents,
      args.scaleDownBehavior,
      now,
    );
    // Don't scale down further until the recent scale-downs leave their periods.
    if (scaleDownLimit > args.currentReplicas) scaleDownLimit = args.currentReplicas;
    let minimumAllowedReplicas = args.minReplicas;
    let reason: string;
    let message: string;
    if (minimumAllowedReplicas < scaleDownLimit) {
      minimumAllowedReplicas = scaleDownLimit;
      reason = "ScaleDownLimit";
      message = "the desired replica count is decreasing faster than the maximum scale rate";
    } else {
      reason = "TooFewReplicas";
      message = "the desired replica count is less than the minimum replica count";
    }
    if (args.desiredReplicas < minimumAllowedReplicas) {
      return { desiredReplicas: minimumAllowedReplicas, reason, message };
    }
  }
  return {
    desiredReplicas: args.desiredReplicas,
    reason: "DesiredWithinRange",
    message: "the desired count is within the acceptable range",
  };
}

/** getReplicasChangePerPeriod: the replicas changed by the events within the period. */
export function getReplicasChangePerPeriod(
  periodSeconds: number,
  scaleEvents: TimestampedScaleEvent[],
  now: number,
): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const rec of scaleEvents) if (rec.timestamp > cutoff) replicas += rec.replicaChange;
  return replicas;
}

/**
 * The limit the scaling policies set now (calculateScaleUpLimitWithScalingRules
 * and calculateScaleDownLimitWithBehaviors): each policy allows a change from
 * the replica count its period began with; selectPolicy "Max" takes the one
 * allowing the largest change (the highest limit up, the lowest down), "Min"
 * the smallest.
 */
function limitWithPolicies(
  up: boolean,
  currentReplicas: number,
  scaleUpEvents: TimestampedScaleEvent[],
  scaleDownEvents: TimestampedScaleEvent[],
  scalingRules: HPAScalingRules,
  now: number,
): number {
  const selectPolicy = scalingRules.selectPolicy ?? "Max";
  if (selectPolicy === "Disabled") return currentReplicas;
  const highest = (selectPolicy === "Max") === up;
  let result = highest ? MIN_INT32 : MAX_INT32;
  for (const policy of scalingRules.policies ?? []) {
    const added = getReplicasChangePerPeriod(policy.periodSeconds, scaleUpEvents, now);
    const deleted = getReplicasChangePerPeriod(policy.periodSeconds, scaleDownEvents, now);
    const start = currentReplicas - added + deleted;
    let proposed = 0;
    if (policy.type === "Pods") {
      proposed = up ? start + policy.value : start - policy.value;
    } else if (policy.type === "Percent") {
      // Up rounds up, so a small percentage of few replicas still allows one more; down rounds toward zero.
      proposed = up
        ? Math.ceil(start * (1 + policy.value / 100))
        : Math.trunc(start * (1 - policy.value / 100));
    }
    result = highest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** calculateScaleUpLimitWithScalingRules: the most replicas the policies allow now. */
export function calculateScaleUpLimitWithScalingRules(
  currentReplicas: number,
  scaleUpEvents: TimestampedScaleEvent[],
  scaleDownEvents: TimestampedScaleEvent[],
  scalingRules: HPAScalingRules,
  now: number,
): number {
  return limitWithPolicies(true, currentReplicas, scaleUpEvents, scaleDownEvents, scalingRules, now);
}

/** calculateScaleDownLimitWithBehaviors: the fewest replicas the policies allow now. */
export function calculateScaleDownLimitWithBehaviors(
  currentReplicas: number,
  scaleUpEvents: TimestampedScaleEvent[],
  scaleDownEvents: TimestampedScaleEvent[],
  scalingRules: HPAScalingRules,
  now: number,
): number {
  return limitWithPolicies(false, currentReplicas, scaleUpEvents, scaleDownEvents, scalingRules, now);
}

/** markScaleEventsOutdated: events older than the longest policy period may be reused. */
export function markScaleEventsOutdated(
  scaleEvents: TimestampedScaleEvent[],
  longestPolicyPeriod: number,
  now: number,
): void {
  const cutoff = now - longestPolicyPeriod * 1000;
  for (const event of scaleEvents) if (event.timestamp < cutoff) event.outdated = true;
}

export function getLongestPolicyPeriod(scalingRules: HPAScalingRules): number {
  let longest = 0;
  for (const policy of scalingRules.policies ?? [])
    if (policy.periodSeconds > longest) longest = policy.periodSeconds;
  return longest;
}

/**
 * storeScaleEvent: records a rescale for the policies' periods, over an
 * outdated event when there is one. Without a behavior nothing reads them.
 */
export function storeScaleEvent(
  history: ScaleHistory,
  behavior: HorizontalPodAutoscalerBehavior | undefined,
  key: string,
  prevReplicas: number,
  newReplicas: number,
  downscaleStabilisationWindowMs: number,
  now: number,
): void {
  if (!behavior) return;
  const rules = effectiveRules(behavior, downscaleStabilisationWindowMs);
  const up = newReplicas > prevReplicas;
  const events = (up ? history.scaleUpEvents : history.scaleDownEvents).get(key) ?? [];
  markScaleEventsOutdated(events, getLongestPolicyPeriod(up ? rules.scaleUp : rules.scaleDown), now);
  const newEvent: TimestampedScaleEvent = {
    replicaChange: up ? newReplicas - prevReplicas : prevReplicas - newReplicas,
    timestamp: now,
    outdated: false,
  };
  let oldSampleIndex = -1;
  events.forEach((event, i) => {
    if (event.outdated) oldSampleIndex = i;
  });
  if (oldSampleIndex >= 0) events[oldSampleIndex] = newEvent;
  else events.push(newEvent);
  (up ? history.scaleUpEvents : history.scaleDownEvents).set(key, events);
}
