// The secret plugin (pkg/volume/secret): like configMap, but on a tmpfs so
// the data never reaches the disk.
import type { KeyToPath, Secret } from "kubernetes-types/core/v1.d.ts";
import type { FileProjection } from "./atomic-writer.ts";
import { DEFAULT_MODE } from "./configmap.ts";

export function secretPayload(
  items: readonly KeyToPath[] | undefined,
  secret: Secret | undefined,
  defaultMode: number | undefined,
  optional: boolean,
): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  if (!secret) return payload;
  const mode = defaultMode ?? DEFAULT_MODE;
  const data = secret.data ?? {};
  if (!items || items.length === 0) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: Buffer.from(v, "base64"), mode });
    return payload;
  }
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new Error(`references non-existent secret key: ${it.key}`);
    }
    payload.set(it.path, { data: Buffer.from(v, "base64"), mode: it.mode ?? mode });
  }
  return payload;
}
