import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import { applyDefaults } from "./index.ts";

function defaulted<T>(kind: string, obj: T): T {
  const copy = structuredClone(obj) as unknown as Record<string, unknown>;
  applyDefaults("apps", kind, copy);
  return copy as unknown as T;
}

const template: PodTemplateSpec = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] },
};

// What a real apiserver returns for the template above: the PodSpec chain, not Pod-only defaults.
const defaultedTemplate = {
  metadata: { labels: { app: "web" }, creationTimestamp: null },
  spec: {
    containers: [
      {
        name: "nginx",
        image: "nginx:1.27",
        imagePullPolicy: "IfNotPresent",
        resources: {},
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
      },
    ],
    dnsPolicy: "ClusterFirst",
    restartPolicy: "Always",
    schedulerName: "default-scheduler",
    securityContext: {},
    terminationGracePeriodSeconds: 30,
  },
} as unknown as PodTemplateSpec;

describe("apps/v1 defaults", () => {
  it("Deployment: replicas 1, RollingUpdate 25%/25%, history 10, deadline 600", () => {
    const got = defaulted<Deployment>("Deployment", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { selector: { matchLabels: { app: "web" } }, template },
    });
    assert.deepEqual(got.spec, {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: defaultedTemplate,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    // No Pod-only defaults in a template.
    assert.equal(got.spec?.template.spec?.enableServiceLinks, undefined);
  });

  it("Deployment: Recreate gets no rollingUpdate; stated values and zero replicas stay", () => {
    const got = defaulted<Deployment>("Deployment", {
      spec: {
        replicas: 0,
        revisionHistoryLimit: 0,
        selector: {},
        template,
        strategy: { type: "Recreate" },
      },
    });
    assert.equal(got.spec?.replicas, 0);
    assert.equal(got.spec?.revisionHistoryLimit, 0);
    assert.deepEqual(got.spec?.strategy, { type: "Recreate" });

    const partial = defaulted<Deployment>("Deployment", {
      spec: { selector: {}, template, strategy: { rollingUpdate: { maxSurge: 1 } } },
    });
    assert.deepEqual(partial.spec?.strategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" },
    });
  });

  it("ReplicaSet: replicas 1 and template defaults", () => {
    const got = defaulted<ReplicaSet>("ReplicaSet", {
      spec: { selector: { matchLabels: { app: "web" } }, template },
    });
    assert.deepEqual(got.spec, {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: defaultedTemplate,
    });
  });

  it("DaemonSet: RollingUpdate maxUnavailable 1, maxSurge 0, history 10", () => {
    const got = defaulted<DaemonSet>("DaemonSet", {
      spec: { selector: { matchLabels: { app: "web" } }, template },
    });
    assert.deepEqual(got.spec, {
      selector: { matchLabels: { app: "web" } },
      template: defaultedTemplate,
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
    const onDelete = defaulted<DaemonSet>("DaemonSet", {
      spec: { selector: {}, template, updateStrategy: { type: "OnDelete" } },
    });
    assert.deepEqual(onDelete.spec?.updateStrategy, { type: "OnDelete" });
  });

  it("StatefulSet: OrderedReady, partition 0, Retain/Retain, claim templates as stored PVCs", () => {
    const got = defaulted<StatefulSet>("StatefulSet", {
      spec: {
        serviceName: "web",
        selector: { matchLabels: { app: "web" } },
        template,
        volumeClaimTemplates: [
          {
            metadata: { name: "www" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    });
    assert.deepEqual(got.spec, {
      serviceName: "web",
      selector: { matchLabels: { app: "web" } },
      template: defaultedTemplate,
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      replicas: 1,
      revisionHistoryLimit: 10,
      volumeClaimTemplates: [
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: "www", creationTimestamp: null },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: "1Gi" } },
            volumeMode: "Filesystem",
          },
          status: { phase: "Pending" },
        },
      ],
    });
  });

  it("StatefulSet: an explicit RollingUpdate without rollingUpdate stays without one", () => {
    // TestSetDefaultStatefulSet upstream: the rollingUpdate block only comes with a defaulted type.
    const got = defaulted<StatefulSet>("StatefulSet", {
      spec: { serviceName: "s", selector: {}, template, updateStrategy: { type: "RollingUpdate" } },
    });
    assert.deepEqual(got.spec?.updateStrategy, { type: "RollingUpdate" });
    const withBlock = defaulted<StatefulSet>("StatefulSet", {
      spec: {
        serviceName: "s",
        selector: {},
        template,
        updateStrategy: { type: "RollingUpdate", rollingUpdate: {} },
      },
    });
    assert.deepEqual(withBlock.spec?.updateStrategy, {
      type: "RollingUpdate",
      rollingUpdate: { partition: 0 },
    });
    const onDelete = defaulted<StatefulSet>("StatefulSet", {
      spec: { serviceName: "s", selector: {}, template, updateStrategy: { type: "OnDelete" } },
    });
    assert.deepEqual(onDelete.spec?.updateStrategy, { type: "OnDelete" });
  });

  it("ControllerRevision has no defaults", () => {
    const rev = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name: "r" },
      revision: 1,
      data: {},
    };
    assert.deepEqual(defaulted("ControllerRevision", rev), rev);
  });
});
