import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { cbcTransformer, gcmTransformer } from "./aes.ts";

const enc = new TextEncoder();
const KEY = "/registry/secrets/default/s1";

describe("aesgcm", () => {
  for (const size of [16, 24, 32]) {
    it(`round-trips with a ${size}-byte key, storing nonce (12) ‖ ciphertext ‖ tag (16)`, () => {
      const t = gcmTransformer(randomBytes(size));
      const plain = enc.encode('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');
      const stored = t.toStorage(KEY, plain);
      assert.equal(stored.length, 12 + plain.length + 16);
      assert.ok(!Buffer.from(stored).includes("password"));
      assert.deepEqual(Buffer.from(t.fromStorage(KEY, stored).value), Buffer.from(plain));
      // A fresh random nonce each time.
      assert.notDeepEqual(Buffer.from(t.toStorage(KEY, plain)), Buffer.from(stored));
    });
  }

  it("reads a value laid out as Go's AEAD.Seal writes it (ciphertext then tag), with the key as additional data", () => {
    const key = randomBytes(32);
    const nonce = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", key, nonce);
    c.setAAD(Buffer.from(KEY));
    const body = Buffer.concat([c.update("hello"), c.final()]);
    const stored = Buffer.concat([nonce, body, c.getAuthTag()]);
    assert.equal(Buffer.from(gcmTransformer(key).fromStorage(KEY, stored).value).toString(), "hello");
  });

  it("refuses a value moved to another key, tampered with, or too short, with Go's messages", () => {
    const t = gcmTransformer(randomBytes(32));
    const stored = Buffer.from(t.toStorage(KEY, enc.encode("secret")));
    const authFailed = { message: "cipher: message authentication failed" };
    assert.throws(() => t.fromStorage("/registry/secrets/default/other", stored), authFailed);
    const tampered = Buffer.from(stored);
    tampered[14] ^= 1;
    assert.throws(() => t.fromStorage(KEY, tampered), authFailed);
    assert.throws(() => gcmTransformer(randomBytes(32)).fromStorage(KEY, stored), authFailed);
    assert.throws(() => t.fromStorage(KEY, stored.subarray(0, 11)), {
      message: "the stored data was shorter than the required size",
    });
    assert.throws(() => t.fromStorage(KEY, stored.subarray(0, 20)), authFailed);
  });

  it("refuses keys AES cannot use", () => {
    assert.throws(() => gcmTransformer(randomBytes(20)), { message: "crypto/aes: invalid key size 20" });
  });
});

describe("aescbc", () => {
  it("round-trips, padding with PKCS#7 (a full block when the value fills its blocks)", () => {
    const t = cbcTransformer(randomBytes(32));
    for (const n of [0, 1, 15, 16, 17, 100]) {
      const plain = randomBytes(n);
      const stored = t.toStorage(KEY, plain);
      assert.equal(stored.length, 16 + (Math.floor(n / 16) + 1) * 16, `length for ${n} bytes`);
      assert.deepEqual(Buffer.from(t.fromStorage(KEY, stored).value), plain);
    }
  });

  it("is not bound to the key (upstream's CBC has no authenticated data)", () => {
    const t = cbcTransformer(randomBytes(16));
    const stored = t.toStorage(KEY, enc.encode("x"));
    assert.equal(Buffer.from(t.fromStorage("/registry/secrets/ns/elsewhere", stored).value).toString(), "x");
  });

  it("reports malformed values with upstream's messages", () => {
    const key = randomBytes(32);
    const t = cbcTransformer(key);
    const iv = randomBytes(16);
    const raw = (block: Buffer) => {
      const c = createCipheriv("aes-256-cbc", key, iv).setAutoPadding(false);
      return Buffer.concat([iv, c.update(block), c.final()]);
    };
    assert.throws(() => t.fromStorage(KEY, randomBytes(15)), {
      message: "the stored data was shorter than the required size",
    });
    assert.throws(() => t.fromStorage(KEY, randomBytes(16 + 5)), {
      message: "the stored data is not a multiple of the block size",
    });
    assert.throws(() => t.fromStorage(KEY, raw(Buffer.alloc(16, 0))), {
      message: "invalid PKCS7 data (empty or not padded)",
    });
    const badPad = Buffer.alloc(16, 7);
    badPad[15] = 3;
    badPad[14] = 2;
    assert.throws(() => t.fromStorage(KEY, raw(badPad)), { message: "invalid padding on input" });
    assert.throws(() => t.fromStorage(KEY, iv), { message: "invalid PKCS7 data (empty or not padded)" });
  });
});
