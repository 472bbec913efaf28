// The horizontal pod autoscaler against a real apiserver, with the deployment
// and replica set controllers and hollow kubelets: a target outside
// [minReplicas, maxReplicas] is scaled into it through its /scale subresource;
// inside it, the metrics decide, and as k8ts serves no metrics API the HPA
// reports upstream's conditions and events for a cluster without
// metrics-server and leaves the replicas alone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2.d.ts";
import type { Event } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import type { ResourceRef } from "../../src/client/rest-client.ts";
import { deploymentControllerDescriptor } from "../../src/controllers/deployment/index.ts";
import { horizontalPodAutoscalerControllerDescriptor } from "../../src/controllers/podautoscaler/index.ts";
import { replicaSetControllerDescriptor } from "../../src/controllers/replicaset/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const HPA_V2 = Resources.horizontalpodautoscalers;
const HPA_V1: ResourceRef = { ...HPA_V2, version: "v1" };

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({
    nodes: 1,
    controllers: [
      deploymentControllerDescriptor,
      replicaSetControllerDescriptor,
      horizontalPodAutoscalerControllerDescriptor,
    ],
    config: { horizontalPodAutoscalerSyncPeriodMs: 200 },
  });
});
after(() => c.stop());

async function deployment(name: string, replicas: number): Promise<void> {
  await c.client.create<Deployment>(Resources.deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
      },
    },
  });
}

async function hpa(
  name: string,
  target: { kind: string; name: string; apiVersion?: string },
  min: number,
  max: number,
) {
  await c.client.create<HorizontalPodAutoscaler>(HPA_V2, {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name, namespace: "default" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", ...target },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } },
        },
      ],
    },
  });
}

const getHPA = (name: string) =>
  c.client.get<HorizontalPodAutoscaler>(HPA_V2, name, { namespace: "default" });
const replicasOf = async (name: string) =>
  (await c.client.get<Deployment>(Resources.deployments, name, { namespace: "default" })).spec?.replicas;
const condition = (h: HorizontalPodAutoscaler, type: string) => {
  const cond = h.status?.conditions?.find((x) => x.type === type);
  return cond && `${cond.status} ${cond.reason}: ${cond.message}`;
};
// A rescale that races the deployment controller's own writes gets 409 and is retried at the next
// sync, as upstream's HPA does; its FailedRescale event says nothing about the scaling decision.
const conflict = /^Warning FailedRescale .*the object has been modified/;
const events = async (name: string) =>
  (
    await c.list<Event>(Resources.events, {
      fieldSelector: `involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=${name}`,
    })
  )
    .map((e) => `${e.type} ${e.reason} ${e.message}`)
    .filter((e) => !conflict.test(e));

const noMetrics =
  "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)";

test("below minReplicas: scaled up to it; then the metrics decide, and without a metrics API nothing changes", async () => {
  await deployment("small", 1);
  await hpa("small", { kind: "Deployment", name: "small" }, 3, 5);
  await c.waitFor("the deployment at 3", async () => (await replicasOf("small")) === 3, 10_000);
  const h = await c.waitFor(
    "ScalingActive False",
    async () => {
      const h = await getHPA("small");
      return condition(h, "ScalingActive")?.startsWith("False") && h;
    },
    10_000,
  );
  assert.equal(
    condition(h, "AbleToScale"),
    "True SucceededGetScale: the HPA controller was able to get the target's current scale",
  );
  assert.equal(
    condition(h, "ScalingActive"),
    `False FailedGetResourceMetric: the HPA was unable to compute the replica count: ${noMetrics}`,
  );
  assert.equal(h.status?.currentReplicas, 3);
  assert.equal(h.status?.desiredReplicas, 3);
  assert.ok(h.status?.lastScaleTime);
  assert.deepEqual(h.status?.currentMetrics, [{ type: "" }]);
  const seen = await c.waitFor("the events", async () => {
    const e = await events("small");
    return e.length >= 3 && e;
  });
  assert.deepEqual(seen.sort(), [
    `Normal SuccessfulRescale New size: 3; reason: Current number of replicas below Spec.MinReplicas`,
    `Warning FailedComputeMetricsReplicas invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${noMetrics}`,
    `Warning FailedGetResourceMetric ${noMetrics}`,
  ]);
  assert.equal(await replicasOf("small"), 3);
});

test("above maxReplicas: scaled down to it; an HPA written as autoscaling/v1 works alike", async () => {
  await deployment("big", 6);
  await c.client.create(HPA_V1, {
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "big", namespace: "default" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "big" }, maxReplicas: 4 },
  });
  await c.waitFor("the deployment at 4", async () => (await replicasOf("big")) === 4, 10_000);
  const v1 = await c.waitFor(
    "the v1 status",
    async () => {
      const h = await c.client.get<{ status?: { currentReplicas?: number; desiredReplicas?: number } }>(
        HPA_V1,
        "big",
        {
          namespace: "default",
        },
      );
      return h.status?.desiredReplicas === 4 && h;
    },
    10_000,
  );
  assert.equal(v1.status?.desiredReplicas, 4);
  const v2 = await getHPA("big");
  assert.deepEqual(v2.spec?.metrics, [
    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
  ]);
});

test("a target that cannot be read, and one scaled to zero", async () => {
  await hpa("missing", { kind: "Deployment", name: "nope" }, 1, 3);
  await hpa("unknown-kind", { kind: "Nope", name: "x" }, 1, 3);
  await deployment("off", 0);
  await hpa("off", { kind: "Deployment", name: "off" }, 1, 3);
  const reported = async (name: string, type: string) =>
    c.waitFor(`${name}'s ${type}`, async () => condition(await getHPA(name), type), 10_000);
  assert.equal(
    await reported("missing", "AbleToScale"),
    'False FailedGetScale: the HPA controller was unable to get the target\'s current scale: deployments.apps "nope" not found',
  );
  assert.equal(
    await reported("unknown-kind", "AbleToScale"),
    'False FailedGetScale: the HPA controller was unable to get the target\'s current scale: no matches for kind "Nope" in group "apps"',
  );
  assert.equal(
    await reported("off", "ScalingActive"),
    "False ScalingDisabled: scaling is disabled since the replica count of the target is zero",
  );
  assert.equal(await replicasOf("off"), 0);
});
