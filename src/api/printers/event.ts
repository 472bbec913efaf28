// Event printer: port of printEvent. core/v1 Events print directly; events.k8s.io/v1 Events are first converted
// to the internal (core) shape, as the apiserver serves both from the same storage and TableConvertor
// (pkg/apis/events/v1/conversion.go: regarding, note, deprecatedSource/FirstTimestamp/LastTimestamp/Count).
import type { Event as CoreEvent, EventSource, ObjectReference } from "kubernetes-types/core/v1.d.ts";
import type { Event as EventsEvent } from "kubernetes-types/events/v1.d.ts";
import { nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { isZeroTime, parseTime, translateTimestampSince } from "./timestamp.ts";

/** The fields printEvent reads, in the internal core.Event vocabulary. */
interface InternalEvent {
  name: string;
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  source: EventSource;
  firstTimestamp?: string;
  lastTimestamp?: string;
  count: number;
  type: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  reportingController: string;
  reportingInstance: string;
}

function isEventsV1(obj: CoreEvent | EventsEvent): obj is EventsEvent {
  if (obj.apiVersion) return obj.apiVersion.startsWith("events.k8s.io/");
  return "regarding" in obj || "note" in obj;
}

function toInternal(obj: CoreEvent | EventsEvent): InternalEvent {
  if (isEventsV1(obj)) {
    return {
      name: obj.metadata?.name ?? "",
      involvedObject: obj.regarding ?? {},
      reason: obj.reason ?? "",
      message: obj.note ?? "",
      source: obj.deprecatedSource ?? {},
      firstTimestamp: obj.deprecatedFirstTimestamp,
      lastTimestamp: obj.deprecatedLastTimestamp,
      count: obj.deprecatedCount ?? 0,
      type: obj.type ?? "",
      eventTime: obj.eventTime,
      series: obj.series,
      reportingController: obj.reportingController ?? "",
      reportingInstance: obj.reportingInstance ?? "",
    };
  }
  return {
    name: obj.metadata?.name ?? "",
    involvedObject: obj.involvedObject ?? {},
    reason: obj.reason ?? "",
    message: obj.message ?? "",
    source: obj.source ?? {},
    firstTimestamp: obj.firstTimestamp,
    lastTimestamp: obj.lastTimestamp,
    count: obj.count ?? 0,
    type: obj.type ?? "",
    eventTime: obj.eventTime,
    series: obj.series,
    reportingController: obj.reportingComponent ?? "",
    reportingInstance: obj.reportingInstance ?? "",
  };
}

/** formatEventSource: "component, host", falling back to reportingController / reportingInstance. */
function formatEventSource(es: EventSource, reportingController: string, reportingInstance: string): string {
  const component = es.component || reportingController;
  const instance = es.host || reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

function printEvent(obj: CoreEvent | EventsEvent, ctx: PrintContext): PrintedRow {
  const e = toInternal(obj);
  let firstTimestamp = translateTimestampSince(e.firstTimestamp, ctx.now);
  if (isZeroTime(parseTime(e.firstTimestamp))) firstTimestamp = translateTimestampSince(e.eventTime, ctx.now);
  let lastTimestamp = translateTimestampSince(e.lastTimestamp, ctx.now);
  if (isZeroTime(parseTime(e.lastTimestamp))) lastTimestamp = firstTimestamp;

  let count = e.count;
  if (e.series) {
    lastTimestamp = translateTimestampSince(e.series.lastObservedTime, ctx.now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events don't have a count set in the new API.
    count = 1;
  }

  const kind = (e.involvedObject.kind ?? "").toLowerCase();
  const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
  return {
    cells: [
      lastTimestamp,
      e.type,
      e.reason,
      target,
      e.involvedObject.fieldPath ?? "",
      formatEventSource(e.source, e.reportingController, e.reportingInstance),
      e.message.trim(),
      firstTimestamp,
      count,
      e.name,
    ],
  };
}

const event = swaggerDoc["apiv1.Event"];

export const eventPrinter: TablePrinter<CoreEvent | EventsEvent> = {
  columns: [
    column("Last Seen", "string", event.lastTimestamp),
    column("Type", "string", event.type),
    column("Reason", "string", event.reason),
    column("Object", "string", event.involvedObject),
    column("Subobject", "string", swaggerDoc["apiv1.ObjectReference"].fieldPath, { priority: 1 }),
    column("Source", "string", event.source, { priority: 1 }),
    column("Message", "string", event.message),
    column("First Seen", "string", event.firstTimestamp, { priority: 1 }),
    column("Count", "string", event.count, { priority: 1 }),
    nameColumn(1),
  ],
  print: printEvent,
};
