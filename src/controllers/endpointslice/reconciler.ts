// k8s.io/endpointslice reconciler.go: turns the pods a Service selects into
// EndpointSlices with as little churn as upstream — per address type and per
// distinct set of ports, keep endpoints where they are, update them in place,
// fill slices that changed anyway before touching unchanged ones, create new
// slices only for what does not fit, turn a create plus a delete into an
// update, and keep one empty placeholder slice when there is nothing.

import type { Node, Pod, Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { ApiError, isNotFound } from "../../client/api-error.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { ResourceRef, RestClient } from "../../client/rest-client.ts";
import { endpointsEqualBeyondHash, newPortMapKey, shouldPodBeInEndpoints } from "./controller-utils.ts";
import { EndpointSet } from "./endpoint-set.ts";
import type { EndpointSliceTracker } from "./endpointslice-tracker.ts";
import { LABEL_MANAGED_BY } from "./labels.ts";
import { reconcileHints, TRAFFIC_DISTRIBUTION_PREFER_CLOSE } from "./traffic-distribution.ts";
import {
  type AddressType,
  addTriggerTimeAnnotation,
  type EndpointMeta,
  getAddressTypesForService,
  getEndpointPorts,
  getSliceToFill,
  newEndpointSlice,
  ownedBy,
  podToEndpoint,
  setEndpointSliceLabels,
  unchangedSlices,
} from "./utils.ts";

export const ENDPOINT_SLICES: ResourceRef = Resources.endpointslices;

/** utilerrors.NewAggregate(errs).Error(): one message alone, several in brackets. */
export class AggregatedError extends Error {
  constructor(readonly errors: Error[]) {
    super(errors.length === 1 ? errors[0].message : `[${errors.map((e) => e.message).join(", ")}]`);
    this.name = "AggregatedError";
  }
}

function aggregate(errs: Error[]): void {
  if (errs.length > 0) throw new AggregatedError(errs);
}

function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && !!e.details?.causes?.some((c) => c.reason === "NamespaceTerminating");
}

export interface ReconcilerOptions {
  client: RestClient;
  nodes: IndexerView<Node>;
  maxEndpointsPerSlice: number;
  tracker: EndpointSliceTracker;
  recorder: EventRecorder;
  /** The value of the managed-by label (endpointslice-controller.k8s.io). */
  controllerName: string;
  /** ServiceTrafficDistribution (beta, on by default in v1.32). */
  trafficDistributionEnabled?: boolean;
  log?(msg: string): void;
}

/** What reconcileByPortMapping decides for one set of ports. */
export interface PortMappingPlan {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
  added: number;
  removed: number;
}

/**
 * reconcileByPortMapping: compares the endpoints of the existing slices of one
 * port set with the desired ones. (1) Keep desired endpoints where they are,
 * update changed ones in place, drop the rest (a slice left empty is deleted)
 * and follow the Service's labels. (2) Fill the slices already being updated,
 * fullest first. (3) Put what is left into the unchanged slice it fills best,
 * or into new slices.
 */
