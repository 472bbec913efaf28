import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { poly1305, secretboxOpen, secretboxSeal, secretboxTransformer } from "./secretbox.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("secretbox (XSalsa20-Poly1305)", () => {
  it("matches NaCl's output (golang.org/x/crypto/nacl/secretbox TestSecretBox)", () => {
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(24).fill(2);
    const message = new Uint8Array(64).fill(3);
    const box = secretboxSeal(message, nonce, key);
    assert.equal(
      hex(box),
      "8442bc313f4626f1359e3b50122b6ce6fe66ddfe7d39d14e637eb4fd5b45beadab55198df6ab5368439792a23c87db70acb6156dc5ef957ac04f6276cf6093b84be77ff0849cc33e34b7254d5a8f65ad",
    );
    assert.deepEqual(secretboxOpen(box, nonce, key), message);
  });

  it("computes Poly1305 as RFC 8439 §2.5.2", () => {
    const key = Buffer.from("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b", "hex");
    assert.equal(
      hex(poly1305(Buffer.from("Cryptographic Forum Research Group"), key)),
      "a8061dc1305136c6c22b8baf0c0127a9",
    );
  });

  it("round-trips values of every length across block boundaries", () => {
    const key = randomBytes(32);
    const nonce = randomBytes(24);
    for (const n of [0, 1, 31, 32, 33, 63, 64, 65, 1000]) {
      const m = randomBytes(n);
      assert.deepEqual(Buffer.from(secretboxOpen(secretboxSeal(m, nonce, key), nonce, key)!), m);
    }
  });
});

describe("secretbox transformer", () => {
  const t = secretboxTransformer(randomBytes(32));

  it("stores nonce (24) ‖ tag (16) ‖ ciphertext and reads it back", () => {
    const plain = Buffer.from('{"data":{"token":"c2VjcmV0"}}');
    const stored = t.toStorage("/registry/secrets/a/b", plain);
    assert.equal(stored.length, 24 + 16 + plain.length);
    assert.deepEqual(Buffer.from(t.fromStorage("/registry/secrets/a/b", stored).value), plain);
  });

  it("refuses tampered or short values with upstream's messages", () => {
    const stored = Buffer.from(t.toStorage("/k", Buffer.from("hello")));
    stored[stored.length - 1] ^= 1;
    assert.throws(() => t.fromStorage("/k", stored), {
      message: "output array was not large enough for encryption",
    });
    assert.throws(() => t.fromStorage("/k", stored.subarray(0, 39)), {
      message: "the stored data was shorter than the required size",
    });
  });

  it("needs a 32-byte key", () => {
    assert.throws(() => secretboxTransformer(randomBytes(16)), {
      message: "expected key size 32 for secretbox provider, got 16",
    });
  });
});
