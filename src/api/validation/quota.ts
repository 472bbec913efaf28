// ResourceQuota and LimitRange validation (pkg/apis/core/validation, v1.32).

import type { LimitRange, ResourceQuota, ResourceQuotaSpec } from "kubernetes-types/core/v1.d.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  GoValue,
  invalid,
  newPath,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import { Format, Quantity } from "../../machinery/quantity.ts";
import { isQualifiedName } from "../../machinery/validation.ts";
import { FieldImmutableErrorMsg, validateObjectMeta, validateObjectMetaUpdate } from "./common.ts";
import { goApproxStruct, goQuantity, goStringSliceText } from "./gofmt.ts";
import {
  isHugePageResourceName,
  isNativeResource,
  isStandardQuotaResourceName,
  parseQ,
  validateContainerResourceName,
  validateResourceName,
  validateResourceQuantityValue,
  validateResourceQuotaResourceName,
} from "./resources.ts";

const metaPath = newPath("metadata");

const standardScopes = [
  "Terminating",
  "NotTerminating",
  "BestEffort",
  "NotBestEffort",
  "PriorityClass",
  "CrossNamespacePodAffinity",
];
const podObjectCountResources = new Set(["pods"]);
const podComputeResources = new Set([
  "cpu",
  "memory",
  "limits.cpu",
  "limits.memory",
  "requests.cpu",
  "requests.memory",
]);

function scopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case "Terminating":
    case "NotTerminating":
    case "NotBestEffort":
    case "PriorityClass":
    case "CrossNamespacePodAffinity":
      return podObjectCountResources.has(resource) || podComputeResources.has(resource);
    case "BestEffort":
      return podObjectCountResources.has(resource);
    default:
      return true;
  }
}

const conflictingScopes: Array<[string, string]> = [
  ["BestEffort", "NotBestEffort"],
  ["Terminating", "NotTerminating"],
];

function scopesValue(spec: ResourceQuotaSpec): GoValue {
  return new GoValue(goStringSliceText(spec.scopes ?? null, "core.ResourceQuotaScope"));
}

function validateResourceQuotaScopes(spec: ResourceQuotaSpec, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const scopes = spec.scopes ?? [];
  if (scopes.length === 0) return errs;
  const hard = Object.keys(spec.hard ?? {}).sort();
  const p = path.child("scopes");
  const seen = new Set<string>();
  for (const scope of scopes) {
    if (!standardScopes.includes(scope)) errs.push(invalid(p, scopesValue(spec), "unsupported scope"));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !scopeValidForResource(scope, k)) {
        errs.push(invalid(p, scopesValue(spec), "unsupported scope applied to resource"));
      }
    }
    seen.add(scope);
  }
  for (const [a, b] of conflictingScopes) {
    if (seen.has(a) && seen.has(b)) errs.push(invalid(p, scopesValue(spec), "conflicting scopes"));
  }
  return errs;
}

function validateScopeSelector(spec: ResourceQuotaSpec, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.scopeSelector == null) return errs;
  const p = path.child("scopeSelector").child("matchExpressions");
  const hard = Object.keys(spec.hard ?? {}).sort();
  const seen = new Set<string>();
  for (const req of spec.scopeSelector.matchExpressions ?? []) {
    const scope = req.scopeName ?? "";
    if (!standardScopes.includes(scope)) errs.push(invalid(p.child("scopeName"), scope, "unsupported scope"));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !scopeValidForResource(scope, k)) {
        errs.push(
          invalid(
            p,
            goApproxStruct("core.ScopeSelector", spec.scopeSelector),
            "unsupported scope applied to resource",
          ),
        );
      }
    }
    if (
      ["BestEffort", "NotBestEffort", "Terminating", "NotTerminating", "CrossNamespacePodAffinity"].includes(
        scope,
      ) &&
      req.operator !== "Exists"
    ) {
      errs.push(
        invalid(
          p.child("operator"),
          req.operator ?? "",
          "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    }
    const values = req.values ?? [];
    switch (req.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) {
          errs.push(
            required(
              p.child("values"),
              "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            ),
          );
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length !== 0) {
          errs.push(
            invalid(
              p.child("values"),
              new GoValue(goStringSliceText(values)),
              "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
            ),
          );
        }
        break;
      default:
        errs.push(invalid(p.child("operator"), req.operator ?? "", "not a valid selector operator"));
    }
    seen.add(scope);
  }
  for (const [a, b] of conflictingScopes) {
    if (seen.has(a) && seen.has(b)) errs.push(invalid(p, scopesValue(spec), "conflicting scopes"));
  }
  return errs;
}

function validateQuotaList(list: Record<string, unknown> | null | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    errs.push(...validateResourceQuotaResourceName(k, path.key(k)));
    errs.push(...validateResourceQuantityValue(k, v, path.key(k)));
  }
  return errs;
}

