// The protobuf wire format, read the way gogo-protobuf's generated Unmarshal
// methods read it: same limits, same error strings.
import { malformed } from "./errors.ts";

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** A varint as two unsigned 32-bit halves, so 64-bit values survive intact. */
export interface Varint {
  lo: number;
  hi: number;
}

const unexpectedEOF = "unexpected EOF";
const twoTo32 = 4294967296;

export class WireReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A field key; `message` names the message in errors, as gogo does. */
  tag(message: string): { field: number; wireType: number } {
    const { lo, hi } = this.varint();
    const wireType = lo & 7;
    if (wireType === WireType.EndGroup) {
      throw malformed(`proto: ${message}: wiretype end group for non-group`);
    }
    // Go: fieldNum := int32(wire >> 3)
    const field = (lo >>> 3) | (hi << 29) | 0;
    if (field <= 0) {
      const wire = hi === 0 ? String(lo) : (BigInt(hi) * BigInt(twoTo32) + BigInt(lo)).toString();
      throw malformed(`proto: ${message}: illegal tag ${field} (wire type ${wire})`);
    }
    return { field, wireType };
  }

  varint(): Varint {
    let lo = 0;
    let hi = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift >= 64) throw malformed("proto: integer overflow");
      if (this.pos >= this.buf.length) throw malformed(unexpectedEOF);
      const b = this.buf[this.pos++];
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) break;
    }
    return { lo: lo >>> 0, hi: hi >>> 0 };
  }

  fixed32(): Uint8Array {
    return this.take(4);
  }

  fixed64(): Uint8Array {
    return this.take(8);
  }

  /** A length-delimited payload (a view, not a copy). */
  bytes(): Uint8Array {
    const { lo, hi } = this.varint();
    // Go converts the length to int: lengths of 2^63 and more turn negative.
    if (hi >= 0x80000000) throw malformed("proto: negative length found during unmarshaling");
    const length = hi * twoTo32 + lo;
    if (length > this.buf.length - this.pos) throw malformed(unexpectedEOF);
    return this.take(length);
  }

  /** Steps over a field this schema does not know, as skipGenerated does. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.take(8);
        return;
      case WireType.LengthDelimited:
        this.bytes();
        return;
      case WireType.StartGroup:
        for (;;) {
          const { lo } = this.varint();
          if ((lo & 7) === WireType.EndGroup) return;
          this.skip(lo & 7);
        }
      case WireType.Fixed32:
        this.take(4);
        return;
      default:
        throw malformed(`proto: illegal wireType ${wireType}`);
    }
  }

  private take(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) throw malformed(unexpectedEOF);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Go's int32(v): the low 32 bits, signed. */
export function varintToInt32(v: Varint): number {
  return v.lo | 0;
}

export function varintToUint32(v: Varint): number {
  return v.lo;
}

/** Go's int64(v) as a JS number (exact up to 2^53). */
export function varintToInt64(v: Varint): number {
  if (v.hi < 0x80000000) return v.hi * twoTo32 + v.lo;
  return Number(BigInt.asIntN(64, (BigInt(v.hi) << 32n) | BigInt(v.lo)));
}

export function varintToUint64(v: Varint): number {
  return v.hi * twoTo32 + v.lo;
}

export function varintToBool(v: Varint): boolean {
  return v.lo !== 0 || v.hi !== 0;
}
