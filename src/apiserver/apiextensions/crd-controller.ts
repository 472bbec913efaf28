// What kube-apiserver's apiextensions controllers do for CustomResourceDefinitions,
// in one level-triggered loop over a cache of them:
// - serving: an established CRD's versions become resource types (discovery,
//   REST) and stop being served once it is gone (crdHandler, DiscoveryController);
// - naming (NamingConditionController): the names a CRD asks for are accepted
//   unless another CRD of its group holds them, giving NamesAccepted;
// - establishing (EstablishingController): accepted names make it Established;
// - finalizing (CRDFinalizer): a deleted CRD's custom resources are deleted,
//   then its cleanup finalizer is removed and the CRD goes.

import type { Obj } from "../../api/registry.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { isConflict, isNotFound } from "../../machinery/status.ts";
import { ObjectCache } from "../admission/plugins/object-cache.ts";
import { log } from "../log.ts";
import {
  CUSTOM_RESOURCE_CLEANUP_FINALIZER,
  setCRDCondition,
} from "../registry/custom-resource-definitions.ts";
import type { Registry } from "../registry/index.ts";
import type { ResourceStore } from "../registry/resource-store.ts";
import { stableJson } from "../registry/strategy.ts";
import { CRD_GROUP, crdCondition, customResourceTypes } from "./crd-types.ts";

const RETRY_MS = 1000;

/** The names other CRDs of the group have been given (getAcceptedNamesForGroup). */
function namesInUse(crds: Obj[], self: Obj): { resources: Set<string>; kinds: Set<string> } {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of crds) {
    if (other.metadata.name === self.metadata.name || other.spec?.group !== self.spec?.group) continue;
    const n = other.status?.acceptedNames ?? {};
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  return { resources, kinds };
}

/** equalToAcceptedOrFresh: a name may keep what it was given, or take one nobody holds. */
function nameConflict(requested: string | undefined, accepted: string | undefined, used: Set<string>) {
  if ((requested ?? "") === (accepted ?? "") || !used.has(requested ?? "")) return undefined;
  return `${JSON.stringify(requested)} is already in use`;
}