export function reconcileByPortMapping(
  svc: Service,
  existingSlices: EndpointSlice[],
  desiredSet: EndpointSet,
  meta: EndpointMeta,
  maxEndpointsPerSlice: number,
  controllerName: string,
  log?: (msg: string) => void,
): PortMappingPlan {
  const slicesByName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdateNames = new Set<string>();
  const toDeleteNames = new Set<string>();
  let removed = 0;

  for (const existing of existingSlices) {
    const name = existing.metadata?.name ?? "";
    slicesByName.set(name, existing);
    const newEndpoints = [];
    let endpointUpdated = false;
    for (const ep of existing.endpoints ?? []) {
      const got = desiredSet.get(ep);
      if (!got) continue;
      newEndpoints.push(got);
      if (!endpointsEqualBeyondHash(got, ep)) endpointUpdated = true;
      // Placed: it needs no other home.
      desiredSet.delete(ep);
    }
    const { labels, updated: labelsChanged } = setEndpointSliceLabels(existing, svc, controllerName, log);
    const count = existing.endpoints?.length ?? 0;
    if (endpointUpdated || count !== newEndpoints.length) {
      if (count > newEndpoints.length) removed += count - newEndpoints.length;
      if (newEndpoints.length === 0) {
        toDeleteNames.add(name);
      } else {
        const copy = structuredClone(existing);
        copy.endpoints = newEndpoints;
        copy.metadata = { ...copy.metadata, labels };
        slicesByName.set(name, copy);
        toUpdateNames.add(name);
      }
    } else if (labelsChanged) {
      const copy = structuredClone(existing);
      copy.metadata = { ...copy.metadata, labels };
      slicesByName.set(name, copy);
      toUpdateNames.add(name);
    } else {
      // Useful later if endpoints are left over.
      unchanged.add(name);
    }
  }

  const added = desiredSet.size;

  if (desiredSet.size > 0 && toUpdateNames.size > 0) {
    const slices = [...toUpdateNames].map((n) => slicesByName.get(n)!);
    // Fullest first.
    slices.sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0));
    for (const slice of slices) {
      slice.endpoints ??= [];
      while (desiredSet.size > 0 && slice.endpoints.length < maxEndpointsPerSlice) {
        slice.endpoints.push(desiredSet.popAny()!);
      }
    }
  }

  const toCreate: EndpointSlice[] = [];
  while (desiredSet.size > 0) {
    let sliceToFill: EndpointSlice | undefined;
    if (desiredSet.size < maxEndpointsPerSlice && unchanged.size > 0) {
      const candidates = [...unchanged].map((n) => slicesByName.get(n)!);
      sliceToFill = getSliceToFill(candidates, desiredSet.size, maxEndpointsPerSlice);
    }
    if (!sliceToFill) {
      sliceToFill = newEndpointSlice(svc, meta, controllerName);
    } else {
      // The cache's object: copy before changing it.
      sliceToFill = structuredClone(sliceToFill);
      slicesByName.set(sliceToFill.metadata?.name ?? "", sliceToFill);
    }
    sliceToFill.endpoints ??= [];
    while (desiredSet.size > 0 && sliceToFill.endpoints.length < maxEndpointsPerSlice) {
      sliceToFill.endpoints.push(desiredSet.popAny()!);
    }
    // A new slice has no name yet.
    const name = sliceToFill.metadata?.name;
    if (name) {
      toUpdateNames.add(name);
      unchanged.delete(name);
    } else {
      toCreate.push(sliceToFill);
    }
  }

  return {
    toCreate,
    toUpdate: [...toUpdateNames].map((n) => slicesByName.get(n)!),
    toDelete: [...toDeleteNames].map((n) => slicesByName.get(n)!),
    added,
    removed,
  };
}

/** placeholderSliceCompare: same namespace, labels, owner references and content, ignoring the rest of metadata. */
function samePlaceholder(a: EndpointSlice, b: EndpointSlice): boolean {
  if ((a.metadata?.namespace ?? "") !== (b.metadata?.namespace ?? "")) return false;
  const la = a.metadata?.labels ?? {};
  const lb = b.metadata?.labels ?? {};
  if (Object.entries(la).some(([k, v]) => lb[k] !== v) || Object.entries(lb).some(([k, v]) => la[k] !== v))
    return false;
  const refs = (s: EndpointSlice) =>
    JSON.stringify(
      (s.metadata?.ownerReferences ?? []).map((o) => [
        o.apiVersion,
        o.kind,
        o.name,
        o.uid,
        o.controller ?? null,
        o.blockOwnerDeletion ?? null,
      ]),
    );
  if (refs(a) !== refs(b)) return false;
  return (
    a.addressType === b.addressType &&
    (a.endpoints?.length ?? 0) === 0 &&
    (b.endpoints?.length ?? 0) === 0 &&
    (a.ports?.length ?? 0) === 0 &&
    (b.ports?.length ?? 0) === 0
  );
}

export class Reconciler {
  constructor(private readonly o: ReconcilerOptions) {}

  get controllerName(): string {
    return this.o.controllerName;
  }

  /** ManagedByController: the slice's managed-by label names this controller. */
  managedByController(slice: EndpointSlice): boolean {
    return slice.metadata?.labels?.[LABEL_MANAGED_BY] === this.o.controllerName;
  }

  /** ManagedByChanged: one of the two is managed by this controller and the other not. */
  managedByChanged(a: EndpointSlice, b: EndpointSlice): boolean {
    return this.managedByController(a) !== this.managedByController(b);
  }

