// The secretbox transformer (k8s.io/apiserver/pkg/storage/value/encrypt/secretbox):
// NaCl's secretbox, XSalsa20 + Poly1305, which Node's crypto lacks, so it is
// written out here (golang.org/x/crypto/nacl/secretbox, salsa20, poly1305).
// Stored form as upstream: nonce (24 random bytes) ‖ tag (16) ‖ ciphertext.
// Plain JavaScript, so slower than AES; fine for Secrets-sized values.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { ValueTransformer } from "./transformer.ts";

const NONCE = 24;
const OVERHEAD = 16;
// "expand 32-byte k"
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function u32le(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

function rotl(v: number, c: number): number {
  return ((v << c) | (v >>> (32 - c))) >>> 0;
}

/** The Salsa20/20 double rounds on a 16-word state, in place. */
function rounds(x: Uint32Array): void {
  for (let i = 0; i < 20; i += 2) {
    x[4] ^= rotl((x[0] + x[12]) >>> 0, 7);
    x[8] ^= rotl((x[4] + x[0]) >>> 0, 9);
    x[12] ^= rotl((x[8] + x[4]) >>> 0, 13);
    x[0] ^= rotl((x[12] + x[8]) >>> 0, 18);
    x[9] ^= rotl((x[5] + x[1]) >>> 0, 7);
    x[13] ^= rotl((x[9] + x[5]) >>> 0, 9);
    x[1] ^= rotl((x[13] + x[9]) >>> 0, 13);
    x[5] ^= rotl((x[1] + x[13]) >>> 0, 18);
    x[14] ^= rotl((x[10] + x[6]) >>> 0, 7);
    x[2] ^= rotl((x[14] + x[10]) >>> 0, 9);
    x[6] ^= rotl((x[2] + x[14]) >>> 0, 13);
    x[10] ^= rotl((x[6] + x[2]) >>> 0, 18);
    x[3] ^= rotl((x[15] + x[11]) >>> 0, 7);
    x[7] ^= rotl((x[3] + x[15]) >>> 0, 9);
    x[11] ^= rotl((x[7] + x[3]) >>> 0, 13);
    x[15] ^= rotl((x[11] + x[7]) >>> 0, 18);

    x[1] ^= rotl((x[0] + x[3]) >>> 0, 7);
    x[2] ^= rotl((x[1] + x[0]) >>> 0, 9);
    x[3] ^= rotl((x[2] + x[1]) >>> 0, 13);
    x[0] ^= rotl((x[3] + x[2]) >>> 0, 18);
    x[6] ^= rotl((x[5] + x[4]) >>> 0, 7);
    x[7] ^= rotl((x[6] + x[5]) >>> 0, 9);
    x[4] ^= rotl((x[7] + x[6]) >>> 0, 13);
    x[5] ^= rotl((x[4] + x[7]) >>> 0, 18);
    x[11] ^= rotl((x[10] + x[9]) >>> 0, 7);
    x[8] ^= rotl((x[11] + x[10]) >>> 0, 9);
    x[9] ^= rotl((x[8] + x[11]) >>> 0, 13);
    x[10] ^= rotl((x[9] + x[8]) >>> 0, 18);
    x[12] ^= rotl((x[15] + x[14]) >>> 0, 7);
    x[13] ^= rotl((x[12] + x[15]) >>> 0, 9);
    x[14] ^= rotl((x[13] + x[12]) >>> 0, 13);
    x[15] ^= rotl((x[14] + x[13]) >>> 0, 18);
  }
}

/** The initial state for a 32-byte key and 16 bytes of nonce (and counter). */
function state(key: Uint8Array, input: Uint8Array): Uint32Array {
  const s = new Uint32Array(16);
  s[0] = SIGMA[0];
  s[5] = SIGMA[1];
  s[10] = SIGMA[2];
  s[15] = SIGMA[3];
  for (let i = 0; i < 4; i++) {
    s[1 + i] = u32le(key, 4 * i);
    s[11 + i] = u32le(key, 16 + 4 * i);
    s[6 + i] = u32le(input, 4 * i);
  }
  return s;
}

/** HSalsa20: derives XSalsa20's subkey from the key and the nonce's first 16 bytes. */
export function hsalsa20(key: Uint8Array, input: Uint8Array): Uint8Array {
  const x = state(key, input);
  rounds(x);
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  const words = [0, 5, 10, 15, 6, 7, 8, 9];
  for (let i = 0; i < words.length; i++) dv.setUint32(4 * i, x[words[i]], true);
  return out;
}

/** `n` bytes of the XSalsa20 key stream for a 32-byte key and a 24-byte nonce, from block 0. */
export function xsalsa20Stream(key: Uint8Array, nonce: Uint8Array, n: number): Uint8Array {
  const subkey = hsalsa20(key, nonce.subarray(0, 16));
  const input = new Uint8Array(16);
  input.set(nonce.subarray(16, 24), 0);
  const out = new Uint8Array(Math.ceil(n / 64) * 64);
  const dv = new DataView(out.buffer);
  const block = new Uint32Array(16);
  for (let counter = 0, off = 0; off < n; counter++, off += 64) {
    // The block counter is the last 8 bytes of the input, little-endian.
    new DataView(input.buffer).setUint32(8, counter >>> 0, true);
    new DataView(input.buffer).setUint32(12, Math.floor(counter / 0x1_0000_0000), true);
    const init = state(subkey, input);
    block.set(init);
    rounds(block);
    for (let i = 0; i < 16; i++) dv.setUint32(off + 4 * i, (block[i] + init[i]) >>> 0, true);
  }
  return out.subarray(0, n);
}

function leToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

const P1305 = (1n << 130n) - 5n;
const CLAMP = 0x0ffffffc0ffffffc0ffffffc0fffffffn;
const MASK128 = (1n << 128n) - 1n;

/** Poly1305 one-time authenticator of `msg` under a 32-byte one-time key. */
export function poly1305(msg: Uint8Array, key: Uint8Array): Uint8Array {
  const r = leToBigInt(key.subarray(0, 16)) & CLAMP;
  const s = leToBigInt(key.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = msg.subarray(i, Math.min(i + 16, msg.length));
    const n = leToBigInt(chunk) | (1n << BigInt(8 * chunk.length));
    acc = ((acc + n) * r) % P1305;
  }
  let tag = (acc + s) & MASK128;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(tag & 0xffn);
    tag >>= 8n;
  }
  return out;
}

