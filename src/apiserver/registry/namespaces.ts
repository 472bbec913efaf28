// Namespaces: deletion makes the namespace Terminating and waits for the
// namespace controller to empty it and clear spec.finalizers through /finalize.
import type { Obj } from "../../api/registry.ts";
import { GenericStrategy } from "./strategy.ts";

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
