// ObjectMeta validation, ported from k8s.io/apimachinery/pkg/api/validation
// (objectmeta.go, generic.go) and the label / managedFields checks of
// pkg/apis/meta/v1/validation, v1.32. Every kind's strategy runs these first.

import type { ManagedFieldsEntry, ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import {
  type BadValue,
  childOf,
  type FieldError,
  forbidden,
  GoValue,
  goQuote,
  indexOf,
  invalid,
  type Path,
  required,
  tooLong,
} from "./field-errors.ts";
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from "./validation.ts";

/** FieldImmutableErrorMsg. */
export const FieldImmutableErrorMsg = "field is immutable";
/** IsNegativeErrorMsg. */
export const IsNegativeErrorMsg = "must be greater than or equal to 0";
/** TotalAnnotationSizeLimitB: 256 KiB for keys plus values. */
export const TotalAnnotationSizeLimitB = 256 * (1 << 10);
/** FieldManagerMaxLength. */
export const FieldManagerMaxLength = 128;
/** MaxSubresourceNameLength. */
export const MaxSubresourceNameLength = 256;
export const FinalizerOrphanDependents = "orphan";
export const FinalizerDeleteDependents = "foregroundDeletion";

function byteLen(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

// --- name validation functions (generic.go) ---------------------------------

/** ValidateNameFunc: messages for a name, or for a generateName prefix when prefix is true. */
export type ValidateNameFunc = (name: string, prefix: boolean) => string[];

/** maskTrailingDash: a generateName may end in "-"; validate it as if it did not. */
export function maskTrailingDash(name: string): string {
  if (name.length > 1 && name.endsWith("-")) return `${name.slice(0, -2)}a`;
  return name;
}

/** NameIsDNSSubdomain: the rule for most kinds. */
export const nameIsDNSSubdomain: ValidateNameFunc = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** NameIsDNSLabel: namespaces and a few others. */
export const nameIsDNSLabel: ValidateNameFunc = (name, prefix) =>
  isDNS1123Label(prefix ? maskTrailingDash(name) : name);

/** NameIsDNS1035Label: Services. */
export const nameIsDNS1035Label: ValidateNameFunc = (name, prefix) =>
  isDNS1035Label(prefix ? maskTrailingDash(name) : name);

export const validateNamespaceName: ValidateNameFunc = nameIsDNSLabel;
export const validateServiceAccountName: ValidateNameFunc = nameIsDNSSubdomain;

/** ValidateNonnegativeField. */
export function validateNonnegativeField(value: number, fldPath: Path | null): FieldError[] {
  return value < 0 ? [invalid(fldPath, value, IsNegativeErrorMsg)] : [];
}

// --- labels, annotations ----------------------------------------------------

/** v1validation.ValidateLabelName. */
export function validateLabelName(labelName: string, fldPath: Path | null): FieldError[] {
  return isQualifiedName(labelName).map((msg) => invalid(fldPath, labelName, msg));
}

/** v1validation.ValidateLabels: qualified-name keys, label-value values. */
export function validateLabels(
  labels: Readonly<Record<string, string>> | undefined,
  fldPath: Path | null,
): FieldError[] {
  const allErrs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    allErrs.push(...validateLabelName(k, fldPath));
    for (const msg of isValidLabelValue(v)) allErrs.push(invalid(fldPath, v, msg));
  }
  return allErrs;
}

/** ValidateAnnotationsSize: an error message when keys plus values exceed 256 KiB. */
export function validateAnnotationsSize(
  annotations: Readonly<Record<string, string>> | undefined,
): string | null {
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) total += byteLen(k) + byteLen(v);
  if (total > TotalAnnotationSizeLimitB) {
    return `annotations size ${total} is larger than limit ${TotalAnnotationSizeLimitB}`;
  }
  return null;
}

/** ValidateAnnotations: keys are qualified names in any case; the total size is limited. */
export function validateAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  fldPath: Path | null,
): FieldError[] {
  const allErrs: FieldError[] = [];
  for (const k of Object.keys(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) allErrs.push(invalid(fldPath, k, msg));
  }
  if (validateAnnotationsSize(annotations) !== null)
    allErrs.push(tooLong(fldPath, "", TotalAnnotationSizeLimitB));
  return allErrs;
}

// --- owner references -------------------------------------------------------

/** schema.ParseGroupVersion as FromAPIVersionAndKind uses it (errors give an empty group/version). */
function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  if (apiVersion.length === 0 || apiVersion === "/") return { group: "", version: "" };
  const slashes = apiVersion.split("/").length - 1;
  if (slashes === 0) return { group: "", version: apiVersion };
  if (slashes === 1) {
    const i = apiVersion.indexOf("/");
    return { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
  }
  return { group: "", version: "" };
}

