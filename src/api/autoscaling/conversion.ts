// autoscaling/v1 ↔ autoscaling/v2 HorizontalPodAutoscaler conversion: a port of upstream's
// pkg/apis/autoscaling/v1/conversion.go (v1 ↔ internal) and the annotation helpers of
// pkg/apis/autoscaling (annotations.go, helpers.go), v1.32. The internal object is written here in its
// autoscaling/v2 JSON shape: that is the version HPAs are stored in (upstream's storage version), and the
// v2 ↔ internal conversion is the identity apart from dropping the round-trip annotations.
//
// autoscaling/v1 only has targetCPUUtilizationPercentage and currentCPUUtilizationPercentage. Everything
// else v2 holds travels in annotations of the v1 object, as upstream writes them: the metrics v1 cannot
// express and the raw current metrics as JSON of the autoscaling/v1 alpha MetricSpec / MetricStatus types
// (`targetAverageUtilization`, `currentAverageValue`, …), the conditions as JSON of the v1 condition type,
// and the behavior as JSON of the *internal* HorizontalPodAutoscalerBehavior, which has no json tags: its
// keys are Go's field names (`ScaleUp`, `StabilizationWindowSeconds`, …), read back case-insensitively as
// encoding/json does. On the way in they are read back and removed from the object.
//
// Both functions build new objects (the input is deep-copied first, never changed), emit Go's zero values
// for the non-omitempty fields as json.Marshal of the typed struct would (`maxReplicas: 0`,
// `status.desiredReplicas: 0`, v2's `currentMetrics: null`), and set apiVersion/kind of their side.
// Quantities written into the annotations are canonicalised as resource.Quantity marshals them; quantities
// elsewhere are copied as they come.
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { Quantity } from "../../machinery/quantity.ts";
import type { Obj } from "../registry.ts";

/** autoscaling.MetricSpecsAnnotation: the metrics v1 cannot express. */
export const METRIC_SPECS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics";
/** autoscaling.MetricStatusesAnnotation: every current metric, raw values included. */
export const METRIC_STATUSES_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics";
/** autoscaling.HorizontalPodAutoscalerConditionsAnnotation. */
export const CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions";
/** autoscaling.BehaviorSpecsAnnotation. */
export const BEHAVIOR_SPECS_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior";
/** autoscaling.DefaultCPUUtilization: v1's implicit target, made explicit on conversion. */
export const DEFAULT_CPU_UTILIZATION = 80;

const ROUND_TRIP_ANNOTATIONS = [
  METRIC_SPECS_ANNOTATION,
  BEHAVIOR_SPECS_ANNOTATION,
  METRIC_STATUSES_ANNOTATION,
  CONDITIONS_ANNOTATION,
];

const KIND = "HorizontalPodAutoscaler";

// ---------------------------------------------------------------------------------------------------------
// JSON helpers with Go's struct semantics: an absent or null pointer is nil, an absent struct is its zero.

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A pointer field that is set (not absent, not null). */
function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** A non-pointer struct field: its zero value when absent. */
function struct(v: unknown): Obj {
  return isObj(v) ? v : {};
}

/** A slice field. */
function slice(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(struct) : [];
}

/** Copies a pointer (omitempty) field when it is set. */
function copyPtr(out: Obj, outKey: string, from: Obj, key: string): void {
  if (isSet(from[key])) out[outKey] = from[key];
}

/** A non-empty string of an omitempty string field, else nothing. */
function copyNonEmpty(out: Obj, key: string, from: Obj): void {
  if (isSet(from[key]) && from[key] !== "") out[key] = from[key];
}

/** Quantity.MarshalJSON: the canonical form; values that do not parse are kept as they are. */
function marshalQuantity(v: unknown): unknown {
  if (typeof v !== "string" && typeof v !== "number") return v;
  try {
    return Quantity.parse(String(v).trim()).toString();
  } catch {
    return v;
  }
}

