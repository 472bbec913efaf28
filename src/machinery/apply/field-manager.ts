// The FieldManager as kube-apiserver v1.32 wires it
// (apimachinery/pkg/util/managedfields/internal/fieldmanager.go,
// NewDefaultFieldManager), outermost first:
//
//   VersionCheck → LastAppliedUpdater → LastAppliedManager →
//   SkipNonApplied (track on create) → CapManagers (10 update entries) →
//   BuildManagerInfo → ManagedFieldsUpdater → StripMeta → StructuredMerge
//
// updateManagedFields() is FieldManager.UpdateNoErrors, called on every
// create, update and non-apply patch; apply() is FieldManager.Apply for
// `PATCH application/apply-patch+yaml`, plus the request checks the patch
// handler makes around it (fieldManager required, object name).
//
// Left out: conversion between API versions (each manager's fields are read
// in the request's version), defaulting of the applied result (the caller
// defaults it as for any decoded object) and the scale subresource handler.

import { deepCopyJson } from "../deep-copy.ts";
import { type FieldError, invalid, isGoPrintable, newPath, required, tooLong } from "../field-errors.ts";
import { newBadRequest, newInvalid } from "../status.ts";
import { Conflicts, newConflictError } from "./conflict.ts";
import { createdFields } from "./created-fields.ts";
import { FieldSet } from "./field-set.ts";
import type { FieldsV1 } from "./fields-v1.ts";
import { TypedValidationError } from "./helpers.ts";
import {
  buildManagerIdentifier,
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  isResetManagedFields,
  type Managed,
  type ManagedFieldsEntry,
} from "./managed-fields.ts";
import { fieldPath } from "./path-element.ts";
import { deducedSchema, type TypedSchema } from "./schema.ts";
import { typeNode } from "./type-node.ts";
import { TypedValue } from "./typed.ts";
import { Updater } from "./updater.ts";
import { goJSON, isMap, type JsonObject, type JsonValue } from "./value.ts";

/** kubectl's annotation for client-side apply. */
export const LastAppliedConfigAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

/** DefaultMaxUpdateManagers: older Update entries beyond this are merged into "ancient-changes". */
export const DefaultMaxUpdateManagers = 10;

const FieldManagerMaxLength = 128;
const TotalAnnotationSizeLimitB = 256 * (1 << 10);
const beforeFirstApplyManager = "before-first-apply";
const ancientChangesManager = "ancient-changes";
const currentOperation = "current-operation";

// Fields that are never anyone's (stripmeta.go).
const stripSet = FieldSet.of(
  fieldPath("apiVersion"),
  fieldPath("kind"),
  fieldPath("metadata"),
  fieldPath("metadata", "name"),
  fieldPath("metadata", "namespace"),
  fieldPath("metadata", "creationTimestamp"),
  fieldPath("metadata", "selfLink"),
  fieldPath("metadata", "uid"),
  fieldPath("metadata", "clusterName"),
  fieldPath("metadata", "generation"),
  fieldPath("metadata", "managedFields"),
  fieldPath("metadata", "resourceVersion"),
);

export interface FieldManagerOptions {
  /** The request's fieldManager, or managerFromUserAgent(User-Agent) when it has none. */
  manager: string;
  /** The request's group/version, e.g. "apps/v1" or "v1". */
  apiVersion: string;
  /** The kind, e.g. "Deployment". */
  kind: string;
  /** "status", "scale"…; absent for the main resource. */
  subresource?: string;
  /** The clock: entries changed by this request get this time. */
  now: Date;
  /** The kind's schema (src/api/apply-schema.ts applySchemaFor); deduced when absent. */
  schema?: TypedSchema;
  /** Fields the strategy resets for this (sub)resource (ResetFieldsStrategy); they are never owned. */
  resetFields?: FieldSet;
  /** The kind's empty object as the Go type serialises it (emptyObjectFor); used for creates. */
  emptyObject?: JsonObject;
}

