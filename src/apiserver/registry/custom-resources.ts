// Custom resources: the objects a CustomResourceDefinition's served versions
// hold, with upstream's customResourceStrategy (pkg/registry/customresource):
// defaults and validation from the version's structural schema and its
// x-kubernetes-validations rules (CEL, with transition rules on update), the status
// split when the status subresource is on, a generation that counts every
// change outside metadata, and the scale subresource's replica checks.
import { hasRules, validateCustomResourceRules } from "../../api/apiextensions/cel-rules.ts";
import {
  applyDefaults,
  pruneNonNullableNulls,
  validateCustomResource,
} from "../../api/apiextensions/schema.ts";
import type { Obj, ResourceType } from "../../api/registry.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { ErrorType, type FieldError, invalid, newPath } from "../../machinery/field-errors.ts";
import {
  nameIsDNSSubdomain,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "../../machinery/object-meta.ts";
import type { Conversion } from "./events.ts";
import { GenericStrategy, resetTo, stableJson } from "./strategy.ts";

const BLOCKING_CEL = new Set<string>([
  ErrorType.NotSupported,
  ErrorType.Required,
  ErrorType.TooLong,
  ErrorType.TooMany,
  ErrorType.TypeInvalid,
]);

/** Structural defaulting: the nulls a field may not hold go first, as upstream's defaulter drops them. */
function defaultBySchema(obj: Obj, schema: Obj | undefined): void {
  if (!schema) return;
  pruneNonNullableNulls(obj, schema);
  applyDefaults(obj, schema);
}

/**
 * Versions of one CRD share their stored objects; a None conversion only
 * rewrites apiVersion. What is read from the store first gets the storage
 * version's defaults, so a default added to the CRD later shows on objects
 * stored before it (upstream defaults on read from etcd). With a conversion
 * webhook the store keeps objects as they are: the REST handler converts
 * them through the webhook, which is asynchronous.
 */
export function customResourceConversion(type: ResourceType): Conversion {
  const custom = type.custom!;
  const stored = `${type.group}/${custom.storageVersion}`;
  const served = `${type.group}/${type.version}`;
  const webhook = custom.conversionStrategy === "Webhook";
  return {
    toStorage: (obj) => (webhook || obj.apiVersion === stored ? obj : { ...obj, apiVersion: stored }),
    fromStorage: (obj) => {
      if (obj.apiVersion === stored || !webhook) defaultBySchema(obj, custom.storageSchema);
      if (!webhook) obj.apiVersion = served;
      return obj;
    },
  };
}

/** Everything but metadata, as upstream's copyNonMetadata compares it. */
function nonMetadata(obj: Obj): string {
  const { metadata: _m, ...rest } = obj;
  return stableJson(rest);
}

/** The value at a simple field path such as ".spec.replicas" (a scale path, a selectable field). */
export function valueAtPath(obj: Obj, path: string): unknown {
  let cur: unknown = obj;
  for (const f of path.replace(/^\./, "").split(".")) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[f];
  }
  return cur;
}

/** unstructured.SetNestedField: makes the maps on the way. */
export function setAtPath(obj: Obj, path: string, value: unknown): void {
  const fields = path.replace(/^\./, "").split(".");
  let cur = obj;
  for (const f of fields.slice(0, -1)) {
    if (cur[f] === null || typeof cur[f] !== "object" || Array.isArray(cur[f])) cur[f] = {};
    cur = cur[f];
  }
  cur[fields[fields.length - 1]] = value;
}

