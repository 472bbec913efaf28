// Building blocks shared by every kind's validation: core's ObjectMeta
// wrappers (pkg/apis/core/validation), label selectors (meta/v1/validation),
// path-segment names (api/validation/path), immutability and small
// name/value checks.

import type { LabelSelector, ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import {
  type BadValue,
  type FieldError,
  forbidden,
  invalid,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import {
  FieldImmutableErrorMsg,
  type ValidateNameFunc,
  validateLabelName,
  validateObjectMeta as validateObjectMetaGeneric,
  validateObjectMetaUpdate as validateObjectMetaUpdateGeneric,
} from "../../machinery/object-meta.ts";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNS1123SubdomainWithUnderscore,
  isQualifiedName,
  isValidLabelValue,
} from "../../machinery/validation.ts";
import type { DecodeType } from "../strict-decode.ts";
import { semanticEqual } from "./equality.ts";

/**
 * Go's `allErrs = append(allErrs, more...)`. A loop rather than
 * `list.push(...more)`: validation appends a mostly empty list for every
 * field it checks, and a spread call costs several times a loop.
 */
export function append<T>(list: T[], more: readonly T[]): void {
  for (let i = 0; i < more.length; i++) list.push(more[i]);
}

/**
 * Upstream's numVolumes / numHandlers counting for a one-of: the first member
 * set is validated, every further one is forbidden with the given message.
 */
export class OneOf {
  count = 0;

  constructor(
    private readonly path: Path,
    private readonly errs: FieldError[],
    private readonly message: string,
  ) {}

  /** Whether the member just found set (named as upstream's path names it) is the first one. */
  first(name: string): boolean {
    if (this.count > 0) {
      this.errs.push(forbidden(this.path.child(name), this.message));
      return false;
    }
    this.count++;
    return true;
  }
}

export { FieldImmutableErrorMsg };
export const isNegativeErrorMsg = "must be greater than or equal to 0";
export const isNotIntegerErrorMsg = "must be an integer";
export const isNotPositiveErrorMsg = "must be greater than zero";

// --- names ------------------------------------------------------------------

/** path.IsValidPathSegmentName / ValidatePathSegmentName: the minimal rule names must meet. */
export const validatePathSegmentName: ValidateNameFunc = (name, prefix) => {
  if (!prefix) {
    if (name === ".") return ["may not be '.'"];
    if (name === "..") return ["may not be '..'"];
  }
  const errs: string[] = [];
  if (name.includes("/")) errs.push("may not contain '/'");
  if (name.includes("%")) errs.push("may not contain '%'");
  return errs;
};

/** ValidateDNS1123Label. */
export function validateDNS1123Label(value: string, path: Path | null): FieldError[] {
  return isDNS1123Label(value).map((msg) => invalid(path, value, msg));
}

/** ValidateDNS1123Subdomain. */
export function validateDNS1123Subdomain(value: string, path: Path | null): FieldError[] {
  return isDNS1123Subdomain(value).map((msg) => invalid(path, value, msg));
}

/** ValidateDNS1123SubdomainWithUnderScore. */
export function validateDNS1123SubdomainWithUnderscore(value: string, path: Path | null): FieldError[] {
  return isDNS1123SubdomainWithUnderscore(value).map((msg) => invalid(path, value, msg));
}

/** ValidateQualifiedName. */
export function validateQualifiedName(value: string, path: Path | null): FieldError[] {
  return isQualifiedName(value).map((msg) => invalid(path, value, msg));
}

/** Errors of a name rule, reported as Invalid at path. */
export function nameErrors(nameFn: ValidateNameFunc, value: string, path: Path | null): FieldError[] {
  return nameFn(value, false).map((msg) => invalid(path, value, msg));
}

// --- object meta --------------------------------------------------------------

const standardFinalizers = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

/** validateKubeFinalizerName: unqualified finalizer names must be standard ones. */
export function validateKubeFinalizerName(value: string, path: Path | null): FieldError[] {
  if (value.split("/").length === 1 && !standardFinalizers.has(value)) {
    return [invalid(path, value, "name is neither a standard finalizer name nor is it fully qualified")];
  }
  return [];
}

/** core ValidateObjectMeta: the generic checks plus kube finalizer names. */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  requiresNamespace: boolean,
  nameFn: ValidateNameFunc,
  path: Path,
): FieldError[] {
  const errs = validateObjectMetaGeneric(meta, requiresNamespace, nameFn, path);
  (meta?.finalizers ?? []).forEach((f, i) => {
    append(errs, validateKubeFinalizerName(f, path.child("finalizers").index(i)));
  });
  return errs;
}

