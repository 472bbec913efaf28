// The server-side apply schema of the built-in kinds, built from the OpenAPI
// document the way kube-openapi's schemaconv (ToSchemaFromOpenAPI) builds
// structured-merge-diff's schema for kube-apiserver:
//
// - objects are maps: declared properties are fields, additionalProperties
//   gives the type of other keys; an object with neither takes any key;
//   `x-kubernetes-map-type: atomic` makes it owned as a whole ("granular"
//   is the default);
// - arrays follow `x-kubernetes-list-type` (atomic, set, or map keyed by
//   `x-kubernetes-list-map-keys`); without it, `x-kubernetes-patch-strategy:
//   merge` makes an associative list keyed by the patch merge key (a set
//   when it has none); every other list is atomic;
// - strings of format int-or-string or date-time, Quantity and RawExtension
//   are untyped scalars (one leaf, any scalar); a schema without a type may
//   be a scalar, a list or a map.
//
// The in-memory definitions kube-apiserver uses carry `default` values that
// the published v2 document drops; the only ones server-side apply reads are
// defaults of list-map keys, listed in keyDefaults below.
//
// emptyObjectFor gives the object creater.New(kind) makes, as its Go type
// serialises it (non-omitempty fields and value structs present), which is
// the "before" side of a create when managedFields are computed.

import { FieldSet } from "../machinery/apply/field-set.ts";
import { fieldPath } from "../machinery/apply/path-element.ts";
import {
  type ApplySchema,
  type Atom,
  deducedSchema,
  type ElementRelationship,
  type ListType,
  type MapType,
  type StructField,
  type TypedSchema,
  type TypeRef,
} from "../machinery/apply/schema.ts";
import type { JsonObject, JsonValue } from "../machinery/apply/value.ts";
import { definition, definitionNameFor, type GroupVersionKind, refName, type Schema } from "./openapi.ts";

const quantityResource = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const rawExtensionResource = "io.k8s.apimachinery.pkg.runtime.RawExtension";

// `+default` markers on list-map key fields (core/v1 types.go).
const keyDefaults: Record<string, Record<string, JsonValue>> = {
  "io.k8s.api.core.v1.ContainerPort": { protocol: "TCP" },
  "io.k8s.api.core.v1.ServicePort": { protocol: "TCP" },
};

const untypedRef: TypeRef = { named: "__untyped_atomic_" };
const deducedRef: TypeRef = { named: "__untyped_deduced_" };

function mapRelationship(s: Schema): ElementRelationship {
  switch (s["x-kubernetes-map-type"]) {
    case "atomic":
      return "atomic";
    case "granular":
      return "separable";
    default:
      return "";
  }
}

function listRelationship(s: Schema): { rel: ElementRelationship; keys: string[] } {
  const listType = s["x-kubernetes-list-type"];
  if (listType !== undefined) {
    switch (listType) {
      case "set":
        return { rel: "associative", keys: [] };
      case "map":
        return { rel: "associative", keys: [...(s["x-kubernetes-list-map-keys"] ?? [])] };
      default:
        return { rel: "atomic", keys: [] };
    }
  }
  const strategy = s["x-kubernetes-patch-strategy"];
  if (strategy === "merge" || strategy === "merge,retainKeys") {
    const key = s["x-kubernetes-patch-merge-key"];
    return { rel: "associative", keys: key ? [key] : [] };
  }
  return { rel: "atomic", keys: [] };
}

function convertPrimitive(type: string, format: string | undefined): Atom {
  switch (type) {
    case "integer":
    case "number":
      return { scalar: "numeric" };
    case "boolean":
      return { scalar: "boolean" };
    case "string":
      return format === undefined || format === "" || format === "byte"
        ? { scalar: "string" }
        : { scalar: "untyped" };
    default:
      return { scalar: "untyped" };
  }
}

class OpenAPIApplySchema implements ApplySchema {
  private readonly types = new Map<string, Atom | undefined>();

  constructor(private readonly lookup: (name: string) => Schema | undefined) {}

  namedType(name: string): Atom | undefined {
    if (this.types.has(name)) return this.types.get(name);
    let atom: Atom | undefined;
    if (name === quantityResource || name === rawExtensionResource) atom = { scalar: "untyped" };
    else {
      const def = this.lookup(name);
      // A top-level reference is not a type of its own.
      if (def && def.$ref === undefined) atom = this.parseSchema(def, name, false);
    }
    this.types.set(name, atom);
    return atom;
  }

  private parseSchema(s: Schema, name: string | undefined, preserveUnknown: boolean): Atom {
    const preserve = preserveUnknown || s["x-kubernetes-preserve-unknown-fields"] === true;
    switch (s.type ?? "") {
      case "":
        return {
          scalar: "untyped",
          list: this.parseList(s, preserve),
          map: this.parseObject(s, name, preserve),
        };
      case "object":
        return { map: this.parseObject(s, name, preserve) };
      case "array":
        return { list: this.parseList(s, preserve) };
      case "integer":
      case "number":
      case "boolean":
      case "string":
        return convertPrimitive(s.type!, s.format);
      default:
        return { scalar: "untyped" };
    }
  }