export interface UpdateOptions extends FieldManagerOptions {
  operation?: "Update";
}

export interface ApplyOptions extends FieldManagerOptions {
  force?: boolean;
  /** The name in the request URL: checked against the result as the patch handler does. */
  name?: string;
  /** The namespace in the request URL. */
  namespace?: string;
}

/**
 * prefixFromUserAgent: the default manager of a write without fieldManager is
 * the User-Agent up to its first "/", without unprintable characters, cut to
 * 128 bytes ("kubectl/v1.32.0 (linux/amd64) kubernetes/…" → "kubectl").
 */
export function managerFromUserAgent(userAgent: string): string {
  // Every write without fieldManager asks; clients send the same few User-Agents.
  let manager = managers.get(userAgent);
  if (manager === undefined) {
    manager = prefixFromUserAgent(userAgent);
    if (managers.size >= MANAGER_CACHE_MAX) managers.clear();
    if (userAgent.length <= 1024) managers.set(userAgent, manager);
  }
  return manager;
}

const MANAGER_CACHE_MAX = 256;
const managers = new Map<string, string>();

function prefixFromUserAgent(userAgent: string): string {
  const prefix = userAgent.split("/")[0];
  let out = "";
  let bytes = 0;
  for (const ch of prefix) {
    if (!isGoPrintable(ch.codePointAt(0)!)) continue;
    const n = Buffer.byteLength(ch, "utf8");
    if (bytes + n > FieldManagerMaxLength) break;
    out += ch;
    bytes += n;
  }
  return out;
}

function metadataOf(obj: JsonObject): JsonObject | undefined {
  return isMap(obj.metadata) ? obj.metadata : undefined;
}

/** A copy of obj without metadata.managedFields; only the two levels it changes are copied (the rest is shared). */
function withoutManagedFields(obj: JsonObject): JsonObject {
  const md = metadataOf(obj);
  if (!md) return { ...obj };
  const { managedFields: _dropped, ...rest } = md;
  return { ...obj, metadata: rest };
}

function setManagedFields(obj: JsonObject, entries: ManagedFieldsEntry[] | undefined): void {
  let md = metadataOf(obj);
  if (!entries) {
    if (md) delete md.managedFields;
    return;
  }
  if (!md) {
    md = {};
    obj.metadata = md;
  }
  md.managedFields = entries as unknown as JsonValue;
}

function managedFieldsOf(obj: JsonObject): ManagedFieldsEntry[] | undefined {
  const mf = metadataOf(obj)?.managedFields;
  return Array.isArray(mf) ? (mf as unknown as ManagedFieldsEntry[]) : undefined;
}

function decodeOrEmpty(obj: JsonObject): Managed {
  try {
    return decodeManagedFields(managedFieldsOf(obj));
  } catch {
    return { fields: new Map(), times: new Map() };
  }
}

// decodeLiveOrNew: a client may set managedFields itself (or reset them with
// []); if it sends none, or garbage, the stored ones are kept.
function decodeLiveOrNew(live: JsonObject, next: JsonObject, ignoreRequest: boolean): Managed {
  if (ignoreRequest) return decodeOrEmpty(live);
  if (isResetManagedFields(metadataOf(next)?.managedFields)) return { fields: new Map(), times: new Map() };
  try {
    const managed = decodeManagedFields(managedFieldsOf(next));
    if (managed.fields.size > 0) return managed;
  } catch {
    // fall through to the live object's
  }
  return decodeOrEmpty(live);
}

class Stack {
  readonly typed: TypedSchema;
  readonly updater: Updater;
  readonly now: string;

  constructor(readonly opts: FieldManagerOptions) {
    this.typed = opts.schema ?? deducedSchema;
    this.updater = new Updater(opts.resetFields);
    this.now = formatTime(opts.now);
  }