/** ValidateResourceQuotaSpec. */
function validateResourceQuotaSpec(spec: ResourceQuotaSpec, path: Path): FieldError[] {
  const errs = validateQuotaList(spec.hard, path.child("hard"));
  errs.push(...validateResourceQuotaScopes(spec, path));
  errs.push(...validateScopeSelector(spec, path));
  return errs;
}

/** ValidateResourceQuota. */
export function validateResourceQuota(rq: ResourceQuota): FieldError[] {
  const errs = validateObjectMeta(rq.metadata, true, nameIsDNSSubdomain, metaPath);
  errs.push(...validateResourceQuotaSpec(rq.spec ?? {}, newPath("spec")));
  errs.push(...validateQuotaList(rq.status?.hard, newPath("status").child("hard")));
  errs.push(...validateQuotaList(rq.status?.used, newPath("status").child("used")));
  return errs;
}

/** ValidateResourceQuotaUpdate: scopes are immutable. */
export function validateResourceQuotaUpdate(rq: ResourceQuota, old: ResourceQuota): FieldError[] {
  const errs = validateObjectMetaUpdate(rq.metadata, old.metadata, metaPath);
  errs.push(...validateResourceQuotaSpec(rq.spec ?? {}, newPath("spec")));
  const newScopes = new Set(rq.spec?.scopes ?? []);
  const oldScopes = new Set(old.spec?.scopes ?? []);
  const same = newScopes.size === oldScopes.size && [...newScopes].every((s) => oldScopes.has(s));
  if (!same)
    errs.push(invalid(newPath("spec", "scopes"), scopesValue(rq.spec ?? {}), FieldImmutableErrorMsg));
  return errs;
}

/** ValidateResourceQuotaStatusUpdate. */
export function validateResourceQuotaStatusUpdate(rq: ResourceQuota, old: ResourceQuota): FieldError[] {
  const errs = validateObjectMetaUpdate(rq.metadata, old.metadata, metaPath);
  if ((rq.metadata?.resourceVersion ?? "").length === 0) errs.push(required(newPath("resourceVersion"), ""));
  errs.push(...validateQuotaList(rq.status?.hard, newPath("status", "hard")));
  errs.push(...validateQuotaList(rq.status?.used, newPath("status", "used")));
  return errs;
}

// --- LimitRange -----------------------------------------------------------------------

const standardLimitTypes = ["Pod", "Container", "PersistentVolumeClaim"];

function validateLimitRangeTypeName(value: string, path: Path): FieldError[] {
  const errs = isQualifiedName(value).map((msg) => invalid(path, value, msg));
  if (errs.length !== 0) return errs;
  if (value.split("/").length === 1 && !standardLimitTypes.includes(value)) {
    errs.push(invalid(path, value, "must be a standard limit type or fully qualified"));
  }
  return errs;
}

function validateLimitRangeResourceName(limitType: string, value: string, path: Path): FieldError[] {
  return limitType === "Pod" || limitType === "Container"
    ? validateContainerResourceName(value, path)
    : validateResourceName(value, path);
}

/** fmt's %f: six decimals. */
function goFloat(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN";
  return v.toFixed(6);
}

