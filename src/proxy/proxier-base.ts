// What both proxy modes share: the Service and EndpointSlice change trackers
// that the informers' handlers feed (upstream's proxy.ServiceHandler and
// EndpointSliceHandler), and the bounded-frequency runner a change wakes
// once both caches have synced. It also keeps the node's topology labels
// (upstream's NodeTopologyConfig + the proxiers' OnTopologyChange), which
// categorizeEndpoints reads for zone hints.
import type { Node, Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import type { BoundedFrequencyRunner } from "./bounded-frequency-runner.ts";
import { EndpointsChangeTracker, EndpointsMap } from "./endpoints-cache.ts";
import { ServiceChangeTracker, ServicePortMap } from "./service-change-tracker.ts";
import { LABEL_TOPOLOGY_ZONE } from "./topology.ts";

type Log = (msg: string, fields?: Record<string, unknown>) => void;

/** NodeTopologyConfig.handleNodeEvent: only the labels topology routing reads. */
export function topologyLabelsOf(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (labels && LABEL_TOPOLOGY_ZONE in labels) out[LABEL_TOPOLOGY_ZONE] = labels[LABEL_TOPOLOGY_ZONE];
  return out;
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

export abstract class ProxierBase {
  protected readonly serviceChanges = new ServiceChangeTracker();
  protected readonly endpointsChanges: EndpointsChangeTracker;
  protected readonly svcPortMap = new ServicePortMap();
  protected readonly endpointsMap = new EndpointsMap();
  protected servicesSynced = false;
  protected endpointSlicesSynced = false;
  protected abstract readonly runner: BoundedFrequencyRunner;
  /** This node's topology labels (topology.kubernetes.io/zone), from its Node object. */
  protected topologyLabels: Record<string, string> = {};

  constructor(
    protected readonly hostname: string,
    private readonly onQueued?: () => void,
    private readonly logTopology?: Log,
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

  // The proxy's own Node (upstream's node informer watches only metadata.name=hostname).
  onNodeAdd(node: Node): void {
    this.onNodeUpdate(undefined, node);
  }
  onNodeUpdate(_old: Node | undefined, node: Node): void {
    if (this.isOtherNode(node)) return;
    this.onTopologyChange(topologyLabelsOf(node.metadata?.labels));
  }
  onNodeDelete(node: Node): void {
    if (this.isOtherNode(node)) return;
    this.onTopologyChange({});
  }
  onNodeSynced(): void {}

  private isOtherNode(node: Node): boolean {
    if (node.metadata?.name === this.hostname) return false;
    this.logTopology?.("Received a watch event for a node that doesn't match the current node", {
      eventNode: node.metadata?.name,
      currentNode: this.hostname,
    });
    return true;
  }

  /**
   * OnTopologyChange: every service's cluster endpoints may change with the zone, so the next
   * sync is a full one (a partial sync would keep the chains of services that did not change).
   */
  onTopologyChange(labels: Record<string, string>): void {
    if (sameLabels(this.topologyLabels, labels)) return;
    this.topologyLabels = { ...labels };
    this.forceFullSync();
    this.logTopology?.("Updated proxier node topology labels", { labels });
    if (this.initialized) this.sync();
  }

  /** The node's topology labels, as categorizeEndpoints gets them. */
  get nodeTopologyLabels(): Readonly<Record<string, string>> {
    return this.topologyLabels;
  }

  /** Makes the next sync rewrite every service (modes without partial syncs need nothing). */
  forceFullSync(): void {}

  /** Queues a sync, as soon as the minimum sync period allows. */
  sync(): void {
    this.onQueued?.();
    this.runner.run();
  }
}
