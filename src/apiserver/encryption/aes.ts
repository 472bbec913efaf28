// AES transformers (k8s.io/apiserver/pkg/storage/value/encrypt/aes), byte for
// byte as upstream stores them so that an etcd written by kube-apiserver reads
// here and back:
//   aesgcm: nonce (12 random bytes) ‖ ciphertext ‖ tag (16), the etcd key as authenticated data
//   aescbc: iv (16 random bytes) ‖ ciphertext of the PKCS#7-padded value
import { type CipherGCMTypes, createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { ValueTransformer } from "./transformer.ts";

const GCM_NONCE = 12;
const GCM_TAG = 16;
const BLOCK = 16;

/** The AES variant a key selects: 16, 24 or 32 bytes (Go's aes.NewCipher). */
function keyBits(key: Uint8Array): 128 | 192 | 256 {
  if (key.length === 16) return 128;
  if (key.length === 24) return 192;
  if (key.length === 32) return 256;
  // Go's aes.KeySizeError.
  throw new Error(`crypto/aes: invalid key size ${key.length}`);
}

const shortData = () => new Error("the stored data was shorter than the required size");

/** aes.NewGCMTransformer: authenticated encryption; the key of the value is its authenticated data. */
export function gcmTransformer(key: Uint8Array): ValueTransformer {
  const alg: CipherGCMTypes = `aes-${keyBits(key)}-gcm`;
  return {
    toStorage(dataKey, data) {
      const nonce = randomBytes(GCM_NONCE);
      const c = createCipheriv(alg, key, nonce, { authTagLength: GCM_TAG });
      c.setAAD(Buffer.from(dataKey));
      const body = Buffer.concat([c.update(data), c.final()]);
      return Buffer.concat([nonce, body, c.getAuthTag()]);
    },
    fromStorage(dataKey, data) {
      if (data.length < GCM_NONCE) throw shortData();
      // Go's AEAD.Open fails the same way on a missing tag as on a wrong one.
      if (data.length < GCM_NONCE + GCM_TAG) throw new Error("cipher: message authentication failed");
      const nonce = data.subarray(0, GCM_NONCE);
      const tag = data.subarray(data.length - GCM_TAG);
      const d = createDecipheriv(alg, key, nonce, { authTagLength: GCM_TAG });
      d.setAAD(Buffer.from(dataKey));
      d.setAuthTag(tag);
      try {
        const value = Buffer.concat([d.update(data.subarray(GCM_NONCE, data.length - GCM_TAG)), d.final()]);
        return { value, stale: false };
      } catch {
        throw new Error("cipher: message authentication failed");
      }
    },
  };
}

/** aes.NewCBCTransformer: unauthenticated; kept for configurations written for it. */
export function cbcTransformer(key: Uint8Array): ValueTransformer {
  const alg = `aes-${keyBits(key)}-cbc`;
  return {
    toStorage(_dataKey, data) {
      const iv = randomBytes(BLOCK);
      const pad = BLOCK - (data.length % BLOCK);
      const padded = Buffer.concat([data, Buffer.alloc(pad, pad)]);
      const c = createCipheriv(alg, key, iv).setAutoPadding(false);
      return Buffer.concat([iv, c.update(padded), c.final()]);
    },
    fromStorage(_dataKey, data) {
      if (data.length < BLOCK) throw shortData();
      const body = data.subarray(BLOCK);
      if (body.length % BLOCK !== 0) throw new Error("the stored data is not a multiple of the block size");
      const d = createDecipheriv(alg, key, data.subarray(0, BLOCK)).setAutoPadding(false);
      const out = Buffer.concat([d.update(body), d.final()]);
      // PKCS#7, checked as upstream does (its messages included).
      const c = out.length > 0 ? out[out.length - 1] : 0;
      if (c === 0 || c > out.length) throw new Error("invalid PKCS7 data (empty or not padded)");
      for (let i = out.length - c; i < out.length; i++) {
        if (out[i] !== c) throw new Error("invalid padding on input");
      }
      return { value: out.subarray(0, out.length - c), stale: false };
    },
  };
}
