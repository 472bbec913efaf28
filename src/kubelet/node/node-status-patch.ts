// How the kubelet writes node status (component-helpers' nodeutil.PatchNodeStatus):
// a strategic merge patch of nodes/<name>/status computed as
// strategicpatch.CreateTwoWayMergePatch(oldNode, newNode) with the spec held
// back and the addresses replaced whole; plus nodeStatusHasChanged, which
// decides whether there is anything to write (heartbeat times aside).
import type { Node, NodeCondition, NodeStatus } from "kubernetes-types/core/v1.d.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import type { PatchField, PatchSchema } from "../../machinery/patch/patch-schema.ts";
import type { JSONObject, JSONValue } from "../../machinery/patch/strategic-merge.ts";
import { Quantity } from "../../machinery/quantity.ts";

/** A PatchSchema from a literal: field → [strategy, mergeKey, schema one level down]. */
function schemaOf(fields: Record<string, [string[], string, PatchSchema?]>): PatchSchema {
  return {
    field(name: string): PatchField | undefined {
      const f = fields[name];
      return f ? { strategies: f[0], mergeKey: f[1], schema: f[2] } : undefined;
    },
  };
}

/** The patch metadata of v1.Node that the kubelet's patches can touch (from the v1.32 OpenAPI). */
export const nodePatchSchema: PatchSchema = schemaOf({
  metadata: [[], "", schemaOf({ ownerReferences: [["merge"], "uid"], finalizers: [["merge"], ""] })],
  spec: [[], "", schemaOf({ podCIDRs: [["merge"], ""] })],
  status: [
    [],
    "",
    schemaOf({
      addresses: [["merge"], "type"],
      conditions: [["merge"], "type"],
    }),
  ],
});

const noMeta: PatchField = { strategies: [], mergeKey: "", schema: undefined };

function isMap(v: unknown): v is JSONObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Go's JSON for a typed object: no undefined fields, as json.Marshal with omitempty leaves them. */
function toJSON(v: unknown): JSONObject {
  return JSON.parse(JSON.stringify(v ?? {})) as JSONObject;
}

function typeKey(v: JSONValue): string {
  if (v === null) return "nil";
  if (Array.isArray(v)) return "slice";
  return typeof v === "object" ? "map" : typeof v;
}

