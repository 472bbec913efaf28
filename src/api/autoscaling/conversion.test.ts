// autoscaling/v1 ↔ the stored autoscaling/v2 HorizontalPodAutoscaler: round trips both ways, the annotations
// exactly as upstream's pkg/apis/autoscaling/v1/conversion.go writes them, and its conversion_test.go cases.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../registry.ts";
import {
  BEHAVIOR_SPECS_ANNOTATION,
  CONDITIONS_ANNOTATION,
  hpaV1ToV2,
  hpaV2ToV1,
  METRIC_SPECS_ANNOTATION,
  METRIC_STATUSES_ANNOTATION,
} from "./conversion.ts";

const KIND = "HorizontalPodAutoscaler";
const ref = { kind: "Deployment", name: "web", apiVersion: "apps/v1" };
const cpu = (averageUtilization: number) => ({
  type: "Resource",
  resource: { name: "cpu", target: { type: "Utilization", averageUtilization } },
});

/** Converts while checking that the input is left as it was. */
function convert(fn: (o: Obj) => Obj, input: Obj): Obj {
  const before = structuredClone(input);
  const out = fn(input);
  assert.deepEqual(input, before, "the input object is not changed");
  return out;
}

const simpleV1 = {
  kind: KIND,
  apiVersion: "autoscaling/v1",
  metadata: { name: "web", namespace: "default", resourceVersion: "7", labels: { app: "web" } },
  spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 },
  status: { currentReplicas: 0, desiredReplicas: 0 },
};

test("simple v1 → v2 → v1: the cpu target is a Resource Utilization metric and nothing else", () => {
  const v2 = convert(hpaV1ToV2, simpleV1);
  assert.deepEqual(v2, {
    kind: KIND,
    apiVersion: "autoscaling/v2",
    metadata: simpleV1.metadata,
    spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 10, metrics: [cpu(50)] },
    // desiredReplicas and currentMetrics are not omitempty in v2; currentReplicas is.
    status: { desiredReplicas: 0, currentMetrics: null },
  });
  assert.notEqual(v2.metadata, simpleV1.metadata, "metadata is copied, not shared");
  assert.deepEqual(convert(hpaV2ToV1, v2), simpleV1);
});

test("the defaulted metric: a v1 HPA without a cpu target gets upstream's explicit 80% cpu metric", () => {
  const v1 = structuredClone(simpleV1) as Obj;
  delete v1.spec.targetCPUUtilizationPercentage;
  const v2 = convert(hpaV1ToV2, v1);
  assert.deepEqual(v2.spec.metrics, [cpu(80)]);
  // …and from then on it is an explicit target.
  assert.equal(hpaV2ToV1(v2).spec.targetCPUUtilizationPercentage, 80);

  // No default when the annotation brings other metrics.
  v1.metadata.annotations = {
    [METRIC_SPECS_ANNOTATION]:
      '[{"type":"Resource","resource":{"name":"memory","targetAverageUtilization":70}}]',
  };
  assert.deepEqual(convert(hpaV1ToV2, v1).spec.metrics, [
    {
      type: "Resource",
      resource: { name: "memory", target: { type: "Utilization", averageUtilization: 70 } },
    },
  ]);
});

test("simple v2 → v1 → v2, status included; the cpu status keeps its raw value in an annotation", () => {
  const v2 = {
    kind: KIND,
    apiVersion: "autoscaling/v2",
    metadata: { name: "web", namespace: "default" },
    spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 5, metrics: [cpu(60)] },
    status: {
      observedGeneration: 4,
      lastScaleTime: "2024-06-01T11:00:00Z",
      currentReplicas: 3,
      desiredReplicas: 3,
      currentMetrics: [
        {
          type: "Resource",
          resource: { name: "cpu", current: { averageValue: "250m", averageUtilization: 41 } },
        },
      ],
    },
  };
  const v1 = convert(hpaV2ToV1, v2);
  assert.deepEqual(v1, {
    kind: KIND,
    apiVersion: "autoscaling/v1",
    metadata: {
      name: "web",
      namespace: "default",
      annotations: {
        [METRIC_STATUSES_ANNOTATION]:
          '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":41,"currentAverageValue":"250m"}}]',
      },
    },
    spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 60 },
    status: {
      observedGeneration: 4,
      lastScaleTime: "2024-06-01T11:00:00Z",
      currentReplicas: 3,
      desiredReplicas: 3,
      currentCPUUtilizationPercentage: 41,
    },
  });
  assert.deepEqual(convert(hpaV1ToV2, v1), v2);
});