/** ValidateLimitRange. */
export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, true, nameIsDNSSubdomain, metaPath);
  const seenTypes = new Set<string>();
  const path = newPath("spec", "limits");
  (lr.spec?.limits ?? []).forEach((limit, i) => {
    const idx = path.index(i);
    const type = limit.type ?? "";
    errs.push(...validateLimitRangeTypeName(type, idx.child("type")));
    if (seenTypes.has(type)) errs.push(duplicate(idx.child("type"), type));
    seenTypes.add(type);
    const keys = new Set<string>();
    const collect = (field: "max" | "min" | "default" | "defaultRequest" | "maxLimitRequestRatio") => {
      const out = new Map<string, { raw: unknown; q: Quantity }>();
      for (const [k, v] of Object.entries(limit[field] ?? {})) {
        errs.push(...validateLimitRangeResourceName(type, k, idx.child(field).key(k)));
        keys.add(k);
        const q = parseQ(v);
        if (q) out.set(k, { raw: v, q });
      }
      return out;
    };
    const max = collect("max");
    const min = collect("min");
    let defaults = new Map<string, { raw: unknown; q: Quantity }>();
    let defaultRequests = new Map<string, { raw: unknown; q: Quantity }>();
    if (type === "Pod") {
      if (Object.keys(limit.default ?? {}).length > 0) {
        errs.push(forbidden(idx.child("default"), "may not be specified when `type` is 'Pod'"));
      }
      if (Object.keys(limit.defaultRequest ?? {}).length > 0) {
        errs.push(forbidden(idx.child("defaultRequest"), "may not be specified when `type` is 'Pod'"));
      }
    } else {
      defaults = collect("default");
      defaultRequests = collect("defaultRequest");
    }
    if (
      type === "PersistentVolumeClaim" &&
      !Object.hasOwn(limit.min ?? {}, "storage") &&
      !Object.hasOwn(limit.max ?? {}, "storage")
    ) {
      errs.push(
        required(
          idx.child("limits"),
          "either minimum or maximum storage value is required, but neither was provided",
        ),
      );
    }
    const ratios = collect("maxLimitRequestRatio");
    const one = Quantity.fromInt(1, Format.DecimalSI);
    for (const k of keys) {
      const mn = min.get(k);
      const mx = max.get(k);
      const df = defaults.get(k);
      const dr = defaultRequests.get(k);
      const ratio = ratios.get(k);
      const gq = (x: { raw: unknown }) => goQuantity(x.raw as string);
      if (mn && mx && mn.q.cmp(mx.q) > 0) {
        errs.push(
          invalid(idx.child("min").key(k), gq(mn), `min value ${mn.q} is greater than max value ${mx.q}`),
        );
      }
      if (dr && mn && mn.q.cmp(dr.q) > 0) {
        errs.push(
          invalid(
            idx.child("defaultRequest").key(k),
            gq(dr),
            `min value ${mn.q} is greater than default request value ${dr.q}`,
          ),
        );
      }
      if (dr && mx && dr.q.cmp(mx.q) > 0) {
        errs.push(
          invalid(
            idx.child("defaultRequest").key(k),
            gq(dr),
            `default request value ${dr.q} is greater than max value ${mx.q}`,
          ),
        );
      }
      if (dr && df && dr.q.cmp(df.q) > 0) {
        errs.push(
          invalid(
            idx.child("defaultRequest").key(k),
            gq(dr),
            `default request value ${dr.q} is greater than default limit value ${df.q}`,
          ),
        );
      }
      if (df && mn && mn.q.cmp(df.q) > 0) {
        errs.push(
          invalid(
            idx.child("default").key(k),
            gq(mn),
            `min value ${mn.q} is greater than default value ${df.q}`,
          ),
        );
      }
      if (df && mx && df.q.cmp(mx.q) > 0) {
        errs.push(
          invalid(
            idx.child("default").key(k),
            gq(mx),
            `default value ${df.q} is greater than max value ${mx.q}`,
          ),
        );
      }
      if (ratio && ratio.q.cmp(one) < 0) {
        errs.push(
          invalid(idx.child("maxLimitRequestRatio").key(k), gq(ratio), `ratio ${ratio.q} is less than 1`),
        );
      }
      if (ratio && mn && mx) {
        const maxMilli = 9223372036854775n;
        let ratioValue = Number(ratio.q.value());
        let minValue = mn.q.value();
        let maxValue = mx.q.value();
        if (ratio.q.value() < maxMilli && minValue < maxMilli && maxValue < maxMilli) {
          ratioValue = Number(ratio.q.milliValue()) / 1000;
          minValue = mn.q.milliValue();
          maxValue = mx.q.milliValue();
        }
        const limitRatio = Number(maxValue) / Number(minValue);
        if (ratioValue > limitRatio) {
          errs.push(
            invalid(
              idx.child("maxLimitRequestRatio").key(k),
              gq(ratio),
              `ratio ${ratio.q} is greater than max/min = ${goFloat(limitRatio)}`,
            ),
          );
        }
      }
      const overcommit = isNativeResource(k) && !isHugePageResourceName(k);
      if (!overcommit && df && dr && df.q.cmp(dr.q) !== 0) {
        errs.push(
          invalid(
            idx.child("defaultRequest").key(k),
            gq(dr),
            `default value ${df.q} must equal to defaultRequest value ${dr.q} in ${k}`,
          ),
        );
      }
    }
  });
  return errs;
}
