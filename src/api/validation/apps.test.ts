// apps/v1 validation: cases after pkg/apis/apps/validation/validation_test.go.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createErrors, type J, statusErrors, stored, template, updateErrors } from "./test-helpers.ts";

const workload =
  (kind: string, name: string, base: J = {}) =>
  (spec: J = {}, meta: J = {}): J => ({
    apiVersion: "apps/v1",
    kind,
    metadata: { name, namespace: "default", ...meta },
    spec: { ...base, selector: { matchLabels: { app: "x" } }, template: template({ app: "x" }), ...spec },
  });
const dep = workload("Deployment", "d");
const rs = workload("ReplicaSet", "r");
const ss = workload("StatefulSet", "s", { serviceName: "s" });
const ds = workload("DaemonSet", "ds");

const c = (kind: string, obj: J) => createErrors("apps", kind, obj);
const u = (kind: string, obj: J, old: J) => updateErrors("apps", kind, obj, old);
const s = (kind: string, obj: J, old: J) => statusErrors("apps", kind, obj, old);

const selectorMismatch = (labels: string) =>
  `spec.template.metadata.labels: Invalid value: ${labels}: \`selector\` does not match template \`labels\``;
const grown = { selector: { matchLabels: { app: "x", b: "c" } }, template: template({ app: "x", b: "c" }) };
const immutableGrownSelector =
  'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "b":"c"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable';
const newImage = (labels: J = { app: "x" }) =>
  template(labels, { containers: [{ name: "c", image: "nginx:2" }] });

test("valid workloads of every kind", () => {
  assert.deepEqual(c("Deployment", dep()), []);
  assert.deepEqual(c("ReplicaSet", rs()), []);
  assert.deepEqual(c("StatefulSet", ss()), []);
  assert.deepEqual(c("DaemonSet", ds()), []);
  assert.deepEqual(
    c(
      "Deployment",
      dep({
        replicas: 3,
        selector: { matchExpressions: [{ key: "app", operator: "In", values: ["x", "y"] }] },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
        progressDeadlineSeconds: 600,
        minReadySeconds: 10,
        revisionHistoryLimit: 2,
        paused: true,
      }),
    ),
    [],
  );
});

