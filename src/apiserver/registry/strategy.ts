// What differs between resources on the way to the store, as upstream's
// rest.RESTCreateStrategy / RESTUpdateStrategy: create-time preparation, the
// spec/status split, generation, validation. One generic strategy driven by the
// resource catalogue covers most kinds; a few registries refine it.
import { applyDefaults, prepareForCreate, tracksGeneration } from "../../api/defaults/index.ts";
import type { Obj, ResourceType } from "../../api/registry.ts";
import { validateCreate, validateStatusUpdate, validateUpdate } from "../../api/validation/index.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import type { FieldError } from "../../machinery/field-errors.ts";

export interface Strategy {
  readonly type: ResourceType;
  /** Defaults, as the decoder applies them to every object it reads from a request. */
  defaults(obj: Obj): void;
  prepareForCreate(obj: Obj): void;
  /** Makes `obj` (the new state from a request to the main resource) keep what only /status may change. */
  prepareForUpdate(obj: Obj, old: Obj): void;
  /** Makes `obj` (from a request to /status) keep everything but status. */
  prepareForStatusUpdate(obj: Obj, old: Obj): void;
  validate(obj: Obj): FieldError[];
  validateUpdate(obj: Obj, old: Obj): FieldError[];
  validateStatusUpdate(obj: Obj, old: Obj): FieldError[];
  /** PUT of an object that does not exist creates it (upstream's AllowCreateOnUpdate). */
  readonly allowCreateOnUpdate: boolean;
  /** PUT without a resourceVersion overwrites whatever is stored (upstream's AllowUnconditionalUpdate). */
  readonly allowUnconditionalUpdate: boolean;
  /** Something beyond metadata.finalizers still holds a deleted object (a namespace's spec.finalizers). */
  holdsDeletion(obj: Obj): boolean;
  /** Marks an object whose deletion is pending (a namespace becomes Terminating). */
  markDeleting(obj: Obj): void;
  /** The grace period a DELETE gets, given the one requested; undefined or 0 means at once. */
  deletionGracePeriod(obj: Obj, requested: number | undefined): number | undefined;
  /** What a DELETE without a propagation policy does to dependents (upstream's DefaultGarbageCollectionPolicy). */
  readonly defaultGarbageCollectionPolicy: GarbageCollectionPolicy;
}

export type GarbageCollectionPolicy = "DeleteDependents" | "OrphanDependents" | "Unsupported";

/**
 * core/v1 ReplicationControllers and batch/v1 Jobs orphan their dependents
 * unless told otherwise, for backward compatibility; events have no
 * dependents (upstream's strategies).
 */
function defaultGarbageCollectionPolicy(type: ResourceType): GarbageCollectionPolicy {
  const gk = `${type.group}/${type.kind}`;
  if (gk === "/ReplicationController" || gk === "batch/Job") return "OrphanDependents";
  if (gk === "/Event" || gk === "events.k8s.io/Event") return "Unsupported";
  return "DeleteDependents";
}

/** JSON with object keys sorted: a request and the stored object may list the same fields in another order. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, val) =>
    val && typeof val === "object" && !Array.isArray(val)
      ? Object.fromEntries(
          Object.keys(val)
            .sort()
            .map((k) => [k, val[k]]),
        )
      : val,
  );
}

function hasStatus(type: ResourceType): boolean {
  return type.subresources.some((s) => s.name === "status");
}

// The two update policies of upstream's registry strategies, as v1.32's
// pkg/registry/<group>/<resource>/strategy.go returns them; only the resources
// that differ from the default are listed ("group/resource"). Subresource
// strategies (status, finalize, approval, ephemeralcontainers) embed the main
// one and answer the same; events.k8s.io/v1 is served by core's event storage.

/** AllowCreateOnUpdate() true: a PUT of a missing object creates it (the default answers 404). */
const CREATE_ON_UPDATE = new Set([
  "/endpoints",
  "/events",
  "/limitranges",
  "/services",
  "coordination.k8s.io/leases",
  "events.k8s.io/events",
  "node.k8s.io/runtimeclasses",
  "rbac.authorization.k8s.io/clusterrolebindings",
  "rbac.authorization.k8s.io/clusterroles",
  "rbac.authorization.k8s.io/rolebindings",
  "rbac.authorization.k8s.io/roles",
]);

/** AllowUnconditionalUpdate() false: a PUT must name the resourceVersion it replaces (the default fills it in). */
const CONDITIONAL_UPDATE_ONLY = new Set([
  "admissionregistration.k8s.io/mutatingwebhookconfigurations",
  "admissionregistration.k8s.io/validatingadmissionpolicies",
  "admissionregistration.k8s.io/validatingadmissionpolicybindings",
  "admissionregistration.k8s.io/validatingwebhookconfigurations",
  "coordination.k8s.io/leases",
  "node.k8s.io/runtimeclasses",
  "policy/poddisruptionbudgets",
  "storage.k8s.io/csidrivers",
  "storage.k8s.io/csinodes",
  "storage.k8s.io/csistoragecapacities",
  "storage.k8s.io/volumeattachments",
]);

