// upstream's Endpoints controller (pkg/controller/endpoint/
// endpoints_controller.go): one reconcile per Service key. A Service with a
// selector gets a core/v1 Endpoints object of the same name listing the pods
// it selects — ready ones under addresses, others under notReadyAddresses
// (or all as ready with publishNotReadyAddresses) — per port resolved from
// each pod, repacked into canonical subsets, truncated at 1000 addresses.
// It is written only when subsets, labels or the capacity annotation change,
// and deleted with its Service.
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Endpoints,
  Pod,
  Service,
  ServicePort,
} from "kubernetes-types/core/v1.d.ts";
import { ApiError, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { defaultControllerRateLimiter } from "../../client/workqueue/rate-limiters.ts";
import { selectorFromSet } from "../../machinery/labels.ts";
import { Controller, type ReconcileResult, type Reconciler, splitKey } from "../controller.ts";
import {
  findPort,
  formatRFC3339Nano,
  getPodServiceMemberships,
  getServicesToUpdateOnPodChange,
  serviceSelector,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from "../endpointslice/controller-utils.ts";
import { IS_HEADLESS_SERVICE } from "../endpointslice/labels.ts";
import {
  ENDPOINTS_LAST_CHANGE_TRIGGER_TIME,
  TriggerTimeTracker,
} from "../endpointslice/trigger-time-tracker.ts";
import { isServiceIPSet } from "../endpointslice/utils.ts";
import { isPodReady } from "../util/pods.ts";
import {
  capacityAnnotationSetCorrectly,
  ENDPOINTS_OVER_CAPACITY,
  TRUNCATED,
  truncateEndpoints,
} from "./capacity.ts";
import { repackSubsets } from "./repack.ts";
import { StaleEndpointsTracker } from "./stale-endpoints-tracker.ts";

/** Attempts before a Service is dropped until its next event (upstream's maxRetries). */
const MAX_RETRIES = 15;
/** resourcelock.LeaderElectionRecordAnnotationKey: Endpoints used as a leader-election lock have no Service. */
export const LEADER_ELECTION_RECORD_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";

export interface EndpointsControllerOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  serviceInformer: SharedInformer<Service>;
  podInformer: SharedInformer<Pod>;
  endpointsInformer: SharedInformer<Endpoints>;
  /** --endpoint-updates-batch-period: a delay added to syncs caused by pods (0). */
  endpointUpdatesBatchPeriodMs?: number;
  log?(msg: string): void;
}

/** podToEndpointAddressForService: the pod's IP of the Service's (first) family, its node and a reference. */
export function podToEndpointAddressForService(svc: Service, pod: Pod): EndpointAddress {
  let family = "IPv4";
  const families = svc.spec?.ipFamilies ?? [];
  if (families.length > 0) {
    family = families[0];
  } else {
    // An apiserver that does not set ipFamilies: the cluster IP's family, or the pod IP's when headless.
    const clusterIP = svc.spec?.clusterIP ?? "";
    const probe = clusterIP && clusterIP !== "None" ? clusterIP : (pod.status?.podIP ?? "");
    if (probe.includes(":")) family = "IPv6";
  }
  const ip = (pod.status?.podIPs ?? [])
    .map((p) => p.ip)
    .find((p) => !!p && (family === "IPv6") === p.includes(":"));
  if (!ip) throw new Error(`failed to find a matching endpoint for service ${svc.metadata?.name}`);
  return {
    ip,
    nodeName: pod.spec?.nodeName ?? "",
    targetRef: {
      kind: "Pod",
      namespace: pod.metadata?.namespace,
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
    },
  };
}

/** endpointPortFromServicePort. */
function endpointPortFromServicePort(sp: ServicePort, port: number): EndpointPort {
  const ep: EndpointPort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
  if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
  return ep;
}

/** addEndpointSubset: one subset for one address and (at most) one port, ready or not. */
function addEndpointSubset(
  subsets: EndpointSubset[],
  pod: Pod,
  epa: EndpointAddress,
  epp: EndpointPort | undefined,
  tolerateUnreadyEndpoints: boolean,
): void {
  const ports = epp ? [epp] : [];
  if (tolerateUnreadyEndpoints || isPodReady(pod)) subsets.push({ addresses: [epa], ports });
  else subsets.push({ notReadyAddresses: [epa], ports });
}

/** JSON of a value with object keys sorted and empty arrays, empty objects and undefined dropped (Semantic.DeepEqual's nil = empty). */
function canonical(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.length ? x.map(norm) : undefined;
    if (x && typeof x === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        const n = norm((x as Record<string, unknown>)[k]);
        if (n !== undefined) out[k] = n;
      }
      return Object.keys(out).length ? out : undefined;
    }
    return x;
  };
  return JSON.stringify(norm(v) ?? null);
}