function goBoolPtr(v: boolean | undefined): string {
  // Go prints the pointer's address; there is no address here, so a stand-in is used.
  return v === undefined ? "(*bool)(nil)" : "(*bool)(0xc000000000)";
}

/** %#v of a metav1.OwnerReference. */
export function goOwnerReference(r: OwnerReference): string {
  return (
    `v1.OwnerReference{APIVersion:${goQuote(r.apiVersion ?? "")}, Kind:${goQuote(r.kind ?? "")}, ` +
    `Name:${goQuote(r.name ?? "")}, UID:${goQuote(r.uid ?? "")}, Controller:${goBoolPtr(r.controller)}, ` +
    `BlockOwnerDeletion:${goBoolPtr(r.blockOwnerDeletion)}}`
  );
}

function validateOwnerReference(ref: OwnerReference, fldPath: Path | null): FieldError[] {
  const allErrs: FieldError[] = [];
  const gv = parseGroupVersion(ref.apiVersion ?? "");
  const kind = ref.kind ?? "";
  if (gv.version.length === 0) {
    allErrs.push(invalid(childOf(fldPath, "apiVersion"), ref.apiVersion ?? "", "version must not be empty"));
  }
  if (kind.length === 0) allErrs.push(invalid(childOf(fldPath, "kind"), kind, "kind must not be empty"));
  if ((ref.name ?? "").length === 0) {
    allErrs.push(invalid(childOf(fldPath, "name"), ref.name ?? "", "name must not be empty"));
  }
  if ((ref.uid ?? "").length === 0)
    allErrs.push(invalid(childOf(fldPath, "uid"), ref.uid ?? "", "uid must not be empty"));
  // BannedOwners: core/v1 Event may not own anything.
  if (gv.group === "" && gv.version === "v1" && kind === "Event") {
    allErrs.push(
      invalid(
        fldPath,
        new GoValue(goOwnerReference(ref)),
        `/v1, Kind=Event is disallowed from being an owner`,
      ),
    );
  }
  return allErrs;
}