test("object metadata: name rule and namespace", () => {
  assert.deepEqual(c("Deployment", dep({}, { name: "Bad_Name" })), [
    "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(c("Deployment", dep({}, { namespace: undefined })), [
    "metadata.namespace: Required value",
  ]);
  // StatefulSet names become pod hostnames: DNS labels.
  assert.deepEqual(c("StatefulSet", ss({}, { name: "a.b" })), [
    "metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

test("selector is required and must match the template labels", () => {
  for (const [kind, make] of [
    ["Deployment", dep],
    ["ReplicaSet", rs],
    ["DaemonSet", ds],
  ] as const) {
    // Upstream's DaemonSet validation has no "Required" for the selector: only the mismatch.
    assert.deepEqual(c(kind, make({ selector: undefined })), [
      ...(kind === "DaemonSet" ? [] : ["spec.selector: Required value"]),
      selectorMismatch('map[string]string{"app":"x"}'),
    ]);
    assert.deepEqual(c(kind, make({ template: template({ app: "y" }) })), [
      selectorMismatch('map[string]string{"app":"y"}'),
    ]);
  }
  assert.deepEqual(c("StatefulSet", ss({ template: template({ app: "y" }) })), [
    selectorMismatch('map[string]string{"app":"y"}'),
  ]);
  assert.deepEqual(
    c("ReplicaSet", rs({ selector: { matchExpressions: [{ key: "app", operator: "In", values: ["z"] }] } })),
    [selectorMismatch('map[string]string{"app":"x"}')],
  );
  assert.deepEqual(
    c("Deployment", dep({ template: { spec: { containers: [{ name: "c", image: "x" }] } } })),
    [selectorMismatch("map[string]string(nil)")],
  );
});

test("empty and unparsable selectors", () => {
  assert.deepEqual(c("Deployment", dep({ selector: {} })), [
    "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
  ]);
  assert.deepEqual(c("StatefulSet", ss({ selector: {} })), [
    "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset",
  ]);
  assert.deepEqual(
    c("ReplicaSet", rs({ selector: { matchExpressions: [{ key: "app", operator: "Bogus" }] } })),
    [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Bogus", Values:[]string(nil)}}}: invalid label selector',
    ],
  );
  assert.deepEqual(
    c(
      "Deployment",
      dep({ selector: { matchLabels: { "bad key!": "x" } }, template: template({ "bad key!": "x" }) }),
    ),
    [
      "spec.selector.matchLabels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"bad key!":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: invalid label selector',
    ],
  );
});

test("template pods must restart Always and have no active deadline", () => {
  for (const [kind, make] of [
    ["Deployment", dep],
    ["ReplicaSet", rs],
    ["StatefulSet", ss],
    ["DaemonSet", ds],
  ] as const) {
    assert.deepEqual(c(kind, make({ template: template({ app: "x" }, { restartPolicy: "OnFailure" }) })), [
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ]);
  }
  assert.deepEqual(c("Deployment", dep({ template: template({ app: "x" }, { activeDeadlineSeconds: 5 }) })), [
    "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported",
  ]);
  assert.deepEqual(c("DaemonSet", ds({ template: template({ app: "x" }, { activeDeadlineSeconds: 5 }) })), [
    "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported",
  ]);
  assert.deepEqual(c("StatefulSet", ss({ template: template({ app: "x" }, { activeDeadlineSeconds: 5 }) })), [
    "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported",
  ]);
});

test("the template's pod spec is validated (except for StatefulSets, as upstream)", () => {
  const noImage = template({ app: "x" }, { containers: [{ name: "c" }] });
  assert.deepEqual(c("Deployment", dep({ template: noImage })), [
    "spec.template.spec.containers[0].image: Required value",
  ]);
  assert.deepEqual(c("ReplicaSet", rs({ template: noImage })), [
    "spec.template.spec.containers[0].image: Required value",
  ]);
  assert.deepEqual(c("DaemonSet", ds({ template: noImage })), [
    "spec.template.spec.containers[0].image: Required value",
  ]);
  assert.deepEqual(c("StatefulSet", ss({ template: noImage })), []);
});

test("Deployment: replicas, history and progress deadline", () => {
  assert.deepEqual(c("Deployment", dep({ replicas: -1 })), [
    "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
  ]);
  assert.deepEqual(c("Deployment", dep({ revisionHistoryLimit: -2 })), [
    "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0",
  ]);
  assert.deepEqual(c("Deployment", dep({ progressDeadlineSeconds: 5, minReadySeconds: 10 })), [
    "spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds",
  ]);
});

test("Deployment: strategy type and rolling update parameters", () => {
  assert.deepEqual(c("Deployment", dep({ strategy: { type: "Bogus" } })), [
    'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Bogus", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
  ]);
  assert.deepEqual(c("Deployment", dep({ strategy: { type: "Recreate", rollingUpdate: { maxSurge: 1 } } })), [
    "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
  ]);
  const rolling = (rollingUpdate: J) => dep({ strategy: { type: "RollingUpdate", rollingUpdate } });
  assert.deepEqual(c("Deployment", rolling({ maxSurge: 0, maxUnavailable: 0 })), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
  ]);
  assert.deepEqual(c("Deployment", rolling({ maxSurge: 1, maxUnavailable: "110%" })), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"110%"}: must not be greater than 100%',
  ]);
  assert.deepEqual(c("Deployment", rolling({ maxSurge: "abc", maxUnavailable: -1 })), [
    "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0",
    "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"abc\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ]);
});

test("StatefulSet: policies, update strategy, ordinals and retention", () => {
  assert.deepEqual(c("StatefulSet", ss({ podManagementPolicy: "Bogus" })), [
    "spec.podManagementPolicy: Invalid value: \"Bogus\": must be 'OrderedReady' or 'Parallel'",
  ]);
  assert.deepEqual(c("StatefulSet", ss({ updateStrategy: { type: "Bogus" } })), [
    "spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:\"Bogus\"}: must be 'RollingUpdate' or 'OnDelete'",
  ]);
  assert.deepEqual(
    c("StatefulSet", ss({ updateStrategy: { type: "OnDelete", rollingUpdate: { partition: 1 } } })),
    [
      "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:1}: only allowed for updateStrategy 'RollingUpdate'",
    ],
  );
  assert.deepEqual(
    c("StatefulSet", ss({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: -1 } } })),
    ["spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"],
  );
  assert.deepEqual(
    c("StatefulSet", ss({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } } })),
    [
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: cannot be 0',
    ],
  );
  assert.deepEqual(c("StatefulSet", ss({ ordinals: { start: -1 } })), [
    "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0",
  ]);
  assert.deepEqual(
    c(
      "StatefulSet",
      ss({ persistentVolumeClaimRetentionPolicy: { whenDeleted: "Bogus", whenScaled: "Retain" } }),
    ),
    [
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Bogus": supported values: "Retain", "Delete"',
    ],
  );
  const vct = {
    metadata: { name: "data" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  };
  assert.deepEqual(c("StatefulSet", ss({ volumeClaimTemplates: [vct] })), []);
});

