// What a write to /status may change besides status: upstream's legacy status
// strategies set only spec (and a few fields) back, so the Deployment
// controller can write its revision annotation with the status; a pod's
// owner references and a Deployment's labels stay as stored.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let client: RestClient;
before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
});
after(async () => {
  client.close();
  await api.stop();
});

const podSpec = { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] };

test("a Deployment status update keeps its annotations but not label or spec changes", async () => {
  const d = await client.create<Deployment & { metadata: object }>(Resources.deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: { app: "web" } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: podSpec },
    },
  });
  const updated = await client.update(
    Resources.deployments,
    {
      ...d,
      metadata: {
        ...d.metadata,
        labels: { app: "changed" },
        annotations: { "deployment.kubernetes.io/revision": "1" },
      },
      spec: { ...d.spec!, replicas: 5 },
      status: { observedGeneration: 1, replicas: 0 },
    },
    { subresource: "status" },
  );
  assert.equal(updated.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
  assert.deepEqual(updated.metadata.labels, { app: "web" });
  assert.equal(updated.spec?.replicas, 1);
  assert.equal(updated.metadata.generation, d.metadata.generation);
  assert.equal(updated.status?.observedGeneration, 1);
});

test("a pod status update cannot change owner references", async () => {
  const p = await client.create<Pod & { metadata: object }>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: podSpec,
  });
  const updated = await client.update(
    Resources.pods,
    {
      ...p,
      metadata: {
        ...p.metadata,
        ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "1234" }],
        annotations: { note: "kept" },
      },
      status: { ...p.status, phase: "Pending" },
    },
    { subresource: "status" },
  );
  assert.equal(updated.metadata.ownerReferences, undefined);
  assert.equal(updated.metadata.annotations?.note, "kept");
});