/** secretbox.Seal without the nonce: tag ‖ ciphertext. */
export function secretboxSeal(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  const ks = xsalsa20Stream(key, nonce, 32 + message.length);
  const out = new Uint8Array(OVERHEAD + message.length);
  for (let i = 0; i < message.length; i++) out[OVERHEAD + i] = message[i] ^ ks[32 + i];
  out.set(poly1305(out.subarray(OVERHEAD), ks.subarray(0, 32)), 0);
  return out;
}

/** secretbox.Open: the message, or undefined when the box does not authenticate. */
export function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | undefined {
  if (box.length < OVERHEAD) return undefined;
  const ct = box.subarray(OVERHEAD);
  const ks = xsalsa20Stream(key, nonce, 32 + ct.length);
  const tag = poly1305(ct, ks.subarray(0, 32));
  if (!timingSafeEqual(tag, box.subarray(0, OVERHEAD))) return undefined;
  const out = new Uint8Array(ct.length);
  for (let i = 0; i < ct.length; i++) out[i] = ct[i] ^ ks[32 + i];
  return out;
}

/** secretbox.NewSecretboxTransformer for a 32-byte key. Not authenticated against the etcd key, as upstream. */
export function secretboxTransformer(key: Uint8Array): ValueTransformer {
  if (key.length !== 32) throw new Error(`expected key size 32 for secretbox provider, got ${key.length}`);
  return {
    toStorage(_dataKey, data) {
      const nonce = randomBytes(NONCE);
      const box = secretboxSeal(data, nonce, key);
      const out = new Uint8Array(NONCE + box.length);
      out.set(nonce, 0);
      out.set(box, NONCE);
      return out;
    },
    fromStorage(_dataKey, data) {
      if (data.length < OVERHEAD + NONCE)
        throw new Error("the stored data was shorter than the required size");
      const value = secretboxOpen(data.subarray(NONCE), data.subarray(0, NONCE), key);
      // upstream's (misleading) message for a box that does not open.
      if (!value) throw new Error("output array was not large enough for encryption");
      return { value, stale: false };
    },
  };
}
