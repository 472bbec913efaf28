// upstream's persistentVolumeOrderedIndex (index.go): the best volume for a
// claim is searched group by group of volumes with the same access modes,
// fewest modes first, so a claim for RWO gets an RWO volume before an
// RWO+ROX+RWX one even when the latter is smaller.
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import {
  containsAllAccessModes,
  getAccessModesAsString,
  getAccessModesFromString,
} from "../util/access-modes.ts";
import { findMatchingVolume } from "../util/pv-helpers.ts";

/** allPossibleMatchingAccessModes: the mode sets present that include every requested mode, smallest first. */
export function allPossibleMatchingAccessModes(
  indexed: Iterable<string>,
  requested: readonly string[],
): string[][] {
  const matched: string[][] = [];
  for (const key of indexed) {
    const modes = getAccessModesFromString(key);
    if (containsAllAccessModes(modes, requested)) matched.push(modes);
  }
  return matched.sort((a, b) => a.length - b.length);
}

/**
 * findBestMatchForClaim: a volume pre-bound to the claim, else the smallest
 * Available one that fits (none with delayBinding: the scheduler chooses).
 */
export function findBestMatchForClaim(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  delayBinding: boolean,
): PersistentVolume | undefined {
  const byModes = new Map<string, PersistentVolume[]>();
  for (const pv of volumes) {
    const key = getAccessModesAsString(pv.spec?.accessModes);
    const group = byModes.get(key);
    if (group) group.push(pv);
    else byModes.set(key, [pv]);
  }
  for (const modes of allPossibleMatchingAccessModes(byModes.keys(), claim.spec?.accessModes ?? [])) {
    const group = byModes.get(getAccessModesAsString(modes)) ?? [];
    const best = findMatchingVolume(claim, group, delayBinding);
    if (best) return best;
  }
  return undefined;
}
