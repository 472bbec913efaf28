// events.k8s.io/v1 Events are the same objects as core/v1 Events, stored once in
// the core form and converted on the way in and out, as upstream's
// pkg/apis/events/v1 conversion does.
import type { Obj } from "../../api/registry.ts";

export interface Conversion {
  toStorage(obj: Obj): Obj;
  fromStorage(obj: Obj): Obj;
}

function copyDefined(to: Obj, from: Obj, pairs: Array<[string, string]>): void {
  for (const [a, b] of pairs) if (from[a] !== undefined) to[b] = from[a];
}

/** events.k8s.io/v1 field ↔ core/v1 field. */
const FIELD_PAIRS: Array<[string, string]> = [
  ["eventTime", "eventTime"],
  ["series", "series"],
  ["reportingController", "reportingComponent"],
  ["reportingInstance", "reportingInstance"],
  ["action", "action"],
  ["reason", "reason"],
  ["regarding", "involvedObject"],
  ["related", "related"],
  ["note", "message"],
  ["type", "type"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
];

export const eventsV1Conversion: Conversion = {
  toStorage(ev: Obj): Obj {
    const core: Obj = { kind: "Event", apiVersion: "v1", metadata: ev.metadata };
    copyDefined(core, ev, FIELD_PAIRS);
    core.involvedObject ??= {};
    core.source ??= {};
    return core;
  },
  fromStorage(core: Obj): Obj {
    const ev: Obj = { kind: "Event", apiVersion: "events.k8s.io/v1", metadata: core.metadata };
    copyDefined(
      ev,
      core,
      FIELD_PAIRS.map(([a, b]) => [b, a]),
    );
    if (ev.deprecatedSource && Object.keys(ev.deprecatedSource).length === 0) delete ev.deprecatedSource;
    if (ev.eventTime === undefined) ev.eventTime = null;
    return ev;
  },
};
