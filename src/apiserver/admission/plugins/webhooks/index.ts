// Dynamic admission webhooks: MutatingAdmissionWebhook and
// ValidatingAdmissionWebhook, configured by the cluster's
// MutatingWebhookConfiguration and ValidatingWebhookConfiguration objects.
//
//   request ─► mutating plugins … MutatingAdmissionWebhook ─► strategy ─► validating plugins … ValidatingAdmissionWebhook ─► store
//                                 (serial, JSON patches)                                   (parallel)
//
// Files: source.ts follows the configurations (list + watch); accessor.ts is
// one webhook; rules.ts, namespace-matcher.ts, object-matcher.ts and
// should-call-hook.ts decide whether it applies; admission-review.ts and
// client.ts make the call; errors.ts words failures; mutating.ts and
// validating.ts dispatch.
import type { Authorizer } from "../../../authorization/authorizer.ts";
import type { Registry } from "../../../registry/index.ts";
import type { ResourceStore } from "../../../registry/resource-store.ts";
import type { AdmissionAttributes, Obj } from "../../admission.ts";
import { celAuthorize } from "../match-conditions.ts";
import type { ObjectCache } from "../object-cache.ts";
import { type ServiceResolver, WebhookClient } from "./client.ts";
import { MutatingWebhookPlugin } from "./mutating.ts";
import { cachedNamespaces, NamespaceMatcher } from "./namespace-matcher.ts";
import { clusterIPServiceResolver } from "./service-resolver.ts";
import { WebhookConfigurationSource } from "./source.ts";
import { ValidatingWebhookPlugin } from "./validating.ts";

export type { ServiceResolver } from "./client.ts";
export { MUTATING_PLUGIN_NAME, MutatingWebhookPlugin } from "./mutating.ts";
export { VALIDATING_PLUGIN_NAME, ValidatingWebhookPlugin } from "./validating.ts";

export interface WebhookAdmissionOptions {
  registry: Pick<Registry, "byResource">;
  /** What match conditions' `authorizer` asks. */
  authorizer?: Authorizer;
  /** Where to dial a webhook service; by default its ClusterIP, as kube-apiserver does. */
  serviceResolver?: ServiceResolver;
  /** The apiserver's namespace cache, which namespaceSelectors read; without one, the store. */
  namespaceCache?: ObjectCache;
}

export interface WebhookAdmission {
  mutating: MutatingWebhookPlugin;
  validating: ValidatingWebhookPlugin;
  /** Reads the configurations and starts watching them; resolves once both are read. */
  start(): Promise<void>;
  /** Ends the watches and closes idle webhook connections. */
  stop(): void;
}

function storeOf(registry: WebhookAdmissionOptions["registry"], resource: string): () => ResourceStore {
  return () => {
    const s =
      resource === "namespaces" || resource === "services"
        ? registry.byResource("", "v1", resource)
        : registry.byResource("admissionregistration.k8s.io", "v1", resource);
    if (!s) throw new Error(`no storage for ${resource}`);
    return s;
  };
}

export function newWebhookAdmission(opts: WebhookAdmissionOptions): WebhookAdmission {
  const { registry } = opts;
  const namespaces = storeOf(registry, "namespaces");
  const services = storeOf(registry, "services");
  const client = new WebhookClient({
    serviceResolver:
      opts.serviceResolver ?? clusterIPServiceResolver((namespace, name) => services().get(namespace, name)),
  });
  const namespaceMatcher = new NamespaceMatcher(
    opts.namespaceCache ? cachedNamespaces(opts.namespaceCache) : (name) => namespaces().get(undefined, name),
  );
  const authorize = celAuthorize(opts.authorizer);
  const mutatingSource = new WebhookConfigurationSource(
    "mutating",
    storeOf(registry, "mutatingwebhookconfigurations"),
  );
  const validatingSource = new WebhookConfigurationSource(
    "validating",
    storeOf(registry, "validatingwebhookconfigurations"),
  );
  // A patched object is defaulted again, as upstream's decoder defaults it; only objects of the resource's own kind.
  const defaulter = (a: AdmissionAttributes, obj: Obj): void => {
    const store = registry.byResource(a.resource.group, a.resource.version, a.resource.resource);
    if (store && store.type.kind === a.kind.kind) store.strategy.defaults(obj);
  };
  return {
    mutating: new MutatingWebhookPlugin({
      source: mutatingSource,
      namespaceMatcher,
      client,
      defaulter,
      authorize,
    }),
    validating: new ValidatingWebhookPlugin({
      source: validatingSource,
      namespaceMatcher,
      client,
      authorize,
    }),
    start: async () => {
      await Promise.all([mutatingSource.start(), validatingSource.start()]);
    },
    stop: () => {
      mutatingSource.stop();
      validatingSource.stop();
      client.close();
    },
  };
}
