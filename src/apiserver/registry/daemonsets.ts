// DaemonSets: a change to the pod template bumps the template generation,
// which apps/v1 carries in the deprecated.daemonset.template.generation
// annotation (upstream's daemonSetStrategy.PrepareForUpdate).
import type { Obj } from "../../api/registry.ts";
import { GenericStrategy } from "./strategy.ts";

export const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";

export class DaemonSetStrategy extends GenericStrategy {
  override prepareForUpdate(ds: Obj, old: Obj): void {
    super.prepareForUpdate(ds, old);
    const oldGen = Number(old.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? 0);
    const changed = JSON.stringify(ds.spec?.template ?? null) !== JSON.stringify(old.spec?.template ?? null);
    ds.metadata.annotations = {
      ...(ds.metadata.annotations ?? {}),
      [TEMPLATE_GENERATION_ANNOTATION]: String(changed ? oldGen + 1 : oldGen),
    };
  }
}
