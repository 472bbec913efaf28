// The horizontal pod autoscaler (pkg/controller/podautoscaler/horizontal.go).
// Every HPA is reconciled once a sync period (--horizontal-pod-autoscaler-sync-period):
// its target's scale subresource is read; a replica count outside
// [minReplicas, maxReplicas] is brought inside it; otherwise the metrics
// decide. Resource and ContainerResource metrics come from metrics.k8s.io
// (the metrics-server) and the pod informer, through replica-calculator.ts;
// the proposal is then stabilized and rate-limited as behavior.ts does. The
// custom and external metrics APIs are not read, so Pods, Object and External
// metrics fail with upstream's conditions and events, as does any metric
// while metrics.k8s.io is unavailable; the replica count is then kept.
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerCondition,
  MetricSpec,
  MetricStatus,
  MetricTarget,
  MetricValueStatus,
} from "kubernetes-types/autoscaling/v2.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { ApiError, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { metaTime } from "../../client/event-correlator.ts";
import type { Recorder } from "../../client/event-recorder.ts";
import { metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { ResourceRef, RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { parse as parseSelector, type Selector } from "../../machinery/labels.ts";
import { Format, Quantity } from "../../machinery/quantity.ts";
import type { Controller, ReconcileResult, Reconciler } from "../controller.ts";
import {
  type ConditionUpdate,
  DEFAULT_DOWNSCALE_STABILISATION_WINDOW_MS,
  normalizeDesiredReplicas,
  normalizeDesiredReplicasWithBehaviors,
  ScaleHistory,
  storeScaleEvent,
} from "./behavior.ts";
import {
  DEFAULT_CPU_INITIALIZATION_PERIOD_MS,
  DEFAULT_DELAY_OF_INITIAL_READINESS_STATUS_MS,
  DEFAULT_TOLERANCE,
  getRawResourceReplicas,
  getResourceMetric,
  getResourceReplicas,
  type PodMetrics,
  type PodMetricsInfo,
  type ReplicaCalculatorConfig,
} from "./replica-calculator.ts";

/** The default --horizontal-pod-autoscaler-sync-period. */
export const DEFAULT_HPA_SYNC_PERIOD_MS = 15_000;

const POD_METRICS: ResourceRef = {
  group: "metrics.k8s.io",
  version: "v1beta1",
  resource: "pods",
  namespaced: true,
};
const externalMetric = (name: string): ResourceRef => ({
  group: "external.metrics.k8s.io",
  version: "v1beta1",
  resource: name,
  namespaced: true,
});

interface Scale {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

export interface HorizontalControllerOptions {
  client: RestClient;
  hpas: SharedInformer<HorizontalPodAutoscaler>;
  /** The pods the targets' selectors match (upstream's podLister). */
  pods: SharedInformer<Pod>;
  recorder: Recorder;
  clock: Clock;
  syncPeriodMs?: number;
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance?: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs?: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  delayOfInitialReadinessStatusMs?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
  downscaleStabilisationWindowMs?: number;
  log?(msg: string): void;
}

/** What one metric proposes (computeReplicasForMetric's results). */
interface MetricProposal {
  replicas: number;
  metric: string;
  status: MetricStatus;
}

/** An error that carries the condition the HPA reports for it. */
class MetricError extends Error {
  constructor(
    message: string,
    readonly condition: HorizontalPodAutoscalerCondition,
  ) {
    super(message);
  }
}

export class HorizontalController implements Reconciler {
  private readonly syncPeriodMs: number;
  private readonly log: (msg: string) => void;
  /** Resources by "group/version", from discovery: what a scaleTargetRef's kind maps to. */
  private readonly discovered = new Map<string, Array<{ name: string; kind: string }>>();
  private readonly calc: ReplicaCalculatorConfig;
  private readonly downscaleStabilisationWindowMs: number;
  /** Recent recommendations and scale events of each HPA, which stabilization and the policies read. */
  private readonly history = new ScaleHistory();

  constructor(private readonly o: HorizontalControllerOptions) {
    this.syncPeriodMs = o.syncPeriodMs ?? DEFAULT_HPA_SYNC_PERIOD_MS;
    this.log = o.log ?? (() => {});
    this.calc = {
      tolerance: o.tolerance ?? DEFAULT_TOLERANCE,
      cpuInitializationPeriodMs: o.cpuInitializationPeriodMs ?? DEFAULT_CPU_INITIALIZATION_PERIOD_MS,
      delayOfInitialReadinessStatusMs:
        o.delayOfInitialReadinessStatusMs ?? DEFAULT_DELAY_OF_INITIAL_READINESS_STATUS_MS,
      now: () => o.clock.now(),
    };
    this.downscaleStabilisationWindowMs =
      o.downscaleStabilisationWindowMs ?? DEFAULT_DOWNSCALE_STABILISATION_WINDOW_MS;
  }

  registerHandlers(controller: Controller): void {
    // Every request waits a sync period in the queue, so each HPA is processed once a period (upstream's enqueueHPA).
    const enqueue = (hpa: HorizontalPodAutoscaler) =>
      controller.enqueueAfter(metaNamespaceKey(hpa), this.syncPeriodMs);
    this.o.hpas.addEventHandler({ onAdd: enqueue, onUpdate: (_old, cur) => enqueue(cur) });
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const cached = this.o.hpas.getIndexer().get(key);
    if (!cached) {
      this.history.forget(key);
      return undefined;
    }
    try {
      await this.reconcileAutoscaler(deepCopyJson(cached));
    } catch (e) {
      this.log(`${(e as Error).message}`);
    }
    return { requeueAfterMs: this.syncPeriodMs };
  }

  /** reconcileAutoscaler: one pass over one HPA; throws what upstream returns as the sync's error. */
  async reconcileAutoscaler(hpa: HorizontalPodAutoscaler): Promise<void> {
    const original = deepCopyJson(hpa.status);
    const spec = hpa.spec!;
    const ns = hpa.metadata?.namespace ?? "";
    const ref = spec.scaleTargetRef;
    const reference = `${ref.kind}/${ns}/${ref.name}`;

    let scale: Scale;
    let target: ResourceRef;
    try {
      target = await this.scaleResource(ref.apiVersion ?? "", ref.kind);
      scale = await this.o.client.get<Scale>(target, ref.name, { namespace: ns, subresource: "scale" });
    } catch (e) {
      const message = (e as Error).message;
      this.o.recorder.event(hpa, "Warning", "FailedGetScale", message);
      this.setCondition(
        hpa,
        "AbleToScale",
        "False",
        "FailedGetScale",
        `the HPA controller was unable to get the target's current scale: ${message}`,
      );
      await this.updateStatusIfNeeded(original, hpa);
      throw new Error(`failed to query scale subresource for ${reference}: ${message}`);
    }
    this.setCondition(
      hpa,
      "AbleToScale",
      "True",
      "SucceededGetScale",
      "the HPA controller was able to get the target's current scale",
    );
    const currentReplicas = scale.spec?.replicas ?? 0;
    const key = metaNamespaceKey(hpa);
    this.history.recordInitialRecommendation(key, currentReplicas, this.o.clock.now());
    const minReplicas = spec.minReplicas ?? 1;
    let desiredReplicas = 0;
    let rescaleReason = "";
    let rescale = true;
    let metricStatuses: MetricStatus[] | undefined;
    // Some metrics failed but the others scale up: scale, then report the failure.
    let retErr: Error | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      desiredReplicas = 0;
      rescale = false;
      this.setCondition(
        hpa,
        "ScalingActive",
        "False",
        "ScalingDisabled",
        "scaling is disabled since the replica count of the target is zero",
      );
    } else if (currentReplicas > spec.maxReplicas) {
      rescaleReason = "Current number of replicas above Spec.MaxReplicas";
      desiredReplicas = spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = "Current number of replicas below Spec.MinReplicas";
      desiredReplicas = minReplicas;
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, scale, spec.metrics ?? []);
      metricStatuses = computed.statuses;
      if (computed.error && computed.replicas === -1) {
        // Nothing to act on: keep the replica count, report why.
        this.setStatus(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
        await this.updateStatusIfNeeded(original, hpa);
        this.o.recorder.event(hpa, "Warning", "FailedComputeMetricsReplicas", computed.error.message);
        throw new Error(
          `failed to compute desired number of replicas based on listed metrics for ${reference}: ${computed.error.message}`,
        );
      }
      retErr = computed.error;

      let rescaleMetric = "";
      if (computed.replicas > desiredReplicas) {
        desiredReplicas = computed.replicas;
        rescaleMetric = computed.metric;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = "All metrics below target";
      const now = this.o.clock.now();
      const normalized = spec.behavior
        ? normalizeDesiredReplicasWithBehaviors(
            this.history,
            key,
            spec.behavior,
            currentReplicas,
            desiredReplicas,
            minReplicas,
            spec.maxReplicas,
            this.downscaleStabilisationWindowMs,
            now,
          )
        : normalizeDesiredReplicas(
            this.history,
            key,
            currentReplicas,
            desiredReplicas,
            minReplicas,
            spec.maxReplicas,
            this.downscaleStabilisationWindowMs,
            now,
          );
      this.applyConditions(hpa, normalized.conditions);
      desiredReplicas = normalized.desiredReplicas;
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await this.o.client.update(
          target,
          {
            ...scale,
            apiVersion: "autoscaling/v1",
            kind: "Scale",
            spec: { ...scale.spec, replicas: desiredReplicas },
          },
          { namespace: ns, subresource: "scale" },
        );
      } catch (e) {
        const message = (e as Error).message;
        this.o.recorder.event(
          hpa,
          "Warning",
          "FailedRescale",
          `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${message}`,
        );
        this.setCondition(
          hpa,
          "AbleToScale",
          "False",
          "FailedUpdateScale",
          `the HPA controller was unable to update the target scale: ${message}`,
        );
        this.setStatus(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
        await this.updateStatusIfNeeded(original, hpa);
        throw new Error(`failed to rescale ${reference}: ${message}`);
      }
      this.setCondition(
        hpa,
        "AbleToScale",
        "True",
        "SucceededRescale",
        `the HPA controller was able to update the target scale to ${desiredReplicas}`,
      );
      this.o.recorder.event(
        hpa,
        "Normal",
        "SuccessfulRescale",
        `New size: ${desiredReplicas}; reason: ${rescaleReason}`,
      );
      storeScaleEvent(
        this.history,
        spec.behavior,
        key,
        currentReplicas,
        desiredReplicas,
        this.downscaleStabilisationWindowMs,
        this.o.clock.now(),
      );
      this.log(
        `Successfully rescaled ${reference} from ${currentReplicas} to ${desiredReplicas}: ${rescaleReason}`,
      );
    } else {
      desiredReplicas = currentReplicas;
    }
    this.setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale);
    await this.updateStatusIfNeeded(original, hpa);
    if (retErr) throw retErr;
  }

  /**
   * computeReplicasForMetrics: the largest replica count the metrics propose,
   * the metric that proposed it, and every metric's status (empty for one that
   * failed, as upstream leaves it). replicas is -1 when nothing can be acted
   * on: every metric failed, or some failed and the rest would scale down.
   * error names the first failure, also when the others still scale up.
   */
  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: Scale,
    specs: MetricSpec[],
  ): Promise<{ replicas: number; metric: string; statuses: MetricStatus[]; error?: Error }> {
    const failed = (error: Error, statuses: MetricStatus[] = []) => ({
      replicas: -1,
      metric: "",
      statuses,
      error,
    });
    const selector = scale.status?.selector ?? "";
    if (selector === "") {
      this.o.recorder.event(hpa, "Warning", "SelectorRequired", "selector is required");
      this.setCondition(
        hpa,
        "ScalingActive",
        "False",
        "InvalidSelector",
        "the HPA target's scale is missing a selector",
      );
      return failed(new Error("selector is required"));
    }
    let parsed: Selector;
    try {
      parsed = parseSelector(selector);
    } catch (e) {
      const message = `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`;
      this.o.recorder.event(hpa, "Warning", "InvalidSelector", message);
      this.setCondition(hpa, "ScalingActive", "False", "InvalidSelector", message);
      return failed(new Error(message));
    }
    const statuses: MetricStatus[] = specs.map(() => ({ type: "" }) as MetricStatus);
    if (specs.length === 0) {
      // Validation requires at least one metric once defaulted, so only a stored oddity gets here.
      return failed(new Error("no metrics to compute a replica count from"), statuses);
    }
    const specReplicas = scale.spec?.replicas ?? 0;
    let replicas = 0;
    let metric = "";
    let invalid = 0;
    let first: MetricError | undefined;
    for (const [i, spec] of specs.entries()) {
      const proposal = await this.computeReplicasForMetric(hpa, spec, specReplicas, selector, parsed);
      if (proposal instanceof MetricError) {
        first ??= proposal;
        invalid++;
        continue;
      }
      statuses[i] = proposal.status;
      if (replicas === 0 || proposal.replicas > replicas) {
        replicas = proposal.replicas;
        metric = proposal.metric;
      }
    }
    const error =
      first &&
      new Error(
        `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.message}`,
      );
    // A failed metric might have asked for more: never scale down on the others alone.
    if (first && (invalid >= specs.length || replicas < specReplicas)) {
      const c = first.condition;
      this.setCondition(hpa, c.type, c.status, c.reason!, c.message!);
      return failed(error!, statuses);
    }
    this.setCondition(
      hpa,
      "ScalingActive",
      "True",
      "ValidMetricFound",
      `the HPA was able to successfully calculate a replica count from ${metric}`,
    );
    return { replicas, metric, statuses, error };
  }

  /** computeReplicasForMetric: one metric's proposal, or its error wrapped as upstream wraps it. */
  private async computeReplicasForMetric(
    hpa: HorizontalPodAutoscaler,
    spec: MetricSpec,
    specReplicas: number,
    selector: string,
    parsed: Selector,
  ): Promise<MetricProposal | MetricError> {
    const ns = hpa.metadata?.namespace ?? "";
    const unable = (reason: string, message: string, outer: string): MetricError => {
      // getUnableComputeReplicaCountCondition records the inner error as an event.
      this.o.recorder.event(hpa, "Warning", reason, message);
      return new MetricError(`${outer}${message}`, {
        type: "ScalingActive",
        status: "False",
        reason,
        message: `the HPA was unable to compute the replica count: ${message}`,
      });
    };
    switch (spec.type) {
      case "Resource":
      case "ContainerResource": {
        const isResource = spec.type === "Resource";
        const source = isResource ? spec.resource! : spec.containerResource!;
        const container = isResource ? "" : spec.containerResource!.container;
        let computed: { replicas: number; metric: string; current: MetricValueStatus };
        try {
          computed = await this.computeStatusForResourceMetricGeneric(
            specReplicas,
            source.target,
            source.name,
            ns,
            container,
            selector,
            parsed,
            spec.type,
          );
        } catch (e) {
          const message = (e as Error).message;
          return isResource
            ? unable(
                "FailedGetResourceMetric",
                message,
                `failed to get ${source.name} resource metric value: `,
              )
            : unable(
                "FailedGetContainerResourceMetric",
                message,
                `failed to get ${source.name} container metric value: `,
              );
        }
        const status: MetricStatus = isResource
          ? { type: "Resource", resource: { name: source.name, current: computed.current } }
          : {
              type: "ContainerResource",
              containerResource: { name: source.name, container, current: computed.current },
            };
        return { replicas: computed.replicas, metric: computed.metric, status };
      }
      case "Pods":
        return unable(
          "FailedGetPodsMetric",
          `unable to get metric ${spec.pods!.metric.name}: ${await this.customMetricsError()}`,
          "failed to get pods metric value: ",
        );
      case "Object":
        return unable(
          "FailedGetObjectMetric",
          `unable to get metric ${spec.object!.metric.name}: ${await this.customMetricsError()}`,
          "failed to get object metric value: ",
        );
      case "External":
        return unable(
          "FailedGetExternalMetric",
          `unable to get external metric ${ns}/${spec.external!.metric.name}: ${await this.fetchError("external", externalMetric(spec.external!.metric.name), ns)}`,
          "failed to get external metric value: ",
        );
      default: {
        const message = `unknown metric source type ${JSON.stringify(spec.type)}`;
        return unable("InvalidMetricSourceType", message, "");
      }
    }
  }

  /**
   * computeStatusForResourceMetricGeneric: the proposal and current value of a
   * Resource or ContainerResource metric, from an average value (usage) or an
   * average utilization (percentage of request) target.
   */
  private async computeStatusForResourceMetricGeneric(
    currentReplicas: number,
    target: MetricTarget,
    resourceName: string,
    namespace: string,
    container: string,
    selector: string,
    parsed: Selector,
    sourceType: "Resource" | "ContainerResource",
  ): Promise<{ replicas: number; metric: string; current: MetricValueStatus }> {
    const usage = target.averageValue != null;
    if (!usage && target.averageUtilization == null) {
      throw new Error(
        "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set",
      );
    }
    try {
      const targetUsage = usage ? Quantity.parse(String(target.averageValue)).milliValue() : 0n;
      const { metrics, timestamp } = await this.getResourceMetric(
        resourceName,
        namespace,
        selector,
        container,
      );
      const pods = this.podsFor(namespace, parsed);
      if (usage) {
        const raw = getRawResourceReplicas(
          this.calc,
          currentReplicas,
          targetUsage,
          resourceName,
          pods,
          metrics,
          timestamp,
        );
        return {
          replicas: raw.replicaCount,
          metric: `${resourceName} resource`,
          current: { averageValue: Quantity.fromMilli(raw.usage, Format.DecimalSI).toString() },
        };
      }
      const computed = getResourceReplicas(
        this.calc,
        currentReplicas,
        target.averageUtilization!,
        resourceName,
        container,
        pods,
        metrics,
        timestamp,
      );
      return {
        replicas: computed.replicaCount,
        metric:
          sourceType === "ContainerResource"
            ? `${resourceName} container resource utilization (percentage of request)`
            : `${resourceName} resource utilization (percentage of request)`,
        current: {
          averageUtilization: computed.utilization,
          averageValue: Quantity.fromMilli(computed.rawUtilization, Format.DecimalSI).toString(),
        },
      };
    } catch (e) {
      throw new Error(
        `failed to get ${resourceName} ${usage ? "usage" : "utilization"}: ${(e as Error).message}`,
      );
    }
  }

  /** The metrics client's GetResourceMetric: lists metrics.k8s.io PodMetrics by the target's selector. */
  private async getResourceMetric(
    resource: string,
    namespace: string,
    labelSelector: string,
    container: string,
  ): Promise<{ metrics: PodMetricsInfo; timestamp: number }> {
    const wrap = (message: string) => new Error(`unable to get metrics for resource ${resource}: ${message}`);
    let list: { items?: PodMetrics[] };
    try {
      list = await this.o.client.list<PodMetrics>(POD_METRICS, { namespace, labelSelector });
    } catch (e) {
      const qualified = `${POD_METRICS.resource}.${POD_METRICS.group}`;
      throw wrap(
        `unable to fetch metrics from resource metrics API: ${clientGoMessage(e, "get", qualified)}`,
      );
    }
    try {
      return getResourceMetric(list, resource, container);
    } catch (e) {
      throw wrap((e as Error).message);
    }
  }

  /** The pod lister's Pods(namespace).List(selector). */
  private podsFor(namespace: string, selector: Selector): Pod[] {
    return this.o.pods
      .getIndexer()
      .byNamespace(namespace)
      .filter((pod) => selector.matches(pod.metadata?.labels));
  }

  private applyConditions(hpa: HorizontalPodAutoscaler, conditions: ConditionUpdate[]): void {
    for (const c of conditions) this.setCondition(hpa, c.type, c.status, c.reason, c.message);
  }

  /**
   * What a metrics client's list fails with, as client-go words it: k8ts serves no external metrics
   * API, so a 404 ("the server could not find the requested resource (get <metric>.external.metrics.k8s.io)").
   */
  private async fetchError(api: string, ref: ResourceRef, namespace: string) {
    const prefix = `unable to fetch metrics from ${api} metrics API`;
    try {
      await this.o.client.list(ref, { namespace });
      return `${prefix}: k8ts's autoscaler does not read ${ref.group}`;
    } catch (e) {
      return `${prefix}: ${clientGoMessage(e, "get", `${ref.resource}.${ref.group}`)}`;
    }
  }

  /** The custom metrics client finds its API group through discovery first. */
  private async customMetricsError(): Promise<string> {
    const groups = await this.o.client.json<{ groups?: Array<{ name: string }> }>(
      "GET",
      "/apis",
      {},
      undefined,
    );
    return groups.groups?.some((g) => g.name === "custom.metrics.k8s.io")
      ? "k8ts's autoscaler does not read custom.metrics.k8s.io"
      : "no custom metrics API (custom.metrics.k8s.io) registered";
  }

  /** The scaleTargetRef's resource from discovery (upstream's RESTMapper), which must serve /scale. */
  private async scaleResource(apiVersion: string, kind: string): Promise<ResourceRef> {
    const slash = apiVersion.indexOf("/");
    const group = slash === -1 ? "" : apiVersion.slice(0, slash);
    const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
    if (version === "" || apiVersion.split("/").length > 2) {
      throw new Error(`unexpected GroupVersion string: ${apiVersion}`);
    }
    const gv = group ? `${group}/${version}` : version;
    let resources = this.discovered.get(gv);
    const find = () => resources?.find((r) => r.kind === kind && !r.name.includes("/"));
    if (!find()) {
      try {
        const path = group ? `/apis/${gv}` : `/api/${gv}`;
        const list = await this.o.client.json<{ resources: Array<{ name: string; kind: string }> }>(
          "GET",
          path,
          {},
          undefined,
        );
        resources = list.resources;
        this.discovered.set(gv, resources);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    const found = find();
    if (!found)
      throw new Error(`no matches for kind ${JSON.stringify(kind)} in group ${JSON.stringify(group)}`);
    return { group, version, resource: found.name, namespaced: true };
  }

  /** setStatus: what the HPA reports after a pass; lastScaleTime moves only on a rescale. */
  private setStatus(
    hpa: HorizontalPodAutoscaler,
    currentReplicas: number,
    desiredReplicas: number,
    metricStatuses: MetricStatus[] | undefined,
    rescale: boolean,
  ): void {
    const status = hpa.status ?? { desiredReplicas: 0 };
    hpa.status = {
      currentReplicas,
      desiredReplicas,
      ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
      ...(metricStatuses && metricStatuses.length > 0 ? { currentMetrics: metricStatuses } : {}),
      ...(status.conditions ? { conditions: status.conditions } : {}),
    };
    if (rescale) hpa.status.lastScaleTime = metaTime(this.o.clock.now());
  }

  private setCondition(
    hpa: HorizontalPodAutoscaler,
    type: string,
    status: string,
    reason: string,
    message: string,
  ) {
    setConditionInList(hpa, type, status, reason, message, metaTime(this.o.clock.now()));
  }

  /** updateStatusIfNeeded: PUT /status only when the status changed. */
  private async updateStatusIfNeeded(
    original: HorizontalPodAutoscaler["status"],
    hpa: HorizontalPodAutoscaler,
  ) {
    if (JSON.stringify(original) === JSON.stringify(hpa.status)) return;
    try {
      await this.o.client.update(
        Resources.horizontalpodautoscalers,
        { ...hpa, apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler" },
        { subresource: "status" },
      );
    } catch (e) {
      this.log(`failed to update status for ${hpa.metadata?.name}: ${(e as Error).message}`);
    }
  }
}

/**
 * client-go's message for a failed typed request: a 404 that names no object
 * is "the server could not find the requested resource (get pods.metrics.k8s.io)".
 */
function clientGoMessage(e: unknown, verb: string, qualifiedResource: string): string {
  if (e instanceof ApiError && e.code === 404 && !e.details?.name) {
    return `the server could not find the requested resource (${verb} ${qualifiedResource})`;
  }
  return (e as Error).message;
}

/** setConditionInList: the transition time moves only when the status does. */
function setConditionInList(
  hpa: HorizontalPodAutoscaler,
  type: string,
  status: string,
  reason: string,
  message: string,
  now: string,
): void {
  hpa.status ??= { desiredReplicas: 0 };
  hpa.status.conditions ??= [];
  const conditions = hpa.status.conditions;
  let existing = conditions.find((c) => c.type === type);
  if (!existing) {
    existing = { type, status: "" };
    conditions.push(existing);
  }
  if (existing.status !== status) existing.lastTransitionTime = now;
  existing.status = status;
  existing.reason = reason;
  existing.message = message;
}