  emptyObject(): JsonObject {
    return deepCopyJson(this.opts.emptyObject ?? {});
  }

  identifier(manager: string, operation: "Apply" | "Update"): string {
    return buildManagerIdentifier({
      manager: manager === "" ? "unknown" : manager,
      operation,
      apiVersion: this.opts.apiVersion,
      subresource: this.opts.subresource,
    });
  }

  // StripMeta: metadata bookkeeping fields are nobody's.
  strip(managed: Managed, id: string): void {
    const vs = managed.fields.get(id);
    if (!vs) return;
    const set = vs.set.difference(stripSet);
    if (set.empty()) managed.fields.delete(id);
    else managed.fields.set(id, { ...vs, set });
  }

  // BuildManagerInfo → ManagedFieldsUpdater → StripMeta → StructuredMerge, for an update.
  update(live: JsonObject, next: JsonObject, managed: Managed, manager: string): Managed {
    const id = this.identifier(manager, "Update");
    const liveTyped = new TypedValue(this.typed, withoutManagedFields(live));
    const nextTyped = new TypedValue(this.typed, withoutManagedFields(next));
    const fields = this.updater.updateFields(
      liveTyped,
      nextTyped,
      this.opts.apiVersion,
      managed.fields,
      currentOperation,
    );
    const result: Managed = { fields, times: new Map(managed.times) };
    this.strip(result, currentOperation);
    // The fields this operation took are merged into the manager's entry, whose time moves on.
    const vs = result.fields.get(currentOperation);
    if (vs) {
      result.fields.delete(currentOperation);
      const previous = result.fields.get(id);
      result.fields.set(id, previous ? { ...vs, set: vs.set.union(previous.set) } : vs);
      result.times.set(id, this.now);
    }
    return capUpdateManagers(result, DefaultMaxUpdateManagers);
  }

  // BuildManagerInfo → ManagedFieldsUpdater → StripMeta → StructuredMerge, for an apply.
  apply(
    live: JsonObject,
    applied: JsonObject,
    managed: Managed,
    manager: string,
    force: boolean,
  ): { object: JsonObject; managed: Managed } {
    const id = this.identifier(manager, "Apply");
    const patchMeta = metadataOf(applied);
    if (patchMeta && patchMeta.managedFields !== undefined && patchMeta.managedFields !== null) {
      throw newBadRequest("metadata.managedFields must be nil");
    }
    const describe = (obj: JsonObject) => {
      const md = metadataOf(obj);
      const ns = typeof md?.namespace === "string" ? md.namespace : "";
      const name = typeof md?.name === "string" ? md.name : "";
      return `${ns}/${name}; ${gvkString(String(obj.apiVersion ?? ""), String(obj.kind ?? ""))}`;
    };
    let patchTyped: TypedValue;
    try {
      patchTyped = TypedValue.asTyped(this.typed, applied);
    } catch (e) {
      throw new Error(`failed to create typed patch object (${describe(applied)}): ${(e as Error).message}`);
    }
    const liveTyped = new TypedValue(this.typed, withoutManagedFields(live));
    let result: ReturnType<Updater["apply"]>;
    try {
      result = this.updater.apply(liveTyped, patchTyped, this.opts.apiVersion, managed.fields, id, force);
    } catch (e) {
      if (e instanceof TypedValidationError) throw new Error(`failed to merge config: ${e.message}`);
      throw e;
    }
    const out: Managed = { fields: result.managers, times: new Map(managed.times) };
    this.strip(out, id);
    let object: JsonObject;
    if (result.object) {
      out.times.set(id, this.now);
      object = result.object.value as JsonObject;
    } else {
      object = withoutManagedFields(live);
    }
    return { object, managed: out };
  }
}

