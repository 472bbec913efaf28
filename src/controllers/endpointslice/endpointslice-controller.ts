// upstream's EndpointSlice controller (pkg/controller/endpointslice/
// endpointslice_controller.go): one reconcile per Service key. A Service with
// a selector gets discovery.k8s.io/v1 EndpointSlices for the pods it selects
// (the reconciler decides which slices to create, update or delete); the
// tracker stops a sync whose cache has not caught up with this controller's
// own writes. Pods map to the Services that select them; slices to their
// Service by the kubernetes.io/service-name label.
import type { Node, Pod, Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from "../../client/workqueue/rate-limiters.ts";
import { selectorFromSet } from "../../machinery/labels.ts";
import {
  Controller,
  type Reconciler as QueueReconciler,
  type ReconcileResult,
  splitKey,
} from "../controller.ts";
import {
  getPodServiceMemberships,
  getServicesToUpdateOnPodChange,
  serviceSelector,
} from "./controller-utils.ts";
import { EndpointSliceTracker } from "./endpointslice-tracker.ts";
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from "./labels.ts";
import { Reconciler } from "./reconciler.ts";
import { TriggerTimeTracker } from "./trigger-time-tracker.ts";
import { serviceControllerKey } from "./utils.ts";

/** --max-endpoints-per-slice default. */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;
/** Attempts before a Service is dropped until its next event (upstream's maxRetries). */
const MAX_RETRIES = 15;
/** Least delay before a sync caused by an EndpointSlice change (endpointSliceChangeMinSyncDelay). */
const ENDPOINT_SLICE_CHANGE_MIN_SYNC_DELAY_MS = 1000;

/** The error of a sync on a cache older than this controller's writes (endpointslicepkg.StaleInformerCache). */
export class StaleInformerCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StaleInformerCacheError";
  }
}

export interface EndpointSliceControllerOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  serviceInformer: SharedInformer<Service>;
  podInformer: SharedInformer<Pod>;
  nodeInformer: SharedInformer<Node>;
  endpointSliceInformer: SharedInformer<EndpointSlice>;
  /** --max-endpoints-per-slice (100). */
  maxEndpointsPerSlice?: number;
  /** --endpointslice-updates-batch-period: a delay added to syncs caused by pods (0). */
  endpointUpdatesBatchPeriodMs?: number;
  log?(msg: string): void;
}

const withServiceKind = (svc: Service): Service => ({ ...svc, apiVersion: "v1", kind: "Service" });

export class EndpointSliceController implements QueueReconciler {
  readonly controller: Controller;
  readonly reconciler: Reconciler;
  readonly tracker = new EndpointSliceTracker();
  private readonly triggerTimeTracker = new TriggerTimeTracker();
  private readonly services: IndexerView<Service>;
  private readonly pods: IndexerView<Pod>;
  private readonly slices: IndexerView<EndpointSlice>;
  private readonly recorder: EventRecorder;
  private readonly batchPeriodMs: number;
  private readonly log: (msg: string) => void;

  constructor(o: EndpointSliceControllerOptions) {
    this.recorder = o.recorder;
    this.batchPeriodMs = o.endpointUpdatesBatchPeriodMs ?? 0;
    this.log = o.log ?? (() => {});
    this.controller = new Controller({
      name: "endpoint_slice",
      reconciler: this,
      clock: o.clock,
      // A slower backoff than the default (1 s, not 5 ms): a sync may rewrite many slices.
      rateLimiter: new MaxOfRateLimiter<string>(
        new ItemExponentialFailureRateLimiter<string>(1000, 1000 * 1000),
        new BucketRateLimiter<string>(10, 100, o.clock),
      ),
      maxRetries: MAX_RETRIES,
      log: o.log,
    });
    this.services = o.serviceInformer.getIndexer();
    this.pods = o.podInformer.getIndexer();
    this.slices = o.endpointSliceInformer.getIndexer();
    this.reconciler = new Reconciler({
      client: o.client,
      nodes: o.nodeInformer.getIndexer(),
      maxEndpointsPerSlice: o.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE,
      tracker: this.tracker,
      recorder: o.recorder,
      controllerName: ENDPOINTSLICE_CONTROLLER_NAME,
      log: o.log,
    });

    o.serviceInformer.addEventHandler({
      onAdd: (svc) => this.controller.enqueueObject(svc),
      onUpdate: (_old, cur) => this.controller.enqueueObject(cur),
      onDelete: (svc) => this.controller.enqueueObject(svc),
    });
    o.podInformer.addEventHandler({
      onAdd: (pod) => this.onPodAdd(pod),
      onUpdate: (oldPod, curPod) => {
        for (const key of getServicesToUpdateOnPodChange(this.services, oldPod, curPod))
          this.enqueuePodChange(key);
      },
      onDelete: (pod) => this.onPodAdd(pod),
    });
    o.endpointSliceInformer.addEventHandler({
      onAdd: (slice) => {
        if (this.reconciler.managedByController(slice) && this.tracker.shouldSync(slice))
          this.queueServiceFor(slice);
      },
      onUpdate: (prev, cur) => this.onEndpointSliceUpdate(prev, cur),
      onDelete: (slice) => {
        // An unexpected deletion (not one of ours): put the slice back.
        if (this.reconciler.managedByController(slice) && this.tracker.has(slice)) {
          if (!this.tracker.handleDeletion(slice)) this.queueServiceFor(slice);
        }
      },
    });
  }

