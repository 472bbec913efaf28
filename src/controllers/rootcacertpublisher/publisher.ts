// upstream's pkg/controller/certificates/rootcacertpublisher/publisher.go:
// every namespace holds the ConfigMap kube-root-ca.crt with the cluster's CA
// bundle (what pods' projected service-account volumes mount as ca.crt),
// made again when deleted and put back when edited. Keys are namespace names.
import type { ConfigMap, Namespace } from "kubernetes-types/core/v1.d.ts";
import { ApiError, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { Controller, type ReconcileResult, type Reconciler } from "../controller.ts";

export const ROOT_CA_CERT_CONFIG_MAP_NAME = "kube-root-ca.crt";
export const DESCRIPTION_ANNOTATION = "kubernetes.io/description";
export const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
  "No other usage is guaranteed across distributions of Kubernetes clusters.";

/** v1.NamespaceTerminatingCause */
const NAMESPACE_TERMINATING_CAUSE = "NamespaceTerminating";

function hasStatusCause(e: unknown, type: string): boolean {
  return e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === type);
}

export interface PublisherOptions {
  client: RestClient;
  configMaps: SharedInformer<ConfigMap>;
  namespaces: SharedInformer<Namespace>;
  /** The PEM bundle published as ca.crt. */
  rootCA: string;
  clock: Clock;
  log(msg: string): void;
}

export class Publisher implements Reconciler {
  readonly controller: Controller;

  constructor(private readonly o: PublisherOptions) {
    this.controller = new Controller({
      name: "root_ca_cert_publisher",
      reconciler: this,
      clock: o.clock,
      log: (m) => o.log(m),
    });
    const configMapChanged = (cm: ConfigMap) => {
      if (cm.metadata?.name !== ROOT_CA_CERT_CONFIG_MAP_NAME) return;
      this.controller.enqueue(cm.metadata.namespace ?? "");
    };
    o.configMaps.addEventHandler({
      onUpdate: (_old, cm) => configMapChanged(cm),
      onDelete: configMapChanged,
    });
    o.namespaces.addEventHandler({
      onAdd: (ns) => this.controller.enqueue(ns.metadata?.name ?? ""),
      onUpdate: (_old, ns) => {
        if (ns.status?.phase !== "Active") return;
        this.controller.enqueue(ns.metadata?.name ?? "");
      },
    });
  }

  /** syncNamespace */
  async reconcile(ns: string): Promise<ReconcileResult | undefined> {
    const cm = this.o.configMaps.getIndexer().get(`${ns}/${ROOT_CA_CERT_CONFIG_MAP_NAME}`);
    if (!cm) {
      try {
        await this.o.client.create<ConfigMap>(Resources.configmaps, {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: ROOT_CA_CERT_CONFIG_MAP_NAME,
            namespace: ns,
            annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION },
          },
          data: { "ca.crt": this.o.rootCA },
        });
      } catch (e) {
        // Not retried when the namespace is gone or Terminating.
        if (isNotFound(e) || hasStatusCause(e, NAMESPACE_TERMINATING_CAUSE)) return undefined;
        throw new Error(`syncing "${ns}" failed: ${(e as Error).message}`);
      }
      return undefined;
    }
    // The data and the one annotation that describes the ConfigMap must match.
    const data = cm.data ?? {};
    const keys = Object.keys(data);
    const dataMatches = keys.length === 1 && data["ca.crt"] === this.o.rootCA;
    if (dataMatches && (cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION] ?? "").length > 0)
      return undefined;
    const next: ConfigMap = structuredClone(cm);
    next.data = { "ca.crt": this.o.rootCA };
    next.metadata ??= {};
    next.metadata.annotations = {
      ...(next.metadata.annotations ?? {}),
      [DESCRIPTION_ANNOTATION]: DESCRIPTION,
    };
    try {
      await this.o.client.update(Resources.configmaps, next);
    } catch (e) {
      throw new Error(`syncing "${ns}" failed: ${(e as Error).message}`);
    }
    return undefined;
  }
}
