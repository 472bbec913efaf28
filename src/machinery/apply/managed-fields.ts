// metadata.managedFields in and out of the updater's form
// (apimachinery/pkg/util/managedfields/internal/managedfields.go): entries are
// keyed by a manager identifier (the entry's manager, operation, apiVersion
// for updates, and subresource, as JSON), and written back sorted: Apply
// before Update, then oldest first, then by manager, apiVersion, subresource.

import { type FieldsV1, fieldSetToFieldsV1, fieldsV1ToFieldSet } from "./fields-v1.ts";
import type { ManagedFields } from "./updater.ts";
import { compareStrings, type JsonValue } from "./value.ts";

/** metav1.ManagedFieldsEntry, keys in the order Go writes them. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: "Apply" | "Update" | string;
  apiVersion?: string;
  /** RFC 3339, seconds. */
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  subresource?: string;
}

/** The updater's ownership and, per manager identifier, the time of its last change. */
export interface Managed {
  fields: ManagedFields;
  times: Map<string, string>;
}

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

/** BuildManagerIdentifier: appliers are one identity whatever version they apply in. */
export function buildManagerIdentifier(e: ManagedFieldsEntry): string {
  // JSON.stringify of {manager, operation, apiVersion, subresource}, written
  // out (every write builds one or more).
  let id = "";
  if (e.manager) id += `,"manager":${JSON.stringify(e.manager)}`;
  if (e.operation) id += `,"operation":${JSON.stringify(e.operation)}`;
  if (e.apiVersion && e.operation !== "Apply") id += `,"apiVersion":${JSON.stringify(e.apiVersion)}`;
  if (e.subresource) id += `,"subresource":${JSON.stringify(e.subresource)}`;
  return id === "" ? "{}" : `{${id.slice(1)}}`;
}

/** DecodeManagedFields; throws with upstream's messages on malformed entries. */
export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | undefined): Managed {
  const managed = emptyManaged();
  (entries ?? []).forEach((e, i) => {
    if (e.operation !== "Apply" && e.operation !== "Update")
      throw new Error("operation must be `Apply` or `Update`");
    if (!e.apiVersion) throw new Error("apiVersion must not be empty");
    if (e.fieldsType === undefined || e.fieldsType === "") {
      throw new Error(`missing fieldsType in managed fields entry ${i}`);
    }
    if (e.fieldsType !== "FieldsV1")
      throw new Error(`invalid fieldsType "${e.fieldsType}" in managed fields entry ${i}`);
    const id = buildManagerIdentifier(e);
    let set: ReturnType<typeof fieldsV1ToFieldSet>;
    try {
      set = fieldsV1ToFieldSet(e.fieldsV1 ?? {});
    } catch (err) {
      throw new Error(
        `error decoding versioned set from ${JSON.stringify(e)}: error decoding set: ${(err as Error).message}`,
      );
    }
    managed.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === "Apply" });
    if (e.time) managed.times.set(id, e.time);
    else managed.times.delete(id);
  });
  return managed;
}

function unixSeconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return compareStrings(a, b);
}

// Manager identifiers are JSON written by buildManagerIdentifier; the few in
// use are parsed once.
type ManagerIdentity = { manager?: string; operation?: string; subresource?: string };
const identities = new Map<string, ManagerIdentity>();

function parseIdentifier(id: string): ManagerIdentity {
  let parsed = identities.get(id);
  if (parsed === undefined) {
    if (identities.size >= 1024) identities.clear();
    parsed = JSON.parse(id) as ManagerIdentity;
    identities.set(id, parsed);
  }
  return parsed;
}

/** encodeManagedFields: undefined when nothing is managed (the field is then left out). */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const entries: { entry: ManagedFieldsEntry; seconds: number }[] = [];
  for (const [id, vs] of managed.fields) {
    const parsed = parseIdentifier(id);
    const e: ManagedFieldsEntry = {};
    if (parsed.manager) e.manager = parsed.manager;
    const operation = vs.applied ? "Apply" : parsed.operation;
    if (operation) e.operation = operation;
    if (vs.apiVersion) e.apiVersion = vs.apiVersion;
    const time = managed.times.get(id);
    if (time) e.time = time;
    e.fieldsType = "FieldsV1";
    e.fieldsV1 = fieldSetToFieldsV1(vs.set);
    if (parsed.subresource) e.subresource = parsed.subresource;
    entries.push({ entry: e, seconds: unixSeconds(e.time) });
  }
  if (entries.length > 1) {
    entries.sort(
      ({ entry: p, seconds: ps }, { entry: q, seconds: qs }) =>
        cmp(p.operation ?? "", q.operation ?? "") ||
        ps - qs ||
        cmp(p.manager ?? "", q.manager ?? "") ||
        cmp(p.apiVersion ?? "", q.apiVersion ?? "") ||
        cmp(p.subresource ?? "", q.subresource ?? ""),
    );
  }
  return entries.map((x) => x.entry);
}

let lastSecond = Number.NaN;
let lastFormatted = "";

/** metav1.Time as JSON: RFC 3339 in UTC, whole seconds. */
export function formatTime(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastFormatted = `${d.toISOString().slice(0, 19)}Z`;
    lastSecond = second;
  }
  return lastFormatted;
}

/**
 * isResetManagedFields: a request that sets managedFields to [] (or to one
 * empty entry) asks for tracking to be reset.
 */
export function isResetManagedFields(v: JsonValue | undefined): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  if (v.length === 1) {
    const e = v[0];
    return typeof e === "object" && e !== null && !Array.isArray(e) && Object.keys(e).length === 0;
  }
  return false;
}