  private makeRef(s: Schema, preserveUnknown: boolean): TypeRef {
    const allOf = s.allOf as Schema[] | undefined;
    const ref = s.$ref ?? (allOf?.length === 1 ? allOf[0].$ref : undefined);
    const named = ref !== undefined ? refName(ref) : undefined;
    if (named !== undefined) {
      const rel = mapRelationship(s);
      return rel === "" ? { named } : { named, elementRelationship: rel };
    }
    return { inlined: this.parseSchema(s, undefined, preserveUnknown) };
  }

  private parseObject(s: Schema, name: string | undefined, preserveUnknown: boolean): MapType {
    const fields = new Map<string, StructField>();
    const defaults = name ? keyDefaults[name] : undefined;
    for (const [field, member] of Object.entries(s.properties ?? {})) {
      const def = (member.default as JsonValue | undefined) ?? defaults?.[field];
      fields.set(
        field,
        def === undefined
          ? { type: this.makeRef(member, preserveUnknown) }
          : {
              type: this.makeRef(member, preserveUnknown),
              default: def,
            },
      );
    }
    let elementType: TypeRef | undefined;
    const ap = s.additionalProperties;
    if (ap === undefined) {
      // An object without properties is free-form.
      if (preserveUnknown || fields.size === 0) elementType = deducedRef;
    } else if (typeof ap === "object") {
      elementType = this.makeRef(ap, preserveUnknown);
    } else if (ap === true) {
      elementType = deducedRef;
    }
    return { fields, elementType, elementRelationship: mapRelationship(s) };
  }

  private parseList(s: Schema, preserveUnknown: boolean): ListType {
    const { rel, keys } = listRelationship(s);
    const elementType = s.items ? this.makeRef(s.items, preserveUnknown) : untypedRef;
    return { elementType, elementRelationship: rel, keys };
  }
}

/** An apply schema over any set of OpenAPI v2 definitions (named as in "#/definitions/<name>"). */
export function applySchemaFromDefinitions(lookup: (name: string) => Schema | undefined): ApplySchema {
  return new OpenAPIApplySchema(lookup);
}

let shared: OpenAPIApplySchema | undefined;
const byGVK = new Map<string, TypedSchema | undefined>();

/**
 * The server-side apply schema of a kind (cached per group/version/kind);
 * undefined for kinds the OpenAPI document does not define.
 */
export function applySchemaFor(gvk: GroupVersionKind): TypedSchema | undefined {
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  if (byGVK.has(key)) return byGVK.get(key);
  const name = definitionNameFor(gvk);
  let typed: TypedSchema | undefined;
  if (name !== undefined) {
    shared ??= new OpenAPIApplySchema(definition);
    typed = { schema: shared, root: { named: name } };
  }
  byGVK.set(key, typed);
  return typed;
}

/** The schema for a kind, or the deduced schema (maps granular, lists atomic) for unknown kinds such as CRDs. */
export function applySchemaOrDeduced(gvk: GroupVersionKind): TypedSchema {
  return applySchemaFor(gvk) ?? deducedSchema;
}

// ---------------------------------------------------------------------------
// Empty objects, as creater.New(kind) serialises them.

const meta0 = (): JsonObject => ({ creationTimestamp: null });
const podTemplate0 = (): JsonObject => ({ metadata: meta0(), spec: { containers: null } });