/** A non-pointer resource.Quantity: "0" when unset. */
function quantityOrZero(v: unknown): unknown {
  return isSet(v) ? v : "0";
}

/** CrossVersionObjectReference: kind and name always, apiVersion omitempty. */
function crossVersionRef(v: unknown): Obj {
  const r = struct(v);
  const out: Obj = { kind: r.kind ?? "", name: r.name ?? "" };
  copyNonEmpty(out, "apiVersion", r);
  return out;
}

/** MetricIdentifier: name always, selector omitempty. */
function metricIdentifier(name: unknown, selector: unknown): Obj {
  const out: Obj = { name: name ?? "" };
  if (isSet(selector)) out.selector = selector;
  return out;
}

function cpuUtilizationMetric(utilization: unknown): Obj {
  return {
    type: "Resource",
    resource: { name: "cpu", target: { type: "Utilization", averageUtilization: utilization } },
  };
}

/** The metric v1's targetCPUUtilizationPercentage stands for: a cpu Resource metric with a utilization. */
function isCPUUtilizationMetric(m: Obj): boolean {
  return (
    m.type === "Resource" &&
    isObj(m.resource) &&
    m.resource.name === "cpu" &&
    isSet(struct(m.resource.target).averageUtilization)
  );
}

// ---------------------------------------------------------------------------------------------------------
// The round-trip annotations.

/**
 * DropRoundTripHorizontalPodAutoscalerAnnotations on metadata.annotations (a copy, changed in place). An
 * annotations map left empty is removed, as `omitempty` does for the map.
 */
function dropRoundTripAnnotations(metadata: Obj): void {
  const annotations = metadata.annotations;
  if (!isObj(annotations)) return;
  if (!ROUND_TRIP_ANNOTATIONS.some((k) => Object.hasOwn(annotations, k))) return;
  for (const k of ROUND_TRIP_ANNOTATIONS) delete annotations[k];
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
}

function setAnnotation(metadata: Obj, key: string, value: string): void {
  if (!isObj(metadata.annotations)) metadata.annotations = {};
  metadata.annotations[key] = value;
}

function annotation(metadata: Obj, key: string): string | undefined {
  const annotations = metadata.annotations;
  if (!isObj(annotations) || !Object.hasOwn(annotations, key)) return undefined;
  const v = annotations[key];
  return typeof v === "string" ? v : undefined;
}

/** A json.Unmarshal type error: the whole annotation is then ignored, as upstream ignores one that fails. */
class DecodeError extends Error {}

/** Decodes an annotation with `decode`, or undefined when it is not JSON or does not fit the Go type. */
function decodeAnnotation<T>(raw: string | undefined, decode: (v: unknown) => T): T | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  try {
    return decode(parsed);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/**
 * encoding/json's view of a JSON object decoded into a struct: a field matches its key exactly or, failing
 * that, case-insensitively; null leaves the field at its zero value. Unknown keys are ignored.
 */
class GoFields {
  private readonly byLower = new Map<string, unknown>();

  constructor(private readonly o: Obj) {
    for (const [k, v] of Object.entries(o)) this.byLower.set(k.toLowerCase(), v);
  }

  private raw(name: string): unknown {
    return Object.hasOwn(this.o, name) ? this.o[name] : this.byLower.get(name.toLowerCase());
  }

  /** A string field (type, name, …): "" when unset. */
  string(name: string): string {
    const v = this.raw(name);
    if (!isSet(v)) return "";
    if (typeof v !== "string") throw new DecodeError(name);
    return v;
  }

  /** An *int32 field: undefined when nil. */
  int32(name: string): number | undefined {
    const v = this.raw(name);
    if (!isSet(v)) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
      throw new DecodeError(name);
    }
    return v;
  }

  /** A resource.Quantity field (pointer or not): undefined when unset. */
  quantity(name: string): unknown {
    const v = this.raw(name);
    if (!isSet(v)) return undefined;
    if (typeof v !== "string" && typeof v !== "number") throw new DecodeError(name);
    try {
      Quantity.parse(String(v).trim());
    } catch {
      throw new DecodeError(name);
    }
    return v;
  }

  /** A struct or pointer-to-struct field: undefined when nil. */
  object(name: string): GoFields | undefined {
    const v = this.raw(name);
    if (!isSet(v)) return undefined;
    if (!isObj(v)) throw new DecodeError(name);
    return new GoFields(v);
  }

  /** A field copied as it is (a label selector, a time): undefined when nil. */
  opaque(name: string, check: (v: unknown) => boolean): unknown {
    const v = this.raw(name);
    if (!isSet(v)) return undefined;
    if (!check(v)) throw new DecodeError(name);
    return v;
  }

  /** A slice field: the decoded items, or undefined when nil. */
  list<T>(name: string, item: (f: GoFields) => T): T[] | undefined {
    return decodeList(this.raw(name), item);
  }
}

