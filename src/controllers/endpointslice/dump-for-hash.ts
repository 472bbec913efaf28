// k8s.io/utils/dump.ForHash: go-spew's "%#v" rendering of a Go value
// (types shown, methods disabled), which upstream hashes (MD5, FNV-128a) to
// give endpoint ports and subsets a canonical order. JavaScript objects carry
// no Go types, so each struct is described once here; an absent field is the
// Go zero value (nil for pointers and slices).
import { createHash } from "node:crypto";

export type GoType =
  | { kind: "string"; name: string }
  | { kind: "int"; name: string }
  | { kind: "bool" }
  | { kind: "ptr"; elem: GoType }
  | { kind: "slice"; elem: GoType }
  | { kind: "struct"; name: string; fields: GoField[] };

/** A struct field: its Go name, its JSON name and its type. */
export type GoField = [goName: string, jsonName: string, type: GoType];

const str = (name = "string"): GoType => ({ kind: "string", name });
const ptr = (elem: GoType): GoType => ({ kind: "ptr", elem });
const slice = (elem: GoType): GoType => ({ kind: "slice", elem });
const int32: GoType = { kind: "int", name: "int32" };

/** k8s.io/api/core/v1.ObjectReference. */
export const OBJECT_REFERENCE: GoType = {
  kind: "struct",
  name: "v1.ObjectReference",
  fields: [
    ["Kind", "kind", str()],
    ["Namespace", "namespace", str()],
    ["Name", "name", str()],
    ["UID", "uid", str("types.UID")],
    ["APIVersion", "apiVersion", str()],
    ["ResourceVersion", "resourceVersion", str()],
    ["FieldPath", "fieldPath", str()],
  ],
};

/** k8s.io/api/core/v1.EndpointPort. */
export const CORE_ENDPOINT_PORT: GoType = {
  kind: "struct",
  name: "v1.EndpointPort",
  fields: [
    ["Name", "name", str()],
    ["Port", "port", int32],
    ["Protocol", "protocol", str("v1.Protocol")],
    ["AppProtocol", "appProtocol", ptr(str())],
  ],
};

/** k8s.io/api/core/v1.EndpointAddress. */
export const CORE_ENDPOINT_ADDRESS: GoType = {
  kind: "struct",
  name: "v1.EndpointAddress",
  fields: [
    ["IP", "ip", str()],
    ["Hostname", "hostname", str()],
    ["NodeName", "nodeName", ptr(str())],
    ["TargetRef", "targetRef", ptr(OBJECT_REFERENCE)],
  ],
};

/** k8s.io/api/core/v1.EndpointSubset. */
export const CORE_ENDPOINT_SUBSET: GoType = {
  kind: "struct",
  name: "v1.EndpointSubset",
  fields: [
    ["Addresses", "addresses", slice(CORE_ENDPOINT_ADDRESS)],
    ["NotReadyAddresses", "notReadyAddresses", slice(CORE_ENDPOINT_ADDRESS)],
    ["Ports", "ports", slice(CORE_ENDPOINT_PORT)],
  ],
};

/** k8s.io/api/discovery/v1.EndpointPort (its package is also named v1). */
export const DISCOVERY_ENDPOINT_PORT: GoType = {
  kind: "struct",
  name: "v1.EndpointPort",
  fields: [
    ["Name", "name", ptr(str())],
    ["Protocol", "protocol", ptr(str("v1.Protocol"))],
    ["Port", "port", ptr(int32)],
    ["AppProtocol", "appProtocol", ptr(str())],
  ],
};

function typeString(t: GoType): string {
  switch (t.kind) {
    case "string":
    case "int":
    case "struct":
      return t.name;
    case "bool":
      return "bool";
    case "ptr":
      return `*${typeString(t.elem)}`;
    case "slice":
      return `[]${typeString(t.elem)}`;
  }
}

const isNil = (v: unknown) => v === undefined || v === null;

/** spew's formatState.format with the '#' flag; ignoreType is its ignoreNextType. */
function format(v: unknown, t: GoType, ignoreType: boolean): string {
  if (t.kind === "ptr") {
    // formatPtr: a nil pointer shows its own type, a non-nil one the pointee's with one '*'.
    if (isNil(v)) return ignoreType ? "<nil>" : `(${typeString(t)})<nil>`;
    let elem = t.elem;
    let stars = 1;
    while (elem.kind === "ptr") {
      elem = elem.elem;
      stars++;
    }
    const head = ignoreType ? `<${"*".repeat(stars)}>` : `(${"*".repeat(stars)}${typeString(elem)})`;
    return head + format(v, elem, true);
  }
  const head = ignoreType ? "" : `(${typeString(t)})`;
  switch (t.kind) {
    case "string":
      return head + (isNil(v) ? "" : String(v));
    case "int":
      return head + String(isNil(v) ? 0 : Math.trunc(Number(v)));
    case "bool":
      return head + (v ? "true" : "false");
    case "slice": {
      if (isNil(v)) return `${head}<nil>`;
      const items = (v as unknown[]).map((e) => format(e, t.elem, true));
      return `${head}[${items.join(" ")}]`;
    }
    case "struct": {
      const o = (isNil(v) ? {} : v) as Record<string, unknown>;
      const fields = t.fields.map(([goName, jsonName, ft]) => `${goName}:${format(o[jsonName], ft, false)}`);
      return `${head}{${fields.join(" ")}}`;
    }
  }
}

/** dump.ForHash(v) for a value of Go type t. */
export function dumpForHash(v: unknown, t: GoType): string {
  return format(v, t, false);
}

/** MD5 of dump.ForHash, as pkg/api/v1/endpoints hashes ports and subsets. */
export function md5ForHash(v: unknown, t: GoType): Buffer {
  return createHash("md5").update(dumpForHash(v, t)).digest();
}

const FNV128_OFFSET = 0x6c62272e07bb014262b821756295c58dn;
const FNV128_PRIME = 0x0000000001000000000000000000013bn;
const MASK128 = (1n << 128n) - 1n;

/** Go's hash/fnv New128a, hex-encoded. */
export function fnv128aHex(s: string): string {
  let h = FNV128_OFFSET;
  for (const b of new TextEncoder().encode(s)) {
    h ^= BigInt(b);
    h = (h * FNV128_PRIME) & MASK128;
  }
  return h.toString(16).padStart(32, "0");
}

/** upstream's deepHashObjectToString: FNV-128a of dump.ForHash, hex. */
export function deepHashObjectToString(v: unknown, t: GoType): string {
  return fnv128aHex(dumpForHash(v, t));
}
