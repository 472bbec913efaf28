// DER (X.690) encoding of the few ASN.1 types an X.509 certificate is made of,
// and a reader of tag-length-value elements: enough to build certificates and
// find fields in them without a general ASN.1 library, whose JavaScript
// encoder costs milliseconds a certificate.

/** A tag-length-value element. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  let len: number[];
  if (n < 0x80) len = [n];
  else if (n < 0x100) len = [0x81, n];
  else if (n < 0x10000) len = [0x82, n >> 8, n & 0xff];
  else len = [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, ...items);
export const octetString = (b: Uint8Array): Buffer => tlv(0x04, b);
/** A directory string as Go's asn1 writes one: PrintableString when every character allows it, else UTF8String. */
export const directoryString = (s: string): Buffer =>
  /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)
    ? tlv(0x13, Buffer.from(s, "ascii"))
    : tlv(0x0c, Buffer.from(s, "utf8"));
export const booleanTrue = (): Buffer => tlv(0x01, Buffer.from([0xff]));
/** Context-specific, constructed: an EXPLICIT [n] wrapper. */
export const explicit = (n: number, ...items: Uint8Array[]): Buffer => tlv(0xa0 | n, ...items);

/** A non-negative INTEGER from its big-endian magnitude, minimally encoded. */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return tlv(0x02, m[0] & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
}

export const smallInteger = (n: number): Buffer => unsignedInteger(Buffer.from([n]));

/** A BIT STRING of whole bytes (no unused bits). */
export const bitString = (b: Uint8Array): Buffer => tlv(0x03, Buffer.from([0]), b);

/** A named-bit BIT STRING (bit 0 is the first byte's high bit), trailing zero bits dropped as DER requires. */
export function namedBits(bits: number[]): Buffer {
  const bytes = Buffer.alloc(Math.floor(Math.max(...bits) / 8) + 1);
  for (const b of bits) bytes[b >> 3] |= 0x80 >> (b & 7);
  const last = bytes[bytes.length - 1];
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return tlv(0x03, Buffer.from([unused]), bytes);
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const out = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const base128 = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v & 0x7f) | 0x80);
    out.push(...base128);
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280's Time: UTCTime through 2049, GeneralizedTime from 2050 on (as Go's x509 writes them). */
export function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-11-28T23:31:41.123Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "");
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, "ascii"))
    : tlv(0x18, Buffer.from(`${digits}Z`, "ascii"));
}

export interface Element {
  tag: number;
  /** The whole element, header included. */
  raw: Buffer;
  /** Its contents. */
  value: Buffer;
}

/** The element that starts at `offset` of `buf`. */
export function readElement(buf: Buffer, offset = 0): Element {
  const tag = buf[offset];
  let len = buf[offset + 1];
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error("DER: unsupported length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i];
    header += n;
  }
  const end = offset + header + len;
  if (end > buf.length) throw new Error("DER: element runs past its buffer");
  return { tag, raw: buf.subarray(offset, end), value: buf.subarray(offset + header, end) };
}

/** The elements inside a constructed element's contents. */
export function children(value: Buffer): Element[] {
  const out: Element[] = [];
  for (let off = 0; off < value.length; ) {
    const e = readElement(value, off);
    out.push(e);
    off += e.raw.length;
  }
  return out;
}