/** A JSON array decoded into a Go slice of structs: null is a nil slice, a null item the zero struct. */
function decodeList<T>(v: unknown, item: (f: GoFields) => T): T[] | undefined {
  if (!isSet(v)) return undefined;
  if (!Array.isArray(v)) throw new DecodeError("list");
  return v.map((x) => {
    if (!isSet(x)) return item(new GoFields({}));
    if (!isObj(x)) throw new DecodeError("item");
    return item(new GoFields(x));
  });
}

const isSelector = (v: unknown) => isObj(v);
const isTime = (v: unknown) => typeof v === "string";

// ---------------------------------------------------------------------------------------------------------
// MetricSpec: v2 (internal) → v1 alpha type (Convert_autoscaling_MetricSpec_To_v1_MetricSpec and the
// per-source functions), written straight as the JSON json.Marshal makes of it.

function metricSpecToV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  if (isObj(m.object)) {
    const target = struct(m.object.target);
    const id = struct(m.object.metric);
    const o: Obj = {
      target: crossVersionRef(m.object.describedObject),
      metricName: id.name ?? "",
      targetValue: marshalQuantity(quantityOrZero(target.value)),
    };
    if (isSet(id.selector)) o.selector = id.selector;
    if (isSet(target.averageValue)) o.averageValue = marshalQuantity(target.averageValue);
    out.object = o;
  }
  if (isObj(m.pods)) {
    const id = struct(m.pods.metric);
    const p: Obj = {
      metricName: id.name ?? "",
      targetAverageValue: marshalQuantity(quantityOrZero(struct(m.pods.target).averageValue)),
    };
    if (isSet(id.selector)) p.selector = id.selector;
    out.pods = p;
  }
  if (isObj(m.resource)) out.resource = resourceSourceToV1(m.resource, false);
  if (isObj(m.containerResource)) out.containerResource = resourceSourceToV1(m.containerResource, true);
  if (isObj(m.external)) {
    const target = struct(m.external.target);
    const id = struct(m.external.metric);
    const e: Obj = { metricName: id.name ?? "" };
    if (isSet(id.selector)) e.metricSelector = id.selector;
    if (isSet(target.value)) e.targetValue = marshalQuantity(target.value);
    if (isSet(target.averageValue)) e.targetAverageValue = marshalQuantity(target.averageValue);
    out.external = e;
  }
  return out;
}

function resourceSourceToV1(r: Obj, container: boolean): Obj {
  const target = struct(r.target);
  const out: Obj = { name: r.name ?? "" };
  copyPtr(out, "targetAverageUtilization", target, "averageUtilization");
  if (isSet(target.averageValue)) out.targetAverageValue = marshalQuantity(target.averageValue);
  if (container) out.container = r.container ?? "";
  return out;
}

// MetricSpec: v1 alpha type → v2 (internal), from the decoded annotation.

