import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bytesOf,
  identityTransformer,
  PrefixTransformers,
  TransformError,
  type ValueTransformer,
} from "./transformer.ts";

const dec = new TextDecoder();
const text = (b: Uint8Array) => dec.decode(b);

/** A reversible toy transformer that fails on values it did not write. */
function tagged(tag: string): ValueTransformer {
  return {
    toStorage: (_k, d) => bytesOf(`${tag}|${text(d)}`),
    fromStorage(_k, d) {
      const s = text(d);
      if (!s.startsWith(`${tag}|`)) throw new Error(`not written by ${tag}`);
      return { value: bytesOf(s.slice(tag.length + 1)), stale: false };
    },
  };
}

describe("PrefixTransformers (value.NewPrefixTransformers)", () => {
  const t = new PrefixTransformers([
    { prefix: bytesOf("a:"), transformer: tagged("A") },
    { prefix: bytesOf("b:"), transformer: tagged("B") },
  ]);

  it("writes with the first transformer under its prefix", () => {
    assert.equal(text(t.toStorage("/registry/x/y", bytesOf("{}"))), "a:A|{}");
  });

  it("reads with the transformer whose prefix matches; any but the first is stale", () => {
    assert.deepEqual(t.fromStorage("/k", bytesOf("a:A|1")), { value: bytesOf("1"), stale: false });
    const r = t.fromStorage("/k", bytesOf("b:B|2"));
    assert.equal(text(r.value), "2");
    assert.equal(r.stale, true);
  });

  it("says so when no prefix matches, with upstream's default message or the given one", () => {
    assert.throws(() => t.fromStorage("/k", bytesOf("c:1")), {
      message: "the provided value does not match any of the supported transformers",
    });
    const named = new PrefixTransformers(
      [{ prefix: bytesOf("a:"), transformer: tagged("A") }],
      "no matching prefix found",
    );
    assert.throws(() => named.fromStorage("/k", bytesOf("z")), { message: "no matching prefix found" });
  });

  it("tries every transformer sharing a prefix (a key being rotated) before failing, reporting their errors", () => {
    const rotating = new PrefixTransformers([
      { prefix: bytesOf("p:"), transformer: tagged("NEW") },
      { prefix: bytesOf("p:"), transformer: tagged("OLD") },
    ]);
    const r = rotating.fromStorage("/k", bytesOf("p:OLD|v"));
    assert.equal(text(r.value), "v");
    assert.equal(r.stale, true);
    assert.throws(() => rotating.fromStorage("/k", bytesOf("p:X|v")), {
      message: "[not written by NEW, not written by OLD]",
    });
    const single = new PrefixTransformers([{ prefix: bytesOf("p:"), transformer: tagged("NEW") }]);
    assert.throws(() => single.fromStorage("/k", bytesOf("p:X|v")), { message: "not written by NEW" });
  });

  it("lets identity first read plain values and skip encrypted ones (migrating away from encryption)", () => {
    const migrating = new PrefixTransformers([
      { prefix: new Uint8Array(0), transformer: identityTransformer },
      { prefix: bytesOf("k8s:enc:toy:v1:"), transformer: tagged("T") },
    ]);
    assert.deepEqual(migrating.fromStorage("/k", bytesOf('{"a":1}')), {
      value: bytesOf('{"a":1}'),
      stale: false,
    });
    const r = migrating.fromStorage("/k", bytesOf("k8s:enc:toy:v1:T|x"));
    assert.deepEqual({ value: text(r.value), stale: r.stale }, { value: "x", stale: true });
    assert.equal(text(migrating.toStorage("/k", bytesOf("{}"))), "{}");
  });
});

describe("identity transformer", () => {
  it("refuses encrypted data with upstream's message", () => {
    assert.throws(() => identityTransformer.fromStorage("/k", bytesOf("k8s:enc:aesgcm:v1:key1:xyz")), {
      message: "identity transformer tried to read encrypted data",
    });
  });
});

describe("TransformError", () => {
  it("names the key, quoted as Go's %q", () => {
    const e = new TransformError("/registry/secrets/default/s1", new Error("no matching prefix found"));
    assert.equal(
      e.message,
      'unable to transform key "/registry/secrets/default/s1": no matching prefix found',
    );
  });
});
