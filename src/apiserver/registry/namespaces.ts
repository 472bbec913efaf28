// Namespaces: deletion makes the namespace Terminating and waits for the
// namespace controller to empty it and clear spec.finalizers through /finalize.
import type { Obj } from "../../api/registry.ts";
import { newForbidden } from "../../machinery/status.ts";
import type { ResourceHooks } from "./resource-store.ts";
import { GenericStrategy } from "./strategy.ts";

/** Namespaces the NamespaceLifecycle admission plugin never lets anyone delete. */
export const IMMORTAL_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

export const namespaceHooks: ResourceHooks = {
  checkDelete(ns: Obj): void {
    const name = ns.metadata?.name;
    if (IMMORTAL_NAMESPACES.has(name)) {
      throw newForbidden(
        { group: "", resource: "namespaces" },
        name,
        new Error("this namespace may not be deleted"),
      );
    }
  },
};

export class NamespaceStrategy extends GenericStrategy {
  override holdsDeletion(ns: Obj): boolean {
    return Array.isArray(ns.spec?.finalizers) && ns.spec.finalizers.length > 0;
  }

  override markDeleting(ns: Obj): void {
    ns.status = { ...(ns.status ?? {}), phase: "Terminating" };
  }

  /** Updates of the namespace itself keep spec.finalizers; only /finalize changes them. */
  override prepareForUpdate(ns: Obj, old: Obj): void {
    super.prepareForUpdate(ns, old);
    ns.spec = { ...(ns.spec ?? {}), finalizers: old.spec?.finalizers };
    if (ns.spec.finalizers === undefined) delete ns.spec.finalizers;
  }
}
