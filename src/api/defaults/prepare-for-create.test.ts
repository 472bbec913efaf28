import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prepareForCreate } from "./index.ts";

function prepared(group: string, kind: string, obj: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(obj);
  prepareForCreate(group, kind, copy, { now: () => new Date("2025-01-02T03:04:05.678Z") });
  return copy;
}

const uid = "0b5e3b1c-6d0e-4d63-9c4c-2f6a3c7d9e10";

describe("prepareForCreate", () => {
  it("Namespace: phase Active, the kubernetes finalizer and the name label", () => {
    const got = prepared("", "Namespace", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a" },
    });
    assert.deepEqual(got, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a", labels: { "kubernetes.io/metadata.name": "team-a" } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
    const own = prepared("", "Namespace", {
      metadata: { name: "b" },
      spec: { finalizers: ["example.com/x"] },
      status: { phase: "Terminating" },
    });
    assert.deepEqual(own.spec, { finalizers: ["example.com/x", "kubernetes"] });
    assert.deepEqual(own.status, { phase: "Active" });
  });

  it("Pod: status replaced by phase Pending and the QoS class of the defaulted pod", () => {
    const got = prepared("", "Pod", {
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", image: "i:1", resources: { limits: { cpu: "1", memory: "1Gi" } } }] },
      status: { phase: "Running", podIP: "10.0.0.1" },
    });
    // Requests were defaulted from limits first, so the pod is Guaranteed.
    assert.deepEqual(got.status, { phase: "Pending", qosClass: "Guaranteed" });
    const bestEffort = prepared("", "Pod", {
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", image: "i:1" }] },
    });
    assert.deepEqual(bestEffort.status, { phase: "Pending", qosClass: "BestEffort" });
  });

  it("Pod: scheduling gates add the PodScheduled=False SchedulingGated condition", () => {
    const got = prepared("", "Pod", {
      metadata: { name: "p" },
      spec: { schedulingGates: [{ name: "example.com/wait" }], containers: [{ name: "c", image: "i:1" }] },
    });
    assert.deepEqual(got.status, {
      phase: "Pending",
      qosClass: "BestEffort",
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          lastProbeTime: null,
          lastTransitionTime: null,
          reason: "SchedulingGated",
          message: "Scheduling is blocked due to non-empty scheduling gates",
        },
      ],
    });
  });

  it("Pod: matchLabelKeys and mismatchLabelKeys become selector requirements", () => {
    const got = prepared("", "Pod", {
      metadata: { name: "p", labels: { app: "web", "pod-template-hash": "abc" } },
      spec: {
        containers: [{ name: "c", image: "i:1" }],
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                topologyKey: "kubernetes.io/hostname",
                labelSelector: { matchLabels: { app: "web" } },
                matchLabelKeys: ["pod-template-hash", "missing"],
                mismatchLabelKeys: ["app"],
              },
              { topologyKey: "zone", matchLabelKeys: ["app"] },
            ],
          },
        },
      },
    });
    const terms = (
      got.spec as {
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: unknown[] } };
      }
    ).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    assert.deepEqual((terms[0] as { labelSelector: unknown }).labelSelector, {
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "pod-template-hash", operator: "In", values: ["abc"] },
        { key: "app", operator: "NotIn", values: ["web"] },
      ],
    });
    // A nil selector matches nothing and is left alone.
    assert.equal((terms[1] as { labelSelector?: unknown }).labelSelector, undefined);
  });

  it("Job: generated selector and template labels, which then become the job's labels", () => {
    const got = prepared("batch", "Job", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "pi", uid },
      spec: {
        template: { spec: { containers: [{ name: "pi", image: "perl:5.34" }], restartPolicy: "Never" } },
      },
      status: { succeeded: 3 },
    });
    const labels = {
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": "pi",
      "controller-uid": uid,
      "job-name": "pi",
    };
    assert.deepEqual(got.metadata, { name: "pi", uid, generation: 1, labels });
    const spec = got.spec as Record<string, { metadata?: unknown; matchLabels?: unknown }>;
    assert.deepEqual(spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    assert.deepEqual(spec.template.metadata, { creationTimestamp: null, labels });
    assert.deepEqual(got.status, {});
  });

  it("Job: a manual selector is left as given", () => {
    const got = prepared("batch", "Job", {
      metadata: { name: "pi", uid },
      spec: {
        manualSelector: true,
        selector: { matchLabels: { app: "pi" } },
        template: {
          metadata: { labels: { app: "pi" } },
          spec: { containers: [{ name: "pi", image: "perl:5.34" }] },
        },
      },
    });
    const spec = got.spec as Record<string, { metadata?: unknown }>;
    assert.deepEqual(spec.selector, { matchLabels: { app: "pi" } });
    assert.deepEqual(spec.template.metadata, { labels: { app: "pi" }, creationTimestamp: null });
  });

  it("workloads: generation 1 and a zeroed status in Go's JSON shape", () => {
    const template = {
      metadata: { labels: { app: "w" } },
      spec: { containers: [{ name: "c", image: "i:1" }] },
    };
    const cases: [string, string, unknown][] = [
      ["apps", "Deployment", {}],
      ["apps", "ReplicaSet", { replicas: 0 }],
      ["apps", "StatefulSet", { replicas: 0, availableReplicas: 0 }],
      [
        "apps",
        "DaemonSet",
        { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
      ],
      ["", "ReplicationController", { replicas: 0 }],
      ["batch", "CronJob", {}],
      [
        "policy",
        "PodDisruptionBudget",
        { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
      ],
    ];
    for (const [group, kind, status] of cases) {
      const got = prepared(group, kind, {
        metadata: { name: "w", generation: 7 },
        spec: { selector: { matchLabels: { app: "w" } }, template, jobTemplate: { spec: { template } } },
        status: { replicas: 3, observedGeneration: 6 },
      });
      assert.equal((got.metadata as { generation: number }).generation, 1, kind);
      assert.deepEqual(got.status, status, kind);
    }
  });

  it("DaemonSet: the template generation annotation starts at 1", () => {
    const got = prepared("apps", "DaemonSet", {
      metadata: { name: "d" },
      spec: { selector: {}, template: {} },
    });
    assert.deepEqual((got.metadata as { annotations: unknown }).annotations, {
      "deprecated.daemonset.template.generation": "1",
    });
  });

  it("Service and Ingress: status reset to an empty load balancer", () => {
    const svc = prepared("", "Service", {
      spec: { ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } },
    });
    assert.deepEqual(svc.status, { loadBalancer: {} });
    assert.equal(svc.metadata, undefined);
    const ing = prepared("networking.k8s.io", "Ingress", { metadata: { name: "i" }, spec: {} });
    assert.deepEqual(ing.status, { loadBalancer: {} });
    assert.deepEqual(ing.metadata, { name: "i", generation: 1 });
  });

  it("PersistentVolume: Pending since now; PVC: Pending again after the reset", () => {
    const pv = prepared("", "PersistentVolume", {
      metadata: { name: "pv" },
      spec: { hostPath: { path: "/d" } },
      status: { phase: "Bound" },
    });
    assert.deepEqual(pv.status, { phase: "Pending", lastPhaseTransitionTime: "2025-01-02T03:04:05Z" });
    const pvc = prepared("", "PersistentVolumeClaim", {
      metadata: { name: "c" },
      spec: {},
      status: { phase: "Bound", capacity: { storage: "1Gi" } },
    });
    assert.deepEqual(pvc.status, { phase: "Pending" });
  });

  it("FlowSchema and PriorityLevelConfiguration: status cleared, generation 1", () => {
    const fs = prepared("flowcontrol.apiserver.k8s.io", "FlowSchema", {
      metadata: { name: "f", generation: 4 },
      spec: { priorityLevelConfiguration: { name: "p" } },
      status: { conditions: [{ type: "Dangling", status: "True" }] },
    });
    assert.deepEqual(fs, {
      metadata: { name: "f", generation: 1 },
      spec: { priorityLevelConfiguration: { name: "p" }, matchingPrecedence: 1000 },
      status: {},
    });
    const pl = prepared("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", {
      metadata: { name: "p" },
      spec: { type: "Limited", limited: { limitResponse: { type: "Reject" } } },
      status: { conditions: [{ type: "ConcurrencyShared" }] },
    });
    assert.deepEqual(pl, {
      metadata: { name: "p", generation: 1 },
      spec: {
        type: "Limited",
        limited: { limitResponse: { type: "Reject" }, nominalConcurrencyShares: 30, lendablePercent: 0 },
      },
      status: {},
    });
  });

  it("kinds without create-time mutations are only defaulted", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "b" } };
    assert.deepEqual(prepared("", "ConfigMap", cm), cm);
    const sc = prepared("storage.k8s.io", "StorageClass", { metadata: { name: "s" }, provisioner: "p" });
    assert.deepEqual(sc, {
      metadata: { name: "s" },
      provisioner: "p",
      reclaimPolicy: "Delete",
      volumeBindingMode: "Immediate",
    });
  });
});
