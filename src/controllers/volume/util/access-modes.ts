// Access modes as short strings (v1helper.GetAccessModesAsString and
// GetAccessModesFromString): the PV controller indexes volumes by them.
/** core/v1 PersistentVolumeAccessMode (kubernetes-types spells it string). */
export type PersistentVolumeAccessMode =
  | "ReadWriteOnce"
  | "ReadOnlyMany"
  | "ReadWriteMany"
  | "ReadWriteOncePod";

const SHORT: ReadonlyArray<[PersistentVolumeAccessMode, string]> = [
  ["ReadWriteOnce", "RWO"],
  ["ReadOnlyMany", "ROX"],
  ["ReadWriteMany", "RWX"],
  ["ReadWriteOncePod", "RWOP"],
];

/** "RWO,ROX,…" in this fixed order, duplicates and unknown modes dropped. */
export function getAccessModesAsString(modes: readonly string[] | undefined): string {
  const have = new Set(modes ?? []);
  return SHORT.filter(([m]) => have.has(m))
    .map(([, s]) => s)
    .join(",");
}

export function getAccessModesFromString(modes: string): PersistentVolumeAccessMode[] {
  const parts = new Set(modes.split(",").map((s) => s.trim()));
  return SHORT.filter(([, s]) => parts.has(s)).map(([m]) => m);
}

/** util.ContainsAllAccessModes: every requested mode is indexed. */
export function containsAllAccessModes(indexed: readonly string[], requested: readonly string[]): boolean {
  return requested.every((m) => indexed.includes(m));
}
