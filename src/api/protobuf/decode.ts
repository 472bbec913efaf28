// Decodes a Kubernetes protobuf message into the JSON a Go client would have
// sent for the same object: what json.Marshal prints for the struct that
// gogo-protobuf's Unmarshal fills. That is why presence follows the Go field
// (pointer, value, omitempty) rather than the wire alone: gogo writes every
// non-pointer field, zero or not, and Go's JSON then drops the omitempty zeros.
import { malformed, ProtobufDecodeError } from "./errors.ts";
import { type FieldSpec, type MessageSpec, messageSpec, type ScalarType, type ValueType } from "./schema.ts";
import { type DecodedFields, type JsonValue, wellKnownMessages } from "./well-known.ts";
import {
  varintToBool,
  varintToInt32,
  varintToInt64,
  varintToUint32,
  varintToUint64,
  WireReader,
  WireType,
} from "./wire-reader.ts";

type Scalar = string | number | boolean | Uint8Array;

const empty = new Uint8Array(0);
const utf8 = new TextDecoder();

/** Decodes one message of the table (e.g. "apps.v1.Deployment") into its JSON form. */
export function decodeProtobufMessage(messageName: string, bytes: Uint8Array): JsonValue {
  const spec = messageSpec(messageName);
  if (!spec) throw new ProtobufDecodeError("UnknownKind", `no protobuf message ${messageName} is known`);
  return decodeMessage(spec, bytes);
}

function decodeMessage(spec: MessageSpec, bytes: Uint8Array): JsonValue {
  const fields = readFields(spec, bytes);
  const special = wellKnownMessages[spec.name];
  if (special) return special(bytes, fields);
  if (spec.arrayWrapper) {
    const items = fields.get(1) as Scalar[] | undefined;
    return items === undefined ? null : items.map((v) => scalarJson(v));
  }
  const out: { [key: string]: JsonValue } = {};
  for (const f of spec.fields) writeField(out, f, fields.get(f.number));
  return out;
}

function lookup(name: string): MessageSpec {
  const spec = messageSpec(name);
  // The table is closed under references; a miss is a bug in messages.ts.
  if (!spec) throw new Error(`protobuf schema: message ${name} is referenced but not defined`);
  return spec;
}

function wireTypeOf(type: ValueType): number {
  if ("message" in type) return WireType.LengthDelimited;
  switch (type.scalar) {
    case "string":
    case "bytes":
      return WireType.LengthDelimited;
    case "double":
      return WireType.Fixed64;
    case "float":
      return WireType.Fixed32;
    default:
      return WireType.Varint;
  }
}