/** Go's %T of a value decoded from JSON into interface{} (unstructured content). */
function goTypeOf(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

/**
 * unstructured.NestedInt64 / NestedString at a scale path such as ".spec.replicas":
 * the value (undefined when absent) or the accessor error upstream reports.
 */
function nested(obj: Obj, jsonPath: string, want: "int64" | "string"): { value?: unknown; error?: string } {
  const fields = jsonPath.replace(/^\./, "").split(".");
  let cur: unknown = obj;
  for (let i = 0; i < fields.length; i++) {
    if (cur === null || cur === undefined) return {};
    if (typeof cur !== "object" || Array.isArray(cur)) {
      const at = `.${fields.slice(0, i).join(".")}`;
      return {
        error: `${at} accessor error: ${JSON.stringify(cur)} is of the type ${goTypeOf(cur)}, expected map[string]interface{}`,
      };
    }
    cur = (cur as Obj)[fields[i]];
  }
  if (cur === undefined) return {};
  const ok = want === "int64" ? typeof cur === "number" && Number.isInteger(cur) : typeof cur === "string";
  if (!ok) {
    return {
      error: `.${fields.join(".")} accessor error: ${typeof cur === "string" ? cur : JSON.stringify(cur)} is of the type ${goTypeOf(cur)}, expected ${want}`,
    };
  }
  return { value: cur };
}

const MAX_INT32 = 2147483647;

export class CustomResourceStrategy extends GenericStrategy {
  private readonly hasStatus: boolean;

  constructor(type: ResourceType) {
    super(type);
    this.hasStatus = type.subresources.some((s) => s.name === "status");
  }

  // Upstream's customResourceStrategy: an update must name the version it replaces; PUT never creates.
  override readonly allowUnconditionalUpdate = false;
  override readonly allowCreateOnUpdate = false;

  override defaults(obj: Obj): void {
    defaultBySchema(obj, this.type.custom?.schema);
  }

  override prepareForCreate(obj: Obj): void {
    if (this.hasStatus) delete obj.status;
    obj.metadata.generation = 1;
  }

  override prepareForUpdate(obj: Obj, old: Obj): void {
    if (this.hasStatus) {
      if (old.status !== undefined) obj.status = old.status;
      else delete obj.status;
    }
    const generation = old.metadata?.generation ?? 1;
    obj.metadata.generation = nonMetadata(obj) === nonMetadata(old) ? generation : generation + 1;
  }

  /** Only status changes; metadata stays as stored but for managedFields, which track the write. */
  override prepareForStatusUpdate(obj: Obj, old: Obj): void {
    const status = obj.status;
    const managedFields = obj.metadata?.managedFields;
    resetTo(obj, old);
    if (managedFields === undefined) delete obj.metadata.managedFields;
    else obj.metadata.managedFields = deepCopyJson(managedFields);
    if (status === undefined) delete obj.status;
    else obj.status = status;
  }

  override validate(obj: Obj): FieldError[] {
    const typeErrs = this.validateTypeMeta(obj);
    if (typeErrs.length > 0) return typeErrs;
    return [
      ...validateObjectMeta(obj.metadata, this.type.namespaced, nameIsDNSSubdomain, newPath("metadata")),
      ...this.validateContent(obj),
    ];
  }

  override validateUpdate(obj: Obj, old: Obj): FieldError[] {
    const typeErrs = this.validateTypeMeta(obj);
    if (typeErrs.length > 0) return typeErrs;
    return [
      ...validateObjectMeta(obj.metadata, this.type.namespaced, nameIsDNSSubdomain, newPath("metadata")),
      ...validateObjectMetaUpdate(obj.metadata, old.metadata, newPath("metadata")),
      ...this.validateContent(obj, old),
    ];
  }

  override validateStatusUpdate(obj: Obj, old: Obj): FieldError[] {
    return this.validateUpdate(obj, old);
  }

  private validateTypeMeta(obj: Obj): FieldError[] {
    const errs: FieldError[] = [];
    const apiVersion = `${this.type.group}/${this.type.version}`;
    if (obj.kind !== this.type.kind)
      errs.push(invalid(newPath("kind"), obj.kind ?? "", `must be ${this.type.kind}`));
    if (obj.apiVersion !== apiVersion)
      errs.push(invalid(newPath("apiVersion"), obj.apiVersion ?? "", `must be ${apiVersion}`));
    return errs;
  }

  private validateContent(obj: Obj, old?: Obj): FieldError[] {
    const custom = this.type.custom!;
    const errs = custom.schema ? validateCustomResource(obj, custom.schema) : [];
    // x-kubernetes-validations run only on an object whose shape is right, as upstream's hasBlockingErr decides.
    if (custom.schema && hasRules(custom.schema)) {
      if (errs.some((e) => BLOCKING_CEL.has(e.type))) {
        errs.push(
          invalid(
            null,
            null,
            "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
          ),
        );
      } else {
        errs.push(...validateCustomResourceRules(obj, old, custom.schema));
      }
    }
    const scale = custom.scale;
    if (!scale) return errs;
    // Paths print as the CRD spells them, leading dot included (field.NewPath(".spec.replicas")).
    for (const path of [scale.specReplicasPath, scale.statusReplicasPath]) {
      const r = nested(obj, path, "int64");
      const value = typeof r.value === "number" ? r.value : 0;
      if (r.error) errs.push(invalid(newPath(path), value, r.error));
      else if (value < 0) errs.push(invalid(newPath(path), value, "should be a non-negative integer"));
      else if (value > MAX_INT32)
        errs.push(invalid(newPath(path), value, `should be less than or equal to ${MAX_INT32}`));
    }
    if (scale.labelSelectorPath) {
      const r = nested(obj, scale.labelSelectorPath, "string");
      if (r.error) errs.push(invalid(newPath(scale.labelSelectorPath), "", r.error));
    }
    return errs;
  }
}