test("a v1 currentCPUUtilizationPercentage is a cpu current metric; upstream then annotates its zero raw value", () => {
  const v1 = {
    ...simpleV1,
    status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 30 },
  };
  const v2 = convert(hpaV1ToV2, v1);
  assert.deepEqual(v2.status, {
    currentReplicas: 2,
    desiredReplicas: 2,
    currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 30 } } }],
  });
  const back = hpaV2ToV1(v2);
  assert.deepEqual(back.status, v1.status);
  assert.equal(
    back.metadata.annotations[METRIC_STATUSES_ANNOTATION],
    '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":30,"currentAverageValue":"0"}}]',
  );
});

const selector = { matchLabels: { queue: "worker_tasks" } };
const ingress = { kind: "Ingress", name: "main-route", apiVersion: "networking.k8s.io/v1" };
const complexV2 = {
  kind: KIND,
  apiVersion: "autoscaling/v2",
  metadata: { name: "web", namespace: "default", annotations: { team: "a" } },
  spec: {
    scaleTargetRef: ref,
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [
      {
        type: "Resource",
        resource: { name: "memory", target: { type: "AverageValue", averageValue: "512Mi" } },
      },
      {
        type: "Pods",
        pods: {
          metric: { name: "packets-per-second" },
          target: { type: "AverageValue", averageValue: "1k" },
        },
      },
      {
        type: "Object",
        object: {
          describedObject: ingress,
          target: { type: "Value", value: "10k" },
          metric: { name: "requests-per-second" },
        },
      },
      {
        type: "External",
        external: {
          metric: { name: "queue_messages_ready", selector },
          target: { type: "AverageValue", averageValue: "30" },
        },
      },
      {
        type: "ContainerResource",
        containerResource: {
          name: "cpu",
          target: { type: "Utilization", averageUtilization: 60 },
          container: "app",
        },
      },
      cpu(50),
    ],
    behavior: {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [
          { type: "Pods", value: 4, periodSeconds: 15 },
          { type: "Percent", value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: {
        stabilizationWindowSeconds: 300,
        selectPolicy: "Max",
        policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
      },
    },
  },
  status: {
    observedGeneration: 3,
    lastScaleTime: "2024-06-01T11:00:00Z",
    currentReplicas: 3,
    desiredReplicas: 4,
    currentMetrics: [
      { type: "Resource", resource: { name: "memory", current: { averageValue: "400Mi" } } },
      { type: "Pods", pods: { metric: { name: "packets-per-second" }, current: { averageValue: "900" } } },
      {
        type: "Object",
        object: {
          metric: { name: "requests-per-second" },
          current: { value: "12k" },
          describedObject: ingress,
        },
      },
      {
        type: "External",
        external: {
          metric: { name: "queue_messages_ready", selector },
          current: { value: "0", averageValue: "25" },
        },
      },
      {
        type: "ContainerResource",
        containerResource: {
          name: "cpu",
          current: { averageValue: "120m", averageUtilization: 40 },
          container: "app",
        },
      },
      {
        type: "Resource",
        resource: { name: "cpu", current: { averageValue: "150m", averageUtilization: 45 } },
      },
    ],
    conditions: [
      {
        type: "AbleToScale",
        status: "True",
        lastTransitionTime: "2024-06-01T10:00:00Z",
        reason: "ReadyForNewScale",
        message: "recommended size matches current size",
      },
      {
        type: "ScalingActive",
        status: "True",
        lastTransitionTime: "2024-06-01T10:00:00Z",
        reason: "ValidMetricFound",
        message: "the HPA was able to successfully calculate a replica count from cpu resource utilization",
      },
    ],
  },
};

// The annotations as json.Marshal writes the autoscaling/v1 alpha types (field order of the Go structs,
// non-pointer quantities always present) and, for the behavior, the internal type with Go field names.
const complexAnnotations = {
  [METRIC_SPECS_ANNOTATION]:
    '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"512Mi"}},' +
    '{"type":"Pods","pods":{"metricName":"packets-per-second","targetAverageValue":"1k"}},' +
    '{"type":"Object","object":{"target":{"kind":"Ingress","name":"main-route","apiVersion":"networking.k8s.io/v1"},' +
    '"metricName":"requests-per-second","targetValue":"10k"}},' +
    '{"type":"External","external":{"metricName":"queue_messages_ready",' +
    '"metricSelector":{"matchLabels":{"queue":"worker_tasks"}},"targetAverageValue":"30"}},' +
    '{"type":"ContainerResource","containerResource":{"name":"cpu","targetAverageUtilization":60,"container":"app"}}]',
  [METRIC_STATUSES_ANNOTATION]:
    '[{"type":"Resource","resource":{"name":"memory","currentAverageValue":"400Mi"}},' +
    '{"type":"Pods","pods":{"metricName":"packets-per-second","currentAverageValue":"900"}},' +
    '{"type":"Object","object":{"target":{"kind":"Ingress","name":"main-route","apiVersion":"networking.k8s.io/v1"},' +
    '"metricName":"requests-per-second","currentValue":"12k"}},' +
    '{"type":"External","external":{"metricName":"queue_messages_ready",' +
    '"metricSelector":{"matchLabels":{"queue":"worker_tasks"}},"currentValue":"0","currentAverageValue":"25"}},' +
    '{"type":"ContainerResource","containerResource":{"name":"cpu","currentAverageUtilization":40,' +
    '"currentAverageValue":"120m","container":"app"}},' +
    '{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":45,"currentAverageValue":"150m"}}]',
  [BEHAVIOR_SPECS_ANNOTATION]:
    '{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[' +
    '{"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}]},' +
    '"ScaleDown":{"StabilizationWindowSeconds":300,"SelectPolicy":"Max","Policies":[' +
    '{"Type":"Percent","Value":100,"PeriodSeconds":15}]}}',
  [CONDITIONS_ANNOTATION]:
    '[{"type":"AbleToScale","status":"True","lastTransitionTime":"2024-06-01T10:00:00Z",' +
    '"reason":"ReadyForNewScale","message":"recommended size matches current size"},' +
    '{"type":"ScalingActive","status":"True","lastTransitionTime":"2024-06-01T10:00:00Z",' +
    '"reason":"ValidMetricFound",' +
    '"message":"the HPA was able to successfully calculate a replica count from cpu resource utilization"}]',
};

const complexV1 = {
  kind: KIND,
  apiVersion: "autoscaling/v1",
  metadata: { name: "web", namespace: "default", annotations: { team: "a", ...complexAnnotations } },
  spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 50 },
  status: {
    observedGeneration: 3,
    lastScaleTime: "2024-06-01T11:00:00Z",
    currentReplicas: 3,
    desiredReplicas: 4,
    currentCPUUtilizationPercentage: 45,
  },
};

test("complex v2 → v1: the exact annotation JSON upstream writes", () => {
  const v1 = convert(hpaV2ToV1, complexV2);
  for (const [key, json] of Object.entries(complexAnnotations)) {
    assert.equal(v1.metadata.annotations[key], json, key);
  }
  assert.deepEqual(v1, complexV1);
});

test("complex v2 → v1 → v2 and v1 → v2 → v1 are lossless", () => {
  assert.deepEqual(convert(hpaV1ToV2, hpaV2ToV1(complexV2)), complexV2);
  const v2 = convert(hpaV1ToV2, complexV1);
  assert.deepEqual(v2, complexV2);
  assert.deepEqual(v2.metadata.annotations, { team: "a" }, "the round-trip annotations are removed");
  assert.deepEqual(convert(hpaV2ToV1, v2), complexV1);
});

test("upstream's quirks survive: the cpu metric goes last, an Object AverageValue target gains value 0", () => {
  const v2 = structuredClone(complexV2) as Obj;
  v2.spec.metrics = [
    cpu(50),
    {
      type: "Object",
      object: {
        describedObject: ingress,
        target: { type: "AverageValue", averageValue: "2" },
        metric: { name: "hits" },
      },
    },
  ];
  const v1 = hpaV2ToV1(v2);
  assert.equal(
    v1.metadata.annotations[METRIC_SPECS_ANNOTATION],
    '[{"type":"Object","object":{"target":{"kind":"Ingress","name":"main-route","apiVersion":"networking.k8s.io/v1"},' +
      '"metricName":"hits","targetValue":"0","averageValue":"2"}}]',
  );
  assert.deepEqual(hpaV1ToV2(v1).spec.metrics, [
    {
      type: "Object",
      object: {
        describedObject: ingress,
        target: { type: "AverageValue", value: "0", averageValue: "2" },
        metric: { name: "hits" },
      },
    },
    cpu(50),
  ]);
});

test("TestConvert_autoscaling_HorizontalPodAutoscalerSpec_To_v1: the first cpu Utilization metric is the target", () => {
  const v2 = {
    apiVersion: "autoscaling/v2",
    kind: KIND,
    metadata: { name: "x" },
    spec: {
      scaleTargetRef: ref,
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "AverageValue", averageValue: "300m" } },
        },
        cpu(70),
      ],
    },
  };
  const v1 = convert(hpaV2ToV1, v2);
  assert.deepEqual(v1.spec, {
    scaleTargetRef: ref,
    minReplicas: 1,
    maxReplicas: 3,
    targetCPUUtilizationPercentage: 70,
  });
  assert.equal(
    v1.metadata.annotations[METRIC_SPECS_ANNOTATION],
    '[{"type":"Resource","resource":{"name":"cpu","targetAverageValue":"300m"}}]',
  );
  // Go's zero values: a v2 object without status still has one in v1.
  assert.deepEqual(v1.status, { currentReplicas: 0, desiredReplicas: 0 });
  assert.deepEqual(hpaV1ToV2(v1).spec.metrics, v2.spec.metrics);
  // Without metrics there is no target (v1 then defaults it on the way back).
  assert.equal(
    hpaV2ToV1({ ...v2, spec: { ...v2.spec, metrics: [] } }).spec.targetCPUUtilizationPercentage,
    undefined,
  );
});