// capUpdateManagers merges the oldest Update entries into one "ancient-changes"
// entry per apiVersion while there are more than max of them.
function capUpdateManagers(managed: Managed, max: number): Managed {
  const updaters = [...managed.fields.entries()].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return managed;
  const seconds = (id: string) => {
    const t = managed.times.get(id);
    return t ? Math.floor(Date.parse(t) / 1000) : 0;
  };
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const manager = updaters[i];
    const vs = managed.fields.get(manager)!;
    const time = managed.times.get(manager);
    const bucket = buildManagerIdentifier({
      manager: ancientChangesManager,
      operation: "Update",
      apiVersion: vs.apiVersion,
    });
    const first = firstByVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstByVersion.set(vs.apiVersion, manager);
      continue;
    }
    if (!managed.fields.has(bucket)) {
      const s = managed.fields.get(first)!;
      managed.fields.delete(first);
      managed.fields.set(bucket, s);
    }
    managed.fields.set(bucket, { ...vs, set: vs.set.union(managed.fields.get(bucket)!.set) });
    managed.fields.delete(manager);
    length--;
    if (time) managed.times.set(bucket, time);
    else managed.times.delete(bucket);
  }
  return managed;
}

/** GroupVersionKind.String(): "apps/v1, Kind=Deployment", "/v1, Kind=Pod". */
function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf("/");
  const group = slash >= 0 ? apiVersion.slice(0, slash) : "";
  const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
  return `${group}/${version}, Kind=${kind}`;
}

function uidOf(obj: JsonObject): string {
  const uid = metadataOf(obj)?.uid;
  return typeof uid === "string" ? uid : "";
}

/**
 * FieldManager.UpdateNoErrors: next with metadata.managedFields recording
 * what this write changed, owned by opts.manager (operation Update). old is
 * the stored object, undefined for a create. Never throws: if ownership
 * cannot be computed, the stored managedFields are kept.
 */
export function updateManagedFields(
  old: JsonObject | undefined,
  next: JsonObject,
  opts: UpdateOptions,
): JsonObject {
  if (old === undefined) {
    const created = trackCreate(next, opts);
    if (created !== undefined) return created;
  }
  return updateManagedFieldsSlow(old, next, opts);
}

// A create that brings no managedFields of its own (the usual case): its
// manager's entry is the only one, and createdFields writes its FieldsV1 in
// one walk. Undefined sends the create down the general path.
function trackCreate(next: JsonObject, opts: UpdateOptions): JsonObject | undefined {
  // As Stack's constructor, first: an invalid clock throws here as there.
  const now = formatTime(opts.now);
  const empty = opts.emptyObject ?? {};
  const managed = decodeLiveOrNew(empty, next, (opts.subresource ?? "") !== "");
  if (managed.fields.size > 0 || uidOf(empty) !== "") return undefined;
  const object = withoutManagedFields(next);
  const typed = opts.schema ?? deducedSchema;
  let fieldsV1: FieldsV1 | undefined;
  try {
    fieldsV1 = createdFields(
      typed.schema,
      typeNode(typed.schema, typed.root),
      withoutManagedFields(empty),
      object,
      opts.resetFields,
      stripSet,
    );
  } catch {
    return undefined;
  }
  if (fieldsV1 === undefined) return object;
  // encodeManagedFields' entry for the identifier stack.identifier(manager, "Update") builds.
  const entry: ManagedFieldsEntry = { manager: opts.manager === "" ? "unknown" : opts.manager };
  entry.operation = "Update";
  if (opts.apiVersion) entry.apiVersion = opts.apiVersion;
  entry.time = now;
  entry.fieldsType = "FieldsV1";
  entry.fieldsV1 = fieldsV1;
  if (opts.subresource) entry.subresource = opts.subresource;
  setManagedFields(object, [entry]);
  return object;
}

/**
 * updateManagedFields without the create fast path: every write through the
 * FieldManager stack. Internal; tests check the fast path against it.
 */
