// autoscaling HorizontalPodAutoscaler validation: cases after
// pkg/apis/autoscaling/validation/validation_test.go (v1.32), on autoscaling/v2
// objects defaulted as the apiserver defaults them.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2.d.ts";
import {
  validateHorizontalPodAutoscaler,
  validateHorizontalPodAutoscalerStatusUpdate,
  validateHorizontalPodAutoscalerUpdate,
} from "./autoscaling.ts";
import { defaulted, type J, messages, stored } from "./test-helpers.ts";

const dns1123Label =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1123Subdomain =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const sourceTypes = 'supported values: "ContainerResource", "External", "Object", "Pods", "Resource"';
const minusOne =
  'resource.Quantity{i:resource.int64Amount{value:-1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"-1", Format:"DecimalSI"}';
const zero =
  'resource.Quantity{i:resource.int64Amount{value:0, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"0", Format:"DecimalSI"}';

const hpa = (spec: J = {}, meta: J = {}): J => ({
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "h", namespace: "default", ...meta },
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
    maxReplicas: 5,
    ...spec,
  },
});
const withDefaults = (obj: J) =>
  defaulted("autoscaling", "HorizontalPodAutoscaler", obj) as HorizontalPodAutoscaler;
const create = (obj: J) => messages(validateHorizontalPodAutoscaler(withDefaults(obj)));
const update = (obj: J, old: J) =>
  messages(validateHorizontalPodAutoscalerUpdate(withDefaults(obj), withDefaults(old)));
const statusUpdate = (obj: J, old: J) =>
  messages(validateHorizontalPodAutoscalerStatusUpdate(withDefaults(obj), withDefaults(old)));

/** A spec with one metric (and maxReplicas 5). */
const metric = (m: J) => ({ metrics: [m] });
const objectMetric = (target: J = { type: "Value", value: "10" }) => ({
  type: "Object",
  object: {
    describedObject: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "main" },
    metric: { name: "requests-per-second" },
    target,
  },
});
const externalMetric = (target: J = { type: "AverageValue", averageValue: "30" }) => ({
  type: "External",
  external: {
    metric: { name: "queue_messages_ready", selector: { matchLabels: { queue: "work" } } },
    target,
  },
});
const podsMetric = (target: J = { type: "AverageValue", averageValue: "1k" }) => ({
  type: "Pods",
  pods: { metric: { name: "packets-per-second" }, target },
});
const resourceMetric = (target: J = { type: "Utilization", averageUtilization: 50 }, name = "cpu") => ({
  type: "Resource",
  resource: { name, target },
});
const containerMetric = (
  name = "memory",
  container = "app",
  target: J = { type: "AverageValue", averageValue: "500Mi" },
) => ({ type: "ContainerResource", containerResource: { name, container, target } });

/** A behavior with one side stated (the other is defaulted). */
const scaleUp = (rules: J) => ({ behavior: { scaleUp: rules } });

test("valid autoscalers: the defaulted minimum and every metric source and behavior", () => {
  assert.deepEqual(create(hpa()), []);
  assert.deepEqual(
    create(
      hpa({
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          objectMetric(),
          objectMetric({ type: "AverageValue", averageValue: "500m" }),
          externalMetric(),
          externalMetric({ type: "Value", value: "100" }),
          podsMetric(),
          resourceMetric(),
          resourceMetric({ type: "AverageValue", averageValue: "256Mi" }, "memory"),
          containerMetric(),
          containerMetric("cpu", "sidecar", { type: "Utilization", averageUtilization: 60 }),
        ],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 3600,
            selectPolicy: "Min",
            policies: [{ type: "Pods", value: 1, periodSeconds: 1800 }],
          },
          scaleDown: {
            stabilizationWindowSeconds: 0,
            selectPolicy: "Disabled",
            policies: [{ type: "Percent", value: 10, periodSeconds: 1 }],
          },
        },
      }),
    ),
    [],
  );
});

test("metadata: name must be a DNS subdomain and a namespace is required", () => {
  assert.deepEqual(create(hpa({}, { name: "Bad_Name" })), [
    `metadata.name: Invalid value: "Bad_Name": ${dns1123Subdomain}`,
  ]);
  assert.deepEqual(create(hpa({}, { namespace: undefined })), ["metadata.namespace: Required value"]);
});

const replicaCases: Array<[string, J, string[]]> = [
  ["minReplicas equal to maxReplicas", { minReplicas: 5 }, []],
  [
    "minReplicas 0 with the HPAScaleToZero gate off, and no Object or External metric",
    { minReplicas: 0 },
    [
      "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
      "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas",
    ],
  ],
  [
    "minReplicas 0 with an Object metric is still refused while the gate is off",
    { minReplicas: 0, ...metric(objectMetric()) },
    ["spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"],
  ],
  [
    "negative minReplicas",
    { minReplicas: -1 },
    ["spec.minReplicas: Invalid value: -1: must be greater than or equal to 1"],
  ],
  [
    "maxReplicas 0 (below the defaulted minReplicas 1 as well)",
    { maxReplicas: 0 },
    [
      "spec.maxReplicas: Invalid value: 0: must be greater than 0",
      "spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`",
    ],
  ],
  [
    "maxReplicas below minReplicas",
    { minReplicas: 7 },
    ["spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`"],
  ],
];
for (const [name, spec, want] of replicaCases) {
  test(`replicas: ${name}`, () => assert.deepEqual(create(hpa(spec)), want));
}

