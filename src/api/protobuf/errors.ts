/**
 * Why a protobuf body could not be decoded. The apiserver answers
 * `UnknownKind` with 415 Unsupported Media Type (the kind has no protobuf
 * form here; the client can retry with JSON) and the others with 400 Bad Request.
 */
export type ProtobufDecodeReason = "NotProtobuf" | "Malformed" | "MissingKind" | "UnknownKind";

export class ProtobufDecodeError extends Error {
  override name = "ProtobufDecodeError";

  constructor(
    readonly reason: ProtobufDecodeReason,
    message: string,
  ) {
    super(message);
  }
}

/** A malformed-input error with gogo-protobuf's wording (see generated.pb.go's Unmarshal). */
export function malformed(message: string): ProtobufDecodeError {
  return new ProtobufDecodeError("Malformed", message);
}
