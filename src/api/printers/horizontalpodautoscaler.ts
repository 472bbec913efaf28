// HorizontalPodAutoscaler printer: port of printHorizontalPodAutoscaler and formatHPAMetrics. Upstream prints
// the internal object, whatever version was asked for; here an autoscaling/v1 object is first converted to
// the autoscaling/v2 shape (which is the internal one) with the same conversion the apiserver stores by.
import type { HorizontalPodAutoscaler as HPAv1 } from "kubernetes-types/autoscaling/v1.d.ts";
import type {
  HorizontalPodAutoscaler as HPAv2,
  MetricSpec,
  MetricStatus,
} from "kubernetes-types/autoscaling/v2.d.ts";
import { hpaV1ToV2 } from "../autoscaling/conversion.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { formatQuantity } from "./quantity.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

/** (*resource.Quantity).String(): "<nil>" for a nil pointer. */
function quantityPtr(q: string | number | null | undefined): string {
  return q === undefined || q === null ? "<nil>" : formatQuantity(q);
}

const unknown = "<unknown>";

/** One metric of the TARGETS column: "current/target", with the current value from the status at its index. */
function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case "External":
      return formatValueMetric(spec.external?.target, status?.external);
    case "Pods": {
      const current = status?.pods ? quantityPtr(status.pods.current?.averageValue) : unknown;
      return `${current}/${quantityPtr(spec.pods?.target?.averageValue)}`;
    }
    case "Object":
      return formatValueMetric(spec.object?.target, status?.object);
    case "Resource":
      return formatResourceMetric(spec.resource, status?.resource);
    case "ContainerResource":
      return formatResourceMetric(spec.containerResource, status?.containerResource);
    default:
      return "<unknown type>";
  }
}

type Value = string | number | null | undefined;

/** The Object and External cases: "current/target (avg)" for an average-value target, else "current/target". */
function formatValueMetric(
  target: { averageValue?: Value; value?: Value } | undefined,
  status: { current?: { averageValue?: Value; value?: Value } } | undefined,
): string {
  if (target?.averageValue !== undefined && target.averageValue !== null) {
    const averageValue = status?.current?.averageValue;
    const current =
      averageValue !== undefined && averageValue !== null ? formatQuantity(averageValue) : unknown;
    return `${current}/${formatQuantity(target.averageValue)} (avg)`;
  }
  const current = status ? quantityPtr(status.current?.value) : unknown;
  return `${current}/${quantityPtr(target?.value)}`;
}

interface ResourceSource {
  name?: string;
  target?: { averageValue?: string | number | null; averageUtilization?: number | null };
}
interface ResourceStatus {
  current?: { averageValue?: string | number | null; averageUtilization?: number | null };
}

/** The Resource and ContainerResource cases: "cpu: 50m/100m" or "cpu: 50%/80%". */
function formatResourceMetric(
  source: ResourceSource | undefined,
  status: ResourceStatus | undefined,
): string {
  const name = source?.name ?? "";
  const target = source?.target;
  if (target?.averageValue !== undefined && target.averageValue !== null) {
    const current = status ? quantityPtr(status.current?.averageValue) : unknown;
    return `${name}: ${current}/${formatQuantity(target.averageValue)}`;
  }
  const utilization = status?.current?.averageUtilization;
  const current = utilization !== undefined && utilization !== null ? `${utilization}%` : unknown;
  const targetUtilization = target?.averageUtilization;
  const targetText =
    targetUtilization !== undefined && targetUtilization !== null ? `${targetUtilization}%` : "<auto>";
  return `${name}: ${current}/${targetText}`;
}

/** formatHPAMetrics: the first two metrics, then "+ N more...". */
export function formatHPAMetrics(
  specs: MetricSpec[] | null | undefined,
  statuses: MetricStatus[] | null | undefined,
): string {
  if (!specs || specs.length === 0) return "<none>";
  const max = 2;
  const list = specs.map((spec, i) => formatMetric(spec ?? {}, statuses?.[i] ?? undefined));
  const ret = list.slice(0, max).join(", ");
  return list.length > max ? `${ret} + ${list.length - max} more...` : ret;
}

function printHorizontalPodAutoscaler(obj: HPAv1 | HPAv2, ctx: PrintContext): PrintedRow {
  const hpa = (obj.apiVersion === "autoscaling/v1" ? hpaV1ToV2(obj) : obj) as HPAv2;
  const ref = hpa.spec?.scaleTargetRef;
  const minReplicas = hpa.spec?.minReplicas;
  return {
    cells: [
      hpa.metadata?.name ?? "",
      `${ref?.kind ?? ""}/${ref?.name ?? ""}`,
      formatHPAMetrics(hpa.spec?.metrics, hpa.status?.currentMetrics),
      minReplicas !== undefined && minReplicas !== null ? String(minReplicas) : "<unset>",
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      translateTimestampSince(hpa.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

// The column texts are autoscaling/v2beta1's SwaggerDoc() (what upstream's column definitions quote), as
// k8s.io/api v1.32 has them: v2beta1's metrics text lacks v2's last sentence about the 80% cpu default.
const hpaSpec = {
  scaleTargetRef:
    "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.",
  metrics:
    "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.",
  minReplicas:
    "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.",
  maxReplicas:
    "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.",
};
const hpaStatus = {
  currentReplicas:
    "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.",
};

export const horizontalPodAutoscalerPrinter: TablePrinter<HPAv1 | HPAv2> = {
  columns: [
    nameColumn(),
    column("Reference", "string", hpaSpec.scaleTargetRef),
    column("Targets", "string", hpaSpec.metrics),
    column("MinPods", "string", hpaSpec.minReplicas),
    column("MaxPods", "string", hpaSpec.maxReplicas),
    column("Replicas", "string", hpaStatus.currentReplicas),
    ageColumn(),
  ],
  print: printHorizontalPodAutoscaler,
};