/**
 * Groups whose status updates may also change metadata (upstream's
 * legacy status strategies set only spec back); newer groups use
 * ResetObjectMetaForStatus and keep the stored metadata.
 */
const STATUS_KEEPS_METADATA = new Set(["", "apps", "batch", "autoscaling", "policy", "networking.k8s.io"]);

export class GenericStrategy implements Strategy {
  readonly allowUnconditionalUpdate: boolean;
  readonly allowCreateOnUpdate: boolean;
  readonly defaultGarbageCollectionPolicy: GarbageCollectionPolicy;
  private readonly statusSplit: boolean;
  private readonly generation: boolean;

  constructor(readonly type: ResourceType) {
    const gr = `${type.group}/${type.resource}`;
    this.allowCreateOnUpdate = CREATE_ON_UPDATE.has(gr);
    this.allowUnconditionalUpdate = !CONDITIONAL_UPDATE_ONLY.has(gr);
    this.defaultGarbageCollectionPolicy = defaultGarbageCollectionPolicy(type);
    this.statusSplit = hasStatus(type);
    this.generation = tracksGeneration(type.group, type.kind);
  }

  defaults(obj: Obj): void {
    applyDefaults(this.type.group, this.type.kind, obj);
  }

  prepareForCreate(obj: Obj): void {
    prepareForCreate(this.type.group, this.type.kind, obj);
  }

  prepareForUpdate(obj: Obj, old: Obj): void {
    if (this.statusSplit) {
      if (old.status === undefined) delete obj.status;
      else obj.status = old.status;
    }
    if (this.generation) {
      const oldGen = old.metadata?.generation ?? 1;
      obj.metadata.generation = this.generationChanged(obj, old) ? oldGen + 1 : oldGen;
    } else if (old.metadata?.generation !== undefined) {
      obj.metadata.generation = old.metadata.generation;
    }
  }

  /**
   * Kinds with a spec count its changes; kinds without one (EndpointSlices,
   * webhook configurations) count any change outside metadata, and an
   * EndpointSlice also its labels (upstream's endpointSliceStrategy).
   */
  private generationChanged(obj: Obj, old: Obj): boolean {
    if (obj.spec !== undefined || old.spec !== undefined)
      return stableJson(obj.spec) !== stableJson(old.spec);
    const body = (o: Obj) => {
      const { metadata: _m, status: _s, ...rest } = o;
      return stableJson(rest);
    };
    if (body(obj) !== body(old)) return true;
    return (
      this.type.kind === "EndpointSlice" &&
      stableJson(obj.metadata?.labels) !== stableJson(old.metadata?.labels)
    );
  }

  prepareForStatusUpdate(obj: Obj, old: Obj): void {
    const status = obj.status;
    const meta = obj.metadata;
    resetTo(obj, old);
    if (status === undefined) delete obj.status;
    else obj.status = status;
    if (!STATUS_KEEPS_METADATA.has(this.type.group) || !meta) return;
    // The legacy groups' status strategies reset only spec: a controller may
    // write annotations with its status (the Deployment's revision).
    obj.metadata = {
      ...meta,
      generation: old.metadata.generation,
      deletionTimestamp: old.metadata.deletionTimestamp,
      deletionGracePeriodSeconds: old.metadata.deletionGracePeriodSeconds,
    };
    for (const k of ["generation", "deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
      if (obj.metadata[k] === undefined) delete obj.metadata[k];
    }
    if (this.type.group === "apps" && this.type.kind === "Deployment") {
      if (old.metadata.labels === undefined) delete obj.metadata.labels;
      else obj.metadata.labels = old.metadata.labels;
    }
  }

  validate(obj: Obj): FieldError[] {
    return validateCreate(this.type.group, this.type.kind, obj);
  }

  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    return validateUpdate(this.type.group, this.type.kind, obj, old);
  }

  validateStatusUpdate(obj: Obj, old: Obj): FieldError[] {
    return validateStatusUpdate(this.type.group, this.type.kind, obj, old);
  }

  holdsDeletion(_obj: Obj): boolean {
    return false;
  }

  markDeleting(_obj: Obj): void {}

  /** Only kinds with graceful deletion (pods) wait; the rest go at once unless finalizers hold them. */
  deletionGracePeriod(_obj: Obj, _requested: number | undefined): number | undefined {
    return undefined;
  }
}

/**
 * Makes obj a copy of old in place, for a subresource write that keeps all but
 * its own part of the stored object (the caller holds obj, so it is not replaced).
 */
export function resetTo(obj: Obj, old: Obj): void {
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, deepCopyJson(old));
}
