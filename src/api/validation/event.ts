// Event validation for core/v1 Events and events.k8s.io/v1 Events
// (pkg/apis/core/validation/events.go, v1.32). Both are stored as the
// internal core Event; events.k8s.io objects are mapped to its field names
// first, which is also how upstream's error paths read. Requests through
// core/v1 only get the legacy checks, for backwards compatibility.

import type { Event as CoreEvent } from "kubernetes-types/core/v1.d.ts";
import type { Event as EventsV1Event } from "kubernetes-types/events/v1.d.ts";
import {
  type FieldError,
  GoValue,
  goQuote,
  invalid,
  newPath,
  required,
} from "../../machinery/field-errors.ts";
import { goTimeString, nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import { isDNS1123Subdomain, isQualifiedName } from "../../machinery/validation.ts";
import { byteLen, validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from "./common.ts";
import { semanticEqual } from "./equality.ts";

const reportingInstanceLengthLimit = 128;
const actionLengthLimit = 128;
const reasonLengthLimit = 128;
const noteLengthLimit = 1024;

type InternalEvent = CoreEvent & { series?: { count?: number; lastObservedTime?: string } | null };

/** The internal core Event an events.k8s.io/v1 Event converts to. */
export function fromEventsV1(e: EventsV1Event): InternalEvent {
  return {
    metadata: e.metadata ?? {},
    involvedObject: e.regarding ?? {},
    related: e.related,
    message: e.note,
    reason: e.reason,
    type: e.type,
    eventTime: e.eventTime,
    series:
      e.series == null ? undefined : { count: e.series.count, lastObservedTime: e.series.lastObservedTime },
    action: e.action,
    reportingComponent: e.reportingController,
    reportingInstance: e.reportingInstance,
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
  };
}

function isZeroTime(t: string | null | undefined): boolean {
  return (
    t == null ||
    t === "" ||
    Number.isNaN(Date.parse(t)) ||
    Date.parse(t) === Date.parse("0001-01-01T00:00:00Z")
  );
}

/** legacyValidateEvent. */
function legacyValidateEvent(event: InternalEvent): FieldError[] {
  const errs: FieldError[] = [];
  const ns = event.metadata?.namespace ?? "";
  const involvedNs = event.involvedObject?.namespace ?? "";
  const involvedPath = newPath("involvedObject", "namespace");
  if (isZeroTime(event.eventTime)) {
    if (involvedNs.length === 0) {
      if (ns !== "" && ns !== "default")
        errs.push(invalid(involvedPath, involvedNs, "does not match event.namespace"));
    } else if (ns !== involvedNs) {
      errs.push(invalid(involvedPath, involvedNs, "does not match event.namespace"));
    }
  } else {
    if (involvedNs.length === 0 && ns !== "default" && ns !== "kube-system") {
      errs.push(invalid(involvedPath, involvedNs, "does not match event.namespace"));
    }
    const controller = event.reportingComponent ?? "";
    if (controller.length === 0) errs.push(required(newPath("reportingController"), ""));
    for (const msg of isQualifiedName(controller))
      errs.push(invalid(newPath("reportingController"), controller, msg));
    const instance = event.reportingInstance ?? "";
    if (instance.length === 0) errs.push(required(newPath("reportingInstance"), ""));
    if (byteLen(instance) > reportingInstanceLengthLimit) {
      errs.push(
        invalid(
          newPath("reportingInstance"),
          "",
          `can have at most ${reportingInstanceLengthLimit} characters`,
        ),
      );
    }
    const action = event.action ?? "";
    if (action.length === 0) errs.push(required(newPath("action"), ""));
    if (byteLen(action) > actionLengthLimit) {
      errs.push(invalid(newPath("action"), "", `can have at most ${actionLengthLimit} characters`));
    }
    const reason = event.reason ?? "";
    if (reason.length === 0) errs.push(required(newPath("reason"), ""));
    if (byteLen(reason) > reasonLengthLimit) {
      errs.push(invalid(newPath("reason"), "", `can have at most ${reasonLengthLimit} characters`));
    }
    if (byteLen(event.message ?? "") > noteLengthLimit) {
      errs.push(invalid(newPath("message"), "", `can have at most ${noteLengthLimit} characters`));
    }
  }
  for (const msg of isDNS1123Subdomain(ns)) errs.push(invalid(newPath("namespace"), ns, msg));
  return errs;
}

function validateV1EventSeries(event: InternalEvent): FieldError[] {
  const errs: FieldError[] = [];
  if (event.series != null) {
    if ((event.series.count ?? 0) < 2)
      errs.push(invalid(newPath("series.count"), "", "should be at least 2"));
    if (isZeroTime(event.series.lastObservedTime))
      errs.push(required(newPath("series.lastObservedTime"), ""));
  }
  return errs;
}

/** ValidateEventCreate; strict is true for requests through events.k8s.io/v1. */
export function validateEventCreate(event: InternalEvent, strict: boolean): FieldError[] {
  const errs = legacyValidateEvent(event);
  if (!strict) return errs;
  errs.push(...validateObjectMeta(event.metadata, true, nameIsDNSSubdomain, newPath("metadata")));
  errs.push(...validateV1EventSeries(event));
  if (isZeroTime(event.eventTime)) errs.push(required(newPath("eventTime"), ""));
  if (event.type !== "Normal" && event.type !== "Warning") {
    errs.push(invalid(newPath("type"), "", `has invalid value: ${event.type ?? ""}`));
  }
  if (!isZeroTime(event.firstTimestamp))
    errs.push(invalid(newPath("firstTimestamp"), "", "needs to be unset"));
  if (!isZeroTime(event.lastTimestamp)) errs.push(invalid(newPath("lastTimestamp"), "", "needs to be unset"));
  if ((event.count ?? 0) !== 0) errs.push(invalid(newPath("count"), "", "needs to be unset"));
  if ((event.source?.component ?? "") !== "" || (event.source?.host ?? "") !== "") {
    errs.push(invalid(newPath("source"), "", "needs to be unset"));
  }
  return errs;
}

/** %#v of a core.ObjectReference (a nil *ObjectReference prints as null). */
function goObjectReference(v: unknown): GoValue {
  if (v == null) return new GoValue("null");
  const r = v as Record<string, unknown>;
  const f = (k: string) => goQuote(typeof r[k] === "string" ? (r[k] as string) : "");
  return new GoValue(
    `core.ObjectReference{Kind:${f("kind")}, Namespace:${f("namespace")}, Name:${f("name")}, UID:${f("uid")}, APIVersion:${f("apiVersion")}, ResourceVersion:${f("resourceVersion")}, FieldPath:${f("fieldPath")}}`,
  );
}

function goEventSource(v: unknown): GoValue {
  const r = (v ?? {}) as Record<string, unknown>;
  const f = (k: string) => goQuote(typeof r[k] === "string" ? (r[k] as string) : "");
  return new GoValue(`core.EventSource{Component:${f("component")}, Host:${f("host")}}`);
}

const timeValue = (v: unknown) => new GoValue(goTimeString(v as string | undefined));

/** ValidateEventUpdate; strict is true for requests through events.k8s.io/v1. */
export function validateEventUpdate(event: InternalEvent, old: InternalEvent, strict: boolean): FieldError[] {
  const errs = legacyValidateEvent(event);
  if (!strict) return errs;
  errs.push(...validateObjectMetaUpdate(event.metadata, old.metadata, newPath("metadata")));
  if (!semanticEqual(event.series, old.series)) errs.push(...validateV1EventSeries(event));
  const str = (v: unknown) => String(v ?? "");
  const immutable = (
    field: string,
    a: unknown,
    b: unknown,
    render: (v: unknown) => ReturnType<typeof str> | GoValue | number,
  ) => errs.push(...validateImmutable(a, b, newPath(field), render));
  immutable("involvedObject", event.involvedObject, old.involvedObject, (v) => goObjectReference(v ?? {}));
  immutable("reason", event.reason, old.reason, str);
  immutable("message", event.message, old.message, str);
  immutable("source", event.source, old.source, goEventSource);
  immutable("firstTimestamp", timeKey(event.firstTimestamp), timeKey(old.firstTimestamp), () =>
    timeValue(event.firstTimestamp),
  );
  immutable("lastTimestamp", timeKey(event.lastTimestamp), timeKey(old.lastTimestamp), () =>
    timeValue(event.lastTimestamp),
  );
  immutable("count", event.count ?? 0, old.count ?? 0, (v) => Number(v ?? 0));
  immutable("reason", event.reason, old.reason, str);
  immutable("type", event.type, old.type, str);
  immutable("eventTime", timeKey(event.eventTime), timeKey(old.eventTime), () => timeValue(event.eventTime));
  immutable("action", event.action, old.action, str);
  immutable("related", event.related, old.related, goObjectReference);
  immutable("reportingController", event.reportingComponent, old.reportingComponent, str);
  immutable("reportingInstance", event.reportingInstance, old.reportingInstance, str);
  return errs;
}

function timeKey(t: string | null | undefined): number {
  return isZeroTime(t) ? 0 : Date.parse(t as string);
}