test("quantities in the annotations are written canonically, as resource.Quantity marshals them", () => {
  const v2 = {
    apiVersion: "autoscaling/v2",
    kind: KIND,
    metadata: { name: "x" },
    spec: {
      scaleTargetRef: ref,
      maxReplicas: 3,
      metrics: [
        {
          type: "Pods",
          pods: { metric: { name: "m" }, target: { type: "AverageValue", averageValue: "1000m" } },
        },
      ],
    },
  };
  assert.equal(
    hpaV2ToV1(v2).metadata.annotations[METRIC_SPECS_ANNOTATION],
    '[{"type":"Pods","pods":{"metricName":"m","targetAverageValue":"1"}}]',
  );
});

test("round-trip annotations: stale ones are dropped on the way out, and all are removed on the way in", () => {
  // A stored object can only carry them if a client wrote them through v2: v1 must show only its own.
  const v2 = {
    kind: KIND,
    apiVersion: "autoscaling/v2",
    metadata: {
      name: "x",
      annotations: { [BEHAVIOR_SPECS_ANNOTATION]: '{"ScaleUp":null}', [CONDITIONS_ANNOTATION]: "[]" },
    },
    spec: { scaleTargetRef: ref, maxReplicas: 3, metrics: [cpu(50)] },
    status: { desiredReplicas: 0, currentMetrics: null },
  };
  const v1 = convert(hpaV2ToV1, v2);
  assert.equal(v1.metadata.annotations, undefined);
  assert.deepEqual(convert(hpaV1ToV2, v1), { ...v2, metadata: { name: "x" } });
});