/** calculateNamesAndConditions, with the establishing controller's step folded in. */
export function desiredStatus(crd: Obj, all: Obj[], now: Date): Obj {
  const status: Obj = deepCopyJson(crd.status ?? {});
  const requested = crd.spec?.names ?? {};
  const accepted = status.acceptedNames ?? { plural: "", kind: "" };
  const next: Obj = { ...accepted };
  const { resources, kinds } = namesInUse(all, crd);
  let conflict: { reason: string; message: string } | undefined;
  const check = (field: string, reason: string, used: Set<string>) => {
    const message = nameConflict(requested[field], accepted[field], used);
    if (message) conflict = { reason, message };
    else if (requested[field] !== undefined) next[field] = requested[field];
    else delete next[field];
  };
  check("plural", "PluralConflict", resources);
  check("singular", "SingularConflict", resources);
  if (stableJson(requested.shortNames) !== stableJson(accepted.shortNames)) {
    const mine = new Set<string>(accepted.shortNames ?? []);
    const errs = ((requested.shortNames ?? []) as string[])
      .filter((s) => !mine.has(s))
      .map((s) => nameConflict(s, "", resources))
      .filter((m): m is string => m !== undefined);
    if (errs.length > 0) {
      conflict = {
        reason: "ShortNamesConflict",
        message: errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`,
      };
    } else if (requested.shortNames !== undefined) next.shortNames = requested.shortNames;
    else delete next.shortNames;
  }
  check("kind", "KindConflict", kinds);
  check("listKind", "ListKindConflict", kinds);
  if (requested.categories !== undefined) next.categories = requested.categories;
  else delete next.categories;
  status.acceptedNames = next;
  const out = { status };
  setCRDCondition(
    out,
    conflict
      ? { type: "NamesAccepted", status: "False", ...conflict }
      : { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" },
    now,
  );
  const established = crdCondition(out, "Established");
  if (established?.status !== "True") {
    setCRDCondition(
      out,
      conflict
        ? {
            type: "Established",
            status: "False",
            reason: "NotAccepted",
            message: "not all names are accepted",
          }
        : {
            type: "Established",
            status: "True",
            reason: "InitialNamesAccepted",
            message: "the initial names have been accepted",
          },
      now,
    );
  }
  return out.status;
}

export class CustomResourceDefinitionController {
  private readonly crds: ResourceStore;
  private readonly cache: ObjectCache;
  /** The resourceVersion of each CRD whose types are served now. */
  private readonly served = new Map<string, string>();
  /** Each CRD's group, to find its neighbours once it is gone. */
  private readonly groups = new Map<string, string>();
  private readonly queue = new Set<string>();
  private readonly retries = new Set<ReturnType<typeof setTimeout>>();
  private working: Promise<void> | undefined;
  private running = false;

  constructor(
    private readonly registry: Registry,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.crds = registry.byResource(CRD_GROUP, "v1", "customresourcedefinitions")!;
    this.cache = new ObjectCache(this.crds, () => this.sync());
  }

  /** Lists the CRDs and serves the established ones before it returns (upstream's crd-informer-synced). */
  async start(): Promise<void> {
    this.running = true;
    await this.cache.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    this.cache.stop();
    await this.cache.stopped();
    await this.working;
  }

  /**
   * What changed since the last look: a changed CRD is served anew and
   * reconciled; when one changes or goes, the CRDs of its group still waiting
   * for their names are looked at again (upstream's requeueAllOtherGroupCRDs).
   */
  private sync(): void {
    const seen = new Set<string>();
    const changedGroups = new Set<string>();
    const crds = this.cache.list();
    for (const crd of crds) {
      const name: string = crd.metadata.name;
      seen.add(name);
      if (this.served.get(name) === crd.metadata.resourceVersion) continue;
      this.registry.setCustomTypes(name, customResourceTypes(crd));
      this.served.set(name, crd.metadata.resourceVersion);
      this.groups.set(name, crd.spec?.group);
      changedGroups.add(crd.spec?.group);
      this.queue.add(name);
    }
    for (const name of [...this.served.keys()]) {
      if (seen.has(name)) continue;
      this.registry.setCustomTypes(name, []);
      this.served.delete(name);
      changedGroups.add(this.groups.get(name) ?? "");
      this.groups.delete(name);
    }
    for (const crd of crds) {
      if (changedGroups.has(crd.spec?.group) && crdCondition(crd, "NamesAccepted")?.status !== "True")
        this.queue.add(crd.metadata.name);
    }
    this.work();
  }

  private work(): void {
    if (this.working || !this.running) return;
    this.working = (async () => {
      while (this.running && this.queue.size > 0) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        try {
          await this.reconcile(name);
        } catch (e) {
          if (!isConflict(e) && !isNotFound(e))
            log.error("CustomResourceDefinition controller failed; retrying", {
              crd: name,
              err: (e as Error).message,
            });
          this.retryLater(name);
        }
      }
    })().finally(() => {
      this.working = undefined;
    });
  }

  private retryLater(name: string): void {
    if (!this.running) return;
    const t = setTimeout(() => {
      this.retries.delete(t);
      this.queue.add(name);
      this.work();
    }, RETRY_MS);
    this.retries.add(t);
  }

  private async reconcile(name: string): Promise<void> {
    const crd = this.cache.get(undefined, name);
    if (!crd) return;
    if (crd.metadata.deletionTimestamp) {
      if ((crd.metadata.finalizers ?? []).includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER))
        await this.finalize(crd);
      return;
    }
    const status = desiredStatus(crd, this.cache.list(), this.now());
    if (stableJson(status) === stableJson(crd.status)) return;
    await this.crds.update(undefined, name, { ...crd, status }, { subresource: "status" });
  }

  private async writeTerminating(crd: Obj, reason: string, message: string): Promise<Obj> {
    const next = deepCopyJson(crd);
    setCRDCondition(next, { type: "Terminating", status: "True", reason, message }, this.now());
    if (stableJson(next.status) === stableJson(crd.status)) return crd;
    return (await this.crds.update(undefined, crd.metadata.name, next, { subresource: "status" })).object;
  }

  /** CRDFinalizer.sync: delete every instance, confirm none is left, then let the CRD go. */
  private async finalize(crd: Obj): Promise<void> {
    let current =
      crdCondition(crd, "Terminating")?.reason === "InstanceDeletionPending"
        ? await this.writeTerminating(
            crd,
            "InstanceDeletionInProgress",
            "CustomResource deletion is in progress",
          )
        : crd;
    const types = this.registry.catalog.customTypes(crd.metadata.name);
    const store = types.length > 0 ? this.registry.storeFor(types[0]) : undefined;
    if (store) {
      for (const obj of (await store.list(undefined)).items as Obj[]) {
        if (obj.metadata.deletionTimestamp) continue;
        await store.delete(obj.metadata.namespace, obj.metadata.name).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      }
      const left = ((await store.list(undefined)).items as Obj[]).length;
      if (left > 0) {
        // Finalizers of their own still hold some: look again later.
        await this.writeTerminating(
          current,
          "InstanceDeletionCheck",
          `could not confirm zero CustomResources remaining: timed out waiting for the condition`,
        );
        this.retryLater(crd.metadata.name);
        return;
      }
    }
    current = await this.writeTerminating(current, "InstanceDeletionCompleted", "removed all instances");
    const next = deepCopyJson(current);
    next.metadata.finalizers = (next.metadata.finalizers as string[]).filter(
      (f) => f !== CUSTOM_RESOURCE_CLEANUP_FINALIZER,
    );
    await this.crds.update(undefined, crd.metadata.name, next);
  }
}
