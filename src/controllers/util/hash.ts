// upstream's controller.ComputeHash and history.HashControllerRevision: an
// FNV-32a hash of an object (plus the collision count, when there is one),
// written as its decimal string through rand.SafeEncodeString so that it is a
// valid label value and never spells a word.
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** FNV-1 (multiply, then xor), Go's fnv.New32, as ControllerRevision names use. */
export function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= b;
  }
  return h >>> 0;
}

/** JSON with object keys sorted, so equal objects always hash alike. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(",")}}`;
}

/** rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** The hash of an object and a collision count, as pod-template-hash and controller.kubernetes.io/hash carry it. */
export function computeHash(obj: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32a(enc.encode(stableStringify(obj)));
  if (collisionCount !== undefined && collisionCount !== null) {
    // upstream writes the count as 4 little-endian bytes after the object.
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}