export function updateManagedFieldsSlow(
  old: JsonObject | undefined,
  next: JsonObject,
  opts: UpdateOptions,
): JsonObject {
  const stack = new Stack(opts);
  // The empty object is only read here, so it need not be copied.
  const live = old ?? opts.emptyObject ?? {};
  const managed = decodeLiveOrNew(live, next, (opts.subresource ?? "") !== "");
  const object = withoutManagedFields(next);
  try {
    // SkipNonApplied: an existing object nobody tracks stays untracked until it is applied to.
    if (managed.fields.size === 0 && uidOf(live) !== "") return object;
    setManagedFields(object, encodeManagedFields(stack.update(live, object, managed, opts.manager)));
  } catch {
    const liveFields = managedFieldsOf(live);
    setManagedFields(object, liveFields ? deepCopyJson(liveFields) : undefined);
  }
  return object;
}

function validateManager(manager: string): void {
  const errs: FieldError[] = [];
  const fld = newPath("fieldManager");
  if (manager === "") errs.push(required(fld, "is required for apply patch"));
  if (Buffer.byteLength(manager, "utf8") > FieldManagerMaxLength) {
    errs.push(tooLong(fld, manager, FieldManagerMaxLength));
  }
  let pos = 0;
  for (const ch of manager) {
    const cp = ch.codePointAt(0)!;
    if (!isGoPrintable(cp)) {
      const u = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
      errs.push(invalid(fld, manager, `invalid character ${u} (at position ${pos})`));
    }
    pos += Buffer.byteLength(ch, "utf8");
  }
  if (errs.length > 0) throw newInvalid({ group: "meta.k8s.io", kind: "PatchOptions" }, "", errs);
}

/**
 * Server-side apply: the result of applying `applied` (the decoded
 * apply-patch body) to `live` (undefined when the object does not exist and
 * is created by this apply), with managedFields updated.
 *
 * Throws StatusErrors as the apiserver answers: 422 when fieldManager is
 * missing, 400 for a body of another kind or version, with managedFields, or
 * whose name does not match the URL, 409 Conflict listing the fields other
 * managers own (unless opts.force). Bodies that do not fit the schema throw a
 * plain Error with upstream's text (the apiserver answers 500 with it).
 */
export function apply(
  live: JsonObject | undefined,
  applied: JsonObject,
  opts: ApplyOptions,
): { object: JsonObject } {
  validateManager(opts.manager);
  const stack = new Stack(opts);
  const liveObj = live ?? stack.emptyObject();
  let managed: Managed;
  try {
    managed = decodeManagedFields(managedFieldsOf(liveObj));
  } catch (e) {
    throw new Error(`failed to decode managed fields: ${(e as Error).message}`);
  }

  // VersionCheck.
  const appliedVersion = typeof applied.apiVersion === "string" ? applied.apiVersion : "";
  const appliedKind = typeof applied.kind === "string" ? applied.kind : "";
  if (appliedVersion !== opts.apiVersion || appliedKind !== opts.kind) {
    throw newBadRequest(`invalid object type: ${gvkString(appliedVersion, appliedKind)}`);
  }

  const force = opts.force ?? false;
  let result: { object: JsonObject; managed: Managed };
  try {
    result = applyTracked(stack, liveObj, applied, managed, opts.manager, force);
  } catch (e) {
    if (!(e instanceof Conflicts)) throw e;
    // LastAppliedManager: kubectl's first server-side apply may take over the
    // fields its client-side apply set, as recorded in the annotation.
    if (opts.manager !== "kubectl") throw newConflictError(e);
    const allowed = allowedConflictsFromLastApplied(stack, liveObj);
    if (!allowed) throw newConflictError(e);
    const remaining = e.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw newConflictError(new Conflicts(remaining));
    result = applyTracked(stack, liveObj, applied, managed, opts.manager, true);
  }

  // LastAppliedUpdater: keep the client-side apply annotation in step.
  if (opts.manager === "kubectl" && hasLastApplied(result.object)) {
    setLastApplied(result.object, buildLastApplied(applied));
  }

  const object = orderRootKeys(result.object);
  setManagedFields(object, encodeManagedFields(result.managed));
  if (opts.name !== undefined) checkName(object, opts.name, opts.namespace ?? "");
  return { object };
}