function metricSpecToV2(f: GoFields): Obj {
  const out: Obj = { type: f.string("type") };
  const object = f.object("object");
  if (object) {
    const averageValue = object.quantity("averageValue");
    // Value is &in.TargetValue: always set, "0" when the annotation had none.
    const target: Obj = {
      type: averageValue === undefined ? "Value" : "AverageValue",
      value: quantityOrZero(object.quantity("targetValue")),
    };
    if (averageValue !== undefined) target.averageValue = averageValue;
    out.object = {
      describedObject: decodeRef(object.object("target")),
      target,
      metric: metricIdentifier(object.string("metricName"), object.opaque("selector", isSelector)),
    };
  }
  const pods = f.object("pods");
  if (pods) {
    out.pods = {
      metric: metricIdentifier(pods.string("metricName"), pods.opaque("selector", isSelector)),
      target: { type: "AverageValue", averageValue: quantityOrZero(pods.quantity("targetAverageValue")) },
    };
  }
  const resource = f.object("resource");
  if (resource) out.resource = resourceSourceToV2(resource, false);
  const containerResource = f.object("containerResource");
  if (containerResource) out.containerResource = resourceSourceToV2(containerResource, true);
  const external = f.object("external");
  if (external) {
    const value = external.quantity("targetValue");
    const averageValue = external.quantity("targetAverageValue");
    const target: Obj = { type: value === undefined ? "AverageValue" : "Value" };
    if (value !== undefined) target.value = value;
    if (averageValue !== undefined) target.averageValue = averageValue;
    out.external = {
      metric: metricIdentifier(external.string("metricName"), external.opaque("metricSelector", isSelector)),
      target,
    };
  }
  return out;
}

function resourceSourceToV2(f: GoFields, container: boolean): Obj {
  const utilization = f.int32("targetAverageUtilization");
  const averageValue = f.quantity("targetAverageValue");
  const target: Obj = { type: utilization === undefined ? "AverageValue" : "Utilization" };
  if (averageValue !== undefined) target.averageValue = averageValue;
  if (utilization !== undefined) target.averageUtilization = utilization;
  const out: Obj = { name: f.string("name"), target };
  if (container) out.container = f.string("container");
  return out;
}

function decodeRef(f: GoFields | undefined): Obj {
  if (!f) return { kind: "", name: "" };
  const out: Obj = { kind: f.string("kind"), name: f.string("name") };
  const apiVersion = f.string("apiVersion");
  if (apiVersion !== "") out.apiVersion = apiVersion;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// MetricStatus: v2 (internal) → v1 alpha type.

function metricStatusToV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  if (isObj(m.object)) {
    const current = struct(m.object.current);
    const id = struct(m.object.metric);
    const o: Obj = {
      target: crossVersionRef(m.object.describedObject),
      metricName: id.name ?? "",
      currentValue: marshalQuantity(quantityOrZero(current.value)),
    };
    if (isSet(id.selector)) o.selector = id.selector;
    if (isSet(current.averageValue)) o.averageValue = marshalQuantity(current.averageValue);
    out.object = o;
  }
  if (isObj(m.pods)) {
    const id = struct(m.pods.metric);
    const p: Obj = {
      metricName: id.name ?? "",
      currentAverageValue: marshalQuantity(quantityOrZero(struct(m.pods.current).averageValue)),
    };
    if (isSet(id.selector)) p.selector = id.selector;
    out.pods = p;
  }
  if (isObj(m.resource)) out.resource = resourceStatusToV1(m.resource, false);
  if (isObj(m.containerResource)) out.containerResource = resourceStatusToV1(m.containerResource, true);
  if (isObj(m.external)) {
    const current = struct(m.external.current);
    const id = struct(m.external.metric);
    const e: Obj = { metricName: id.name ?? "" };
    if (isSet(id.selector)) e.metricSelector = id.selector;
    e.currentValue = marshalQuantity(quantityOrZero(current.value));
    if (isSet(current.averageValue)) e.currentAverageValue = marshalQuantity(current.averageValue);
    out.external = e;
  }
  return out;
}