test("DaemonSet: update strategy and rolling update parameters", () => {
  assert.deepEqual(c("DaemonSet", ds({ updateStrategy: { type: "Bogus" } })), [
    'spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Bogus", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"',
  ]);
  const rolling = (rollingUpdate: J) => ds({ updateStrategy: { type: "RollingUpdate", rollingUpdate } });
  assert.deepEqual(c("DaemonSet", rolling({ maxUnavailable: 0, maxSurge: 0 })), [
    "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0",
  ]);
  assert.deepEqual(c("DaemonSet", rolling({ maxUnavailable: 1, maxSurge: 1 })), [
    'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
  ]);
  assert.deepEqual(c("DaemonSet", rolling({ maxUnavailable: 0, maxSurge: "10%" })), []);
  assert.deepEqual(c("DaemonSet", ds({ minReadySeconds: -1, revisionHistoryLimit: -1 })), [
    "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
    "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
  ]);
});

test("updates: replicas and template may change, the selector may not", () => {
  assert.deepEqual(
    u("Deployment", dep({ replicas: 5, template: newImage() }, stored()), dep({}, stored())),
    [],
  );
  assert.deepEqual(
    u("ReplicaSet", rs({ replicas: 5, template: newImage() }, stored()), rs({}, stored())),
    [],
  );
  assert.deepEqual(u("Deployment", dep(grown, stored()), dep({}, stored())), [immutableGrownSelector]);
  assert.deepEqual(u("ReplicaSet", rs(grown, stored()), rs({}, stored())), [immutableGrownSelector]);
  assert.deepEqual(u("Deployment", dep({ replicas: -1 }, stored()), dep({}, stored())), [
    "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
  ]);
});

test("StatefulSet updates may only touch the mutable spec fields", () => {
  const forbiddenSpec =
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
  assert.deepEqual(
    u(
      "StatefulSet",
      ss(
        { replicas: 3, template: newImage(), updateStrategy: { type: "OnDelete" }, minReadySeconds: 3 },
        stored(),
      ),
      ss({}, stored()),
    ),
    [],
  );
  assert.deepEqual(u("StatefulSet", ss({ serviceName: "t" }, stored()), ss({}, stored())), [forbiddenSpec]);
  assert.deepEqual(u("StatefulSet", ss(grown, stored()), ss({}, stored())), [forbiddenSpec]);
  const vct = (storage: string) => ({
    volumeClaimTemplates: [
      {
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } },
      },
    ],
  });
  assert.deepEqual(u("StatefulSet", ss(vct("2Gi"), stored()), ss(vct("1Gi"), stored())), [forbiddenSpec]);
});

test("DaemonSet updates: templateGeneration moves with the template", () => {
  const gen = (g: number) =>
    stored({ generation: g, annotations: { "deprecated.daemonset.template.generation": String(g) } });
  assert.deepEqual(u("DaemonSet", ds({ template: newImage() }, gen(2)), ds({}, gen(1))), []);
  assert.deepEqual(u("DaemonSet", ds({ template: newImage() }, gen(1)), ds({}, gen(1))), [
    "spec.templateGeneration: Invalid value: 1: must be incremented upon template update",
  ]);
  assert.deepEqual(u("DaemonSet", ds({}, gen(2)), ds({}, gen(1))), [
    "spec.templateGeneration: Invalid value: 2: must not be incremented without template update",
  ]);
  assert.deepEqual(u("DaemonSet", ds(grown, gen(2)), ds({}, gen(1))), [immutableGrownSelector]);
});

