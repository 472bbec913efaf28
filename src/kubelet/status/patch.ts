// The status patch the kubelet sends (pkg/util/pod PatchPodStatus): a two-way
// strategic merge patch from the API's status to the new one, with the pod's
// UID in metadata so that a pod recreated under the same name is not written
// (the apiserver rejects a changed UID). PodStatus's merge lists are conditions
// (by type), podIPs and hostIPs (by ip) and resourceClaimStatuses (by name);
// every other list is atomic and replaced whole.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonMap = { [k: string]: Json };

const mergeKeys: Record<string, string> = {
  conditions: "type",
  podIPs: "ip",
  hostIPs: "ip",
  resourceClaimStatuses: "name",
};

function isMap(v: unknown): v is JsonMap {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values where a null field and an absent one are the same (Go's zero value). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    for (const k of Object.keys(a)) if (!jsonEqual(a[k], b[k])) return false;
    for (const k of Object.keys(b)) if (!(k in a) && !jsonEqual(undefined, b[k])) return false;
    return true;
  }
  return false;
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** The two-way diff of two maps: changed keys set, removed keys null; lists atomic unless topLevel names a merge key. */
function diffMaps(oldMap: JsonMap, newMap: JsonMap, topLevel: boolean): JsonMap {
  const patch: JsonMap = {};
  for (const [k, nv] of Object.entries(newMap)) {
    if (nv === undefined) continue;
    const ov = oldMap[k];
    const mergeKey = topLevel ? mergeKeys[k] : undefined;
    if (mergeKey && Array.isArray(nv) && (Array.isArray(ov) || !present(ov))) {
      diffMergeList(patch, k, Array.isArray(ov) ? ov : [], nv, mergeKey);
      continue;
    }
    if (isMap(nv) && isMap(ov)) {
      const d = diffMaps(ov, nv, false);
      if (Object.keys(d).length > 0) patch[k] = d;
      continue;
    }
    if (!jsonEqual(ov, nv)) patch[k] = nv;
  }
  for (const [k, ov] of Object.entries(oldMap)) {
    if (present(ov) && !present(newMap[k])) patch[k] = null;
  }
  return patch;
}

function diffMergeList(
  patch: JsonMap,
  key: string,
  oldList: Json[],
  newList: Json[],
  mergeKey: string,
): void {
  const keyOf = (x: Json) => (isMap(x) ? x[mergeKey] : undefined);
  const out: Json[] = [];
  for (const n of newList) {
    if (!isMap(n)) continue;
    const o = oldList.find((x) => keyOf(x) === n[mergeKey]);
    if (!isMap(o)) {
      out.push(n);
      continue;
    }
    const d = diffMaps(o, n, false);
    if (Object.keys(d).length > 0) out.push({ [mergeKey]: n[mergeKey], ...d });
  }
  for (const o of oldList) {
    if (!isMap(o)) continue;
    if (!newList.some((n) => keyOf(n) === o[mergeKey]))
      out.push({ [mergeKey]: o[mergeKey], $patch: "delete" });
  }
  const oldOrder = oldList.map(keyOf).filter((k) => newList.some((n) => keyOf(n) === k));
  const newOrder = newList.map(keyOf);
  const reordered = !jsonEqual(
    oldOrder,
    newOrder.filter((k) => oldOrder.includes(k)),
  );
  if (out.length > 0 || reordered) {
    patch[`$setElementOrder/${key}`] = newList.filter(isMap).map((n) => ({ [mergeKey]: n[mergeKey] }));
  }
  if (out.length > 0) patch[key] = out;
}

/** preparePatchBytesForPodStatus: the patch, and whether the status is unchanged (only the UID would be sent). */
export function preparePodStatusPatch(
  uid: string,
  oldStatus: object | undefined,
  newStatus: object,
): { patch: JsonMap; unchanged: boolean } {
  const statusPatch = diffMaps((oldStatus ?? {}) as JsonMap, newStatus as JsonMap, true);
  const patch: JsonMap = { metadata: { uid } };
  const unchanged = Object.keys(statusPatch).length === 0;
  if (!unchanged) patch.status = statusPatch;
  return { patch, unchanged };
}
