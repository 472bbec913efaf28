// LimitRange defaults (SetDefaults_LimitRangeItem): for Container items the
// default limit falls back to max, and the default request to the default limit,
// then to min.

import type { LimitRange } from "kubernetes-types/core/v1.d.ts";
import { clone, isObject, type JsonObject, objectAt, objectsAt } from "./json.ts";

export function defaultLimitRange(limitRange: LimitRange | JsonObject): void {
  const spec = objectAt(limitRange as JsonObject, "spec");
  for (const item of spec ? objectsAt(spec, "limits") : []) {
    if (item.type === "Container") defaultContainerLimitRangeItem(item);
  }
}

function defaultContainerLimitRangeItem(item: JsonObject): void {
  fillMissing(item, "default", item.max);
  fillMissing(item, "defaultRequest", item.default);
  fillMissing(item, "defaultRequest", item.min);
}

/** Copies into item[key] every resource of from it lacks; an empty map stays absent, as in JSON. */
function fillMissing(item: JsonObject, key: string, from: unknown): void {
  if (!isObject(from)) return;
  const existing = item[key];
  if (existing !== undefined && existing !== null && !isObject(existing)) return;
  const target: JsonObject = isObject(existing) ? existing : {};
  for (const [name, quantity] of Object.entries(from)) {
    if (!(name in target)) target[name] = clone(quantity);
  }
  if (Object.keys(target).length > 0) item[key] = target;
}