function resourceStatusToV1(r: Obj, container: boolean): Obj {
  const current = struct(r.current);
  const out: Obj = { name: r.name ?? "" };
  copyPtr(out, "currentAverageUtilization", current, "averageUtilization");
  out.currentAverageValue = marshalQuantity(quantityOrZero(current.averageValue));
  if (container) out.container = r.container ?? "";
  return out;
}

// MetricStatus: v1 alpha type → v2 (internal).

function metricStatusToV2(f: GoFields): Obj {
  const out: Obj = { type: f.string("type") };
  const object = f.object("object");
  if (object) {
    // Value is &in.CurrentValue: always set.
    const current: Obj = { value: quantityOrZero(object.quantity("currentValue")) };
    const averageValue = object.quantity("averageValue");
    if (averageValue !== undefined) current.averageValue = averageValue;
    out.object = {
      metric: metricIdentifier(object.string("metricName"), object.opaque("selector", isSelector)),
      current,
      describedObject: decodeRef(object.object("target")),
    };
  }
  const pods = f.object("pods");
  if (pods) {
    out.pods = {
      metric: metricIdentifier(pods.string("metricName"), pods.opaque("selector", isSelector)),
      current: { averageValue: quantityOrZero(pods.quantity("currentAverageValue")) },
    };
  }
  const resource = f.object("resource");
  if (resource) out.resource = resourceStatusToV2(resource, false);
  const containerResource = f.object("containerResource");
  if (containerResource) out.containerResource = resourceStatusToV2(containerResource, true);
  const external = f.object("external");
  if (external) {
    const current: Obj = { value: quantityOrZero(external.quantity("currentValue")) };
    const averageValue = external.quantity("currentAverageValue");
    if (averageValue !== undefined) current.averageValue = averageValue;
    out.external = {
      metric: metricIdentifier(external.string("metricName"), external.opaque("metricSelector", isSelector)),
      current,
    };
  }
  return out;
}