function readScalar(r: WireReader, type: ScalarType): Scalar {
  switch (type) {
    case "string":
      return utf8.decode(r.bytes());
    case "bytes":
      return r.bytes();
    case "bool":
      return varintToBool(r.varint());
    case "int32":
      return varintToInt32(r.varint());
    case "int64":
      return varintToInt64(r.varint());
    case "uint32":
      return varintToUint32(r.varint());
    case "uint64":
      return varintToUint64(r.varint());
    case "double": {
      const b = r.fixed64();
      return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
    }
    case "float": {
      const b = r.fixed32();
      return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Reads the fields of one message by number. Scalars: the last one wins.
 * Singular messages: later occurrences merge, which is what decoding their
 * concatenated bytes does. Repeated: in order. Maps: the last entry for a key wins.
 */
function readFields(spec: MessageSpec, bytes: Uint8Array): Map<number, unknown> {
  const out = new Map<number, unknown>();
  const r = new WireReader(bytes);
  const messageName = spec.name.slice(spec.name.lastIndexOf(".") + 1);
  while (!r.done) {
    const { field, wireType } = r.tag(messageName);
    const f = spec.byNumber.get(field);
    if (!f) {
      r.skip(wireType);
      continue;
    }
    const want = f.shape === "map" ? WireType.LengthDelimited : wireTypeOf(f.type);
    const packed =
      f.shape === "repeated" && wireType === WireType.LengthDelimited && want !== WireType.LengthDelimited;
    if (wireType !== want && !packed) {
      throw malformed(`proto: wrong wireType = ${wireType} for field ${f.jsonName || "inline"}`);
    }
    switch (f.shape) {
      case "repeated": {
        const list = (out.get(field) as unknown[] | undefined) ?? [];
        out.set(field, list);
        if (packed) {
          const inner = new WireReader(r.bytes());
          while (!inner.done) list.push(readScalar(inner, (f.type as { scalar: ScalarType }).scalar));
        } else list.push("message" in f.type ? r.bytes() : readScalar(r, f.type.scalar));
        break;
      }
      case "map": {
        const map = (out.get(field) as Map<string, unknown> | undefined) ?? new Map<string, unknown>();
        out.set(field, map);
        const [key, value] = readMapEntry(r.bytes(), f);
        map.set(key, value);
        break;
      }
      default:
        if ("message" in f.type) {
          const prev = out.get(field) as Uint8Array | undefined;
          const next = r.bytes();
          out.set(field, prev ? concat(prev, next) : next);
        } else out.set(field, readScalar(r, f.type.scalar));
    }
  }
  return out;
}

/** A map entry is a message {key = 1; value = 2}; missing parts are zero values. */
function readMapEntry(bytes: Uint8Array, f: FieldSpec): [string, unknown] {
  const r = new WireReader(bytes);
  let key: Scalar | undefined;
  let value: unknown;
  const keyType = f.key ?? "string";
  while (!r.done) {
    const { field, wireType } = r.tag(`${f.jsonName}Entry`);
    if (field === 1 && wireType === wireTypeOf({ scalar: keyType })) key = readScalar(r, keyType);
    else if (field === 2 && wireType === wireTypeOf(f.type))
      value = "message" in f.type ? r.bytes() : readScalar(r, f.type.scalar);
    else if (field === 1 || field === 2)
      throw malformed(`proto: wrong wireType = ${wireType} for field ${field === 1 ? "key" : "value"}`);
    else r.skip(wireType);
  }
  // Go's JSON prints every map key as a string.
  return [key === undefined ? String(zeroOf(keyType)) : String(scalarJson(key)), value];
}

function zeroOf(type: ScalarType): Scalar {
  switch (type) {
    case "string":
      return "";
    case "bytes":
      return empty;
    case "bool":
      return false;
    default:
      return 0;
  }
}

function isZero(v: Scalar): boolean {
  return v instanceof Uint8Array ? v.length === 0 : v === "" || v === 0 || v === false;
}

function scalarJson(v: Scalar): JsonValue {
  // Go's JSON prints []byte as standard base64.
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") : v;
}

/** A value as JSON: a message is decoded, an absent message is its zero value. */
function valueJson(type: ValueType, v: unknown): JsonValue {
  if ("message" in type) return decodeMessage(lookup(type.message), (v as Uint8Array | undefined) ?? empty);
  return scalarJson((v as Scalar | undefined) ?? zeroOf(type.scalar));
}

function writeField(out: { [key: string]: JsonValue }, f: FieldSpec, v: unknown): void {
  const name = f.jsonName;
  switch (f.shape) {
    case "repeated":
      if (v === undefined) {
        if (!f.omitEmpty) out[name] = null;
      } else out[name] = (v as unknown[]).map((e) => valueJson(f.type, e));
      return;
    case "map": {
      if (v === undefined) {
        if (!f.omitEmpty) out[name] = null;
        return;
      }
      // Go's JSON sorts map keys.
      const entries = [...(v as Map<string, unknown>)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const obj: { [key: string]: JsonValue } = {};
      for (const [k, e] of entries) obj[k] = valueJson(f.type, e);
      out[name] = obj;
      return;
    }
    case "pointer":
      if (v === undefined) {
        if (!f.omitEmpty) out[name] = null;
      } else out[name] = valueJson(f.type, v);
      return;
    case "value": {
      if ("message" in f.type) {
        const spec = lookup(f.type.message);
        const json = decodeMessage(spec, (v as Uint8Array | undefined) ?? empty);
        if (f.inline) {
          if (json !== null && typeof json === "object" && !Array.isArray(json)) Object.assign(out, json);
          return;
        }
        // omitempty never drops a struct, but a named slice type is a slice.
        if (f.omitEmpty && spec.arrayWrapper && (json === null || (json as JsonValue[]).length === 0)) return;
        out[name] = json;
        return;
      }
      if (v === undefined && f.type.scalar === "bytes") {
        // A nil []byte: gogo writes a []byte field only when it is non-nil.
        if (!f.omitEmpty) out[name] = null;
        return;
      }
      const s = (v as Scalar | undefined) ?? zeroOf(f.type.scalar);
      if (f.omitEmpty && isZero(s)) return;
      out[name] = scalarJson(s);
      return;
    }
  }
}

export type { DecodedFields, JsonValue };
