// What both proxy modes share: the Service and EndpointSlice change trackers
// that the informers' handlers feed (upstream's proxy.ServiceHandler and
// EndpointSliceHandler), and the bounded-frequency runner a change wakes
// once both caches have synced.
import type { Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import type { BoundedFrequencyRunner } from "./bounded-frequency-runner.ts";
import { EndpointsChangeTracker, EndpointsMap } from "./endpoints-cache.ts";
import { ServiceChangeTracker, ServicePortMap } from "./service-change-tracker.ts";

export abstract class ProxierBase {
  protected readonly serviceChanges = new ServiceChangeTracker();
  protected readonly endpointsChanges: EndpointsChangeTracker;
  protected readonly svcPortMap = new ServicePortMap();
  protected readonly endpointsMap = new EndpointsMap();
  protected servicesSynced = false;
  protected endpointSlicesSynced = false;
  protected abstract readonly runner: BoundedFrequencyRunner;

  constructor(
    hostname: string,
    private readonly onQueued?: () => void,
  ) {
    this.endpointsChanges = new EndpointsChangeTracker(hostname);
  }

  protected get initialized(): boolean {
    return this.servicesSynced && this.endpointSlicesSynced;
  }

  onServiceAdd(svc: Service): void {
    this.onServiceUpdate(undefined, svc);
  }
  onServiceUpdate(oldSvc: Service | undefined, svc: Service | undefined): void {
    if (this.serviceChanges.update(oldSvc, svc) && this.initialized) this.sync();
  }
  onServiceDelete(svc: Service): void {
    this.onServiceUpdate(svc, undefined);
  }
  onServiceSynced(): void {
    this.servicesSynced = true;
    if (this.initialized) this.sync();
  }
  onEndpointSliceAdd(slice: EndpointSlice): void {
    if (this.endpointsChanges.endpointSliceUpdate(slice, false) && this.initialized) this.sync();
  }
  onEndpointSliceUpdate(_old: EndpointSlice, slice: EndpointSlice): void {
    this.onEndpointSliceAdd(slice);
  }
  onEndpointSliceDelete(slice: EndpointSlice): void {
    if (this.endpointsChanges.endpointSliceUpdate(slice, true) && this.initialized) this.sync();
  }
  onEndpointSlicesSynced(): void {
    this.endpointSlicesSynced = true;
    if (this.initialized) this.sync();
  }

  /** Queues a sync, as soon as the minimum sync period allows. */
  sync(): void {
    this.onQueued?.();
    this.runner.run();
  }
}
