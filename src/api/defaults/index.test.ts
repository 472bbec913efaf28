import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyDefaults, hasDefaults } from "./index.ts";

function defaulted(group: string, kind: string, obj: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(obj);
  applyDefaults(group, kind, copy);
  return copy;
}

describe("core/v1 kinds", () => {
  it("Namespace: name label and phase Active (SetDefaults_Namespace, SetDefaults_NamespaceStatus)", () => {
    assert.deepEqual(defaulted("", "Namespace", { metadata: { name: "dev", labels: { team: "a" } } }), {
      metadata: { name: "dev", labels: { team: "a", "kubernetes.io/metadata.name": "dev" } },
      status: { phase: "Active" },
    });
    // The label always follows the name; a generateName-only namespace gets none yet.
    assert.deepEqual(
      defaulted("core", "Namespace", {
        metadata: { name: "x", labels: { "kubernetes.io/metadata.name": "y" } },
      }).metadata,
      {
        name: "x",
        labels: { "kubernetes.io/metadata.name": "x" },
      },
    );
    assert.deepEqual(defaulted("", "Namespace", { metadata: { generateName: "ns-" } }).metadata, {
      generateName: "ns-",
    });
  });

  it("Node: allocatable defaults to a copy of capacity", () => {
    const got = defaulted("", "Node", {
      metadata: { name: "n" },
      status: { capacity: { cpu: "2", memory: "4Gi", pods: "110" } },
    });
    assert.deepEqual(got.status, {
      capacity: { cpu: "2", memory: "4Gi", pods: "110" },
      allocatable: { cpu: "2", memory: "4Gi", pods: "110" },
    });
    const status = got.status as { capacity: object; allocatable: object };
    assert.notEqual(status.allocatable, status.capacity);
    const own = defaulted("", "Node", { status: { capacity: { cpu: "2" }, allocatable: { cpu: "1500m" } } });
    assert.deepEqual(own.status, { capacity: { cpu: "2" }, allocatable: { cpu: "1500m" } });
  });

  it("Secret: type Opaque", () => {
    assert.equal(defaulted("", "Secret", { data: {} }).type, "Opaque");
    assert.equal(defaulted("", "Secret", { type: "kubernetes.io/tls" }).type, "kubernetes.io/tls");
  });

  it("Endpoints: port protocol TCP", () => {
    const got = defaulted("", "Endpoints", {
      subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }, { port: 53, protocol: "UDP" }] }],
    });
    assert.deepEqual(got.subsets, [
      {
        addresses: [{ ip: "10.0.0.1" }],
        ports: [
          { port: 80, protocol: "TCP" },
          { port: 53, protocol: "UDP" },
        ],
      },
    ]);
  });

  it("PersistentVolume: Retain, Filesystem, phase Pending, hostPath type", () => {
    const got = defaulted("", "PersistentVolume", {
      spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/data" } },
    });
    assert.deepEqual(got, {
      spec: {
        capacity: { storage: "1Gi" },
        accessModes: ["ReadWriteOnce"],
        hostPath: { path: "/data", type: "" },
        persistentVolumeReclaimPolicy: "Retain",
        volumeMode: "Filesystem",
      },
      status: { phase: "Pending" },
    });
  });

  it("PersistentVolumeClaim: Filesystem and phase Pending; Block stays", () => {
    assert.deepEqual(defaulted("", "PersistentVolumeClaim", { spec: { accessModes: ["ReadWriteOnce"] } }), {
      spec: { accessModes: ["ReadWriteOnce"], volumeMode: "Filesystem" },
      status: { phase: "Pending" },
    });
    const block = defaulted("", "PersistentVolumeClaim", {
      spec: { volumeMode: "Block" },
      status: { phase: "Bound" },
    });
    assert.deepEqual(block, { spec: { volumeMode: "Block" }, status: { phase: "Bound" } });
  });

  it("ReplicationController: selector, labels and replicas from the template (TestSetDefaultReplicationController)", () => {
    const got = defaulted("", "ReplicationController", {
      metadata: { name: "rc" },
      spec: {
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "c", image: "i:1" }] },
        },
      },
    });
    assert.deepEqual(got.metadata, { name: "rc", labels: { app: "web" } });
    const spec = got.spec as {
      selector: unknown;
      replicas: number;
      template: { spec: { restartPolicy: string } };
    };
    assert.deepEqual(spec.selector, { app: "web" });
    assert.equal(spec.replicas, 1);
    assert.equal(spec.template.spec.restartPolicy, "Always");
    const own = defaulted("", "ReplicationController", {
      metadata: { labels: { x: "y" } },
      spec: { replicas: 0, selector: { app: "other" }, template: { metadata: { labels: { app: "web" } } } },
    });
    assert.deepEqual(own.metadata, { labels: { x: "y" } });
    assert.deepEqual((own.spec as { selector: unknown }).selector, { app: "other" });
    assert.equal((own.spec as { replicas: number }).replicas, 0);
    // No template: nothing to copy and no template created.
    assert.deepEqual(defaulted("", "ReplicationController", { spec: {} }), { spec: { replicas: 1 } });
  });

  it("LimitRange: container defaults fall back to max, then default requests to default and min", () => {
    const got = defaulted("", "LimitRange", {
      spec: {
        limits: [
          {
            type: "Container",
            max: { cpu: "2", memory: "1Gi" },
            min: { cpu: "100m", "ephemeral-storage": "1Mi" },
            default: { memory: "512Mi" },
          },
          { type: "Pod", max: { cpu: "4" } },
        ],
      },
    });
    assert.deepEqual(got.spec, {
      limits: [
        {
          type: "Container",
          max: { cpu: "2", memory: "1Gi" },
          min: { cpu: "100m", "ephemeral-storage": "1Mi" },
          default: { memory: "512Mi", cpu: "2" },
          defaultRequest: { memory: "512Mi", cpu: "2", "ephemeral-storage": "1Mi" },
        },
        { type: "Pod", max: { cpu: "4" } },
      ],
    });
  });

  it("PodTemplate: the template chain", () => {
    const got = defaulted("", "PodTemplate", {
      template: { spec: { containers: [{ name: "c", image: "i:1" }] } },
    });
    const template = got.template as { metadata: unknown; spec: Record<string, unknown> };
    assert.deepEqual(template.metadata, { creationTimestamp: null });
    assert.equal(template.spec.dnsPolicy, "ClusterFirst");
    assert.equal(template.spec.enableServiceLinks, undefined);
  });

  it("kinds without defaults are untouched", () => {
    for (const kind of ["ConfigMap", "ServiceAccount", "Event", "ResourceQuota"]) {
      const obj = { apiVersion: "v1", kind, metadata: { name: "x" } };
      assert.deepEqual(defaulted("", kind, obj), obj, kind);
      assert.equal(hasDefaults("", kind), false);
    }
  });
});