/** endpointSubsetsEqualIgnoreResourceVersion. */
export function endpointSubsetsEqualIgnoreResourceVersion(
  a: EndpointSubset[] | undefined,
  b: EndpointSubset[] | undefined,
): boolean {
  const strip = (subsets: EndpointSubset[] | undefined) =>
    (subsets ?? []).map((ss) => {
      const addr = (list: EndpointAddress[] | undefined) =>
        list?.map((x) =>
          x.targetRef ? { ...x, targetRef: { ...x.targetRef, resourceVersion: undefined } } : x,
        );
      return { ...ss, addresses: addr(ss.addresses), notReadyAddresses: addr(ss.notReadyAddresses) };
    });
  return canonical(strip(a)) === canonical(strip(b));
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  return canonical(a ?? {}) === canonical(b ?? {});
}

function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && !!e.details?.causes?.some((c) => c.reason === "NamespaceTerminating");
}

export class EndpointsController implements Reconciler {
  readonly controller: Controller;
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly services: IndexerView<Service>;
  private readonly pods: IndexerView<Pod>;
  private readonly endpoints: IndexerView<Endpoints>;
  private readonly triggerTimeTracker = new TriggerTimeTracker();
  private readonly staleEndpointsTracker = new StaleEndpointsTracker();
  private readonly batchPeriodMs: number;
  private readonly log: (msg: string) => void;

  constructor(o: EndpointsControllerOptions) {
    this.client = o.client;
    this.recorder = o.recorder;
    this.batchPeriodMs = o.endpointUpdatesBatchPeriodMs ?? 0;
    this.log = o.log ?? (() => {});
    this.controller = new Controller({
      name: "endpoint",
      reconciler: this,
      clock: o.clock,
      rateLimiter: defaultControllerRateLimiter<string>(o.clock),
      maxRetries: MAX_RETRIES,
      log: o.log,
    });
    this.services = o.serviceInformer.getIndexer();
    this.pods = o.podInformer.getIndexer();
    this.endpoints = o.endpointsInformer.getIndexer();

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
    // Someone deleted the Endpoints of a Service that still exists: put them back.
    o.endpointsInformer.addEventHandler({
      onDelete: (ep) => this.controller.enqueueObject(ep),
    });
  }

  private onPodAdd(pod: Pod): void {
    for (const key of getPodServiceMemberships(this.services, pod)) this.enqueuePodChange(key);
  }

  private enqueuePodChange(key: string): void {
    if (this.batchPeriodMs > 0) this.controller.enqueueAfter(key, this.batchPeriodMs);
    else this.controller.enqueue(key);
  }

  /**
   * checkLeftoverEndpoints: once at start, every Endpoints object's key, so
   * that those whose Service went while the controller was down are deleted.
   */
  enqueueLeftoverEndpoints(): void {
    for (const ep of this.endpoints.list()) {
      // Leader-election locks have no Service; deleting one would force a re-election.
      if (Object.hasOwn(ep.metadata?.annotations ?? {}, LEADER_ELECTION_RECORD_ANNOTATION)) continue;
      this.controller.enqueueObject(ep);
    }
  }