// SkipNonApplied: on the first apply to an object nobody tracks, its existing
// fields are first given to "before-first-apply".
function applyTracked(
  stack: Stack,
  live: JsonObject,
  applied: JsonObject,
  managed: Managed,
  manager: string,
  force: boolean,
): { object: JsonObject; managed: Managed } {
  if (managed.fields.size === 0)
    managed = stack.update(stack.emptyObject(), live, managed, beforeFirstApplyManager);
  return stack.apply(live, applied, managed, manager, force);
}

function allowedConflictsFromLastApplied(stack: Stack, live: JsonObject): FieldSet | undefined {
  const annotations = metadataOf(live)?.annotations;
  const lastApplied = isMap(annotations) ? annotations[LastAppliedConfigAnnotation] : undefined;
  if (typeof lastApplied !== "string" || lastApplied === "") return undefined;
  try {
    const obj = JSON.parse(lastApplied) as JsonValue;
    if (!isMap(obj) || obj.apiVersion !== stack.opts.apiVersion) return undefined;
    const lastTyped = TypedValue.asTyped(stack.typed, obj);
    const liveTyped = new TypedValue(stack.typed, withoutManagedFields(live));
    const set = lastTyped.toFieldSet();
    const c = lastTyped.compare(liveTyped);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

function hasLastApplied(obj: JsonObject): boolean {
  const annotations = metadataOf(obj)?.annotations;
  const v = isMap(annotations) ? annotations[LastAppliedConfigAnnotation] : undefined;
  return typeof v === "string" && v.length > 0;
}

// buildLastApplied: the applied object without the annotation, as
// runtime.Encode(unstructured.UnstructuredJSONScheme) writes it.
function buildLastApplied(applied: JsonObject): string {
  const obj = deepCopyJson(applied);
  const md = metadataOf(obj);
  if (md && isMap(md.annotations)) delete md.annotations[LastAppliedConfigAnnotation];
  return `${goJSON(obj)}\n`;
}

function setLastApplied(obj: JsonObject, value: string): void {
  let md = metadataOf(obj);
  if (!md) {
    md = {};
    obj.metadata = md;
  }
  // A copy: the map may still be the live object's (when the apply changed nothing else).
  const annotations: JsonObject = isMap(md.annotations) ? { ...md.annotations } : {};
  annotations[LastAppliedConfigAnnotation] = value;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += k.length + (typeof v === "string" ? v.length : 0);
  if (size > TotalAnnotationSizeLimitB) delete annotations[LastAppliedConfigAnnotation];
  md.annotations = annotations;
}

// Go writes TypeMeta and ObjectMeta first; a merge appends the applied
// configuration's new keys after the live object's.
function orderRootKeys(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of ["apiVersion", "kind", "metadata"]) if (Object.hasOwn(obj, k)) out[k] = obj[k];
  for (const [k, v] of Object.entries(obj)) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

// checkName (apiserver handlers/rest.go): the result must carry the URL's name.
function checkName(obj: JsonObject, name: string, namespace: string): void {
  const md = metadataOf(obj);
  const objName = typeof md?.name === "string" ? md.name : "";
  const objNamespace = typeof md?.namespace === "string" ? md.namespace : "";
  if (objName === "") {
    throw newBadRequest(
      `the name of the object (${name} based on URL) was undeterminable: name must be provided`,
    );
  }
  if (objName !== name) {
    throw newBadRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
  }
  if (namespace !== "" && objNamespace !== "" && objNamespace !== namespace) {
    throw newBadRequest(
      `the namespace of the object (${objNamespace}) does not match the namespace on the URL (${namespace})`,
    );
  }
}
