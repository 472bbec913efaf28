// namespaceSelector (upstream's predicates/namespace/matcher.go): a webhook
// sees a namespaced request only if the labels of its namespace match. A
// Namespace being created or updated is matched by its own new labels.
import { newInternalError, newNotFound, StatusError, StatusReason } from "../../../../machinery/status.ts";
import type { AdmissionAttributes, Obj } from "../../admission.ts";
import type { ObjectCache } from "../object-cache.ts";
import type { Webhook } from "./accessor.ts";

/** The namespace object by name; throws a NotFound StatusError when there is none. */
export type NamespaceGetter = (name: string) => Promise<Obj>;

/** Namespaces from the admission plugins' cache: memory once synced, the store on a miss (upstream's lister, then a live GET). */
export function cachedNamespaces(cache: ObjectCache): NamespaceGetter {
  return async (name) => {
    const ns = await cache.lookup(undefined, name);
    if (!ns) throw newNotFound({ group: "", resource: "namespaces" }, name);
    return ns;
  };
}

export interface MatchResult {
  matches: boolean;
  /** Reported only if the webhook's rules match the request. */
  err?: StatusError;
}

export class NamespaceMatcher {
  /** One namespace read per admission call, however many webhooks ask. */
  private readonly labelsCache = new WeakMap<AdmissionAttributes, Promise<Record<string, string>>>();

  constructor(private readonly getNamespace: NamespaceGetter) {}

  private namespaceLabels(a: AdmissionAttributes): Promise<Record<string, string>> {
    // A create or update of a namespace is not in the store yet: its own labels count.
    if (
      a.resource.resource === "namespaces" &&
      a.subresource === "" &&
      (a.operation === "CREATE" || a.operation === "UPDATE")
    ) {
      return Promise.resolve(a.object?.metadata?.labels ?? {});
    }
    let p = this.labelsCache.get(a);
    if (!p) {
      // Requests for a namespace itself carry its name as their namespace (upstream's request info does so).
      const name = a.namespace || (a.resource.resource === "namespaces" ? a.name : "");
      p = this.getNamespace(name).then((ns) => ns.metadata?.labels ?? {});
      this.labelsCache.set(a, p);
    }
    return p;
  }

  async matchNamespaceSelector(
    hook: Pick<Webhook, "namespaceSelector">,
    a: AdmissionAttributes,
  ): Promise<MatchResult> {
    // Cluster-scoped resources other than namespaces are never exempted.
    if (a.namespace === "" && a.resource.resource !== "namespaces") return { matches: true };
    let selector: ReturnType<Webhook["namespaceSelector"]>;
    try {
      selector = hook.namespaceSelector();
    } catch (e) {
      return { matches: false, err: newInternalError(e as Error) };
    }
    if (selector.empty()) return { matches: true };
    let labels: Record<string, string>;
    try {
      labels = await this.namespaceLabels(a);
    } catch (e) {
      // A missing namespace answers 404, for backwards compatibility.
      if (e instanceof StatusError && e.reason === StatusReason.NotFound) return { matches: false, err: e };
      return { matches: false, err: newInternalError(e as Error) };
    }
    return { matches: selector.matches(labels) };
  }
}