  /**
   * Reconcile: slices of address types the Service no longer has are
   * deleted; each remaining address type is reconciled on its own.
   */
  async reconcile(
    svc: Service,
    pods: Pod[],
    existingSlices: EndpointSlice[],
    triggerTimeMs: number,
  ): Promise<void> {
    const errs: Error[] = [];
    const supported = getAddressTypesForService(svc);
    const toDelete: EndpointSlice[] = [];
    const byAddressType = new Map<string, EndpointSlice[]>();
    for (const slice of existingSlices) {
      if (!supported.has(slice.addressType as AddressType)) {
        toDelete.push(slice);
        continue;
      }
      const list = byAddressType.get(slice.addressType) ?? [];
      list.push(slice);
      byAddressType.set(slice.addressType, list);
    }
    for (const addressType of supported) {
      try {
        await this.reconcileByAddressType(
          svc,
          pods,
          byAddressType.get(addressType) ?? [],
          triggerTimeMs,
          addressType,
        );
      } catch (e) {
        errs.push(e as Error);
      }
    }
    const ns = svc.metadata?.namespace ?? "";
    for (const slice of toDelete) {
      try {
        await this.deleteEndpointSlice(slice);
      } catch (e) {
        errs.push(
          new Error(
            `error deleting ${slice.metadata?.name} EndpointSlice for Service ${ns}/${svc.metadata?.name}: ${(e as Error).message}`,
          ),
        );
      }
    }
    aggregate(errs);
  }

  private async deleteEndpointSlice(slice: EndpointSlice): Promise<void> {
    try {
      await this.o.client.delete(ENDPOINT_SLICES, slice.metadata?.name ?? "", {
        namespace: slice.metadata?.namespace,
      });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    this.o.tracker.expectDeletion(slice);
  }

  private async reconcileByAddressType(
    svc: Service,
    pods: Pod[],
    existingSlices: EndpointSlice[],
    triggerTimeMs: number,
    addressType: AddressType,
  ): Promise<void> {
    const errs: Error[] = [];
    let toCreate: EndpointSlice[] = [];
    let toUpdate: EndpointSlice[] = [];
    const toDelete: EndpointSlice[] = [];
    const ns = svc.metadata?.namespace ?? "";
    const name = svc.metadata?.name ?? "";

    const existingByPortMap = new Map<string, EndpointSlice[]>();
    for (const slice of existingSlices) {
      if (ownedBy(slice, svc)) {
        // A copy of the ports: NewPortMapKey sorts in place and these are the cache's.
        const key = newPortMapKey(structuredClone(slice.ports ?? []));
        const list = existingByPortMap.get(key) ?? [];
        list.push(slice);
        existingByPortMap.set(key, list);
      } else {
        toDelete.push(slice);
      }
    }

    const desiredMeta = new Map<string, EndpointMeta>();
    const desiredEndpoints = new Map<string, EndpointSet>();
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ports = getEndpointPorts(svc, pod, this.o.log);
      const key = newPortMapKey(ports);
      if (!desiredEndpoints.has(key)) desiredEndpoints.set(key, new EndpointSet());
      if (!desiredMeta.has(key)) desiredMeta.set(key, { addressType, ports });
      const nodeName = pod.spec?.nodeName ?? "";
      const node = this.o.nodes.get(nodeName);
      if (!node && !svc.spec?.publishNotReadyAddresses) {
        // Left out now and retried, so that a pod on a vanished node cannot hold the slice forever;
        // published anyway when the Service asks for not-ready addresses.
        this.o.log?.(
          `skipping Pod ${ns}/${pod.metadata?.name} for Service ${ns}/${name}, Node ${nodeName} not found`,
        );
        errs.push(
          new Error(
            `skipping Pod ${pod.metadata?.name} for Service ${ns}/${name}: Node ${nodeName} Not Found`,
          ),
        );
        continue;
      }
      const ep = podToEndpoint(pod, node, svc, addressType);
      if ((ep.addresses?.length ?? 0) > 0) desiredEndpoints.get(key)!.insert(ep);
    }

    for (const [key, desired] of desiredEndpoints) {
      const plan = reconcileByPortMapping(
        svc,
        existingByPortMap.get(key) ?? [],
        desired,
        desiredMeta.get(key)!,
        this.o.maxEndpointsPerSlice,
        this.o.controllerName,
        this.o.log,
      );
      toCreate.push(...plan.toCreate);
      toUpdate.push(...plan.toUpdate);
      toDelete.push(...plan.toDelete);
    }
    // Port sets nobody wants any more.
    for (const [key, slices] of existingByPortMap) {
      if (!desiredEndpoints.has(key)) toDelete.push(...slices);
    }

    // With nothing to publish, one empty placeholder slice stays.
    if (existingSlices.length === toDelete.length && toCreate.length < 1) {
      const placeholder = newEndpointSlice(svc, { ports: [], addressType }, this.o.controllerName);
      if (toDelete.length === 1 && samePlaceholder(toDelete[0], placeholder)) {
        // Already there: neither delete nor recreate it.
        toDelete.length = 0;
      } else {
        toCreate.push(placeholder);
      }
    }

    // Hints: spec.trafficDistribution (PreferClose) or none. The topology-mode annotation
    // needs the topology cache, which k8ts does not keep, so it is treated as absent.
    const trafficDistribution =
      this.o.trafficDistributionEnabled !== false &&
      svc.spec?.trafficDistribution === TRAFFIC_DISTRIBUTION_PREFER_CLOSE
        ? svc.spec.trafficDistribution
        : undefined;
    ({ toCreate, toUpdate } = reconcileHints(
      trafficDistribution,
      toCreate,
      toUpdate,
      unchangedSlices(existingSlices, toUpdate, toDelete),
    ));

    try {
      await this.finalize(svc, toCreate, toUpdate, toDelete, triggerTimeMs);
    } catch (e) {
      errs.push(e as Error);
    }
    aggregate(errs);
  }

