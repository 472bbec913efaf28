// NamespaceLifecycle (k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle):
// no new objects in a namespace that does not exist or is being terminated, and
// the immortal namespaces (default, kube-system, kube-public) are never deleted.
// A mutating plugin only, as upstream's: it runs first, before any other.
import type { Obj } from "../../../api/registry.ts";
import { isNotFound, newForbidden, newInternalError } from "../../../machinery/status.ts";
import type { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes, MutatingPlugin, Operation } from "../admission.ts";
import { admissionForbidden, errorMessage } from "./errors.ts";
import type { ObjectCache } from "./object-cache.ts";

export const IMMORTAL_NAMESPACES: ReadonlySet<string> = new Set(["default", "kube-system", "kube-public"]);

/** How long a deleted namespace is always read from the store, not the cache (forceLiveLookupTTL). */
const FORCE_LIVE_LOOKUP_TTL_MS = 30_000;
const FORCE_LIVE_LOOKUP_ENTRIES = 100;
/** Time for a watch-fed cache to see a namespace created just before (missingNamespaceWait). */
const MISSING_NAMESPACE_WAIT_MS = 50;

/** Resources that reveal permissions, answered even for a missing namespace so names do not leak. */
const ACCESS_REVIEW_RESOURCES = new Set(["authorization.k8s.io/localsubjectaccessreviews"]);

export interface NamespaceLifecycleOptions {
  registry: Registry;
  /** Namespaces from a watch; without one (or before it syncs) every check reads the store. */
  cache?: ObjectCache;
  immortalNamespaces?: ReadonlySet<string>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

function isNamespaceKind(a: AdmissionAttributes): boolean {
  return a.kind.group === "" && a.kind.kind === "Namespace";
}

export class NamespaceLifecycle implements MutatingPlugin {
  readonly name = "NamespaceLifecycle";
  private readonly registry: Registry;
  private readonly cache: ObjectCache | undefined;
  private readonly immortal: ReadonlySet<string>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Namespaces we just saw a DELETE for: name → expiry (upstream's LRU expire cache). */
  private readonly forceLiveLookup = new Map<string, number>();

  constructor(opts: NamespaceLifecycleOptions) {
    this.registry = opts.registry;
    this.cache = opts.cache;
    this.immortal = opts.immortalNamespaces ?? IMMORTAL_NAMESPACES;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  handles(op: Operation): boolean {
    return op === "CREATE" || op === "UPDATE" || op === "DELETE";
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.operation === "DELETE" && isNamespaceKind(a) && this.immortal.has(a.name)) {
      throw newForbidden(
        { group: a.resource.group, resource: a.resource.resource },
        a.name,
        "this namespace may not be deleted",
      );
    }
    // Cluster-scoped objects are always allowed.
    if (!a.namespace && !isNamespaceKind(a)) return;
    if (isNamespaceKind(a)) {
      // The cache may lag behind the deletion: later creates in it read the store.
      if (a.operation === "DELETE") this.markForLiveLookup(a.name);
      return;
    }
    if (a.operation === "DELETE") return;
    if (ACCESS_REVIEW_RESOURCES.has(`${a.resource.group}/${a.resource.resource}`)) return;

    const cached = this.cache?.synced === true;
    let namespace: Obj | undefined = cached ? this.cache!.get(undefined, a.namespace) : undefined;
    if (cached && !namespace && a.operation === "CREATE") {
      // Give the cache time to see a namespace created just before this object.
      await this.sleep(MISSING_NAMESPACE_WAIT_MS);
      namespace = this.cache!.get(undefined, a.namespace);
    }
    const forceLive =
      namespace !== undefined && this.liveLookupForced(a.namespace) && phaseOf(namespace) === "Active";
    if (!namespace || forceLive) {
      try {
        namespace = await this.registry.namespaces.get(undefined, a.namespace);
      } catch (e) {
        if (isNotFound(e)) throw e;
        throw newInternalError(errorMessage(e));
      }
    }
    if (a.operation !== "CREATE" || phaseOf(namespace) !== "Terminating") return;
    const err = admissionForbidden(
      a,
      `unable to create new content in namespace ${a.namespace} because it is being terminated`,
    );
    err.status.details = {
      ...err.status.details,
      causes: [
        ...(err.status.details?.causes ?? []),
        {
          reason: "NamespaceTerminating",
          message: `namespace ${a.namespace} is being terminated`,
          field: "metadata.namespace",
        },
      ],
    };
    throw err;
  }

  private markForLiveLookup(name: string): void {
    this.forceLiveLookup.delete(name);
    this.forceLiveLookup.set(name, this.now() + FORCE_LIVE_LOOKUP_TTL_MS);
    while (this.forceLiveLookup.size > FORCE_LIVE_LOOKUP_ENTRIES) {
      const oldest = this.forceLiveLookup.keys().next().value as string;
      this.forceLiveLookup.delete(oldest);
    }
  }

  private liveLookupForced(name: string): boolean {
    const expiry = this.forceLiveLookup.get(name);
    if (expiry === undefined) return false;
    if (expiry <= this.now()) {
      this.forceLiveLookup.delete(name);
      return false;
    }
    return true;
  }
}

/** status.phase, which defaults to Active. */
function phaseOf(ns: Obj): string {
  return ns.status?.phase || "Active";
}
