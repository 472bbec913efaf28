// autoscaling HorizontalPodAutoscaler validation (pkg/apis/autoscaling/validation,
// v1.32). Upstream validates the internal type, which has the shape of
// autoscaling/v2, so these take autoscaling/v2 objects (already defaulted); an
// autoscaling/v1 object must be converted to v2 first.
//
// In v1.32 the choice of the minReplicas lower bound (the HPAScaleToZero gate,
// or an old object that already has minReplicas 0) is made here, as upstream's
// ValidateHorizontalPodAutoscaler(Update) do; the strategy only calls them.

import type {
  ContainerResourceMetricSource,
  CrossVersionObjectReference,
  ExternalMetricSource,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerBehavior,
  HorizontalPodAutoscalerSpec,
  HPAScalingPolicy,
  HPAScalingRules,
  MetricIdentifier,
  MetricSpec,
  MetricTarget,
  ObjectMetricSource,
  PodsMetricSource,
  ResourceMetricSource,
} from "kubernetes-types/autoscaling/v2.d.ts";
import {
  type FieldError,
  forbidden,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import {
  append,
  validateDNS1123Label,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validatePathSegmentName,
} from "./common.ts";
import { goQuantity } from "./gofmt.ts";
import { parseQ, validateContainerResourceName } from "./resources.ts";

/** MaxPeriodSeconds: the largest allowed scaling policy period. */
export const maxPeriodSeconds = 1800;
/** MaxStabilizationWindowSeconds: the largest allowed stabilization window. */
export const maxStabilizationWindowSeconds = 3600;

/** features.HPAScaleToZero: alpha and off by default in v1.32. */
const hpaScaleToZeroEnabled = false;

const metaPath = newPath("metadata");
const specPath = newPath("spec");

/** A resource.Quantity as JSON carries it. */
type QuantityJSON = string | number | null | undefined;

// sets.List() orders: sorted.
const validMetricSourceTypes = ["ContainerResource", "External", "Object", "Pods", "Resource"];
const validSelectPolicyTypes = ["Disabled", "Max", "Min"];
const validPolicyTypes = ["Percent", "Pods"];

/** ValidateHorizontalPodAutoscaler. */
export function validateHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): FieldError[] {
  // ValidateHorizontalPodAutoscalerName is ValidateReplicationControllerName: a DNS subdomain.
  const errs = validateObjectMeta(hpa.metadata, true, nameIsDNSSubdomain, metaPath);
  // 0 when the HPA scale-to-zero feature is enabled.
  const minReplicasLowerBound = hpaScaleToZeroEnabled ? 0 : 1;
  append(errs, validateHorizontalPodAutoscalerSpec(specOf(hpa), specPath, minReplicasLowerBound));
  return errs;
}

/** ValidateHorizontalPodAutoscalerUpdate. */
export function validateHorizontalPodAutoscalerUpdate(
  hpa: HorizontalPodAutoscaler,
  old: HorizontalPodAutoscaler,
): FieldError[] {
  const errs = validateObjectMetaUpdate(hpa.metadata, old.metadata, metaPath);
  // 0 when the feature is enabled or the object already has minReplicas 0.
  const minReplicasLowerBound = hpaScaleToZeroEnabled || old.spec?.minReplicas === 0 ? 0 : 1;
  append(errs, validateHorizontalPodAutoscalerSpec(specOf(hpa), specPath, minReplicasLowerBound));
  return errs;
}

/** ValidateHorizontalPodAutoscalerStatusUpdate. */
export function validateHorizontalPodAutoscalerStatusUpdate(
  hpa: HorizontalPodAutoscaler,
  old: HorizontalPodAutoscaler,
): FieldError[] {
  const errs = validateObjectMetaUpdate(hpa.metadata, old.metadata, metaPath);
  const status = hpa.status;
  const statusPath = newPath("status");
  append(errs, validateNonnegative(status?.currentReplicas, statusPath.child("currentReplicas")));
  append(errs, validateNonnegative(status?.desiredReplicas, statusPath.child("desiredReplicas")));
  return errs;
}