describe("other groups", () => {
  it("RBAC: roleRef and subject apiGroups by kind", () => {
    for (const kind of ["RoleBinding", "ClusterRoleBinding"]) {
      const got = defaulted("rbac.authorization.k8s.io", kind, {
        roleRef: { kind: "ClusterRole", name: "view" },
        subjects: [
          { kind: "ServiceAccount", name: "default", namespace: "ns" },
          { kind: "User", name: "alice" },
          { kind: "Group", name: "devs" },
          { kind: "User", name: "bob", apiGroup: "example.com" },
        ],
      });
      assert.deepEqual(got, {
        roleRef: { kind: "ClusterRole", name: "view", apiGroup: "rbac.authorization.k8s.io" },
        subjects: [
          { kind: "ServiceAccount", name: "default", namespace: "ns", apiGroup: "" },
          { kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" },
          { kind: "Group", name: "devs", apiGroup: "rbac.authorization.k8s.io" },
          { kind: "User", name: "bob", apiGroup: "example.com" },
        ],
      });
    }
    const role = { rules: [{ verbs: ["get"], resources: ["pods"] }] };
    assert.deepEqual(defaulted("rbac.authorization.k8s.io", "Role", role), role);
  });

  it("StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate", () => {
    assert.deepEqual(defaulted("storage.k8s.io", "StorageClass", { provisioner: "p" }), {
      provisioner: "p",
      reclaimPolicy: "Delete",
      volumeBindingMode: "Immediate",
    });
  });

  it("FlowSchema: matchingPrecedence 1000; PriorityLevelConfiguration: shares, percentages, queuing", () => {
    assert.deepEqual(defaulted("flowcontrol.apiserver.k8s.io", "FlowSchema", {}), {
      spec: { matchingPrecedence: 1000 },
    });
    assert.deepEqual(
      defaulted("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", {
        spec: { type: "Limited", limited: { limitResponse: { type: "Queue", queuing: {} } } },
      }),
      {
        spec: {
          type: "Limited",
          limited: {
            limitResponse: { type: "Queue", queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } },
            nominalConcurrencyShares: 30,
            lendablePercent: 0,
          },
        },
      },
    );
  });

  it("PriorityClass: preemptionPolicy PreemptLowerPriority", () => {
    assert.deepEqual(defaulted("scheduling.k8s.io", "PriorityClass", { value: 1000 }), {
      value: 1000,
      preemptionPolicy: "PreemptLowerPriority",
    });
  });

  it('EndpointSlice: port name "" and protocol TCP', () => {
    const got = defaulted("discovery.k8s.io", "EndpointSlice", {
      addressType: "IPv4",
      endpoints: [],
      ports: [{ port: 80 }, { name: "dns", port: 53, protocol: "UDP" }],
    });
    assert.deepEqual(got.ports, [
      { port: 80, name: "", protocol: "TCP" },
      { name: "dns", port: 53, protocol: "UDP" },
    ]);
  });

  it("NetworkPolicy: policyTypes from the rules, ports TCP; Ingress has no defaults", () => {
    const got = defaulted("networking.k8s.io", "NetworkPolicy", {
      spec: {
        podSelector: {},
        ingress: [{ ports: [{ port: 80 }] }],
        egress: [{ ports: [{ port: 53, protocol: "UDP" }] }],
      },
    });
    assert.deepEqual(got.spec, {
      podSelector: {},
      ingress: [{ ports: [{ port: 80, protocol: "TCP" }] }],
      egress: [{ ports: [{ port: 53, protocol: "UDP" }] }],
      policyTypes: ["Ingress", "Egress"],
    });
    assert.deepEqual(
      (
        defaulted("networking.k8s.io", "NetworkPolicy", { spec: { podSelector: {} } }).spec as {
          policyTypes: unknown;
        }
      ).policyTypes,
      ["Ingress"],
    );
    const ingress = {
      spec: {
        rules: [
          {
            http: {
              paths: [
                { path: "/", pathType: "Prefix", backend: { service: { name: "s", port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    };
    assert.deepEqual(defaulted("networking.k8s.io", "Ingress", ingress), ingress);
  });

  it("IngressClass: parameters scope Cluster", () => {
    const got = defaulted("networking.k8s.io", "IngressClass", {
      spec: { controller: "c", parameters: { kind: "K", name: "n" } },
    });
    assert.deepEqual(got.spec, { controller: "c", parameters: { kind: "K", name: "n", scope: "Cluster" } });
  });

  it("webhook configurations: Fail, Equivalent, selectors {}, timeout 10, scope *, port 443, Never", () => {
    const webhook = {
      name: "w.example.com",
      clientConfig: { service: { namespace: "ns", name: "svc" } },
      rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
    };
    const common = {
      name: "w.example.com",
      clientConfig: { service: { namespace: "ns", name: "svc", port: 443 } },
      rules: [
        { operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], scope: "*" },
      ],
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      failurePolicy: "Fail",
      matchPolicy: "Equivalent",
      namespaceSelector: {},
      objectSelector: {},
      timeoutSeconds: 10,
    };
    const v = defaulted("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", {
      webhooks: [webhook],
    });
    assert.deepEqual(v.webhooks, [common]);
    const m = defaulted("admissionregistration.k8s.io", "MutatingWebhookConfiguration", {
      webhooks: [webhook],
    });
    assert.deepEqual(m.webhooks, [{ ...common, reinvocationPolicy: "Never" }]);
  });

  it("ValidatingAdmissionPolicy and binding: failurePolicy, match resources, paramRef action", () => {
    const policy = defaulted("admissionregistration.k8s.io", "ValidatingAdmissionPolicy", {
      spec: {
        matchConstraints: {
          resourceRules: [
            { operations: ["CREATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] },
          ],
        },
        validations: [{ expression: "true" }],
      },
    });
    assert.deepEqual(policy.spec, {
      failurePolicy: "Fail",
      matchConstraints: {
        resourceRules: [
          {
            operations: ["CREATE"],
            apiGroups: ["apps"],
            apiVersions: ["v1"],
            resources: ["deployments"],
            scope: "*",
          },
        ],
        matchPolicy: "Equivalent",
        namespaceSelector: {},
        objectSelector: {},
      },
      validations: [{ expression: "true" }],
    });
    const binding = defaulted("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", {
      spec: { policyName: "p", paramRef: { name: "x" }, validationActions: ["Deny"] },
    });
    assert.deepEqual(binding.spec, {
      policyName: "p",
      paramRef: { name: "x", parameterNotFoundAction: "Deny" },
      validationActions: ["Deny"],
    });
  });

  it("HorizontalPodAutoscaler: minReplicas 1; v2 adds the CPU metric and fills a stated behavior", () => {
    const v1 = defaulted("autoscaling", "HorizontalPodAutoscaler", {
      apiVersion: "autoscaling/v1",
      spec: { maxReplicas: 5 },
    });
    assert.deepEqual(v1.spec, { maxReplicas: 5, minReplicas: 1 });
    const v2 = defaulted("autoscaling", "HorizontalPodAutoscaler", {
      apiVersion: "autoscaling/v2",
      spec: { maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } },
    });
    assert.deepEqual(v2.spec, {
      maxReplicas: 5,
      minReplicas: 1,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
        },
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
          selectPolicy: "Max",
          stabilizationWindowSeconds: 60,
          policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
        },
      },
    });
  });

  it("kinds without defaults upstream are untouched", () => {
    const cases: [string, string][] = [
      ["coordination.k8s.io", "Lease"],
      ["events.k8s.io", "Event"],
      ["policy", "PodDisruptionBudget"],
      ["certificates.k8s.io", "CertificateSigningRequest"],
      ["rbac.authorization.k8s.io", "ClusterRole"],
      ["example.com", "Widget"],
    ];
    for (const [group, kind] of cases) {
      const obj = { metadata: { name: "x" }, spec: { a: 1 } };
      assert.deepEqual(defaulted(group, kind, obj), obj, kind);
    }
  });
});

// One minimal object per defaulted kind, for the properties every defaulter must have.
const samples: [string, string, Record<string, unknown>][] = [
  ["", "Namespace", { metadata: { name: "ns" } }],
  [
    "",
    "Pod",
    {
      metadata: { name: "p" },
      spec: {
        hostNetwork: true,
        containers: [
          {
            name: "c",
            image: "i",
            ports: [{ containerPort: 1 }],
            resources: { limits: { cpu: "1" } },
            livenessProbe: { httpGet: { port: 1 } },
          },
        ],
        volumes: [{ name: "v" }],
      },
    },
  ],
  ["", "Node", { status: { capacity: { cpu: "1" } } }],
  [
    "",
    "Service",
    {
      spec: { type: "LoadBalancer", sessionAffinity: "ClientIP", ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } },
    },
  ],
  ["", "Endpoints", { subsets: [{ ports: [{ port: 1 }] }] }],
  ["", "Secret", {}],
  ["", "PersistentVolume", { spec: { rbd: {}, iscsi: {}, azureDisk: {}, scaleIO: {} } }],
  ["", "PersistentVolumeClaim", { spec: {} }],
  ["", "ReplicationController", { spec: { template: { metadata: { labels: { a: "b" } } } } }],
  ["", "LimitRange", { spec: { limits: [{ type: "Container", max: { cpu: "1" }, min: { memory: "1" } }] } }],
  ["", "PodTemplate", { template: {} }],
  ["apps", "Deployment", { spec: {} }],
  ["apps", "ReplicaSet", { spec: {} }],
  ["apps", "StatefulSet", { spec: { volumeClaimTemplates: [{}] } }],
  ["apps", "DaemonSet", { spec: {} }],
  [
    "batch",
    "Job",
    {
      spec: {
        template: { metadata: { labels: { a: "b" } } },
        podFailurePolicy: { rules: [{ onPodConditions: [{}] }] },
      },
    },
  ],
  ["batch", "CronJob", { spec: {} }],
  ["autoscaling", "HorizontalPodAutoscaler", { apiVersion: "autoscaling/v2", spec: { behavior: {} } }],
  ["discovery.k8s.io", "EndpointSlice", { ports: [{}] }],
  ["rbac.authorization.k8s.io", "RoleBinding", { roleRef: {}, subjects: [{ kind: "User" }] }],
  ["rbac.authorization.k8s.io", "ClusterRoleBinding", {}],
  ["storage.k8s.io", "StorageClass", {}],
  ["scheduling.k8s.io", "PriorityClass", {}],
  ["networking.k8s.io", "NetworkPolicy", { spec: { egress: [{ ports: [{}] }] } }],
  ["networking.k8s.io", "IngressClass", { spec: { parameters: {} } }],
  [
    "admissionregistration.k8s.io",
    "MutatingWebhookConfiguration",
    { webhooks: [{ rules: [{}], clientConfig: { service: {} } }] },
  ],
  ["admissionregistration.k8s.io", "ValidatingWebhookConfiguration", { webhooks: [{}] }],
  ["admissionregistration.k8s.io", "ValidatingAdmissionPolicy", { spec: { matchConstraints: {} } }],
  [
    "admissionregistration.k8s.io",
    "ValidatingAdmissionPolicyBinding",
    { spec: { paramRef: {}, matchResources: {} } },
  ],
  ["flowcontrol.apiserver.k8s.io", "FlowSchema", { spec: { priorityLevelConfiguration: { name: "p" } } }],
  [
    "flowcontrol.apiserver.k8s.io",
    "PriorityLevelConfiguration",
    { spec: { limited: { limitResponse: { queuing: {} } }, exempt: {} } },
  ],
];

// Values of every JSON type, dropped into every field a defaulter reads.
const junk: unknown[] = [null, 0, 1, "", "x", true, false, [], [1, "a", null], {}, { a: 1 }];

function* mutations(value: unknown, depth = 0): Generator<unknown> {
  if (depth > 6 || typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) yield* mutations(item, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    const obj = value as Record<string, unknown>;
    const saved = obj[key];
    for (const j of junk) {
      obj[key] = structuredClone(j);
      yield undefined;
    }
    obj[key] = saved;
    yield* mutations(saved, depth + 1);
  }
}

describe("every defaulter", () => {
  it("covers every sample kind", () => {
    for (const [group, kind] of samples) assert.ok(hasDefaults(group, kind), `${group}/${kind}`);
  });

  it("is idempotent: defaulting a defaulted object changes nothing", () => {
    for (const [group, kind, obj] of samples) {
      const once = defaulted(group, kind, obj);
      assert.notDeepEqual(once, obj, `${kind} got no defaults`);
      assert.deepEqual(defaulted(group, kind, once), once, kind);
    }
  });

  it("never throws on wrong-typed fields, and stays idempotent on them", () => {
    for (const [group, kind, obj] of samples) {
      const base = defaulted(group, kind, obj);
      for (const top of [base, { spec: 1 }, { spec: [] }, { metadata: "x", status: true }, {}]) {
        const working = structuredClone(top);
        for (const _ of mutations(working)) {
          const once = defaulted(group, kind, working);
          assert.deepEqual(defaulted(group, kind, once), once, `${kind}: ${JSON.stringify(working)}`);
        }
      }
    }
  });

  it("ignores non-object input", () => {
    for (const bad of [null, [], 3, "x"]) applyDefaults("", "Pod", bad as unknown as Record<string, unknown>);
  });
});
