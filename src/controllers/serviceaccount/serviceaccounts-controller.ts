// upstream's pkg/controller/serviceaccount/serviceaccounts_controller.go:
// every Active namespace has the service accounts to ensure (just "default"),
// made again when deleted. Keys are namespace names.
import type { Namespace, ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import { ApiError, isAlreadyExists } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { Controller, type ReconcileResult, type Reconciler } from "../controller.ts";

/** DefaultServiceAccountsControllerOptions: the accounts every namespace gets. */
export const DEFAULT_SERVICE_ACCOUNTS: ServiceAccount[] = [{ metadata: { name: "default" } }];

/** v1.NamespaceTerminatingCause: the NamespaceLifecycle refusal of new content in a Terminating namespace. */
export const NAMESPACE_TERMINATING_CAUSE = "NamespaceTerminating";

/** apierrors.HasStatusCause */
export function hasStatusCause(e: unknown, type: string): boolean {
  return e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === type);
}

export interface ServiceAccountsControllerOptions {
  client: RestClient;
  serviceAccounts: SharedInformer<ServiceAccount>;
  namespaces: SharedInformer<Namespace>;
  clock: Clock;
  log(msg: string): void;
  /** Default: just "default". */
  serviceAccountsToEnsure?: ServiceAccount[];
}

export class ServiceAccountsController implements Reconciler {
  readonly controller: Controller;
  private readonly toEnsure: ServiceAccount[];

  constructor(private readonly o: ServiceAccountsControllerOptions) {
    this.toEnsure = o.serviceAccountsToEnsure ?? DEFAULT_SERVICE_ACCOUNTS;
    this.controller = new Controller({
      name: "serviceaccount",
      reconciler: this,
      clock: o.clock,
      log: o.log,
    });
    o.serviceAccounts.addEventHandler({
      onDelete: (sa) => this.controller.enqueue(sa.metadata?.namespace ?? ""),
    });
    o.namespaces.addEventHandler({
      onAdd: (ns) => this.controller.enqueue(ns.metadata?.name ?? ""),
      onUpdate: (_old, ns) => this.controller.enqueue(ns.metadata?.name ?? ""),
    });
  }

  /** syncNamespace */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const ns = this.o.namespaces.getIndexer().get(key);
    // Nothing is created in a namespace that is not Active.
    if (ns?.status?.phase !== "Active") return undefined;
    const name = ns.metadata?.name ?? key;
    const failures: Error[] = [];
    for (const sa of this.toEnsure) {
      if (this.o.serviceAccounts.getIndexer().get(`${name}/${sa.metadata?.name}`)) continue;
      const body: ServiceAccount = {
        apiVersion: "v1",
        kind: "ServiceAccount",
        ...structuredClone(sa),
        metadata: { ...structuredClone(sa.metadata ?? {}), namespace: name },
      };
      try {
        await this.o.client.create(Resources.serviceaccounts, body);
      } catch (e) {
        if (isAlreadyExists(e) || hasStatusCause(e, NAMESPACE_TERMINATING_CAUSE)) continue;
        failures.push(e as Error);
      }
    }
    // utilerrors.NewAggregate's message: one error as is, several in brackets.
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new Error(`[${failures.map((e) => e.message).join(", ")}]`);
    return undefined;
  }
}