test("status updates: counts are non-negative and bounded by replicas", () => {
  assert.deepEqual(
    s(
      "Deployment",
      {
        ...dep({}, stored()),
        status: { replicas: -1, readyReplicas: 3, availableReplicas: 4, observedGeneration: -1 },
      },
      dep({}, stored()),
    ),
    [
      "status.observedGeneration: Invalid value: -1: must be greater than or equal to 0",
      "status.replicas: Invalid value: -1: must be greater than or equal to 0",
      "status.updatedReplicas: Invalid value: 0: cannot be greater than status.replicas",
      "status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas",
      "status.availableReplicas: Invalid value: 4: cannot be greater than status.replicas",
      "status.availableReplicas: Invalid value: 4: cannot be greater than readyReplicas",
    ],
  );
  assert.deepEqual(
    s(
      "ReplicaSet",
      {
        ...rs({}, stored()),
        status: { replicas: 1, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 3 },
      },
      rs({}, stored()),
    ),
    [
      "status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas",
      "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas",
      "status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas",
      "status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas",
    ],
  );
  assert.deepEqual(
    s(
      "StatefulSet",
      {
        ...ss({}, stored()),
        status: {
          replicas: 1,
          readyReplicas: 2,
          currentReplicas: 2,
          updatedReplicas: 3,
          availableReplicas: 2,
        },
      },
      ss({}, stored()),
    ),
    [
      "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas",
      "status.currentReplicas: Invalid value: 2: cannot be greater than status.replicas",
      "status.updatedReplicas: Invalid value: 3: cannot be greater than status.replicas",
      "status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas",
    ],
  );
  assert.deepEqual(
    s(
      "DaemonSet",
      {
        ...ds({}, stored()),
        status: {
          currentNumberScheduled: -1,
          numberMisscheduled: 0,
          desiredNumberScheduled: 1,
          numberReady: 0,
        },
      },
      ds({}, stored()),
    ),
    ["status.currentNumberScheduled: Invalid value: -1: must be greater than or equal to 0"],
  );
});

test("status updates: collisionCount may not be decremented", () => {
  const decremented = "status.collisionCount: Invalid value: 1: cannot be decremented";
  assert.deepEqual(
    s(
      "StatefulSet",
      { ...ss({}, stored()), status: { replicas: 1, collisionCount: 1 } },
      { ...ss({}, stored()), status: { replicas: 1, collisionCount: 2 } },
    ),
    [decremented],
  );
  assert.deepEqual(
    s(
      "Deployment",
      { ...dep({}, stored()), status: { collisionCount: 1 } },
      { ...dep({}, stored()), status: { collisionCount: 2 } },
    ),
    [decremented],
  );
});

test("ControllerRevision: data required and immutable, revision non-negative", () => {
  const cr = (extra: J = {}, meta: J = {}): J => ({
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: { name: "cr", namespace: "default", ...meta },
    data: { a: 1 },
    revision: 1,
    ...extra,
  });
  assert.deepEqual(c("ControllerRevision", cr()), []);
  assert.deepEqual(c("ControllerRevision", cr({ revision: -1 })), [
    "revision: Invalid value: -1: must be greater than or equal to 0",
  ]);
  assert.deepEqual(c("ControllerRevision", cr({ data: undefined })), [
    "data: Required value: data is mandatory",
  ]);
  assert.deepEqual(u("ControllerRevision", cr({ revision: 2 }, stored()), cr({}, stored())), []);
  const dataChange = u("ControllerRevision", cr({ data: { a: 2 } }, stored()), cr({}, stored()));
  assert.equal(dataChange.length, 1);
  assert.match(dataChange[0], /^data: Invalid value: runtime\.RawExtension\{.*\}: field is immutable$/);
});
