// Value transformers for data at rest (k8s.io/apiserver/pkg/storage/value):
// what the apiserver does to an object's bytes on the way into the store and
// back. A prefix on the stored bytes says which provider and key wrote them;
// the first provider writes, every provider reads, and a value read by any
// but the first is "stale" so that a rewrite moves it to the current key.
import { goQuote, newAggregate } from "../../machinery/field-errors.ts";

export interface ValueTransformer {
  /**
   * Plain bytes → the bytes the store keeps under `key`. The key is the
   * authenticated data (upstream's dataCtx): a value copied to another key
   * does not decrypt there.
   */
  toStorage(key: string, data: Uint8Array): Uint8Array;
  /** Stored bytes → plain bytes; throws when no provider can read them. */
  fromStorage(key: string, data: Uint8Array): { value: Uint8Array; stale: boolean };
}

/** A transformer under the prefix that marks its values (value.PrefixTransformer). */
export interface PrefixTransformer {
  prefix: Uint8Array;
  transformer: ValueTransformer;
}

const enc = new TextEncoder();

export function bytesOf(s: string): Uint8Array {
  return enc.encode(s);
}

function hasPrefix(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * value.NewPrefixTransformers: reads with the first transformer whose prefix
 * matches and that succeeds; writes with the first one. An error on a match
 * does not end the search, since two providers of one kind share a prefix
 * while a key is rotated.
 */
export class PrefixTransformers implements ValueTransformer {
  constructor(
    private readonly transformers: readonly PrefixTransformer[],
    /** The error when no prefix matches at all. */
    private readonly noMatch = "the provided value does not match any of the supported transformers",
  ) {
    if (transformers.length === 0) throw new Error("PrefixTransformers needs at least one transformer");
  }

  fromStorage(key: string, data: Uint8Array): { value: Uint8Array; stale: boolean } {
    const errs: Error[] = [];
    for (let i = 0; i < this.transformers.length; i++) {
      const { prefix, transformer } = this.transformers[i];
      if (!hasPrefix(data, prefix)) continue;
      let r: { value: Uint8Array; stale: boolean };
      try {
        r = transformer.fromStorage(key, data.subarray(prefix.length));
      } catch (e) {
        // identity (empty prefix) refusing encrypted data just means "try the next one".
        if (prefix.length > 0) errs.push(e as Error);
        continue;
      }
      return { value: r.value, stale: r.stale || i !== 0 };
    }
    const agg = newAggregate(errs);
    // utilerrors.Reduce: one error is reported as itself.
    if (agg) throw errs.length === 1 ? errs[0] : new Error(agg.message);
    throw new Error(this.noMatch);
  }

  toStorage(key: string, data: Uint8Array): Uint8Array {
    const { prefix, transformer } = this.transformers[0];
    return concatBytes(prefix, transformer.toStorage(key, data));
  }
}

const ENCRYPTED_PREFIX = bytesOf("k8s:enc:");

/** identity.NewEncryptCheckTransformer: stores plain bytes, and refuses to read encrypted ones as plain. */
export const identityTransformer: ValueTransformer = {
  toStorage: (_key, data) => data,
  fromStorage(_key, data) {
    if (hasPrefix(data, ENCRYPTED_PREFIX))
      throw new Error("identity transformer tried to read encrypted data");
    return { value: data, stale: false };
  },
};

/** Why a stored value could not be read or written, naming its key as upstream's list does. */
export class TransformError extends Error {
  override name = "TransformError";
  constructor(
    readonly key: string,
    cause: Error,
  ) {
    super(`unable to transform key ${goQuote(key)}: ${cause.message}`, { cause });
  }
}