function deepEqual(a: JSONValue, b: JSONValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isMap(a) || !isMap(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

/** strategicpatch diffMaps with SetElementOrder on (CreateTwoWayMergePatch's options). */
function diffMaps(original: JSONObject, modified: JSONObject, schema: PatchSchema | undefined): JSONObject {
  const patch: JSONObject = {};
  for (const [key, modifiedValue] of Object.entries(modified)) {
    if (!Object.hasOwn(original, key)) {
      patch[key] = modifiedValue;
      continue;
    }
    const originalValue = original[key];
    if (typeKey(originalValue) !== typeKey(modifiedValue)) {
      patch[key] = modifiedValue;
      continue;
    }
    const meta = schema?.field(key) ?? noMeta;
    if (isMap(originalValue) && isMap(modifiedValue)) {
      if (meta.strategies.includes("replace")) {
        if (!deepEqual(originalValue, modifiedValue)) patch[key] = modifiedValue;
      } else {
        const sub = diffMaps(originalValue, modifiedValue, meta.schema);
        if (Object.keys(sub).length > 0) patch[key] = sub;
      }
    } else if (Array.isArray(originalValue) && Array.isArray(modifiedValue)) {
      diffSlice(key, originalValue, modifiedValue, patch, meta);
    } else if (!deepEqual(originalValue, modifiedValue)) {
      patch[key] = modifiedValue;
    }
  }
  // Deleted fields become nulls.
  for (const key of Object.keys(original)) {
    if (!Object.hasOwn(modified, key)) patch[key] = null;
  }
  return patch;
}

function mergeKeyString(v: JSONValue | undefined): string {
  return typeof v === "string" ? v : JSON.stringify(v ?? null);
}

/** handleSliceDiff: lists of maps with a merge key merge by it; every other list is replaced whole. */
function diffSlice(
  key: string,
  original: JSONValue[],
  modified: JSONValue[],
  patch: JSONObject,
  meta: PatchField,
) {
  const mergeKey = meta.mergeKey;
  const mergeable =
    meta.strategies.includes("merge") &&
    mergeKey !== "" &&
    [...original, ...modified].every((e) => isMap(e) && Object.hasOwn(e, mergeKey));
  if (!mergeable) {
    // Primitive merge lists (finalizers, podCIDRs) never change here; a whole
    // list is what any other list needs.
    if (!deepEqual(original, modified)) patch[key] = modified;
    return;
  }
  const orig = original as JSONObject[];
  const mod = modified as JSONObject[];
  const byKey = (l: JSONObject[]) =>
    [...l].sort((a, b) => cmp(mergeKeyString(a[mergeKey]), mergeKeyString(b[mergeKey])));
  const os = byKey(orig);
  const ms = byKey(mod);
  const changes: JSONObject[] = [];
  const deletions: JSONObject[] = [];
  let i = 0;
  let j = 0;
  while (i < os.length || j < ms.length) {
    const ok = i < os.length ? mergeKeyString(os[i][mergeKey]) : undefined;
    const mk = j < ms.length ? mergeKeyString(ms[j][mergeKey]) : undefined;
    if (ok !== undefined && mk !== undefined && ok === mk) {
      const sub = diffMaps(os[i], ms[j], meta.schema);
      if (Object.keys(sub).length > 0) changes.push({ ...sub, [mergeKey]: ms[j][mergeKey] });
      i++;
      j++;
    } else if (ok === undefined || (mk !== undefined && mk < ok)) {
      changes.push(ms[j]);
      j++;
    } else {
      deletions.push({ $patch: "delete", [mergeKey]: os[i][mergeKey] });
      i++;
    }
  }
  // normalizeSliceOrder: the changes in the modified list's order, deletions last.
  const order = new Map(mod.map((e, n) => [mergeKeyString(e[mergeKey]), n]));
  changes.sort(
    (a, b) => (order.get(mergeKeyString(a[mergeKey])) ?? 0) - (order.get(mergeKeyString(b[mergeKey])) ?? 0),
  );
  const list = [...changes, ...deletions];
  if (list.length > 0) patch[key] = list;
  const orderSame =
    orig.length === mod.length &&
    orig.every((e, n) => mergeKeyString(e[mergeKey]) === mergeKeyString(mod[n][mergeKey]));
  if (list.length > 0 || !orderSame) {
    patch[`$setElementOrder/${key}`] = mod.map((e) => ({ [mergeKey]: e[mergeKey] }));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strategicpatch.CreateTwoWayMergePatch for two JSON documents under a schema. */
export function createTwoWayMergePatch(
  original: unknown,
  modified: unknown,
  schema: PatchSchema,
): JSONObject {
  return diffMaps(toJSON(original), toJSON(modified), schema);
}

/**
 * preparePatchBytesforNodeStatus: the patch that takes oldNode's status (and
 * metadata) to newNode's. Spec is never patched. Addresses merge by type,
 * which is not unique enough, so a changed list is sent whole with
 * `$patch: replace` (fixupPatchForNodeStatusAddresses).
 */
export function nodeStatusPatch(oldNode: Node, newNode: Node): JSONObject {
  const oldAddresses = oldNode.status?.addresses ?? [];
  const newAddresses = newNode.status?.addresses ?? [];
  const manuallyPatchAddresses =
    oldAddresses.length > 0 && !deepEqual(toJSON({ a: oldAddresses }), toJSON({ a: newAddresses }));
  const diffNode = deepCopyJson(newNode);
  if (oldNode.spec === undefined) delete diffNode.spec;
  else diffNode.spec = deepCopyJson(oldNode.spec);
  if (manuallyPatchAddresses) {
    const s = diffNode as { status?: NodeStatus };
    s.status = { ...s.status, addresses: deepCopyJson(oldNode.status?.addresses) };
  }
  const patch = createTwoWayMergePatch(oldNode, diffNode, nodePatchSchema);
  if (manuallyPatchAddresses) {
    const s = isMap(patch.status) ? patch.status : {};
    s.addresses = [...(toJSON({ a: newAddresses }).a as JSONValue[]), { $patch: "replace" }];
    patch.status = s;
  }
  return patch;
}

/** Drops empty lists and maps, which Go's semantic equality treats as absent. */
function normalize(v: unknown): JSONValue | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    return v.map((x) => normalize(x) ?? null);
  }
  if (typeof v === "object") {
    const out: JSONObject = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v as JSONValue;
}

function resourceListsEqual(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => {
    const y = b?.[k];
    if (y === undefined) return false;
    try {
      return Quantity.fromJSON(a?.[k]).equals(Quantity.fromJSON(y));
    } catch {
      return a?.[k] === y;
    }
  });
}

/** apiequality.Semantic.DeepEqual of two statuses (quantities by value, empty as absent). */
function statusesEqual(a: NodeStatus, b: NodeStatus): boolean {
  if (!resourceListsEqual(a.capacity, b.capacity) || !resourceListsEqual(a.allocatable, b.allocatable))
    return false;
  const rest = (s: NodeStatus) => normalize({ ...s, capacity: undefined, allocatable: undefined }) ?? null;
  return deepEqual(rest(a), rest(b));
}

/** nodeConditionsHaveChanged: conditions compared by type with heartbeat times ignored. */
export function nodeConditionsHaveChanged(
  original: NodeCondition[] = [],
  conditions: NodeCondition[] = [],
): boolean {
  if (original.length !== conditions.length) return true;
  const sorted = (l: NodeCondition[]) =>
    [...l]
      .sort((x, y) => cmp(x.type, y.type))
      .map((c) => normalize({ ...c, lastHeartbeatTime: undefined }) ?? null);
  const a = sorted(original);
  const b = sorted(conditions);
  return a.some((c, i) => !deepEqual(c, b[i]));
}

/** nodeStatusHasChanged: anything but heartbeat times differs. */
export function nodeStatusHasChanged(
  original: NodeStatus | undefined,
  status: NodeStatus | undefined,
): boolean {
  if (original === undefined && status === undefined) return false;
  if (original === undefined || status === undefined) return true;
  if (nodeConditionsHaveChanged(original.conditions, status.conditions)) return true;
  return !statusesEqual({ ...original, conditions: undefined }, { ...status, conditions: undefined });
}