  /** finalize: creates, updates and deletes, turning create+delete pairs into updates first. */
  private async finalize(
    svc: Service,
    toCreate: EndpointSlice[],
    toUpdate: EndpointSlice[],
    toDelete: EndpointSlice[],
    triggerTimeMs: number,
  ): Promise<void> {
    const ns = svc.metadata?.namespace ?? "";
    const name = svc.metadata?.name ?? "";
    for (let i = 0; i < toDelete.length; ) {
      if (toCreate.length === 0) break;
      const del = toDelete[i];
      const slice = toCreate[toCreate.length - 1];
      // Only slices of this Service (not a deleted namesake's, which the GC is removing) and of the
      // same (immutable) address type can be reused.
      if (del.addressType === slice.addressType && ownedBy(del, svc)) {
        // The new content under the old name. Upstream sends it without a resourceVersion (an
        // unconditional update); k8ts' apiserver refuses those, so it is conditional on the cached one.
        slice.metadata = {
          ...slice.metadata,
          name: del.metadata?.name,
          resourceVersion: del.metadata?.resourceVersion,
        };
        toCreate.pop();
        toUpdate.push(slice);
        toDelete.splice(i, 1);
      } else {
        i++;
      }
    }

    // Nothing new for a Service being deleted: the GC would have to race this controller.
    if (!svc.metadata?.deletionTimestamp) {
      for (const slice of toCreate) {
        addTriggerTimeAnnotation(slice, triggerTimeMs);
        let created: EndpointSlice;
        try {
          created = await this.o.client.create(ENDPOINT_SLICES, slice, { namespace: ns });
        } catch (e) {
          // Every create fails in a terminating namespace: drop the item.
          if (isNamespaceTerminating(e)) return;
          throw new Error(
            `failed to create EndpointSlice for Service ${ns}/${name}: ${(e as Error).message}`,
          );
        }
        this.o.tracker.update(created);
      }
    }

    for (const slice of toUpdate) {
      addTriggerTimeAnnotation(slice, triggerTimeMs);
      let updated: EndpointSlice;
      try {
        updated = await this.o.client.update(ENDPOINT_SLICES, slice, { namespace: ns });
      } catch (e) {
        throw new Error(
          `failed to update ${slice.metadata?.name} EndpointSlice for Service ${ns}/${name}: ${(e as Error).message}`,
        );
      }
      this.o.tracker.update(updated);
    }

    for (const slice of toDelete) {
      try {
        await this.deleteEndpointSlice(slice);
      } catch (e) {
        throw new Error(
          `failed to delete ${slice.metadata?.name} EndpointSlice for Service ${ns}/${name}: ${(e as Error).message}`,
        );
      }
    }
  }
}
