// The configMap plugin (pkg/volume/configmap): one file per key, or the
// items asked for, written by the AtomicWriter.
import type { ConfigMap, KeyToPath } from "kubernetes-types/core/v1.d.ts";
import type { FileProjection } from "./atomic-writer.ts";

export const DEFAULT_MODE = 0o644;

/** MakePayload for configMaps; cm undefined when it is missing and optional. */
export function configMapPayload(
  items: readonly KeyToPath[] | undefined,
  cm: ConfigMap | undefined,
  defaultMode: number | undefined,
  optional: boolean,
): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  if (!cm) return payload;
  const mode = defaultMode ?? DEFAULT_MODE;
  const value = (k: string): Buffer | undefined => {
    if (cm.data?.[k] !== undefined) return Buffer.from(cm.data[k]);
    if (cm.binaryData?.[k] !== undefined) return Buffer.from(cm.binaryData[k], "base64");
    return undefined;
  };
  if (!items || items.length === 0) {
    for (const k of Object.keys(cm.data ?? {})) payload.set(k, { data: value(k)!, mode });
    for (const k of Object.keys(cm.binaryData ?? {})) payload.set(k, { data: value(k)!, mode });
    return payload;
  }
  for (const it of items) {
    const data = value(it.key);
    if (data === undefined) {
      if (optional) continue;
      throw new Error(`configmap references non-existent config key: ${it.key}`);
    }
    payload.set(it.path, { data, mode: it.mode ?? mode });
  }
  return payload;
}
