// The message table of messages.ts, parsed into field specs, and the
// group/version/kind → message lookup.
import { arrayWrapperMessages, protobufGroupVersions, protobufMessages } from "./messages.ts";

export type ScalarType =
  | "string"
  | "bool"
  | "int32"
  | "int64"
  | "uint32"
  | "uint64"
  | "float"
  | "double"
  | "bytes";

export type ValueType = { scalar: ScalarType } | { message: string };

/**
 * How a Go field of this shape behaves:
 * - `value`: a non-pointer field. gogo always writes it; Go's JSON always
 *   prints it unless it is `omitempty` and zero (structs are never omitted).
 * - `pointer`: present only when on the wire; `null` in JSON when absent and not `omitempty`.
 * - `repeated` / `map`: absent means nil, which JSON prints as `null` unless `omitempty`.
 */
export type FieldShape = "value" | "pointer" | "repeated" | "map";

export interface FieldSpec {
  number: number;
  /** The Go json tag name; "" for an inline (embedded) struct. */
  jsonName: string;
  omitEmpty: boolean;
  /** An embedded struct whose fields JSON promotes into the parent object. */
  inline: boolean;
  shape: FieldShape;
  repeated: boolean;
  /** The value type; for `repeated` the element, for `map` the map value. */
  type: ValueType;
  /** The map key type (always a scalar). */
  key?: ScalarType;
}

export interface MessageSpec {
  name: string;
  fields: readonly FieldSpec[];
  byNumber: ReadonlyMap<number, FieldSpec>;
  /** A Go named slice (`type ExtraValue []string`) that protobuf wraps as `{ repeated items = 1 }`. */
  arrayWrapper: boolean;
}

const scalarTypes = new Set<string>([
  "string",
  "bool",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "float",
  "double",
  "bytes",
]);

function valueType(s: string): ValueType {
  return scalarTypes.has(s) ? { scalar: s as ScalarType } : { message: s };
}

/** Parses one field line: "<number> <jsonName>[,omitempty][,inline] <type>". */
export function parseFieldLine(line: string): FieldSpec {
  const [num, nameAndFlags, typeExpr] = line.split(" ");
  const [jsonName, ...flags] = nameAndFlags.split(",");
  let shape: FieldShape = "value";
  let type = typeExpr;
  let key: ScalarType | undefined;
  if (type.startsWith("[]")) {
    shape = "repeated";
    type = type.slice(2);
  } else if (type.startsWith("*")) {
    shape = "pointer";
    type = type.slice(1);
  } else if (type.startsWith("map[")) {
    shape = "map";
    const close = type.indexOf("]");
    key = type.slice(4, close) as ScalarType;
    type = type.slice(close + 1);
  }
  return {
    number: Number(num),
    jsonName,
    omitEmpty: flags.includes("omitempty"),
    inline: flags.includes("inline"),
    shape,
    repeated: shape === "repeated",
    type: valueType(type),
    ...(key === undefined ? {} : { key }),
  };
}

const wrappers = new Set(arrayWrapperMessages);
const parsed = new Map<string, MessageSpec>();

/** The spec of a message such as "apps.v1.Deployment", or undefined if the table lacks it. */
export function messageSpec(name: string): MessageSpec | undefined {
  let spec = parsed.get(name);
  if (spec) return spec;
  const lines = protobufMessages[name];
  if (!lines) return undefined;
  const fields = lines.map(parseFieldLine);
  spec = {
    name,
    fields,
    byNumber: new Map(fields.map((f) => [f.number, f])),
    arrayWrapper: wrappers.has(name),
  };
  parsed.set(name, spec);
  return spec;
}

/**
 * The message a group/version/kind is encoded as. DeleteOptions is registered
 * in every group version (metav1.AddToGroupVersion), so it is accepted in any.
 */
export function messageForKind(group: string, version: string, kind: string): string | undefined {
  if (kind === "DeleteOptions") return "meta.v1.DeleteOptions";
  const gv = protobufGroupVersions[group === "" ? version : `${group}/${version}`];
  if (!gv?.kinds.includes(kind)) return undefined;
  return `${gv.package}.${kind}`;
}

/** Whether a body of this kind can be decoded from protobuf. */
export function supportsKind(group: string, version: string, kind: string): boolean {
  return messageForKind(group, version, kind) !== undefined;
}