/** ValidateOwnerReferences: each reference complete, at most one controller. */
export function validateOwnerReferences(
  refs: readonly OwnerReference[] | undefined,
  fldPath: Path | null,
): FieldError[] {
  const allErrs: FieldError[] = [];
  let firstControllerName = "";
  for (const ref of refs ?? []) {
    allErrs.push(...validateOwnerReference(ref, fldPath));
    if (ref.controller === true) {
      const cur = `${ref.kind ?? ""}/${ref.name ?? ""}`;
      if (firstControllerName !== "") {
        const all = new GoValue(`[]v1.OwnerReference{${(refs ?? []).map(goOwnerReference).join(", ")}}`);
        allErrs.push(
          invalid(
            fldPath,
            all,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstControllerName} and ${cur}`,
          ),
        );
      } else {
        firstControllerName = cur;
      }
    }
  }
  return allErrs;
}

// --- finalizers -------------------------------------------------------------

function goStrings(values: readonly string[]): GoValue {
  return new GoValue(`[]string{${values.map(goQuote).join(", ")}}`);
}

/** ValidateFinalizerName: a qualified name. */
export function validateFinalizerName(name: string, fldPath: Path | null): FieldError[] {
  return isQualifiedName(name).map((msg) => invalid(fldPath, name, msg));
}

/** ValidateFinalizers: valid names, and not both orphan and foregroundDeletion. */
export function validateFinalizers(
  finalizers: readonly string[] | undefined,
  fldPath: Path | null,
): FieldError[] {
  const allErrs: FieldError[] = [];
  let orphan = false;
  let foreground = false;
  for (const f of finalizers ?? []) {
    allErrs.push(...validateFinalizerName(f, fldPath));
    if (f === FinalizerOrphanDependents) orphan = true;
    if (f === FinalizerDeleteDependents) foreground = true;
  }
  if (orphan && foreground) {
    allErrs.push(
      invalid(
        fldPath,
        goStrings(finalizers ?? []),
        `finalizer ${FinalizerOrphanDependents} and ${FinalizerDeleteDependents} cannot be both set`,
      ),
    );
  }
  return allErrs;
}

/** ValidateNoNewFinalizers: nothing may be added once deletion has started. */
export function validateNoNewFinalizers(
  newFinalizers: readonly string[] | undefined,
  oldFinalizers: readonly string[] | undefined,
  fldPath: Path | null,
): FieldError[] {
  const old = new Set(oldFinalizers ?? []);
  const extra = [...new Set(newFinalizers ?? [])].filter((f) => !old.has(f)).sort();
  if (extra.length === 0) return [];
  return [
    forbidden(
      fldPath,
      `no new finalizers can be added if the object is being deleted, found new finalizers ${goStrings(extra).text}`,
    ),
  ];
}

// --- managed fields ---------------------------------------------------------

/** ValidateFieldManager: at most 128 bytes of printable characters. */
export function validateFieldManager(fieldManager: string, fldPath: Path | null): FieldError[] {
  const allErrs: FieldError[] = [];
  if (byteLen(fieldManager) > FieldManagerMaxLength) {
    allErrs.push(tooLong(fldPath, fieldManager, FieldManagerMaxLength));
  }
  // Printable ASCII (the usual manager name) has nothing to report below.
  if (/^[\x20-\x7e]*$/.test(fieldManager)) return allErrs;
  let pos = 0; // byte offset, as Go's range over a string reports
  for (const ch of fieldManager) {
    const cp = ch.codePointAt(0)!;
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
      const hex = cp.toString(16).toUpperCase().padStart(4, "0");
      allErrs.push(invalid(fldPath, fieldManager, `invalid character U+${hex} (at position ${pos})`));
    }
    pos += byteLen(ch);
  }
  return allErrs;
}

/** v1validation.ValidateManagedFields. */
export function validateManagedFields(
  fields: readonly ManagedFieldsEntry[] | undefined,
  fldPath: Path | null,
): FieldError[] {
  const allErrs: FieldError[] = [];
  (fields ?? []).forEach((f, i) => {
    const p = indexOf(fldPath, i);
    if (f.operation !== "Apply" && f.operation !== "Update") {
      allErrs.push(invalid(childOf(p, "operation"), f.operation ?? "", "must be `Apply` or `Update`"));
    }
    if ((f.fieldsType ?? "").length > 0 && f.fieldsType !== "FieldsV1") {
      allErrs.push(invalid(childOf(p, "fieldsType"), f.fieldsType ?? "", "must be `FieldsV1`"));
    }
    allErrs.push(...validateFieldManager(f.manager ?? "", childOf(p, "manager")));
    if (byteLen(f.subresource ?? "") > MaxSubresourceNameLength) {
      allErrs.push(tooLong(childOf(p, "subresource"), f.subresource ?? "", MaxSubresourceNameLength));
    }
  });
  return allErrs;
}

// --- whole ObjectMeta -------------------------------------------------------

/**
 * ValidateObjectMeta on create. Name generation must already have happened.
 * A cluster-scoped kind passes requiresNamespace=false and gets "not allowed
 * on this type" for a namespace.
 */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  requiresNamespace: boolean,
  nameFn: ValidateNameFunc,
  fldPath: Path | null,
): FieldError[] {
  const m = meta ?? {};
  const allErrs: FieldError[] = [];
  const generateName = m.generateName ?? "";
  if (generateName.length !== 0) {
    for (const msg of nameFn(generateName, true)) {
      allErrs.push(invalid(childOf(fldPath, "generateName"), generateName, msg));
    }
  }
  const name = m.name ?? "";
  if (name.length === 0) {
    allErrs.push(required(childOf(fldPath, "name"), "name or generateName is required"));
  } else {
    for (const msg of nameFn(name, false)) allErrs.push(invalid(childOf(fldPath, "name"), name, msg));
  }
  const namespace = m.namespace ?? "";
  if (requiresNamespace) {
    if (namespace.length === 0) {
      allErrs.push(required(childOf(fldPath, "namespace"), ""));
    } else {
      for (const msg of validateNamespaceName(namespace, false)) {
        allErrs.push(invalid(childOf(fldPath, "namespace"), namespace, msg));
      }
    }
  } else if (namespace.length !== 0) {
    allErrs.push(forbidden(childOf(fldPath, "namespace"), "not allowed on this type"));
  }
  allErrs.push(...validateNonnegativeField(m.generation ?? 0, childOf(fldPath, "generation")));
  allErrs.push(...validateLabels(m.labels, childOf(fldPath, "labels")));
  allErrs.push(...validateAnnotations(m.annotations, childOf(fldPath, "annotations")));
  allErrs.push(...validateOwnerReferences(m.ownerReferences, childOf(fldPath, "ownerReferences")));
  allErrs.push(...validateFinalizers(m.finalizers, childOf(fldPath, "finalizers")));
  allErrs.push(...validateManagedFields(m.managedFields, childOf(fldPath, "managedFields")));
  return allErrs;
}

/** A metav1.Time from JSON, as milliseconds since the epoch (undefined for the zero time). */
function timeMillis(t: string | undefined | null): number | undefined {
  if (t === undefined || t === null || t === "") return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** time.Time.String() of a metav1.Time (in UTC, as the apiserver runs). */
export function goTimeString(t: string | undefined | null): string {
  const ms = timeMillis(t);
  if (ms === undefined) return "0001-01-01 00:00:00 +0000 UTC";
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  let frac = iso.slice(20, 23).replace(/0+$/, "");
  if (frac) frac = `.${frac}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

/** Semantic equality of metav1.Time: the same instant (a missing time is the zero time). */
function sameTime(a: string | undefined | null, b: string | undefined | null): boolean {
  if (a === b) return true;
  return timeMillis(a) === timeMillis(b);
}

function comparable(v: BadValue): BadValue {
  return v instanceof GoValue ? v.text : v;
}

/** ValidateImmutableField for plain values: "field is immutable" when they differ. */
export function validateImmutableField(
  newVal: BadValue,
  oldVal: BadValue,
  fldPath: Path | null,
): FieldError[] {
  if (comparable(newVal) === comparable(oldVal)) return [];
  return [invalid(fldPath, newVal, FieldImmutableErrorMsg)];
}

/**
 * ValidateObjectMetaUpdate: name, namespace, uid, creationTimestamp,
 * deletionTimestamp and deletionGracePeriodSeconds are immutable;
 * resourceVersion is required; generation may not go down; no finalizers
 * may be added during deletion; labels, annotations, owner references and
 * managed fields are re-validated.
 */
export function validateObjectMetaUpdate(
  newMeta: ObjectMeta | undefined,
  oldMeta: ObjectMeta | undefined,
  fldPath: Path | null,
): FieldError[] {
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const allErrs: FieldError[] = [];

  if (o.deletionTimestamp !== undefined && o.deletionTimestamp !== null) {
    allErrs.push(...validateNoNewFinalizers(n.finalizers, o.finalizers, childOf(fldPath, "finalizers")));
  }
  if ((n.resourceVersion ?? "").length === 0) {
    allErrs.push(
      invalid(
        childOf(fldPath, "resourceVersion"),
        n.resourceVersion ?? "",
        "must be specified for an update",
      ),
    );
  }
  if ((n.generation ?? 0) < (o.generation ?? 0)) {
    allErrs.push(invalid(childOf(fldPath, "generation"), n.generation ?? 0, "must not be decremented"));
  }

  allErrs.push(...validateImmutableField(n.name ?? "", o.name ?? "", childOf(fldPath, "name")));
  allErrs.push(
    ...validateImmutableField(n.namespace ?? "", o.namespace ?? "", childOf(fldPath, "namespace")),
  );
  allErrs.push(...validateImmutableField(n.uid ?? "", o.uid ?? "", childOf(fldPath, "uid")));
  if (!sameTime(n.creationTimestamp, o.creationTimestamp)) {
    allErrs.push(
      invalid(
        childOf(fldPath, "creationTimestamp"),
        new GoValue(goTimeString(n.creationTimestamp)),
        FieldImmutableErrorMsg,
      ),
    );
  }
  const newDel = n.deletionTimestamp ?? null;
  const oldDel = o.deletionTimestamp ?? null;
  if ((newDel === null) !== (oldDel === null) || (newDel !== null && !sameTime(newDel, oldDel))) {
    allErrs.push(
      invalid(
        childOf(fldPath, "deletionTimestamp"),
        newDel === null ? null : new GoValue(goTimeString(newDel)),
        FieldImmutableErrorMsg,
      ),
    );
  }
  allErrs.push(
    ...validateImmutableField(
      n.deletionGracePeriodSeconds ?? null,
      o.deletionGracePeriodSeconds ?? null,
      childOf(fldPath, "deletionGracePeriodSeconds"),
    ),
  );

  allErrs.push(...validateLabels(n.labels, childOf(fldPath, "labels")));
  allErrs.push(...validateAnnotations(n.annotations, childOf(fldPath, "annotations")));
  allErrs.push(...validateOwnerReferences(n.ownerReferences, childOf(fldPath, "ownerReferences")));
  allErrs.push(...validateManagedFields(n.managedFields, childOf(fldPath, "managedFields")));
  return allErrs;
}
