// Renderings of Go values as field.Invalid shows them: upstream passes typed
// Go values as the bad value and ErrorBody prints them with %v, %q or %#v.
// These helpers rebuild the %#v text for the shapes users meet in messages
// (label maps, label selectors, quantities, int-or-strings...). Go prints
// pointers inside structs as addresses, which cannot be reproduced; a fixed
// stand-in address is used for those.

import { GoValue, goQuote } from "../../machinery/field-errors.ts";
import { parseQuantityString } from "../../machinery/quantity.ts";
import type { DecodeType } from "../strict-decode.ts";

/** What Go prints for a non-nil pointer nested in a %#v struct. */
export const goPointer = "0xc000000000";

/** `map[string]string{"a":"b"}` (keys sorted, as fmt does), or `map[string]string(nil)`. */
export function goStringMap(m: Readonly<Record<string, string>> | null | undefined): GoValue {
  return new GoValue(goStringMapText(m));
}

export function goStringMapText(m: Readonly<Record<string, string>> | null | undefined): string {
  if (m == null) return "map[string]string(nil)";
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`).join(", ")}}`;
}

/** `[]string{"a", "b"}` or `[]string(nil)`. */
export function goStringSliceText(values: readonly string[] | null | undefined, type = "string"): string {
  if (values == null) return `[]${type}(nil)`;
  return `[]${type}{${values.map((v) => goQuote(String(v))).join(", ")}}`;
}

/** `[]int32{1, 2}` or `[]int32(nil)`. */
export function goIntSliceText(values: readonly number[] | null | undefined, type = "int32"): string {
  if (values == null) return `[]${type}(nil)`;
  return `[]${type}{${values.join(", ")}}`;
}

interface LabelSelectorLike {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: Array<{ key?: string; operator?: string; values?: string[] | null }> | null;
}

/** %#v of a metav1.LabelSelector (what a *LabelSelector bad value prints as). */
export function goLabelSelectorText(sel: LabelSelectorLike | null | undefined): string {
  if (sel == null) return "null";
  const exprs = sel.matchExpressions;
  const exprText =
    exprs == null
      ? "[]v1.LabelSelectorRequirement(nil)"
      : `[]v1.LabelSelectorRequirement{${exprs
          .map(
            (e) =>
              `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? "")}, Operator:${goQuote(e.operator ?? "")}, Values:${goStringSliceText(e.values)}}`,
          )
          .join(", ")}}`;
  return `v1.LabelSelector{MatchLabels:${goStringMapText(sel.matchLabels)}, MatchExpressions:${exprText}}`;
}

export function goLabelSelector(sel: LabelSelectorLike | null | undefined): GoValue | null {
  return sel == null ? null : new GoValue(goLabelSelectorText(sel));
}

