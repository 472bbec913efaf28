// A request body in Kubernetes' protobuf encoding
// (apimachinery/pkg/runtime/serializer/protobuf): the magic "k8s\0", then a
// runtime.Unknown {typeMeta, raw, contentEncoding, contentType} whose raw is
// the object's own message.
import { decodeProtobufMessage } from "./decode.ts";
import { malformed, ProtobufDecodeError } from "./errors.ts";
import { messageForKind } from "./schema.ts";
import { WireReader, WireType } from "./wire-reader.ts";

export const protobufContentType = "application/vnd.kubernetes.protobuf";

const magic = [0x6b, 0x38, 0x73, 0x00];
const utf8 = new TextDecoder();

export interface DecodedBody {
  apiVersion: string;
  kind: string;
  /** The object as JSON, with kind and apiVersion set. */
  object: Record<string, unknown>;
}

/** The group/version/kind the request path implies, used where the body leaves them out. */
export interface KindDefaults {
  group: string;
  version: string;
  kind: string;
}

/** RecognizesData: whether the bytes start with the protobuf magic. */
export function isProtobufBody(bytes: Uint8Array): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

/** runtime.Unknown: typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4. */
function readEnvelope(bytes: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: "", kind: "", raw: new Uint8Array(0) };
  const names = ["TypeMeta", "Raw", "ContentEncoding", "ContentType"];
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wireType } = r.tag("Unknown");
    if (field > names.length) {
      r.skip(wireType);
      continue;
    }
    if (wireType !== WireType.LengthDelimited) {
      throw malformed(`proto: wrong wireType = ${wireType} for field ${names[field - 1]}`);
    }
    const value = r.bytes();
    if (field === 1) readTypeMeta(value, env);
    else if (field === 2) env.raw = value;
    // Upstream ignores contentEncoding and contentType when decoding: raw is the object's message.
  }
  return env;
}

function readTypeMeta(bytes: Uint8Array, env: Envelope): void {
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wireType } = r.tag("TypeMeta");
    if (field > 2) {
      r.skip(wireType);
      continue;
    }
    if (wireType !== WireType.LengthDelimited) {
      throw malformed(`proto: wrong wireType = ${wireType} for field ${field === 1 ? "APIVersion" : "Kind"}`);
    }
    const value = utf8.decode(r.bytes());
    if (field === 1) env.apiVersion = value;
    else env.kind = value;
  }
}

/**
 * Decodes a protobuf request body into the JSON object a client would have
 * sent as JSON. `defaults` fill a kind or version the body leaves out, as
 * upstream's copyKindDefaults does with the endpoint's kind. Throws
 * ProtobufDecodeError with upstream's messages.
 */
export function decodeProtobufBody(bytes: Uint8Array, defaults?: KindDefaults): DecodedBody {
  if (bytes.length === 0) throw new ProtobufDecodeError("NotProtobuf", "empty data");
  if (!isProtobufBody(bytes)) {
    throw new ProtobufDecodeError(
      "NotProtobuf",
      `provided data does not appear to be a protobuf message, expected prefix [${magic.join(" ")}]`,
    );
  }
  if (bytes.length === magic.length) throw new ProtobufDecodeError("NotProtobuf", "empty body");

  const { apiVersion: bodyApiVersion, kind: bodyKind, raw } = readEnvelope(bytes.subarray(magic.length));
  let [group, version] = parseGroupVersion(bodyApiVersion);
  let kind = bodyKind;
  // copyKindDefaults
  if (defaults) {
    if (kind === "") kind = defaults.kind;
    if (version === "" && defaults.version !== "") {
      group = defaults.group;
      version = defaults.version;
    }
  }
  const typeMeta = `runtime.TypeMeta{APIVersion:${JSON.stringify(bodyApiVersion)}, Kind:${JSON.stringify(bodyKind)}}`;
  if (kind === "") throw new ProtobufDecodeError("MissingKind", `Object 'Kind' is missing in '${typeMeta}'`);
  if (version === "") {
    throw new ProtobufDecodeError("MissingKind", `Object 'apiVersion' is missing in '${typeMeta}'`);
  }
  const apiVersion = group === "" ? version : `${group}/${version}`;
  const message = messageForKind(group, version, kind);
  if (!message) {
    throw new ProtobufDecodeError(
      "UnknownKind",
      `no kind "${kind}" is registered for version "${apiVersion}" in the protobuf decoder`,
    );
  }
  const decoded = decodeProtobufMessage(message, raw) as Record<string, unknown>;
  // TypeMeta is inline and first in every kind's Go struct: kind, then apiVersion.
  return { apiVersion, kind, object: { kind, apiVersion, ...decoded } };
}

/** schema.ParseGroupVersion: "" | "v1" | "apps/v1". */
function parseGroupVersion(gv: string): [string, string] {
  if (gv === "" || gv === "/") return ["", ""];
  const parts = gv.split("/");
  if (parts.length === 1) return ["", gv];
  if (parts.length === 2) return [parts[0], parts[1]];
  throw malformed(`unexpected GroupVersion string: ${gv}`);
}
