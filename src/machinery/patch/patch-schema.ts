// What strategic merge patch needs to know about a type: for each field its
// patch strategy and merge key, and the schema to use one level down.
// apimachinery reads these from Go struct tags (PatchMetaFromStruct) or from
// OpenAPI (PatchMetaFromOpenAPI); here they come from OpenAPI through
// src/api/openapi.ts (patchSchemaFor), which implements this interface.

/** Patch metadata of one field. */
export interface PatchField {
  /** x-kubernetes-patch-strategy split on ",": "merge", "replace", "retainKeys". */
  readonly strategies: readonly string[];
  /** x-kubernetes-patch-merge-key, "" when the field has none. */
  readonly mergeKey: string;
  /**
   * The schema one level down: the field's own object type for an object or
   * map field, the element type for a list field. Undefined for scalars and
   * opaque values.
   */
  readonly schema: PatchSchema | undefined;
}

export interface PatchSchema {
  /**
   * The field `name` of this object, or the value of any key when this
   * schema is a map (additionalProperties). Undefined when unknown: it is
   * then patched without metadata (maps merge, lists replace).
   */
  field(name: string): PatchField | undefined;
}
