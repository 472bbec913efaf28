// Resource names and quantities: pkg/apis/core/helper's resource-name
// predicates and core validation's ValidateResourceQuantityValue,
// validateResourceName and friends, and container resource requirements
// (requests <= limits, hugepages, resource claims).

import type { ResourceRequirements } from "kubernetes-types/core/v1.d.ts";
import {
  duplicate,
  ErrorType,
  FieldError,
  forbidden,
  invalid,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import type { Quantity } from "../../machinery/quantity.ts";
import { isQualifiedName } from "../../machinery/validation.ts";
import {
  append,
  isNegativeErrorMsg,
  isNotIntegerErrorMsg,
  isNotPositiveErrorMsg,
  validateDNS1123Label,
} from "./common.ts";
import { goQuantity } from "./gofmt.ts";
import { quantityFromJSON } from "./quantity-memo.ts";

export const hugePagesPrefix = "hugepages-";
const requestsHugePagesPrefix = "requests.hugepages-";
const defaultResourceRequestsPrefix = "requests.";
const defaultNamespacePrefix = "kubernetes.io/";

/** A quantity from JSON, or null when it does not parse (reported by the type check). */
export function parseQ(v: unknown): Quantity | null {
  try {
    return quantityFromJSON(v);
  } catch {
    return null;
  }
}

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith(hugePagesPrefix);
}

function isQuotaHugePageResourceName(name: string): boolean {
  return name.startsWith(hugePagesPrefix) || name.startsWith(requestsHugePagesPrefix);
}

/** IsNativeResource: unprefixed, or in the kubernetes.io/ namespace. */
export function isNativeResource(name: string): boolean {
  return !name.includes("/") || name.includes(defaultNamespacePrefix);
}

/** IsExtendedResourceName. */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith(defaultResourceRequestsPrefix)) return false;
  return isQualifiedName(defaultResourceRequestsPrefix + name).length === 0;
}

/** IsOvercommitAllowed: native resources other than hugepages. */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

const standardContainerResources = new Set(["cpu", "memory", "ephemeral-storage"]);

export function isStandardContainerResourceName(name: string): boolean {
  return standardContainerResources.has(name) || isHugePageResourceName(name);
}

const standardQuotaResources = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.storage",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "persistentvolumeclaims",
  "configmaps",
  "services.nodeports",
  "services.loadbalancers",
]);

export function isStandardQuotaResourceName(name: string): boolean {
  return standardQuotaResources.has(name) || isQuotaHugePageResourceName(name);
}

const standardResources = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "storage",
  "requests.storage",
  "services.nodeports",
  "services.loadbalancers",
]);

export function isStandardResourceName(name: string): boolean {
  return standardResources.has(name) || isQuotaHugePageResourceName(name);
}

const integerResources = new Set([
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "services.nodeports",
  "services.loadbalancers",
]);

/** IsIntegerResourceName. */
export function isIntegerResourceName(name: string): boolean {
  return integerResources.has(name) || isExtendedResourceName(name);
}

// --- quantities ---------------------------------------------------------------

/** ValidateNonnegativeQuantity. */
export function validateNonnegativeQuantity(q: Quantity, path: Path): FieldError[] {
  return q.sign() < 0 ? [invalid(path, q.toString(), isNegativeErrorMsg)] : [];
}

/** ValidatePositiveQuantityValue. */
export function validatePositiveQuantityValue(q: Quantity, path: Path): FieldError[] {
  return q.sign() <= 0 ? [invalid(path, q.toString(), isNotPositiveErrorMsg)] : [];
}

/** ValidateResourceQuantityValue: non-negative, and whole for integer resources. */
export function validateResourceQuantityValue(resource: string, raw: unknown, path: Path): FieldError[] {
  const q = parseQ(raw);
  if (q === null) return [];
  const errs = validateNonnegativeQuantity(q, path);
  if (isIntegerResourceName(resource) && q.milliValue() % 1000n !== 0n) {
    errs.push(invalid(path, goQuantity(raw as string | number), isNotIntegerErrorMsg));
  }
  return errs;
}

/** validateBasicResource: Value() must not be negative. */
export function validateBasicResource(raw: unknown, path: Path): FieldError[] {
  const q = parseQ(raw);
  if (q === null) return [];
  const v = q.value();
  return v < 0n ? [invalid(path, Number(v), "must be a valid resource quantity")] : [];
}

// --- names --------------------------------------------------------------------

/** validateResourceName: qualified, and standard when unprefixed. */
export function validateResourceName(value: string, path: Path): FieldError[] {
  const errs = isQualifiedName(value).map((msg) => invalid(path, value, msg));
  if (errs.length > 0) return errs;
  if (value.split("/").length === 1 && !isStandardResourceName(value)) {
    errs.push(invalid(path, value, "must be a standard resource type or fully qualified"));
  }
  return errs;
}