  private onPodAdd(pod: Pod): void {
    for (const key of getPodServiceMemberships(this.services, pod)) this.enqueuePodChange(key);
  }

  private enqueuePodChange(key: string): void {
    if (this.batchPeriodMs > 0) this.controller.enqueueAfter(key, this.batchPeriodMs);
    else this.controller.enqueue(key);
  }

  private onEndpointSliceUpdate(prev: EndpointSlice, cur: EndpointSlice): void {
    // Users may relabel a slice to another Service (its generation does not change for labels).
    const svcName = cur.metadata?.labels?.[LABEL_SERVICE_NAME];
    const prevSvcName = prev.metadata?.labels?.[LABEL_SERVICE_NAME];
    if (svcName !== prevSvcName) {
      this.log(
        `label ${LABEL_SERVICE_NAME} changed from ${prevSvcName} to ${svcName} on EndpointSlice ${cur.metadata?.namespace}/${cur.metadata?.name}`,
      );
      this.queueServiceFor(cur);
      this.queueServiceFor(prev);
      return;
    }
    if (
      this.reconciler.managedByChanged(prev, cur) ||
      (this.reconciler.managedByController(cur) && this.tracker.shouldSync(cur))
    ) {
      this.queueServiceFor(cur);
    }
  }

  /** queueServiceForEndpointSlice: the slice's Service, after at least a second so that slice changes batch. */
  private queueServiceFor(slice: EndpointSlice): void {
    let key: string;
    try {
      key = serviceControllerKey(slice);
    } catch (e) {
      this.log(
        `Couldn't get key for EndpointSlice ${slice.metadata?.namespace}/${slice.metadata?.name}: ${(e as Error).message}`,
      );
      return;
    }
    this.controller.enqueueAfter(key, Math.max(ENDPOINT_SLICE_CHANGE_MIN_SYNC_DELAY_MS, this.batchPeriodMs));
  }

  /** syncService. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(key);
    if (!svc) {
      this.triggerTimeTracker.deleteService(namespace, name);
      this.tracker.deleteService(namespace, name);
      // Its slices go with it through their owner reference (the garbage collector).
      return undefined;
    }
    // ExternalName Services get no endpoints (https://issues.k8s.io/105986).
    if (svc.spec?.type === "ExternalName") return undefined;
    // Without a selector, slices are someone else's to write.
    const sel = serviceSelector(svc);
    if (!sel) return undefined;

    const selector = selectorFromSet(sel);
    const pods = this.pods.byNamespace(namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
    const slices = this.slices.byNamespace(namespace).filter(
      (s) =>
        s.metadata?.labels?.[LABEL_SERVICE_NAME] === name &&
        s.metadata?.labels?.[LABEL_MANAGED_BY] === this.reconciler.controllerName &&
        // Slices being deleted would only get the controller stuck.
        !s.metadata?.deletionTimestamp,
    );
    if (this.tracker.staleSlices(svc, slices)) {
      throw new StaleInformerCacheError("EndpointSlice informer cache is out of date");
    }
    // Computed even when nothing is written, so that the tracker's state stays current.
    const triggerTime = this.triggerTimeTracker.compute(namespace, svc, pods);
    try {
      await this.reconciler.reconcile(svc, pods, slices, triggerTime);
    } catch (e) {
      this.recorder.event(
        withServiceKind(svc),
        "Warning",
        "FailedToUpdateEndpointSlices",
        `Error updating Endpoint Slices for Service ${namespace}/${name}: ${(e as Error).message}`,
      );
      throw e;
    }
    return undefined;
  }
}
