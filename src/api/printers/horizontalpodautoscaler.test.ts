// Cases from TestPrintHPA (printers_test.go), plus autoscaling/v1 objects, which are printed through their
// autoscaling/v2 form as upstream prints the internal object.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HorizontalPodAutoscaler as HPAv1 } from "kubernetes-types/autoscaling/v1.d.ts";
import type {
  HorizontalPodAutoscaler as HPAv2,
  MetricSpec,
  MetricStatus,
} from "kubernetes-types/autoscaling/v2.d.ts";
import { horizontalPodAutoscalerPrinter } from "./horizontalpodautoscaler.ts";
import { printTable } from "./index.ts";

const now = new Date("2024-06-01T12:00:00Z");
const selector = { matchLabels: { label: "value" } };

/** TestPrintHPA's object: some-hpa on ReplicationController/some-rc, minReplicas 2, max 10, 4 current. */
function hpa(metrics?: MetricSpec[], currentMetrics?: MetricStatus[]): HPAv2 {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "some-hpa" },
    spec: {
      scaleTargetRef: { name: "some-rc", kind: "ReplicationController" },
      minReplicas: 2,
      maxReplicas: 10,
      metrics,
    },
    status: { currentReplicas: 4, desiredReplicas: 5, currentMetrics },
  };
}

function targets(obj: HPAv1 | HPAv2): unknown {
  return horizontalPodAutoscalerPrinter.print(obj, { now }).cells[2];
}

test("minReplicas unset: <none> targets, <unset> min pods, integers for max pods and replicas", () => {
  const obj = hpa();
  delete obj.spec?.minReplicas;
  assert.deepEqual(horizontalPodAutoscalerPrinter.print(obj, { now }).cells, [
    "some-hpa",
    "ReplicationController/some-rc",
    "<none>",
    "<unset>",
    10,
    4,
    "<unknown>",
  ]);
});

test("external metrics: average value and value, with and without a current value", () => {
  const external = (target: MetricSpec["external"]) => [{ type: "External", external: target }];
  const avg = external({
    metric: { name: "some-external-metric", selector },
    target: { type: "AverageValue", averageValue: "100m" },
  });
  assert.equal(targets(hpa(avg)), "<unknown>/100m (avg)");
  assert.equal(
    targets(
      hpa(avg, [
        {
          type: "External",
          external: { metric: { name: "some-external-metric", selector }, current: { averageValue: "50m" } },
        },
      ]),
    ),
    "50m/100m (avg)",
  );
  const value = external({
    metric: { name: "some-service-metric", selector },
    target: { type: "Value", value: "100m" },
  });
  assert.equal(targets(hpa(value)), "<unknown>/100m");
  assert.equal(
    targets(
      hpa(value, [
        {
          type: "External",
          external: { metric: { name: "some-external-metric" }, current: { value: "50m" } },
        },
      ]),
    ),
    "50m/100m",
  );
});

test("pods and object metrics", () => {
  const pods: MetricSpec[] = [
    {
      type: "Pods",
      pods: { metric: { name: "some-pods-metric" }, target: { type: "AverageValue", averageValue: "100m" } },
    },
  ];
  assert.equal(targets(hpa(pods)), "<unknown>/100m");
  assert.equal(
    targets(
      hpa(pods, [
        { type: "Pods", pods: { metric: { name: "some-pods-metric" }, current: { averageValue: "50m" } } },
      ]),
    ),
    "50m/100m",
  );
  const describedObject = { name: "some-service", kind: "Service" };
  const object: MetricSpec[] = [
    {
      type: "Object",
      object: {
        describedObject,
        metric: { name: "some-service-metric" },
        target: { type: "Value", value: "100m" },
      },
    },
  ];
  assert.equal(targets(hpa(object)), "<unknown>/100m");
  assert.equal(
    targets(
      hpa(object, [
        {
          type: "Object",
          object: { describedObject, metric: { name: "some-service-metric" }, current: { value: "50m" } },
        },
      ]),
    ),
    "50m/100m",
  );
  // An object metric with an average value target prints the average.
  const objectAvg: MetricSpec[] = [
    {
      type: "Object",
      object: { describedObject, metric: { name: "m" }, target: { type: "AverageValue", averageValue: "2" } },
    },
  ];
  assert.equal(targets(hpa(objectAvg)), "<unknown>/2 (avg)");
  assert.equal(
    targets(
      hpa(objectAvg, [
        {
          type: "Object",
          object: { describedObject, metric: { name: "m" }, current: { averageValue: "1500m" } },
        },
      ]),
    ),
    "1500m/2 (avg)",
  );
});