test("malformed annotations are ignored (upstream only moves well-formed data) and still removed", () => {
  const v1 = structuredClone(simpleV1) as Obj;
  v1.metadata.annotations = {
    keep: "me",
    [METRIC_SPECS_ANNOTATION]: "abc",
    [METRIC_STATUSES_ANNOTATION]: '{"not":"a list"}',
    [BEHAVIOR_SPECS_ANNOTATION]: '{"ScaleUp":{"StabilizationWindowSeconds":"soon"}}',
    [CONDITIONS_ANNOTATION]: "",
  };
  v1.status = { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 20 };
  const v2 = convert(hpaV1ToV2, v1);
  assert.deepEqual(v2.metadata.annotations, { keep: "me" });
  assert.deepEqual(v2.spec.metrics, [cpu(50)]);
  assert.equal(v2.spec.behavior, undefined);
  assert.deepEqual(v2.status.currentMetrics, [
    { type: "Resource", resource: { name: "cpu", current: { averageUtilization: 20 } } },
  ]);
  assert.equal(v2.status.conditions, undefined);
});

test("the behavior annotation is read as encoding/json reads the internal type: keys in any case", () => {
  const withBehavior = (raw: string) => {
    const v1 = structuredClone(simpleV1) as Obj;
    v1.metadata.annotations = { [BEHAVIOR_SPECS_ANNOTATION]: raw };
    return hpaV1ToV2(v1).spec.behavior;
  };
  assert.deepEqual(
    withBehavior(
      '{"scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[{"type":"Pods","value":4,"periodSeconds":60}]},' +
        '"scaleDown":{"stabilizationWindowSeconds":300,"selectPolicy":"Max","policies":[{"type":"Percent","value":100,"periodSeconds":15}]}}',
    ),
    {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [{ type: "Pods", value: 4, periodSeconds: 60 }],
      },
      scaleDown: {
        stabilizationWindowSeconds: 300,
        selectPolicy: "Max",
        policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
      },
    },
  );
  // Only a scale-down rule; nil fields stay unset.
  assert.deepEqual(withBehavior('{"ScaleUp":null,"ScaleDown":{"SelectPolicy":"Disabled","Policies":null}}'), {
    scaleDown: { selectPolicy: "Disabled" },
  });
  // The zero behavior (or an empty annotation object) sets none.
  assert.equal(withBehavior("{}"), undefined);
  assert.equal(withBehavior('{"ScaleUp":null,"ScaleDown":null}'), undefined);
  assert.equal(withBehavior("null"), undefined);
  // An empty behavior written through v2 comes back as the zero behavior: none.
  const v2 = structuredClone(complexV2) as Obj;
  v2.spec.behavior = {};
  const v1 = hpaV2ToV1(v2);
  assert.equal(v1.metadata.annotations[BEHAVIOR_SPECS_ANNOTATION], '{"ScaleUp":null,"ScaleDown":null}');
  assert.equal(hpaV1ToV2(v1).spec.behavior, undefined);
});

test("conditions: a missing lastTransitionTime is Go's zero time (null), empty reason and message are omitted", () => {
  const v2 = structuredClone(complexV2) as Obj;
  v2.status.conditions = [{ type: "ScalingLimited", status: "False", reason: "", message: "" }];
  const v1 = hpaV2ToV1(v2);
  assert.equal(
    v1.metadata.annotations[CONDITIONS_ANNOTATION],
    '[{"type":"ScalingLimited","status":"False","lastTransitionTime":null}]',
  );
  assert.deepEqual(hpaV1ToV2(v1).status.conditions, [
    { type: "ScalingLimited", status: "False", lastTransitionTime: null },
  ]);
});
