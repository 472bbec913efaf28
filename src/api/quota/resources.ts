// corev1.ResourceList arithmetic (k8s.io/apiserver/pkg/quota/v1/resources.go):
// resource name → Quantity, as the quota controller and quota admission
// compute with it.
import { Format, Quantity } from "../../machinery/quantity.ts";

export type ResourceList = Map<string, Quantity>;

/** A JSON ResourceList (`{"cpu": "500m"}`); values that do not parse are skipped (validation refuses them). */
export function resourceList(json: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (json === null || typeof json !== "object" || Array.isArray(json)) return out;
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    try {
      out.set(name, Quantity.fromJSON(v));
    } catch {
      // not a quantity
    }
  }
  return out;
}

/** The JSON form with keys sorted, as Go's encoding/json writes a map; quantities in canonical form. */
export function toJSON(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...list.keys()].sort()) out[k] = list.get(k)!.toString();
  return out;
}

/** resource.Quantity{Format: DecimalSI}: the zero a usage starts from ("0"). */
export function zero(): Quantity {
  return Quantity.fromInt(0, Format.DecimalSI);
}

/** Add: the sum of a and b, for every name in either. */
export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k);
    out.set(k, cur ? cur.add(v) : v);
  }
  return out;
}

/** addResourceList: adds b into a in place. */
export function addInto(a: ResourceList, b: ResourceList): void {
  for (const [k, v] of b) {
    const cur = a.get(k);
    a.set(k, cur ? cur.add(v) : v);
  }
}

/** maxResourceList: sets a to the greater of a and b for every name in b, in place. */
export function maxInto(a: ResourceList, b: ResourceList): void {
  for (const [k, v] of b) {
    const cur = a.get(k);
    if (!cur || v.cmp(cur) > 0) a.set(k, v);
  }
}

/** SubtractWithNonNegativeResult: a - b, floored at zero, for every name in either. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    const diff = other ? v.sub(other) : v;
    out.set(k, diff.sign() > 0 ? diff : zero());
  }
  for (const k of b.keys()) if (!out.has(k)) out.set(k, zero());
  return out;
}

/** Mask: only the given names. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const keep = new Set(names);
  const out: ResourceList = new Map();
  for (const [k, v] of list) if (keep.has(k)) out.set(k, v);
  return out;
}

/** LessThanOrEqual: whether a ≤ b for every name in both, and the names where not. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): { allowed: boolean; exceeded: string[] } {
  const exceeded: string[] = [];
  for (const [k, limit] of b) {
    const v = a.get(k);
    if (v && v.cmp(limit) > 0) exceeded.push(k);
  }
  return { allowed: exceeded.length === 0, exceeded };
}

export function removeZeros(list: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of list) if (!v.isZero()) out.set(k, v);
  return out;
}

/** IsNegative: the names with a negative amount. */
export function negativeNames(list: ResourceList): string[] {
  return [...list].filter(([, v]) => v.sign() < 0).map(([k]) => k);
}

/** Equals: the same names with the same amounts (so an empty list equals a missing one). */
export function equals(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const other = b.get(k);
    if (other?.cmp(v) !== 0) return false;
  }
  return true;
}

/** Intersection: the names of a also in b, deduplicated and sorted. */
export function intersection(a: readonly string[], b: readonly string[]): string[] {
  const inB = new Set(b);
  return [...new Set(a.filter((n) => inB.has(n)))].sort();
}

/** Difference: the names of a not in b, deduplicated and sorted. */
export function difference(a: readonly string[], b: readonly string[]): string[] {
  const inB = new Set(b);
  return [...new Set(a.filter((n) => !inB.has(n)))].sort();
}
