// autoscaling HorizontalPodAutoscaler defaults. The two served versions default
// differently (pkg/apis/autoscaling/v1 and v2), so the object's apiVersion picks.

import type { HorizontalPodAutoscaler as HPAv1 } from "kubernetes-types/autoscaling/v1.d.ts";
import type { HorizontalPodAutoscaler as HPAv2 } from "kubernetes-types/autoscaling/v2.d.ts";
import { DEFAULT_CPU_UTILIZATION } from "../autoscaling/conversion.ts";
import { defaultPointer, isObject, type JsonObject, objectAt, sliceLen, structAt } from "./json.ts";

export function defaultHorizontalPodAutoscaler(hpa: HPAv1 | HPAv2 | JsonObject): void {
  const obj = hpa as JsonObject;
  const spec = structAt(obj, "spec");
  if (!spec) return;
  defaultPointer(spec, "minReplicas", 1);
  if (obj.apiVersion !== "autoscaling/v2") return;

  if (sliceLen(spec.metrics) === 0) {
    spec.metrics = [
      {
        type: "Resource",
        resource: {
          name: "cpu",
          target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION },
        },
      },
    ];
  }
  // A stated behavior has every unset rule filled in; an absent one stays absent.
  const behavior = objectAt(spec, "behavior");
  if (behavior) {
    behavior.scaleUp = scalingRules(behavior.scaleUp, {
      stabilizationWindowSeconds: 0,
      selectPolicy: "Max",
      policies: [
        { type: "Pods", value: 4, periodSeconds: 15 },
        { type: "Percent", value: 100, periodSeconds: 15 },
      ],
    });
    behavior.scaleDown = scalingRules(behavior.scaleDown, {
      selectPolicy: "Max",
      policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
    });
  }
}

/** copyHPAScalingRules: the stated fields over the defaults. */
function scalingRules(stated: unknown, defaults: JsonObject): unknown {
  if (stated === undefined || stated === null) return defaults;
  if (!isObject(stated)) return stated;
  for (const key of ["selectPolicy", "stabilizationWindowSeconds", "policies"]) {
    if (stated[key] !== undefined && stated[key] !== null) defaults[key] = stated[key];
  }
  return defaults;
}