const targetRefCases: Array<[string, J, string[]]> = [
  [
    "kind and name missing",
    {},
    ["spec.scaleTargetRef.kind: Required value", "spec.scaleTargetRef.name: Required value"],
  ],
  [
    "kind and name must be path segments",
    { kind: "..", name: "a/b%c" },
    [
      `spec.scaleTargetRef.kind: Invalid value: "..": may not be '..'`,
      `spec.scaleTargetRef.name: Invalid value: "a/b%c": may not contain '/'`,
      `spec.scaleTargetRef.name: Invalid value: "a/b%c": may not contain '%'`,
    ],
  ],
  ["apiVersion is not checked in v1.32", { kind: "ReplicationController", name: "rc" }, []],
];
for (const [name, ref, want] of targetRefCases) {
  test(`scaleTargetRef: ${name}`, () => assert.deepEqual(create(hpa({ scaleTargetRef: ref })), want));
}

const metricSpecCases: Array<[string, J, string[]]> = [
  [
    "type missing: required, and reported unsupported twice as upstream does",
    { resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
    [
      "spec.metrics[0].type: Required value: must specify a metric source type",
      `spec.metrics[0].type: Unsupported value: "": ${sourceTypes}`,
      `spec.metrics[0].type: Unsupported value: "": ${sourceTypes}`,
    ],
  ],
  [
    "unknown type",
    { type: "Custom" },
    [
      `spec.metrics[0].type: Unsupported value: "Custom": ${sourceTypes}`,
      `spec.metrics[0].type: Unsupported value: "Custom": ${sourceTypes}`,
    ],
  ],
  [
    "the source of the type is missing",
    { type: "Resource" },
    ["spec.metrics[0].resource: Required value: must populate information for the given metric source"],
  ],
  [
    "a missing containerResource",
    { type: "ContainerResource" },
    [
      "spec.metrics[0].containerResource: Required value: must populate information for the given metric source",
    ],
  ],
  [
    "a second source is forbidden, and only the first one set is validated",
    { ...podsMetric(), resource: { name: "" } },
    ["spec.metrics[0].resource: Forbidden: must populate the given metric source only"],
  ],
  [
    "the type's source missing while others are set",
    { type: "External", object: {}, pods: {} },
    [
      "spec.metrics[0].object.describedObject.kind: Required value",
      "spec.metrics[0].object.describedObject.name: Required value",
      "spec.metrics[0].object.metric.name: Required value: must specify a metric name",
      "spec.metrics[0].object.target.type: Required value: must specify a metric target type",
      'spec.metrics[0].object.target.type: Invalid value: "": must be either Utilization, Value, or AverageValue',
      "spec.metrics[0].object.target.averageValue: Required value: must set either a target value or averageValue",
      "spec.metrics[0].external: Required value: must populate information for the given metric source",
      "spec.metrics[0].object: Forbidden: must populate the given metric source only",
      "spec.metrics[0].pods: Forbidden: must populate the given metric source only",
    ],
  ],
];
for (const [name, m, want] of metricSpecCases) {
  test(`metric spec: ${name}`, () => assert.deepEqual(create(hpa(metric(m))), want));
}

const targetCases: Array<[string, J, string[]]> = [
  [
    "Resource: name required, and a target is needed",
    resourceMetric({}, ""),
    [
      "spec.metrics[0].resource.name: Required value: must specify a resource name",
      "spec.metrics[0].resource.target.type: Required value: must specify a metric target type",
      'spec.metrics[0].resource.target.type: Invalid value: "": must be either Utilization, Value, or AverageValue',
      "spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization",
    ],
  ],
  [
    "Resource: utilization and average value together, utilization below 1",
    resourceMetric({ type: "Utilization", averageUtilization: 0, averageValue: "10" }),
    [
      "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
      "spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization",
    ],
  ],
  [
    "target type must be one of three",
    resourceMetric({ type: "Percent", averageUtilization: 50 }),
    [
      'spec.metrics[0].resource.target.type: Invalid value: "Percent": must be either Utilization, Value, or AverageValue',
    ],
  ],
  [
    "values must be positive quantities (printed as Go's %#v of a Quantity)",
    objectMetric({ type: "Value", value: "-1", averageValue: "0" }),
    [
      `spec.metrics[0].object.target.value: Invalid value: ${minusOne}: must be positive`,
      `spec.metrics[0].object.target.averageValue: Invalid value: ${zero}: must be positive`,
    ],
  ],
  [
    "Object: describedObject and metric name are checked as path segments",
    {
      type: "Object",
      object: { describedObject: { kind: "Ingress" }, metric: { name: "a/b" }, target: { type: "Value" } },
    },
    [
      "spec.metrics[0].object.describedObject.name: Required value",
      `spec.metrics[0].object.metric.name: Invalid value: "a/b": may not contain '/'`,
      "spec.metrics[0].object.target.averageValue: Required value: must set either a target value or averageValue",
    ],
  ],
  [
    "External: a value or an average value, not both",
    externalMetric({ type: "Value", value: "1", averageValue: "2" }),
    [
      "spec.metrics[0].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target",
    ],
  ],
  [
    "External: neither value nor average value",
    { type: "External", external: { metric: {}, target: { type: "Value" } } },
    [
      "spec.metrics[0].external.metric.name: Required value: must specify a metric name",
      "spec.metrics[0].external.target.averageValue: Required value: must set either a target value for metric or a per-pod target",
    ],
  ],
  [
    "Pods: only an average value will do",
    podsMetric({ type: "Value", value: "3" }),
    ["spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue"],
  ],
  [
    "ContainerResource: name a container resource, container a DNS label",
    containerMetric("foo", "Bad_Name"),
    [
      'spec.metrics[0].containerResource.name: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.metrics[0].containerResource.name: Invalid value: "foo": must be a standard resource for containers',
      `spec.metrics[0].containerResource.container: Invalid value: "Bad_Name": ${dns1123Label}`,
    ],
  ],
  [
    "ContainerResource: name and container required, utilization and value exclusive",
    containerMetric("", "", { type: "Utilization", averageUtilization: 50, averageValue: "1" }),
    [
      "spec.metrics[0].containerResource.name: Required value: must specify a resource name",
      "spec.metrics[0].containerResource.container: Required value: must specify a container",
      "spec.metrics[0].containerResource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization",
    ],
  ],
  ["ContainerResource: an extended resource name", containerMetric("example.com/gpu"), []],
];
for (const [name, m, want] of targetCases) {
  test(`metric source: ${name}`, () => assert.deepEqual(create(hpa(metric(m))), want));
}

const behaviorCases: Array<[string, J, string[]]> = [
  [
    "negative stabilization window, unknown selectPolicy",
    scaleUp({ stabilizationWindowSeconds: -1, selectPolicy: "Avg" }),
    [
      "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to zero",
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Avg": supported values: "Disabled", "Max", "Min"',
    ],
  ],
  [
    "stabilization window above an hour",
    { behavior: { scaleDown: { stabilizationWindowSeconds: 3601 } } },
    [
      "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600",
    ],
  ],
  [
    "an empty policy list replaces the defaults and is refused",
    scaleUp({ policies: [] }),
    ["spec.behavior.scaleUp.policies: Required value: must specify at least one Policy"],
  ],
  [
    "policy type, value and period",
    scaleUp({
      policies: [
        { type: "Replicas", value: 0, periodSeconds: 0 },
        { type: "Pods", value: -2, periodSeconds: 1801 },
      ],
    }),
    [
      'spec.behavior.scaleUp.policies[0].type: Unsupported value: "Replicas": supported values: "Percent", "Pods"',
      "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
      "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 0: must be greater than zero",
      "spec.behavior.scaleUp.policies[1].value: Invalid value: -2: must be greater than zero",
      "spec.behavior.scaleUp.policies[1].periodSeconds: Invalid value: 1801: must be less than or equal to 1800",
    ],
  ],
];
for (const [name, spec, want] of behaviorCases) {
  test(`behavior: ${name}`, () => assert.deepEqual(create(hpa(spec)), want));
}

test("update: minReplicas 0 is kept only when the old object already had it", () => {
  const zeroWithObject = hpa({ minReplicas: 0, ...metric(objectMetric()) }, stored());
  assert.deepEqual(update(zeroWithObject, zeroWithObject), []);
  assert.deepEqual(update(hpa({ minReplicas: 0 }, stored()), zeroWithObject), [
    "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas",
  ]);
  assert.deepEqual(update(zeroWithObject, hpa({ minReplicas: 1 }, stored())), [
    "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
  ]);
});

test("update: object meta update rules come first, then the spec is validated again", () => {
  assert.deepEqual(update(hpa({ maxReplicas: 0 }, stored({ name: "other" })), hpa({}, stored())), [
    'metadata.name: Invalid value: "other": field is immutable',
    "spec.maxReplicas: Invalid value: 0: must be greater than 0",
    "spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`",
  ]);
  assert.deepEqual(update(hpa({ minReplicas: 3 }, stored()), hpa({}, stored())), []);
});

test("status update: replica counts must not be negative; the spec is not checked", () => {
  const old = hpa({}, stored());
  const status = (s: J, spec: J = {}) => ({ ...hpa(spec, stored()), status: s });
  assert.deepEqual(statusUpdate(status({ currentReplicas: 2, desiredReplicas: 3 }), old), []);
  assert.deepEqual(statusUpdate(status({ desiredReplicas: 0 }, { maxReplicas: 0 }), old), []);
  assert.deepEqual(statusUpdate(status({ currentReplicas: -1, desiredReplicas: -2 }), old), [
    "status.currentReplicas: Invalid value: -1: must be greater than or equal to 0",
    "status.desiredReplicas: Invalid value: -2: must be greater than or equal to 0",
  ]);
});