/** core ValidateObjectMetaUpdate: the generic checks plus kube finalizer names. */
export function validateObjectMetaUpdate(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
  path: Path,
): FieldError[] {
  const errs = validateObjectMetaUpdateGeneric(meta, old, path);
  (meta?.finalizers ?? []).forEach((f, i) => {
    append(errs, validateKubeFinalizerName(f, path.child("finalizers").index(i)));
  });
  return errs;
}

// --- label selectors ------------------------------------------------------------

export interface LabelSelectorValidationOptions {
  allowInvalidLabelValueInSelector?: boolean;
}

/** v1validation.ValidateLabels over a possibly-missing map. */
export function validateLabelsMap(
  labels: Record<string, string> | null | undefined,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    append(errs, validateLabelName(k, path));
    for (const msg of isValidLabelValue(v)) errs.push(invalid(path, v, msg));
  }
  return errs;
}

/** metav1 ValidateLabelSelector. */
export function validateLabelSelector(
  ps: LabelSelector | null | undefined,
  opts: LabelSelectorValidationOptions,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (ps == null) return errs;
  append(errs, validateLabelsMap(ps.matchLabels, path.child("matchLabels")));
  (ps.matchExpressions ?? []).forEach((sr, i) => {
    const p = path.child("matchExpressions").index(i);
    const values = sr.values ?? [];
    switch (sr.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) {
          errs.push(required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) {
          errs.push(
            forbidden(
              p.child("values"),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      default:
        errs.push(invalid(p.child("operator"), sr.operator ?? "", "not a valid selector operator"));
    }
    append(errs, validateLabelName(sr.key ?? "", p.child("key")));
    if (!opts.allowInvalidLabelValueInSelector) {
      values.forEach((v, j) => {
        for (const msg of isValidLabelValue(v)) errs.push(invalid(p.child("values").index(j), v, msg));
      });
    }
  });
  return errs;
}

/** Whether metav1.LabelSelectorAsSelector succeeds (operators known, keys and values valid). */
export function labelSelectorParses(ps: LabelSelector | null | undefined): boolean {
  if (ps == null) return true;
  for (const [k, v] of Object.entries(ps.matchLabels ?? {})) {
    if (isQualifiedName(k).length > 0 || isValidLabelValue(v).length > 0) return false;
  }
  for (const e of ps.matchExpressions ?? []) {
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) return false;
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) return false;
        break;
      default:
        return false;
    }
    if (isQualifiedName(e.key ?? "").length > 0) return false;
    for (const v of values) if (isValidLabelValue(v).length > 0) return false;
  }
  return true;
}

/** labels.Selector.Matches for a LabelSelector that parses; null selects nothing. */
export function labelSelectorMatches(
  ps: LabelSelector | null | undefined,
  labels: Record<string, string> | null | undefined,
): boolean {
  if (ps == null) return false;
  const set = labels ?? {};
  for (const [k, v] of Object.entries(ps.matchLabels ?? {})) {
    if (!Object.hasOwn(set, k) || set[k] !== v) return false;
  }
  for (const e of ps.matchExpressions ?? []) {
    const has = Object.hasOwn(set, e.key ?? "");
    const value = set[e.key ?? ""];
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (has && values.includes(value)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** labels.Selector.Empty(): a selector with no requirements. */
export function labelSelectorEmpty(ps: LabelSelector | null | undefined): boolean {
  if (ps == null) return false;
  return Object.keys(ps.matchLabels ?? {}).length + (ps.matchExpressions ?? []).length === 0;
}

// --- values -----------------------------------------------------------------

/** ValidateNonnegativeField. */
export function validateNonnegative(value: number | null | undefined, path: Path): FieldError[] {
  const v = value ?? 0;
  return v < 0 ? [invalid(path, v, isNegativeErrorMsg)] : [];
}

/**
 * ValidateImmutableField for any JSON value: "field is immutable" when the
 * values differ semantically; render gives the bad value as Go prints it.
 */
export function validateImmutable(
  newVal: unknown,
  oldVal: unknown,
  path: Path,
  render: (v: unknown) => BadValue,
  type?: DecodeType,
): FieldError[] {
  if (semanticEqual(newVal, oldVal, type)) return [];
  return [invalid(path, render(newVal), FieldImmutableErrorMsg)];
}

/** Rendering for a *string / string bad value. */
export function stringValue(v: unknown): BadValue {
  return v == null ? null : String(v);
}

/** Rendering for an int / *int bad value. */
export function numberValue(v: unknown): BadValue {
  return v == null ? null : (v as number);
}

/** Go's len() of a string (bytes). */
export function byteLen(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** The object at obj[key] when it is one. */
export function objectField(obj: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return undefined;
  const v = (obj as Record<string, unknown>)[key];
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
