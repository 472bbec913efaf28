// The params a binding gives its policy (upstream's generic.CollectParams):
// none asked for, one evaluation with params null; else the paramRef's object
// by name, or every object its selector matches, in paramRef.namespace or the
// request's own namespace for a namespaced paramKind. None found is fine
// unless parameterNotFoundAction is Deny.
import { labelSelectorAsSelector } from "../../../../machinery/labels.ts";
import { isNotFound } from "../../../../machinery/status.ts";
import type { Registry } from "../../../registry/index.ts";
import type { Obj } from "../../admission.ts";

export type ParamRegistry = Pick<Registry, "catalog" | "storeFor">;

/** The params to run the policy with, or throws the configuration error the failure policy then judges. */
export async function collectParams(
  registry: ParamRegistry,
  paramKind: Obj | undefined,
  paramRef: Obj | undefined,
  namespace: string,
): Promise<(Obj | null)[]> {
  if (!paramKind || !paramRef) return [null];
  const apiVersion = String(paramKind.apiVersion ?? "");
  const slash = apiVersion.indexOf("/");
  const group = slash === -1 ? "" : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const type = registry.catalog
    .types()
    .find((t) => t.group === group && t.version === version && t.kind === paramKind.kind);
  const store = type ? registry.storeFor(type) : undefined;
  if (!type || !store) {
    throw new Error(`paramKind kind \`${apiVersion}, Kind=${paramKind.kind}\` not known`);
  }
  let ns: string | undefined;
  if (type.namespaced) {
    ns = paramRef.namespace || namespace;
    if (!ns) {
      throw new Error(
        "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources",
      );
    }
  }
  let params: Obj[] = [];
  if (paramRef.name) {
    if (paramRef.selector) throw new Error("paramRef.name and paramRef.selector are mutually exclusive");
    try {
      params = [await store.get(ns, paramRef.name)];
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  } else if (paramRef.selector) {
    const list = await store.list(ns, { labelSelector: labelSelectorAsSelector(paramRef.selector) });
    params = list.items as Obj[];
  }
  if (params.length === 0 && paramRef.parameterNotFoundAction === "Deny") {
    throw new Error("no params found for policy binding with `Deny` parameterNotFoundAction");
  }
  return params;
}