  /** syncService. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(key);
    if (!svc) {
      // The Service is gone: so go its Endpoints. (If this controller was down then, checkLeftoverEndpoints
      // finds them at the next start.)
      try {
        await this.client.delete(Resources.endpoints, name, { namespace });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.triggerTimeTracker.deleteService(namespace, name);
      this.staleEndpointsTracker.delete(namespace, name);
      return undefined;
    }
    // ExternalName Services get no endpoints (https://issues.k8s.io/105986).
    if (svc.spec?.type === "ExternalName") return undefined;
    // Without a selector, the Endpoints are someone else's to write.
    const sel = serviceSelector(svc);
    if (!sel) return undefined;

    const selector = selectorFromSet(sel);
    const pods = this.pods.byNamespace(namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
    // Computed even when nothing is written, so that the tracker's state stays current.
    const triggerTime = this.triggerTimeTracker.compute(namespace, svc, pods);

    const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
    const svcPorts = svc.spec?.ports ?? [];
    let subsets: EndpointSubset[] = [];
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
      let epa: EndpointAddress;
      try {
        epa = podToEndpointAddressForService(svc, pod);
      } catch (e) {
        // A pod without an IP of the Service's family (a half dual-stack cluster).
        this.log(
          `Failed to find endpoint for service ${key} on pod ${pod.metadata?.name}: ${(e as Error).message}`,
        );
        continue;
      }
      if (shouldSetHostname(pod, svc)) epa.hostname = pod.spec?.hostname;
      if (svcPorts.length === 0) {
        // A headless Service may have no ports.
        if (svc.spec?.clusterIP === "None") addEndpointSubset(subsets, pod, epa, undefined, publishNotReady);
        continue;
      }
      for (const sp of svcPorts) {
        let port: number;
        try {
          port = findPort(pod, sp);
        } catch (e) {
          this.log(`Failed to find port for service ${key}: ${(e as Error).message}`);
          continue;
        }
        addEndpointSubset(subsets, pod, epa, endpointPortFromServicePort(sp, port), publishNotReady);
      }
    }
    subsets = repackSubsets(subsets);

    // See whether anything changed.
    let current = this.endpoints.get(key);
    if (current && this.staleEndpointsTracker.isStale(current)) {
      throw new Error(
        `endpoints informer cache is out of date, resource version ${current.metadata?.resourceVersion} already processed for endpoints ${key}`,
      );
    }
    const create = !current?.metadata?.resourceVersion;
    current ??= { metadata: { name, labels: svc.metadata?.labels } };

    // The headless label is not on the Service: compare without it.
    const compareLabels = { ...(current.metadata?.labels ?? {}) };
    delete compareLabels[IS_HEADLESS_SERVICE];
    if (
      !create &&
      endpointSubsetsEqualIgnoreResourceVersion(current.subsets, subsets) &&
      sameLabels(compareLabels, svc.metadata?.labels) &&
      capacityAnnotationSetCorrectly(current.metadata?.annotations, current.subsets)
    ) {
      return undefined;
    }

    const next: Endpoints = structuredClone(current);
    next.metadata ??= {};
    if (subsets.length > 0) next.subsets = subsets;
    else delete next.subsets;
    const annotations = { ...(next.metadata.annotations ?? {}) };
    if (triggerTime) annotations[ENDPOINTS_LAST_CHANGE_TRIGGER_TIME] = formatRFC3339Nano(triggerTime);
    else delete annotations[ENDPOINTS_LAST_CHANGE_TRIGGER_TIME];
    if (truncateEndpoints(next)) annotations[ENDPOINTS_OVER_CAPACITY] = TRUNCATED;
    else delete annotations[ENDPOINTS_OVER_CAPACITY];
    next.metadata.annotations = annotations;
    const labels = { ...(svc.metadata?.labels ?? {}) };
    if (!isServiceIPSet(svc)) labels[IS_HEADLESS_SERVICE] = "";
    else delete labels[IS_HEADLESS_SERVICE];
    next.metadata.labels = labels;

    let updated: Endpoints | undefined;
    try {
      if (create) await this.client.create(Resources.endpoints, next, { namespace });
      else updated = await this.client.update(Resources.endpoints, next, { namespace });
    } catch (e) {
      // Creates keep failing in a terminating namespace: drop the item.
      if (create && isNamespaceTerminating(e)) return undefined;
      const ref = { ...next, apiVersion: "v1", kind: "Endpoints", metadata: { ...next.metadata, namespace } };
      if (create) {
        this.recorder.event(
          ref,
          "Warning",
          "FailedToCreateEndpoint",
          `Failed to create endpoint for service ${namespace}/${name}: ${(e as Error).message}`,
        );
      } else {
        this.recorder.event(
          ref,
          "Warning",
          "FailedToUpdateEndpoint",
          `Failed to update endpoint ${namespace}/${name}: ${(e as Error).message}`,
        );
      }
      throw e;
    }
    // The cache may still show the version just replaced (a no-op write keeps it, too): remember
    // it, so that the next sync waits for the cache rather than act on it (https://issues.k8s.io/127370).
    if (updated && updated.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
      this.staleEndpointsTracker.stale(current);
    }
    return undefined;
  }
}