function specOf(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscalerSpec {
  return hpa.spec ?? ({} as HorizontalPodAutoscalerSpec);
}

function validateHorizontalPodAutoscalerSpec(
  spec: HorizontalPodAutoscalerSpec,
  path: Path,
  minReplicasLowerBound: number,
): FieldError[] {
  const errs: FieldError[] = [];
  const minReplicas = spec.minReplicas;
  const maxReplicas = spec.maxReplicas ?? 0;
  if (minReplicas != null && minReplicas < minReplicasLowerBound) {
    errs.push(
      invalid(
        path.child("minReplicas"),
        minReplicas,
        `must be greater than or equal to ${minReplicasLowerBound}`,
      ),
    );
  }
  if (maxReplicas < 1) {
    errs.push(invalid(path.child("maxReplicas"), maxReplicas, "must be greater than 0"));
  }
  if (minReplicas != null && maxReplicas < minReplicas) {
    errs.push(
      invalid(path.child("maxReplicas"), maxReplicas, "must be greater than or equal to `minReplicas`"),
    );
  }
  append(errs, validateCrossVersionObjectReference(spec.scaleTargetRef, path.child("scaleTargetRef")));
  append(errs, validateMetrics(spec.metrics, path.child("metrics"), minReplicas));
  append(errs, validateBehavior(spec.behavior, path.child("behavior")));
  return errs;
}

/** ValidateCrossVersionObjectReference: kind and name are required path segments. */
export function validateCrossVersionObjectReference(
  ref: CrossVersionObjectReference | null | undefined,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const kind = ref?.kind ?? "";
  if (kind.length === 0) {
    errs.push(required(path.child("kind"), ""));
  } else {
    for (const msg of validatePathSegmentName(kind, false)) errs.push(invalid(path.child("kind"), kind, msg));
  }
  const name = ref?.name ?? "";
  if (name.length === 0) {
    errs.push(required(path.child("name"), ""));
  } else {
    for (const msg of validatePathSegmentName(name, false)) errs.push(invalid(path.child("name"), name, msg));
  }
  return errs;
}

function validateMetrics(
  metrics: MetricSpec[] | null | undefined,
  path: Path,
  minReplicas: number | null | undefined,
): FieldError[] {
  const errs: FieldError[] = [];
  let hasObjectMetrics = false;
  let hasExternalMetrics = false;
  (metrics ?? []).forEach((metric, i) => {
    append(errs, validateMetricSpec(metric ?? ({} as MetricSpec), path.index(i)));
    if (metric?.type === "Object") hasObjectMetrics = true;
    if (metric?.type === "External") hasExternalMetrics = true;
  });
  if (minReplicas === 0 && !hasObjectMetrics && !hasExternalMetrics) {
    errs.push(
      forbidden(
        path,
        "must specify at least one Object or External metric to support scaling to zero replicas",
      ),
    );
  }
  return errs;
}

function validateBehavior(
  behavior: HorizontalPodAutoscalerBehavior | null | undefined,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (behavior != null) {
    append(errs, validateScalingRules(behavior.scaleUp, path.child("scaleUp")));
    append(errs, validateScalingRules(behavior.scaleDown, path.child("scaleDown")));
  }
  return errs;
}

function validateScalingRules(rules: HPAScalingRules | null | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (rules == null) return errs;
  const window = rules.stabilizationWindowSeconds;
  if (window != null && window < 0) {
    errs.push(
      invalid(path.child("stabilizationWindowSeconds"), window, "must be greater than or equal to zero"),
    );
  }
  if (window != null && window > maxStabilizationWindowSeconds) {
    errs.push(
      invalid(
        path.child("stabilizationWindowSeconds"),
        window,
        `must be less than or equal to ${maxStabilizationWindowSeconds}`,
      ),
    );
  }
  if (rules.selectPolicy != null && !validSelectPolicyTypes.includes(rules.selectPolicy)) {
    errs.push(notSupported(path.child("selectPolicy"), rules.selectPolicy, validSelectPolicyTypes));
  }
  const policiesPath = path.child("policies");
  const policies = rules.policies ?? [];
  if (policies.length === 0) errs.push(required(policiesPath, "must specify at least one Policy"));
  policies.forEach((policy, i) => {
    append(errs, validateScalingPolicy(policy ?? ({} as HPAScalingPolicy), policiesPath.index(i)));
  });
  return errs;
}

function validateScalingPolicy(policy: HPAScalingPolicy, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const type = policy.type ?? "";
  const value = policy.value ?? 0;
  const periodSeconds = policy.periodSeconds ?? 0;
  if (type !== "Pods" && type !== "Percent") {
    errs.push(notSupported(path.child("type"), type, validPolicyTypes));
  }
  if (value <= 0) errs.push(invalid(path.child("value"), value, "must be greater than zero"));
  if (periodSeconds <= 0) {
    errs.push(invalid(path.child("periodSeconds"), periodSeconds, "must be greater than zero"));
  }
  if (periodSeconds > maxPeriodSeconds) {
    errs.push(
      invalid(
        path.child("periodSeconds"),
        periodSeconds,
        `must be less than or equal to ${maxPeriodSeconds}`,
      ),
    );
  }
  return errs;
}

/** The source field each metric type names, in the order upstream looks for them. */
const sourceFields = ["object", "external", "pods", "resource", "containerResource"] as const;
type SourceField = (typeof sourceFields)[number];

const expectedFieldOf: Record<string, SourceField> = {
  Object: "object",
  Pods: "pods",
  Resource: "resource",
  External: "external",
  ContainerResource: "containerResource",
};

function validateMetricSpec(spec: MetricSpec, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const type = spec.type ?? "";
  if (type.length === 0) errs.push(required(path.child("type"), "must specify a metric source type"));
  if (!validMetricSourceTypes.includes(type)) {
    errs.push(notSupported(path.child("type"), type, validMetricSourceTypes));
  }

  // Only the first source set is validated; the others are reported below.
  const present: SourceField[] = [];
  for (const f of sourceFields) {
    if (spec[f] == null) continue;
    present.push(f);
    if (present.length > 1) continue;
    const p = path.child(f);
    switch (f) {
      case "object":
        append(errs, validateObjectSource(spec.object!, p));
        break;
      case "external":
        append(errs, validateExternalSource(spec.external!, p));
        break;
      case "pods":
        append(errs, validatePodsSource(spec.pods!, p));
        break;
      case "resource":
        append(errs, validateResourceSource(spec.resource!, p));
        break;
      case "containerResource":
        append(errs, validateContainerResourceSource(spec.containerResource!, p));
        break;
    }
  }

  const expectedField = Object.hasOwn(expectedFieldOf, type) ? expectedFieldOf[type] : "";
  if (expectedField === "") {
    // Upstream's switch default reports the unknown type a second time.
    errs.push(notSupported(path.child("type"), type, validMetricSourceTypes));
  } else if (spec[expectedField] == null) {
    errs.push(required(path.child(expectedField), "must populate information for the given metric source"));
  }

  // Upstream ranges over a Go set here, in no fixed order; this keeps the order of the fields.
  if (present.length !== 1) {
    for (const f of present) {
      if (f !== expectedField)
        errs.push(forbidden(path.child(f), "must populate the given metric source only"));
    }
  }
  return errs;
}

function targetOf(src: { target?: MetricTarget }): MetricTarget {
  return src.target ?? ({} as MetricTarget);
}

function validateObjectSource(src: ObjectMetricSource, path: Path): FieldError[] {
  const errs = validateCrossVersionObjectReference(src.describedObject, path.child("describedObject"));
  append(errs, validateMetricIdentifier(src.metric, path.child("metric")));
  const target = targetOf(src);
  append(errs, validateMetricTarget(target, path.child("target")));
  if (target.value == null && target.averageValue == null) {
    errs.push(
      required(path.child("target").child("averageValue"), "must set either a target value or averageValue"),
    );
  }
  return errs;
}

function validateExternalSource(src: ExternalMetricSource, path: Path): FieldError[] {
  const errs = validateMetricIdentifier(src.metric, path.child("metric"));
  const target = targetOf(src);
  append(errs, validateMetricTarget(target, path.child("target")));
  if (target.value == null && target.averageValue == null) {
    errs.push(
      required(
        path.child("target").child("averageValue"),
        "must set either a target value for metric or a per-pod target",
      ),
    );
  }
  if (target.value != null && target.averageValue != null) {
    errs.push(
      forbidden(
        path.child("target").child("value"),
        "may not set both a target value for metric and a per-pod target",
      ),
    );
  }
  return errs;
}

function validatePodsSource(src: PodsMetricSource, path: Path): FieldError[] {
  const errs = validateMetricIdentifier(src.metric, path.child("metric"));
  const target = targetOf(src);
  append(errs, validateMetricTarget(target, path.child("target")));
  if (target.averageValue == null) {
    errs.push(
      required(path.child("target").child("averageValue"), "must specify a positive target averageValue"),
    );
  }
  return errs;
}

function validateContainerResourceSource(src: ContainerResourceMetricSource, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = src.name ?? "";
  if (name.length === 0) {
    errs.push(required(path.child("name"), "must specify a resource name"));
  } else {
    // corevalidation (core/v1) ValidateContainerResourceName: the same rules as core's.
    append(errs, validateContainerResourceName(name, path.child("name")));
  }
  const container = src.container ?? "";
  if (container.length === 0) {
    errs.push(required(path.child("container"), "must specify a container"));
  } else {
    append(errs, validateDNS1123Label(container, path.child("container")));
  }
  append(errs, validateUtilizationOrValue(targetOf(src), path.child("target")));
  return errs;
}

function validateResourceSource(src: ResourceMetricSource, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((src.name ?? "").length === 0) errs.push(required(path.child("name"), "must specify a resource name"));
  append(errs, validateUtilizationOrValue(targetOf(src), path.child("target")));
  return errs;
}

/** The target rules Resource and ContainerResource sources share. */
function validateUtilizationOrValue(target: MetricTarget, path: Path): FieldError[] {
  const errs = validateMetricTarget(target, path);
  if (target.averageUtilization == null && target.averageValue == null) {
    errs.push(
      required(
        path.child("averageUtilization"),
        "must set either a target raw value or a target utilization",
      ),
    );
  }
  if (target.averageUtilization != null && target.averageValue != null) {
    errs.push(
      forbidden(path.child("averageValue"), "may not set both a target raw value and a target utilization"),
    );
  }
  return errs;
}

function validateMetricTarget(mt: MetricTarget, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const type = mt.type ?? "";
  if (type.length === 0) errs.push(required(path.child("type"), "must specify a metric target type"));
  if (type !== "Utilization" && type !== "Value" && type !== "AverageValue") {
    errs.push(invalid(path.child("type"), type, "must be either Utilization, Value, or AverageValue"));
  }
  append(errs, validatePositiveQuantity(mt.value, path.child("value")));
  append(errs, validatePositiveQuantity(mt.averageValue, path.child("averageValue")));
  const utilization = mt.averageUtilization;
  if (utilization != null && utilization < 1) {
    errs.push(invalid(path.child("averageUtilization"), utilization, "must be greater than 0"));
  }
  return errs;
}

/**
 * A set *resource.Quantity must be positive. Go prints the dereferenced
 * Quantity with %#v (its String method needs a pointer), hence goQuantity.
 */
function validatePositiveQuantity(raw: QuantityJSON, path: Path): FieldError[] {
  if (raw == null) return [];
  const q = parseQ(raw);
  if (q === null || q.sign() === 1) return [];
  return [invalid(path, goQuantity(raw), "must be positive")];
}

function validateMetricIdentifier(id: MetricIdentifier | null | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = id?.name ?? "";
  if (name.length === 0) {
    errs.push(required(path.child("name"), "must specify a metric name"));
  } else {
    for (const msg of validatePathSegmentName(name, false)) errs.push(invalid(path.child("name"), name, msg));
  }
  return errs;
}
