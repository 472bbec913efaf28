// The horizontal pod autoscaler (pkg/controller/podautoscaler/horizontal.go).
// Every HPA is reconciled once a sync period (--horizontal-pod-autoscaler-sync-period):
// its target's scale subresource is read; a replica count outside
// [minReplicas, maxReplicas] is brought inside it; otherwise the metrics
// decide. k8ts serves no metrics API (metrics.k8s.io, custom.metrics.k8s.io,
// external.metrics.k8s.io), so metric queries fail and the HPA says so in
// its conditions and events, exactly as upstream does in a cluster without
// metrics-server; it then keeps the replica count.
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerCondition,
  MetricSpec,
  MetricStatus,
} from "kubernetes-types/autoscaling/v2.d.ts";
import { ApiError, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { metaTime } from "../../client/event-correlator.ts";
import type { Recorder } from "../../client/event-recorder.ts";
import { metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { ResourceRef, RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { parse as parseSelector } from "../../machinery/labels.ts";
import type { Controller, ReconcileResult, Reconciler } from "../controller.ts";

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
  recorder: Recorder;
  clock: Clock;
  syncPeriodMs?: number;
  log?(msg: string): void;
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

  constructor(private readonly o: HorizontalControllerOptions) {
    this.syncPeriodMs = o.syncPeriodMs ?? DEFAULT_HPA_SYNC_PERIOD_MS;
    this.log = o.log ?? (() => {});
  }

  registerHandlers(controller: Controller): void {
    // Every request waits a sync period in the queue, so each HPA is processed once a period (upstream's enqueueHPA).
    const enqueue = (hpa: HorizontalPodAutoscaler) =>
      controller.enqueueAfter(metaNamespaceKey(hpa), this.syncPeriodMs);
    this.o.hpas.addEventHandler({ onAdd: enqueue, onUpdate: (_old, cur) => enqueue(cur) });
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const cached = this.o.hpas.getIndexer().get(key);
    if (!cached) return undefined;
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
    const minReplicas = spec.minReplicas ?? 1;
    let desiredReplicas = 0;
    let rescaleReason = "";
    let rescale = true;
    let metricStatuses: MetricStatus[] | undefined;

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
      // No metric could be read: keep the replica count, report why (the only outcome without a metrics API).
      this.setStatus(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
      await this.updateStatusIfNeeded(original, hpa);
      this.o.recorder.event(hpa, "Warning", "FailedComputeMetricsReplicas", computed.error.message);
      throw new Error(
        `failed to compute desired number of replicas based on listed metrics for ${reference}: ${computed.error.message}`,
      );
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
      this.log(
        `Successfully rescaled ${reference} from ${currentReplicas} to ${desiredReplicas}: ${rescaleReason}`,
      );
    } else {
      desiredReplicas = currentReplicas;
    }
    this.setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale);
    await this.updateStatusIfNeeded(original, hpa);
  }

  /**
   * computeReplicasForMetrics when every metric fails: the statuses (empty for
   * each failed metric, as upstream leaves them), and the error naming the first.
   */
  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: Scale,
    specs: MetricSpec[],
  ): Promise<{ statuses: MetricStatus[]; error: Error }> {
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
      return { statuses: [], error: new Error("selector is required") };
    }
    try {
      parseSelector(selector);
    } catch (e) {
      const message = `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`;
      this.o.recorder.event(hpa, "Warning", "InvalidSelector", message);
      this.setCondition(hpa, "ScalingActive", "False", "InvalidSelector", message);
      return { statuses: [], error: new Error(message) };
    }
    const statuses: MetricStatus[] = specs.map(() => ({ type: "" }) as MetricStatus);
    let first: MetricError | undefined;
    for (const spec of specs) {
      const err = await this.computeReplicasForMetric(hpa, spec, selector);
      first ??= err;
    }
    if (!first) {
      // No metrics at all: validation requires at least one once defaulted, so only a stored oddity gets here.
      return { statuses, error: new Error("no metrics to compute a replica count from") };
    }
    this.setCondition(
      hpa,
      first.condition.type,
      first.condition.status,
      first.condition.reason!,
      first.condition.message!,
    );
    return {
      statuses,
      error: new Error(
        `invalid metrics (${specs.length} invalid out of ${specs.length}), first error is: ${first.message}`,
      ),
    };
  }

  /** computeReplicasForMetric: the error one metric gives, each wrapped as upstream wraps it. */
  private async computeReplicasForMetric(
    hpa: HorizontalPodAutoscaler,
    spec: MetricSpec,
    selector: string,
  ): Promise<MetricError> {
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
        const source = spec.type === "Resource" ? spec.resource! : spec.containerResource!;
        const name = source.name;
        const usage = source.target.averageValue != null;
        let message: string;
        if (!usage && source.target.averageUtilization == null) {
          message =
            "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set";
        } else {
          const inner = await this.fetchError("resource", POD_METRICS, ns, selector);
          message = `failed to get ${name} ${usage ? "usage" : "utilization"}: unable to get metrics for resource ${name}: ${inner}`;
        }
        return spec.type === "Resource"
          ? unable("FailedGetResourceMetric", message, `failed to get ${name} resource metric value: `)
          : unable(
              "FailedGetContainerResourceMetric",
              message,
              `failed to get ${name} container metric value: `,
            );
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
   * What a metrics client's list fails with, as client-go words it: k8ts serves no metrics API, so a 404
   * ("the server could not find the requested resource (get pods.metrics.k8s.io)").
   */
  private async fetchError(api: string, ref: ResourceRef, namespace: string, labelSelector?: string) {
    const prefix = `unable to fetch metrics from ${api} metrics API`;
    try {
      await this.o.client.list(ref, { namespace, labelSelector });
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
