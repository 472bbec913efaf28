// For tests only: encodes a JSON object the way client-go's gogo-generated
// Marshal methods would encode the Go struct behind it, from the same schema
// table the decoder uses. Fields go out in field-number order; non-pointer
// fields are always written, zero or not; map keys are sorted.
import { type FieldSpec, messageSpec, type ScalarType, type ValueType } from "./schema.ts";
import type { JsonValue } from "./well-known.ts";

class Writer {
  private readonly bytes: number[] = [];

  varint(v: bigint | number): this {
    let u = BigInt.asUintN(64, BigInt(v));
    while (u >= 0x80n) {
      this.bytes.push(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.bytes.push(Number(u));
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  raw(b: Uint8Array): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }

  lengthDelimited(field: number, b: Uint8Array): this {
    return this.tag(field, 2).varint(b.length).raw(b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const utf8 = new TextEncoder();

function writeScalar(w: Writer, field: number, type: ScalarType, v: JsonValue): void {
  switch (type) {
    case "string":
      w.lengthDelimited(field, utf8.encode(v as string));
      return;
    case "bytes":
      w.lengthDelimited(field, Buffer.from(v as string, "base64"));
      return;
    case "bool":
      w.tag(field, 0).varint(v ? 1 : 0);
      return;
    case "double": {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v as number, true);
      w.tag(field, 1).raw(b);
      return;
    }
    case "float": {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, v as number, true);
      w.tag(field, 5).raw(b);
      return;
    }
    default:
      w.tag(field, 0).varint(v as number);
  }
}

function zeroJson(type: ScalarType): JsonValue {
  return type === "string" ? "" : type === "bool" ? false : 0;
}

/** Go's time.Unix seconds and nanoseconds of an RFC 3339 string. */
function timestamp(s: string): [number, number] {
  const m = /\.(\d+)Z$/.exec(s);
  const nanos = m ? Number(m[1].padEnd(9, "0")) : 0;
  return [Math.floor(Date.parse(s) / 1000), nanos];
}

function encodeWellKnown(name: string, v: JsonValue | undefined): Uint8Array | undefined {
  const w = new Writer();
  switch (name) {
    case "meta.v1.Time":
    case "meta.v1.MicroTime": {
      // A zero time marshals to nothing; Time drops the nanoseconds.
      if (v === null || v === undefined) return w.finish();
      const [seconds, nanos] = timestamp(v as string);
      return w
        .tag(1, 0)
        .varint(seconds)
        .tag(2, 0)
        .varint(name === "meta.v1.Time" ? 0 : nanos)
        .finish();
    }
    case "resource.Quantity":
      return w.lengthDelimited(1, utf8.encode((v as string | undefined) ?? "0")).finish();
    case "intstr.IntOrString":
      return typeof v === "string"
        ? w.tag(1, 0).varint(1).tag(2, 0).varint(0).lengthDelimited(3, utf8.encode(v)).finish()
        : w
            .tag(1, 0)
            .varint(0)
            .tag(2, 0)
            .varint((v as number | undefined) ?? 0)
            .lengthDelimited(3, new Uint8Array(0))
            .finish();
    case "runtime.RawExtension":
    case "meta.v1.FieldsV1":
      if (v === null || v === undefined) return w.finish();
      return w.lengthDelimited(1, utf8.encode(JSON.stringify(v))).finish();
    default:
      return undefined;
  }
}

/** Encodes a JSON value as the named message. */
export function encodeMessage(name: string, value: JsonValue | undefined): Uint8Array {
  const special = encodeWellKnown(name, value);
  if (special) return special;
  const spec = messageSpec(name);
  if (!spec) throw new Error(`no message ${name}`);
  const w = new Writer();
  if (spec.arrayWrapper) {
    for (const item of (value as JsonValue[] | null | undefined) ?? []) writeScalar(w, 1, "string", item);
    return w.finish();
  }
  const obj = (value ?? {}) as Record<string, JsonValue>;
  for (const f of [...spec.fields].sort((a, b) => a.number - b.number)) writeField(w, f, obj);
  return w.finish();
}

function writeValue(w: Writer, field: number, type: ValueType, v: JsonValue | undefined): void {
  if ("message" in type) w.lengthDelimited(field, encodeMessage(type.message, v));
  else writeScalar(w, field, type.scalar, v ?? zeroJson(type.scalar));
}

function writeField(w: Writer, f: FieldSpec, obj: Record<string, JsonValue>): void {
  const v = f.inline ? obj : obj[f.jsonName];
  switch (f.shape) {
    case "repeated":
      for (const e of (v as JsonValue[] | null | undefined) ?? []) writeValue(w, f.number, f.type, e);
      return;
    case "map":
      for (const k of Object.keys((v ?? {}) as object).sort()) {
        const entry = new Writer();
        writeScalar(entry, 1, f.key ?? "string", k);
        writeValue(entry, 2, f.type, (v as Record<string, JsonValue>)[k]);
        w.lengthDelimited(f.number, entry.finish());
      }
      return;
    case "pointer":
      if (v !== undefined && v !== null) writeValue(w, f.number, f.type, v);
      return;
    case "value":
      // A nil []byte is not written; every other non-pointer field is.
      if ("scalar" in f.type && f.type.scalar === "bytes" && (v === undefined || v === null)) return;
      writeValue(w, f.number, f.type, v);
  }
}

/** A whole request body: magic, then runtime.Unknown around the object's message. */
export function encodeBody(apiVersion: string, kind: string, message: string, object: JsonValue): Uint8Array {
  const typeMeta = new Writer()
    .lengthDelimited(1, utf8.encode(apiVersion))
    .lengthDelimited(2, utf8.encode(kind))
    .finish();
  const unknown = new Writer()
    .lengthDelimited(1, typeMeta)
    .lengthDelimited(2, encodeMessage(message, object))
    .lengthDelimited(3, new Uint8Array(0))
    .lengthDelimited(4, new Uint8Array(0))
    .finish();
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...unknown]);
}