/** validateContainerResourceName. */
export function validateContainerResourceName(value: string, path: Path): FieldError[] {
  const errs = validateResourceName(value, path);
  if (value.split("/").length === 1) {
    if (!isStandardContainerResourceName(value)) {
      errs.push(invalid(path, value, "must be a standard resource for containers"));
    }
  } else if (!isNativeResource(value) && !isExtendedResourceName(value)) {
    errs.push(invalid(path, value, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** ValidateResourceQuotaResourceName. */
export function validateResourceQuotaResourceName(value: string, path: Path): FieldError[] {
  const errs = validateResourceName(value, path);
  if (value.split("/").length === 1 && !isStandardQuotaResourceName(value)) {
    errs.push(invalid(path, value, "must be a standard resource for quota"));
  }
  return errs;
}

function isHugePageResourceValueDivisible(name: string, q: Quantity): boolean {
  const pageSize = parseQ(name.slice(hugePagesPrefix.length));
  if (pageSize === null) return false;
  if (pageSize.sign() <= 0 || pageSize.milliValue() % 1000n !== 0n) return false;
  return q.value() % pageSize.value() === 0n;
}

export interface ResourceOptions {
  allowIndivisibleHugePagesValues?: boolean;
}

/** ValidateContainerResourceRequirements (validateResourceRequirements with container names). */
export function validateContainerResourceRequirements(
  reqs: ResourceRequirements | null | undefined,
  podClaimNames: ReadonlySet<string>,
  path: Path,
  opts: ResourceOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const limits = reqs?.limits ?? {};
  const requests = reqs?.requests ?? {};
  const limPath = path.child("limits");
  const reqPath = path.child("requests");
  let limCPUOrMemory = false;
  let reqCPUOrMemory = false;
  let limHugePages = false;
  let reqHugePages = false;
  for (const [name, raw] of Object.entries(limits)) {
    const p = limPath.key(name);
    append(errs, validateContainerResourceName(name, p));
    append(errs, validateResourceQuantityValue(name, raw, p));
    const q = parseQ(raw);
    if (isHugePageResourceName(name)) {
      limHugePages = true;
      if (q && !opts.allowIndivisibleHugePagesValues && !isHugePageResourceValueDivisible(name, q)) {
        errs.push(invalid(p, q.toString(), `${q.toString()} is not positive integer multiple of ${name}`));
      }
    }
    if (name === "cpu" || name === "memory") limCPUOrMemory = true;
  }
  for (const [name, raw] of Object.entries(requests)) {
    const p = reqPath.key(name);
    append(errs, validateContainerResourceName(name, p));
    append(errs, validateResourceQuantityValue(name, raw, p));
    const q = parseQ(raw);
    if (Object.hasOwn(limits, name)) {
      const lim = parseQ(limits[name]);
      if (q && lim) {
        if (q.cmp(lim) !== 0 && !isOvercommitAllowed(name)) {
          errs.push(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
        } else if (q.cmp(lim) > 0) {
          errs.push(
            invalid(
              reqPath,
              q.toString(),
              `must be less than or equal to ${name} limit of ${lim.toString()}`,
            ),
          );
        }
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, "Limit must be set for non overcommitable resources"));
    }
    if (isHugePageResourceName(name)) {
      reqHugePages = true;
      if (q && !opts.allowIndivisibleHugePagesValues && !isHugePageResourceValueDivisible(name, q)) {
        errs.push(invalid(p, q.toString(), `${q.toString()} is not positive integer multiple of ${name}`));
      }
    }
    if (name === "cpu" || name === "memory") reqCPUOrMemory = true;
  }
  if (!limCPUOrMemory && !reqCPUOrMemory && (reqHugePages || limHugePages)) {
    errs.push(forbidden(path, "HugePages require cpu or memory"));
  }
  append(errs, validateResourceClaimNames(reqs?.claims ?? [], podClaimNames, path.child("claims")));
  return errs;
}

/** validateResourceClaimNames: container claims must name entries of spec.resourceClaims. */
function validateResourceClaimNames(
  claims: ReadonlyArray<{ name?: string; request?: string }>,
  podClaimNames: ReadonlySet<string>,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  claims.forEach((claim, i) => {
    const name = claim.name ?? "";
    const request = claim.request ?? "";
    if (name === "") {
      errs.push(required(path.index(i), ""));
      return;
    }
    if (names.has(name)) {
      errs.push(duplicate(path.index(i), name));
    } else {
      let key = name;
      if (request !== "") {
        append(errs, validateDNS1123Label(request, path.index(i).child("request")));
        key += `/${request}`;
      }
      if (names.has(key)) {
        errs.push(duplicate(path.index(i), key));
      } else if (request === "") {
        for (const k of names) {
          const slash = k.indexOf("/");
          if (slash >= 0 && k.slice(0, slash) === name) errs.push(duplicate(path.index(i), name));
        }
      }
      names.add(key);
    }
    if (!podClaimNames.has(name)) {
      const detail =
        podClaimNames.size === 0
          ? "must be one of the names in pod.spec.resourceClaims which is empty"
          : `must be one of the names in pod.spec.resourceClaims: ${[...podClaimNames].sort().join(", ")}`;
      errs.push(new FieldError(ErrorType.NotFound, path.index(i).toString(), name, detail));
    }
  });
  return errs;
}
