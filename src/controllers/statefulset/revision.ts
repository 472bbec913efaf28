// A StatefulSet's revisions (stateful_set_utils.go getPatch, newRevision,
// ApplyRevision): a ControllerRevision's data is a strategic merge patch
// {"spec":{"template":{…,"$patch":"replace"}}} that puts the saved pod
// template back. The controller applies it to build the set at a revision;
// `kubectl rollout undo statefulset` sends the same data as a strategic
// merge PATCH of the set.
import type { ControllerRevision, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import { patchSchemaFor } from "../../api/openapi.ts";
import type { PatchSchema } from "../../machinery/patch/patch-schema.ts";
import { type JSONObject, strategicMergePatch } from "../../machinery/patch/strategic-merge.ts";
import { newControllerRevision } from "../util/history.ts";
import { STATEFUL_SET_KIND } from "./identity.ts";

/** Go's json.Marshal of a map[string]interface{} writes keys sorted; the stored patch reads the same. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) if (o[k] !== undefined) out[k] = sortKeys(o[k]);
  return out;
}

/** The patch that restores set's pod template (upstream's getPatch). */
export function getPatch(set: StatefulSet): JSONObject {
  const template = { ...(structuredClone(set.spec?.template) ?? {}), $patch: "replace" };
  return sortKeys({ spec: { template } }) as JSONObject;
}

/** A revision of set holding getPatch(set), labelled with the template's labels, annotated with the set's annotations. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(
    set,
    STATEFUL_SET_KIND,
    set.spec?.template?.metadata?.labels,
    getPatch(set),
    revision,
    collisionCount,
  );
  // An empty map is left out, as Go's omitempty leaves it out.
  if (Object.keys(set.metadata?.annotations ?? {}).length > 0) {
    cr.metadata!.annotations = { ...cr.metadata?.annotations, ...set.metadata?.annotations };
  }
  return cr;
}

let statefulSetSchema: PatchSchema | undefined | null = null;

function schema(): PatchSchema | undefined {
  if (statefulSetSchema === null)
    statefulSetSchema = patchSchemaFor({ group: "apps", version: "v1", kind: "StatefulSet" });
  return statefulSetSchema;
}

/** set with revision's patch applied: the set as it was at that revision (upstream's ApplyRevision). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  return strategicMergePatch(
    structuredClone(set) as unknown as JSONObject,
    revision.data ?? {},
    schema(),
  ) as unknown as StatefulSet;
}