/** %#v of an intstr.IntOrString. */
export function goIntOrStringText(v: number | string | null | undefined): string {
  if (typeof v === "number") return `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`;
  return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(String(v ?? ""))}}`;
}

export function goIntOrString(v: number | string | null | undefined): GoValue {
  return new GoValue(goIntOrStringText(v));
}

const decimalSuffixes: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/**
 * %#v of a resource.Quantity as ParseQuantity leaves it: the int64 fast path
 * gives `i:{value, scale}` (and keeps the input in `s` when canonical), the
 * slow path an inf.Dec pointer.
 */
export function goQuantityText(input: string | number): string {
  const str = String(input).trim();
  if (str === "0") {
    return `resource.Quantity{i:resource.int64Amount{value:0, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"0", Format:"DecimalSI"}`;
  }
  let parts: ReturnType<typeof parseQuantityString>;
  try {
    parts = parseQuantityString(str);
  } catch {
    return `resource.Quantity{i:resource.int64Amount{value:0, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:""}`;
  }
  const { positive, num, denom, suffix } = parts;
  let format = "DecimalSI";
  let exponent = 0;
  if (suffix in binarySuffixes) {
    format = "BinarySI";
    exponent = binarySuffixes[suffix];
  } else if (suffix in decimalSuffixes) {
    exponent = decimalSuffixes[suffix];
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    format = "DecimalExponent";
    exponent = Number.parseInt(suffix.slice(1), 10);
  }
  const maxInt64 = 2n ** 63n - 1n;
  let precision: number;
  let mantissa = 1n;
  let scale = 0;
  if (format === "BinarySI") {
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const shifted = num + denom;
      const value = BigInt(shifted);
      const result = value * mantissa;
      if (result <= maxInt64) {
        let canonical: boolean;
        if (format === "BinarySI") canonical = exponent % 10 === 0 && (value & 7n) !== 0n;
        else canonical = scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0";
        const signed = positive ? result : -result;
        return `resource.Quantity{i:resource.int64Amount{value:${signed}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:${goQuote(canonical ? str : "")}, Format:${goQuote(format)}}`;
      }
    }
  }
  return `resource.Quantity{i:resource.int64Amount{value:0, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(${goPointer})}, s:"", Format:${goQuote(format)}}`;
}

export function goQuantity(input: string | number): GoValue {
  return new GoValue(goQuantityText(input));
}

/** Go's %v of a []string: `[a b c]`. */
export function goPlainSlice(values: readonly unknown[]): string {
  return `[${values.map((v) => String(v)).join(" ")}]`;
}

/** The Go field name of a JSON field, for diffs and allow-list errors. */
export function goFieldName(jsonName: string): string {
  const special: Record<string, string> = {
    metadata: "ObjectMeta",
    dnsPolicy: "DNSPolicy",
    dnsConfig: "DNSConfig",
    hostIPC: "HostIPC",
    hostPID: "HostPID",
    os: "OS",
    uid: "UID",
    tty: "TTY",
    httpGet: "HTTPGet",
    tcpSocket: "TCPSocket",
    grpc: "GRPC",
    podIP: "PodIP",
    podIPs: "PodIPs",
    hostIP: "HostIP",
    hostIPs: "HostIPs",
    clusterIP: "ClusterIP",
    clusterIPs: "ClusterIPs",
    externalIPs: "ExternalIPs",
    nfs: "NFS",
    iscsi: "ISCSI",
    rbd: "RBD",
    fc: "FC",
    csi: "CSI",
    cephfs: "CephFS",
    awsElasticBlockStore: "AWSElasticBlockStore",
    gcePersistentDisk: "GCEPersistentDisk",
  };
  if (special[jsonName]) return special[jsonName];
  return jsonName.length === 0 ? jsonName : jsonName[0].toUpperCase() + jsonName.slice(1);
}

// Fields whose JSON objects are Go maps, for rendering without a decode type.
const mapFields = new Set([
  "labels",
  "annotations",
  "nodeSelector",
  "matchLabels",
  "limits",
  "requests",
  "data",
  "binaryData",
  "stringData",
  "capacity",
  "allocatable",
  "hard",
  "used",
  "parameters",
  "volumeAttributes",
  "overhead",
]);

/**
 * A compact Go-like rendering of a JSON value, used in spec diffs. With the
 * value's decode type (or a field name known to hold a map), map keys are
 * quoted as Go prints them; struct fields get their Go names.
 */
export function goLiteral(v: unknown, t?: DecodeType, isMap = false): string {
  if (v === undefined || v === null) return "nil";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    const elem = t?.kind === "list" ? t.elem : undefined;
    return `{${v.map((x) => goLiteral(x, elem)).join(", ")}}`;
  }
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (t?.kind === "map" || (t === undefined && isMap)) {
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const elem = t?.kind === "map" ? t.elem : undefined;
      return `{${entries.map(([k, x]) => `${goQuote(k)}: ${goLiteral(x, elem)}`).join(", ")}}`;
    }
    const field = (k: string) => (t?.kind === "struct" ? t.field(k) : undefined);
    return `{${entries.map(([k, x]) => `${goFieldName(k)}: ${goLiteral(x, field(k), mapFields.has(k))}`).join(", ")}}`;
  }
  return String(v);
}

/**
 * An approximation of %#v for a large Go struct given as JSON: the set fields
 * in JSON order with Go field names. Upstream prints every field of the
 * internal type; that layout is not reproduced.
 */
export function goApproxStruct(typeName: string, obj: unknown, t?: DecodeType): GoValue {
  if (obj === null || obj === undefined) return new GoValue("null");
  if (typeof obj !== "object" || Array.isArray(obj)) return new GoValue(goLiteral(obj, t));
  const entries = Object.entries(obj as Record<string, unknown>).filter(
    ([, v]) => v !== undefined && v !== null,
  );
  return new GoValue(
    `${typeName}{${entries.map(([k, v]) => `${goFieldName(k)}:${goLiteral(v, t?.kind === "struct" ? t.field(k) : undefined, mapFields.has(k))}`).join(", ")}}`,
  );
}