function resourceStatusToV2(f: GoFields, container: boolean): Obj {
  // AverageValue is &in.CurrentAverageValue: always set.
  const current: Obj = { averageValue: quantityOrZero(f.quantity("currentAverageValue")) };
  const utilization = f.int32("currentAverageUtilization");
  if (utilization !== undefined) current.averageUtilization = utilization;
  const out: Obj = { name: f.string("name"), current };
  if (container) out.container = f.string("container");
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Conditions: the v1 and v2 condition types have the same JSON (lastTransitionTime is a struct, so a zero
// one is written as null; reason and message are omitempty).

function conditionJSON(type: unknown, status: unknown, lastTransitionTime: unknown, c: Obj): Obj {
  const out: Obj = { type: type ?? "", status: status ?? "", lastTransitionTime: lastTransitionTime ?? null };
  copyNonEmpty(out, "reason", c);
  copyNonEmpty(out, "message", c);
  return out;
}

function conditionToV1(c: Obj): Obj {
  return conditionJSON(c.type, c.status, c.lastTransitionTime, c);
}

function conditionToV2(f: GoFields): Obj {
  return conditionJSON(f.string("type"), f.string("status"), f.opaque("lastTransitionTime", isTime), {
    reason: f.string("reason"),
    message: f.string("message"),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Behavior: json.Marshal of the internal autoscaling.HorizontalPodAutoscalerBehavior (no json tags: Go field
// names, nil pointers and slices as null).

function scalingRulesToGo(v: unknown): Obj | null {
  if (!isObj(v)) return null;
  return {
    StabilizationWindowSeconds: v.stabilizationWindowSeconds ?? null,
    SelectPolicy: v.selectPolicy ?? null,
    Policies: Array.isArray(v.policies)
      ? v.policies.map(struct).map((p) => ({
          Type: p.type ?? "",
          Value: p.value ?? 0,
          PeriodSeconds: p.periodSeconds ?? 0,
        }))
      : null,
  };
}

function behaviorToGo(b: Obj): Obj {
  return { ScaleUp: scalingRulesToGo(b.scaleUp), ScaleDown: scalingRulesToGo(b.scaleDown) };
}

function scalingRulesToV2(f: GoFields): Obj {
  const out: Obj = {};
  const window = f.int32("StabilizationWindowSeconds");
  if (window !== undefined) out.stabilizationWindowSeconds = window;
  const selectPolicy = f.opaque("SelectPolicy", (v) => typeof v === "string");
  if (selectPolicy !== undefined) out.selectPolicy = selectPolicy;
  const policies = f.list("Policies", (p) => ({
    type: p.string("Type"),
    value: p.int32("Value") ?? 0,
    periodSeconds: p.int32("PeriodSeconds") ?? 0,
  }));
  // v2's policies is omitempty: an empty list is not written.
  if (policies && policies.length > 0) out.policies = policies;
  return out;
}

/** The behavior annotation decoded; undefined when malformed or the zero behavior (both rules nil). */
function behaviorFromGo(v: unknown): Obj | undefined {
  if (v === null) return undefined;
  if (!isObj(v)) throw new DecodeError("behavior");
  const f = new GoFields(v);
  const scaleUp = f.object("ScaleUp");
  const scaleDown = f.object("ScaleDown");
  if (!scaleUp && !scaleDown) return undefined;
  const out: Obj = {};
  if (scaleUp) out.scaleUp = scalingRulesToV2(scaleUp);
  if (scaleDown) out.scaleDown = scalingRulesToV2(scaleDown);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The object conversions.

/**
 * autoscaling/v2 (the stored shape) → autoscaling/v1: Convert_v2_HorizontalPodAutoscaler_To_autoscaling_…
 * then Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler.
 */
export function hpaV2ToV1(input: Obj): Obj {
  const v2 = deepCopyJson(input);
  const metadata: Obj = isObj(v2.metadata) ? v2.metadata : {};
  const spec = struct(v2.spec);
  const status = struct(v2.status);
  // Only the annotations this conversion writes may be on the result.
  dropRoundTripAnnotations(metadata);

  const metrics = slice(spec.metrics);
  const outSpec: Obj = { scaleTargetRef: crossVersionRef(spec.scaleTargetRef) };
  copyPtr(outSpec, "minReplicas", spec, "minReplicas");
  outSpec.maxReplicas = spec.maxReplicas ?? 0;
  const cpu = metrics.find(isCPUUtilizationMetric);
  if (cpu) outSpec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;

  const currentMetrics = slice(status.currentMetrics);
  const outStatus: Obj = {};
  copyPtr(outStatus, "observedGeneration", status, "observedGeneration");
  copyPtr(outStatus, "lastScaleTime", status, "lastScaleTime");
  outStatus.currentReplicas = status.currentReplicas ?? 0;
  outStatus.desiredReplicas = status.desiredReplicas ?? 0;
  // No break upstream: the last cpu Resource status with a utilization wins.
  for (const m of currentMetrics) {
    if (m.type !== "Resource" || !isObj(m.resource) || m.resource.name !== "cpu") continue;
    const utilization = struct(m.resource.current).averageUtilization;
    if (isSet(utilization)) outStatus.currentCPUUtilizationPercentage = utilization;
  }

  const otherMetrics = metrics.filter((m) => !isCPUUtilizationMetric(m)).map(metricSpecToV1);
  if (otherMetrics.length > 0) {
    setAnnotation(metadata, METRIC_SPECS_ANNOTATION, JSON.stringify(otherMetrics));
  }
  // The statuses are all kept, the cpu one too, for its raw value.
  if (currentMetrics.length > 0) {
    setAnnotation(metadata, METRIC_STATUSES_ANNOTATION, JSON.stringify(currentMetrics.map(metricStatusToV1)));
  }
  if (isObj(spec.behavior)) {
    setAnnotation(metadata, BEHAVIOR_SPECS_ANNOTATION, JSON.stringify(behaviorToGo(spec.behavior)));
  }
  const conditions = slice(status.conditions);
  if (conditions.length > 0) {
    setAnnotation(metadata, CONDITIONS_ANNOTATION, JSON.stringify(conditions.map(conditionToV1)));
  }

  return { kind: KIND, apiVersion: "autoscaling/v1", metadata, spec: outSpec, status: outStatus };
}

/**
 * autoscaling/v1 → autoscaling/v2 (the stored shape): Convert_v1_HorizontalPodAutoscaler_To_autoscaling_…
 * then Convert_autoscaling_HorizontalPodAutoscaler_To_v2_HorizontalPodAutoscaler.
 */
export function hpaV1ToV2(input: Obj): Obj {
  const v1 = deepCopyJson(input);
  const metadata: Obj = isObj(v1.metadata) ? v1.metadata : {};
  const spec = struct(v1.spec);
  const status = struct(v1.status);

  let metrics: Obj[] = [];
  if (isSet(spec.targetCPUUtilizationPercentage)) {
    metrics = [cpuUtilizationMetric(spec.targetCPUUtilizationPercentage)];
  }
  let currentMetrics: Obj[] | null = null;
  if (isSet(status.currentCPUUtilizationPercentage)) {
    currentMetrics = [
      {
        type: "Resource",
        resource: { name: "cpu", current: { averageUtilization: status.currentCPUUtilizationPercentage } },
      },
    ];
  }

  // The metrics v1 cannot express come first; the one the spec conversion made, if any, goes last.
  const otherMetrics = decodeAnnotation(annotation(metadata, METRIC_SPECS_ANNOTATION), (v) =>
    decodeList(v, metricSpecToV2),
  );
  if (otherMetrics) metrics = [...otherMetrics, ...metrics];
  const behavior = decodeAnnotation(annotation(metadata, BEHAVIOR_SPECS_ANNOTATION), behaviorFromGo);
  // The raw statuses replace the one made from currentCPUUtilizationPercentage: they say more.
  // (`null` decodes to a nil slice, which upstream then turns into an empty one.)
  const rawStatuses = decodeAnnotation(
    annotation(metadata, METRIC_STATUSES_ANNOTATION),
    (v) => decodeList(v, metricStatusToV2) ?? [],
  );
  if (rawStatuses) currentMetrics = rawStatuses;
  // autoscaling/v1 formerly had an implicit default applied in the controller; it is made explicit here,
  // where the full set of metrics from the annotation is known.
  if (metrics.length === 0) metrics = [cpuUtilizationMetric(DEFAULT_CPU_UTILIZATION)];
  const conditions = decodeAnnotation(annotation(metadata, CONDITIONS_ANNOTATION), (v) =>
    decodeList(v, conditionToV2),
  );
  dropRoundTripAnnotations(metadata);

  const outSpec: Obj = { scaleTargetRef: crossVersionRef(spec.scaleTargetRef) };
  copyPtr(outSpec, "minReplicas", spec, "minReplicas");
  outSpec.maxReplicas = spec.maxReplicas ?? 0;
  outSpec.metrics = metrics;
  if (behavior) outSpec.behavior = behavior;

  const outStatus: Obj = {};
  copyPtr(outStatus, "observedGeneration", status, "observedGeneration");
  copyPtr(outStatus, "lastScaleTime", status, "lastScaleTime");
  // v2's currentReplicas is omitempty; desiredReplicas and currentMetrics are not.
  if (isSet(status.currentReplicas) && status.currentReplicas !== 0) {
    outStatus.currentReplicas = status.currentReplicas;
  }
  outStatus.desiredReplicas = status.desiredReplicas ?? 0;
  outStatus.currentMetrics = currentMetrics;
  if (conditions && conditions.length > 0) outStatus.conditions = conditions;

  return { kind: KIND, apiVersion: "autoscaling/v2", metadata, spec: outSpec, status: outStatus };
}