test("resource and container resource metrics: value and utilization targets", () => {
  for (const type of ["Resource", "ContainerResource"] as const) {
    const key = type === "Resource" ? "resource" : "containerResource";
    const source = (target: object): MetricSpec[] => [
      { type, [key]: { name: "cpu", container: "application", target } } as MetricSpec,
    ];
    const status = (current: object): MetricStatus[] => [
      { type, [key]: { name: "cpu", container: "application", current } } as MetricStatus,
    ];
    const value = source({ type: "AverageValue", averageValue: "100m" });
    assert.equal(targets(hpa(value)), "cpu: <unknown>/100m", type);
    assert.equal(targets(hpa(value, status({ averageValue: "50m" }))), "cpu: 50m/100m", type);
    const util = source({ type: "Utilization", averageUtilization: 80 });
    assert.equal(targets(hpa(util)), "cpu: <unknown>/80%", type);
    assert.equal(
      targets(hpa(util, status({ averageUtilization: 50, averageValue: "40m" }))),
      "cpu: 50%/80%",
      type,
    );
    // Neither target set: <auto>.
    assert.equal(targets(hpa(source({ type: "Utilization" }))), "cpu: <unknown>/<auto>", type);
  }
});

test("multiple specs: two shown, then + N more...; statuses are matched by index", () => {
  const metrics: MetricSpec[] = [
    {
      type: "Pods",
      pods: { metric: { name: "some-pods-metric" }, target: { type: "AverageValue", averageValue: "100m" } },
    },
    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
    {
      type: "Pods",
      pods: { metric: { name: "other-pods-metric" }, target: { type: "AverageValue", averageValue: "400m" } },
    },
  ];
  const statuses: MetricStatus[] = [
    { type: "Pods", pods: { metric: { name: "some-pods-metric" }, current: { averageValue: "50m" } } },
    { type: "Resource", resource: { name: "cpu", current: { averageUtilization: 50, averageValue: "40m" } } },
  ];
  assert.equal(targets(hpa(metrics, statuses)), "50m/100m, cpu: 50%/80% + 1 more...");
  assert.equal(targets(hpa([...metrics, { type: "Bogus" }], statuses)), "50m/100m, cpu: 50%/80% + 2 more...");
  assert.equal(targets(hpa([{ type: "Bogus" }])), "<unknown type>");
});

test("autoscaling/v1 objects print through their v2 form, annotations and the default cpu target included", () => {
  const v1: HPAv1 = {
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "php-apache", namespace: "default", creationTimestamp: "2024-06-01T11:55:00Z" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php-apache" },
      minReplicas: 1,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 50,
    },
    status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 12 },
  };
  assert.deepEqual(horizontalPodAutoscalerPrinter.print(v1, { now }).cells, [
    "php-apache",
    "Deployment/php-apache",
    "cpu: 12%/50%",
    "1",
    10,
    1,
    "5m",
  ]);
  // No target: v1's implicit 80%, made explicit by the conversion.
  assert.equal(
    targets({ ...v1, spec: { ...v1.spec!, targetCPUUtilizationPercentage: undefined }, status: undefined }),
    "cpu: <unknown>/80%",
  );
  // The metrics v1 cannot express come from the annotations; the cpu metric goes last.
  const annotated: HPAv1 = {
    ...v1,
    metadata: {
      ...v1.metadata,
      annotations: {
        "autoscaling.alpha.kubernetes.io/metrics":
          '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"512Mi"}}]',
        "autoscaling.alpha.kubernetes.io/current-metrics":
          '[{"type":"Resource","resource":{"name":"memory","currentAverageValue":"300Mi"}},' +
          '{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":12,"currentAverageValue":"60m"}}]',
      },
    },
  };
  assert.equal(targets(annotated), "memory: 300Mi/512Mi, cpu: 12%/50%");
});

test("columns: upstream's names, types and descriptions; registered under HorizontalPodAutoscaler", () => {
  assert.deepEqual(
    horizontalPodAutoscalerPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ["Name", "string", "name", 0],
      ["Reference", "string", "", 0],
      ["Targets", "string", "", 0],
      ["MinPods", "string", "", 0],
      ["MaxPods", "string", "", 0],
      ["Replicas", "string", "", 0],
      ["Age", "string", "", 0],
    ],
  );
  const byName = Object.fromEntries(
    horizontalPodAutoscalerPrinter.columns.map((c) => [c.name, c.description]),
  );
  assert.match(byName.Reference, /^scaleTargetRef points to the target resource to scale/);
  assert.match(byName.Targets, /must respond\.$/);
  assert.match(byName.MinPods, /^minReplicas is the lower limit/);
  assert.match(byName.MaxPods, /It cannot be less that minReplicas\.$/);
  assert.match(byName.Replicas, /^currentReplicas is current number of replicas/);

  const table = printTable("HorizontalPodAutoscaler", [hpa()], { now });
  assert.deepEqual(table.rows?.[0].cells, [
    "some-hpa",
    "ReplicationController/some-rc",
    "<none>",
    "2",
    10,
    4,
    "<unknown>",
  ]);
});