const emptyObjects: Record<string, () => JsonObject> = {
  "/Pod": () => ({ metadata: meta0(), spec: { containers: null }, status: {} }),
  "/Service": () => ({ metadata: meta0(), spec: {}, status: { loadBalancer: {} } }),
  "/ReplicationController": () => ({ metadata: meta0(), spec: {}, status: { replicas: 0 } }),
  "/PersistentVolumeClaim": () => ({ metadata: meta0(), spec: { resources: {} }, status: {} }),
  "/PodTemplate": () => ({ metadata: meta0(), template: podTemplate0() }),
  "/Event": () => ({
    metadata: meta0(),
    involvedObject: {},
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    eventTime: null,
    reportingComponent: "",
    reportingInstance: "",
  }),
  "apps/Deployment": () => ({
    metadata: meta0(),
    spec: { selector: null, template: podTemplate0(), strategy: {} },
    status: {},
  }),
  "apps/ReplicaSet": () => ({
    metadata: meta0(),
    spec: { selector: null, template: podTemplate0() },
    status: { replicas: 0 },
  }),
  "apps/StatefulSet": () => ({
    metadata: meta0(),
    spec: { selector: null, template: podTemplate0(), serviceName: "", updateStrategy: {} },
    status: { replicas: 0, availableReplicas: 0 },
  }),
  "apps/DaemonSet": () => ({
    metadata: meta0(),
    spec: { selector: null, template: podTemplate0(), updateStrategy: {} },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  }),
  "apps/ControllerRevision": () => ({ metadata: meta0(), data: null, revision: 0 }),
  "batch/Job": () => ({ metadata: meta0(), spec: { template: podTemplate0() }, status: {} }),
  "batch/CronJob": () => ({
    metadata: meta0(),
    spec: { schedule: "", jobTemplate: { metadata: meta0(), spec: { template: podTemplate0() } } },
    status: {},
  }),
  "policy/PodDisruptionBudget": () => ({
    metadata: meta0(),
    spec: {},
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  }),
  "networking.k8s.io/Ingress": () => ({ metadata: meta0(), spec: {}, status: { loadBalancer: {} } }),
  "discovery.k8s.io/EndpointSlice": () => ({ metadata: meta0(), addressType: "", endpoints: null }),
  "rbac.authorization.k8s.io/Role": () => ({ metadata: meta0(), rules: null }),
  "rbac.authorization.k8s.io/ClusterRole": () => ({ metadata: meta0(), rules: null }),
  "rbac.authorization.k8s.io/RoleBinding": () => ({
    metadata: meta0(),
    roleRef: { apiGroup: "", kind: "", name: "" },
  }),
  "rbac.authorization.k8s.io/ClusterRoleBinding": () => ({
    metadata: meta0(),
    roleRef: { apiGroup: "", kind: "", name: "" },
  }),
  "storage.k8s.io/StorageClass": () => ({ metadata: meta0(), provisioner: "" }),
  "scheduling.k8s.io/PriorityClass": () => ({ metadata: meta0(), value: 0 }),
  "flowcontrol.apiserver.k8s.io/FlowSchema": () => ({
    metadata: meta0(),
    spec: { priorityLevelConfiguration: { name: "" }, matchingPrecedence: 0 },
    status: {},
  }),
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration": () => ({
    metadata: meta0(),
    spec: { type: "" },
    status: {},
  }),
};

/**
 * The empty object of a kind as the apiserver's Go type serialises it. Kinds
 * not listed get metadata, and empty spec and status when they have them
 * (value structs in every built-in kind).
 */
export function emptyObjectFor(gvk: GroupVersionKind): JsonObject {
  const make = emptyObjects[`${gvk.group}/${gvk.kind}`];
  if (make) return make();
  const out: JsonObject = { metadata: meta0() };
  const name = definitionNameFor(gvk);
  const props = name ? definition(name)?.properties : undefined;
  if (props?.spec) out.spec = {};
  if (props?.status) out.status = {};
  return out;
}

// ---------------------------------------------------------------------------
// Reset fields (rest.ResetFieldsStrategy.GetResetFields of each registry
// strategy): what a write through the main resource or the status
// subresource cannot change, so it never owns.

const statusResetFields: Record<string, string[][]> = {
  "apps/Deployment": [["spec"], ["metadata", "labels"]],
  "/Pod": [["spec"], ["metadata", "deletionTimestamp"], ["metadata", "ownerReferences"]],
  "flowcontrol.apiserver.k8s.io/FlowSchema": [["spec"], ["metadata"]],
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration": [["spec"], ["metadata"]],
};

/**
 * The fields a write resets: status for the main resource of a kind with a
 * status, spec (and a few metadata fields for some kinds) for its status
 * subresource; none otherwise.
 */
export function resetFieldsFor(gvk: GroupVersionKind, subresource?: string): FieldSet | undefined {
  // Field sets are immutable, so one per kind and subresource serves every request.
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}/${subresource ?? ""}`;
  if (resetFieldsCache.has(key)) return resetFieldsCache.get(key);
  const set = buildResetFields(gvk, subresource);
  resetFieldsCache.set(key, set);
  return set;
}

const resetFieldsCache = new Map<string, FieldSet | undefined>();

function buildResetFields(gvk: GroupVersionKind, subresource: string | undefined): FieldSet | undefined {
  const name = definitionNameFor(gvk);
  const props = name ? definition(name)?.properties : undefined;
  if (!props?.status) return undefined;
  if (!subresource) return FieldSet.of(fieldPath("status"));
  if (subresource === "ephemeralcontainers" && gvk.group === "" && gvk.kind === "Pod") {
    // Nothing but spec.ephemeralContainers is written there (upstream's resetFieldsFilter).
    const spec = Object.keys(definition("io.k8s.api.core.v1.PodSpec")?.properties ?? {});
    return FieldSet.of(
      fieldPath("status"),
      ...["deletionTimestamp", "labels", "annotations", "finalizers", "ownerReferences"].map((k) =>
        fieldPath("metadata", k),
      ),
      ...spec.filter((k) => k !== "ephemeralContainers").map((k) => fieldPath("spec", k)),
    );
  }
  if (subresource !== "status") return undefined;
  const paths = statusResetFields[`${gvk.group}/${gvk.kind}`] ?? [["spec"]];
  return FieldSet.of(...paths.map((p) => fieldPath(...p)));
}
